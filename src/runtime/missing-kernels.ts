/**
 * `missingKernels`: the ops graft cannot run among what some fetches need. It reads the graph's
 * flat edges and the built-in kernels' op names (kernel-ops.ts), not the kernels, so `summarize`
 * and `optimize` ask it without loading them.
 */
import { badArgument, GraftError } from '../errors';
import type { Graph } from '../ir/graph';
import { graphIndex } from '../ir/graph';
import { CONTROL_PORT, graphEdges } from '../ir/edges';
import { hasAnyAttr, loadedAttrReader } from '../ir/encoded-attrs';
import { type Node, inputNodeName } from '../ir/node';
import { checkGraphShallow, checkStringsArgument } from '../ir/check';
import type { KernelRegistry } from './kernel';
import { CHECKPOINT_OPS, EXECUTOR_OPS, calledFunctions, closure } from './executor';
import { type Program, findFunction, functionProgram } from './program';
import { BUILTIN_KERNEL_OPS } from './kernel-ops';

function checkRegistry(kernels?: KernelRegistry): void {
  if (kernels !== undefined && (typeof kernels !== 'object' || kernels === null || typeof kernels.has !== 'function' || typeof kernels.get !== 'function')) {
    throw badArgument('missingKernels', 'kernels', 'a KernelRegistry (createKernelRegistry)', kernels);
  }
}

function supported(op: string, kernels: KernelRegistry | undefined): boolean {
  return EXECUTOR_OPS.has(op) || (kernels?.has(op) ?? false) || BUILTIN_KERNEL_OPS.has(op);
}

/**
 * Every op without a kernel among the nodes the fetches need (all nodes when no fetches are
 * given), with the nodes using it. Library functions called by those nodes are checked too;
 * their nodes are named `node (in function)`. Nodes in `fed` (tensor or node names) are fed:
 * what only they need is not needed.
 */
export function missingKernels(graph: Graph, fetches?: readonly string[], kernels?: KernelRegistry, fed?: readonly string[]): { op: string; nodes: string[] }[] {
  checkGraphShallow('missingKernels', 'graph', graph);
  if (fetches !== undefined) checkStringsArgument('missingKernels', 'fetches', fetches);
  if (fed !== undefined) checkStringsArgument('missingKernels', 'fed', fed);
  checkRegistry(kernels);
  if (nothingMissing(graph, fetches, kernels)) return [];
  // The graph's name index and flat edges only: no program (parsed edges, constant set, order).
  const fedNodes = new Set((fed ?? []).map(inputNodeName));
  // Every node of a name is the first of that name (as the name index holds). The main graph's
  // nodes come with their positions when they are known (for reading a loaded graph by position).
  let nodes: Iterable<Node>;
  let at: Int32Array | undefined;
  if (fetches) ({ nodes, at } = nameClosure(graph, fetches.map(inputNodeName), fedNodes));
  else if (graphEdges(graph).uniqueNames) nodes = graph.nodes;
  else nodes = graphIndex(graph).byName.values();
  const reader = at || nodes === graph.nodes ? loadedAttrReader(graph.nodes) : undefined;
  const missing = new Map<string, string[]>();
  const add = (op: string, node: string) => {
    const l = missing.get(op) ?? [];
    l.push(node);
    missing.set(op, l);
  };
  const seenFns = new Set<string>();
  // Whether graft runs an op, asked once per op.
  const runs = new Map<string, boolean>();
  // A worklist, not recursion: functions calling functions nest as deep as a model makes them.
  const work: Array<{ main: boolean; nodes: Iterable<Node>; suffix: string }> = [{ main: true, nodes, suffix: '' }];
  for (let item = work.pop(); item !== undefined; item = work.pop()) {
    const { suffix } = item;
    const skipFed = item.main && fedNodes.size > 0;
    const byPosition = item.main ? reader : undefined;
    let k = -1;
    for (const node of item.nodes) {
      k++;
      const name = node.name;
      if (skipFed && fedNodes.has(name)) continue;
      const op = node.op;
      let ok = runs.get(op);
      if (ok === undefined) runs.set(op, (ok = supported(op, kernels)));
      if (!ok) add(op, `${name}${suffix}`);
      // Only a node with a function attribute key can call one (a loaded node lists its keys undecoded).
      if (!((byPosition && byPosition.hasAny(at ? at[k]! : k, CALL_ATTRS)) ?? hasAnyAttr(node, CALL_ATTRS))) continue;
      for (const f of calledFunctions(node)) {
        if (seenFns.has(f.name)) continue;
        seenFns.add(f.name);
        const def = findFunction(graph.library, f.name);
        if (!def) {
          add(`function ${f.name}`, `${name}${suffix}`);
          continue;
        }
        let fp: Program;
        try {
          fp = functionProgram(def, graph.library);
        } catch {
          add(`function ${f.name}`, `${name}${suffix}`);
          continue;
        }
        const names = closure(fp, [...fp.rets.map((r) => r.node), ...fp.controlRets]);
        work.push({ main: false, nodes: [...names].map((n) => fp.byName.get(n)!), suffix: ` (in ${f.name})` });
      }
    }
  }
  return [...missing].map(([op, nodes]) => ({ op, nodes })).sort((a, b) => a.op.localeCompare(b.op));
}

