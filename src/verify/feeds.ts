/**
 * Inputs for running and comparing graphs: read from files (`name=file.npy`, `name=file.json`,
 * `name=@file` for a file's raw bytes as a string scalar,
 * `name=[1,2,3]`), or generated deterministically from the placeholders' dtypes and shapes
 * (the generator lives in `ir/seeded-inputs.ts`, shared with the runtime's `seededFeeds`).
 *
 * A string input read by a tf.Example parse op (`ParseExample`, TF Serving's classify/regress
 * `tf_example`) takes JSON examples, `name=examples.json` holding `[{"x": 1.5}, {"x": [2, 3]}]`:
 * each object is serialized as a `tf.Example`, each feature's list kind (float, int64, bytes)
 * taken from the parse op's declared dtype; generated values are seeded records that satisfy
 * the parse op (verify/examples).
 *
 * Each generated placeholder's values depend only on the seed and its name, not on node order,
 * so two versions of a graph get the same inputs.
 */
import { GraftError, badArgument } from '../errors';
import { type DType, baseDType, isFloatDType, parseDType } from '../ir/dtype';
import type { Graph } from '../ir/graph';
import { parseInput } from '../ir/node';
import { type Tensor, makeStringTensor, makeTensor, numElements, tensorToArray, tensorToNumbers } from '../ir/tensor';
import type { FileSystem } from '../io/fs';
import type { TensorInfo } from '../io/saved-model';
import { type GenerateOptions, checkGeneratedSize, generateFeeds as generatePlaceholderFeeds, generateTensor, placeholderSpecs } from '../ir/seeded-inputs';
import { examplesShape, exampleParsers, synthesizeExamples } from './examples';

export { DEFAULT_MAX_INPUT_BYTES, checkGeneratedSize, concreteShape, generateTensor, placeholderSpecs, type GenerateOptions, type PlaceholderSpec } from '../ir/seeded-inputs';

/**
 * Generated inputs for a graph's placeholders, keyed by node name (ir/seeded-inputs' values),
 * except that a string placeholder read by a tf.Example parse op gets seeded records that
 * satisfy it (verify/examples).
 *
 * @example
 * ```ts
 * const feeds = generateFeeds(graph, { seed: 1, batch: 4 });
 * ```
 */
export function generateFeeds(graph: Graph, opts: GenerateOptions = {}): Record<string, Tensor> {
  const out = generatePlaceholderFeeds(graph, opts);
  for (const p of placeholderSpecs(graph)) {
    if (!Object.hasOwn(out, p.name) || p.dtype !== 'string') continue;
    out[p.name] = generateInput(graph, p.name, p.dtype, p.shape, opts.seed ?? 1, opts.batch ?? 1, undefined, p.name, opts.maxInputBytes);
  }
  return out;
}

/**
 * A generated value for input `name` of `graph` (a placeholder, or a signature input's node):
 * seeded `tf.Example` records when it is a string tensor read by a parse op (see
 * verify/examples), else `generateTensor`'s values. `shape` is the declared one (-1 unknown,
 * null unknown rank).
 */
export function generateInput(graph: Graph, name: string, dtype: DType, shape: readonly number[] | null, seed: number, batch: number, otherDims = batch, key = name, maxInputBytes?: number): Tensor {
  if (baseDType(dtype) === 'string') {
    const parsers = exampleParsers(graph, name);
    if (parsers.length > 0) return synthesizeExamples(parsers, examplesShape(parsers, shape === null ? null : shape.map((d, i) => (d >= 0 ? d : i === 0 ? -1 : otherDims)), batch), seed, key);
  }
  const dims = shape === null ? [] : shape.map((d, i) => (d >= 0 ? d : i === 0 ? batch : otherDims));
  return generateTensor(dtype, dims, seed, key, maxInputBytes);
}

/** The three tensors of a COO sparse signature input, in this order. */
export const COO_PARTS = ['indices', 'values', 'dense_shape'] as const;

