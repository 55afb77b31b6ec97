/**
 * `backport_concatv2`: rewrites `ConcatV2(v₀…vₙ₋₁, axis)` as the legacy `Concat(axis, v₀…vₙ₋₁)`,
 * for runtimes older than TensorFlow 0.12.
 *
 * Keeps the node's name, device, `N`, `T` and other attributes; drops `Tidx` (Concat has none).
 *
 * Differences from TensorFlow: the axis is the last *data* input (TF takes the last input entry,
 * so a trailing control input would be taken for the axis); control inputs stay at the end. A
 * `ConcatV2` with an int64 axis (`Tidx=int64`) is left alone with a
 * `backport_concatv2/int64-axis` warning, since Concat only takes an int32 `concat_dim`.
 */
import { defineTransform, lazyApply } from '../transform/define';

export const backportConcatV2 = defineTransform({
  name: 'backport_concatv2',
  summary: 'Rewrites ConcatV2 (axis last) as the legacy Concat (axis first).',
  params: {},
  counters: {
    backported: 'ConcatV2 nodes rewritten to Concat.',
  },
  codes: {
    'int64-axis': { severity: 'warning', doc: 'A ConcatV2 with an int64 axis, which Concat cannot take; left as it is.' },
  },
  apply: lazyApply(() => import('./apply/backport-concatv2')),
});
