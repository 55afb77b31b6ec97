/**
 * `remove_control_dependencies`: drops every control input (`^x`).
 *
 * Deliberately not handled (as in TensorFlow): this also drops the `^while/Identity` anchors that
 * put a TF1 loop body's constants in the loop frame, and the ordering of `Assign`/update ops. Use it
 * on inference graphs whose control edges only served training.
 */
import { isControlInput } from '../ir/node';
import { mapNodes, replaceInputs } from '../ir/edit';
import { defineTransform } from '../transform/define';

export const removeControlDependencies = defineTransform({
  name: 'remove_control_dependencies',
  summary: 'Removes every control dependency (^x inputs).',
  params: {},
  counters: {
    removed_edges: 'Control inputs removed.',
  },
  codes: {},
  apply(graph, _params, ctx) {
    let n = 0;
    const out = mapNodes(graph, (node) => {
      const kept = node.inputs.filter((s) => !isControlInput(s));
      if (kept.length === node.inputs.length) return node;
      n += node.inputs.length - kept.length;
      return replaceInputs(node, kept);
    });
    if (n > 0) ctx.count('removed_edges', n);
    return out;
  },
});
