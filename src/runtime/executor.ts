/**
 * The executor: runs the part of a program that the fetches need, as TensorFlow's dataflow
 * executor does.
 *
 * - Values travel with a tag (frame, iteration). `Enter` moves a value into a child frame
 *   (iteration 0), `NextIteration` to the next iteration, `Exit` back to the parent frame, so TF1
 *   while loops run; loop-invariant `Enter`s (`is_constant`) reach every iteration.
 * - Dead values: a `Switch` sends its input to one output and a dead marker to the other; a node
 *   with a dead input is dead; a `Merge` forwards its first live input. A dead value never crosses
 *   `NextIteration` (that is how a loop ends), and a dead `Exit` is only propagated once its frame
 *   can make no more progress (a loop inside an untaken branch).
 * - Memory: every tfjs tensor is reference counted by the edges holding it and disposed when the
 *   last consumer has run; temporaries inside a kernel are disposed by a tfjs scope.
 */
import { GraftError, describeError, isGraftError, isResourceError } from '../errors';
import type { AttrValue, FuncRef } from '../ir/attr';
import { attrText } from '../ir/attr';
import { type DType, baseDType } from '../ir/dtype';
import type { FunctionLibrary } from '../ir/graph';
import type { InputRef, Node } from '../ir/node';
import { attrWithDefault } from '../ir/op-facts';
import { estimateOutputBytes, type InputInfo } from '../ir/output-size';
import { type Tensor, formatBytes, numElements } from '../ir/tensor';
import { type Kernel, type KernelContext, type KernelRegistry, type RuntimeLimits, attrNumber } from './kernel';
import { type Program, findFunction, functionProgram } from './program';
import type { Backend, TF } from './tfjs';
import { type TFTensor, type Value, hostToTF, tfjsDType, valueDType, valueNumbers, valueShape, valueToHost } from './values';

/** Ops the executor runs itself (they move values between frames or handle dead values). */
export const EXECUTOR_OPS: ReadonlySet<string> = new Set([
  'Switch', 'RefSwitch', 'Merge', 'RefMerge', 'Enter', 'RefEnter', 'Exit', 'RefExit', 'NextIteration', 'RefNextIteration', '_Arg',
]);

/**
 * Ops that write state. Restore ops reached through a control edge only are never run: the
 * runtime takes variable values from `variables` (what a restore would read). Save ops
 * (`SaveV2`, `MergeV2Checkpoints`) run when a fetch needs them, control edges included (fetching a
 * Saver's `save/control_dependency` runs its `SaveV2`, into the session's file sink). Variable
 * writes (`Assign*`, `ResourceApply*`) run as TensorFlow runs them, control edges included, except
 * while a session runs its init op: there graft's checkpoint values stand for the restore, and an
 * initializer would overwrite them.
 */
export const STATE_WRITE_OPS: ReadonlySet<string> = new Set([
  'Assign', 'AssignAdd', 'AssignSub', 'AssignVariableOp', 'AssignAddVariableOp', 'AssignSubVariableOp',
  'ScatterUpdate', 'ResourceScatterUpdate', 'SaveV2', 'Save', 'RestoreV2', 'Restore', 'MergeV2Checkpoints',
]);

/** The ops among `STATE_WRITE_OPS` skipped behind control edges even in ordinary runs (restores). */
export const CHECKPOINT_OPS: ReadonlySet<string> = new Set(['RestoreV2', 'Restore', 'ScatterUpdate', 'ResourceScatterUpdate']);

const DEAD = Symbol('dead');
type Slot = Value | typeof DEAD | undefined;

/** Reference counts of tfjs tensors held by edges; pinned tensors (constants, variables) live for the session. */
export class Heap {
  private readonly counts = new Map<TFTensor, number>();
  private readonly pinned = new Set<TFTensor>();
  constructor(private readonly tf: TF) {}
  retain(v: Value): void {
    if (v.kind === 'tensor') this.counts.set(v.t, (this.counts.get(v.t) ?? 0) + 1);
    else if (v.kind === 'tensor-array') for (const e of v.elements) if (e) this.retain(e);
  }
  /** Drops one reference; disposes at zero unless `keep` (ownership handed to the caller). */
  release(v: Value, keep = false): void {
    if (v.kind === 'tensor-array') {
      for (const e of v.elements) if (e) this.release(e, keep);
      return;
    }
    if (v.kind !== 'tensor') return;
    const c = (this.counts.get(v.t) ?? 0) - 1;
    if (c > 0) {
      this.counts.set(v.t, c);
      return;
    }
    this.counts.delete(v.t);
    if (!keep) this.disposeIfFree(v);
  }
  /** Disposes a tensor no edge holds. */
  disposeIfFree(v: Value): void {
    if (v.kind === 'tensor' && !this.counts.has(v.t) && !this.pinned.has(v.t)) v.t.dispose();
  }
  pin(t: TFTensor): TFTensor {
    this.tf.keep(t);
    this.pinned.add(t);
    return t;
  }
  /** Ends a pin (a variable's old value once it is overwritten): disposed now unless an edge still holds it. */
  unpin(t: TFTensor): void {
    if (!this.pinned.delete(t)) return;
    if (!this.counts.has(t)) t.dispose();
  }
  isPinned(t: TFTensor): boolean {
    return this.pinned.has(t);
  }
  disposeAll(): void {
    for (const t of this.pinned) t.dispose();
    this.pinned.clear();
    for (const t of this.counts.keys()) t.dispose();
    this.counts.clear();
  }
}

