/**
 * Neural-network kernels: convolutions, pooling, matrix products, bias, batch norm, softmax,
 * resizing. `data_format` NCHW is handled by transposing to NHWC (tfjs's layout) and back.
 * Attributes TensorFlow strips when default (data_format, dilations, transpose_a, is_training)
 * are read through their OpDef defaults.
 */
import type * as tfcore from '@tensorflow/tfjs-core';
import type { Kernel, KernelContext } from '../kernel';

type T = tfcore.Tensor;
type T4 = tfcore.Tensor4D;

function nchw(ctx: KernelContext): boolean {
  const f = ctx.attrString('data_format', 'NHWC');
  if (f !== 'NHWC' && f !== 'NCHW') throw ctx.fail(`data_format ${f} is not supported`);
  return f === 'NCHW';
}

const toNHWC = (tf: KernelContext['tf'], x: T) => tf.transpose(x, [0, 2, 3, 1]) as T4;
const toNCHW = (tf: KernelContext['tf'], x: T) => tf.transpose(x, [0, 3, 1, 2]) as T4;

/** Spatial pairs (H, W) of a 4-vector attr in the node's data format. */
function hw(ctx: KernelContext, name: string, isNCHW: boolean, fallback?: number[]): [number, number] {
  const a = ctx.attr(name);
  const v = a?.kind === 'list' ? (a.value.i ?? []).map(Number) : fallback;
  if (!v || v.length !== 4) throw ctx.fail(`attribute ${name} must have 4 values`);
  return isNCHW ? [v[2]!, v[3]!] : [v[1]!, v[2]!];
}

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

function padding(ctx: KernelContext, isNCHW: boolean): Pad {
  const p = ctx.attrString('padding');
  if (p === 'SAME') return 'same';
  if (p === 'VALID') return 'valid';
  if (p === 'EXPLICIT') {
    const e = ctx.attrInts('explicit_paddings');
    if (e.length !== 8) throw ctx.fail('explicit_paddings must have 8 values');
    const pairs: [number, number][] = [[e[0]!, e[1]!], [e[2]!, e[3]!], [e[4]!, e[5]!], [e[6]!, e[7]!]];
    const [n, h, w, c] = isNCHW ? [pairs[0]!, pairs[2]!, pairs[3]!, pairs[1]!] : pairs;
    return [n, h, w, c] as Pad;
  }
  throw ctx.fail(`padding ${p} is not supported`);
}

function withLayout(ctx: KernelContext, f: (x: T4, isNCHW: boolean) => T): T {
  const isNCHW = nchw(ctx);
  const x = ctx.input(0) as T4;
  if (!isNCHW) return f(x, false);
  return toNCHW(ctx.tf, f(toNHWC(ctx.tf, x), true));
}

/** Batch-norm statistics over every axis but the channel axis (NHWC: the last). */
function fusedBatchNorm(ctx: KernelContext): T[] {
  const { tf } = ctx;
  const isNCHW = nchw(ctx);
  let x = ctx.input(0);
  const scale = ctx.input(1);
  const offset = ctx.input(2);
  const eps = ctx.attrFloat('epsilon', 0.0001);
  const training = ctx.attrBool('is_training', true);
  if (isNCHW) x = toNHWC(tf, x);
  const axes = x.shape.map((_, i) => i).slice(0, -1);
  let y: T;
  let batchMean: T;
  let batchVar: T;
  let saveMean: T;
  let saveVar: T;
  if (training) {
    const m = tf.moments(x, axes);
    const n = x.size / (x.shape[x.rank - 1] ?? 1);
    y = tf.add(tf.mul(tf.mul(tf.sub(x, m.mean), tf.rsqrt(tf.add(m.variance, eps))), scale), offset);
    // TensorFlow reports the unbiased (Bessel-corrected) variance as batch_variance, and the
    // biased one in the reserve space.
    const unbiased = n > 1 ? tf.mul(m.variance, n / (n - 1)) : m.variance;
    const factor = ctx.attrFloat('exponential_avg_factor', 1);
    const runMean = ctx.inputs.length > 3 ? ctx.input(3) : undefined;
    const runVar = ctx.inputs.length > 4 ? ctx.input(4) : undefined;
    if (factor !== 1 && runMean && runMean.size > 0 && runVar && runVar.size > 0) {
      batchMean = tf.add(tf.mul(runMean, 1 - factor), tf.mul(m.mean, factor));
      batchVar = tf.add(tf.mul(runVar, 1 - factor), tf.mul(unbiased, factor));
    } else {
      batchMean = m.mean;
      batchVar = unbiased;
    }
    saveMean = m.mean;
    saveVar = m.variance;
  } else {
    const mean = ctx.input(3);
    const variance = ctx.input(4);
    y = tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), scale), offset);
    batchMean = mean;
    batchVar = variance;
    saveMean = mean;
    saveVar = variance;
  }
  if (isNCHW) y = toNCHW(tf, y);
  const out = [y, batchMean, batchVar, saveMean, saveVar];
  if (ctx.node.op === 'FusedBatchNormV3') out.push(tf.zeros([0], 'float32'));
  return out;
}

