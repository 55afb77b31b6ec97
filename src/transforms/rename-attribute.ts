/**
 * `rename_attribute(old_attribute_name=..., new_attribute_name=..., op_name=*)`: moves an
 * attribute's value to a new key on every node (or the nodes of one op).
 *
 * As in TensorFlow, when a node already has the new key its existing value wins and the old key is
 * dropped; graft reports that as a `rename_attribute/kept-existing` warning.
 */
import { defineTransform, param, lazyApply } from '../transform/define';

export const renameAttribute = defineTransform({
  name: 'rename_attribute',
  summary: 'Renames an attribute on all nodes, or on nodes of one op.',
  params: {
    old_attribute_name: param.string({ doc: 'The attribute to rename.' }),
    new_attribute_name: param.string({ doc: 'Its new name.' }),
    op_name: param.string({ doc: 'Only nodes of this op (* for all).', default: '*' }),
  },
  counters: {
    changed: 'Nodes whose attribute was renamed.',
  },
  codes: {
    'kept-existing': { severity: 'warning', doc: 'A node that already had the new attribute; its value is kept and the old one dropped.' },
  },
  apply: lazyApply(() => import('./apply/rename-attribute')),
});