/** What a run needs from its session. */
export interface Env {
  readonly tf: TF;
  readonly backend: Backend;
  readonly kernels: KernelRegistry;
  readonly variables: ReadonlyMap<string, Tensor>;
  readonly heap: Heap;
  /** Const and variable values converted once per session. */
  /** Per-session values: variables by `var:<key>`, and the outputs of constant nodes by node. */
  readonly cache: Map<unknown, Value | Value[]>;
  readonly library: FunctionLibrary;
  /** Session-scoped kernel state (lookup tables, Print counters). */
  readonly resources: Map<string, unknown>;
  /** Where Print/PrintV2 text goes (dropped when absent). */
  readonly print?: (text: string, stream: string) => void;
  /** How kernels read files (vocabulary assets); absent: reading fails with a clear error. */
  readonly readFile?: (path: string) => Promise<Uint8Array>;
  /** Where kernels write files (SaveV2, MergeV2Checkpoints); absent: writing fails (`runtime/no-file-sink`). */
  readonly writeFile?: (path: string, bytes: Uint8Array) => Promise<void> | void;
  /** How kernels delete the files they moved (MergeV2Checkpoints); absent: nothing is deleted. */
  readonly deleteFile?: (path: string) => Promise<void> | void;
  readonly limits: Required<RuntimeLimits>;
  /** Keys of the variables written in this session (their values live in `cache` as `var:<key>`). */
  readonly written: Set<string>;
}

function bytesPerElement(dtype: DType): number {
  const b = baseDType(dtype);
  if (b === 'string' || b === 'resource' || b === 'variant') return 8;
  return dtypeSizeOf(b);
}

function dtypeSizeOf(b: DType): number {
  switch (b) {
    case 'double': case 'int64': case 'uint64': case 'complex64': return 8;
    case 'complex128': return 16;
    case 'half': case 'bfloat16': case 'int16': case 'uint16': case 'qint16': case 'quint16': return 2;
    case 'int8': case 'uint8': case 'qint8': case 'quint8': case 'bool': return 1;
    default: return 4;
  }
}

/** `runtime/too-large` for a tensor of `bytes` over the run's limit. */
export function tooLarge(env: Env, bytes: number, what: string, where: { node?: string; op?: string } = {}): GraftError {
  return new GraftError('runtime/too-large', `${what} would take ${formatBytes(bytes)}, over the run's limit of ${formatBytes(env.limits.maxTensorBytes)} per tensor`, {
    ...where,
    param: 'maxTensorBytes',
    hint: 'Check the shapes the model declares and the inputs it was given; raise the limit (maxTensorBytes) only for a model that needs it.',
  });
}

/** Refuses, before its kernel runs, a node whose outputs would exceed the tensor-size limit. */
function checkEstimate(env: Env, node: Node, inputs: readonly Value[]): void {
  const infos: InputInfo[] = inputs.map((v) => {
    const shape = v.kind === 'tensor' || v.kind === 'host' ? valueShape(v) : null;
    return {
      shape,
      dtype: valueDType(v),
      // Only small inputs are read (shapes, sizes, multiples); reading a large one would cost a copy.
      values: () => (shape && numElements(shape) <= 64 ? safeNumbers(v) : undefined),
    };
  });
  const bytes = estimateOutputBytes(node, infos);
  if (bytes !== undefined && bytes > env.limits.maxTensorBytes) {
    throw tooLarge(env, bytes, `Node '${node.name}' (${node.op}): its output`, { node: node.name, op: node.op });
  }
}

function safeNumbers(v: Value): number[] | undefined {
  try {
    return valueNumbers(v);
  } catch {
    return undefined;
  }
}

function valueBytes(v: Value): number {
  if (v.kind === 'tensor') return v.t.size * bytesPerElement(v.dtype);
  if (v.kind === 'host') return numElements(v.t.shape) * bytesPerElement(v.t.dtype);
  return 0;
}

interface Frame {
  readonly key: string;
  readonly name: string;
  readonly parent: Tag | null;
  readonly iterations: Set<number>;
  /** Loop invariants: `Enter(is_constant)` values, delivered to every iteration. */
  readonly constants: { node: Node; value: Slot }[];
}

interface Tag {
  readonly frame: Frame;
  readonly iter: number;
}

interface Activation {
  readonly node: Node;
  readonly tag: Tag;
  readonly key: string;
  readonly slots: Slot[];
  pending: number;
  /** Merge: dead data inputs so far, and whether it has fired. */
  deadData: number;
  fired: boolean;
  controlsLeft: number;
}

function tagKey(t: Tag): string {
  return `${t.frame.key}@${t.iter}`;
}

