/**
 * Reference kernels for TensorFlow's eight-bit ops (what `quantize_weights` and `quantize_nodes`
 * emit), on the host in plain typed arrays: quint8/qint8/qint16/quint16/qint32 values travel as IR
 * tensors (`content` form), since tfjs cannot hold them.
 *
 * The arithmetic follows TensorFlow's CPU kernels (x86 paths, not the ARM `meta` ones), including
 * where they compute in float32 rather than double (`Math.fround` at the same points), their
 * round-half-away-from-zero, and the fixed-point qint32 → quint8 requantization:
 *
 * - `QuantizeV2` MIN_FIRST / MIN_COMBINED / SCALED: the range is first widened to contain 0 and to
 *   span at least `ensure_minimum_range × max(1, |min|, |max|)`; outputs 1 and 2 give the range used.
 * - `Dequantize` MIN_FIRST snaps the range origin to a multiple of the step (so 0.0 is exact);
 *   MIN_COMBINED maps the codes linearly onto [min, max]; SCALED is symmetric.
 * - Products (`QuantizedMatMul`, `QuantizedConv2D`, `QuantizedMul`) accumulate
 *   `(a − zeroA)·(b − zeroB)` in int32, where `zero` is the code of 0.0; their output range is
 *   `stepA·stepB × [−2^31, 2^31]`.
 * - Sums (`QuantizedBiasAdd`, `QuantizedAdd`) move both operands into a symmetric qint32 range of
 *   `max(|ranges|) × 2^17` and add.
 * - `RequantizationRange` reports the float range actually used (min clamped to ≤ 0);
 *   `Requantize` maps into a requested range.
 *
 * Not handled: per-channel (`axis`) MIN_FIRST (TensorFlow refuses it too), `QuantizedConv2D`
 * dilations other than 1, NaN inputs to `QuantizeV2` (they quantize to the lowest code; TF's result
 * is undefined).
 */
import { GraftError } from '../../errors';
import { type DType, baseDType } from '../../ir/dtype';
import { type Tensor, numElements, tensorToArray } from '../../ir/tensor';
import type { Kernel, KernelContext } from '../kernel';
import { broadcastIndex, broadcastShapeOr } from './host-math';

const f32 = Math.fround;

/** The integer range of a quantized (or plain integer) dtype. */
export interface QuantizedTypeInfo {
  readonly lowest: number;
  readonly highest: number;
  readonly bits: number;
  readonly signed: boolean;
}

const Q_INFO: Record<string, QuantizedTypeInfo> = {
  quint8: { lowest: 0, highest: 255, bits: 8, signed: false },
  qint8: { lowest: -128, highest: 127, bits: 8, signed: true },
  quint16: { lowest: 0, highest: 65535, bits: 16, signed: false },
  qint16: { lowest: -32768, highest: 32767, bits: 16, signed: true },
  qint32: { lowest: -2147483648, highest: 2147483647, bits: 32, signed: true },
};

/** Range facts of a quantized dtype, or a `runtime/unsupported-dtype` error. */
export function quantizedTypeInfo(dtype: DType, where = ''): QuantizedTypeInfo {
  const info = Q_INFO[baseDType(dtype)];
  if (!info) throw new GraftError('runtime/unsupported-dtype', `${where}${where ? ': ' : ''}${dtype} is not a quantized type (quint8, qint8, quint16, qint16, qint32)`);
  return info;
}

