/**
 * `extract_sub_graph` (TensorFlow's `graph_util`): the nodes that the destination nodes need,
 * following data inputs, control inputs and colocation (`_class: loc:@X`), in original order.
 */
import { GraftError } from '../errors';
import { attrText } from '../ir/attr';
import { type Graph, graphIndex, withNodes } from '../ir/graph';
import { parseInput } from '../ir/node';
import { nearestNames } from '../suggest';
import { checkGraphShallow, checkStringsArgument } from '../ir/check';

/** TensorFlow's node-name normalisation: strip a leading `^`, else cut at the first `:`. */
export function nodeNameOf(name: string): string {
  if (name.startsWith('^')) return name.slice(1);
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(0, colon);
}

/** The `loc:@X` colocation targets in a node's `_class` attribute. */
export function colocationTargets(attrs: Graph['nodes'][number]['attrs']): string[] {
  const cls = attrs._class;
  if (!cls || cls.kind !== 'list' || !cls.value.s) return [];
  const out: string[] = [];
  for (const s of cls.value.s) {
    const t = attrText(s);
    if (t.startsWith('loc:@')) out.push(t.slice(5));
  }
  return out;
}

/** An output that names no node: a `freeze/missing-output` error with "did you mean". */
export function missingOutputError(graph: Graph, name: string, what = 'Output'): GraftError {
  const near = nearestNames(nodeNameOf(name), graph.nodes.map((n) => n.name));
  const hint = near.length ? `did you mean ${near.map((n) => `'${n}'`).join(', ')}?` : undefined;
  return new GraftError(
    'freeze/missing-output',
    `${what} '${name}' is not a node of the graph${hint ? `; ${hint}` : ''}`,
    { node: nodeNameOf(name), ...(hint ? { hint: `The outputs are node names (\`outputNodeNames\`); ${hint}` } : {}) },
  );
}

/** Names of every node the destinations need (data, control and colocation edges). */
export function reachableFrom(graph: Graph, dests: readonly string[]): Set<string> {
  const idx = graphIndex(graph);
  const keep = new Set<string>();
  const stack: string[] = [];
  for (const d of dests) {
    const name = nodeNameOf(d);
    if (!idx.byName.has(name)) throw missingOutputError(graph, d);
    stack.push(name);
  }
  while (stack.length) {
    const name = stack.pop()!;
    if (keep.has(name)) continue;
    const node = idx.byName.get(name);
    if (!node) continue; // a dangling input: kept out, the validator reports it
    keep.add(name);
    for (const ref of idx.inputs.get(name) ?? node.inputs.map(parseInput)) if (!keep.has(ref.node)) stack.push(ref.node);
    for (const target of colocationTargets(node.attrs)) if (!keep.has(target) && idx.byName.has(target)) stack.push(target);
  }
  return keep;
}

/**
 * The subgraph the destination nodes need, in original order, with library and versions kept.
 * Every destination must exist (`freeze/missing-output`, with near names). Cycles are fine.
 *
 * @example
 * ```ts
 * const sub = extractSubGraph(graph, ['output_node']);
 * ```
 */
export function extractSubGraph(graph: Graph, dests: readonly string[]): Graph {
  checkGraphShallow('extractSubGraph', 'graph', graph);
  checkStringsArgument('extractSubGraph', 'dests', dests);
  const keep = reachableFrom(graph, dests);
  if (keep.size === graph.nodes.length) return graph;
  return withNodes(graph, graph.nodes.filter((n) => keep.has(n.name)));
}
