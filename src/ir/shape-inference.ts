/**
 * Static shape (and dtype) inference over a graph, after TensorFlow's shape refiner.
 *
 * Nodes are visited in execution order; each op's shape function (`shape-fns/ops.ts`) sees its
 * inputs' shapes and, where an input is a `Const` or a folded shape computation (`Shape` of a
 * known shape, a slice or pack of one), its value, as TensorFlow's `InferenceContext` does.
 *
 * - Unknown stays unknown: -1 for a dimension, null for the rank. Nothing is guessed.
 * - TF1 loops: a `Merge` takes the relaxation of its inputs (dims that differ become unknown);
 *   a back edge not yet visited is left out on the first pass, and passes repeat until no
 *   `Merge` changes (after ten, every `Merge` is made unknown-rank and a last pass runs).
 * - Function calls (`PartitionedCall`, `StatefulPartitionedCall`, a library function used as an
 *   op) infer the body with the call's input shapes. `If` takes its `output_shapes` attribute when
 *   set, else the relaxation of both branches; `While` its `output_shapes` when set, else the
 *   loop variables' shapes relaxed until the body keeps them.
 * - Placeholders follow TensorFlow's legacy rule: an empty `shape` in a graph whose
 *   `versions.producer` is 21 or less means unknown rank.
 *
 * The core exports async forms of `inferShapes`, `inferFunctionShapes` and `opsWithShapeFns`
 * (infer-shapes.ts), which load this module on the first call; lazily loaded code calls these.
 */
import type { DType } from './dtype';
import { dtypeFromEnum, parseDType } from './dtype';
import type { FunctionDef, Graph } from './graph';
import { type Node, parseInput } from './node';
import { flatOutputIndex } from './op-outputs';
import { outputDType } from './output-dtype';
import type { Dims } from './shape-fns/dims';
import { type ShapeContext, type TensorFact, shapeFn } from './shape-fns/ops';
import { executionOrder, executionOrderPositions } from './topo';
import { CONTROL_PORT, type GraphEdges, PARSE_PORT, ancestorMask, graphEdges } from './edges';
import { graphIndex } from './graph';
import { checkArray, checkGraphShallow, checkString } from './check';

export type { Dims } from './shape-fns/dims';
export { compatible, formatDims, mergeDims, relaxDims, broadcastDims } from './shape-fns/dims';
export { opsWithShapeFns } from './shape-fns/ops';

/** An inferred tensor: its dtype (`invalid` when unknown) and shape (-1 unknown dim, null unknown rank). */
export interface InferredTensor {
  readonly dtype: DType;
  readonly shape: readonly number[] | null;
}

export interface InferShapesOptions {
  /**
   * Shapes to use for graph inputs instead of their `shape` attribute, by node name (`x`) or
   * tensor name (`x:0`); null means unknown rank.
   */
  readonly inputShapes?: Readonly<Record<string, readonly number[] | null>>;
}

const MERGE_OPS = new Set(['Merge', 'RefMerge']);
const MAX_CALL_DEPTH = 16;
const UNKNOWN_FACT: TensorFact = { dtype: 'invalid', shape: null };

/** One run's state, shared by its visits. */
interface Run {
  readonly list: readonly Node[];
  readonly edges: GraphEdges;
  /** Per slot, the position of the last node of that name; undefined when names are unique. */
  readonly last: Int32Array | undefined;
  previous: readonly (TensorFact[] | undefined)[];
  facts: (TensorFact[] | undefined)[];
  readonly args: ReadonlyMap<string, TensorFact> | null;
  readonly overrides: ReadonlyMap<string, Dims> | undefined;
  readonly forceUnknown: ReadonlySet<string>;
}

interface ArgDef {
  readonly name: string;
  readonly type?: number;
}

function argList(fn: FunctionDef, key: 'input_arg' | 'output_arg'): ArgDef[] {
  return ((fn.signature as Record<string, unknown>)[key] as ArgDef[] | undefined) ?? [];
}

/**
 * What one run found: facts per node name, held by the position of the name's first node (so a
 * repeated name keeps the facts of the node of that name visited last, as a map by name would).
 */
class Facts {
  constructor(
    private readonly slots: readonly (TensorFact[] | undefined)[],
    private readonly index: ReadonlyMap<string, number>,
  ) {}
  get(name: string): TensorFact[] | undefined {
    const i = this.index.get(name);
    return i === undefined ? undefined : this.slots[i];
  }
}

const EMPTY_FACTS = new Facts([], new Map());

class Engine {
  readonly library: ReadonlyMap<string, FunctionDef>;
  private readonly memo = new Map<string, { outputs: TensorFact[] | undefined; body: Facts; nodes: readonly Node[] }>();
  private depth = 0;

