/**
 * The body of `obfuscateNames` (obfuscate-names.ts declares it and says what it does, and where it
 * differs from TensorFlow), loaded with `import()` the first time the transform runs.
 */
import { GraftError } from '../../errors';
import type { Node } from '../../ir/node';
import { parseInput } from '../../ir/node';
import { replaceInputs, retargetColocation, updateNode, withNodesIfChanged } from '../../ir/edit';
import type { ApplyOf } from '../../transform/define';
import type { obfuscateNames } from '../obfuscate-names';

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

export const apply: ApplyOf<typeof obfuscateNames> = (graph, _params, ctx) => {
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
};
