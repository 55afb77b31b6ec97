/**
 * Runtime values: what flows along the edges while a graph runs.
 *
 * A value is a tfjs tensor tagged with its TensorFlow dtype (tfjs holds only float32, int32, bool
 * and string, so an int64 or uint8 tensor travels as int32 and remembers what it really is), a
 * host tensor (an IR `Tensor`: strings, double, int64 beyond int32, anything tfjs cannot hold
 * exactly), a resource handle, a TensorArray, or a TensorList (TF2's `variant` list). Conversions
 * between the forms refuse, with `runtime/unsupported-dtype`, whenever a value would change.
 */
import type * as tfcore from '@tensorflow/tfjs-core';
import { GraftError } from '../errors';
import { type DType, baseDType, dtypeSize } from '../ir/dtype';
import { type Tensor, numElements, tensorStrings, tensorToArray } from '../ir/tensor';
import { type TF, loadedTF } from './tfjs';

export type TFTensor = tfcore.Tensor;

/** A value on an edge while a graph runs. */
export type Value =
  /**
   * A tfjs tensor; `dtype` is the TensorFlow dtype it stands for. `ref`: the key of the TF1 ref
   * variable this value is a reference to (`VariableV2`'s output, `Assign`'s), for the ops that
   * write through it.
   */
  | { readonly kind: 'tensor'; readonly dtype: DType; readonly t: TFTensor; readonly ref?: string }
  /** A tensor held on the host as an IR tensor (`ref` as above). */
  | { readonly kind: 'host'; readonly t: Tensor; readonly ref?: string }
  /** A resource handle (a variable, by its shared name). */
  | { readonly kind: 'resource'; readonly name: string; readonly node: string }
  /** A TensorArray (TF1 `TensorArrayV3`), elements kept as values. */
  | { readonly kind: 'tensor-array'; readonly id: number; readonly elements: (Value | undefined)[]; readonly dtype: DType }
  /** A TensorList (`EmptyTensorList`, `TensorListReserve`, ...): an immutable `variant` value. */
  | TensorListValue;

/**
 * A TensorList, as TensorFlow's `TensorList` variant holds it: the element dtype, the element
 * shape as far as it is known (null: unknown rank; -1: unknown dimension), the elements (host
 * tensors, or lists when the element dtype is `variant`; `undefined` for a slot reserved but never
 * set) and the maximum length (-1: unbounded).
 *
 * Immutable: every list op makes a new value (copying the element array, never the tensors), so a
 * list held by two consumers, a loop variable and a cached constant never changes under them.
 * Elements are host tensors, not tfjs tensors, so the executor's reference counts never see them.
 */
export interface TensorListValue {
  readonly kind: 'tensor-list';
  readonly elementDType: DType;
  readonly elementShape: readonly number[] | null;
  readonly elements: readonly (Tensor | TensorListValue | undefined)[];
  readonly maxNumElements: number;
}

/** The elements as an aligned typed array (ir/tensor's, re-exported for the kernels). */
export { tensorToArray };

/** The dtypes tfjs holds exactly in an int32 tensor (int64/uint32 only when every value fits). */
const INT32_HELD = new Set<string>(['int32', 'int16', 'int8', 'uint8', 'uint16']);

/** The tfjs dtype a TensorFlow dtype travels as, or undefined when tfjs cannot hold it. */
export function tfjsDType(dtype: DType): 'float32' | 'int32' | 'bool' | 'string' | undefined {
  const b = baseDType(dtype);
  if (b === 'float') return 'float32';
  if (INT32_HELD.has(b) || b === 'int64' || b === 'uint32') return 'int32';
  if (b === 'bool') return 'bool';
  if (b === 'string') return 'string';
  return undefined;
}

/** The TensorFlow dtype of a value (resource for handles, variant for TensorArrays and TensorLists). */
export function valueDType(v: Value): DType {
  switch (v.kind) {
    case 'tensor': return v.dtype;
    case 'host': return baseDType(v.t.dtype);
    case 'resource': return 'resource';
    case 'tensor-array': return 'variant';
    case 'tensor-list': return 'variant';
  }
}

/** The shape of a tensor value. */
export function valueShape(v: Value): number[] {
  if (v.kind === 'tensor') return v.t.shape.slice();
  if (v.kind === 'host') return [...v.t.shape];
  return [];
}

function unsupported(what: string, node?: string, op?: string): GraftError {
  return new GraftError('runtime/unsupported-dtype', node ? `Node '${node}'${op ? ` (${op})` : ''}: ${what}` : what, {
    ...(node ? { node } : {}),
    ...(op ? { op } : {}),
    hint: 'tfjs holds only float32, int32, bool and string; graft refuses rather than round a value.',
  });
}

/**
 * A host tensor as a tfjs tensor, exactly, or a `runtime/unsupported-dtype` error: int64 and
 * uint32 only when every value fits in int32; double, half, complex and the quantized types never.
 */
