/**
 * tf.Example parsing: `ParseExample` (keys as scalar input lists), `ParseExampleV2` (keys as
 * string tensors, ragged outputs, a scalar or a vector of records) and `ParseSingleExample`
 * (keys as attributes, one record), with TensorFlow's fast parser's semantics:
 *
 * - dense features: a fixed shape takes exactly that many values; a missing feature takes the
 *   default, and with an empty default is an error ("... is required but could not be found.").
 *   A shape whose first dimension is -1 is variable length: each record's values (a multiple of
 *   the stride, the product of the other dimensions) are stacked and padded to the longest with
 *   the default, which must be a single element.
 * - sparse features: indices `[N, 2]` (record, position) int64, values `[N]`, dense shape
 *   `[records, longest]`; for one record indices `[N, 1]` and shape `[N]`.
 * - ragged features: values `[N]` and row splits `[records + 1]` of `ragged_split_types`.
 * - a feature written with no list is skipped (as if absent); a feature whose list kind differs
 *   from the declared dtype is an error. A key written twice keeps its last value.
 *
 * Errors carry TensorFlow's text. One difference: TensorFlow's fast parser rejects a record with
 * fields `tensorflow.Example` does not define; protobuf decoding here skips them.
 */
import { formatShape } from '../../ir/attr';
import type { DType } from '../../ir/dtype';
import { type Tensor, makeStringTensor, numElements, tensorStrings, tensorToArray } from '../../ir/tensor';
import { type ExampleFeature, type FeatureKind, readExample } from '../../io/tf-example';
import type { Kernel, KernelContext, KernelOutput } from '../kernel';
import { tensorFromArray } from '../values';

type ParseDType = 'float' | 'int64' | 'string';

interface DenseConfig {
  readonly key: string;
  readonly dtype: ParseDType;
  /** The declared shape (first dim -1 when variable length). */
  readonly shape: readonly number[];
  readonly defaultValue: Tensor;
  readonly variableLength: boolean;
  /** Values per row: the product of the known dims (all of them, or all but the first). */
  readonly stride: number;
}

interface ListConfig {
  readonly key: string;
  readonly dtype: ParseDType;
  /** Ragged features only. */
  readonly splitsDType?: 'int32' | 'int64';
}

interface ParseConfig {
  readonly dense: readonly DenseConfig[];
  readonly sparse: readonly ListConfig[];
  readonly ragged: readonly ListConfig[];
}

/** Collected values of one list-like feature across records. */
interface Buffer {
  values: (number | bigint | Uint8Array)[];
  /** Running end of each record's values. */
  ends: number[];
}

const KIND_DTYPE: Record<FeatureKind, ParseDType> = { bytes: 'string', float: 'float', int64: 'int64' };

function parseDType(ctx: KernelContext, dt: DType, what: string): ParseDType {
  if (dt === 'float' || dt === 'int64' || dt === 'string') return dt;
  throw ctx.fail(`Invalid config dtype: ${dt} (${what}); tf.Example holds only float, int64 and string`);
}

function shapeText(dims: readonly number[]): string {
  return formatShape({ dims, unknownRank: false });
}

/** Text of a record for TensorFlow's "Could not parse example input" message (printable bytes, cut short). */
function recordText(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < Math.min(bytes.length, 64); i++) {
    const c = bytes[i]!;
    s += c >= 0x20 && c < 0x7f && c !== 0x5c ? String.fromCharCode(c) : `\\${c.toString(8).padStart(3, '0')}`;
  }
  return bytes.length > 64 ? `${s}...` : s;
}

