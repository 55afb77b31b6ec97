/**
 * `backport_tensor_array_v3`: rewrites the TensorArray V3 ops as their V2 forms, for runtimes that
 * predate TensorFlow 1.0's V3 ops.
 *
 * As TensorFlow: `TensorArrayV3` → `TensorArrayV2` and `TensorArrayGradV3` → `TensorArrayGradV2`
 * (attributes unchanged). V2 has no second `flow` output, so every input reading `X:1` reads a new
 * float scalar `Const` 1.0 named `X/replacement_flow_node`, placed right after `X`. The other V3 ops
 * (`TensorArrayWriteV3`, `ReadV3`, `GatherV3`, `ScatterV3`, `ConcatV3`, `SplitV3`, `SizeV3`,
 * `CloseV3`) are renamed to their `…V2` op. Control inputs `^X` are left alone.
 *
 * Difference from TensorFlow: none in the result; when `X/replacement_flow_node` is already a node
 * name the transform fails instead of writing two nodes with one name.
 */
import { defineTransform, lazyApply } from '../transform/define';

export const backportTensorArrayV3 = defineTransform({
  name: 'backport_tensor_array_v3',
  summary: 'Rewrites TensorArray V3 ops as V2 (the flow output becomes a constant).',
  params: {},
  counters: { backported: 'TensorArray nodes rewritten to their older ops.' },
  codes: {},
  apply: lazyApply(() => import('./apply/backport-tensor-array-v3')),
});