  constructor(readonly graph: Graph) {
    this.library = new Map(graph.library.functions.map((f) => [f.signature.name, f]));
  }

  /** Infers `nodes`; `args` are a function's arguments (names that are not nodes). */
  run(nodes: readonly Node[], args: ReadonlyMap<string, TensorFact> | null, overrides?: ReadonlyMap<string, Dims>, only?: Uint8Array): Facts {
    const list: readonly Node[] = args ? [...[...args.keys()].map((name) => ({ name, op: '_Arg', inputs: [], device: '', attrs: {} }) as Node), ...nodes] : nodes;
    const count = list.length;
    const { order: orderNodes, inCycle } = executionOrder(list);
    const order = executionOrderPositions(list);
    const position = graphIndex(list).position;
    const edges = graphEdges(list);
    // Slot of a node: the position of the first node of its name. The producer read through a
    // name is the last node of that name (as a map built from the list in order holds).
    let slot: Int32Array | undefined;
    let last: Int32Array | undefined;
    if (!edges.uniqueNames) {
      slot = new Int32Array(count);
      last = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const s = position.get(list[i]!.name)!;
        slot[i] = s;
        last[s] = i;
      }
    }
    const hasMerge = orderNodes.some((n) => MERGE_OPS.has(n.op));
    // Only some nodes (by position): the caller passes every data ancestor of them, so each is
    // inferred as in a whole run. Loops repeat passes over the whole graph: then all are visited.
    const mask = hasMerge ? undefined : only;
    let previous: (TensorFact[] | undefined)[] = [];
    let facts: (TensorFact[] | undefined)[] = [];
    const forceUnknown = new Set<string>();
    const run: Run = { list, edges, last, previous, facts, args, overrides, forceUnknown };
    for (let pass = 0; ; pass++) {
      facts = new Array(count);
      run.facts = facts;
      run.previous = previous;
      for (let k = 0; k < order.length; k++) {
        const i = order[k]!;
        if (mask && !mask[i]) continue;
        facts[slot ? slot[i]! : i] = this.visit(i, run);
      }
      for (const node of inCycle) facts[position.get(node.name)!] = [];
      if (!hasMerge) break;
      const changed = orderNodes.some((n) => MERGE_OPS.has(n.op) && JSON.stringify(facts[position.get(n.name)!]?.[0]?.shape) !== JSON.stringify(previous[position.get(n.name)!]?.[0]?.shape));
      if (!changed && pass > 0) break;
      if (pass >= 10) {
        if (forceUnknown.size > 0) break;
        for (const n of orderNodes) if (MERGE_OPS.has(n.op)) forceUnknown.add(n.name);
      }
      previous = facts;
    }
    return new Facts(facts, position);
  }

  private visit(i: number, run: Run): TensorFact[] {
    const { list, edges, last, facts, previous, args, overrides, forceUnknown } = run;
    const node = list[i]!;
    if (node.op === '_Arg' && args?.has(node.name)) return [args.get(node.name)!];
    const inputs: TensorFact[] = [];
    const merge = MERGE_OPS.has(node.op);
    const { offsets, producer: producers, port: ports } = edges;
    for (let e = offsets[i]!, end = offsets[i + 1]!; e < end; e++) {
      let port: number | undefined = ports[e]!;
      if (port === CONTROL_PORT) continue;
      const p = producers[e]!;
      const outs = p < 0 ? undefined : (facts[p] ?? previous[p]);
      if (!outs) {
        if (merge) continue; // a back edge not visited yet
        inputs.push(UNKNOWN_FACT);
        continue;
      }
      const producer = list[last ? last[p]! : p]!;
      if (port === PARSE_PORT) {
        const ref = parseInput(node.inputs[e - offsets[i]!]!);
        port = ref.outputArg !== undefined ? flatOutputIndex(producer, ref.outputArg, ref.port) : ref.port;
      }
      inputs.push((port !== undefined ? outs[port] : undefined) ?? { dtype: outputDType(producer, port ?? 0), shape: null });
    }
    const ctx: ShapeContext = {
      node,
      inputs,
      graph: this.graph,
      callFunction: (name, ins) => this.call(name, ins)?.outputs,
    };
    let outs: readonly { dtype?: DType; shape: Dims; value?: TensorFact['value']; handle?: TensorFact['handle']; text?: TensorFact['text'] }[] = [];
    try {
      const fn = shapeFn(node.op);
      if (fn) outs = fn(ctx);
      else if (this.library.has(node.op)) outs = (this.call(node.op, inputs)?.outputs ?? []).map((o) => ({ ...o }));
    } catch {
      outs = []; // a shape function that meets an inconsistent graph leaves the outputs unknown
    }
    const result: TensorFact[] = new Array(outs.length);
    for (let port = 0; port < outs.length; port++) {
      const o = outs[port]!;
      let dtype = o.dtype;
      if (dtype === undefined) {
        const fromAttrs = outputDType(node, port);
        dtype = fromAttrs !== 'invalid' ? fromAttrs : (inputs[0]?.dtype ?? 'invalid');
      }
      if (o.text) result[port] = { dtype, shape: o.shape, text: o.text };
      else result[port] = o.value ? (o.handle ? { dtype, shape: o.shape, value: o.value, handle: o.handle } : { dtype, shape: o.shape, value: o.value }) : o.handle ? { dtype, shape: o.shape, handle: o.handle } : { dtype, shape: o.shape };
    }
    if (forceUnknown.size > 0 && forceUnknown.has(node.name) && result[0]) result[0] = { dtype: result[0].dtype, shape: null };
    if (overrides && (node.op === 'Placeholder' || node.op === 'PlaceholderWithDefault' || node.op === 'PlaceholderV2')) {
      const o = overrides.get(node.name) ?? overrides.get(`${node.name}:0`);
      if (o !== undefined) result[0] = { dtype: result[0]?.dtype ?? outputDType(node, 0), shape: o };
    }
    return result;
  }

  /** Infers a library function's body for these inputs (memoized). */
  call(name: string, inputs: readonly TensorFact[]): { outputs: TensorFact[] | undefined; body: Facts; nodes: readonly Node[] } | undefined {
    const fn = this.library.get(name);
    if (!fn || this.depth >= MAX_CALL_DEPTH) return undefined;
    const key = `${name}|${JSON.stringify(inputs)}`;
    const hit = this.memo.get(key);
    if (hit) return hit;
    const inArgs = argList(fn, 'input_arg');
    if (inArgs.length !== inputs.length) return undefined;
    const handles = argHandles(fn);
    const args = new Map<string, TensorFact>();
    inArgs.forEach((a, i) => {
      const f = inputs[i]!;
      args.set(a.name, f.handle || !handles[i] ? f : { ...f, handle: handles[i] });
    });
    // Guard recursion: a function reached again while being inferred is unknown.
    const pending = { outputs: undefined, body: EMPTY_FACTS, nodes: fn.nodes };
    this.memo.set(key, pending);
    this.depth++;
    let body: Facts;
    try {
      body = this.run(fn.nodes, args);
    } finally {
      this.depth--;
    }
    const byName = new Map(fn.nodes.map((n) => [n.name, n]));
    const outputs = argList(fn, 'output_arg').map((a): TensorFact => {
      const r = fn.ret[a.name];
      if (r === undefined) return UNKNOWN_FACT;
      const ref = parseInput(r);
      if (args.has(ref.node) && ref.outputArg === undefined) return args.get(ref.node)!;
      const node = byName.get(ref.node);
      const port = ref.outputArg !== undefined && node ? flatOutputIndex(node, ref.outputArg, ref.port) : ref.port;
      const f = port !== undefined ? body.get(ref.node)?.[port] : undefined;
      return f ?? UNKNOWN_FACT;
    });
    const done = { outputs, body, nodes: fn.nodes };
    this.memo.set(key, done);
    return done;
  }
}