function denseConfigs(ctx: KernelContext, keys: readonly string[], defaults: readonly Tensor[]): DenseConfig[] {
  const types = ctx.attrTypes('Tdense');
  const shapesAttr = ctx.attr('dense_shapes');
  const shapes = shapesAttr?.kind === 'list' ? (shapesAttr.value.shape ?? []) : [];
  if (defaults.length !== keys.length) {
    throw ctx.fail(`Expected len(dense_defaults) == len(dense_keys) but got: ${defaults.length} vs. ${keys.length}`);
  }
  if (types.length !== keys.length || shapes.length !== keys.length) {
    throw ctx.fail(`len(dense_keys) == ${keys.length} but Tdense has ${types.length} types and dense_shapes ${shapes.length} shapes`);
  }
  return keys.map((key, d) => {
    const dtype = parseDType(ctx, types[d]!, `dense key '${key}'`);
    const s = shapes[d]!;
    if (s.unknownRank) throw ctx.fail(`dense_shapes[${d}] has unknown rank; a dense feature needs a shape`);
    const dims = [...s.dims];
    const variableLength = dims.length > 0 && dims[0] === -1;
    const rest = variableLength ? dims.slice(1) : dims;
    if (rest.some((x) => x < 0)) throw ctx.fail(`All dimensions of dense_shapes must be known except for the first, but dense_shapes[${d}] is ${shapeText(dims)}`);
    const def = defaults[d]!;
    const n = numElements(def.shape);
    if (variableLength) {
      if (n !== 1) {
        throw ctx.fail(`dense_shape[${d}] is a variable length shape: ${shapeText(dims)}, therefore def_value[${d}] must contain a single element (the padding element).  But its shape is: ${shapeText(def.shape)}`);
      }
    } else if (n > 0) {
      const compatible = def.shape.length === dims.length && def.shape.every((x, i) => x === dims[i]);
      if (!compatible) throw ctx.fail(`def_value[${d}].shape() == ${shapeText(def.shape)} is not compatible with dense_shapes_[${d}] == ${shapeText(dims)}`);
    }
    if (def.dtype !== dtype) throw ctx.fail(`dense_defaults[${d}].dtype() == ${def.dtype} != dense_types_[${d}] == ${dtype}`);
    return { key, dtype, shape: dims, defaultValue: def, variableLength, stride: numElements(rest) };
  });
}

/** The elements of a default tensor as parse values. */
function defaultValues(t: Tensor): (number | bigint | Uint8Array)[] {
  if (t.dtype === 'string') return tensorStrings(t);
  return Array.from(tensorToArray(t) as ArrayLike<number | bigint>);
}

function makeOutput(dtype: DType, shape: readonly number[], values: readonly (number | bigint | Uint8Array)[]): Tensor {
  if (dtype === 'string') return makeStringTensor(shape, values as Uint8Array[]);
  return tensorFromArray(dtype, shape, values as ArrayLike<number>);
}

/**
 * Parses records with a config; `scalar` when the input was one record (no batch dimension).
 * Returns dense values, then per sparse key indices/values/shapes, then ragged values/splits.
 */
