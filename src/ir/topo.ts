/**
 * Execution order: TensorFlow's Kahn-style sort with a LIFO ready stack (the order its
 * `sort_by_execution_order` produces). A `Merge` is ready after its first data input, which is
 * what lets TF1 while loops (`Enter → Merge ← NextIteration`) sort despite their back edge.
 */
import { GraftError } from '../errors';
import type { Graph } from './graph';
import { graphEdges } from './edges';
import type { Node } from './node';
import { inputNodeName, isControlInput } from './node';
import { checkGraphShallow } from './check';

const MERGE_OPS = new Set(['Merge', 'RefMerge', '_XlaMerge']);

export interface ExecutionOrder {
  /** Nodes in execution order. */
  readonly order: readonly Node[];
  /** Nodes that could not be ordered: they sit on a cycle that no Merge breaks. */
  readonly inCycle: readonly Node[];
  /** Inputs naming nodes that do not exist, as [consumer, missing name]. */
  readonly unknownInputs: readonly (readonly [string, string])[];
}

const orders = new WeakMap<Graph | readonly Node[], ExecutionOrder>();
/**
 * Per computed order, each node's depth (by index in the node list): 0 for a node with no inputs,
 * else one more than the deepest input emitted before it. Every input of a node is shallower than
 * it, except a `Merge`'s inputs that come after it (a loop's back edge): what incremental
 * validation uses to show that edited edges close no cycle.
 */
const depths = new WeakMap<ExecutionOrder, Int32Array>();
/** Per computed order, the positions (in the node list) of its nodes, in order. */
const positions = new WeakMap<ExecutionOrder, Int32Array>();

/** True when the execution order of this graph (or node list) instance is already computed. */
export function hasExecutionOrder(graph: Graph | readonly Node[]): boolean {
  return orders.has('nodes' in graph ? graph.nodes : graph);
}

/** The depths of `graph`'s nodes by index (see `depths`), computing the execution order if needed. */
export function executionDepths(graph: Graph | readonly Node[]): Int32Array {
  return depths.get(executionOrder(graph))!;
}

/** Each node's consumers by position in the node list, in CSR form: node j's row is `consumers[offsets[j] .. offsets[j + 1])`, one entry per edge. */
export interface ConsumerRows {
  readonly offsets: Int32Array;
  readonly consumers: Int32Array;
}
/** Per computed order, the consumer rows it was sorted with (kept: incremental validation reads them). */
const rows = new WeakMap<ExecutionOrder, ConsumerRows>();

/**
 * The consumer rows of `graph`'s nodes when its execution order is already computed (they are a
 * by-product of the sort), else undefined: nothing is computed. With repeated names, an edge is
 * a row entry of the last node of its name.
 */
export function builtConsumerRows(graph: Graph | readonly Node[]): ConsumerRows | undefined {
  const r = orders.get('nodes' in graph ? graph.nodes : graph);
  return r === undefined ? undefined : rows.get(r);
}

/** `executionOrder(graph).order` as positions in the node list, computing the order if needed. */
export function executionOrderPositions(graph: Graph | readonly Node[]): Int32Array {
  return positions.get(executionOrder(graph))!;
}

/**
 * Sorts nodes so that every node comes after its inputs; reports what cannot be sorted.
 * Memoized per graph (or node list) instance, like `graphIndex`: graphs are immutable.
 */
export function executionOrder(graph: Graph | readonly Node[]): ExecutionOrder {
  checkGraphShallow('executionOrder', 'graph', graph, true);
  // Keyed by the node list: a graph and its nodes share one order.
  const nodes = 'nodes' in graph ? graph.nodes : graph;
  let r = orders.get(nodes);
  if (!r) {
    r = computeExecutionOrder(nodes);
    orders.set(nodes, r);
  }
  return r;
}

