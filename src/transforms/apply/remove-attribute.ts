/**
 * The body of `removeAttribute` (remove-attribute.ts declares it and says what it does, and where it
 * differs from TensorFlow), loaded with `import()` the first time the transform runs.
 */
import { GraftError } from '../../errors';
import { mapNodes, removeAttrs } from '../../ir/edit';
import type { ApplyOf } from '../../transform/define';
import type { removeAttribute } from '../remove-attribute';

export const apply: ApplyOf<typeof removeAttribute> = (graph, params, ctx) => {
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
};
