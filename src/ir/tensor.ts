/**
 * Tensor values as TensorFlow stores them in `TensorProto`: either packed little-endian bytes
 * (`tensor_content`), or a typed value list (`float_val`, `int_val`, ...) that may be shorter than
 * the tensor, in which case its last element repeats to fill the shape. A tensor remembers which
 * form it came in so that it is written back the same way.
 *
 * Payloads are never written in place: a new value is a new buffer.
 */
import { GraftError, badArgument } from '../errors';
import { type DType, baseDType, dtypeSize } from './dtype';
import { checkArray, checkTensorArgument } from './check';

/** The typed value fields of `TensorProto`. */
export type ValueField =
  | 'half_val' | 'float_val' | 'double_val' | 'int_val' | 'int64_val' | 'bool_val'
  | 'scomplex_val' | 'dcomplex_val' | 'uint32_val' | 'uint64_val';

export type TensorData =
  /** `tensor_content`: packed little-endian bytes; may be an unaligned view into the file. */
  | { readonly kind: 'content'; readonly bytes: Uint8Array }
  /** A typed value list, possibly shorter than the tensor (the last value repeats). */
  | { readonly kind: 'values'; readonly field: ValueField; readonly values: readonly (number | bigint | boolean)[] }
  /** `string_val`: one byte string per element (possibly shorter, as above). */
  | { readonly kind: 'strings'; readonly values: readonly Uint8Array[] }
  /** resource and variant tensors: kept as they came, not interpreted. */
  | { readonly kind: 'opaque' };

/** An immutable tensor value. */
export interface Tensor {
  readonly dtype: DType;
  /** Dimensions; `[]` for a scalar. */
  readonly shape: readonly number[];
  readonly data: TensorData;
}

/** The number of elements of a shape (1 for a scalar). */
export function numElements(shape: readonly number[]): number {
  if (!Array.isArray(shape)) checkArray('numElements', 'shape', shape, 'an array of dimensions');
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * The most bytes graft expands one tensor to in memory (2 GiB): a `Const` may declare a huge shape
 * with a single repeated value, which costs nothing in the file and everything when expanded.
 */
export const MAX_EXPANDED_TENSOR_BYTES = 2 ** 31;

/**
 * Checks that a shape is well formed (non-negative integer dimensions) and that `bytesPerElement`
 * per element stays under `limit` bytes, before anything is allocated. Returns the element count.
 *
 * @throws GraftError `graph/bad-tensor` for a negative or fractional dimension, `graph/too-large`
 *   beyond the limit.
 */
export function checkedElements(shape: readonly number[], bytesPerElement: number, what = 'A tensor', limit = MAX_EXPANDED_TENSOR_BYTES): number {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new GraftError('graph/bad-tensor', `${what} has shape [${shape.join(',')}]: dimensions must be non-negative integers`);
  }
  const n = numElements(shape);
  if (n * bytesPerElement > limit) {
    throw new GraftError('graph/too-large', `${what} of shape [${shape.join(',')}] has ${n} elements (${formatBytes(n * bytesPerElement)}), more than graft holds in memory (${formatBytes(limit)})`, {
      hint: 'A tensor this large cannot be expanded in memory; check the shape the model declares.',
    });
  }
  return n;
}

/** Bytes for people: `1.5 GiB`, `300 MiB`, `12 KiB`, `7 bytes`. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return `${n} bytes`;
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} bytes` : `${v >= 100 ? Math.round(v) : v.toFixed(1)} ${units[u]}`;
}

/** The value field TensorFlow uses for a dtype. */
export function valueFieldFor(dtype: DType): ValueField | 'string_val' | undefined {
  switch (baseDType(dtype)) {
    case 'half': case 'bfloat16': return 'half_val';
    case 'float': return 'float_val';
    case 'double': return 'double_val';
    case 'int32': case 'int16': case 'int8': case 'uint16': case 'uint8':
    case 'qint8': case 'quint8': case 'qint16': case 'quint16': case 'qint32':
    case 'int4': case 'uint4':
      return 'int_val';
    case 'int64': return 'int64_val';
    case 'bool': return 'bool_val';
    case 'complex64': return 'scomplex_val';
    case 'complex128': return 'dcomplex_val';
    case 'uint32': return 'uint32_val';
    case 'uint64': return 'uint64_val';
    case 'string': return 'string_val';
    default: return undefined;
  }
}

/**
 * The tensor's elements as packed little-endian bytes (`numElements × dtypeSize`), expanding a
 * short value list. For `content` tensors this is the stored view itself (no copy).
 */
