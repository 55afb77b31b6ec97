/**
 * Sessions: a graph prepared for running (kernels checked, constants and variables converted),
 * `runGraph` for one run, `evaluateNode` for a single node (`missingKernels`, re-exported here, is in
 * missing-kernels.ts).
 *
 * @example
 * ```ts
 * const [y] = await runGraph(graph, { x: makeTensor('float', [1], [3]) }, ['y']);
 * const s = await createSession(graph, { variables: variablesFromCheckpoint(ckpt) });
 * const [out] = await s.run({ 'x:0': input }, ['dense/BiasAdd:0']);
 * s.dispose();
 * ```
 */
import { GraftError, badArgument } from '../errors';
import { baseDType } from '../ir/dtype';
import type { FunctionLibrary, Graph } from '../ir/graph';
import { EMPTY_LIBRARY } from '../ir/graph';
import { type InputRef, type Node, parseInput } from '../ir/node';
import type { Tensor } from '../ir/tensor';
import { attrWithDefault } from '../ir/op-facts';
import { placeholderShape } from '../ir/placeholder';
import { validateGraph } from '../ir/validate';
import { checkFeedsArgument, checkGraphArgument, checkNodeArgument, checkStringsArgument } from '../ir/check';
import { BUILTIN_KERNELS } from './kernels';
import { TABLE_CREATE_OPS, TABLE_INIT_OPS } from '../ir/lookup-tables';
import { missingKernels } from './missing-kernels';
import { DEFAULT_MAX_LOOP_ITERATIONS, DEFAULT_MAX_TENSOR_BYTES, type KernelRegistry, type RuntimeLimits, layeredRegistry } from './kernel';
import { CALL_OPS, type Env, Heap, closure, makeContext, runKernel, runProgram, toValue } from './executor';
import { graphProgram } from './program';
import { type Backend, type WasmPaths, loadTF, useBackend } from './tfjs';
import { type Value, valueToHost } from './values';

/** Options of a session or a single run. */
export interface RuntimeOptions {
  /** 'wasm' (default; falls back to 'cpu' when wasm cannot start) or 'cpu'. */
  backend?: Backend;
  /**
   * Where the wasm backend's `.wasm` files are served from, in a browser or bundle that does not
   * serve them next to the script: a URL prefix ending in `/`, or file name → URL (tfjs-backend-wasm's
   * `setWasmPaths`). Node needs none. Read when the wasm backend starts (the first wasm run).
   */
  wasmPaths?: WasmPaths;
  /** Variable values: key = VariableV2 node name, or VarHandleOp shared_name (fallback: node name), as in a checkpoint. */
  variables?: ReadonlyMap<string, Tensor>;
  /** User kernels, on top of the built-ins (they win over a built-in of the same op). */
  kernels?: KernelRegistry;
  /**
   * Where the text of `Print`/`PrintV2` goes: TensorFlow's text, its ending included, and the
   * stream TensorFlow would write it to (`stderr` by default). Without a sink the text is dropped:
   * the library never writes to the console.
   */
  print?: (text: string, stream: string) => void;
  /** Reads a file a kernel names (`InitializeTableFromTextFileV2`'s vocabulary). */
  readFile?: (path: string) => Promise<Uint8Array>;
  /**
   * The sink of the files a graph writes (`SaveV2`, `MergeV2Checkpoints`: a Saver's save path).
   * graft never writes them to disk itself: a graph's filename could name your own checkpoint.
   * Without a sink such a node fails with `runtime/no-file-sink`. `memoryFiles()` gives one
   * (a Map from path to bytes, its `readFile` reading them back).
   */
  writeFile?: (path: string, bytes: Uint8Array) => Promise<void> | void;
  /** Deletes a file a kernel moved away (`MergeV2Checkpoints`' inputs); without it nothing is deleted. */
  deleteFile?: (path: string) => Promise<void> | void;
  /**
   * The model's init op, run once before the session's first run, as TF Serving does at load:
   * node names (a `legacy_init_op` or `__saved_model_init_op` NoOp, `table_initializer` nodes)
   * and the feeds they take (a SavedModel's asset tensors, fed with the asset files' paths).
   * Whatever the init op does not cover, the session covers itself: before a run, the table
   * initializers of the main graph's tables that the fetches read run once (with these feeds).
   * `savedModelInit` (tf-graft's io layer) reads both from a meta graph.
   */
  init?: { readonly targets: readonly string[]; readonly feeds?: Readonly<Record<string, Tensor>> };
  /** Bounds on tensor sizes and loop iterations (`runtime/too-large`, `runtime/loop-limit`). */
  limits?: RuntimeLimits;
}

