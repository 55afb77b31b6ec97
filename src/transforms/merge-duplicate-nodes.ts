/**
 * `merge_duplicate_nodes`: merges nodes that compute the same thing.
 *
 * Matches: nodes with the same op, device, inputs (canonical: `x` equals `x:0`; order and control
 * inputs count) and attributes (compared by value and encoding, so a `tensor_content` constant and
 * an equal `float_val` constant differ, as in TF; attributes still as loaded from a file are
 * compared as their encoded bytes, map entries in key order, without decoding). Names do not count.
 * Does: keeps the first such node in graph order and rewires the others' consumers to it (ports
 * and `^` kept). Duplicates whose inputs only become equal after a merge (two `Relu`s of two equal
 * constants) merge too: nodes are keyed in execution order by the *class* of their inputs, which
 * reaches TensorFlow's fixed point in one pass; a further pass runs only for loop back edges.
 * Never merges: graph inputs and outputs (`ctx.protectedNodes`, which also keeps their names);
 * stateful ops, including every op graft does not know (`isStatefulOp`), so variables, random
 * ops, queues, iterators, `Assign*` and function calls are never merged; and feed points
 * (`Placeholder`, `PlaceholderWithDefault`, `_Arg`), which TF would merge when they look alike.
 *
 * Differences from TensorFlow: output keeps graph order (TF emits in hash order); protection uses
 * node names, so an output given as `softmax:0` protects `softmax` (TF compares raw strings);
 * unknown ops are left alone instead of failing the transform; placeholders are never merged;
 * colocation constraints on a merged node are retargeted to the survivor.
 */
import { defineTransform, lazyApply } from '../transform/define';

export const mergeDuplicateNodes = defineTransform({
  name: 'merge_duplicate_nodes',
  summary: 'Merges nodes with the same op, inputs and attributes (never stateful ops, inputs or outputs).',
  params: {},
  counters: {
    merged: 'Nodes merged into an identical earlier node.',
  },
  codes: {},
  apply: lazyApply(() => import('./apply/merge-duplicate-nodes')),
});
