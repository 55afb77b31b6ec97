/**
 * The body of `renameNode` (rename-node.ts declares it and says what it does, and where it
 * differs from TensorFlow), loaded with `import()` the first time the transform runs.
 */
import { GraftError } from '../../errors';
import { graphIndex } from '../../ir/graph';
import { parseInput } from '../../ir/node';
import { mapNodes, replaceInputs, retargetColocation, updateNode } from '../../ir/edit';
import type { ApplyOf } from '../../transform/define';
import type { renameNode } from '../rename-node';

export const apply: ApplyOf<typeof renameNode> = (graph, params, ctx) => {
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
};