/** C's `round`: halves go away from zero (JS `Math.round` sends −2.5 to −2). */
export function roundHalfAwayFromZero(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** Halves go to the even neighbour (Eigen's `scalar_round_half_to_even_op`). */
export function roundHalfToEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

type IntArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Int32Array;

function intArray(dtype: DType, n: number): IntArray {
  switch (baseDType(dtype)) {
    case 'quint8': return new Uint8Array(n);
    case 'qint8': return new Int8Array(n);
    case 'quint16': return new Uint16Array(n);
    case 'qint16': return new Int16Array(n);
    case 'qint32': return new Int32Array(n);
    default: throw new GraftError('runtime/unsupported-dtype', `No quantized array for ${dtype}`);
  }
}

/** A typed array as a `content` IR tensor of `dtype` (the array's bytes are used, not copied). */
export function quantizedTensor(dtype: DType, shape: readonly number[], values: IntArray | Float32Array): Tensor {
  if (values.length !== numElements(shape)) throw new GraftError('graph/bad-tensor', `${values.length} values for a ${dtype}[${shape.join(',')}] tensor`);
  return { dtype: baseDType(dtype), shape: Object.freeze([...shape]), data: { kind: 'content', bytes: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) } };
}

function scalar(v: number): Tensor {
  return quantizedTensor('float', [], Float32Array.of(v));
}

/** The first element of input `i` as a float (the min/max inputs are scalars or 1-vectors). */
function scalarInput(ctx: KernelContext, i: number, what: string): number {
  const v = ctx.numbers(i);
  if (v.length < 1) throw ctx.fail(`${what} (input ${i}) is empty`);
  return f32(v[0]!);
}

function floatsOf(ctx: KernelContext, i: number): { shape: readonly number[]; values: Float32Array } {
  const t = ctx.host(i);
  if (baseDType(t.dtype) !== 'float') throw ctx.fail(`input ${i} must be float, is ${t.dtype}`, 'runtime/unsupported-dtype');
  return { shape: t.shape, values: tensorToArray(t) as Float32Array };
}

function quantizedOf(ctx: KernelContext, i: number, expected?: DType): { shape: readonly number[]; values: ArrayLike<number>; dtype: DType; info: QuantizedTypeInfo } {
  const t = ctx.host(i);
  const dtype = baseDType(t.dtype);
  if (expected && dtype !== baseDType(expected)) throw ctx.fail(`input ${i} is ${dtype}, the node says ${expected}`, 'runtime/unsupported-dtype');
  const info = Q_INFO[dtype];
  if (!info) throw ctx.fail(`input ${i} must be a quantized tensor, is ${dtype}`, 'runtime/unsupported-dtype');
  return { shape: t.shape, values: tensorToArray(t) as unknown as ArrayLike<number>, dtype, info };
}

// ------------------------------------------------------------------ TF's conversion helpers

/**
 * TF's `FloatToQuantizedUnclamped` (double arithmetic): the code of `x` in [min, max] before
 * clamping. Used for the zero points of products.
 */
export function floatToQuantizedUnclamped(x: number, min: number, max: number, info: QuantizedTypeInfo): number {
  if (min === max) return info.lowest;
  const steps = 2 ** info.bits;
  const range = (max - min) * (steps / (steps - 1));
  const scale = steps / range;
  return roundHalfAwayFromZero(f32(x) * scale) - roundHalfAwayFromZero(min * scale) + info.lowest;
}

/** TF's `FloatToQuantized`: as above, clamped to the type. */
export function floatToQuantized(x: number, min: number, max: number, info: QuantizedTypeInfo): number {
  return Math.min(info.highest, Math.max(info.lowest, floatToQuantizedUnclamped(x, min, max, info)));
}

/** TF's scalar `QuantizedToFloat` (double arithmetic, rounded to float at the end). */
export function quantizedToFloat(q: number, min: number, max: number, info: QuantizedTypeInfo): number {
  if (min === max) return min;
  const steps = 2 ** info.bits;
  const range = f32(max - min) * (steps / (steps - 1));
  const scale = range / steps;
  const fscale = f32(scale);
  const minRounded = roundHalfAwayFromZero(min / fscale) * fscale;
  return f32(minRounded + (q - info.lowest) * scale);
}

/** TF's `FloatForOneQuantizedLevel`, in float. */
function floatForOneLevel(min: number, max: number, info: QuantizedTypeInfo): number {
  return f32(f32(max - min) / f32(info.highest - info.lowest));
}

/** TF's `QuantizationRangeForMultiplication` into qint32. */
export function rangeForMultiplication(minA: number, maxA: number, infoA: QuantizedTypeInfo, minB: number, maxB: number, infoB: QuantizedTypeInfo): [number, number] {
  const step = f32(floatForOneLevel(minA, maxA, infoA) * floatForOneLevel(minB, maxB, infoB));
  // The int64 bounds of qint32 become floats: 2^31 − 1 rounds to 2^31.
  return [f32(step * f32(-2147483648)), f32(step * f32(2147483647))];
}

/** The vectorised dequantizer (`QuantizedToFloatStruct` + `DEQUANTIZE_WITH_EIGEN`), float arithmetic. */
function dequantizeMinFirst(values: ArrayLike<number>, min: number, max: number, info: QuantizedTypeInfo, out: Float32Array): void {
  const steps = 2 ** info.bits;
  const scale = f32(f32(max - min) / (steps - 1));
  const minRounded = max === min ? min : f32(roundHalfAwayFromZero(f32(min / scale)) * scale);
  const base = f32(minRounded - f32(f32(info.lowest) * scale));
  for (let i = 0; i < values.length; i++) out[i] = f32(base + f32(f32(values[i]!) * scale));
}

/** The vectorised quantizer (`FloatToQuantizedStruct` + `QUANTIZE_WITH_EIGEN`), float arithmetic. */
function quantizeMinFirst(values: ArrayLike<number>, min: number, max: number, info: QuantizedTypeInfo, out: IntArray): void {
  const steps = 2 ** info.bits;
  const scale = max === min ? 0 : f32((steps - 1) / f32(max - min));
  const minScaled = roundHalfAwayFromZero(f32(min * scale));
  const shift = f32(minScaled - f32(info.lowest));
  // qint32's bounds as floats that convert back to int32 without leaving its range.
  const lo = Math.max(f32(info.lowest), -2.147483648e9);
  const hi = Math.min(f32(info.highest), f32(2.14748352e9));
  for (let i = 0; i < values.length; i++) {
    const v = f32(roundHalfAwayFromZero(f32(f32(values[i]!) * scale)) - shift);
    out[i] = Number.isNaN(v) ? info.lowest : Math.min(hi, Math.max(lo, v));
  }
}

/** `RequantizeManyInNewRange` through float (the generic Eigen path). */
function requantizeGeneric(values: ArrayLike<number>, inMin: number, inMax: number, inInfo: QuantizedTypeInfo, outMin: number, outMax: number, outInfo: QuantizedTypeInfo, out: IntArray): void {
  const tmp = new Float32Array(values.length);
  dequantizeMinFirst(values, inMin, inMax, inInfo, tmp);
  quantizeMinFirst(tmp, outMin, outMax, outInfo, out);
}

/** floor(v · s / 2^32) exactly, for |v| < 2^31 and 0 ≤ s < 2^53 (an int64 product shifted right). */
function mulShift32(v: number, s: number): number {
  const sh = Math.floor(s / 4294967296);
  const sl = s - sh * 4294967296;
  const slHi = Math.floor(sl / 65536);
  const slLo = sl - slHi * 65536;
  const a = v * slHi;
  const q1 = Math.floor((v * slLo) / 65536);
  return v * sh + Math.floor((a + q1) / 65536);
}

/**
 * TF's fixed-point qint32 → quint8 requantization (16 fractional bits, int64 intermediates), the
 * path `Requantize` takes on x86.
 */
function requantize32To8(values: ArrayLike<number>, inMin: number, inMax: number, outMin: number, outMax: number, out: Uint8Array): void {
  const fpShift = 16;
  const one = 1 << fpShift;
  const inputRange = f32(inMax - inMin);
  const outputRange = f32(outMax - outMin);
  const recip = outputRange === 0 ? 0 : f32(255.0 / outputRange);
  const rezero = f32((inMin + inMax) / 2.0);
  const rangeScaleFp = outputRange === 0 ? 0 : Math.trunc((255.0 * one * inputRange) / outputRange);
  const inputOffsetFp = Math.trunc(f32(f32(rezero * recip) * one));
  const outputOffsetFp = outputRange === 0 ? 0 : Math.trunc((one * (outMin * 255.0)) / outputRange);
  const rounding = 1 << (fpShift - 1);
  const safe = Math.abs(rangeScaleFp) < 2 ** 53 && Math.abs(inputOffsetFp) < 2 ** 52 && Math.abs(outputOffsetFp) < 2 ** 52;
  if (safe && rangeScaleFp >= 0) {
    for (let i = 0; i < values.length; i++) {
      const fp = mulShift32(values[i]!, rangeScaleFp) + inputOffsetFp;
      const q = Math.floor((fp - outputOffsetFp + rounding) / one);
      out[i] = q < 0 ? 0 : q > 255 ? 255 : q;
    }
    return;
  }
  // Extreme range ratios (an all-zero product has a near-empty used range): int64 arithmetic,
  // wrapping as TF's would.
  const i64 = (x: number): bigint => BigInt.asIntN(64, BigInt(Math.trunc(Math.max(-9.2e18, Math.min(9.2e18, x)))));
  const scale = i64(rangeScaleFp);
  const offset = BigInt.asIntN(64, i64(inputOffsetFp) - i64(outputOffsetFp) + BigInt(rounding));
  for (let i = 0; i < values.length; i++) {
    const fp = BigInt.asIntN(64, (BigInt.asIntN(64, BigInt(values[i]!) * scale) >> 32n) + offset);
    const q = fp >> BigInt(fpShift);
    out[i] = q < 0n ? 0 : q > 255n ? 255 : Number(q);
  }
}

// ------------------------------------------------------------------ Dequantize / QuantizeV2

/** min/max per slice along `axis` (-1: one slice). */
function slices(ctx: KernelContext, shape: readonly number[], axis: number): { count: number; pre: number; post: number } {
  if (axis < 0) return { count: 1, pre: 1, post: numElements(shape) };
  if (axis >= shape.length) throw ctx.fail(`axis ${axis} is out of range for a rank-${shape.length} input`);
  let pre = 1;
  let post = 1;
  for (let i = 0; i < axis; i++) pre *= shape[i]!;
  for (let i = axis + 1; i < shape.length; i++) post *= shape[i]!;
  return { count: shape[axis]!, pre, post };
}

function rangesOf(ctx: KernelContext, count: number): { mins: number[]; maxs: number[] } {
  const mins = ctx.numbers(1).map(f32);
  const maxs = ctx.numbers(2).map(f32);
  if (mins.length !== count || maxs.length !== count) {
    throw ctx.fail(`min/max hold ${mins.length}/${maxs.length} values; ${count} expected (one per slice on the axis)`);
  }
  return { mins, maxs };
}

/** Applies `fn` to every slice on the axis (element index lists are strided). */
function forSlices(s: { count: number; pre: number; post: number }, fn: (slice: number, indices: Int32Array) => void): void {
  if (s.count === 1) {
    const idx = new Int32Array(s.pre * s.post);
    for (let i = 0; i < idx.length; i++) idx[i] = i;
    fn(0, idx);
    return;
  }
  for (let c = 0; c < s.count; c++) {
    const idx = new Int32Array(s.pre * s.post);
    let k = 0;
    for (let p = 0; p < s.pre; p++) for (let q = 0; q < s.post; q++) idx[k++] = (p * s.count + c) * s.post + q;
    fn(c, idx);
  }
}

const dequantize: Kernel = (ctx) => {
  const mode = ctx.attrString('mode', 'MIN_COMBINED');
  const narrow = ctx.attrBool('narrow_range', false);
  const axis = ctx.attrInt('axis', -1);
  const outType = ctx.attrType('dtype', 'float');
  if (outType !== 'float') throw ctx.fail(`output dtype ${outType} is not supported (float only)`, 'runtime/unsupported-dtype');
  const x = quantizedOf(ctx, 0);
  const { info } = x;
  const s = slices(ctx, x.shape, axis);
  const { mins, maxs } = rangesOf(ctx, s.count);
  const out = new Float32Array(x.values.length);
  if (mode === 'MIN_FIRST') {
    if (s.count !== 1) throw ctx.fail('MIN_FIRST mode is not implemented for an axis (as in TensorFlow)');
    dequantizeMinFirst(x.values, mins[0]!, maxs[0]!, info, out);
    return [quantizedTensor('float', x.shape, out)];
  }
  const halfRange = info.signed ? f32((f32(info.highest) - info.lowest + 1) / 2) : 0;
  forSlices(s, (c, idx) => {
    const min = mins[c]!;
    const max = maxs[c]!;
    if (mode === 'MIN_COMBINED') {
      const scale = f32(f32(max - min) / f32(f32(info.highest) - info.lowest));
      for (const i of idx) out[i] = f32(f32(f32(f32(x.values[i]!) + halfRange) * scale) + min);
    } else if (mode === 'SCALED') {
      const minOut = info.lowest + (narrow ? 1 : 0);
      const scale = info.lowest === 0 ? f32(max / info.highest) : Math.max(f32(min / minOut), f32(max / info.highest));
      for (const i of idx) out[i] = f32(f32(x.values[i]!) * scale);
    } else {
      throw ctx.fail(`mode must be MIN_COMBINED, MIN_FIRST or SCALED, is '${mode}'`);
    }
  });
  return [quantizedTensor('float', x.shape, out)];
};

/** QuantizeV2's range adjustment: contains 0, and is at least `ensure_minimum_range` wide. */
export function quantizeV2Range(inMin: number, inMax: number, ensureMinimumRange: number): [number, number] {
  const min = Math.min(0, inMin);
  const eps = f32(Math.max(1, Math.abs(inMin), Math.abs(inMax)) * f32(ensureMinimumRange));
  const max = Math.max(0, inMax, f32(min + eps));
  return [min, max];
}

const quantizeV2: Kernel = (ctx) => {
  const T = ctx.attrType('T');
  const info = quantizedTypeInfo(T, `Node '${ctx.node.name}'`);
  const mode = ctx.attrString('mode', 'MIN_COMBINED');
  const roundMode = ctx.attrString('round_mode', 'HALF_AWAY_FROM_ZERO');
  const narrow = ctx.attrBool('narrow_range', false);
  const axis = ctx.attrInt('axis', -1);
  const emr = f32(ctx.attrFloat('ensure_minimum_range', 0.01));
  if (roundMode !== 'HALF_AWAY_FROM_ZERO' && roundMode !== 'HALF_TO_EVEN') throw ctx.fail(`round_mode '${roundMode}' is not supported`);
  if (roundMode === 'HALF_TO_EVEN' && mode !== 'SCALED') throw ctx.fail("round_mode 'HALF_TO_EVEN' is only supported for mode 'SCALED'");
  const x = floatsOf(ctx, 0);
  const s = slices(ctx, x.shape, axis);
  const { mins, maxs } = rangesOf(ctx, s.count);
  const out = intArray(T, x.values.length);
  const outMins = new Float32Array(s.count);
  const outMaxs = new Float32Array(s.count);
  if (mode === 'MIN_FIRST' && s.count !== 1) throw ctx.fail('MIN_FIRST mode is not implemented for an axis (as in TensorFlow)');
  forSlices(s, (c, idx) => {
    const inMin = mins[c]!;
    const inMax = maxs[c]!;
    if (inMax < inMin) throw ctx.fail(`input_max_range (${inMax}) must be larger than input_min_range (${inMin})`);
    let [min, max] = quantizeV2Range(inMin, inMax, emr);
    if (mode === 'MIN_FIRST') {
      const vals = s.count === 1 ? x.values : Float32Array.from(idx, (i) => x.values[i]!);
      quantizeMinFirst(vals, min, max, info, out);
    } else if (mode === 'MIN_COMBINED') {
      const scale = f32((info.highest - info.lowest) / f32(max - min));
      const half = info.signed ? f32((info.highest - info.lowest + 1) / 2) : 0;
      for (const i of idx) {
        const v = f32(Math.min(max, Math.max(min, x.values[i]!)));
        const scaled = f32(f32(v - min) * scale);
        // Unsigned types take TF's fast path: +0.5 then truncate; signed ones round.
        out[i] = info.signed ? roundHalfAwayFromZero(f32(scaled - half)) : Math.trunc(f32(scaled + 0.5));
      }
    } else if (mode === 'SCALED') {
      const minOut = info.lowest + (narrow ? 1 : 0);
      const maxOut = info.highest;
      const fromMin = minOut * min > 0 ? f32(minOut / min) : 3.4028234663852886e38;
      const fromMax = maxOut * max > 0 ? f32(maxOut / max) : 3.4028234663852886e38;
      const scale = Math.min(fromMin, fromMax);
      min = f32(minOut / scale);
      max = f32(maxOut / scale);
      const round = roundMode === 'HALF_TO_EVEN' ? roundHalfToEven : roundHalfAwayFromZero;
      for (const i of idx) out[i] = round(f32(f32(Math.min(max, Math.max(min, x.values[i]!))) * scale));
    } else {
      throw ctx.fail(`mode must be MIN_COMBINED, MIN_FIRST or SCALED, is '${mode}'`);
    }
    outMins[c] = min;
    outMaxs[c] = max;
  });
  const rangeShape = s.count === 1 ? [] : [s.count];
  return [quantizedTensor(T, x.shape, out), quantizedTensor('float', rangeShape, outMins), quantizedTensor('float', rangeShape, outMaxs)];
};

// ------------------------------------------------------------------ products

/** int32 wrap-free accumulation result clamped to qint32, as TF's reference GEMM clamps. */
function clampInt32(v: number): number {
  return v < -2147483648 ? -2147483648 : v > 2147483647 ? 2147483647 : v;
}

/** Codes minus the zero point, as exact integers. */
function shifted(values: ArrayLike<number>, zero: number): Int32Array {
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i]! - zero;
  return out;
}

