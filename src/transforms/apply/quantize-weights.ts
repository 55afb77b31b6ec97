/**
 * The body of `quantizeWeights` (quantize-weights.ts declares it and says what it does, and where it
 * differs from TensorFlow), loaded with `import()` the first time the transform runs.
 */
import { GraftError } from '../../errors';
import { attr } from '../../ir/attr';
import { baseDType } from '../../ir/dtype';
import { withNodesIfChanged } from '../../ir/edit';
import type { Graph } from '../../ir/graph';
import { type Node, isControlInput, makeNode } from '../../ir/node';
import { type Tensor, halfToNumber, numElements, tensorBytes } from '../../ir/tensor';
import type { ApplyOf } from '../../transform/define';
import { type quantizeWeights, NAME } from '../quantize-weights';

/** TensorFlow's starting `max`: `std::numeric_limits<float>::min()`, the smallest normal float. */
export const FLT_MIN = 1.1754943508222875e-38;

const FLT_MAX = 3.4028234663852886e38;

/** Rounds halves away from zero, as C's `round` does (`Math.round(-2.5)` is −2; this gives −3). */
export function roundHalfAwayFromZero(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** Rounds halves to even (IEEE's default), for float → half. */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** An eight-bit quantized tensor: its codes and the float range they span. */
export interface QuantizedWeights {
  readonly codes: Uint8Array;
  readonly min: number;
  readonly max: number;
}

/**
 * The quint8 codes and range TensorFlow's `quantize_weights` gives `values` (float32 values;
 * NaN is ignored by the range and gets code 0 here).
 * @example quantizeEightBit(Float32Array.of(-1, -0.5, 0)).codes // [0, 127, 255]
 */
export function quantizeEightBit(values: Float32Array): QuantizedWeights {
  let min = FLT_MAX;
  let max = FLT_MIN;
  // TF's std::min/std::max: a NaN never wins a comparison, so it never enters the range.
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  min = Math.min(min, 0);
  max = Math.max(max, 0);
  if (min === max) {
    // TF's widening rule for an empty range (unreachable now that max >= FLT_MIN > 0 >= min).
    if (Math.abs(min) < Math.fround(1e-6)) max = Math.fround(min + 1);
    else if (min > 0) max = Math.fround(2 * min);
    else max = Math.fround(min / 2);
  }
  const codes = new Uint8Array(values.length);
  if (min === max) return { codes, min, max };
  // (max − min) is a float subtraction in TF; the rest is double.
  const range = Math.fround(max - min) * (256 / 255);
  const scale = 256 / range;
  const offset = roundHalfAwayFromZero(min * scale);
  for (let i = 0; i < values.length; i++) {
    const q = roundHalfAwayFromZero(values[i]! * scale) - offset;
    // NaN compares false both ways and lands on 0.
    codes[i] = q > 255 ? 255 : q > 0 ? q : 0;
  }
  return { codes, min, max };
}

/**
 * What TensorFlow's CPU `Dequantize(mode=MIN_FIRST)` computes for quint8 `codes` in [min, max]
 * (its vectorised path, in float32): `step = (max − min)/255`, the range origin snapped to a
 * multiple of the step, `round(min/step)·step` (so 0.0 is exact), then `origin + q·step`.
 */
export function dequantizeMinFirst(codes: Uint8Array, min: number, max: number): Float32Array {
  const f = Math.fround;
  const out = new Float32Array(codes.length);
  if (min === max) return out.fill(min);
  const step = f((f(max - min) * (256 / 255)) / 256);
  const origin = f(roundHalfAwayFromZero(f(min / step)) * step);
  for (let i = 0; i < codes.length; i++) out[i] = f(f(codes[i]! * step) + origin);
  return out;
}

/**
 * IEEE half bits of a number, rounding to nearest even (±Inf past the half range, NaN kept).
 * @example floatToHalfBits(1) // 0x3c00
 */
export function floatToHalfBits(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  // 65520 is halfway between the largest half (65504) and 2^16: it and beyond round to Inf.
  if (a >= 65520) return sign | 0x7c00;
  if (a < 2 ** -14) return sign | roundHalfEven(a * 2 ** 24); // subnormal (1024 carries to the smallest normal)
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  // The mantissa may round up to 1024, which carries into the exponent: still the right bits.
  return sign | (((e + 15) << 10) + roundHalfEven((a / 2 ** e - 1) * 1024));
}

// ---------------------------------------------------------------- name patterns

/**
 * A node-name matcher: a pattern written `/…/` is a regular expression, anything else a glob
 * where `*` matches any characters (`/` included) and `?` one character. Either must match the
 * whole name.
 */
export function namePattern(pattern: string): (name: string) => boolean {
  let re: RegExp;
  if (pattern.length >= 2 && pattern.startsWith('/') && pattern.endsWith('/')) {
    try {
      re = new RegExp(`^(?:${pattern.slice(1, -1)})$`, 'u');
    } catch (e) {
      throw new GraftError('transform/bad-param', `${NAME}: '${pattern}' is not a valid regular expression: ${(e as Error).message}`, { hint: 'Write /regex/ for a regular expression, or a glob such as "conv*/weights".' });
    }
  } else {
    const body = [...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/-]/g, '\\$&'))).join('');
    re = new RegExp(`^${body}$`, 'su');
  }
  return (name) => re.test(name);
}