/** Nodes needed to compute `targets`: the backward closure over data and control inputs. */
export function closure(program: Program, targets: readonly string[], fedNodes: ReadonlySet<string> = new Set(), skipWrites = false): Set<string> {
  const skipped = skipWrites ? STATE_WRITE_OPS : CHECKPOINT_OPS;
  const needed = new Set<string>();
  const stack = [...targets];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (needed.has(name)) continue;
    const node = program.byName.get(name);
    if (!node) throw new GraftError('graph/missing-node', `${program.name ? `Function '${program.name}': n` : 'N'}o node '${name}'`, { node: name });
    needed.add(name);
    if (fedNodes.has(name)) continue;
    for (const ref of program.inputs.get(name) ?? []) {
      if (ref.control) {
        const src = program.byName.get(ref.node);
        if (src && skipped.has(src.op)) continue;
      }
      stack.push(ref.node);
    }
  }
  return needed;
}

/** The functions a node calls (f, then/else branches, cond/body). */
export function calledFunctions(node: Node): FuncRef[] {
  const out: FuncRef[] = [];
  for (const key of ['f', 'then_branch', 'else_branch', 'cond', 'body']) {
    const a = node.attrs[key];
    if (a?.kind === 'func') out.push(a.value);
  }
  return out;
}

/** Function-call and functional control-flow ops (their bodies come from the library). */
export const CALL_OPS: ReadonlySet<string> = new Set([
  'PartitionedCall', 'StatefulPartitionedCall', 'If', 'StatelessIf', 'While', 'StatelessWhile',
]);

function isLoopMerge(program: Program, node: Node): boolean {
  for (const ref of program.inputs.get(node.name) ?? []) {
    if (ref.control) continue;
    const src = program.byName.get(ref.node);
    if (src && (src.op === 'NextIteration' || src.op === 'RefNextIteration')) return true;
  }
  return false;
}

/** The TensorFlow dtype a tfjs kernel output stands for. */
function outputDType(node: Node, t: TFTensor): DType {
  if (t.dtype === 'float32') return 'float';
  if (t.dtype === 'bool') return 'bool';
  if (t.dtype === 'string') return 'string';
  if (t.dtype === 'int32') {
    for (const name of ['out_type', 'DstT', 'output_type', 'dtype', 'T']) {
      const a = attrWithDefault(node, name);
      if (a?.kind === 'type') {
        const b = baseDType(a.value);
        if (tfjsDType(b) === 'int32') return b;
      }
    }
    return 'int32';
  }
  return 'float';
}

const WRAP: Record<string, [number, boolean]> = { uint8: [8, false], int8: [8, true], uint16: [16, false], int16: [16, true] };