export function parseExamples(
  ctx: KernelContext,
  records: readonly Uint8Array[],
  names: readonly string[],
  scalar: boolean,
  config: ParseConfig,
): { dense: Tensor[]; sparse: { indices: Tensor; values: Tensor; shape: Tensor }[]; ragged: { values: Tensor; splits: Tensor }[] } {
  const B = records.length;
  const byKey = new Map<string, { type: 'dense' | 'sparse' | 'ragged'; d: number }>();
  config.dense.forEach((c, d) => byKey.set(c.key, { type: 'dense', d }));
  config.sparse.forEach((c, d) => byKey.set(c.key, { type: 'sparse', d }));
  config.ragged.forEach((c, d) => byKey.set(c.key, { type: 'ragged', d }));

  const denseOut = config.dense.map((c) => (c.variableLength ? [] : new Array<number | bigint | Uint8Array>(B * c.stride)));
  const varlen: Buffer[] = config.dense.map(() => ({ values: [], ends: [] }));
  const sparse: Buffer[] = config.sparse.map(() => ({ values: [], ends: [] }));
  const ragged: Buffer[] = config.ragged.map(() => ({ values: [], ends: [] }));

  for (let e = 0; e < B; e++) {
    const name = names.length > 0 ? names[e]! : '<unknown>';
    let features: Map<string, ExampleFeature>;
    try {
      features = readExample(records[e]!);
    } catch {
      throw ctx.fail(`Could not parse example input, value: '${recordText(records[e]!)}'`);
    }
    const found = new Set<string>();
    const error = (key: string, suffix: string) => ctx.fail(`Name: ${name}, Key: ${key}, Index: ${e}.  ${suffix}`);
    for (const [key, f] of features) {
      const where = byKey.get(key);
      if (!where) continue;
      if (where.type === 'dense') {
        const c = config.dense[where.d]!;
        if (f.kind === undefined) continue;
        found.add(key);
        const got = KIND_DTYPE[f.kind];
        if (got !== c.dtype) throw error(key, `Data types don't match. Data type: ${got} but expected type: ${c.dtype}`);
        if (!c.variableLength) {
          if (f.values.length !== c.stride) {
            const typeStr = c.dtype === 'string' ? 'bytes' : c.dtype;
            throw error(key, `Number of ${typeStr} values != expected.  Values size: ${f.values.length} but output shape: ${shapeText(c.shape)}`);
          }
          const out = denseOut[where.d]!;
          for (let i = 0; i < c.stride; i++) out[e * c.stride + i] = f.values[i]!;
        } else {
          const buf = varlen[where.d]!;
          if (f.values.length % c.stride !== 0) {
            const typeStr = c.dtype === 'string' ? 'bytes' : c.dtype;
            throw error(key, `Number of ${typeStr} values is not a multiple of stride length. Saw ${buf.values.length + f.values.length} values but output shape is: ${shapeText(c.shape)}`);
          }
          for (const v of f.values) buf.values.push(v);
          buf.ends.push(buf.values.length);
        }
      } else {
        const c = (where.type === 'sparse' ? config.sparse : config.ragged)[where.d]!;
        const buf = (where.type === 'sparse' ? sparse : ragged)[where.d]!;
        found.add(key);
        if (f.kind !== undefined && KIND_DTYPE[f.kind] !== c.dtype) {
          throw error(key, `Data types don't match. Expected type: ${c.dtype}, Actual type: ${KIND_DTYPE[f.kind]}`);
        }
        for (const v of f.values) buf.values.push(v);
        buf.ends.push(buf.values.length);
      }
    }
    config.dense.forEach((c, d) => {
      if (found.has(c.key)) return;
      if (c.variableLength) {
        const buf = varlen[d]!;
        buf.ends.push(buf.values.length);
        return;
      }
      const def = c.defaultValue;
      if (numElements(def.shape) === 0) {
        throw ctx.fail(`Name: ${name}, Feature: ${c.key} (data type: ${c.dtype}) is required but could not be found.`);
      }
      const vals = defaultValues(def);
      const out = denseOut[d]!;
      for (let i = 0; i < c.stride; i++) out[e * c.stride + i] = vals[i]!;
    });
    for (const [list, bufs] of [[config.sparse, sparse], [config.ragged, ragged]] as const) {
      list.forEach((c, d) => {
        if (found.has(c.key)) return;
        const buf = bufs[d]!;
        buf.ends.push(buf.values.length);
      });
    }
  }

  const batch = scalar ? [] : [B];
  const dense = config.dense.map((c, d) => {
    if (!c.variableLength) return makeOutput(c.dtype, [...batch, ...c.shape], denseOut[d]!);
    const buf = varlen[d]!;
    let longest = 0;
    let start = 0;
    for (const end of buf.ends) {
      longest = Math.max(longest, end - start);
      start = end;
    }
    const rows = longest / c.stride;
    const pad = defaultValues(c.defaultValue)[0]!;
    const per = rows * c.stride;
    const out = new Array<number | bigint | Uint8Array>(B * per).fill(pad);
    start = 0;
    buf.ends.forEach((end, e) => {
      for (let i = start; i < end; i++) out[e * per + (i - start)] = buf.values[i]!;
      start = end;
    });
    return makeOutput(c.dtype, [...batch, rows, ...c.shape.slice(1)], out);
  });

  const sparseOut = config.sparse.map((c, d) => {
    const buf = sparse[d]!;
    const n = buf.values.length;
    const rank = scalar ? 1 : 2;
    const idx = new BigInt64Array(n * rank);
    let longest = 0;
    let start = 0;
    let k = 0;
    buf.ends.forEach((end, e) => {
      longest = Math.max(longest, end - start);
      for (let i = start; i < end; i++, k++) {
        if (scalar) idx[k] = BigInt(i - start);
        else {
          idx[2 * k] = BigInt(e);
          idx[2 * k + 1] = BigInt(i - start);
        }
      }
      start = end;
    });
    return {
      indices: tensorFromArray('int64', [n, rank], idx),
      values: makeOutput(c.dtype, [n], buf.values),
      shape: tensorFromArray('int64', [rank], scalar ? [BigInt(n)] : [BigInt(B), BigInt(longest)]),
    };
  });

  const raggedOut = config.ragged.map((c, d) => {
    const buf = ragged[d]!;
    const splits = [0, ...buf.ends];
    const sdt = c.splitsDType ?? 'int64';
    return {
      values: makeOutput(c.dtype, [buf.values.length], buf.values),
      splits: tensorFromArray(sdt, [splits.length], sdt === 'int64' ? splits.map((x) => BigInt(x)) : splits),
    };
  });
  return { dense, sparse: sparseOut, ragged: raggedOut };
}