function resize(kind: 'bilinear' | 'nearest'): Kernel {
  return (ctx) => {
    const [h, w] = ctx.numbers(1) as [number, number];
    const x = ctx.input(0) as T4;
    const align = ctx.attrBool('align_corners', false);
    const half = ctx.attrBool('half_pixel_centers', false);
    const y = kind === 'bilinear' ? ctx.tf.image.resizeBilinear(x, [h, w], align, half) : ctx.tf.image.resizeNearestNeighbor(x, [h, w], align, half);
    return [y];
  };
}

function pool(kind: 'max' | 'avg'): Kernel {
  return (ctx) => [
    withLayout(ctx, (x, isNCHW) => {
      const ksize = ctx.node.op.endsWith('V2') ? pair(ctx.numbers(1), isNCHW) : hw(ctx, 'ksize', isNCHW);
      const strides = ctx.node.op.endsWith('V2') ? pair(ctx.numbers(2), isNCHW) : hw(ctx, 'strides', isNCHW);
      const pad = padding(ctx, isNCHW);
      if (typeof pad !== 'string') throw ctx.fail('explicit padding is not supported for pooling');
      return kind === 'max' ? ctx.tf.maxPool(x, ksize, strides, pad) : ctx.tf.avgPool(x, ksize, strides, pad);
    }),
  ];
}

function pair(v: number[], isNCHW: boolean): [number, number] {
  return isNCHW ? [v[2]!, v[3]!] : [v[1]!, v[2]!];
}

export const NN_KERNELS: Record<string, Kernel> = {
  // sum(t ** 2) / 2, a scalar (TensorFlow halves each square before summing: the same up to rounding).
  L2Loss: (ctx) => [ctx.tf.mul(ctx.tf.sum(ctx.tf.square(ctx.input(0))), 0.5)],
  Conv2D: (ctx) => [
    withLayout(ctx, (x, isNCHW) =>
      ctx.tf.conv2d(x, ctx.input(1) as T4, hw(ctx, 'strides', isNCHW), padding(ctx, isNCHW) as 'same', 'NHWC', hw(ctx, 'dilations', isNCHW, [1, 1, 1, 1])),
    ),
  ],
  DepthwiseConv2dNative: (ctx) => [
    withLayout(ctx, (x, isNCHW) =>
      ctx.tf.depthwiseConv2d(x, ctx.input(1) as T4, hw(ctx, 'strides', isNCHW), padding(ctx, isNCHW) as 'same', 'NHWC', hw(ctx, 'dilations', isNCHW, [1, 1, 1, 1])),
    ),
  ],
  MaxPool: pool('max'),
  MaxPoolV2: pool('max'),
  AvgPool: pool('avg'),
  MatMul: (ctx) => [ctx.tf.matMul(ctx.input(0), ctx.input(1), ctx.attrBool('transpose_a', false), ctx.attrBool('transpose_b', false))],
  BatchMatMul: batchMatMul,
  BatchMatMulV2: batchMatMul,
  BatchMatMulV3: batchMatMul,
  BiasAdd: biasAdd,
  BiasAddV1: biasAdd,
  FusedBatchNorm: fusedBatchNorm,
  FusedBatchNormV2: fusedBatchNorm,
  FusedBatchNormV3: fusedBatchNorm,
  BatchNormWithGlobalNormalization: (ctx) => {
    const { tf } = ctx;
    const [t, m, v, beta, gamma] = [0, 1, 2, 3, 4].map((i) => ctx.input(i)) as [T, T, T, T, T];
    const eps = ctx.attrFloat('variance_epsilon');
    let inv = tf.rsqrt(tf.add(v, eps));
    if (ctx.attrBool('scale_after_normalization')) inv = tf.mul(inv, gamma);
    return [tf.add(tf.mul(tf.sub(t, m), inv), beta)];
  },
  Softmax: (ctx) => [ctx.tf.softmax(ctx.input(0))],
  LogSoftmax: (ctx) => [ctx.tf.logSoftmax(ctx.input(0))],
  ResizeBilinear: resize('bilinear'),
  ResizeNearestNeighbor: resize('nearest'),
  LRN: (ctx) => [
    ctx.tf.localResponseNormalization(ctx.input(0) as T4, ctx.attrInt('depth_radius', 5), ctx.attrFloat('bias', 1), ctx.attrFloat('alpha', 1), ctx.attrFloat('beta', 0.5)),
  ],
};

function batchMatMul(ctx: KernelContext): T[] {
  return [ctx.tf.matMul(ctx.input(0), ctx.input(1), ctx.attrBool('adj_x', false), ctx.attrBool('adj_y', false))];
}

function biasAdd(ctx: KernelContext): T[] {
  const { tf } = ctx;
  const x = ctx.input(0);
  const b = ctx.input(1);
  if (ctx.node.op === 'BiasAddV1' || !nchw(ctx) || x.rank < 3) return [tf.add(x, b)];
  // NCHW: the bias runs along axis 1.
  const shape = [b.shape[0]!, ...new Array<number>(x.rank - 2).fill(1)];
  return [tf.add(x, tf.reshape(b, shape))];
}