// ---------------------------------------------------------------- the transform

/** A name no node has, starting with `base`; claims it. */
function claim(taken: Set<string>, base: string): string {
  let name = base;
  for (let k = 1; taken.has(name); k++) name = `${base}_${k}`;
  taken.add(name);
  return name;
}

function fmtBytes(n: number): string {
  return `${n} byte${n === 1 ? '' : 's'}`;
}

function fmtNum(x: number): string {
  return Number(x.toPrecision(4)).toString();
}

/**
 * The new tensor for `elements`, stored the way `source` was: TensorFlow writes a tensor whose
 * trailing values repeat (a zeros initializer) as a short value list, and the replacement keeps
 * that form (its elements repeat at the same places), so such a Const does not grow the file.
 * Everything else is packed `tensor_content` over a fresh buffer.
 */
function packLike(source: Tensor, dtype: 'quint8' | 'half', elements: Uint8Array | Uint16Array, field: 'int_val' | 'half_val'): Tensor {
  const shape = Object.freeze([...source.shape]);
  if (source.data.kind === 'values' && source.data.values.length < elements.length) {
    const k = Math.max(1, source.data.values.length);
    return { dtype, shape, data: { kind: 'values', field, values: Object.freeze(Array.from(elements.subarray(0, k))) } };
  }
  return { dtype, shape, data: { kind: 'content', bytes: new Uint8Array(elements.buffer, elements.byteOffset, elements.byteLength) } };
}

/** The float values of a Const, or a GraftError naming the node. */
function floatValues(node: Node, t: Tensor): Float32Array {
  let bytes: Uint8Array;
  try {
    bytes = tensorBytes(t);
  } catch (e) {
    throw new GraftError('graph/bad-tensor', `Decoding the tensor of Const node '${node.name}' failed: ${(e as Error).message}`, { node: node.name, op: node.op, cause: e });
  }
  // A fresh aligned copy: decoded tensor_content may be an unaligned view into the file.
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}

