/**
 * `inline_partitionedcall`: replaces each `PartitionedCall` by the body of the library function
 * it calls, so that transforms that only see the top-level graph (TF2 graphs keep their work in
 * functions) can reach it.
 *
 * As TensorFlow: body nodes are renamed `<call>/<node>`; a body input that names a function
 * argument becomes the call's matching input; consumers of `<call>:k` read the node that the
 * function's k-th output returns. A call without an `f` attribute, a function missing from the
 * library and a call whose data-input count differs from the function's arguments are errors.
 *
 * Differences from TensorFlow (each makes a graph TensorFlow would leave broken valid):
 * - `StatefulPartitionedCall` is inlined too (what TF2 SavedModels call); `stateful=false` limits
 *   the transform to `PartitionedCall`, as TensorFlow does.
 * - Calls nested in the inlined bodies are inlined as well (TensorFlow does one level).
 * - `node:out_arg:i` body inputs map through the op's output arguments to the flat port
 *   (TensorFlow keeps the first and last parts, wrong for ops with several output lists).
 * - Control inputs work: `^x` in a body becomes `^<call>/x`, the call's own control inputs are
 *   added to the body's entry nodes, and `^<call>` consumers wait for the function's results
 *   (TensorFlow counts control inputs as arguments and writes `<call>/^x`).
 * - Function attribute placeholders (`$T`) are replaced by the call's values.
 * - A call that is a graph input or output keeps its name, as an `Identity`/`IdentityN` of the
 *   inlined results, so the pipeline's outputs still exist.
 */
import { defineTransform, param, lazyApply } from '../transform/define';

export const inlinePartitionedCall = defineTransform({
  name: 'inline_partitionedcall',
  summary: 'Inlines PartitionedCall (and StatefulPartitionedCall) nodes: the function body replaces the call.',
  description:
    'Each call is replaced by the called function’s nodes, named `<call>/<node>`, wired to the call’s inputs; consumers of the call read the function’s results. Nested calls are inlined too.',
  params: {
    stateful: param.bool({ doc: 'Also inline StatefulPartitionedCall (TensorFlow inlines only PartitionedCall).', default: true }),
  },
  counters: { inlined: 'Function calls replaced by their bodies.' },
  codes: {},
  apply: lazyApply(() => import('./apply/inline-partitionedcall')),
});