/** Builds the kernel context of one node. */
export function makeContext(env: Env, node: Node, inputs: readonly Value[], callDepth: number): KernelContext {
  const { tf } = env;
  const where = { node: node.name, op: node.op };
  const fail = (message: string, code: 'runtime/failed' | 'runtime/unsupported-dtype' | 'runtime/unsupported-op' = 'runtime/failed') =>
    new GraftError(code, `Node '${node.name}' (${node.op}): ${message}`, where);
  const get = (name: string): AttrValue | undefined => attrWithDefault(node, name);
  const need = (i: number): Value => {
    const v = inputs[i];
    if (!v) throw fail(`has no input ${i}`);
    return v;
  };
  const ctx: KernelContext = {
    node,
    tf,
    limits: env.limits,
    backend: env.backend,
    inputs,
    input(i) {
      const v = need(i);
      if (v.kind === 'tensor') return v.t;
      if (v.kind === 'host') return hostToTF(tf, v.t, where);
      throw fail(`input ${i} is a ${v.kind}, not a tensor`);
    },
    host(i) {
      return valueToHost(need(i), where);
    },
    numbers(i) {
      return valueNumbers(need(i), where);
    },
    dtype(i) {
      return valueDType(need(i));
    },
    attr: get,
    attrInt(name, fallback) {
      const n = attrNumber(get(name));
      if (n !== undefined) return n;
      if (fallback !== undefined) return fallback;
      throw fail(`missing int attribute '${name}'`);
    },
    attrInts(name) {
      const a = get(name);
      if (a?.kind === 'list') return (a.value.i ?? []).map(Number);
      throw fail(`missing list(int) attribute '${name}'`);
    },
    attrFloat(name, fallback) {
      const n = attrNumber(get(name));
      if (n !== undefined) return n;
      if (fallback !== undefined) return fallback;
      throw fail(`missing float attribute '${name}'`);
    },
    attrBool(name, fallback) {
      const a = get(name);
      if (a?.kind === 'b') return a.value;
      if (fallback !== undefined) return fallback;
      throw fail(`missing bool attribute '${name}'`);
    },
    attrString(name, fallback) {
      const a = get(name);
      if (a?.kind === 's') return attrText(a.value);
      if (fallback !== undefined) return fallback;
      throw fail(`missing string attribute '${name}'`);
    },
    attrType(name, fallback) {
      const a = get(name);
      if (a?.kind === 'type') return baseDType(a.value);
      if (fallback !== undefined) return fallback;
      throw fail(`missing type attribute '${name}'`);
    },
    attrTypes(name) {
      const a = get(name);
      if (a?.kind === 'list') return (a.value.type ?? []).map(baseDType);
      return [];
    },
    out(t, dtype) {
      return { kind: 'tensor', dtype: baseDType(dtype), t };
    },
    async call(fn, args) {
      const def = findFunction(env.library, fn.name);
      if (!def) throw fail(`calls function '${fn.name}', which is not in the graph's library`, 'runtime/unsupported-op');
      if (callDepth > 64) throw fail('function calls nest deeper than 64 levels');
      const program = functionProgram(def, env.library);
      if (args.length !== program.args.length) throw fail(`passes ${args.length} arguments to '${fn.name}', which takes ${program.args.length}`);
      const feeds = new Map<string, Value[]>();
      program.args.forEach((a, i) => feeds.set(a, [args[i]!]));
      // The caller keeps its arguments: hold them while the callee runs so it never frees them.
      for (const a of args) env.heap.retain(a);
      let outs: Value[];
      try {
        // The function's control outputs run too (its variable updates), as TensorFlow runs them.
        const fetches = [...program.rets, ...program.controlRets.map((n) => ({ node: n, port: 0, control: true }))];
        outs = await runProgram(env, program, feeds, fetches, callDepth + 1);
        for (const c of outs.splice(program.rets.length)) env.heap.release(c);
      } finally {
        for (const a of args) env.heap.release(a, true);
      }
      // Hand the sub-run's references over: the outputs are then fresh kernel outputs.
      for (const o of outs) env.heap.release(o, true);
      return outs;
    },
    assignVariable(key, v) {
      const old = env.cache.get(`var:${key}`) as Value | undefined;
      // A copy of its own, pinned: the value written may be a cached constant or an edge's tensor.
      const stored: Value = v.kind === 'tensor' ? { kind: 'tensor', dtype: v.dtype, t: env.heap.pin(tf.clone(v.t)) } : v.kind === 'host' ? { kind: 'host', t: v.t } : v;
      env.cache.set(`var:${key}`, stored);
      env.written.add(key);
      if (old?.kind === 'tensor' && (stored.kind !== 'tensor' || old.t !== stored.t)) env.heap.unpin(old.t);
      return stored;
    },
    variable(key) {
      const cached = env.cache.get(`var:${key}`) as Value | undefined;
      if (cached) return cached;
      const t = env.variables.get(key);
      if (!t) {
        throw new GraftError('runtime/missing-variable', `Node '${node.name}' (${node.op}): no value for variable '${key}'`, {
          ...where,
          hint: 'Pass the values as options.variables (variablesFromCheckpoint or savedModelVariables).',
        });
      }
      const v = toValue(env, t, where, true);
      env.cache.set(`var:${key}`, v);
      return v;
    },
    resources: env.resources,
    print(text, stream) {
      env.print?.(text, stream);
    },
    async readFile(path) {
      if (!env.readFile) {
        throw new GraftError('runtime/failed', `Node '${node.name}' (${node.op}): cannot read '${path}': this session was given no file reader`, {
          ...where,
          hint: 'Pass options.readFile (loadRunnable and graft optimize supply one that reads the SavedModel\'s assets).',
        });
      }
      try {
        return await env.readFile(path);
      } catch (e) {
        if (isGraftError(e)) throw new GraftError(e.code, `Node '${node.name}' (${node.op}): ${e.message}`, { ...where, cause: e });
        throw new GraftError('runtime/failed', `Node '${node.name}' (${node.op}): cannot read '${path}': ${(e as Error).message}`, { ...where, cause: e });
      }
    },
    async writeFile(path, bytes) {
      if (!env.writeFile) {
        throw new GraftError('runtime/no-file-sink', `Node '${node.name}' (${node.op}): cannot write '${path}': this session was given no file sink (writeFile); graft never writes a graph's files to disk`, {
          ...where,
          hint: 'Give the session a sink: createSession(graph, { ...memoryFiles() }) keeps what the graph writes in a Map.',
        });
      }
      try {
        await env.writeFile(path, bytes);
      } catch (e) {
        if (isGraftError(e)) throw new GraftError(e.code, `Node '${node.name}' (${node.op}): ${e.message}`, { ...where, cause: e });
        throw new GraftError('runtime/failed', `Node '${node.name}' (${node.op}): cannot write '${path}': ${(e as Error).message}`, { ...where, cause: e });
      }
    },
    async deleteFile(path) {
      if (!env.deleteFile) return false;
      try {
        await env.deleteFile(path);
        return true;
      } catch {
        return false;
      }
    },
    free(v, keep = []) {
      if (v.kind === 'tensor' && keep.some((k) => k.kind === 'tensor' && k.t === v.t)) return;
      if (v.kind === 'tensor' && inputs.some((k) => k.kind === 'tensor' && k.t === v.t)) return;
      env.heap.disposeIfFree(v);
    },
    fail,
  };
  return ctx;
}

/**
 * An IR tensor as a runtime value: a pinned tfjs tensor when tfjs holds it exactly (or `pin` is
 * false: a fresh one), else a host value.
 */
export function toValue(env: Env, t: Tensor, where: { node?: string; op?: string }, pin: boolean): Value {
  const b = baseDType(t.dtype);
  // Before expanding: a Const may declare a huge shape with one repeated value.
  for (const d of t.shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new GraftError('graph/bad-tensor', `${where.node ? `Node '${where.node}': a` : 'A'} ${b} tensor has shape [${t.shape.join(',')}]: dimensions must be non-negative integers`, where);
    }
  }
  const bytes = numElements(t.shape) * bytesPerElement(b);
  if (bytes > env.limits.maxTensorBytes) throw tooLarge(env, bytes, `${where.node ? `Node '${where.node}': a` : 'A'} ${b}[${t.shape.join(',')}] tensor`, where);
  if (b === 'resource' || b === 'variant') return { kind: 'host', t };
  if (!tfjsDType(b)) return { kind: 'host', t };
  try {
    const tt = hostToTF(env.tf, t, where);
    return { kind: 'tensor', dtype: b, t: pin ? env.heap.pin(tt) : tt };
  } catch (e) {
    // int64 beyond int32 stays on the host; kernels that need it in tfjs refuse there.
    if (isGraftError(e) && e.code === 'runtime/unsupported-dtype') return { kind: 'host', t };
    throw e;
  }
}

