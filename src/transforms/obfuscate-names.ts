/**
 * `obfuscate_names` (alias `obsfucate_names`, TF's old spelling, deprecated): renames every node
 * except the graph inputs and outputs to a short id (`0`…`9`, `a`…`z`, `A`…`Z`, `10`, `11`, …, in
 * graph order, skipping ids that a kept name already uses), rewriting every reference with its
 * `^` and port.
 *
 * Differences from TensorFlow: inputs and outputs are protected by node name (`softmax:0` keeps
 * `softmax`; TF compares raw strings and would rename it); colocation constraints
 * (`_class: loc:@name`) are rewritten too (TF leaves them pointing at old names, which breaks
 * re-import). Fails, as TF does, on an input naming a node that does not exist.
 */
import { GraftError } from '../errors';
import type { Node } from '../ir/node';
import { parseInput } from '../ir/node';
import { replaceInputs, retargetColocation, updateNode, withNodesIfChanged } from '../ir/edit';
import { defineTransform } from '../transform/define';

const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** The i-th short id: base 62, most significant digit first (`0`, …, `Z`, `10`, …). */
export function shortId(i: number): string {
  let s = '';
  do {
    s = DIGITS[i % 62]! + s;
    i = Math.floor(i / 62);
  } while (i > 0);
  return s;
}

export const obfuscateNames = defineTransform({
  name: 'obfuscate_names',
  aliases: [{ name: 'obsfucate_names', deprecated: "TensorFlow's old misspelling; use obfuscate_names" }],
  summary: 'Replaces node names with short ids (graph inputs and outputs keep theirs).',
  params: {},
  counters: {
    renamed: 'Nodes renamed.',
  },
  codes: {},
  apply(graph, _params, ctx) {
    const keep = ctx.protectedNodes;
    const newName = new Map<string, string>();
    let next = 0;
    for (const node of graph.nodes) {
      if (keep.has(node.name) || newName.has(node.name)) continue;
      let id: string;
      do id = shortId(next++);
      while (keep.has(id));
      newName.set(node.name, id);
    }
    if (newName.size === 0) return graph;
    const all = new Set(graph.nodes.map((n) => n.name));
    const out: Node[] = graph.nodes.map((node) => {
      const inputs = node.inputs.map((s) => {
        const r = parseInput(s);
        if (!all.has(r.node)) throw new GraftError('graph/dangling-input', `No node named ${r.node} for input to ${node.name}`, { node: node.name });
        const to = newName.get(r.node);
        if (to === undefined) return s;
        const body = r.control ? s.slice(1) : s;
        return (r.control ? '^' : '') + to + body.slice(r.node.length);
      });
      const renamed = updateNode(replaceInputs(node, inputs), { name: newName.get(node.name) ?? node.name });
      return retargetColocation(renamed, (name) => newName.get(name));
    });
    ctx.count('renamed', newName.size);
    return withNodesIfChanged(graph, out);
  },
});