interface QInput {
  shape: readonly number[];
  values: ArrayLike<number>;
  info: QuantizedTypeInfo;
  min: number;
  max: number;
}

/** A quantized operand: value input `v`, its range at inputs `minAt`, `maxAt`. */
function qinput(ctx: KernelContext, v: number, minAt: number, maxAt: number, typeAttr?: string): QInput {
  const x = quantizedOf(ctx, v, typeAttr ? ctx.attrType(typeAttr) : undefined);
  return { shape: x.shape, values: x.values, info: x.info, min: scalarInput(ctx, minAt, 'min'), max: scalarInput(ctx, maxAt, 'max') };
}

function outputType(ctx: KernelContext, attr: string, fallback: DType): { dtype: DType; info: QuantizedTypeInfo } {
  const dtype = ctx.attrType(attr, fallback);
  return { dtype, info: quantizedTypeInfo(dtype, `Node '${ctx.node.name}'`) };
}

const quantizedMatMul: Kernel = (ctx) => {
  const a = qinput(ctx, 0, 2, 3, 'T1');
  const b = qinput(ctx, 1, 4, 5, 'T2');
  const out = outputType(ctx, 'Toutput', 'qint32');
  if (out.dtype !== 'qint32') throw ctx.fail(`Toutput ${out.dtype} is not supported (qint32 only, as in TensorFlow)`, 'runtime/unsupported-dtype');
  const ta = ctx.attrBool('transpose_a', false);
  const tb = ctx.attrBool('transpose_b', false);
  if (a.shape.length !== 2 || b.shape.length !== 2) throw ctx.fail('both inputs must be matrices');
  const [m, k] = ta ? [a.shape[1]!, a.shape[0]!] : [a.shape[0]!, a.shape[1]!];
  const [k2, n] = tb ? [b.shape[1]!, b.shape[0]!] : [b.shape[0]!, b.shape[1]!];
  if (k !== k2) throw ctx.fail(`inner dimensions differ: ${k} vs ${k2}`);
  // The zero points: the codes that stand for 0.0 (TF's offset_a/offset_b).
  const av = shifted(a.values, floatToQuantizedUnclamped(0, a.min, a.max, a.info));
  const bv = shifted(b.values, floatToQuantizedUnclamped(0, b.min, b.max, b.info));
  const c = new Int32Array(m * n);
  const acc = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    acc.fill(0);
    for (let p = 0; p < k; p++) {
      const x = ta ? av[p * m + i]! : av[i * k + p]!;
      if (x === 0) continue;
      if (tb) for (let j = 0; j < n; j++) acc[j] += x * bv[j * k + p]!;
      else {
        const row = p * n;
        for (let j = 0; j < n; j++) acc[j] += x * bv[row + j]!;
      }
    }
    for (let j = 0; j < n; j++) c[i * n + j] = clampInt32(acc[j]!);
  }
  const [minC, maxC] = rangeForMultiplication(a.min, a.max, a.info, b.min, b.max, b.info);
  return [quantizedTensor('qint32', [m, n], c), scalar(minC), scalar(maxC)];
};

