/**
 * The body of `addDefaultAttributes` (add-default-attributes.ts declares it and says what it does, and where it
 * differs from TensorFlow), loaded with `import()` the first time the transform runs.
 */
import { knownOp, missingDefaultAttrs } from '../../ir/op-facts';
import { mapNodes, setAttrs } from '../../ir/edit';
import type { ApplyOf } from '../../transform/define';
import type { addDefaultAttributes } from '../add-default-attributes';

export const apply: ApplyOf<typeof addDefaultAttributes> = (graph, _params, ctx) => {
  const functions = new Set(graph.library.functions.map((f) => f.signature.name));
  const unknown = new Set<string>();
  let n = 0;
  const out = mapNodes(graph, (node) => {
    if (!knownOp(node.op)) {
      if (!functions.has(node.op) && !unknown.has(node.op)) {
        unknown.add(node.op);
        ctx.report({ severity: 'info', code: 'unknown-op', node: node.name, message: `Op '${node.op}' is not in graft's op facts; its nodes were left as they are` });
      }
      return node;
    }
    const missing = missingDefaultAttrs(node);
    if (Object.keys(missing).length === 0) return node;
    n++;
    return setAttrs(node, missing);
  });
  if (n > 0) ctx.count('changed', n);
  return out;
};