export function tensorBytes(t: Tensor): Uint8Array {
  checkTensorArgument('tensorBytes', 't', t);
  const size = dtypeSize(t.dtype);
  if (size === undefined) throw new GraftError('graph/bad-tensor', `A ${t.dtype} tensor has no packed byte form`);
  const n = t.data.kind === 'content' ? numElements(t.shape) : checkedElements(t.shape, size, `A ${t.dtype} tensor`);
  if (t.data.kind === 'content') {
    if (t.data.bytes.length !== n * size) {
      throw new GraftError('graph/bad-tensor', `tensor_content holds ${t.data.bytes.length} bytes, but a ${t.dtype}[${t.shape.join(',')}] needs ${n * size}`);
    }
    return t.data.bytes;
  }
  if (t.data.kind !== 'values') throw new GraftError('graph/bad-tensor', `A ${t.dtype} tensor has no numeric values`);
  const out = new Uint8Array(n * size);
  const view = new DataView(out.buffer);
  const vals = t.data.values;
  const perElement = baseDType(t.dtype).startsWith('complex') ? 2 : 1;
  const count = n * perElement;
  if (vals.length === 0) return out;
  if (vals.length > count) throw new GraftError('graph/bad-tensor', `${vals.length} values for a ${t.dtype}[${t.shape.join(',')}] tensor`);
  const lastStart = vals.length - perElement;
  const b = baseDType(t.dtype);
  const partSize = size / perElement;
  for (let i = 0; i < count; i++) {
    // TF's rule: past the end of the list, repeat the last element (for complex, the last pair).
    const v = i < vals.length ? vals[i]! : vals[lastStart + ((i - vals.length) % perElement)]!;
    writeScalar(view, i * partSize, b, v);
  }
  return out;
}

function writeScalar(view: DataView, at: number, dtype: string, v: number | bigint | boolean): void {
  switch (dtype) {
    case 'float': case 'complex64': view.setFloat32(at, Number(v), true); break;
    case 'double': case 'complex128': view.setFloat64(at, Number(v), true); break;
    case 'half': case 'bfloat16': view.setUint16(at, Number(v) & 0xffff, true); break;
    case 'int32': case 'qint32': view.setInt32(at, Number(v), true); break;
    case 'uint32': view.setUint32(at, Number(v) >>> 0, true); break;
    case 'int16': case 'qint16': view.setInt16(at, Number(v), true); break;
    case 'uint16': case 'quint16': view.setUint16(at, Number(v), true); break;
    case 'int8': case 'qint8': case 'int4': view.setInt8(at, Number(v)); break;
    case 'uint8': case 'quint8': case 'uint4': view.setUint8(at, Number(v)); break;
    case 'bool': view.setUint8(at, v ? 1 : 0); break;
    case 'int64': view.setBigInt64(at, BigInt(v), true); break;
    case 'uint64': view.setBigUint64(at, BigInt(v), true); break;
    default: throw new GraftError('graph/bad-tensor', `Cannot pack values of dtype ${dtype}`);
  }
}

/** A typed array of the tensor's elements, the natural JS type for its dtype. */
export type TensorArray =
  | Float32Array | Float64Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array
  | Uint8Array | BigInt64Array | BigUint64Array;

/**
 * The elements as an aligned typed array (a copy when the stored bytes are unaligned).
 * half and bfloat16 come back as their raw 16-bit patterns (Uint16Array); use `tensorToNumbers`
 * for their values. complex tensors come back interleaved (re, im).
 */
export function tensorToArray(t: Tensor): TensorArray {
  checkTensorArgument('tensorToArray', 't', t);
  const bytes = tensorBytes(t);
  const b = baseDType(t.dtype);
  const Ctor = arrayCtor(b);
  if (!Ctor) throw new GraftError('graph/bad-tensor', `No typed array for dtype ${t.dtype}`);
  const width = Ctor.BYTES_PER_ELEMENT;
  // A copy when unaligned (`new Uint8Array(view)` copies; Buffer#slice would not).
  const aligned = bytes.byteOffset % width === 0 ? bytes : new Uint8Array(bytes);
  return new Ctor(aligned.buffer, aligned.byteOffset, aligned.byteLength / width);
}

type ArrayCtor = { new (buffer: ArrayBufferLike, offset: number, length: number): TensorArray; BYTES_PER_ELEMENT: number };
function arrayCtor(b: string): ArrayCtor | undefined {
  switch (b) {
    case 'float': case 'complex64': return Float32Array;
    case 'double': case 'complex128': return Float64Array;
    case 'int32': case 'qint32': return Int32Array;
    case 'uint32': return Uint32Array;
    case 'int16': case 'qint16': return Int16Array;
    case 'uint16': case 'quint16': case 'half': case 'bfloat16': return Uint16Array;
    case 'int8': case 'qint8': case 'int4': return Int8Array;
    case 'uint8': case 'quint8': case 'bool': case 'uint4': return Uint8Array;
    case 'int64': return BigInt64Array;
    case 'uint64': return BigUint64Array;
    default:
      if (b.startsWith('float8')) return Uint8Array;
      return undefined;
  }
}

/** IEEE half bits to a number. */
export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** bfloat16 bits to a number. */
export function bfloat16ToNumber(h: number): number {
  const f = new Float32Array(1);
  new Uint32Array(f.buffer)[0] = (h & 0xffff) << 16;
  return f[0]!;
}

/** The elements as plain numbers (int64 beyond 2^53 loses precision: use `tensorToArray` for those). */
export function tensorToNumbers(t: Tensor): number[] {
  checkTensorArgument('tensorToNumbers', 't', t);
  const arr = tensorToArray(t);
  const b = baseDType(t.dtype);
  const out = new Array<number>(arr.length);
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i]!;
    out[i] = b === 'half' ? halfToNumber(Number(v)) : b === 'bfloat16' ? bfloat16ToNumber(Number(v)) : Number(v);
  }
  return out;
}