/** TF's SAME/VALID output size and the padding before the first element. */
function windowGeometry(ctx: KernelContext, size: number, window: number, stride: number, padding: string): { out: number; before: number } {
  if (stride < 1) throw ctx.fail(`stride ${stride} must be positive`);
  if (padding === 'VALID') return { out: Math.max(0, Math.ceil((size - window + 1) / stride)), before: 0 };
  if (padding === 'SAME') {
    const out = Math.ceil(size / stride);
    const total = Math.max(0, (out - 1) * stride + window - size);
    return { out, before: Math.floor(total / 2) };
  }
  throw ctx.fail(`padding ${padding} is not supported`);
}

function nhwcOnly(ctx: KernelContext): void {
  const f = ctx.attrString('data_format', 'NHWC');
  if (f !== 'NHWC') throw ctx.fail(`data_format ${f} is not supported (NHWC only, as TensorFlow's quantized kernels)`);
}

function fourInts(ctx: KernelContext, name: string): [number, number, number, number] {
  const v = ctx.attrInts(name);
  if (v.length !== 4) throw ctx.fail(`attribute ${name} must have 4 values`);
  return v as [number, number, number, number];
}

const quantizedConv2D: Kernel = (ctx) => {
  nhwcOnly(ctx);
  const x = qinput(ctx, 0, 2, 3, 'Tinput');
  const w = qinput(ctx, 1, 4, 5, 'Tfilter');
  const out = outputType(ctx, 'out_type', 'qint32');
  if (out.dtype !== 'qint32') throw ctx.fail(`out_type ${out.dtype} is not supported (qint32 only)`, 'runtime/unsupported-dtype');
  const strides = fourInts(ctx, 'strides');
  const dil = ctx.attr('dilations') ? fourInts(ctx, 'dilations') : [1, 1, 1, 1];
  if (dil.some((d) => d !== 1)) throw ctx.fail('dilations other than 1 are not supported (TensorFlow refuses them too)');
  if (strides[0] !== 1 || strides[3] !== 1) throw ctx.fail('strides on the batch or depth dimension are not supported');
  const padding = ctx.attrString('padding');
  if (x.shape.length !== 4 || w.shape.length !== 4) throw ctx.fail('input and filter must be 4-D');
  const [N, H, W, C] = x.shape as [number, number, number, number];
  const [KH, KW, C2, O] = w.shape as [number, number, number, number];
  if (C !== C2) throw ctx.fail(`input depth ${C} differs from filter depth ${C2}`);
  const gy = windowGeometry(ctx, H, KH, strides[1], padding);
  const gx = windowGeometry(ctx, W, KW, strides[2], padding);
  const xv = shifted(x.values, floatToQuantizedUnclamped(0, x.min, x.max, x.info));
  const wv = shifted(w.values, floatToQuantizedUnclamped(0, w.min, w.max, w.info));
  const OH = gy.out;
  const OW = gx.out;
  const res = new Int32Array(N * OH * OW * O);
  const acc = new Float64Array(O);
  for (let b = 0; b < N; b++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        acc.fill(0);
        for (let ky = 0; ky < KH; ky++) {
          const iy = oy * strides[1] - gy.before + ky;
          // Outside the image the input is 0.0 (its code is the zero point), so it adds nothing.
          if (iy < 0 || iy >= H) continue;
          for (let kx = 0; kx < KW; kx++) {
            const ix = ox * strides[2] - gx.before + kx;
            if (ix < 0 || ix >= W) continue;
            const xb = ((b * H + iy) * W + ix) * C;
            const wb = (ky * KW + kx) * C * O;
            for (let c = 0; c < C; c++) {
              const v = xv[xb + c]!;
              if (v === 0) continue;
              const wr = wb + c * O;
              for (let o = 0; o < O; o++) acc[o] += v * wv[wr + o]!;
            }
          }
        }
        const ob = ((b * OH + oy) * OW + ox) * O;
        for (let o = 0; o < O; o++) res[ob + o] = clampInt32(acc[o]!);
      }
    }
  }
  const [minC, maxC] = rangeForMultiplication(x.min, x.max, x.info, w.min, w.max, w.info);
  return [quantizedTensor('qint32', [N, OH, OW, O], res), scalar(minC), scalar(maxC)];
};

