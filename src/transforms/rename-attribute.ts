/**
 * `rename_attribute(old_attribute_name=..., new_attribute_name=..., op_name=*)`: moves an
 * attribute's value to a new key on every node (or the nodes of one op).
 *
 * As in TensorFlow, when a node already has the new key its existing value wins and the old key is
 * dropped; graft reports that as a `rename_attribute/kept-existing` warning.
 */
import { GraftError } from '../errors';
import type { AttrValue } from '../ir/attr';
import { mapNodes, updateNode } from '../ir/edit';
import { defineTransform, param } from '../transform/define';

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
  apply(graph, params, ctx) {
    const from = params.oldAttributeName;
    const to = params.newAttributeName;
    if (!from || !to) {
      throw new GraftError('transform/bad-param', "rename_attribute expects exactly one 'old_attribute_name' and one 'new_attribute_name' argument, e.g. rename_attribute(old_attribute_name=foo, new_attribute_name=bar)");
    }
    if (from === to) return graph;
    let n = 0;
    const out = mapNodes(graph, (node) => {
      if ((params.opName !== '*' && node.op !== params.opName) || !(from in node.attrs)) return node;
      const attrs: Record<string, AttrValue> = { ...node.attrs };
      if (to in attrs) {
        ctx.report({ severity: 'warning', code: 'kept-existing', node: node.name, message: `'${node.name}' already has '${to}'; kept its value and dropped '${from}' (as TF does)` });
      } else {
        attrs[to] = attrs[from]!;
      }
      delete attrs[from];
      n++;
      return updateNode(node, { attrs });
    });
    if (n > 0) ctx.count('changed', n);
    return out;
  },
});
