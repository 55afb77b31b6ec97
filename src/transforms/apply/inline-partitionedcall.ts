/**
 * The body of `inlinePartitionedCall` (inline-partitionedcall.ts declares it and says what it does, and where it
 * differs from TensorFlow), loaded with `import()` the first time the transform runs.
 */
import { GraftError } from '../../errors';
import { CALL_OPS, inlineFunctionCalls } from '../../ir/inline';
import type { ApplyOf } from '../../transform/define';
import type { inlinePartitionedCall } from '../inline-partitionedcall';

export const apply: ApplyOf<typeof inlinePartitionedCall> = (graph, params, ctx) => {
  const ops = params.stateful ? CALL_OPS : new Set(['PartitionedCall']);
  const library = new Set(graph.library.functions.map((f) => f.signature.name));
  for (const node of graph.nodes) {
    if (!ops.has(node.op)) continue;
    const f = node.attrs.f;
    if (!f) throw new GraftError('transform/failed', `Node ${node.name} has no attribute: f`, { node: node.name, op: node.op });
    if (f.kind !== 'func') throw new GraftError('transform/failed', `Node ${node.name}: cannot figure out the function name (attribute f is not a function)`, { node: node.name, op: node.op });
    if (!library.has(f.value.name)) throw new GraftError('transform/failed', `function ${f.value.name} not found (called by node ${node.name})`, { node: node.name, op: node.op });
  }
  const { graph: out, inlined } = inlineFunctionCalls(graph, {
    protectedNodes: ctx.protectedNodes,
    inline: (node) => ops.has(node.op),
    errorCode: 'transform/failed',
  });
  if (inlined > 0) ctx.count('inlined', inlined);
  return out;
};