// ------------------------------------------------------------------ sums and elementwise products

function broadcastShapes(ctx: KernelContext, a: readonly number[], b: readonly number[]): number[] {
  return broadcastShapeOr(a, b, (message) => ctx.fail(message));
}

/**
 * quint8 → qint32 as TF's `QuantizedAdd` specialization does it: the codes of 0 and 1 are placed
 * in the output range and the rest follow linearly (`q0 + code·(q1 − q0)`).
 */
function linearToInt32(x: QInput, outMin: number, outMax: number): Int32Array {
  const i32 = Q_INFO.qint32!;
  const q0 = floatToQuantizedUnclamped(quantizedToFloat(0, x.min, x.max, x.info), outMin, outMax, i32);
  const q1 = floatToQuantizedUnclamped(quantizedToFloat(1, x.min, x.max, x.info), outMin, outMax, i32);
  const mult = q1 - q0;
  const out = new Int32Array(x.values.length);
  for (let i = 0; i < out.length; i++) out[i] = clampInt32(q0 + x.values[i]! * mult);
  return out;
}

const quantizedAdd: Kernel = (ctx) => {
  const a = qinput(ctx, 0, 2, 3, 'T1');
  const b = qinput(ctx, 1, 4, 5, 'T2');
  const out = outputType(ctx, 'Toutput', 'qint32');
  if (out.dtype !== 'qint32' || a.info !== Q_INFO.quint8 || b.info !== Q_INFO.quint8) {
    throw ctx.fail('only quint8 + quint8 → qint32 is supported', 'runtime/unsupported-dtype');
  }
  if (!(a.max > a.min)) throw ctx.fail('max_x must be larger than min_x');
  if (!(b.max > b.min)) throw ctx.fail('max_y must be larger than min_y');
  // A symmetric range holding the larger input range, with 14 bits of headroom.
  const biggest = Math.max(Math.abs(Math.min(a.min, b.min)), Math.abs(Math.max(a.max, b.max)));
  const maxZ = f32(biggest * (1 << 14));
  const minZ = -maxZ;
  const shape = broadcastShapes(ctx, a.shape, b.shape);
  const av = linearToInt32(a, minZ, maxZ);
  const bv = linearToInt32(b, minZ, maxZ);
  const ia = broadcastIndex(a.shape, shape);
  const ib = broadcastIndex(b.shape, shape);
  const z = new Int32Array(ia.length);
  for (let i = 0; i < z.length; i++) z[i] = av[ia[i]!]! + bv[ib[i]!]!;
  return [quantizedTensor('qint32', shape, z), scalar(minZ), scalar(maxZ)];
};

