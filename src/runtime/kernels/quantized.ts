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
import { type Tensor, makeTensor, numElements, tensorToArray } from '../../ir/tensor';
import type { Kernel, KernelContext } from '../kernel';

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
  if (rangeScaleFp < 0 || rangeScaleFp >= 2 ** 53) throw new GraftError('runtime/failed', `Requantize: range ratio ${inputRange}/${outputRange} is beyond the fixed-point path`);
  for (let i = 0; i < values.length; i++) {
    const fp = mulShift32(values[i]!, rangeScaleFp) + inputOffsetFp;
    const q = Math.floor((fp - outputOffsetFp + rounding) / one);
    out[i] = q < 0 ? 0 : q > 255 ? 255 : q;
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

/** The built-in quantized kernels, by TensorFlow op name. */
export const QUANTIZED_KERNELS: Record<string, Kernel> = {
  Dequantize: dequantize,
  QuantizeV2: quantizeV2,
};

void makeTensor;
void scalar;
void scalarInput;
void requantizeGeneric;
void requantize32To8;
void rangeForMultiplication;