// ---------------------------------------------------------------- raw arg_attr reading

type RawAttr = { list?: { shape?: RawShape[]; type?: (number | string)[] } };
type RawShape = { dim?: { size?: number | string | bigint }[]; unknown_rank?: boolean };

function rawDims(s: RawShape): Dims {
  if (s.unknown_rank) return null;
  return (s.dim ?? []).map((d) => {
    const n = Number(d.size ?? 0);
    return n < 0 ? -1 : n;
  });
}

function rawDType(t: number | string): DType {
  if (typeof t === 'number') return dtypeFromEnum(t);
  return parseDType(t.replace(/^DT_/, '').toLowerCase()) ?? 'invalid';
}

function argAttrs(fn: FunctionDef, i: number): Record<string, RawAttr> | undefined {
  const all = (fn.extras as Record<string, unknown> | undefined)?.arg_attr as Record<string, { attr?: Record<string, RawAttr> }> | undefined;
  return all?.[String(i)]?.attr;
}

/** Per input arg: the variable shape and dtype a resource argument carries (`_handle_shapes`). */
function argHandles(fn: FunctionDef): ({ dtype: DType; shape: Dims } | undefined)[] {
  return argList(fn, 'input_arg').map((_, i) => {
    const a = argAttrs(fn, i);
    const shape = a?._handle_shapes?.list?.shape?.[0];
    const dtype = a?._handle_dtypes?.list?.type?.[0];
    if (!shape) return undefined;
    return { dtype: dtype !== undefined ? rawDType(dtype) : 'invalid', shape: rawDims(shape) };
  });
}

