/**
 * Elementwise math on the host, for the dtypes tfjs cannot compute exactly: int64 (with BigInt,
 * wrapping at 64 bits as TensorFlow does), double (JS numbers are float64), uint32/uint64.
 */
import { GraftError } from '../../errors';
import { type DType, baseDType } from '../../ir/dtype';
import { type Tensor, tensorToNumbers } from '../../ir/tensor';
import { tensorFromArray, tensorToArray } from '../values';

export type NumFn = (a: number, b: number) => number;
export type BigFn = (a: bigint, b: bigint) => bigint;
export type CmpFn = (a: number | bigint, b: number | bigint) => boolean;

/** The dtypes whose arithmetic runs on the host. */
export const HOST_DTYPES: ReadonlySet<string> = new Set(['int64', 'double', 'uint32', 'uint64']);

export function broadcastShape(a: readonly number[], b: readonly number[], where: string): number[] {
  return broadcastShapeOr(a, b, (message) => new GraftError('runtime/failed', `${where}: ${message}`));
}

/** The shape `a` and `b` broadcast to; throws what `fail` makes of the message when they do not. */
export function broadcastShapeOr(a: readonly number[], b: readonly number[], fail: (message: string) => Error): number[] {
  const r = Math.max(a.length, b.length);
  const out = new Array<number>(r);
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1;
    const y = b[b.length - r + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw fail(`shapes [${a.join(',')}] and [${b.join(',')}] do not broadcast`);
    out[i] = x === 1 ? y : x;
  }
  return out;
}

/** For each element of an output of shape `out`, the index into an operand of `shape` broadcast to it. */
export function broadcastIndex(shape: readonly number[], out: readonly number[]): Int32Array {
  const n = out.reduce((s, d) => s * d, 1);
  const idx = new Int32Array(n);
  const r = out.length;
  const strides = new Array<number>(r).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const oi = r - shape.length + i;
    strides[oi] = shape[i] === 1 ? 0 : s;
    s *= shape[i]!;
  }
  const coord = new Array<number>(r).fill(0);
  for (let k = 0; k < n; k++) {
    let off = 0;
    for (let i = 0; i < r; i++) off += coord[i]! * strides[i]!;
    idx[k] = off;
    for (let i = r - 1; i >= 0; i--) {
      if (++coord[i]! < out[i]!) break;
      coord[i] = 0;
    }
  }
  return idx;
}

const BIG = new Set(['int64', 'uint64']);

function asBig(v: number | bigint): bigint {
  return typeof v === 'bigint' ? v : BigInt(Math.trunc(v));
}

/** A binary elementwise op on host tensors of one dtype, with broadcasting. */
export function hostBinary(a: Tensor, b: Tensor, num: NumFn | undefined, big: BigFn | undefined, where: string, outDType?: DType): Tensor {
  const dt = baseDType(a.dtype);
  const shape = broadcastShape(a.shape, b.shape, where);
  const av = tensorToArray(a);
  const bv = tensorToArray(b);
  const ia = broadcastIndex(a.shape, shape);
  const ib = broadcastIndex(b.shape, shape);
  const n = ia.length;
  if (BIG.has(dt)) {
    if (!big) throw new GraftError('runtime/unsupported-dtype', `${where}: not computed for ${dt}`);
    const out = new Array<bigint>(n);
    for (let i = 0; i < n; i++) out[i] = big(asBig(av[ia[i]!]!), asBig(bv[ib[i]!]!));
    return tensorFromArray(outDType ?? dt, shape, dt === 'uint64' ? out.map((x) => BigInt.asUintN(64, x)) : out.map((x) => BigInt.asIntN(64, x)));
  }
  if (!num) throw new GraftError('runtime/unsupported-dtype', `${where}: not computed for ${dt}`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = num(Number(av[ia[i]!]), Number(bv[ib[i]!]));
  return tensorFromArray(outDType ?? dt, shape, out);
}

/** A comparison on host tensors, giving bool. */
export function hostCompare(a: Tensor, b: Tensor, cmp: CmpFn, where: string): Tensor {
  const shape = broadcastShape(a.shape, b.shape, where);
  const av = tensorToArray(a);
  const bv = tensorToArray(b);
  const ia = broadcastIndex(a.shape, shape);
  const ib = broadcastIndex(b.shape, shape);
  const out = new Uint8Array(ia.length);
  for (let i = 0; i < ia.length; i++) out[i] = cmp(av[ia[i]!]!, bv[ib[i]!]!) ? 1 : 0;
  return tensorFromArray('bool', shape, out);
}

/** A unary elementwise op on a host tensor. */
export function hostUnary(a: Tensor, num: ((x: number) => number) | undefined, big: ((x: bigint) => bigint) | undefined, where: string): Tensor {
  const dt = baseDType(a.dtype);
  const av = tensorToArray(a);
  if (BIG.has(dt)) {
    if (!big) throw new GraftError('runtime/unsupported-dtype', `${where}: not computed for ${dt}`);
    return tensorFromArray(dt, a.shape, Array.from(av as BigInt64Array, (x) => BigInt.asIntN(64, big(x))));
  }
  if (!num) throw new GraftError('runtime/unsupported-dtype', `${where}: not computed for ${dt}`);
  return tensorFromArray(dt, a.shape, Array.from(av as ArrayLike<number>, (x) => num(Number(x))));
}

/**
 * Cast on the host between any numeric dtypes: float to integer truncates toward zero, integer
 * to float rounds to the nearest float32 (or is exact for double), to bool tests non-zero.
 */
export function hostCast(a: Tensor, to: DType, where: string): Tensor {
  const src = baseDType(a.dtype);
  const dst = baseDType(to);
  // half and bfloat16 are stored as bit patterns: read their values, not their bits.
  const av: ArrayLike<number | bigint> = src === 'half' || src === 'bfloat16' ? tensorToNumbers(a) : tensorToArray(a);
  const n = av.length;
  if (dst === 'bool') return tensorFromArray('bool', a.shape, Array.from(av as ArrayLike<number>, (x) => (Number(x) !== 0 ? 1 : 0)));
  if (BIG.has(dst)) {
    const out = new Array<bigint>(n);
    for (let i = 0; i < n; i++) {
      const x = av[i]!;
      if (typeof x === 'bigint') out[i] = x;
      else if (!Number.isFinite(x)) throw new GraftError('runtime/unsupported-dtype', `${where}: cannot cast ${x} to ${dst}`);
      else out[i] = BigInt(Math.trunc(x));
    }
    return tensorFromArray(dst, a.shape, out);
  }
  const out = new Float64Array(n);
  const toInt = !(dst === 'float' || dst === 'double' || dst === 'half' || dst === 'bfloat16');
  for (let i = 0; i < n; i++) {
    const x = av[i]!;
    let v: number;
    if (typeof x === 'bigint') {
      if (!toInt && dst === 'double' && (x > BigInt(Number.MAX_SAFE_INTEGER) || x < -BigInt(Number.MAX_SAFE_INTEGER))) v = Number(x);
      else v = Number(toInt ? BigInt.asIntN(32, x) : x);
    } else v = x;
    out[i] = toInt ? Math.trunc(v) : v;
  }
  if (dst === 'half' || dst === 'bfloat16') throw new GraftError('runtime/unsupported-dtype', `${where}: casting to ${dst} is not supported`);
  return tensorFromArray(dst, a.shape, out);
}
