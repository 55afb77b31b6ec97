/**
 * `remove_attribute(attribute_name=..., op_name=*)`: erases an attribute from every node, or from
 * the nodes of one op.
 *
 * Differences from TensorFlow: its error messages name this transform (TF's say remove_nodes).
 */
import { GraftError } from '../errors';
import { mapNodes, removeAttrs } from '../ir/edit';
import { defineTransform, param } from '../transform/define';

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
  apply(graph, params, ctx) {
    const name = params.attributeName;
    if (!name) throw new GraftError('transform/bad-param', "remove_attribute expects exactly one 'attribute_name' argument, e.g. remove_attribute(op_name=Mul, attribute_name=foo)");
    let n = 0;
    const out = mapNodes(graph, (node) => {
      if (params.opName !== '*' && node.op !== params.opName) return node;
      const m = removeAttrs(node, [name]);
      if (m !== node) n++;
      return m;
    });
    if (n > 0) ctx.count('changed', n);
    return out;
  },
});