export function hostToTF(tf: TF, t: Tensor, where: { node?: string; op?: string } = {}): TFTensor {
  const b = baseDType(t.dtype);
  const shape = [...t.shape];
  if (b === 'string') return tf.tensor(tensorStrings(t), shape, 'string');
  const target = tfjsDType(b);
  if (!target) throw unsupported(`a ${b} tensor cannot be held exactly in tfjs (float32/int32/bool only)`, where.node, where.op);
  const arr = tensorToArray(t);
  if (target === 'float32') return tf.tensor(arr as Float32Array, shape, 'float32');
  if (target === 'bool') return tf.tensor(Uint8Array.from(arr as Uint8Array), shape, 'bool');
  if (b === 'int64' || b === 'uint32') {
    const out = new Int32Array(arr.length);
    for (let i = 0; i < arr.length; i++) {
      const v = arr[i]!;
      const n = typeof v === 'bigint' ? v : BigInt(v);
      if (n < -2147483648n || n > 2147483647n) {
        throw unsupported(`${b} value ${n} (element ${i}) does not fit in int32, the widest integer tfjs holds`, where.node, where.op);
      }
      out[i] = Number(n);
    }
    return tf.tensor(out, shape, 'int32');
  }
  return tf.tensor(Int32Array.from(arr as ArrayLike<number>), shape, 'int32');
}

/** A typed array as a `content` IR tensor (copied; little-endian, as every JS engine here is). */
export function tensorFromArray(dtype: DType, shape: readonly number[], arr: ArrayLike<number> | ArrayLike<bigint> | Uint8Array): Tensor {
  const b = baseDType(dtype);
  const n = numElements(shape);
  const size = dtypeSize(b);
  if (size === undefined) throw new GraftError('graph/bad-tensor', `tensorFromArray cannot hold ${b}`);
  const bytes = new Uint8Array(n * size);
  const view = new DataView(bytes.buffer);
  if (arr.length !== n) throw new GraftError('graph/bad-tensor', `${arr.length} values for a ${b}[${shape.join(',')}] tensor`);
  for (let i = 0; i < n; i++) {
    const v = arr[i]!;
    switch (b) {
      case 'float': view.setFloat32(i * 4, Number(v), true); break;
      case 'double': view.setFloat64(i * 8, Number(v), true); break;
      case 'int32': view.setInt32(i * 4, Number(v), true); break;
      case 'uint32': view.setUint32(i * 4, Number(v) >>> 0, true); break;
      case 'int16': view.setInt16(i * 2, Number(v), true); break;
      case 'uint16': view.setUint16(i * 2, Number(v), true); break;
      case 'int8': view.setInt8(i, Number(v)); break;
      case 'uint8': view.setUint8(i, Number(v)); break;
      case 'bool': view.setUint8(i, Number(v) ? 1 : 0); break;
      case 'int64': view.setBigInt64(i * 8, BigInt.asIntN(64, typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v)))), true); break;
      case 'uint64': view.setBigUint64(i * 8, BigInt.asUintN(64, typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v)))), true); break;
      default: throw new GraftError('graph/bad-tensor', `tensorFromArray cannot write ${b}`);
    }
  }
  return { dtype: b, shape: Object.freeze([...shape]), data: { kind: 'content', bytes } };
}

/** The raw bytes of a tfjs string tensor (binary-safe: `dataSync()` would decode them as UTF-8). */
function readStringBytes(t: TFTensor): Uint8Array[] {
  const raw = loadedTF().engine().readSync(t.dataId) as unknown as (Uint8Array | string)[];
  return raw.map((v) => (typeof v === 'string' ? new TextEncoder().encode(v) : v));
}

/** A tfjs tensor as a fresh IR tensor of the TensorFlow dtype it stands for. */
export function tfToHost(t: TFTensor, dtype: DType): Tensor {
  const b = baseDType(dtype);
  if (t.dtype === 'string') {
    // dataSync() would decode the bytes as UTF-8 text; read the stored bytes instead.
    const vals = readStringBytes(t);
    return { dtype: 'string', shape: Object.freeze([...t.shape]), data: { kind: 'strings', values: Object.freeze([...vals]) } };
  }
  const data = t.dataSync() as Float32Array | Int32Array | Uint8Array;
  // Same element type: copy the bytes at once (JS engines here are little-endian).
  if ((b === 'float' && data instanceof Float32Array) || (b === 'int32' && data instanceof Int32Array) || (b === 'bool' && data instanceof Uint8Array)) {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
    return { dtype: b, shape: Object.freeze([...t.shape]), data: { kind: 'content', bytes } };
  }
  return tensorFromArray(b, t.shape, data);
}

/** The value as an IR tensor (tfjs tensors are read back). Handles and TensorArrays have none. */
export function valueToHost(v: Value, where: { node?: string } = {}): Tensor {
  if (v.kind === 'host') return v.t;
  if (v.kind === 'tensor') return tfToHost(v.t, v.dtype);
  throw new GraftError('runtime/unsupported-dtype', `A ${v.kind} value has no tensor form${where.node ? ` (node '${where.node}')` : ''}`, where.node ? { node: where.node } : {});
}

/** The elements of a value as JS numbers (int64 must be within 2^53). For shapes, axes, sizes. */
export function valueNumbers(v: Value, where: { node?: string } = {}): number[] {
  if (v.kind === 'tensor') return Array.from(v.t.dataSync() as ArrayLike<number>, Number);
  const t = valueToHost(v, where);
  const arr = tensorToArray(t);
  const out = new Array<number>(arr.length);
  for (let i = 0; i < arr.length; i++) {
    const x = arr[i]!;
    if (typeof x === 'bigint' && (x > BigInt(Number.MAX_SAFE_INTEGER) || x < BigInt(Number.MIN_SAFE_INTEGER))) {
      throw unsupported(`int64 value ${x} is beyond 2^53`, where.node);
    }
    out[i] = Number(x);
  }
  return out;
}
