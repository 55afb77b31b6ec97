/**
 * `rename_op(old_op_name=..., new_op_name=...)`: changes the op of every node of one op, and
 * nothing else (attributes are not checked against the new op).
 */
import { GraftError } from '../errors';
import { mapNodes, updateNode } from '../ir/edit';
import { defineTransform, param } from '../transform/define';

export const renameOp = defineTransform({
  name: 'rename_op',
  summary: 'Changes the op type of every node of one op.',
  params: {
    old_op_name: param.string({ doc: 'The op to rename.' }),
    new_op_name: param.string({ doc: 'Its new name.' }),
  },
  counters: {
    changed: 'Nodes whose op was renamed.',
  },
  codes: {},
  apply(graph, params, ctx) {
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
  },
});