/** A graph prepared for running, reusable across runs (constants and variables stay converted). */
export interface Session {
  /** The backend in use (wasm may have fallen back to cpu). */
  readonly backend: Backend;
  /** Runs the graph: feeds and fetches are tensor names (`x`, `x:0`, `split:1`). Results are fresh IR tensors. */
  run(feeds: Record<string, Tensor>, fetches: readonly string[]): Promise<Tensor[]>;
  /**
   * The current value of a variable (by key: VariableV2 node name, or VarHandleOp shared_name):
   * what the session's runs wrote to it, else the value it was given; undefined when it has none.
   */
  readVariable(key: string): Tensor | undefined;
  /** Keys of the variables this session's runs have written, in the order first written. */
  writtenVariables(): string[];
  /** Frees the tfjs memory the session holds. */
  dispose(): void;
}

export { missingKernels } from './missing-kernels';

/** A fresh registry holding the built-in kernels; register your own ops (or replace built-ins) on it. */
export function createKernelRegistry(): KernelRegistry {
  return layeredRegistry(BUILTIN_KERNELS);
}

/**
 * What TensorFlow refuses when it imports a graph, refused before anything runs: duplicate names,
 * dangling inputs, outputs a producer does not have, cycles other than a while loop's.
 */
function checkGraph(graph: Graph): void {
  checkGraphArgument('createSession', 'graph', graph);
  const problems = validateGraph(graph);
  if (problems.length === 0) return;
  const first = problems[0]!;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem(s))` : '';
  throw new GraftError(first.code, `Cannot run this graph: ${first.message}${more}`, { node: first.node });
}

/** The type attribute or tensor of `node` holding a `DataType` graft does not know, if any. */
function unknownDTypeAttr(node: Node): { attr: string; value: string } | undefined {
  for (const [name, a] of Object.entries(node.attrs)) {
    if (a.kind === 'type' && a.value.startsWith('dtype(')) return { attr: name, value: a.value };
    if (a.kind === 'tensor' && a.value.dtype.startsWith('dtype(')) return { attr: name, value: a.value.dtype };
    if (a.kind === 'list') for (const t of a.value.type ?? []) if (t.startsWith('dtype(')) return { attr: name, value: t };
  }
  return undefined;
}

function unsupportedError(missing: { op: string; nodes: string[] }[]): GraftError {
  const total = missing.reduce((s, m) => s + m.nodes.length, 0);
  const lines = missing.map((m) => `${m.op}: ${m.nodes.slice(0, 5).join(', ')}${m.nodes.length > 5 ? `, … (${m.nodes.length} nodes)` : ''}`);
  return new GraftError('runtime/unsupported-op', `Cannot run: ${missing.length} op(s) without a kernel (${total} node(s)): ${lines.join('; ')}`, {
    node: missing[0]!.nodes[0]!,
    op: missing[0]!.op,
    hint: 'Register kernels for them (createKernelRegistry().register(op, kernel)), or strip the nodes the outputs do not need.',
  });
}

function variableKey(node: Node): string {
  const a = node.attrs.shared_name;
  const s = a?.kind === 's' ? (typeof a.value === 'string' ? a.value : new TextDecoder().decode(a.value)) : '';
  return s || node.name;
}

const VARIABLE_OPS = new Set(['VariableV2', 'Variable']);

class GraphSession implements Session {
  private disposed = false;
  /** Init targets already run (the init op once; table initializers as their tables are needed). */
  private readonly initialized = new Set<string>();
  constructor(
    private readonly graph: Graph,
    private readonly env: Env,
    private readonly kernels: KernelRegistry,
    private readonly init?: RuntimeOptions['init'],
  ) {}

  /** Runs the init op (first run only) and the initializers of the tables `needed` reads. */
  private async initialize(needed: ReadonlySet<string>): Promise<void> {
    const program = graphProgram(this.graph);
    const targets: string[] = [];
    for (const t of this.init?.targets ?? []) {
      const name = parseInput(t).node;
      if (!program.byName.has(name)) throw new GraftError('graph/missing-node', `No init node '${name}'`, { node: name });
      if (this.initialized.has(name)) continue;
      // graft reads variables from the checkpoint: an init op that fills no table and calls no
      // function (TF2 init functions fill tables) only initializes variables, and is not run.
      const reach = [...closure(program, [name], new Set(), true)].map((n) => program.byName.get(n)!.op);
      if (reach.some((op) => TABLE_INIT_OPS.has(op) || CALL_OPS.has(op))) targets.push(name);
      else this.initialized.add(name);
    }
    for (const name of needed) {
      const node = program.byName.get(name)!;
      if (!TABLE_CREATE_OPS.has(node.op)) continue;
      for (const c of program.consumers.get(name) ?? []) {
        if (c.inputIndex === 0 && !c.ref.control && TABLE_INIT_OPS.has(c.node.op) && !this.initialized.has(c.node.name)) targets.push(c.node.name);
      }
    }
    if (targets.length === 0) return;
    for (const t of targets) this.initialized.add(t);
    const { env } = this;
    const fed = new Map<string, Value[]>();
    for (const [key, t] of Object.entries(this.init?.feeds ?? {})) {
      const r = parseInput(key);
      if (!program.byName.has(r.node)) throw new GraftError('graph/missing-node', `No node '${r.node}' to feed the init op`, { node: r.node });
      const arr = fed.get(r.node) ?? [];
      arr[r.port] = toValue(env, t, { node: r.node }, false);
      fed.set(r.node, arr);
    }
    const refs: InputRef[] = targets.map((node) => ({ node, port: 0, control: true }));
    const initNeeded = closure(program, targets, new Set(fed.keys()), true);
    const missing = missingKernels(this.graph, targets.map((t) => `^${t}`), this.kernels)
      .map((m) => ({ op: m.op, nodes: m.nodes.filter((n) => n.includes(' (in ') || initNeeded.has(n)) }))
      .filter((m) => m.nodes.length > 0);
    if (missing.length > 0) throw unsupportedError(missing);
    try {
      const outs = await runProgram(env, program, fed, refs, 0, true);
      for (const v of outs) env.heap.release(v);
    } finally {
      for (const arr of fed.values()) for (const v of arr) if (v) env.heap.disposeIfFree(v);
    }
  }
  get backend(): Backend {
    return this.env.backend;
  }

  async run(feeds: Record<string, Tensor>, fetches: readonly string[]): Promise<Tensor[]> {
    if (this.disposed) throw new GraftError('runtime/failed', 'This session has been disposed');
    checkFeedsArgument('Session.run', feeds);
    checkStringsArgument('Session.run', 'fetches', fetches);
    const program = graphProgram(this.graph);
    const { env } = this;
    const fetchRefs: InputRef[] = fetches.map((f) => {
      const r = parseInput(f);
      if (r.control || r.outputArg !== undefined) throw new GraftError('graph/bad-edge', `'${f}' is not a tensor name`);
      if (!program.byName.has(r.node)) throw new GraftError('graph/missing-node', `No node '${r.node}' to fetch`, { node: r.node });
      return r;
    });
    // Feeds, checked against their placeholders.
    const fedValues = new Map<string, Value[]>();
    const fedTensors: [InputRef, Tensor][] = [];
    for (const [key, t] of Object.entries(feeds)) {
      const r = parseInput(key);
      const node = program.byName.get(r.node);
      if (!node) throw new GraftError('graph/missing-node', `No node '${r.node}' to feed`, { node: r.node });
      checkFeed(node, r.port, t, this.graph);
      fedTensors.push([r, t]);
    }
    const fedNames = new Set(fedTensors.map(([r]) => r.node));
    const needed = closure(program, fetchRefs.map((f) => f.node), fedNames);
    // Everything that can be known before running is checked up front.
    // Nodes upstream of a feed are not needed: leave them out of the list.
    const missing = missingKernels(this.graph, fetches, this.kernels, [...fedNames]);
    if (missing.length > 0) throw unsupportedError(missing);
    const fedNodes = new Set(fedTensors.map(([r]) => r.node));
    for (const name of needed) {
      const node = program.byName.get(name)!;
      const unknown = unknownDTypeAttr(node);
      if (unknown) {
        throw new GraftError('graph/unknown-dtype', `Node '${name}' (${node.op}): attribute '${unknown.attr}' holds DataType ${unknown.value.slice(6, -1)}, which graft does not know`, {
          node: name,
          op: node.op,
        });
      }
      if (fedNodes.has(name)) continue;
      if (node.op === 'Placeholder' || node.op === 'PlaceholderV2') {
        throw new GraftError('runtime/missing-feed', `Placeholder '${name}' is needed by the fetches but was not fed`, { node: name, op: node.op });
      }
      if (VARIABLE_OPS.has(node.op) && !env.variables.has(name) && !env.written.has(name)) {
        throw new GraftError('runtime/missing-variable', `Variable '${name}' has no value`, {
          node: name,
          op: node.op,
          hint: 'Pass options.variables (variablesFromCheckpoint(await readModelVariables(model))).',
        });
      }
      if (node.op === 'VarHandleOp' && !env.variables.has(variableKey(node)) && !env.written.has(variableKey(node))) {
        throw new GraftError('runtime/missing-variable', `Resource variable '${variableKey(node)}' (node '${name}') has no value`, {
          node: name,
          op: node.op,
          hint: 'Pass options.variables (variablesFromCheckpoint or savedModelVariables).',
        });
      }
    }
    await useBackend(env.tf, env.backend);
    await this.initialize(needed);
    for (const [r, t] of fedTensors) {
      const v = toValue(env, t, { node: r.node }, false);
      const arr = fedValues.get(r.node) ?? [];
      arr[r.port] = v;
      fedValues.set(r.node, arr);
    }
    try {
      const values = await runProgram(env, program, fedValues, fetchRefs);
      try {
        return values.map((v, i) => copyOut(v, fetches[i]!));
      } finally {
        for (const v of values) env.heap.release(v);
      }
    } finally {
      for (const arr of fedValues.values()) for (const v of arr) if (v) env.heap.disposeIfFree(v);
    }
  }

  readVariable(key: string): Tensor | undefined {
    if (this.disposed) throw new GraftError('runtime/failed', 'This session has been disposed');
    const v = this.env.cache.get(`var:${key}`) as Value | undefined;
    if (v) return copyOut(v, key);
    return this.env.variables.get(key);
  }

  writtenVariables(): string[] {
    return [...this.env.written];
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.env.heap.disposeAll();
    this.env.cache.clear();
  }
}

function copyOut(v: Value, name: string): Tensor {
  const t = valueToHost(v, { node: name });
  if (v.kind === 'host' && t.data.kind === 'content') {
    return { dtype: t.dtype, shape: Object.freeze([...t.shape]), data: { kind: 'content', bytes: t.data.bytes.slice() } };
  }
  return t;
}

function checkFeed(node: Node, port: number, t: Tensor, graph: Graph): void {
  if (node.op !== 'Placeholder' && node.op !== 'PlaceholderWithDefault' && node.op !== 'PlaceholderV2') return;
  if (port !== 0) throw new GraftError('runtime/bad-feed', `Placeholder '${node.name}' has one output; cannot feed '${node.name}:${port}'`, { node: node.name });
  const dt = attrWithDefault(node, 'dtype');
  if (dt?.kind === 'type' && baseDType(dt.value) !== baseDType(t.dtype)) {
    throw new GraftError('runtime/bad-feed', `Placeholder '${node.name}' takes ${baseDType(dt.value)}, was fed ${t.dtype}`, { node: node.name, op: node.op });
  }
  // TensorFlow's legacy rule: an empty shape in a producer <= 21 graph is unknown (ir/placeholder).
  const sh = placeholderShape(node, graph);
  if (!sh.unknownRank) {
    const dims = sh.dims;
    const ok = dims.length === t.shape.length && dims.every((d, i) => d < 0 || d === t.shape[i]);
    if (!ok) {
      throw new GraftError('runtime/bad-feed', `Placeholder '${node.name}' takes shape [${dims.map((d) => (d < 0 ? '?' : d)).join(',')}], was fed [${t.shape.join(',')}]`, {
        node: node.name,
        op: node.op,
      });
    }
  }
}

function resolveLimits(l: RuntimeLimits = {}): Required<RuntimeLimits> {
  const maxTensorBytes = l.maxTensorBytes ?? DEFAULT_MAX_TENSOR_BYTES;
  const maxLoopIterations = l.maxLoopIterations ?? DEFAULT_MAX_LOOP_ITERATIONS;
  if (typeof maxTensorBytes !== 'number' || !(maxTensorBytes >= 0)) {
    throw new GraftError('api/bad-argument', `limits.maxTensorBytes must be a number >= 0, not ${String(maxTensorBytes)}`, { param: 'limits.maxTensorBytes' });
  }
  if (typeof maxLoopIterations !== 'number' || !(maxLoopIterations >= 0)) {
    throw new GraftError('api/bad-argument', `limits.maxLoopIterations must be a number >= 0, not ${String(maxLoopIterations)}`, { param: 'limits.maxLoopIterations' });
  }
  return { maxTensorBytes, maxLoopIterations };
}

async function makeEnv(library: FunctionLibrary, opts: RuntimeOptions): Promise<Env> {
  const limits = resolveLimits(opts.limits);
  const { tf, backend } = await loadTF(opts.backend ?? 'wasm', opts.wasmPaths !== undefined ? { wasmPaths: opts.wasmPaths } : {});
  // User kernels win; built-ins fill in (a registry from createKernelRegistry holds them already).
  const user = opts.kernels;
  const kernels: KernelRegistry = user
    ? {
        register: (op, k) => user.register(op, k),
        get: (op) => user.get(op) ?? BUILTIN_KERNELS.get(op),
        has: (op) => user.has(op) || BUILTIN_KERNELS.has(op),
        ops: () => [...new Set([...user.ops(), ...BUILTIN_KERNELS.ops()])].sort(),
      }
    : BUILTIN_KERNELS;
  return {
    tf,
    backend,
    kernels,
    variables: opts.variables ?? new Map(),
    heap: new Heap(tf),
    cache: new Map(),
    library,
    resources: new Map(),
    limits,
    written: new Set(),
    ...(opts.print ? { print: opts.print } : {}),
    ...(opts.readFile ? { readFile: opts.readFile } : {}),
    ...(opts.writeFile ? { writeFile: opts.writeFile } : {}),
    ...(opts.deleteFile ? { deleteFile: opts.deleteFile } : {}),
  };
}

/**
 * Prepares a graph for running: loads tfjs, picks the backend. Kernels are checked per fetch set,
 * before anything runs.
 */
export async function createSession(graph: Graph, opts: RuntimeOptions = {}): Promise<Session> {
  checkGraph(graph);
  if (opts === null || typeof opts !== 'object') throw badArgument('createSession', 'opts', 'an options object', opts);
  const env = await makeEnv(graph.library, opts);
  return new GraphSession(graph, env, env.kernels, opts.init);
}

/** Runs a graph once: `createSession`, `run`, `dispose`. */
export async function runGraph(graph: Graph, feeds: Record<string, Tensor>, fetches: readonly string[], opts: RuntimeOptions = {}): Promise<Tensor[]> {
  const s = await createSession(graph, opts);
  try {
    return await s.run(feeds, fetches);
  } finally {
    s.dispose();
  }
}

/**
 * Evaluates one node whose inputs are given (for constant folding): returns all its outputs as
 * IR tensors. Throws `runtime/unsupported-op` when there is no kernel (control-flow ops that move
 * values between frames have none here).
 */
export async function evaluateNode(
  node: Node,
  inputs: readonly Tensor[],
  opts: { backend?: Backend; kernels?: KernelRegistry; library?: FunctionLibrary; limits?: RuntimeLimits } = {},
): Promise<Tensor[]> {
  checkNodeArgument('evaluateNode', 'node', node);
  if (opts === null || typeof opts !== 'object') throw badArgument('evaluateNode', 'opts', 'an options object', opts);
  if (!Array.isArray(inputs)) throw badArgument('evaluateNode', 'inputs', 'an array of Tensors', inputs);
  checkFeedsArgument('evaluateNode', { ...inputs }, 'inputs');
  const env = await makeEnv(opts.library ?? EMPTY_LIBRARY, opts);
  const kernel = env.kernels.get(node.op);
  if (!kernel) throw new GraftError('runtime/unsupported-op', `No kernel for op ${node.op} (node '${node.name}')`, { node: node.name, op: node.op });
  await useBackend(env.tf, env.backend);
  const values = inputs.map((t) => toValue(env, t, { node: node.name, op: node.op }, false));
  try {
    const ctx = makeContext(env, node, values, 0);
    const outs = await runKernel(env, kernel, ctx);
    try {
      return outs.map((v, i) => copyOut(v, `${node.name}:${i}`));
    } finally {
      for (const o of outs) {
        env.heap.disposeIfFree(o);
      }
    }
  } finally {
    for (const v of values) env.heap.disposeIfFree(v);
    env.heap.disposeAll();
  }
}
