/**
 * The body of `renameOp` (rename-op.ts declares it and says what it does, and where it
 * differs from TensorFlow), loaded with `import()` the first time the transform runs.
 */
import { GraftError } from '../../errors';
import { mapNodes, updateNode } from '../../ir/edit';
import type { ApplyOf } from '../../transform/define';
import type { renameOp } from '../rename-op';

export const apply: ApplyOf<typeof renameOp> = (graph, params, ctx) => {
  const { oldOpName: from, newOpName: to } = params;
  if (!from || !to) {
    throw new GraftError('transform/bad-param', "rename_op expects exactly one 'old_op_name' and one 'new_op_name' argument, e.g. rename_op(old_op_name=Mul, new_op_name=Multiply)");
  }
  let n = 0;
  const out = mapNodes(graph, (node) => {
    if (node.op !== from || from === to) return node;
    n++;
    return updateNode(node, { op: to });
  });
  if (n > 0) ctx.count('changed', n);
  return out;
};
