/**
 * `rename_op(old_op_name=..., new_op_name=...)`: changes the op of every node of one op, and
 * nothing else (attributes are not checked against the new op).
 */
import { defineTransform, param, lazyApply } from '../transform/define';

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
  apply: lazyApply(() => import('./apply/rename-op')),
});