/** Runs a kernel with a tfjs scope around it, and turns its outputs into values. */
export async function runKernel(env: Env, kernel: Kernel, ctx: KernelContext): Promise<Value[]> {
  const { tf, node } = ctx;
  checkEstimate(env, node, ctx.inputs);
  const engine = tf.engine();
  engine.startScope(`graft:${node.name}`);
  let raw: readonly unknown[] = [];
  let scoped = true;
  try {
    raw = await kernel(ctx);
    const outs: Value[] = [];
    for (const r of raw) outs.push(asValue(env, node, r, ctx.inputs));
    // Ops the estimate does not know are checked once they ran: the value is refused, not kept.
    for (const v of outs) {
      const bytes = valueBytes(v);
      if (bytes > env.limits.maxTensorBytes) throw tooLarge(env, bytes, `Node '${node.name}' (${node.op}): its output`, { node: node.name, op: node.op });
    }
    const keep: TFTensor[] = [];
    for (const v of outs) collectTensors(v, keep);
    scoped = false;
    engine.endScope(keep);
    return outs;
  } catch (e) {
    if (scoped) engine.endScope();
    if (isGraftError(e)) throw e;
    if (isResourceError(e)) {
      throw new GraftError('runtime/too-large', `Node '${node.name}' (${node.op}) failed: ${describeError(e)}`, { node: node.name, op: node.op, cause: e, param: 'maxTensorBytes' });
    }
    throw new GraftError('runtime/failed', `Node '${node.name}' (${node.op}) failed: ${describeError(e)}`, { node: node.name, op: node.op, cause: e });
  }
}

function collectTensors(v: Value, into: TFTensor[]): void {
  if (v.kind === 'tensor') into.push(v.t);
  else if (v.kind === 'tensor-array') for (const e of v.elements) if (e) collectTensors(e, into);
}

function isTFTensor(x: unknown): x is TFTensor {
  return typeof x === 'object' && x !== null && 'dataId' in x && 'shape' in x && 'dtype' in x;
}

function isValue(x: unknown): x is Value {
  return typeof x === 'object' && x !== null && 'kind' in x && ['tensor', 'host', 'resource', 'tensor-array', 'tensor-list'].includes((x as { kind: string }).kind);
}

function asValue(env: Env, node: Node, r: unknown, inputs: readonly Value[]): Value {
  if (isValue(r)) return r.kind === 'tensor' ? wrapSmallInts(env, node, r, inputs) : r;
  if (isTFTensor(r)) return wrapSmallInts(env, node, { kind: 'tensor', dtype: outputDType(node, r), t: r }, inputs);
  if (typeof r === 'object' && r !== null && 'data' in r && 'dtype' in r && 'shape' in r) {
    // IR tensors go to tfjs when it holds them exactly (created inside the kernel's scope).
    return toValue(env, r as Tensor, { node: node.name, op: node.op }, false);
  }
  throw new GraftError('runtime/failed', `Node '${node.name}' (${node.op}): the kernel returned something that is not a tensor`, { node: node.name, op: node.op });
}

/** uint8/int8/int16/uint16 computed in int32 wrap around as TensorFlow's narrow types do. */
function wrapSmallInts(env: Env, node: Node, v: Value & { kind: 'tensor' }, inputs: readonly Value[]): Value {
  const w = WRAP[v.dtype];
  if (!w || v.t.dtype !== 'int32') return v;
  if (inputs.some((i) => i.kind === 'tensor' && i.t === v.t)) return v;
  const { tf } = env;
  const [bits, signed] = w;
  const m = 2 ** bits;
  const t = signed ? tf.sub(tf.mod(tf.add(v.t, m / 2), m), m / 2) : tf.mod(v.t, m);
  void node;
  return { kind: 'tensor', dtype: v.dtype, t };
}

function truthy(v: Value, node: Node): boolean {
  const n = valueNumbers(v, { node: node.name });
  if (n.length !== 1) throw new GraftError('runtime/failed', `Node '${node.name}' (${node.op}): the predicate must be a scalar, got ${n.length} elements`, { node: node.name, op: node.op });
  return n[0] !== 0;
}

/**
 * Runs `program` for `fetches` (flat refs), with `feeds` (node name → its output values).
 * Returns one value per fetch, each holding one reference that the caller must release.
 */
export async function runProgram(
  env: Env,
  program: Program,
  feeds: ReadonlyMap<string, readonly Value[]>,
  fetches: readonly InputRef[],
  callDepth = 0,
  skipWrites = false,
): Promise<Value[]> {
  const run = new ProgramRun(env, program, feeds, fetches, callDepth, skipWrites);
  try {
    run.seedSources();
    await run.drain();
    return run.fetched();
  } catch (e) {
    run.releaseResults();
    throw e;
  } finally {
    run.releaseHeld();
  }
}