const quantizedMul: Kernel = (ctx) => {
  const a = qinput(ctx, 0, 2, 3, 'T1');
  const b = qinput(ctx, 1, 4, 5, 'T2');
  const out = outputType(ctx, 'Toutput', 'qint32');
  if (out.dtype !== 'qint32') throw ctx.fail(`Toutput ${out.dtype} is not supported (qint32 only)`, 'runtime/unsupported-dtype');
  const shape = broadcastShapes(ctx, a.shape, b.shape);
  const av = shifted(a.values, floatToQuantizedUnclamped(0, a.min, a.max, a.info));
  const bv = shifted(b.values, floatToQuantizedUnclamped(0, b.min, b.max, b.info));
  const ia = broadcastIndex(a.shape, shape);
  const ib = broadcastIndex(b.shape, shape);
  const z = new Int32Array(ia.length);
  for (let i = 0; i < z.length; i++) z[i] = clampInt32(av[ia[i]!]! * bv[ib[i]!]!);
  const [minZ, maxZ] = rangeForMultiplication(a.min, a.max, a.info, b.min, b.max, b.info);
  return [quantizedTensor('qint32', shape, z), scalar(minZ), scalar(maxZ)];
};

const quantizedBiasAdd: Kernel = (ctx) => {
  const x = qinput(ctx, 0, 2, 3, 'T1');
  const bias = qinput(ctx, 1, 4, 5, 'T2');
  const out = outputType(ctx, 'out_type', 'qint32');
  if (out.dtype !== 'qint32') throw ctx.fail(`out_type ${out.dtype} is not supported (qint32 only)`, 'runtime/unsupported-dtype');
  if (bias.shape.length !== 1) throw ctx.fail('bias must be 1-D');
  const depth = bias.shape[0]!;
  if (x.shape.length < 1 || x.shape[x.shape.length - 1] !== depth) throw ctx.fail(`bias length ${depth} must match the input's last dimension`);
  // GetOutputMinAndMaxForQuantizedAdd: symmetric, holding both ranges, 17 bits of headroom.
  const maxZ = f32(Math.max(x.max, -x.min, bias.max, -bias.min) * (1 << 17));
  const minZ = -maxZ;
  const i32 = Q_INFO.qint32!;
  const xv = new Int32Array(x.values.length);
  requantizeGeneric(x.values, x.min, x.max, x.info, minZ, maxZ, i32, xv);
  const bv = new Int32Array(depth);
  requantizeGeneric(bias.values, bias.min, bias.max, bias.info, minZ, maxZ, i32, bv);
  const z = new Int32Array(xv.length);
  for (let i = 0; i < z.length; i++) z[i] = (xv[i]! + bv[i % depth]!) | 0;
  return [quantizedTensor('qint32', x.shape, z), scalar(minZ), scalar(maxZ)];
};

// ------------------------------------------------------------------ activations, pooling, shape

function reluKernel(kind: 'relu' | 'relu6' | 'relux'): Kernel {
  return (ctx) => {
    const rangeAt = kind === 'relux' ? 2 : 1;
    const x = qinput(ctx, 0, rangeAt, rangeAt + 1, 'Tinput');
    const out = outputType(ctx, 'out_type', 'quint8');
    if (out.dtype !== baseDType(ctx.attrType('Tinput'))) throw ctx.fail(`out_type ${out.dtype} must equal Tinput (TensorFlow registers no other kernels)`, 'runtime/unsupported-dtype');
    // The codes of 0.0 (and of the cap) in the input's own range; the output keeps that range.
    const lo = floatToQuantized(0, x.min, x.max, x.info);
    const capValue = kind === 'relu6' ? 6 : kind === 'relux' ? scalarInput(ctx, 1, 'max_value') : undefined;
    const hi = capValue === undefined ? x.info.highest : floatToQuantized(capValue, x.min, x.max, x.info);
    const y = intArray(out.dtype, x.values.length);
    for (let i = 0; i < y.length; i++) y[i] = Math.min(hi, Math.max(lo, x.values[i]!));
    return [quantizedTensor(out.dtype, x.shape, y), scalar(x.min), scalar(x.max)];
  };
}

function poolKernel(kind: 'max' | 'avg'): Kernel {
  return (ctx) => {
    nhwcOnly(ctx);
    const x = qinput(ctx, 0, 1, 2, 'T');
    const ksize = fourInts(ctx, 'ksize');
    const strides = fourInts(ctx, 'strides');
    if (ksize[0] !== 1 || ksize[3] !== 1 || strides[0] !== 1 || strides[3] !== 1) throw ctx.fail('pooling over the batch or depth dimension is not supported');
    if (x.shape.length !== 4) throw ctx.fail('input must be 4-D');
    const padding = ctx.attrString('padding');
    const [N, H, W, C] = x.shape as [number, number, number, number];
    const gy = windowGeometry(ctx, H, ksize[1], strides[1], padding);
    const gx = windowGeometry(ctx, W, ksize[2], strides[2], padding);
    const T = ctx.attrType('T');
    const y = intArray(T, N * gy.out * gx.out * C);
    for (let b = 0; b < N; b++) {
      for (let oy = 0; oy < gy.out; oy++) {
        const y0 = Math.max(0, oy * strides[1] - gy.before);
        const y1 = Math.min(H, oy * strides[1] - gy.before + ksize[1]);
        for (let ox = 0; ox < gx.out; ox++) {
          const x0 = Math.max(0, ox * strides[2] - gx.before);
          const x1 = Math.min(W, ox * strides[2] - gx.before + ksize[2]);
          const ob = ((b * gy.out + oy) * gx.out + ox) * C;
          for (let c = 0; c < C; c++) {
            let acc = kind === 'max' ? -Infinity : 0;
            // Padded positions take no part: neither in the max nor in the average's count.
            for (let iy = y0; iy < y1; iy++) {
              for (let ix = x0; ix < x1; ix++) {
                const v = x.values[((b * H + iy) * W + ix) * C + c]!;
                acc = kind === 'max' ? (v > acc ? v : acc) : acc + v;
              }
            }
            const count = (y1 - y0) * (x1 - x0);
            // The average is taken on the codes in int32: integer division truncates.
            y[ob + c] = kind === 'max' ? acc : Math.trunc(acc / count);
          }
        }
      }
    }
    return [quantizedTensor(T, [N, gy.out, gx.out, C], y), scalar(x.min), scalar(x.max)];
  };
}