/** The elements of a string tensor, expanded to the full shape. */
export function tensorStrings(t: Tensor): Uint8Array[] {
  checkTensorArgument('tensorStrings', 't', t);
  if (t.data.kind !== 'strings') throw new GraftError('graph/bad-tensor', `A ${t.dtype} tensor has no string values`);
  // Each element is at least an array slot (8 bytes) once expanded.
  const n = checkedElements(t.shape, 8, 'A string tensor');
  const vals = t.data.values;
  if (vals.length === 0) return Array.from({ length: n }, () => new Uint8Array(0));
  return Array.from({ length: n }, (_, i) => vals[Math.min(i, vals.length - 1)]!);
}

/** Bytes the tensor's values occupy when stored packed (strings: the sum of their lengths). */
export function tensorByteSize(t: Tensor): number {
  // Negative dimensions are a graph's bad data (graph/bad-tensor, raised by the readers), not a bad argument.
  checkTensorArgument('tensorByteSize', 't', t, 'any');
  if (t.data.kind === 'strings') {
    // Without expanding: the values given, then the last one repeated to fill the shape.
    const vals = t.data.values;
    const n = numElements(t.shape);
    if (vals.length === 0) return 0;
    let sum = 0;
    for (let i = 0; i < vals.length && i < n; i++) sum += vals[i]!.length;
    return n > vals.length ? sum + (n - vals.length) * vals[vals.length - 1]!.length : sum;
  }
  const size = dtypeSize(t.dtype);
  return size === undefined ? 0 : numElements(t.shape) * size;
}

/** Makes a `content` tensor from a typed array (copied) or plain numbers. */
export function makeTensor(dtype: DType, shape: readonly number[], values: ArrayLike<number | bigint | boolean> | TensorArray): Tensor {
  if (typeof dtype !== 'string') throw badArgument('makeTensor', 'dtype', 'a dtype name', dtype);
  if (!Array.isArray(shape)) throw badArgument('makeTensor', 'shape', 'an array of dimensions', shape);
  if (values === null || typeof values !== 'object') throw badArgument('makeTensor', 'values', 'an array or typed array of values', values);
  const size = dtypeSize(dtype);
  if (size === undefined) throw new GraftError('graph/bad-tensor', `makeTensor cannot hold ${dtype}; use makeStringTensor for strings`);
  const n = checkedElements(shape, size, `A ${dtype} tensor`);
  const perElement = baseDType(dtype).startsWith('complex') ? 2 : 1;
  if (values.length !== n * perElement) {
    throw new GraftError('graph/bad-tensor', `${values.length} values for a ${dtype}[${shape.join(',')}] tensor (${n} elements)`);
  }
  const Ctor = arrayCtor(baseDType(dtype));
  if (Ctor && values instanceof Ctor && !['half', 'bfloat16', 'bool'].includes(baseDType(dtype))) {
    // The same element type: copy the bytes, no per-element conversion.
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength).slice();
    return { dtype, shape: Object.freeze([...shape]), data: { kind: 'content', bytes } };
  }
  const t: Tensor = { dtype, shape: [...shape], data: { kind: 'values', field: 'float_val', values: Array.from(values as ArrayLike<number>) } };
  const bytes = tensorBytes(t).slice();
  return { dtype, shape: Object.freeze([...shape]), data: { kind: 'content', bytes } };
}

/** Makes a scalar or small tensor the way TensorFlow's Python writes small constants: a value list. */
export function makeValueTensor(dtype: DType, shape: readonly number[], values: readonly (number | bigint | boolean)[]): Tensor {
  if (typeof dtype !== 'string') throw badArgument('makeValueTensor', 'dtype', 'a dtype name', dtype);
  if (!Array.isArray(shape)) throw badArgument('makeValueTensor', 'shape', 'an array of dimensions', shape);
  if (!Array.isArray(values)) throw badArgument('makeValueTensor', 'values', 'an array of values', values);
  const field = valueFieldFor(dtype);
  if (!field || field === 'string_val') throw new GraftError('graph/bad-tensor', `No value list for dtype ${dtype}`);
  return { dtype, shape: Object.freeze([...shape]), data: { kind: 'values', field, values: Object.freeze([...values]) } };
}

/** Makes a string tensor. */
export function makeStringTensor(shape: readonly number[], values: readonly (string | Uint8Array)[]): Tensor {
  if (!Array.isArray(shape)) throw badArgument('makeStringTensor', 'shape', 'an array of dimensions', shape);
  if (!Array.isArray(values)) throw badArgument('makeStringTensor', 'values', 'an array of strings or byte arrays', values);
  const enc = new TextEncoder();
  return {
    dtype: 'string',
    shape: Object.freeze([...shape]),
    data: { kind: 'strings', values: Object.freeze(values.map((v) => (typeof v === 'string' ? enc.encode(v) : v))) },
  };
}
