/**
 * `remove_attribute(attribute_name=..., op_name=*)`: erases an attribute from every node, or from
 * the nodes of one op.
 *
 * Differences from TensorFlow: its error messages name this transform (TF's say remove_nodes).
 */
import { defineTransform, param, lazyApply } from '../transform/define';

export const removeAttribute = defineTransform({
  name: 'remove_attribute',
  summary: 'Removes an attribute from all nodes, or from nodes of one op.',
  params: {
    attribute_name: param.string({ doc: 'The attribute to remove, e.g. _class.' }),
    op_name: param.string({ doc: 'Only nodes of this op (* for all).', default: '*' }),
  },
  counters: {
    changed: 'Nodes that lost the attribute.',
  },
  codes: {},
  apply: lazyApply(() => import('./apply/remove-attribute')),
});