/**
 * TF's reference `QuantizedResizeBilinear`: each output is the bilinear mix of its four
 * neighbours' dequantized values (TF's resize scale and interpolation cache, legacy or
 * half-pixel centers), quantized back into the input's range, which the outputs keep.
 */
const quantizedResizeBilinear: Kernel = (ctx) => {
  const x = qinput(ctx, 0, 2, 3, 'T');
  if (x.shape.length !== 4) throw ctx.fail('images must be 4-D');
  const size = ctx.numbers(1);
  if (size.length !== 2 || size.some((d) => !Number.isInteger(d) || d <= 0)) throw ctx.fail(`size must be two positive ints, is [${size.join(',')}]`);
  const [N, H, W, C] = x.shape as [number, number, number, number];
  const [OH, OW] = size as [number, number];
  const alignCorners = ctx.attrBool('align_corners', false);
  const halfPixel = ctx.attrBool('half_pixel_centers', false);
  const axis = (inSize: number, outSize: number) => {
    const scale = alignCorners && outSize > 1 ? (inSize - 1) / (outSize - 1) : inSize / outSize;
    const lower = new Int32Array(outSize);
    const upper = new Int32Array(outSize);
    const lerp = new Float32Array(outSize);
    for (let i = 0; i < outSize; i++) {
      const at = f32(halfPixel ? (i + 0.5) * scale - 0.5 : i * scale);
      const floor = Math.floor(at);
      lower[i] = Math.max(floor, 0);
      upper[i] = Math.min(Math.ceil(at), inSize - 1);
      lerp[i] = f32(at - floor);
    }
    return { lower, upper, lerp };
  };
  const ys = axis(H, OH);
  const xs = axis(W, OW);
  const T = ctx.attrType('T');
  const deq = (q: number) => quantizedToFloat(q, x.min, x.max, x.info);
  const out = intArray(T, N * OH * OW * C);
  for (let b = 0; b < N; b++) {
    for (let oy = 0; oy < OH; oy++) {
      const top = (b * H + ys.lower[oy]!) * W;
      const bottom = (b * H + ys.upper[oy]!) * W;
      const yl = ys.lerp[oy]!;
      for (let ox = 0; ox < OW; ox++) {
        const xl = xs.lerp[ox]!;
        for (let c = 0; c < C; c++) {
          const tl = deq(x.values[(top + xs.lower[ox]!) * C + c]!);
          const tr = deq(x.values[(top + xs.upper[ox]!) * C + c]!);
          const bl = deq(x.values[(bottom + xs.lower[ox]!) * C + c]!);
          const br = deq(x.values[(bottom + xs.upper[ox]!) * C + c]!);
          const t = f32(tl + f32((tr - tl) * xl));
          const btm = f32(bl + f32((br - bl) * xl));
          out[((b * OH + oy) * OW + ox) * C + c] = floatToQuantized(f32(t + f32((btm - t) * yl)), x.min, x.max, x.info);
        }
      }
    }
  }
  return [quantizedTensor(T, [N, OH, OW, C], out), scalar(x.min), scalar(x.max)];
};

const quantizedReshape: Kernel = (ctx) => {
  const t = ctx.host(0);
  const dims = ctx.numbers(1);
  const n = numElements(t.shape);
  const known = dims.filter((d) => d !== -1).reduce((a, d) => a * d, 1);
  const unknown = dims.filter((d) => d === -1).length;
  if (unknown > 1) throw ctx.fail('the shape has more than one -1');
  const shape = dims.map((d) => (d === -1 ? (known === 0 ? 0 : n / known) : d));
  if (numElements(shape) !== n || shape.some((d) => !Number.isInteger(d) || d < 0)) throw ctx.fail(`cannot reshape ${n} elements to [${dims.join(',')}]`);
  return [{ dtype: t.dtype, shape: Object.freeze(shape), data: t.data }, scalar(scalarInput(ctx, 2, 'input_min')), scalar(scalarInput(ctx, 3, 'input_max'))];
};

const quantizedConcat: Kernel = (ctx) => {
  const N = ctx.attrInt('N');
  const T = ctx.attrType('T');
  const info = quantizedTypeInfo(T, `Node '${ctx.node.name}'`);
  if (ctx.inputs.length !== 1 + 3 * N) throw ctx.fail(`expects ${1 + 3 * N} inputs for N=${N}, has ${ctx.inputs.length}`);
  const parts = Array.from({ length: N }, (_, i) => qinput(ctx, 1 + i, 1 + N + i, 1 + 2 * N + i, 'T'));
  const rank = parts[0]!.shape.length;
  let axis = ctx.numbers(0)[0] ?? 0;
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) throw ctx.fail(`concat_dim ${axis} is out of range for rank ${rank}`);
  for (const p of parts) {
    if (p.shape.length !== rank || p.shape.some((d, i) => i !== axis && d !== parts[0]!.shape[i])) throw ctx.fail('inputs must match in every dimension but the concat one');
  }
  // The output range spans every input range (symmetric for signed types); inputs in another
  // range are requantized into it.
  let outMin = Infinity;
  let outMax = -Infinity;
  for (const p of parts) {
    outMin = Math.min(outMin, p.min);
    outMax = Math.max(outMax, p.max);
  }
  if (info.signed) {
    const largest = Math.max(Math.abs(outMin), Math.abs(outMax));
    outMin = -largest;
    outMax = largest;
  }
  const outer = parts[0]!.shape.slice(0, axis).reduce((a, d) => a * d, 1);
  const inner = parts[0]!.shape.slice(axis + 1).reduce((a, d) => a * d, 1);
  const total = parts.reduce((s, p) => s + p.shape[axis]!, 0);
  const y = intArray(T, outer * total * inner);
  let offset = 0;
  for (const p of parts) {
    let vals: ArrayLike<number> = p.values;
    if (p.min !== outMin || p.max !== outMax) {
      const r = intArray(T, p.values.length);
      requantizeGeneric(p.values, p.min, p.max, info, outMin, outMax, info, r);
      vals = r;
    }
    const chunk = p.shape[axis]! * inner;
    for (let o = 0; o < outer; o++) for (let i = 0; i < chunk; i++) y[o * total * inner + offset + i] = vals[o * chunk + i]!;
    offset += chunk;
  }
  const shape = [...parts[0]!.shape];
  shape[axis] = total;
  return [quantizedTensor(T, shape, y), scalar(outMin), scalar(outMax)];
};