function textOf(b: Uint8Array): string {
  return new TextDecoder().decode(b);
}

function flatOutputs(r: ReturnType<typeof parseExamples>, withRagged: boolean): KernelOutput {
  return [
    ...r.sparse.map((s) => s.indices),
    ...r.sparse.map((s) => s.values),
    ...r.sparse.map((s) => s.shape),
    ...r.dense,
    ...(withRagged ? [...r.ragged.map((x) => x.values), ...r.ragged.map((x) => x.splits)] : []),
  ];
}

function listConfigs(ctx: KernelContext, keys: readonly string[], typesAttr: string, what: string): ListConfig[] {
  const types = ctx.attrTypes(typesAttr);
  if (types.length !== keys.length) throw ctx.fail(`Expected len(${what}_keys) == len(${typesAttr}) but got: ${keys.length} vs. ${types.length}`);
  return keys.map((key, d) => ({ key, dtype: parseDType(ctx, types[d]!, `${what} key '${key}'`) }));
}

function serializedInput(ctx: KernelContext, allowScalar: boolean): { records: Uint8Array[]; scalar: boolean } {
  const t = ctx.host(0);
  if (t.dtype !== 'string') throw ctx.fail(`serialized must be a string tensor, got ${t.dtype}`);
  if (t.shape.length > 1 || (!allowScalar && t.shape.length !== 1)) {
    throw ctx.fail(`Expected serialized to be a ${allowScalar ? 'scalar or vector' : 'vector'}, got shape: ${shapeText(t.shape)}`);
  }
  return { records: tensorStrings(t), scalar: t.shape.length === 0 };
}

function namesInput(ctx: KernelContext, serializedShape: readonly number[]): string[] {
  const t = ctx.host(1);
  const n = numElements(t.shape);
  if (n === 0) return [];
  if (t.shape.length !== serializedShape.length || t.shape.some((d, i) => d !== serializedShape[i])) {
    throw ctx.fail(`Expected names have the same shape as serialized: name.shape=${shapeText(t.shape)}, serialized.shape=${shapeText(serializedShape)}`);
  }
  return tensorStrings(t).map(textOf);
}