const isMergeOp = (op: string) => op === 'Merge' || op === 'RefMerge';
const isEnterOp = (op: string) => op === 'Enter' || op === 'RefEnter';
const isExitOp = (op: string) => op === 'Exit' || op === 'RefExit';
const isNextIterationOp = (op: string) => op === 'NextIteration' || op === 'RefNextIteration';

/**
 * One run of a program: TensorFlow's dataflow executor in small. Activations (a node at a frame
 * and iteration) collect their inputs in slots and fire when ready; values and dead markers are
 * delivered to consumers; TF1 loops run as frames of iterations (Enter, Merge, Switch,
 * NextIteration, Exit). Every held value is reference-counted on the heap.
 */
class ProgramRun {
  private readonly heap: Heap;
  private readonly needed: Set<string>;
  /** A feed that replaces a constant node would make the cached values downstream of it stale. */
  private readonly cacheConstants: boolean;
  private readonly rootFrame: Frame = { key: '', name: '', parent: null, iterations: new Set([0]), constants: [] };
  private readonly root: Tag = { frame: this.rootFrame, iter: 0 };
  private readonly frames = new Map<string, Frame>([['', this.rootFrame]]);
  private readonly acts = new Map<string, Activation>();
  private readonly ready: Activation[] = [];
  private readonly results: Slot[];
  /** `node:port` (`node:-1` for a control fetch) → the fetch indexes it answers. */
  private readonly fetchIndex = new Map<string, number[]>();
  private readonly heldByRun: Value[] = [];
  private readonly deadExits: { node: Node; tag: Tag }[] = [];
  private readonly liveExits = new Set<string>();
  private readonly loopMerges = new Map<string, boolean>();

  constructor(
    private readonly env: Env,
    private readonly program: Program,
    private readonly feeds: ReadonlyMap<string, readonly Value[]>,
    private readonly fetches: readonly InputRef[],
    private readonly callDepth: number,
    skipWrites: boolean,
  ) {
    this.heap = env.heap;
    this.needed = closure(program, fetches.map((f) => f.node), new Set(feeds.keys()), skipWrites);
    this.cacheConstants = ![...feeds.keys()].some((name) => program.constantNodes.has(name));
    this.results = fetches.map(() => undefined);
    fetches.forEach((f, i) => {
      // A control fetch (`^node`) is a target: the node runs, and its result is a control marker.
      const k = f.control ? `${f.node}:-1` : `${f.node}:${f.port}`;
      this.fetchIndex.set(k, [...(this.fetchIndex.get(k) ?? []), i]);
    });
  }

  // ---- scheduling

  private neededInputs(node: Node): number {
    let n = 0;
    for (const ref of this.program.inputs.get(node.name) ?? []) if (this.needed.has(ref.node)) n++;
    return n;
  }

  private activation(node: Node, tag: Tag): Activation {
    const key = `${tagKey(tag)}|${node.name}`;
    let a = this.acts.get(key);
    if (!a) {
      const refs = this.program.inputs.get(node.name) ?? [];
      const controls = refs.filter((r) => r.control && this.needed.has(r.node)).length;
      a = { node, tag, key, slots: new Array<Slot>(refs.length), pending: this.neededInputs(node), deadData: 0, fired: false, controlsLeft: controls };
      this.acts.set(key, a);
    }
    return a;
  }

  private mergeReady(a: Activation): boolean {
    if (a.fired || a.controlsLeft > 0) return false;
    const refs = this.program.inputs.get(a.node.name) ?? [];
    let loop = this.loopMerges.get(a.node.name);
    if (loop === undefined) this.loopMerges.set(a.node.name, (loop = isLoopMerge(this.program, a.node)));
    const expected = loop ? 1 : refs.filter((r) => !r.control).length;
    const live = a.slots.some((s, i) => !refs[i]!.control && s !== undefined && s !== DEAD);
    return live || a.deadData >= expected;
  }

  private frameOf(parent: Tag, name: string): Frame {
    const key = `${tagKey(parent)}/${name}`;
    let f = this.frames.get(key);
    if (!f) {
      f = { key, name, parent, iterations: new Set([0]), constants: [] };
      this.frames.set(key, f);
    }
    return f;
  }

  /** Puts a value (or dead marker) on one input of a consumer and schedules it when ready. */
  private put(consumer: Node, inputIndex: number, control: boolean, tag: Tag, slot: Slot): void {
    const a = this.activation(consumer, tag);
    if (a.fired) return; // a Merge's later inputs are ignored
    if (a.slots[inputIndex] !== undefined) return;
    a.slots[inputIndex] = slot;
    if (slot !== DEAD && slot !== undefined) this.heap.retain(slot);
    if (isMergeOp(consumer.op)) {
      if (control) a.controlsLeft--;
      else if (slot === DEAD) a.deadData++;
      if (this.mergeReady(a)) {
        a.fired = true;
        this.ready.push(a);
      }
      return;
    }
    a.pending--;
    if (a.pending === 0) this.ready.push(a);
  }