/** The shapes TensorFlow recorded for a function's arguments (`arg_attr` `_output_shapes`). */
function argFacts(fn: FunctionDef): TensorFact[] {
  return argList(fn, 'input_arg').map((a, i) => {
    const s = argAttrs(fn, i)?._output_shapes?.list?.shape?.[0];
    return { dtype: a.type !== undefined ? dtypeFromEnum(a.type) : 'invalid', shape: s ? rawDims(s) : null };
  });
}

function toMap(facts: Facts, nodes: readonly Node[]): Map<string, InferredTensor> {
  const out = new Map<string, InferredTensor>();
  for (const n of nodes) {
    const fs = facts.get(n.name);
    if (!fs) continue;
    fs.forEach((f, port) => out.set(`${n.name}:${port}`, { dtype: f.dtype, shape: f.shape === null ? null : [...f.shape] }));
  }
  return out;
}

/**
 * Infers the dtype and static shape of every tensor of a graph.
 *
 * Returns a map from tensor name (`node:port`) to `{ dtype, shape }`: shape -1 is an unknown
 * dimension, null an unknown rank. A tensor absent from the map is unknown (an op without a
 * shape function).
 *
 * @example
 * const shapes = inferShapes(graph, { inputShapes: { x: [1, 28, 28, 1] } });
 * shapes.get('probabilities:0'); // { dtype: 'float', shape: [1, 10] }
 */
export function inferShapes(graph: Graph, options: InferShapesOptions = {}): Map<string, InferredTensor> {
  checkGraphShallow('inferShapes', 'graph', graph);
  const engine = new Engine(graph);
  const overrides = options.inputShapes ? new Map(Object.entries(options.inputShapes)) : undefined;
  return toMap(engine.run(graph.nodes, null, overrides), graph.nodes);
}

/**
 * `inferShapes` answered for some tensors only (`node:port` names; others are left out, as are
 * tensors `inferShapes` would leave out): the same inference, without building the whole map.
 * Internal (summarize prints a graph's outputs).
 */
export function inferShapesOf(graph: Graph, tensors: readonly string[]): Map<string, InferredTensor> {
  checkGraphShallow('inferShapes', 'graph', graph);
  const asked: [string, string, number][] = [];
  for (const t of tensors) {
    const colon = t.lastIndexOf(':');
    if (colon < 0) continue;
    const port = Number(t.slice(colon + 1));
    if (!Number.isInteger(port) || port < 0 || String(port) !== t.slice(colon + 1)) continue;
    asked.push([t, t.slice(0, colon), port]);
  }
  const facts = new Engine(graph).run(graph.nodes, null, undefined, dataAncestors(graph, asked.map((a) => a[1])));
  const out = new Map<string, InferredTensor>();
  for (const [t, node, port] of asked) {
    const f = facts.get(node)?.[port];
    if (f) out.set(t, { dtype: f.dtype, shape: f.shape === null ? null : [...f.shape] });
  }
  return out;
}

/**
 * The nodes `names` and every node they read data from (by position), when inferring only those
 * gives each the facts a whole run gives it: names are unique and there is no library (a function
 * call's inference may depend on which call came first). Undefined otherwise: infer everything.
 */
function dataAncestors(graph: Graph, names: readonly string[]): Uint8Array | undefined {
  if (graph.library.functions.length > 0) return undefined;
  if (!graphEdges(graph).uniqueNames) return undefined;
  return ancestorMask(graph, names, true);
}

/** What `inferFunctionShapes` finds in one function body. */
export interface FunctionShapes {
  /** Body tensors by `node:port` (flat output index). */
  readonly tensors: Map<string, InferredTensor>;
  /** The function's outputs, in `output_arg` order. */
  readonly outputs: readonly InferredTensor[];
}

/**
 * Infers a library function's body. Without `args`, the argument shapes TensorFlow recorded in
 * the function (`arg_attr` `_output_shapes`, `_handle_shapes`) are used.
 */
export function inferFunctionShapes(graph: Graph, name: string, args?: readonly InferredTensor[]): FunctionShapes | undefined {
  checkGraphShallow('inferFunctionShapes', 'graph', graph);
  checkString('inferFunctionShapes', 'name', name);
  if (args !== undefined) checkArray('inferFunctionShapes', 'args', args, 'an array of InferredTensors');
  const engine = new Engine(graph);
  const fn = engine.library.get(name);
  if (!fn) return undefined;
  const inputs: TensorFact[] = args ? args.map((a) => ({ dtype: a.dtype, shape: a.shape })) : argFacts(fn);
  const r = engine.call(name, inputs);
  if (!r) return undefined;
  return {
    tensors: toMap(r.body, fn.nodes),
    outputs: (r.outputs ?? []).map((f) => ({ dtype: f.dtype, shape: f.shape === null ? null : [...f.shape] })),
  };
}