/**
 * The tensor names of a COO sparse signature input (`TensorInfo` with a `coo_sparse` encoding):
 * indices, values and dense shape, as written (`node:port`); null when it is not one or names
 * fewer than three.
 */
export function cooSparseTensors(info: TensorInfo): [string, string, string] | null {
  if (info.encoding !== 'coo_sparse') return null;
  const coo = (info.raw as Readonly<Record<string, unknown>> | undefined)?.coo_sparse as Readonly<Record<string, unknown>> | undefined;
  const names = ['indices_tensor_name', 'values_tensor_name', 'dense_shape_tensor_name'].map((k) => coo?.[k]);
  return names.every((n): n is string => typeof n === 'string' && n !== '') ? (names as [string, string, string]) : null;
}

/**
 * Seeded values for a COO sparse input: one value per row of its dense shape, at index
 * [row, 0, ...]. The rank is the signature's, else the indices placeholder's second dimension,
 * else 2; unknown dimensions are `batch` (the first) and 1 (the others). The values' dtype is the
 * signature's (else the values placeholder's); they depend on `seed` and `key` only.
 */
export function seededSparseInput(graph: Graph, info: TensorInfo, seed: number, batch: number, key: string, maxInputBytes?: number): { indices: Tensor; values: Tensor; denseShape: Tensor } | null {
  const names = cooSparseTensors(info);
  if (!names) return null;
  const specs = new Map(placeholderSpecs(graph).map((p) => [p.name, p]));
  const node = (t: string) => parseInput(t).node;
  const known = info.shape && !info.shape.unknownRank ? info.shape.dims : null;
  const idxShape = specs.get(node(names[0]))?.shape;
  const rank = known ? known.length : idxShape && idxShape.length === 2 && idxShape[1]! >= 0 ? idxShape[1]! : 2;
  const dims = Array.from({ length: rank }, (_, i) => {
    const d = known ? known[i]! : -1;
    return d >= 0 ? d : i === 0 ? batch : 1;
  });
  const rows = rank === 0 ? 0 : dims[0]!;
  const vdt = info.dtype === 'invalid' ? (specs.get(node(names[1]))?.dtype ?? 'float') : info.dtype;
  // Both sizes checked before anything is allocated (the dense shape comes from the model).
  checkGeneratedSize('int64', [rows, rank], key, maxInputBytes);
  checkGeneratedSize(baseDType(vdt), [rows], key, maxInputBytes);
  const idx = new BigInt64Array(rows * rank);
  for (let r = 0; r < rows; r++) idx[r * rank] = BigInt(r);
  return {
    indices: makeTensor('int64', [rows, rank], idx),
    values: generateTensor(baseDType(vdt), [rows], seed, key, maxInputBytes),
    denseShape: makeTensor('int64', [rank], dims.map((d) => BigInt(d))),
  };
}

// ---------------------------------------------------------------- feeds from files

/** A parsed `name=value` feed argument. */
export interface FeedSpec {
  /** Tensor name as written (`x`, `x:0`). */
  readonly name: string;
  /** A path (`.npy`, `.json`) or inline JSON (`[1,2]`, `3.5`, `{"dtype":...}`). */
  readonly source: string;
}

/** Splits `name=file.npy` at the first `=` (TensorFlow node names cannot hold one). */
export function parseFeedSpec(spec: string): FeedSpec {
  if (typeof spec !== 'string') throw badArgument('parseFeedSpec', 'spec', 'a string name=source', spec);
  const at = spec.indexOf('=');
  if (at <= 0 || at === spec.length - 1) {
    throw new GraftError('verify/bad-input', `A feed is written name=file.npy, name=file.json or name=[json values], not '${spec}'`);
  }
  return { name: spec.slice(0, at), source: spec.slice(at + 1) };
}