  /** Delivers a node's outputs (or its deadness) at `tag` to the fetches and every needed consumer. */
  private deliver(node: Node, tag: Tag, outs: readonly Slot[] | 'dead'): void {
    const nodeDead = outs === 'dead';
    if (tag.frame === this.rootFrame) this.answerFetches(node, nodeDead ? 'dead' : outs);
    for (const c of this.program.consumers.get(node.name) ?? []) {
      if (!this.needed.has(c.node.name)) continue;
      let slot: Slot;
      if (c.ref.control) slot = nodeDead ? DEAD : ({ kind: 'host', t: CONTROL } as Value);
      else if (nodeDead) slot = DEAD;
      else {
        slot = outs[c.ref.port];
        if (slot === undefined) {
          throw new GraftError('runtime/failed', `Node '${c.node.name}' reads output ${c.ref.port} of '${node.name}' (${node.op}), which produced ${outs.length}`, {
            node: c.node.name,
          });
        }
      }
      this.put(c.node, c.inputIndex, c.ref.control, tag, slot);
    }
  }

  /** A root-frame node's outputs that are fetched, kept (retained) as results. */
  private answerFetches(node: Node, outs: readonly Slot[] | 'dead'): void {
    const nodeDead = outs === 'dead';
    const outsArr = nodeDead ? [] : outs;
    for (const [k, idxs] of this.fetchIndex) {
      const [n, p] = splitKey(k);
      if (n !== node.name) continue;
      const s = nodeDead ? DEAD : p < 0 ? ({ kind: 'host', t: CONTROL } as Value) : outsArr[p];
      if (s === undefined) throw new GraftError('graph/missing-node', `Node '${node.name}' (${node.op}) has no output ${p}`, { node: node.name, op: node.op });
      for (const i of idxs) {
        this.results[i] = s;
        if (s !== DEAD) this.heap.retain(s);
      }
    }
  }

  /** Sources: fed nodes and nodes without needed inputs start at the root. */
  seedSources(): void {
    for (const name of this.needed) {
      const node = this.program.byName.get(name)!;
      if (this.feeds.has(name) || this.neededInputs(node) === 0) this.ready.push(this.activation(node, this.root));
    }
  }

  /** Fires ready activations until none is left and no frame can make progress. */
  async drain(): Promise<void> {
    for (;;) {
      if (this.ready.length === 0) {
        if (this.flushDeadExits()) continue;
        break;
      }
      const a = this.ready.pop()!;
      // A fired Merge stays registered so that its later inputs are recognised and ignored.
      if (!isMergeOp(a.node.op)) this.acts.delete(a.key);
      try {
        await this.fire(a);
      } finally {
        for (let i = 0; i < a.slots.length; i++) {
          const s = a.slots[i];
          if (s !== undefined && s !== DEAD) this.heap.release(s);
          a.slots[i] = undefined;
        }
      }
    }
  }

  /**
   * A frame that can make no more progress: its dead Exits become dead in the parent. Keyed by
   * frame, not iteration: every iteration but the last sends a dead value to Exit. False when
   * there were none.
   */
  private flushDeadExits(): boolean {
    const pendingDead = this.deadExits.splice(0).filter((d) => !this.liveExits.has(`${d.tag.frame.key}|${d.node.name}`));
    if (pendingDead.length === 0) return false;
    for (const d of pendingDead) {
      const parent = d.tag.frame.parent ?? this.root;
      const k = `${d.tag.frame.key}|${d.node.name}`;
      if (this.liveExits.has(k)) continue;
      this.liveExits.add(k);
      this.deliver(d.node, parent, 'dead');
    }
    return true;
  }

  // ---- firing one activation

  private async fire(a: Activation): Promise<void> {
    const { node, tag } = a;
    const op = node.op;
    const fed = this.feeds.get(node.name);
    if (fed) this.deliver(node, tag, fed);
    else if (isMergeOp(op)) this.fireMerge(a);
    else if (a.slots.some((s) => s === DEAD)) this.fireDead(a);
    else if (op === 'Switch' || op === 'RefSwitch') {
      const pred = truthy(a.slots[1] as Value, node);
      const data = a.slots[0] as Value;
      this.deliver(node, tag, pred ? [DEAD, data] : [data, DEAD]);
    } else if (isEnterOp(op)) this.fireEnter(a);
    else if (isExitOp(op)) this.fireExit(a);
    else if (isNextIterationOp(op)) this.fireNextIteration(a);
    else await this.fireKernel(a);
  }

  /** The first live data input, and its index as the second output; dead when every input is. */
  private fireMerge(a: Activation): void {
    const refs = this.program.inputs.get(a.node.name) ?? [];
    const i = a.slots.findIndex((s, j) => !refs[j]!.control && s !== undefined && s !== DEAD);
    if (i < 0) return this.deliver(a.node, a.tag, 'dead');
    const idx = this.env.tf.scalar(i, 'int32');
    const outs: Slot[] = [a.slots[i], { kind: 'tensor', dtype: 'int32', t: idx }];
    this.deliver(a.node, a.tag, outs);
    this.heap.disposeIfFree(outs[1] as Value);
  }

  /** A dead input makes the node dead, except where deadness means something to a loop. */
  private fireDead({ node, tag }: Activation): void {
    if (isNextIterationOp(node.op)) return; // a dead value ends the loop: nothing crosses into the next iteration
    if (isExitOp(node.op)) this.deadExits.push({ node, tag });
    else if (isEnterOp(node.op)) this.deliver(node, { frame: this.frameOf(tag, enterFrameName(node)), iter: 0 }, 'dead');
    else this.deliver(node, tag, 'dead');
  }

