/**
 * The body of `removeNodes` (remove-nodes.ts declares it and says what it does, and where it
 * differs from TensorFlow), loaded with `import()` the first time the transform runs.
 */
import { GraftError } from '../../errors';
import { type Graph, graphIndex } from '../../ir/graph';
import type { Node } from '../../ir/node';
import { dataInputs, inputNodeName, isControlInput, parseInput } from '../../ir/node';
import { executionOrder, executionOrderPositions } from '../../ir/topo';
import { CONTROL_PORT, type GraphEdges, PARSE_PORT, graphEdges } from '../../ir/edges';
import { dedupeControlInputs, replaceInputs, retargetColocation, updateNode, withNodesIfChanged } from '../../ir/edit';
import type { ApplyOf } from '../../transform/define';
import type { removeNodes } from '../remove-nodes';

const SWITCH_OPS = new Set(['Switch', 'RefSwitch', '_SwitchN']);

export const apply: ApplyOf<typeof removeNodes> = (graph, params, ctx) => {
  if (params.op.length === 0) {
    throw new GraftError('transform/bad-param', "remove_nodes expects at least one 'op' argument, e.g. remove_nodes(op=Identity)");
  }
  const ops = new Set(params.op);
  const edges = graphEdges(graph);
  return edges.uniqueNames ? removeFlat(graph, edges, ops, params.maxInputs, ctx) : removeByName(graph, ops, params.maxInputs, ctx);
};

type Ctx = Parameters<ApplyOf<typeof removeNodes>>[2];

const NO_CONTROLS: readonly string[] = Object.freeze([]);

/** A candidate kept because an output past 0 is read: consumers cannot be rewired to its input. */
function keptMultiOutput(ctx: Ctx, node: Node): void {
  ctx.report({
    severity: 'warning',
    code: 'multi-output',
    node: node.name,
    message: `Kept ${node.op} '${node.name}': its output 1 or higher is consumed and cannot be rewired`,
  });
}

/** A candidate kept because it reads a Switch and is a control input (a cond pivot or loop anchor). */
function keptPivot(ctx: Ctx, node: Node, source: Node): void {
  ctx.report({
    severity: 'info',
    code: 'pivot',
    node: node.name,
    message: `Kept ${node.op} '${node.name}': it reads a ${source.op} and is a control input (a cond pivot or loop anchor)`,
  });
}

/**
 * The transform over a graph whose names are unique (every valid graph): nodes by position, edges
 * through the graph's flat edges (`graphEdges`), marks in typed arrays; no name lookups per edge and no
 * object per edge or per node.
 */
