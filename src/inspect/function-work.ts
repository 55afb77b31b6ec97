/**
 * Whether a graph's work lives in its function library, as in TF2 SavedModels: the main graph
 * holds placeholders, variable handles and `StatefulPartitionedCall` nodes, and the computation
 * is in the functions those calls name. Graph transforms that walk the main graph do not see it,
 * so `graft transform` says so before running (issue 13).
 */
import type { Graph } from '../ir/graph';

/** The calls into the library that the main graph makes, and what they reach. */
export interface FunctionWork {
  /** `PartitionedCall`/`StatefulPartitionedCall` nodes (and library functions called as ops) in the main graph. */
  readonly calls: readonly string[];
  /** Library functions reached from those calls (transitively). */
  readonly functions: number;
  /** Nodes in those functions. */
  readonly functionNodes: number;
  /** Nodes of the main graph. */
  readonly mainNodes: number;
}

const CALL_OPS = new Set(['PartitionedCall', 'StatefulPartitionedCall']);

/**
 * The main graph's calls into its library, or undefined when it makes none (a TF1 or frozen graph:
 * its work is in the main graph). Only functions reached through calls count: `While`/`If`
 * bodies are control flow inside the graph, not a TF2 wrapper.
 *
 * @example
 * ```ts
 * functionWork(tf2SavedModelGraph); // { calls: ['StatefulPartitionedCall'], functions: 4, functionNodes: 118, mainNodes: 29 }
 * ```
 */
export function functionWork(graph: Graph): FunctionWork | undefined {
  // No library: nothing to call (and no node's attributes are read, which would decode them).
  if (graph.library.functions.length === 0) return undefined;
  const byName = new Map(graph.library.functions.map((f) => [f.signature.name, f]));
  const called = (n: Graph['nodes'][number]): string | undefined => {
    if (byName.has(n.op)) return n.op;
    if (!CALL_OPS.has(n.op)) return undefined;
    const f = n.attrs.f;
    return f?.kind === 'func' ? f.value.name : undefined;
  };
  const calls = graph.nodes.filter((n) => called(n) !== undefined && byName.has(called(n)!));
  if (calls.length === 0) return undefined;
  const seen = new Set<string>();
  const queue = calls.map((n) => called(n)!);
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    for (const n of byName.get(name)?.nodes ?? []) {
      const c = called(n);
      if (c !== undefined && byName.has(c)) queue.push(c);
    }
  }
  const functionNodes = [...seen].reduce((s, name) => s + (byName.get(name)?.nodes.length ?? 0), 0);
  return { calls: calls.map((n) => n.name), functions: seen.size, functionNodes, mainNodes: graph.nodes.length };
}
