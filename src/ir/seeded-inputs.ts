/**
 * Seeded inputs for a graph's placeholders: the one generator behind the runtime's
 * `seededFeeds`, verification's `generateFeeds` and the cost and bench measurements.
 *
 * Values:
 * - floats in [0.05, 1.05): positive and away from zero, so Log, Sqrt, Rsqrt, Reciprocal and
 *   divisions by an input stay finite (a NaN on both sides would hide a real difference);
 * - integers in [0, 10): small enough to be valid indices, lengths and class ids in most graphs;
 * - bools alternating false/true; strings empty.
 * Unknown dimensions become `batch` (default 1); an unknown rank becomes a scalar.
 *
 * Two seedings over the same values: `generateTensor`/`generateFeeds` give each placeholder a
 * stream that depends only on the seed and its name (two versions of a graph get the same
 * inputs); `seededTensor`/`seededFeeds` use the seed as is, one more per placeholder in file order.
 */
import { GraftError } from '../errors';
import { type DType, baseDType, isFloatDType } from './dtype';
import type { Graph } from './graph';
import { attrWithDefault } from './op-facts';
import { placeholderDims } from './placeholder';
import { seededRandom } from './random';
import { type Tensor, formatBytes, makeStringTensor, makeTensor, numElements } from './tensor';
import { checkGraphShallow } from './check';
import { checkArray, checkString } from './check';

/** A placeholder as the generator sees it. */
export interface PlaceholderSpec {
  readonly name: string;
  readonly dtype: DType;
  /** Dimensions with -1 for unknown; null for unknown rank. */
  readonly shape: readonly number[] | null;
}

const PLACEHOLDER_OPS = new Set(['Placeholder', 'PlaceholderV2']);

/** Every `Placeholder` of the graph, in file order (PlaceholderWithDefault is not an input one must feed). */
export function placeholderSpecs(graph: Graph): PlaceholderSpec[] {
  checkGraphShallow('placeholderSpecs', 'graph', graph);
  const out: PlaceholderSpec[] = [];
  for (const node of graph.nodes) {
    if (!PLACEHOLDER_OPS.has(node.op)) continue;
    const dt = attrWithDefault(node, 'dtype');
    // TensorFlow's legacy rule: an empty shape in a producer <= 21 graph is unknown (ir/placeholder).
    const dims = placeholderDims(node, graph);
    out.push({
      name: node.name,
      dtype: dt?.kind === 'type' ? baseDType(dt.value) : 'float',
      shape: dims === null ? null : [...dims],
    });
  }
  return out;
}


/** Refuses a placeholder whose `dtype` is a `DataType` number graft does not know (`graph/unknown-dtype`). */
function knownDType(p: PlaceholderSpec): void {
  if (!p.dtype.startsWith('dtype(')) return;
  throw new GraftError('graph/unknown-dtype', `Placeholder '${p.name}': attribute 'dtype' holds DataType ${p.dtype.slice(6, -1)}, which graft does not know; no input can be generated for it`, {
    node: p.name,
    op: 'Placeholder',
  });
}

/** FNV-1a of the name mixed with the seed: per-placeholder streams independent of node order. */
function streamSeed(seed: number, name: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The concrete shape a generated input gets: unknown dims → `batch`, unknown rank → scalar. */
export function concreteShape(shape: readonly number[] | null, batch = 1): number[] {
  return shape === null ? [] : shape.map((d) => (d < 0 ? batch : d));
}

/** The most bytes one generated input may take unless raised (`maxInputBytes`, `--max_input_mb`): 512 MiB. */
export const DEFAULT_MAX_INPUT_BYTES = 512 * 1024 * 1024;

/**
 * Refuses, before allocating, a generated input over `maxBytes`: unknown dimensions follow the
 * batch size, so `--batch 1000000000` or a placeholder of [25000, 25000] asks for gigabytes.
 */
export function checkGeneratedSize(dtype: DType, shape: readonly number[], name: string, maxBytes = DEFAULT_MAX_INPUT_BYTES): void {
  const b = baseDType(dtype);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new GraftError('runtime/bad-feed', `Cannot generate input '${name}' of shape [${shape.join(',')}]: dimensions must be non-negative integers`, { node: name });
  }
  const size = b === 'double' || b === 'int64' || b === 'uint64' || b === 'string' ? 8 : 4;
  const bytes = numElements(shape) * size;
  if (bytes > maxBytes) {
    throw new GraftError(
      'runtime/too-large',
      `Generated input '${name}' would be ${b}[${shape.join(',')}], ${formatBytes(bytes)}: over the ${formatBytes(maxBytes)} limit for a generated input`,
      { node: name, param: 'maxInputBytes', hint: 'Use a smaller batch size for unknown dimensions, feed the input from a file, or raise the limit (maxInputBytes).' },
    );
  }
}