/**
 * True when the answer is known to be empty without walking the graph: no library functions,
 * every op of the graph has a kernel, and the walk could not fail (every fetch names a node and
 * no input names a missing one). What the fetches need is a subset of the graph, so none of its
 * ops can lack a kernel. Otherwise the walk gives the answer (or the missing node's error).
 */
function nothingMissing(graph: Graph, fetches: readonly string[] | undefined, kernels: KernelRegistry | undefined): boolean {
  if (graph.library.functions.length > 0) return false;
  const seen = new Set<string>();
  for (const node of graph.nodes) {
    const op = node.op;
    if (seen.has(op)) continue;
    if (!supported(op, kernels)) return false;
    seen.add(op);
  }
  if (!fetches) return true;
  const position = graphIndex(graph).position;
  for (const f of fetches) if (!position.has(inputNodeName(f))) return false;
  const producer = graphEdges(graph).producer;
  for (let e = 0; e < producer.length; e++) if (producer[e]! < 0) return false;
  return true;
}

/** The attribute keys `calledFunctions` reads. */
const CALL_ATTRS: readonly string[] = ['f', 'then_branch', 'else_branch', 'cond', 'body'];

/**
 * `closure` (executor.ts) over a graph's flat edges: the same nodes in the same order (the first
 * node of a repeated name, as the name index holds).
 */
function nameClosure(graph: Graph, targets: readonly string[], fedNodes: ReadonlySet<string>): { nodes: Node[]; at: Int32Array } {
  const nodes = graph.nodes;
  const position = graphIndex(graph).position;
  const { offsets, producer, port } = graphEdges(graph);
  const needed = new Uint8Array(nodes.length);
  const out: Node[] = [];
  const at = new Int32Array(nodes.length);
  // Positions; an input naming no node is pushed as -1 - (its edge), a target as -1 - edges - (its index).
  // Each node is expanded once, so the stack never holds more than the targets and the edges.
  const edgeCount = offsets[nodes.length]!;
  const stack = new Int32Array(targets.length + edgeCount);
  let top = 0;
  for (let t = 0; t < targets.length; t++) stack[top++] = position.get(targets[t]!) ?? -1 - edgeCount - t;
  while (top > 0) {
    const i = stack[--top]!;
    if (i < 0) {
      const k = -1 - i;
      const name = k >= edgeCount ? targets[k - edgeCount]! : inputNodeName(edgeInput(nodes, offsets, k));
      throw new GraftError('graph/missing-node', `No node '${name}'`, { node: name });
    }
    if (needed[i]) continue;
    needed[i] = 1;
    const node = nodes[i]!;
    at[out.length] = i;
    out.push(node);
    if (fedNodes.size > 0 && fedNodes.has(node.name)) continue;
    for (let e = offsets[i]!, end = offsets[i + 1]!; e < end; e++) {
      const j = producer[e]!;
      if (j >= 0 && port[e] === CONTROL_PORT && CHECKPOINT_OPS.has(nodes[j]!.op)) continue;
      stack[top++] = j >= 0 ? j : -1 - e;
    }
  }
  return { nodes: out, at };
}

/** The input string of edge `e`. */
function edgeInput(nodes: readonly Node[], offsets: Int32Array, e: number): string {
  let lo = 0;
  let hi = nodes.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (offsets[mid]! <= e) lo = mid;
    else hi = mid - 1;
  }
  return nodes[lo]!.inputs[e - offsets[lo]!]!;
}

