/**
 * Kernels: how one TensorFlow op runs. A kernel is keyed by the op's TensorFlow name and gets a
 * context holding the node, its inputs and tfjs; it returns the node's outputs in order.
 *
 * @example
 * ```ts
 * const kernels = createKernelRegistry().register('MyAddOne', (ctx) => [ctx.tf.add(ctx.input(0), 1)]);
 * await runGraph(graph, feeds, ['out'], { kernels });
 * ```
 */
import type * as tfcore from '@tensorflow/tfjs-core';
import { GraftError } from '../errors';
import type { AttrValue, FuncRef } from '../ir/attr';
import { attrText } from '../ir/attr';
import type { DType } from '../ir/dtype';
import type { Node } from '../ir/node';
import type { Tensor } from '../ir/tensor';
import type { Backend, TF } from './tfjs';
import type { Value } from './values';

/** What a kernel sees. */
/** Bounds on what one run may do, so that a hostile or mistaken graph fails instead of exhausting memory or time. */
export interface RuntimeLimits {
  /** The largest tensor a run may create or be fed, in bytes. Default {@link DEFAULT_MAX_TENSOR_BYTES} (1 GiB). */
  readonly maxTensorBytes?: number;
  /** The most iterations of one while loop (a TF1 loop frame or a `While` op). Default {@link DEFAULT_MAX_LOOP_ITERATIONS}. */
  readonly maxLoopIterations?: number;
}

/** The runtime's default tensor-size limit: 1 GiB. */
export const DEFAULT_MAX_TENSOR_BYTES = 2 ** 30;
/** The runtime's default loop-iteration limit: 100,000. */
export const DEFAULT_MAX_LOOP_ITERATIONS = 100_000;

export interface KernelContext {
  /** The node being run (attributes as written; read them through `attr`, which adds defaults). */
  readonly node: Node;
  /** The run's limits, defaults filled in (a loop kernel checks `maxLoopIterations`). */
  readonly limits: Required<RuntimeLimits>;
  /** tfjs-core, loaded lazily by the runtime. */
  readonly tf: TF;
  readonly backend: Backend;
  /** The inputs as runtime values (tfjs tensors, host tensors, handles). */
  readonly inputs: readonly Value[];
  /** Input `i` as a tfjs tensor; throws `runtime/unsupported-dtype` when tfjs cannot hold it exactly. */
  input(i: number): tfcore.Tensor;
  /** Input `i` as an IR tensor (read back from tfjs when needed). */
  host(i: number): Tensor;
  /** Input `i`'s elements as numbers (shapes, axes, sizes; int64 must be within 2^53). */
  numbers(i: number): number[];
  /** The TensorFlow dtype of input `i`. */
  dtype(i: number): DType;
  /** An attribute, with the OpDef default when TensorFlow stripped it. */
  attr(name: string): AttrValue | undefined;
  attrInt(name: string, fallback?: number): number;
  attrInts(name: string): number[];
  attrFloat(name: string, fallback?: number): number;
  attrBool(name: string, fallback?: boolean): boolean;
  attrString(name: string, fallback?: string): string;
  attrType(name: string, fallback?: DType): DType;
  attrTypes(name: string): DType[];
  /** Tags a tfjs tensor with the TensorFlow dtype it stands for (int64 and uint8 travel as int32). */
  out(t: tfcore.Tensor, dtype: DType): Value;
  /** Runs a library function on values (for call and functional control-flow ops). */
  call(fn: FuncRef, args: readonly Value[]): Promise<Value[]>;
  /** The value of a variable by its key (VariableV2 node name, or VarHandleOp shared_name). */
  variable(key: string): Value;
  /**
   * Writes a variable (by key, as `variable`): later reads in this session see the new value,
   * values read before keep theirs. Returns the value stored.
   */
  assignVariable(key: string, v: Value): Value;
  /**
   * Frees a value this kernel made (e.g. a function call's result it no longer needs), unless
   * one of `keep` holds the same tensor or something else holds it.
   */
  free(v: Value, keep?: readonly Value[]): void;
  /**
   * Session-scoped state of stateful kernels, by key: lookup tables by their resource name,
   * Print's `first_n` counters. It lives as long as the session.
   */
  readonly resources: Map<string, unknown>;
  /**
   * Hands text that Print/PrintV2 write to the caller's sink (`RuntimeOptions.print`), ending
   * included, with the stream TensorFlow would write it to; dropped when there is no sink.
   */
  print(text: string, stream: string): void;
  /** Reads a file a kernel names (a vocabulary asset), through `RuntimeOptions.readFile`. */
  readFile(path: string): Promise<Uint8Array>;
  /**
   * Writes a file a kernel makes (a checkpoint's `.index` and data files) into the session's sink
   * (`RuntimeOptions.writeFile`), never to disk; fails with `runtime/no-file-sink`, naming the
   * node, when the session has no sink.
   */
  writeFile(path: string, bytes: Uint8Array): Promise<void>;
  /**
   * Deletes a file through `RuntimeOptions.deleteFile`, best effort as TensorFlow's merge deletes
   * its inputs: false when the session has no deleter or deleting failed.
   */
  deleteFile(path: string): Promise<boolean>;
  /** A GraftError naming this node. */
  fail(message: string, code?: 'runtime/failed' | 'runtime/unsupported-dtype' | 'runtime/unsupported-op'): GraftError;
}

/**
 * A kernel's outputs, in output order: tfjs tensors (their TensorFlow dtype is taken from the
 * node's attributes where tfjs's own dtype is ambiguous, e.g. int64 held as int32), IR tensors
 * (kept on the host), or runtime values made with `ctx.out`.
 */
export type KernelOutput = readonly (tfcore.Tensor | Tensor | Value)[];

/** Runs one op. Synchronous kernels are preferred; tfjs temporaries are disposed after each call. */
export type Kernel = (ctx: KernelContext) => KernelOutput | Promise<KernelOutput>;

/** Kernels by TensorFlow op name. */
export interface KernelRegistry {
  /** Adds or replaces the kernel of `op`. Returns the registry, for chaining. */
  register(op: string, kernel: Kernel): KernelRegistry;
  get(op: string): Kernel | undefined;
  has(op: string): boolean;
  /** Op names with a kernel, sorted. */
  ops(): string[];
}

class KernelMap implements KernelRegistry {
  private readonly map = new Map<string, Kernel>();
  constructor(private readonly base?: KernelRegistry) {}
  register(op: string, kernel: Kernel): KernelRegistry {
    if (!op) throw new GraftError('runtime/failed', 'A kernel needs an op name');
    this.map.set(op, kernel);
    return this;
  }
  get(op: string): Kernel | undefined {
    return this.map.get(op) ?? this.base?.get(op);
  }
  has(op: string): boolean {
    return this.map.has(op) || (this.base?.has(op) ?? false);
  }
  ops(): string[] {
    return [...new Set([...this.map.keys(), ...(this.base?.ops() ?? [])])].sort();
  }
}

/** A registry layered on `base` (its own kernels win). */
export function layeredRegistry(base?: KernelRegistry): KernelRegistry {
  return new KernelMap(base);
}

/** Reads an attribute value as a number. */
export function attrNumber(v: AttrValue | undefined): number | undefined {
  if (!v) return undefined;
  if (v.kind === 'i') return Number(v.value);
  if (v.kind === 'f') return v.value;
  return undefined;
}

/** Reads a string attribute. */
export function attrStringValue(v: AttrValue | undefined): string | undefined {
  return v?.kind === 's' ? attrText(v.value) : undefined;
}