/**
 * A deterministic tensor of `dtype` and `shape` (see the module comment for the value ranges).
 * Refuses (`runtime/too-large`) a tensor over `maxBytes` before allocating it.
 *
 * @example
 * ```ts
 * generateTensor('float', [1, 784], 7, 'input'); // same values on every run and platform
 * ```
 */
export function generateTensor(dtype: DType, shape: readonly number[], seed: number, name = '', maxBytes = DEFAULT_MAX_INPUT_BYTES): Tensor {
  checkString('generateTensor', 'dtype', dtype);
  checkArray('generateTensor', 'shape', shape, 'an array of dimensions');
  checkGeneratedSize(dtype, shape, name, maxBytes);
  return randomTensor(dtype, shape, seededRandom(streamSeed(seed, name)));
}

/** A tensor of `dtype`/`shape` with values drawn from `rnd` (see the module comment for the ranges); typed arrays, no per-element boxing. */
function randomTensor(dtype: DType, shape: readonly number[], rnd: () => number): Tensor {
  const b = baseDType(dtype);
  const n = numElements(shape);
  if (b === 'string') return makeStringTensor(shape, Array.from({ length: n }, () => ''));
  if (b === 'bool') {
    const v = new Uint8Array(n);
    for (let i = 0; i < n; i++) v[i] = i % 2;
    return makeTensor('bool', shape, v);
  }
  if (isFloatDType(b)) {
    // half/bfloat16 placeholders are fed float32 values; the runtime rounds them on the way in.
    const v = b === 'double' ? new Float64Array(n) : new Float32Array(n);
    for (let i = 0; i < n; i++) v[i] = 0.05 + rnd();
    return makeTensor(b === 'double' ? 'double' : 'float', shape, v);
  }
  if (b === 'int64' || b === 'uint64') {
    const v = b === 'int64' ? new BigInt64Array(n) : new BigUint64Array(n);
    for (let i = 0; i < n; i++) v[i] = BigInt(Math.floor(rnd() * 10));
    return makeTensor(b, shape, v);
  }
  const v = new Array<number>(n);
  for (let i = 0; i < n; i++) v[i] = Math.floor(rnd() * 10);
  return makeTensor(b, shape, v);
}

export interface GenerateOptions {
  /** Default 1. */
  readonly seed?: number;
  /** The size of unknown dimensions. Default 1. */
  readonly batch?: number;
  /** Only these placeholders (node names). */
  readonly only?: readonly string[];
  /** Skip these (node names), e.g. the ones fed from files. */
  readonly skip?: readonly string[];
  /** The most bytes one generated input may take. Default {@link DEFAULT_MAX_INPUT_BYTES}. */
  readonly maxInputBytes?: number;
}

/**
 * Generated inputs for a graph's placeholders, keyed by node name.
 *
 * @example
 * ```ts
 * const feeds = generateFeeds(graph, { seed: 1, batch: 4 });
 * ```
 */
export function generateFeeds(graph: Graph, opts: GenerateOptions = {}): Record<string, Tensor> {
  checkGraphShallow('generateFeeds', 'graph', graph);
  const seed = opts.seed ?? 1;
  const batch = opts.batch ?? 1;
  if (!Number.isInteger(batch) || batch < 0) throw new GraftError('runtime/bad-feed', `batch must be a non-negative integer, not ${batch}`);
  const only = opts.only ? new Set(opts.only) : undefined;
  const skip = new Set(opts.skip ?? []);
  const out: Record<string, Tensor> = {};
  for (const p of placeholderSpecs(graph)) {
    if ((only && !only.has(p.name)) || skip.has(p.name)) continue;
    knownDType(p);
    out[p.name] = generateTensor(p.dtype, concreteShape(p.shape, batch), seed, p.name, opts.maxInputBytes);
  }
  return out;
}

/** A tensor of `dtype`/`shape` with values from `seed` itself (see the module comment for the ranges). */
export function seededTensor(dtype: DType, shape: readonly number[], seed = 1): Tensor {
  checkGeneratedSize(dtype, shape, 'seeded input');
  return randomTensor(dtype, shape, seededRandom(seed));
}

/**
 * Seeded feeds for every `Placeholder` of `graph` (or those named in `only`), keyed by node name;
 * seeds `seed`, `seed + 1`... in file order.
 *
 * @example
 * ```ts
 * const feeds = seededFeeds(graph);
 * const outs = await runGraph(graph, feeds, ['Softmax']);
 * ```
 */
export function seededFeeds(graph: Graph, opts: { seed?: number; only?: readonly string[] } = {}): Record<string, Tensor> {
  checkGraphShallow('seededFeeds', 'graph', graph);
  const out: Record<string, Tensor> = {};
  const only = opts.only ? new Set(opts.only) : undefined;
  let seed = opts.seed ?? 1;
  for (const p of placeholderSpecs(graph)) {
    if (only && !only.has(p.name)) continue;
    knownDType(p);
    out[p.name] = seededTensor(p.dtype, concreteShape(p.shape), seed++);
  }
  return out;
}