/** True when a feed source is an inline JSON value rather than a file (exported for the CLI). */
export function isInlineJson(source: string): boolean {
  return (/^\s*[[{\-0-9.]/.test(source) || /^\s*(true|false)\s*$/.test(source)) && !/\.(npy|json)$/i.test(source);
}

type Nested = number | boolean | string | Nested[];

/** TensorFlow's own limit on a tensor's rank (`TensorShape::MaxDimensions`). */
export const MAX_FEED_RANK = 254;

/**
 * The shape and values of a nested JSON array, walked without recursion (a feed nested a
 * million levels deep gets an error, not a stack overflow): every array at one depth must have
 * the same length (`ragged` otherwise), and the rank is at most TensorFlow's 254.
 */
function shapeAndValues(v: Nested, where: string): { shape: number[]; flat: (number | boolean | string)[] } {
  const shape: number[] = [];
  for (let cur: Nested = v; Array.isArray(cur); cur = cur[0]!) {
    if (shape.length >= MAX_FEED_RANK) {
      throw new GraftError('runtime/bad-feed', `${where}: arrays nested more than ${MAX_FEED_RANK} deep (TensorFlow's largest rank)`);
    }
    shape.push(cur.length);
    if (cur.length === 0) break;
  }
  const flat: (number | boolean | string)[] = [];
  const ragged = () => new GraftError('runtime/bad-feed', `${where}: nested arrays are ragged`);
  const leaf = (e: unknown): number | boolean | string => {
    if (typeof e === 'number' || typeof e === 'boolean' || typeof e === 'string') return e;
    const what = e === null ? 'null' : Array.isArray(e) ? 'an array' : typeof e === 'object' ? 'an object' : typeof e;
    const examples = what === 'an object' ? ' (JSON objects are tf.Examples, which only a string input read by a parse op takes)' : '';
    throw new GraftError('runtime/bad-feed', `${where}: a value is ${what}, not a number, boolean or string${examples}`);
  };
  // Depth-first, in order: a stack of (array, depth, next index).
  if (!Array.isArray(v)) return { shape, flat: [leaf(v)] };
  const arrays: Nested[][] = [v];
  const depths: number[] = [0];
  const next: number[] = [0];
  if (v.length !== shape[0]) throw ragged();
  while (arrays.length > 0) {
    const top = arrays.length - 1;
    const arr = arrays[top]!;
    const i = next[top]!;
    if (i === arr.length) {
      arrays.pop();
      depths.pop();
      next.pop();
      continue;
    }
    next[top] = i + 1;
    const e = arr[i]!;
    const d = depths[top]! + 1;
    if (Array.isArray(e)) {
      if (d >= shape.length || e.length !== shape[d]) throw ragged();
      arrays.push(e);
      depths.push(d);
      next.push(0);
    } else {
      if (d !== shape.length) throw ragged();
      flat.push(leaf(e));
    }
  }
  return { shape, flat };
}

/**
 * A tensor from JSON: a number, a (nested) array, or `{ "dtype": "float", "shape": [2], "values": [...] }`.
 * Without a dtype in the JSON, `dtype` (the placeholder's) is used, else float32.
 */
export function tensorFromJson(json: unknown, dtype: DType | undefined, where: string): Tensor {
  let values: Nested;
  let shape: number[];
  let dt: DType = dtype ?? 'float';
  if (json !== null && typeof json === 'object' && !Array.isArray(json)) {
    const o = json as { dtype?: unknown; shape?: unknown; values?: unknown };
    if (o.values === undefined) throw new GraftError('runtime/bad-feed', `${where}: a JSON feed object needs "values"`);
    values = o.values as Nested;
    if (o.dtype !== undefined) {
      const d = typeof o.dtype === 'string' ? parseDType(o.dtype) : undefined;
      if (!d) throw new GraftError('runtime/bad-feed', `${where}: unknown dtype ${JSON.stringify(o.dtype)}`);
      dt = d;
    }
    const { shape: nestedShape, flat } = shapeAndValues(values, where);
    if (o.shape !== undefined) {
      if (!Array.isArray(o.shape) || !o.shape.every((d) => Number.isInteger(d) && d >= 0)) throw new GraftError('runtime/bad-feed', `${where}: "shape" must be a list of non-negative integers`);
      shape = o.shape as number[];
      if (numElements(shape) !== flat.length) throw new GraftError('runtime/bad-feed', `${where}: ${flat.length} values for shape [${shape.join(',')}]`);
    } else shape = nestedShape;
    return build(dt, shape, flat, where);
  }
  if (typeof json !== 'number' && typeof json !== 'boolean' && typeof json !== 'string' && !Array.isArray(json)) {
    throw new GraftError('runtime/bad-feed', `${where}: expected a number, an array or {dtype, shape, values}`);
  }
  values = json as Nested;
  const nested = shapeAndValues(values, where);
  return build(dt, nested.shape, nested.flat, where);
}

function build(dtype: DType, shape: number[], flat: readonly (number | boolean | string)[], where: string): Tensor {
  const b = baseDType(dtype);
  if (b === 'string') return makeStringTensor(shape, flat.map(String));
  if (flat.some((v) => typeof v === 'string')) throw new GraftError('runtime/bad-feed', `${where}: strings in a ${b} feed`);
  const nums = flat.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v)) as number[];
  if (!isFloatDType(b) && b !== 'bool' && nums.some((v) => !Number.isInteger(v))) {
    throw new GraftError('runtime/bad-feed', `${where}: non-integer values in a ${b} feed`);
  }
  try {
    if (b === 'int64' || b === 'uint64') return makeTensor(b, shape, nums.map((v) => BigInt(v)));
    return makeTensor(b, shape, nums);
  } catch (e) {
    throw new GraftError('runtime/bad-feed', `${where}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Converts a fed tensor to the placeholder's dtype the way TensorFlow's Python session does
 * (`np.asarray(value, dtype)`), but only where no value changes meaning: float↔float (double
 * rounds to float), integer or bool → float, integer → integer when every value fits. A float
 * fed to an integer placeholder is refused, as is an integer out of range.
 */
export function coerceFeed(t: Tensor, dtype: DType, where: string): Tensor {
  const from = baseDType(t.dtype);
  const to = baseDType(dtype);
  if (from === to) return t;
  if (from === 'string' || to === 'string') throw new GraftError('runtime/bad-feed', `${where}: cannot feed ${from} to a ${to} placeholder`);
  const refuse = (why: string) => new GraftError('runtime/bad-feed', `${where}: cannot feed ${from} to a ${to} placeholder: ${why}`);
  if (isFloatDType(to)) {
    if (to !== 'float' && to !== 'double') throw refuse('convert it to float32 first');
    return makeTensor(to, t.shape, tensorToNumbers(t));
  }
  if (isFloatDType(from)) throw refuse('values would be truncated');
  if (to === 'bool') throw refuse('feed a bool array');
  if (to === 'int64' || to === 'uint64') {
    const arr = tensorToArray(t);
    return makeTensor(to, t.shape, Array.from(arr as ArrayLike<number | bigint>, (v) => BigInt(v)));
  }
  const range = INT_RANGES[to];
  if (!range) throw refuse('unsupported target dtype');
  const src = tensorToArray(t) as ArrayLike<number | bigint>;
  const dst: number[] = new Array<number>(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = Number(src[i]!);
    if (v < range[0] || v > range[1]) throw refuse(`value ${v} does not fit`);
    dst[i] = v;
  }
  return makeTensor(to, t.shape, dst);
}

const INT_RANGES: Partial<Record<string, readonly [number, number]>> = {
  int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767], uint16: [0, 65535],
  int32: [-(2 ** 31), 2 ** 31 - 1], uint32: [0, 2 ** 32 - 1],
};

/**
 * Reads `name=source` feeds for `graph`, each converted to its placeholder's dtype.
 *
 * @example
 * ```ts
 * const feeds = await readFeeds(['input=digit.npy', 'keep_prob=1'], graph);
 * ```
 */
export async function readFeeds(specs: readonly string[], graph: Graph, fs?: FileSystem): Promise<Record<string, Tensor>> {
  // Reading loads on first use: it stays out of what the core loads on import
  // (test/package/browser.test.ts).
  const { readFeedsNow } = await import('./read-feeds');
  return readFeedsNow(specs, graph, fs);
}
