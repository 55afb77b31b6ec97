/**
 * Per-output-channel arithmetic on the weights of the linear ops that batch norms fold into
 * (`fold_batch_norms`, `fold_old_batch_norms`), and reading the per-channel vectors they fold.
 *
 * Output channel of each weight element, by op:
 * - `Conv2D`: filter `[H, W, In, Out]` (HWIO whatever the data_format): channel = flat index % Out.
 * - `DepthwiseConv2dNative`: filter `[H, W, In, M]`, output channel `i*M + m`: channel =
 *   flat index % (In*M).
 * - `MatMul`: weights `[In, Out]`, or `[Out, In]` with `transpose_b` (TensorFlow ignores
 *   `transpose_b` and scales the wrong axis; graft does not).
 *
 * Float math follows TensorFlow: float32 weights are scaled with float32 multiplies
 * (`Math.fround` after each operation); double weights in double.
 */
import type { Node } from '../../ir/node';
import { type Tensor, numElements, tensorBytes, tensorToNumbers } from '../../ir/tensor';
import { baseDType, type DType } from '../../ir/dtype';
import { attrWithDefault } from '../../ir/op-facts';
import { attrText } from '../../ir/attr';

/** The linear ops a batch norm (or a per-channel `Mul`) can fold into. */
export const CONV_OPS: ReadonlySet<string> = new Set(['Conv2D', 'DepthwiseConv2dNative']);
export const LINEAR_OPS: ReadonlySet<string> = new Set(['Conv2D', 'DepthwiseConv2dNative', 'MatMul']);

/** Where the channels of a linear op's output are: last axis (NHWC, MatMul) or axis 1 (NCHW). */
export type ChannelFormat = 'NHWC' | 'NCHW';

/** The output layout of a conv (`data_format`, default NHWC); MatMul is always channels-last. */
export function channelFormat(node: Node): ChannelFormat {
  if (node.op === 'MatMul') return 'NHWC';
  const f = attrWithDefault(node, 'data_format');
  return f && f.kind === 's' && attrText(f.value) === 'NCHW' ? 'NCHW' : 'NHWC';
}

/** True for float32 and float64 tensors, the weights graft rescales. */
export function isScalableDType(dtype: DType): boolean {
  const b = baseDType(dtype);
  return b === 'float' || b === 'double';
}

/**
 * A float tensor as numbers: Float32Array for float, Float64Array for double, always a fresh,
 * aligned copy (decoded `tensor_content` may be an unaligned view into a Node Buffer, whose
 * `slice` does not copy).
 */
export function floatArray(t: Tensor): Float32Array | Float64Array {
  const b = baseDType(t.dtype);
  if (b === 'float' || b === 'double') {
    const bytes = tensorBytes(t);
    const copy = new Uint8Array(bytes.byteLength);
    copy.set(bytes);
    return b === 'float' ? new Float32Array(copy.buffer) : new Float64Array(copy.buffer);
  }
  return Float64Array.from(tensorToNumbers(t));
}

/**
 * A new `content` tensor over a fresh buffer holding `values` (float or double).
 * Typed arrays are little-endian on every platform Node and browsers run on.
 */
export function floatTensor(dtype: DType, shape: readonly number[], values: ArrayLike<number>): Tensor {
  const arr = baseDType(dtype) === 'double' ? Float64Array.from(values) : Float32Array.from(values);
  return { dtype: baseDType(dtype), shape: Object.freeze([...shape]), data: { kind: 'content', bytes: new Uint8Array(arr.buffer) } };
}

/**
 * The number of output channels of `op` given its weights, or a reason it has none.
 * @example outputChannels(conv2d, filter[3,3,8,16]) // 16
 */
export function outputChannels(op: Node, weights: Tensor): number | string {
  const s = weights.shape;
  switch (op.op) {
    case 'Conv2D':
      return s.length === 4 ? s[3]! : `Conv2D weights must be rank 4, got [${s.join(',')}]`;
    case 'DepthwiseConv2dNative':
      return s.length === 4 ? s[2]! * s[3]! : `DepthwiseConv2dNative weights must be rank 4, got [${s.join(',')}]`;
    case 'MatMul':
      if (s.length !== 2) return `MatMul weights must be rank 2, got [${s.join(',')}]`;
      return transposeB(op) ? s[0]! : s[1]!;
    default:
      return `${op.op} is not a linear op graft folds into`;
  }
}

function transposeB(op: Node): boolean {
  const t = attrWithDefault(op, 'transpose_b');
  return t?.kind === 'b' && t.value;
}

/**
 * The weights with each element multiplied by the scale of its output channel, as a new tensor
 * (same dtype and shape). `scale.length` must equal `outputChannels(op, weights)`.
 */
export function scaleWeights(op: Node, weights: Tensor, scale: ArrayLike<number>): Tensor {
  const w = floatArray(weights);
  const f32 = w instanceof Float32Array;
  const mul = f32 ? (a: number, b: number) => Math.fround(a * b) : (a: number, b: number) => a * b;
  const out = f32 ? new Float32Array(w.length) : new Float64Array(w.length);
  if (op.op === 'MatMul' && transposeB(op)) {
    // [Out, In]: row r belongs to output channel r.
    const inner = weights.shape[1]!;
    for (let i = 0; i < w.length; i++) out[i] = mul(w[i]!, scale[Math.floor(i / inner)]!);
  } else {
    const cols = scale.length;
    for (let i = 0; i < w.length; i++) out[i] = mul(w[i]!, scale[i % cols]!);
  }
  return { dtype: baseDType(weights.dtype), shape: Object.freeze([...weights.shape]), data: { kind: 'content', bytes: new Uint8Array(out.buffer) } };
}

/**
 * Reads a constant that is applied per channel of a `format` tensor: a scalar (broadcast to every
 * channel), or `channels` values laid along the channel axis (`[C]`, `[1,1,1,C]` for NHWC;
 * `[C,1,1]`, `[1,C,1,1]` for NCHW). Returns undefined for any other shape, which would broadcast
 * along some other axis and so cannot be folded into per-channel weights.
 */
export function channelVector(t: Tensor, channels: number, format: ChannelFormat): Float64Array | undefined {
  if (!isScalableDType(t.dtype)) return undefined;
  const s = t.shape;
  const n = numElements(s);
  if (s.length > 4) return undefined;
  if (n === 1) {
    // A broadcast scalar ([], [1], [1,1,1,1]): the same value for every channel.
    const v = floatArray(t)[0]!;
    return new Float64Array(channels).fill(v);
  }
  if (n !== channels) return undefined;
  let ok: boolean;
  if (format === 'NHWC') ok = s[s.length - 1] === channels;
  else ok = s.length >= 3 && s[s.length - 3] === channels;
  if (!ok) return undefined;
  return Float64Array.from(floatArray(t));
}