/** ParseExample (v1): serialized, names, sparse_keys × Nsparse, dense_keys × Ndense, dense_defaults × Ndense. */
const parseExampleV1: Kernel = (ctx) => {
  const nSparse = ctx.attrInt('Nsparse', 0);
  const nDense = ctx.attrInt('Ndense', 0);
  const { records, scalar } = serializedInput(ctx, false);
  const names = namesInput(ctx, ctx.host(0).shape);
  const key = (i: number) => textOf(tensorStrings(ctx.host(i))[0] ?? new Uint8Array());
  const sparseKeys = Array.from({ length: nSparse }, (_, i) => key(2 + i));
  const denseKeys = Array.from({ length: nDense }, (_, i) => key(2 + nSparse + i));
  const defaults = Array.from({ length: nDense }, (_, i) => ctx.host(2 + nSparse + nDense + i));
  const config: ParseConfig = {
    dense: denseConfigs(ctx, denseKeys, defaults),
    sparse: listConfigs(ctx, sparseKeys, 'sparse_types', 'sparse'),
    ragged: [],
  };
  return flatOutputs(parseExamples(ctx, records, names, scalar, config), false);
};

/** ParseExampleV2: serialized, names, sparse_keys, dense_keys, ragged_keys (string tensors), dense_defaults. */
const parseExampleV2: Kernel = (ctx) => {
  const { records, scalar } = serializedInput(ctx, true);
  const names = namesInput(ctx, ctx.host(0).shape);
  const keys = (i: number) => tensorStrings(ctx.host(i)).map(textOf);
  const sparseKeys = keys(2);
  const denseKeys = keys(3);
  const raggedKeys = keys(4);
  const numSparse = ctx.attrInt('num_sparse', 0);
  if (sparseKeys.length !== numSparse) throw ctx.fail(`Expected len(sparse_keys) == num_sparse but got: ${sparseKeys.length} vs. ${numSparse}`);
  const nDense = ctx.attrTypes('Tdense').length;
  if (denseKeys.length !== nDense) throw ctx.fail(`Expected len(dense_keys) == len(dense_types) but got: ${denseKeys.length} vs. ${nDense}`);
  const defaults = ctx.inputs.slice(5).map((_, i) => ctx.host(5 + i));
  const splitTypes = ctx.attrTypes('ragged_split_types');
  const ragged = listConfigs(ctx, raggedKeys, 'ragged_value_types', 'ragged').map((c, d): ListConfig => {
    const s = splitTypes[d];
    if (s !== 'int32' && s !== 'int64') throw ctx.fail(`Invalid ragged_split_type: ${s ?? 'missing'}`);
    return { ...c, splitsDType: s };
  });
  const config: ParseConfig = {
    dense: denseConfigs(ctx, denseKeys, defaults),
    sparse: listConfigs(ctx, sparseKeys, 'sparse_types', 'sparse'),
    ragged,
  };
  return flatOutputs(parseExamples(ctx, records, names, scalar, config), true);
};

/** ParseSingleExample: serialized (a scalar), dense_defaults; keys as attributes. */
const parseSingleExample: Kernel = (ctx) => {
  const t = ctx.host(0);
  if (t.shape.length !== 0) throw ctx.fail(`Expected serialized to be a scalar, got shape: ${shapeText(t.shape)}`);
  const strs = (name: string) => {
    const a = ctx.attr(name);
    return a?.kind === 'list' ? (a.value.s ?? []).map((s) => (typeof s === 'string' ? s : textOf(s))) : [];
  };
  const denseKeys = strs('dense_keys');
  const sparseKeys = strs('sparse_keys');
  const defaults = ctx.inputs.slice(1).map((_, i) => ctx.host(1 + i));
  const config: ParseConfig = {
    dense: denseConfigs(ctx, denseKeys, defaults),
    sparse: listConfigs(ctx, sparseKeys, 'sparse_types', 'sparse'),
    ragged: [],
  };
  return flatOutputs(parseExamples(ctx, tensorStrings(t), [], true, config), false);
};

export const PARSING_KERNELS: Record<string, Kernel> = {
  ParseExample: parseExampleV1,
  ParseExampleV2: parseExampleV2,
  ParseSingleExample: parseSingleExample,
};