function removeFlat(graph: Graph, edges: GraphEdges, ops: ReadonlySet<string>, maxInputs: number, ctx: Ctx): Graph {
  const nodes = graph.nodes;
  const count = nodes.length;
  const { offsets: edgeStart, producer, port } = edges;
  /** By position, once asked: 1 for a node that sorts (not on a cycle), computed only when some node does not. */
  let onCycle: Uint8Array | null | undefined;
  const sorts = (i: number): boolean => {
    if (onCycle === undefined) {
      const { inCycle } = executionOrder(graph);
      onCycle = null;
      if (inCycle.length > 0) {
        onCycle = new Uint8Array(count).fill(1);
        const at = executionOrderPositions(graph);
        for (let k = 0; k < at.length; k++) onCycle[at[k]!] = 0;
      }
    }
    return onCycle === null || onCycle[i] === 0;
  };

  // The nodes that may go: position, and the edge of the first data input (its source).
  const CANDIDATE = 1;
  const CONTROL_READ = 2;
  const PORT_READ = 4;
  const REMOVED = 8;
  const mark = new Uint8Array(count);
  const candidates: number[] = [];
  const firstData: number[] = [];
  for (let i = 0; i < count; i++) {
    const node = nodes[i]!;
    if (!ops.has(node.op) || ctx.protectedNodes.has(node.name)) continue;
    let data = 0;
    let first = -1;
    const inputs = node.inputs;
    for (let k = 0; k < inputs.length; k++) {
      const s = inputs[k]!;
      if (s === '' || s.charCodeAt(0) === 94 /* ^ */) continue;
      if (data++ === 0) first = k;
    }
    if (data < 1 || data > maxInputs) continue;
    const e = edgeStart[i]! + first;
    if (producer[e]! < 0 || !sorts(i)) continue;
    candidates.push(i);
    firstData.push(e);
    mark[i] = CANDIDATE;
  }
  if (candidates.length === 0) return graph;
  // How candidates are read: as a control input, or through output 1 or higher.
  for (let i = 0; i < count; i++) {
    const inputs = nodes[i]!.inputs;
    const e0 = edgeStart[i]!;
    for (let k = 0; k < inputs.length; k++) {
      const j = producer[e0 + k]!;
      if (j < 0 || (mark[j]! & CANDIDATE) === 0) continue;
      const p = port[e0 + k]!;
      if (p === CONTROL_PORT) mark[j]! |= CONTROL_READ;
      else if (p > 0 || (p === PARSE_PORT && parseInput(inputs[k]!).port > 0)) mark[j]! |= PORT_READ;
    }
  }

  let removedCount = 0;
  for (let c = 0; c < candidates.length; c++) {
    const i = candidates[c]!;
    const node = nodes[i]!;
    if (mark[i]! & PORT_READ) {
      keptMultiOutput(ctx, node);
      continue;
    }
    const source = nodes[producer[firstData[c]!]!]!;
    if (SWITCH_OPS.has(source.op) && mark[i]! & CONTROL_READ) {
      keptPivot(ctx, node, source);
      continue;
    }
    mark[i]! |= REMOVED;
    removedCount++;
  }
  if (removedCount === 0) return graph;
  const removed = (j: number): boolean => j >= 0 && (mark[j]! & REMOVED) !== 0;

  // Removable nodes are all sortable, so these chains are acyclic. Resolved in execution order
  // (a removed node's inputs first), iteratively: chains can be millions of nodes deep.
  /**
   * By position of a removed node: the input its consumers read instead, as the edge whose input
   * string it is (`dataEdge`) and the node holding that edge (`dataNode`); and that input's node.
   */
  const dataEdge = new Int32Array(count);
  const dataNode = new Int32Array(count);
  const sourceOf = new Int32Array(count);
  const dataOf = (j: number): string => nodes[dataNode[j]!]!.inputs[dataEdge[j]! - edgeStart[dataNode[j]!]!]!;
  /** By position of a removed node: the control inputs it passes on to its consumers (only the non-empty). */
  const passedOn = new Map<number, readonly string[]>();
  const controlsOf = (j: number): readonly string[] => passedOn.get(j) ?? NO_CONTROLS;
  const firstDataOf = new Int32Array(count);
  for (let c = 0; c < candidates.length; c++) firstDataOf[candidates[c]!] = firstData[c]!;
  /** The node a control input on removed node j resolves to. */
  const controlName = (j: number): string => nodes[sourceOf[j]!]!.name;
  const at = executionOrderPositions(graph);
  for (let k = 0; k < at.length; k++) {
    const i = at[k]!;
    if (!removed(i)) continue;
    const node = nodes[i]!;
    const e = firstDataOf[i]!;
    const target = node.inputs[e - edgeStart[i]!]!;
    const t = producer[e]!;
    const p = port[e]!;
    const chained = removed(t) && (p === 0 || (p === PARSE_PORT && parseInput(target).port === 0));
    dataNode[i] = chained ? dataNode[t]! : i;
    dataEdge[i] = chained ? dataEdge[t]! : e;
    sourceOf[i] = chained ? sourceOf[t]! : t;
    // The control inputs a removed node passes on to its consumers.
    let out: Set<string> | undefined;
    const e0 = edgeStart[i]!;
    for (let q = 0; q < node.inputs.length; q++) {
      const s = node.inputs[q]!;
      if (s.charCodeAt(0) !== 94 /* ^ */) continue;
      const c = producer[e0 + q]!;
      out ??= new Set();
      out.add(`^${removed(c) ? controlName(c) : inputNodeName(s)}`);
      if (removed(c)) for (const x of controlsOf(c)) out.add(x);
    }
    if (removed(t) && controlsOf(t).length > 0) {
      out ??= new Set();
      for (const x of controlsOf(t)) out.add(x);
    }
    if (out !== undefined && out.size > 0) passedOn.set(i, [...out]);
  }

  const idx = graphIndex(graph);
  const colocation = (name: string): string | undefined => {
    const j = idx.position.get(name);
    return j !== undefined && removed(j) ? controlName(j) : undefined;
  };
  const out: Node[] = [];
  for (let i = 0; i < count; i++) {
    if (removed(i)) continue;
    const node = nodes[i]!;
    const e0 = edgeStart[i]!;
    const e1 = edgeStart[i + 1]!;
    let touched = false;
    for (let e = e0; e < e1; e++) {
      if (removed(producer[e]!)) {
        touched = true;
        break;
      }
    }
    let n = node;
    if (touched) {
      const data: string[] = [];
      const controls: string[] = [];
      for (let e = e0; e < e1; e++) {
        const input = node.inputs[e - e0]!;
        const j = producer[e]!;
        const control = input.charCodeAt(0) === 94; /* ^ */
        if (!removed(j)) {
          (control ? controls : data).push(input);
          continue;
        }
        if (control) controls.push(`^${controlName(j)}`);
        else data.push(dataOf(j));
        const inherited = controlsOf(j);
        for (let q = 0; q < inherited.length; q++) controls.push(inherited[q]!);
      }
      // Data inputs then control inputs already: what replaceInputs gives, without reordering.
      if (controls.length > 0) {
        for (let q = 0; q < controls.length; q++) data.push(controls[q]!);
        n = updateNode(node, { inputs: dedupeControlInputs(data) });
      } else {
        n = updateNode(node, { inputs: data });
      }
    }
    out.push(retargetColocation(n, colocation));
  }
  ctx.count('removed', count - out.length);
  return withNodesIfChanged(graph, out);
}