// ------------------------------------------------------------------ requantization

const requantizationRange: Kernel = (ctx) => {
  const x = qinput(ctx, 0, 1, 2, 'Tinput');
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < x.values.length; i++) {
    const v = x.values[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (x.values.length === 0) lo = hi = 0;
  // The minimum is kept ≤ 0 so that 0.0 stays representable downstream.
  const usedMin = Math.min(0, quantizedToFloat(lo, x.min, x.max, x.info));
  const usedMax = quantizedToFloat(hi, x.min, x.max, x.info);
  return [scalar(usedMin), scalar(usedMax)];
};

const requantize: Kernel = (ctx) => {
  const x = qinput(ctx, 0, 1, 2, 'Tinput');
  const outMin = scalarInput(ctx, 3, 'requested_output_min');
  const outMax = scalarInput(ctx, 4, 'requested_output_max');
  if (outMin > 0) throw ctx.fail(`requested_output_min must be <= 0, but got ${outMin}`);
  if (outMax < outMin) throw ctx.fail(`requested_output_max must be >= requested_output_min (${outMin}), but got ${outMax}`);
  const out = outputType(ctx, 'out_type', 'quint8');
  const y = intArray(out.dtype, x.values.length);
  if (x.info === Q_INFO.qint32 && out.info === Q_INFO.quint8) requantize32To8(x.values, x.min, x.max, outMin, outMax, y as Uint8Array);
  else requantizeGeneric(x.values, x.min, x.max, x.info, outMin, outMax, out.info, y);
  return [quantizedTensor(out.dtype, x.shape, y), scalar(outMin), scalar(outMax)];
};

/** `QuantizeDownAndShrinkRange`: `RequantizationRange` then `Requantize` into that range. */
const quantizeDownAndShrinkRange: Kernel = (ctx) => {
  const [rmin, rmax] = requantizationRange(ctx) as [Tensor, Tensor];
  const outMin = (tensorToArray(rmin) as Float32Array)[0]!;
  const outMax = (tensorToArray(rmax) as Float32Array)[0]!;
  const x = qinput(ctx, 0, 1, 2, 'Tinput');
  const out = outputType(ctx, 'out_type', 'quint8');
  const y = intArray(out.dtype, x.values.length);
  if (x.info === Q_INFO.qint32 && out.info === Q_INFO.quint8) requantize32To8(x.values, x.min, x.max, outMin, outMax, y as Uint8Array);
  else requantizeGeneric(x.values, x.min, x.max, x.info, outMin, outMax, out.info, y);
  return [quantizedTensor(out.dtype, x.shape, y), scalar(outMin), scalar(outMax)];
};

// ------------------------------------------------------------------ fake quantization (float)

/**
 * TF's FakeQuant nudging: the range is shifted so that 0.0 falls on a code, then values are
 * clamped, snapped to the grid (floor(x/scale + 0.5)) and mapped back, all in float.
 */
export function fakeQuantize(values: Float32Array, min: number, max: number, numBits: number, narrow: boolean): Float32Array {
  const qmin = narrow ? 1 : 0;
  const qmax = 2 ** numBits - 1;
  const scale = f32(f32(max - min) / f32(qmax - qmin));
  const zeroFromMin = f32(qmin - f32(min / scale));
  const zero = zeroFromMin < qmin ? qmin : zeroFromMin > qmax ? qmax : roundHalfAwayFromZero(zeroFromMin);
  const nudgedMin = f32(f32(qmin - zero) * scale);
  const nudgedMax = f32(f32(qmax - zero) * scale);
  const inv = f32(1 / scale);
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const c = f32(Math.min(nudgedMax, Math.max(nudgedMin, values[i]!)) - nudgedMin);
    out[i] = f32(f32(Math.floor(f32(f32(c * inv) + 0.5)) * scale) + nudgedMin);
  }
  return out;
}

function fakeQuantKernel(fromInputs: boolean): Kernel {
  return (ctx) => {
    const x = floatsOf(ctx, 0);
    const numBits = ctx.attrInt('num_bits', 8);
    if (numBits < 2 || numBits > 16) throw ctx.fail(`num_bits ${numBits} must be between 2 and 16`);
    const min = fromInputs ? scalarInput(ctx, 1, 'min') : f32(ctx.attrFloat('min', -6));
    const max = fromInputs ? scalarInput(ctx, 2, 'max') : f32(ctx.attrFloat('max', 6));
    if (!(min < max)) throw ctx.fail(`min (${min}) must be less than max (${max})`);
    return [quantizedTensor('float', x.shape, fakeQuantize(x.values, min, max, numBits, ctx.attrBool('narrow_range', false)))];
  };
}

/** The built-in quantized kernels, by TensorFlow op name. */
export const QUANTIZED_KERNELS: Record<string, Kernel> = {
  Dequantize: dequantize,
  QuantizeV2: quantizeV2,
  QuantizedMatMul: quantizedMatMul,
  QuantizedConv2D: quantizedConv2D,
  QuantizedBiasAdd: quantizedBiasAdd,
  QuantizedAdd: quantizedAdd,
  QuantizedMul: quantizedMul,
  QuantizedRelu: reluKernel('relu'),
  QuantizedRelu6: reluKernel('relu6'),
  QuantizedReluX: reluKernel('relux'),
  QuantizedMaxPool: poolKernel('max'),
  QuantizedAvgPool: poolKernel('avg'),
  QuantizedReshape: quantizedReshape,
  QuantizedResizeBilinear: quantizedResizeBilinear,
  QuantizedConcat: quantizedConcat,
  RequantizationRange: requantizationRange,
  Requantize: requantize,
  QuantizeDownAndShrinkRange: quantizeDownAndShrinkRange,
  FakeQuantWithMinMaxVars: fakeQuantKernel(true),
  FakeQuantWithMinMaxArgs: fakeQuantKernel(false),
};
