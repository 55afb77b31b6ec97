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
import { GraftError } from '../errors';
import { attr } from '../ir/attr';
import { mapNodes, replaceInputs, updateNode, withNodesIfChanged } from '../ir/edit';
import { type Node, makeNode, parseInput } from '../ir/node';
import { makeTensor } from '../ir/tensor';
import { defineTransform } from '../transform/define';

const RENAMED: ReadonlySet<string> = new Set([
  'TensorArrayWriteV3', 'TensorArrayReadV3', 'TensorArrayGatherV3', 'TensorArrayScatterV3',
  'TensorArrayConcatV3', 'TensorArraySplitV3', 'TensorArraySizeV3', 'TensorArrayCloseV3',
]);

export const backportTensorArrayV3 = defineTransform({
  name: 'backport_tensor_array_v3',
  summary: 'Rewrites TensorArray V3 ops as V2 (the flow output becomes a constant).',
  params: {},
  counters: { backported: 'TensorArray nodes rewritten to their older ops.' },
  codes: {},
  apply(graph, _params, ctx) {
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
  },
});
