/**
 * `rename_node(old_node_name=..., new_node_name=...)`: renames one node and every reference to it
 * (keeping `^` and ports), including colocation constraints (`_class: loc:@old`).
 *
 * Differences from TensorFlow: renaming a graph input or output is refused (the pipeline's inputs
 * and outputs would no longer exist); a missing `old_node_name` is reported as a warning and the
 * graph is left unchanged. As in TF, a `new_node_name` already in use is an error.
 */
import { GraftError } from '../errors';
import { graphIndex } from '../ir/graph';
import { parseInput } from '../ir/node';
import { mapNodes, replaceInputs, retargetColocation, updateNode } from '../ir/edit';
import { defineTransform, param } from '../transform/define';

export const renameNode = defineTransform({
  name: 'rename_node',
  summary: 'Renames one node and every reference to it.',
  params: {
    old_node_name: param.string({ doc: 'The node to rename.' }),
    new_node_name: param.string({ doc: 'Its new name.' }),
  },
  counters: {},
  codes: {
    'not-found': { severity: 'warning', doc: 'No node has the name to rename; nothing renamed.' },
  },
  apply(graph, params, ctx) {
    const { oldNodeName: from, newNodeName: to } = params;
    if (!from || !to) {
      throw new GraftError('transform/bad-param', "rename_node expects exactly one 'old_node_name' and one 'new_node_name' argument, e.g. rename_node(old_node_name=foo, new_node_name=bar)");
    }
    if (from === to) return graph;
    const { byName } = graphIndex(graph);
    if (byName.has(to)) throw new GraftError('transform/bad-param', `A node is already using '${to}' as its name`, { node: to });
    if (!byName.has(from)) {
      ctx.report({ severity: 'warning', code: 'not-found', node: from, message: `No node named '${from}'; nothing renamed` });
      return graph;
    }
    if (ctx.protectedNodes.has(from)) {
      throw new GraftError('transform/bad-param', `'${from}' is a graph input or output; renaming it would lose it`, { node: from });
    }
    return mapNodes(graph, (node) => {
      let changed = false;
      const inputs = node.inputs.map((s) => {
        const r = parseInput(s);
        if (r.node !== from) return s;
        changed = true;
        const body = r.control ? s.slice(1) : s;
        return (r.control ? '^' : '') + to + body.slice(from.length);
      });
      let m = changed ? replaceInputs(node, inputs) : node;
      if (node.name === from) m = updateNode(m, { name: to });
      return retargetColocation(m, (name) => (name === from ? to : undefined));
    });
  },
});
