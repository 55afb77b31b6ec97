/**
 * Execution order: TensorFlow's Kahn-style sort with a LIFO ready stack (the order its
 * `sort_by_execution_order` produces). A `Merge` is ready after its first data input, which is
 * what lets TF1 while loops (`Enter → Merge ← NextIteration`) sort despite their back edge.
 */
import { GraftError } from '../errors';
import type { Graph } from './graph';
import type { Node } from './node';
import { inputNodeName, isControlInput } from './node';

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
 * Sorts nodes so that every node comes after its inputs; reports what cannot be sorted.
 * Memoized per graph (or node list) instance, like `graphIndex`: graphs are immutable.
 */
export function executionOrder(graph: Graph | readonly Node[]): ExecutionOrder {
  let r = orders.get(graph);
  if (!r) {
    r = computeExecutionOrder('nodes' in graph ? graph.nodes : graph);
    orders.set(graph, r);
  }
  return r;
}

function computeExecutionOrder(nodes: readonly Node[]): ExecutionOrder {
  const pos = new Map<string, number>();
  nodes.forEach((n, i) => pos.set(n.name, i));
  const pending = new Int32Array(nodes.length);
  const consumers: number[][] = nodes.map(() => []);
  const unknownInputs: [string, string][] = [];
  const stack: number[] = [];
  nodes.forEach((n, i) => {
    if (MERGE_OPS.has(n.op)) {
      const control = n.inputs.filter(isControlInput).length;
      pending[i] = control + (n.inputs.length > control ? 1 : 0);
    } else {
      pending[i] = n.inputs.length;
    }
    if (n.inputs.length === 0) stack.push(i);
  });
  nodes.forEach((n, i) => {
    for (const input of n.inputs) {
      const j = pos.get(inputNodeName(input));
      if (j === undefined) {
        unknownInputs.push([n.name, inputNodeName(input)]);
        continue;
      }
      consumers[j]!.push(i);
    }
  });
  const order: Node[] = [];
  const emitted = new Uint8Array(nodes.length);
  while (stack.length > 0) {
    const i = stack.pop()!;
    if (emitted[i]) continue;
    emitted[i] = 1;
    order.push(nodes[i]!);
    for (const c of consumers[i]!) {
      pending[c]!--;
      if (pending[c] === 0) stack.push(c);
    }
  }
  const inCycle = nodes.filter((_, i) => !emitted[i]);
  return Object.freeze({ order: Object.freeze(order), inCycle: Object.freeze(inCycle), unknownInputs: Object.freeze(unknownInputs) });
}

/** Nodes in execution order; throws `graph/cycle` or `graph/dangling-input` when impossible. */
export function topologicalOrder(graph: Graph | readonly Node[]): readonly Node[] {
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
