/**
 * `round_weights(num_steps=256)`: rounds the values of large float constants to `num_steps`
 * evenly spaced levels, so that the model compresses well (gzip) while staying a float model.
 *
 * Matches: every `Const` of dtype float with at least 16 elements (TF's hard-coded threshold).
 * Math (float32): `min`, `max` over the tensor; `w = (max − min) / num_steps`; each value `v`
 * becomes `min + w · (bucket + 0.5)` with `bucket = floor((v − min) / w)`, clamped to
 * `num_steps − 1`. Every value moves by at most `w / 2`, and at most `num_steps` distinct values
 * remain. The node keeps its name, shape, device and other attributes; only `value` changes.
 *
 * Differences from TensorFlow (spec §11, quirk 12):
 * - TF starts the running maximum at FLT_MIN (the smallest positive float) instead of −FLT_MAX,
 *   so an all-negative tensor gets the range [min, ~0] and coarser levels; graft uses the true max.
 * - TF does not clamp the bucket: the maximum lands in bucket `num_steps` and is mapped above the
 *   range, giving `num_steps + 1` levels; graft clamps.
 * - A tensor whose values are all equal is left unchanged (TF widens the range by a rule of
 *   thumb and shifts every value by half a step). Tensors holding NaN or ±Inf are left unchanged
 *   with a `round_weights/non-finite` warning.
 */
import { defineTransform, param, lazyApply } from '../transform/define';

export const roundWeights = defineTransform({
  name: 'round_weights',
  lossy: true,
  summary: 'Rounds float constants of 16 or more elements to num_steps levels, so the file compresses well.',
  params: {
    num_steps: param.int({ doc: 'How many distinct levels each rounded tensor keeps.', default: 256, min: 1 }),
  },
  counters: {
    rounded: 'Weight constants rounded.',
  },
  codes: {
    'non-finite': { severity: 'warning', doc: 'A constant holding NaN or infinite values; left unrounded.' },
  },
  apply: lazyApply(() => import('./apply/round-weights')),
});