function computeExecutionOrder(nodes: readonly Node[]): ExecutionOrder {
  // Flat arrays: edges resolved to producer positions once (the graph's flat edges, shared with
  // other passes), consumers in CSR form (no per-edge objects).
  const count = nodes.length;
  const edges = graphEdges(nodes);
  let producer = edges.producer;
  if (!edges.uniqueNames) {
    // A repeated name: edges read the last node of the name here.
    const own = new Map<string, number>();
    for (let i = 0; i < count; i++) own.set(nodes[i]!.name, i);
    producer = new Int32Array(producer.length);
    let e = 0;
    for (let i = 0; i < count; i++) for (const input of nodes[i]!.inputs) producer[e++] = own.get(inputNodeName(input)) ?? -1;
  }
  const pending = new Int32Array(count);
  const offsets = new Int32Array(count + 1);
  const unknownInputs: [string, string][] = [];
  const stack = new Int32Array(count);
  let top = 0;
  let e = 0;
  for (let i = 0; i < count; i++) {
    const n = nodes[i]!;
    const inputs = n.inputs;
    if (MERGE_OPS.has(n.op)) {
      let control = 0;
      for (const s of inputs) if (isControlInput(s)) control++;
      pending[i] = control + (inputs.length > control ? 1 : 0);
    } else {
      pending[i] = inputs.length;
    }
    if (inputs.length === 0) stack[top++] = i;
    for (let k = 0; k < inputs.length; k++) {
      const j = producer[e++]!;
      if (j < 0) unknownInputs.push([n.name, inputNodeName(inputs[k]!)]);
      else offsets[j + 1]!++;
    }
  }
  const consumers = consumerRows(nodes, producer, offsets);
  const order: Node[] = [];
  const orderPositions = new Int32Array(count);
  const emitted = new Uint8Array(count);
  const depth = new Int32Array(count);
  while (top > 0) {
    const i = stack[--top]!;
    if (emitted[i]) continue;
    emitted[i] = 1;
    orderPositions[order.length] = i;
    order.push(nodes[i]!);
    const d = depth[i]! + 1;
    for (let k = offsets[i]!, end = offsets[i + 1]!; k < end; k++) {
      const c = consumers[k]!;
      if (!emitted[c] && depth[c]! < d) depth[c] = d;
      if (--pending[c]! === 0) stack[top++] = c;
    }
  }
  const inCycle = order.length === count ? [] : nodes.filter((_, i) => !emitted[i]);
  const result: ExecutionOrder = Object.freeze({ order: Object.freeze(order), inCycle: Object.freeze(inCycle), unknownInputs: Object.freeze(unknownInputs) });
  depths.set(result, depth);
  positions.set(result, orderPositions.subarray(0, order.length));
  rows.set(result, { offsets, consumers });
  return result;
}

/** Nodes in execution order; throws `graph/cycle` or `graph/dangling-input` when impossible. */
export function topologicalOrder(graph: Graph | readonly Node[]): readonly Node[] {
  checkGraphShallow('topologicalOrder', 'graph', graph, true);
  const r = executionOrder(graph);
  if (r.unknownInputs.length > 0) {
    const [node, missing] = r.unknownInputs[0]!;
    throw new GraftError('graph/dangling-input', `Node '${node}': unknown input node '${missing}'`, { node });
  }
  if (r.inCycle.length > 0) {
    throw new GraftError('graph/cycle', `${r.inCycle.length} nodes in a cycle, e.g. '${r.inCycle[0]!.name}'`, { node: r.inCycle[0]!.name });
  }
  return r.order;
}

/**
 * Every node's consumers as one flat array of rows. On entry `producer` holds, for each input
 * edge in node order, the producing node's position (or -1 for an edge left out), and
 * `offsets[j + 1]` the number of edges counted for producer j; on return `offsets[j]` is where
 * node j's row starts (`offsets[j + 1]` where it ends).
 */
export function consumerRows(nodes: readonly Node[], producer: Int32Array, offsets: Int32Array): Int32Array {
  const count = nodes.length;
  for (let i = 0; i < count; i++) offsets[i + 1]! += offsets[i]!;
  const fill = offsets.slice(0, count);
  const consumers = new Int32Array(offsets[count]!);
  let e = 0;
  for (let i = 0; i < count; i++) {
    for (let k = nodes[i]!.inputs.length; k > 0; k--) {
      const j = producer[e++]!;
      if (j >= 0) consumers[fill[j]!++] = i;
    }
  }
  return consumers;
}
