/**
 * `remove_nodes(op=..., max_inputs=1)`: splices nodes of the given ops out of the graph.
 *
 * Matches: every node whose op is one of `op` and that has between 1 and `max_inputs` data inputs.
 * Does: consumers of the node read its first data input instead (port kept: an `Identity` of
 * `foo:1` rewires its consumers to `foo:1`); control consumers (`^id`) depend on that input's node
 * instead. Chains (`Identity(Identity(x))`) collapse completely: the result is TensorFlow's fixed
 * point, computed in one linear pass.
 * Never removes: graph inputs and outputs (`ctx.protectedNodes`); nodes on a cycle or with a
 * missing input (TF's matcher cannot match them either).
 *
 * Deliberately different from TensorFlow (spec §3.2 quirks, peers Part B #11):
 * - The removed node's own control inputs are kept: they move to its consumers, so the
 *   `Identity(x, ^update)` idiom keeps its ordering. TF drops them.
 * - A node whose output 1 or higher is consumed is kept (TF leaves those consumers dangling), with
 *   a `remove_nodes/multi-output` warning.
 * - A node that is a control input of something and reads a `Switch` is kept (a `cond` pivot or a
 *   while-loop body anchor): a control edge from a `Switch` does not carry the branch's deadness,
 *   so rewiring `^pivot` to `^switch` would change what runs. Reported as `remove_nodes/pivot`.
 * - Surviving nodes keep their positions (TF moves the removed node's input to where it was).
 * - Colocation constraints (`_class: loc:@removed`) are retargeted to the node that replaces it.
 */
import { defineTransform, param, lazyApply } from '../transform/define';

export const removeNodes = defineTransform({
  name: 'remove_nodes',
  summary: 'Removes nodes of the given ops, wiring their consumers to their first input.',
  description:
    'Typical use: `remove_nodes(op=Identity, op=CheckNumerics)`. Graph inputs and outputs are never removed; ports and control dependencies are preserved.',
  params: {
    op: param.repeated(param.string({ doc: 'Op type to remove (repeat for several).' })),
    max_inputs: param.int({ doc: 'Also remove nodes of these ops with up to this many data inputs (the extra inputs are dropped).', default: 1, min: 1 }),
  },
  counters: {
    removed: 'Nodes removed and bypassed.',
  },
  codes: {
    'multi-output': { severity: 'warning', doc: 'A node kept because an output other than 0 is read.' },
    pivot: { severity: 'info', doc: 'A node kept because it reads a Switch and is a control input (a cond pivot or loop anchor).' },
  },
  apply: lazyApply(() => import('./apply/remove-nodes')),
});
