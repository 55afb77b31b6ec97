/**
 * The body of `backportTensorArrayV3` (backport-tensor-array-v3.ts declares it and says what it does, and where it
 * differs from TensorFlow), loaded with `import()` the first time the transform runs.
 */
import { GraftError } from '../../errors';
import { attr } from '../../ir/attr';
import { mapNodes, replaceInputs, updateNode, withNodesIfChanged } from '../../ir/edit';
import { type Node, makeNode, parseInput } from '../../ir/node';
import { makeTensor } from '../../ir/tensor';
import type { ApplyOf } from '../../transform/define';
import type { backportTensorArrayV3 } from '../backport-tensor-array-v3';

const RENAMED: ReadonlySet<string> = new Set([
  'TensorArrayWriteV3', 'TensorArrayReadV3', 'TensorArrayGatherV3', 'TensorArrayScatterV3',
  'TensorArrayConcatV3', 'TensorArraySplitV3', 'TensorArraySizeV3', 'TensorArrayCloseV3',
]);

export const apply: ApplyOf<typeof backportTensorArrayV3> = (graph, _params, ctx) => {
  const names = new Set(graph.nodes.map((n) => n.name));
  const flow = new Map<string, string>();
  const nodes: Node[] = [];
  for (const node of graph.nodes) {
    if (node.op !== 'TensorArrayV3' && node.op !== 'TensorArrayGradV3') {
      nodes.push(node);
      continue;
    }
    const constName = `${node.name}/replacement_flow_node`;
    if (names.has(constName)) throw new GraftError('transform/failed', `Cannot add '${constName}': a node already has that name`, { node: constName });
    flow.set(node.name, constName);
    nodes.push(updateNode(node, { op: node.op === 'TensorArrayV3' ? 'TensorArrayV2' : 'TensorArrayGradV2' }));
    nodes.push(makeNode({ name: constName, op: 'Const', attrs: { dtype: attr.type('float'), value: attr.tensor(makeTensor('float', [], [1])) } }));
    ctx.count('backported');
  }
  const rewired = flow.size === 0 ? graph : withNodesIfChanged(graph, nodes);
  return mapNodes(rewired, (node) => {
    let n = node;
    if (flow.size > 0) {
      let changed = false;
      const inputs = node.inputs.map((s) => {
        const ref = parseInput(s);
        const c = !ref.control && ref.port === 1 ? flow.get(ref.node) : undefined;
        if (c === undefined) return s;
        changed = true;
        return c;
      });
      if (changed) n = replaceInputs(n, inputs);
    }
    if (RENAMED.has(n.op)) {
      ctx.count('backported');
      n = updateNode(n, { op: `${n.op.slice(0, -1)}2` });
    }
    return n;
  });
};
