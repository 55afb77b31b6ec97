/**
 * The body of `renameAttribute` (rename-attribute.ts declares it and says what it does, and where it
 * differs from TensorFlow), loaded with `import()` the first time the transform runs.
 */
import { GraftError } from '../../errors';
import type { AttrValue } from '../../ir/attr';
import { mapNodes, updateNode } from '../../ir/edit';
import type { ApplyOf } from '../../transform/define';
import type { renameAttribute } from '../rename-attribute';

export const apply: ApplyOf<typeof renameAttribute> = (graph, params, ctx) => {
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
};