export const apply: ApplyOf<typeof quantizeWeights> = (graph: Graph, params, ctx): Graph => {
  const includes = params.include.map(namePattern);
  const excludes = params.exclude.map(namePattern);
  const selected = (name: string) => (includes.length === 0 || includes.some((m) => m(name))) && !excludes.some((m) => m(name));
  const taken = new Set(graph.nodes.map((n) => n.name));
  const out: Node[] = [];
  let changed = false;

  for (const node of graph.nodes) {
    if (node.op !== 'Const') {
      out.push(node);
      continue;
    }
    // TF checks these on every Const, quantizable or not.
    const dtypeAttr = node.attrs['dtype'];
    if (dtypeAttr?.kind !== 'type') throw new GraftError('graph/bad-attr', `No 'dtype' attribute for Const node '${node.name}'`, { node: node.name, op: node.op });
    const valueAttr = node.attrs['value'];
    if (valueAttr?.kind !== 'tensor') throw new GraftError('graph/bad-attr', `No 'value' attribute for Const node '${node.name}'`, { node: node.name, op: node.op });
    const tensor = valueAttr.value;
    if (baseDType(dtypeAttr.value) !== 'float' || baseDType(tensor.dtype) !== 'float' || numElements(tensor.shape) < params.minimumSize || !selected(node.name)) {
      out.push(node);
      continue;
    }
    const values = floatValues(node, tensor);
    if (values.some((v) => !Number.isFinite(v))) {
      ctx.report({ severity: 'warning', code: 'non-finite', node: node.name, message: `'${node.name}' holds NaN or infinite values; left as float` });
      out.push(node);
      continue;
    }
    const controls = node.inputs.filter(isControlInput);
    const device = node.device;
    const bytesBefore = values.length * 4;
    let emitted: Node[];
    let bytesAfter: number;
    let maxError = 0;
    let detail: string;

    if (params.mode === 'float16') {
      const bits = new Uint16Array(values.length);
      let overflow = false;
      for (let i = 0; i < values.length; i++) {
        const h = floatToHalfBits(values[i]!);
        if ((h & 0x7c00) === 0x7c00) overflow = true;
        bits[i] = h;
        maxError = Math.max(maxError, Math.abs(halfToNumber(h) - values[i]!));
      }
      if (overflow) {
        ctx.report({ severity: 'warning', code: 'out-of-range', node: node.name, message: `'${node.name}' has values beyond ±65504, the half range; left as float` });
        out.push(node);
        continue;
      }
      const halfName = claim(taken, `${node.name}_float16_const`);
      const half = packLike(tensor, 'half', bits, 'half_val');
      emitted = [
        makeNode({ name: halfName, op: 'Const', inputs: controls, device, attrs: { dtype: attr.type('half'), value: attr.tensor(half) } }),
        makeNode({ name: node.name, op: 'Cast', inputs: [halfName], device, attrs: { SrcT: attr.type('half'), DstT: attr.type('float'), Truncate: attr.b(false) } }),
      ];
      bytesAfter = values.length * 2;
      detail = 'float → half';
    } else {
      const q = quantizeEightBit(values);
      const decoded = dequantizeMinFirst(q.codes, q.min, q.max);
      for (let i = 0; i < values.length; i++) maxError = Math.max(maxError, Math.abs(decoded[i]! - values[i]!));
      const constName = claim(taken, `${node.name}_quantized_const`);
      const minName = claim(taken, `${node.name}_quantized_min`);
      const maxName = claim(taken, `${node.name}_quantized_max`);
      const codes = packLike(tensor, 'quint8', q.codes, 'int_val');
      const scalar = (v: number): Tensor => ({ dtype: 'float', shape: Object.freeze([]), data: { kind: 'content', bytes: new Uint8Array(Float32Array.of(v).buffer) } });
      emitted = [
        makeNode({ name: constName, op: 'Const', inputs: controls, device, attrs: { dtype: attr.type('quint8'), value: attr.tensor(codes) } }),
        makeNode({ name: minName, op: 'Const', inputs: controls, device, attrs: { dtype: attr.type('float'), value: attr.tensor(scalar(q.min)) } }),
        makeNode({ name: maxName, op: 'Const', inputs: controls, device, attrs: { dtype: attr.type('float'), value: attr.tensor(scalar(q.max)) } }),
        makeNode({ name: node.name, op: 'Dequantize', inputs: [constName, minName, maxName], device, attrs: { T: attr.type('quint8'), mode: attr.s('MIN_FIRST') } }),
      ];
      bytesAfter = values.length + 8;
      detail = `float → quint8, range [${fmtNum(q.min)}, ${fmtNum(q.max)}]`;
    }

    if (tensor.data.kind === 'values' && tensor.data.values.length < values.length) {
      detail += `; stored as a ${tensor.data.values.length}-value list, so the file does not shrink`;
    }
    for (const item of emitted) out.push(item);
    changed = true;
    ctx.count('quantized');
    ctx.count('bytes_before', bytesBefore);
    ctx.count('bytes_after', bytesAfter);
    ctx.report({
      severity: 'info',
      code: 'quantized',
      node: node.name,
      message: `'${node.name}' [${tensor.shape.join(',')}]: ${fmtBytes(bytesBefore)} → ${fmtBytes(bytesAfter)} (${detail}), max abs error ${fmtNum(maxError)}`,
    });
  }
  return changed ? withNodesIfChanged(graph, out) : graph;
};