  /** Into the child frame; a loop invariant (`is_constant`) reaches every iteration, now and later. */
  private fireEnter({ node, tag, slots }: Activation): void {
    const f = this.frameOf(tag, enterFrameName(node));
    const v = slots[0] as Value;
    if (node.attrs.is_constant?.kind === 'b' && node.attrs.is_constant.value) {
      this.heap.retain(v);
      this.heldByRun.push(v);
      f.constants.push({ node, value: v });
      for (const iter of f.iterations) this.deliver(node, { frame: f, iter }, [v]);
    } else {
      this.deliver(node, { frame: f, iter: 0 }, [v]);
    }
  }

  private fireExit({ node, tag, slots }: Activation): void {
    const parent = tag.frame.parent;
    if (!parent) throw new GraftError('runtime/failed', `Exit node '${node.name}' is not inside a loop frame`, { node: node.name, op: node.op });
    this.liveExits.add(`${tag.frame.key}|${node.name}`);
    this.deliver(node, parent, [slots[0] as Value]);
  }

  /** Into the next iteration of the frame (started on first use, with its invariants, under the loop limit). */
  private fireNextIteration({ node, tag, slots }: Activation): void {
    const f = tag.frame;
    const next = tag.iter + 1;
    const nextTag: Tag = { frame: f, iter: next };
    if (!f.iterations.has(next)) {
      f.iterations.add(next);
      const limit = this.env.limits.maxLoopIterations;
      if (next > limit) {
        throw new GraftError('runtime/loop-limit', `Loop frame '${f.name}' ran more than ${limit} iterations (node '${node.name}')`, {
          node: node.name,
          op: node.op,
          param: 'maxLoopIterations',
          hint: 'A loop whose condition never turns false; raise the limit (maxLoopIterations) only for a model that needs more iterations.',
        });
      }
      for (const c of f.constants) this.deliver(c.node, nextTag, [c.value as Value]);
    }
    this.deliver(node, nextTag, [slots[0] as Value]);
  }

  /** Any other op: its kernel, run once per session for constants (and pure ops of constants only). */
  private async fireKernel(a: Activation): Promise<void> {
    const { node, tag } = a;
    const kernel = this.env.kernels.get(node.op);
    if (!kernel) throw new GraftError('runtime/unsupported-op', `No kernel for op ${node.op} (node '${node.name}')`, { node: node.name, op: node.op });
    const refs = this.program.inputs.get(node.name) ?? [];
    const inputs = refs.map((r, i) => (r.control ? undefined : a.slots[i])).filter((s): s is Value => s !== undefined && s !== DEAD);
    const once = this.cacheConstants && this.program.constantNodes.has(node.name);
    let outs = once ? (this.env.cache.get(node) as Value[] | undefined) : undefined;
    if (!outs) {
      outs = await runKernel(this.env, kernel, makeContext(this.env, node, inputs, this.callDepth));
      if (once) {
        for (const o of outs) if (o.kind === 'tensor') this.env.heap.pin(o.t);
        this.env.cache.set(node, outs);
      }
    }
    this.deliver(node, tag, outs);
    for (const o of outs) this.heap.disposeIfFree(o);
  }

  // ---- results and cleanup

  /** One value per fetch; a fetch never computed or dead is an error naming it. */
  fetched(): Value[] {
    const out: Value[] = [];
    for (let i = 0; i < this.fetches.length; i++) {
      const r = this.results[i];
      const f = this.fetches[i]!;
      if (r === undefined) {
        const waiting = [...this.acts.values()].filter((x) => !x.fired).slice(0, 5).map((x) => `'${x.node.name}' (${x.node.op})`);
        throw new GraftError('runtime/failed', `'${f.node}:${f.port}' was never computed${waiting.length ? `; nodes still waiting for inputs: ${waiting.join(', ')}` : ''}`, {
          node: f.node,
        });
      }
      if (r === DEAD) {
        throw new GraftError('runtime/failed', `'${f.node}:${f.port}' is dead: it lies on an untaken branch of a Switch`, { node: f.node });
      }
      out.push(r);
    }
    return out;
  }

  /** On failure: the results held so far. */
  releaseResults(): void {
    for (const r of this.results) if (r !== undefined && r !== DEAD) this.heap.release(r);
  }

  /** Always: loop invariants held by the run, and the inputs of activations that never fired. */
  releaseHeld(): void {
    for (const v of this.heldByRun) this.heap.release(v);
    for (const a of this.acts.values()) for (const s of a.slots) if (s !== undefined && s !== DEAD) this.heap.release(s);
  }
}

const CONTROL: Tensor = Object.freeze({ dtype: 'bool', shape: Object.freeze([]) as readonly number[], data: { kind: 'opaque' } }) as Tensor;

function splitKey(k: string): [string, number] {
  const i = k.lastIndexOf(':');
  return [k.slice(0, i), Number(k.slice(i + 1))];
}

function enterFrameName(node: Node): string {
  const a = node.attrs.frame_name;
  return a?.kind === 's' ? attrText(a.value) : '';
}
