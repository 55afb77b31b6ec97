/**
 * Which checkpoint entry holds each variable of a TF1 graph: the variable's node name (what
 * `tf.train.Saver` uses), its `shared_name`, or, failing those, what the graph's own restore
 * ops say (`RestoreV2` tensor names feeding `Assign` / `AssignVariableOp`).
 */
import { attrText } from '../ir/attr';
import { type Graph, graphIndex } from '../ir/graph';
import type { Node } from '../ir/node';
import { parseInput } from '../ir/node';
import { tensorStrings } from '../ir/tensor';
import type { Tensor } from '../ir/tensor';
import type { Checkpoint } from '../io/checkpoint';
import { OBJECT_GRAPH_KEY, tensorFromEntry } from './checkpoint-values';
import { VARIABLE_OPS } from './tf1';

/** Follows `Identity` chains back to the node that produces a tensor. */
export function throughIdentities(graph: Graph, input: string): Node | undefined {
  const byName = graphIndex(graph).byName;
  let node = byName.get(parseInput(input).node);
  for (let hops = 0; node && (node.op === 'Identity' || node.op === 'RefIdentity') && hops < 1000; hops++) {
    const first = node.inputs.find((s) => !s.startsWith('^'));
    if (!first) break;
    node = byName.get(parseInput(first).node);
  }
  return node;
}

/** Variable node name → checkpoint key, read from the graph's restore ops. */
export function saverVariableKeys(graph: Graph): Map<string, string> {
  const idx = graphIndex(graph);
  const out = new Map<string, string>();
  for (const r of graph.nodes) {
    if (r.op !== 'RestoreV2' && r.op !== 'Restore' && r.op !== 'RestoreSlice') continue;
    const namesNode = r.inputs[1] ? throughIdentities(graph, r.inputs[1]) : undefined;
    const value = namesNode?.op === 'Const' ? namesNode.attrs.value : undefined;
    if (!value || value.kind !== 'tensor' || value.value.dtype !== 'string') continue;
    const keys = tensorStrings(value.value).map((b) => attrText(b));
    // From each output, through Identities, to the assignment it feeds.
    const stack: { node: string; port: number | null; key: string }[] = keys.map((key, port) => ({ node: r.name, port: r.op === 'RestoreV2' ? port : 0, key }));
    const seen = new Set<string>();
    while (stack.length) {
      const { node, port, key } = stack.pop()!;
      for (const c of idx.consumers.get(node) ?? []) {
        if (c.ref.control || (port !== null && c.ref.port !== port)) continue;
        const k = `${c.node.name}|${key}`;
        if (seen.has(k)) continue;
        seen.add(k);
        if (c.node.op === 'Identity') stack.push({ node: c.node.name, port: null, key });
        else if (/^Assign(VariableOp)?$/.test(c.node.op) && c.inputIndex === 1 && c.node.inputs[0]) {
          const target = throughIdentities(graph, c.node.inputs[0]);
          if (target && VARIABLE_OPS.has(target.op) && !out.has(target.name)) out.set(target.name, key);
        }
      }
    }
  }
  return out;
}

/**
 * Values for the variables of a TF1 graph, keyed by variable node name. Variables that no
 * checkpoint entry matches are left out (freezing reports them, with near keys).
 */
export function tf1VariableValues(graph: Graph, ckpt: Checkpoint, file?: string): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  let saver: Map<string, string> | undefined;
  for (const n of graph.nodes) {
    if (!VARIABLE_OPS.has(n.op)) continue;
    const shared = n.attrs.shared_name?.kind === 's' ? attrText(n.attrs.shared_name.value) : '';
    let key = [n.name, shared].find((k) => k && k !== OBJECT_GRAPH_KEY && ckpt.entries.has(k));
    if (!key) {
      saver ??= saverVariableKeys(graph);
      const k = saver.get(n.name);
      if (k && ckpt.entries.has(k)) key = k;
    }
    if (key) out.set(n.name, tensorFromEntry(ckpt.entries.get(key)!, file));
  }
  return out;
}
