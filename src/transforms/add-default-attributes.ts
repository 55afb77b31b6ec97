/**
 * `add_default_attributes`: writes out the attributes a node lacks that its op defines with a
 * default (what `stripped_default_attrs` left out), from graft's op facts.
 *
 * Differences from TensorFlow: an op graft does not know is left as it is and reported once per op
 * as `add_default_attributes/unknown-op` (TF fails the transform); defaults of library functions
 * used as ops are not added; attributes added by very recent TF releases are not written (see
 * `op-facts.ts`), so older runtimes can still read the result.
 */
import { knownOp, missingDefaultAttrs } from '../ir/op-facts';
import { mapNodes, setAttrs } from '../ir/edit';
import { defineTransform } from '../transform/define';

export const addDefaultAttributes = defineTransform({
  name: 'add_default_attributes',
  summary: 'Adds the default values of attributes nodes leave out.',
  params: {},
  counters: {
    changed: 'Nodes that got at least one default attribute.',
  },
  codes: {
    'unknown-op': { severity: 'info', doc: 'An op graft\'s op facts do not know; its nodes were left as they are.' },
  },
  apply(graph, _params, ctx) {
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
  },
});