/** The transform by node names: for a graph in which some name repeats (only when validation is off). */
function removeByName(graph: Graph, ops: ReadonlySet<string>, maxInputs: number, ctx: Ctx): Graph {
  const idx = graphIndex(graph);
  let sorted: Set<string> | undefined;
  const isSortable = (name: string): boolean => {
    if (sorted === undefined) {
      const { order, inCycle } = executionOrder(graph);
      // Every node sorts (the usual case): no set of names needed.
      if (inCycle.length === 0) return true;
      sorted = new Set(order.map((n) => n.name));
    }
    return sorted.has(name);
  };

  // The nodes that may go, then how each is read (one pass over the input strings, no per-edge objects).
  const candidates: { node: Node; data: string[]; source: Node }[] = [];
  const names = new Set<string>();
  for (const node of graph.nodes) {
    if (!ops.has(node.op) || ctx.protectedNodes.has(node.name)) continue;
    const data = dataInputs(node);
    if (data.length < 1 || data.length > maxInputs) continue;
    const source = idx.byName.get(parseInput(data[0]!).node);
    if (!source || !isSortable(node.name)) continue;
    candidates.push({ node, data, source });
    names.add(node.name);
  }
  /** Candidates read as a control input, and those whose output 1 or higher is read. */
  const readAsControl = new Set<string>();
  const readPastZero = new Set<string>();
  if (candidates.length > 0) {
    for (const n of graph.nodes) {
      for (const input of n.inputs) {
        const from = inputNodeName(input);
        if (!names.has(from)) continue;
        if (input.charCodeAt(0) === 94 /* ^ */) readAsControl.add(from);
        else if (input.length !== from.length && parseInput(input).port > 0) readPastZero.add(from);
      }
    }
  }

  /** Removed node → its first data input (the reference consumers read instead). */
  const removed = new Map<string, string>();
  for (const { node, data, source } of candidates) {
    if (removed.has(node.name)) continue;
    if (readPastZero.has(node.name)) {
      keptMultiOutput(ctx, node);
      continue;
    }
    if (SWITCH_OPS.has(source.op) && readAsControl.has(node.name)) {
      keptPivot(ctx, node, source);
      continue;
    }
    removed.set(node.name, data[0]!);
  }
  if (removed.size === 0) return graph;

  // Removable nodes are all sortable, so these chains are acyclic. Resolved in execution order
  // (a removed node's inputs first), iteratively: chains can be millions of nodes deep.
  const dataOf = new Map<string, string>();
  const controlsOf = new Map<string, readonly string[]>();
  const resolveControl = (name: string): string => (removed.has(name) ? parseInput(dataOf.get(name)!).node : name);
  for (const node of executionOrder(graph).order) {
    const target = removed.get(node.name);
    if (target === undefined) continue;
    const t = parseInput(target);
    dataOf.set(node.name, removed.has(t.node) && t.port === 0 && !t.control ? dataOf.get(t.node)! : target);
    // The control inputs a removed node passes on to its consumers.
    const out = new Set<string>();
    for (const s of node.inputs) {
      if (!isControlInput(s)) continue;
      const c = parseInput(s).node;
      out.add(`^${resolveControl(c)}`);
      if (removed.has(c)) for (const x of controlsOf.get(c)!) out.add(x);
    }
    if (removed.has(t.node)) for (const x of controlsOf.get(t.node)!) out.add(x);
    controlsOf.set(node.name, [...out]);
  }
  const resolveData = (name: string): string => dataOf.get(name)!;
  const inheritedControls = (name: string): readonly string[] => controlsOf.get(name)!;

  const rewire = (node: Node): Node => {
    if (!node.inputs.some((s) => removed.has(inputNodeName(s)))) return node;
    const data: string[] = [];
    const controls: string[] = [];
    for (const input of node.inputs) {
      const from = inputNodeName(input);
      const control = input.charCodeAt(0) === 94; /* ^ */
      if (!removed.has(from)) {
        (control ? controls : data).push(input);
      } else if (control) {
        controls.push(`^${resolveControl(from)}`);
        for (const c of inheritedControls(from)) controls.push(c);
      } else {
        data.push(resolveData(from));
        for (const c of inheritedControls(from)) controls.push(c);
      }
    }
    return replaceInputs(node, dedupeControlInputs([...data, ...controls]));
  };

  const out: Node[] = [];
  for (const node of graph.nodes) {
    if (removed.has(node.name)) continue;
    out.push(retargetColocation(rewire(node), (name) => (removed.has(name) ? resolveControl(name) : undefined)));
  }
  ctx.count('removed', graph.nodes.length - out.length);
  return withNodesIfChanged(graph, out);
}
