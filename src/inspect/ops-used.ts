/**
 * The ops a graph uses, as `saved_model_cli` lists them (`show --list_ops`, `scan`, and
 * `showSavedModelData`): small, so the core keeps it while the text of `show` loads on first use.
 */
import type { Graph } from '../ir/graph';

/**
 * `meta_graph.ops_used_by_graph_def`: the ops of the graph's nodes and of every library function
 * reached from them, either called by name as an op or named by the `f` attribute of a
 * `PartitionedCall`/`StatefulPartitionedCall`; function names themselves are left out. Functions
 * named only by other attributes (`While` bodies, `If` branches) are not followed, as in TF.
 */
export function opsUsedByGraph(graph: Graph): string[] {
  const functions = new Map(graph.library.functions.map((f) => [f.signature.name, f]));
  const used = new Set<string>();
  const queue: string[] = [];
  const mark = (op: string) => {
    if (!used.has(op) && functions.has(op)) queue.push(op);
    used.add(op);
  };
  const visit = (node: Graph['nodes'][number]) => {
    mark(node.op);
    const f = node.attrs.f;
    if ((node.op === 'PartitionedCall' || node.op === 'StatefulPartitionedCall') && f?.kind === 'func') mark(f.value.name);
  };
  for (const node of graph.nodes) visit(node);
  while (queue.length > 0) for (const node of functions.get(queue.pop()!)!.nodes) visit(node);
  return [...used].filter((op) => !functions.has(op)).sort(compareCodePoints);
}

/** Python's string order: by code point (JavaScript's `<` compares UTF-16 units). */
export function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
  }
  return x.length - y.length;
}
