/**
 * A graph's edges as flat arrays: every input string resolved once to the position of the node it
 * names and the output it reads, memoized per node list (like `graphIndex`). Whole-graph passes
 * (summaries, shape inference, reachability) walk these instead of parsing input strings per edge
 * and looking names up again, and make no object per edge.
 *
 * Edge `e` of node `i` (its `e - offsets[i]`-th input, in order) lies in `[offsets[i],
 * offsets[i + 1])`. Internal: not part of the public API.
 */
import type { Graph } from './graph';
import { graphIndex } from './graph';
import type { Node } from './node';
import { inputNodeName } from './node';

/** `port` of a control input (`^x`). */
export const CONTROL_PORT = -1;
/**
 * `port` of an input the flat form does not hold: a function-body name `node:out_arg:index`, or
 * a port too large for an int32. Read it with `parseInput`.
 */
export const PARSE_PORT = -2;

export interface GraphEdges {
  /** Where node i's edges start (`offsets[i]`) and end (`offsets[i + 1]`). */
  readonly offsets: Int32Array;
  /**
   * The position of the node an edge names, or -1 when no node has that name. With repeated
   * names, the first node of the name (`graphIndex(...).position`).
   */
  readonly producer: Int32Array;
  /** The output an edge reads; `CONTROL_PORT` for a control input, `PARSE_PORT` when not held. */
  readonly port: Int32Array;
  /** True when every node's name is distinct (then `producer` is a node's own position). */
  readonly uniqueNames: boolean;
}

const cache = new WeakMap<readonly Node[], GraphEdges>();

/** The edges of `graph` (or a node list) as flat arrays, built on first use. */
export function graphEdges(graph: Graph | readonly Node[]): GraphEdges {
  const nodes = 'nodes' in graph ? graph.nodes : graph;
  let e = cache.get(nodes);
  if (!e) {
    e = buildEdges(nodes);
    cache.set(nodes, e);
  }
  return e;
}

/** The edges of `graph` when something already built them, else undefined (nothing is built). */
export function builtGraphEdges(graph: Graph | readonly Node[]): GraphEdges | undefined {
  return cache.get('nodes' in graph ? graph.nodes : graph);
}

/**
 * The nodes `names` name and every node they read from, transitively, by position (1 in the mask):
 * through data and control inputs, or data inputs only. Names no node has are skipped. Iterative,
 * each node expanded once.
 */
export function ancestorMask(graph: Graph | readonly Node[], names: readonly string[], dataOnly: boolean): Uint8Array {
  const nodes = 'nodes' in graph ? graph.nodes : graph;
  const { offsets, producer, port } = graphEdges(nodes);
  const position = graphIndex(nodes).position;
  const mask = new Uint8Array(nodes.length);
  // Each node is expanded once, so the stack never holds more than the names and the edges.
  const stack = new Int32Array(names.length + offsets[nodes.length]!);
  let top = 0;
  for (const name of names) {
    const i = position.get(name);
    if (i !== undefined) stack[top++] = i;
  }
  while (top > 0) {
    const i = stack[--top]!;
    if (mask[i]) continue;
    mask[i] = 1;
    for (let e = offsets[i]!, end = offsets[i + 1]!; e < end; e++) {
      const j = producer[e]!;
      if (j >= 0 && !mask[j] && !(dataOnly && port[e] === CONTROL_PORT)) stack[top++] = j;
    }
  }
  return mask;
}

function buildEdges(nodes: readonly Node[]): GraphEdges {
  const count = nodes.length;
  const idx = graphIndex(nodes);
  const position = idx.position;
  const offsets = new Int32Array(count + 1);
  for (let i = 0; i < count; i++) offsets[i + 1] = offsets[i]! + nodes[i]!.inputs.length;
  const total = offsets[count]!;
  const producer = new Int32Array(total);
  const port = new Int32Array(total);
  let e = 0;
  for (let i = 0; i < count; i++) {
    const inputs = nodes[i]!.inputs;
    for (let k = 0; k < inputs.length; k++, e++) {
      const input = inputs[k]!;
      const name = inputNodeName(input);
      producer[e] = position.get(name) ?? -1;
      port[e] = portOf(input, name);
    }
  }
  return { offsets, producer, port, uniqueNames: idx.byName.size === count };
}

/** The port of `input`, whose node name is `name` (`inputNodeName(input)`). */
function portOf(input: string, name: string): number {
  if (input.charCodeAt(0) === 94 /* ^ */) return CONTROL_PORT;
  const rest = input.length - name.length;
  if (rest === 0) return 0;
  // `name:digits` is a port; anything else (`node:out_arg:index`) is left to parseInput.
  if (rest < 2 || rest > 10 || input.charCodeAt(name.length) !== 58 /* : */) return PARSE_PORT;
  let p = 0;
  for (let c = name.length + 1; c < input.length; c++) {
    const d = input.charCodeAt(c) - 48;
    if (d < 0 || d > 9) return PARSE_PORT;
    p = p * 10 + d;
  }
  return p > 0x7fffffff ? PARSE_PORT : p;
}
