/**
 * Shape and array kernels. Reshape, Squeeze, ExpandDims, Shape, Size and Rank work on any value,
 * host ones included (strings, double, int64 beyond int32), since they only touch the shape.
 * `StridedSlice` implements all five masks with TensorFlow's dense-spec rules, then gathers the
 * selected indices per axis, so negative strides and ellipses are exact.
 */
import type * as tfcore from '@tensorflow/tfjs-core';
import type { DType } from '../../ir/dtype';
import { type Tensor, makeStringTensor, numElements, tensorBytes, tensorStrings } from '../../ir/tensor';
import { dtypeSize } from '../../ir/dtype';
import type { Kernel, KernelContext, KernelOutput } from '../kernel';
import { type Value, valueShape } from '../values';

type T = tfcore.Tensor;

function reshapeValue(ctx: KernelContext, v: Value, shape: number[]): Value | T | Tensor {
  if (v.kind === 'host') return { ...v.t, shape: Object.freeze(shape) };
  if (v.kind === 'tensor') return ctx.out(ctx.tf.reshape(v.t, shape), v.dtype);
  throw ctx.fail(`cannot reshape a ${v.kind}`);
}

function resolveShape(ctx: KernelContext, size: number, shape: number[]): number[] {
  const unknown = shape.indexOf(-1);
  if (unknown >= 0) {
    const known = shape.reduce((p, d, i) => (i === unknown ? p : p * d), 1);
    const out = [...shape];
    out[unknown] = known === 0 ? 0 : size / known;
    if (!Number.isInteger(out[unknown])) throw ctx.fail(`cannot reshape ${size} elements to [${shape.join(',')}]`);
    return out;
  }
  if (numElements(shape) !== size) throw ctx.fail(`cannot reshape ${size} elements to [${shape.join(',')}]`);
  return shape;
}

function size(v: Value): number {
  return numElements(valueShape(v));
}

/** TensorFlow's StridedSlice: per-axis index lists and the final shape. */
export function stridedSliceSpec(
  inShape: readonly number[],
  begin: readonly number[],
  end: readonly number[],
  strides: readonly number[],
  masks: { begin: number; end: number; ellipsis: number; newAxis: number; shrink: number },
): { indices: number[][]; finalShape: number[] } {
  let k = begin.length;
  let ellipsis = masks.ellipsis;
  const bitsB = [...begin];
  const bitsE = [...end];
  const bitsS = [...strides];
  if (ellipsis === 0) {
    // No ellipsis: one is implied at the end.
    ellipsis = 1 << k;
    bitsB.push(0);
    bitsE.push(0);
    bitsS.push(1);
    k++;
  }
  const rank = inShape.length;
  let newAxesAfterEllipsis = 0;
  let seenEllipsis = false;
  for (let i = 0; i < k; i++) {
    if (seenEllipsis && masks.newAxis & (1 << i)) newAxesAfterEllipsis++;
    if (ellipsis & (1 << i)) seenEllipsis = true;
  }
  interface Dense { b: number; e: number; s: number; bm: boolean; em: boolean; shrink: boolean }
  const dense: Dense[] = [];
  const finalGather: (number | 'new')[] = []; // dense index or a new axis; shrunk axes are left out
  for (let i = 0; i < k; i++) {
    const bit = 1 << i;
    if (ellipsis & bit) {
      const next = Math.min(rank - (k - i) + 1 + newAxesAfterEllipsis, rank);
      while (dense.length < next) {
        finalGather.push(dense.length);
        dense.push({ b: 0, e: 0, s: 1, bm: true, em: true, shrink: false });
      }
    } else if (masks.newAxis & bit) {
      finalGather.push('new');
    } else {
      if (dense.length >= rank) throw new Error(`StridedSlice: index ${i} is beyond rank ${rank}`);
      const shrink = (masks.shrink & bit) !== 0;
      if (!shrink) finalGather.push(dense.length);
      dense.push({ b: bitsB[i]!, e: bitsE[i]!, s: bitsS[i]!, bm: (masks.begin & bit) !== 0, em: (masks.end & bit) !== 0, shrink });
    }
  }
  while (dense.length < rank) {
    finalGather.push(dense.length);
    dense.push({ b: 0, e: 0, s: 1, bm: true, em: true, shrink: false });
  }
  const indices = dense.map((d, axis) => {
    const dim = inShape[axis]!;
    if (d.s === 0) throw new Error('StridedSlice: stride 0');
    if (d.shrink) {
      const x = d.b < 0 ? d.b + dim : d.b;
      if (x < 0 || x >= dim) throw new Error(`StridedSlice: index ${d.b} out of bounds for a dimension of ${dim}`);
      return [x];
    }
    const canon = (x: number, masked: boolean, isBegin: boolean): number => {
      if (masked) return d.s > 0 ? (isBegin ? 0 : dim) : isBegin ? dim - 1 : -1;
      const y = x < 0 ? x + dim : x;
      return d.s > 0 ? Math.min(Math.max(y, 0), dim) : Math.min(Math.max(y, -1), dim - 1);
    };
    const b = canon(d.b, d.bm, true);
    const e = canon(d.e, d.em, false);
    const out: number[] = [];
    for (let i = b; d.s > 0 ? i < e : i > e; i += d.s) out.push(i);
    return out;
  });
  const finalShape = finalGather.map((g) => (g === 'new' ? 1 : indices[g]!.length));
  return { indices, finalShape };
}

function stridedSlice(ctx: KernelContext): KernelOutput {
  const { tf } = ctx;
  const x = ctx.input(0);
  let spec;
  try {
    spec = stridedSliceSpec(x.shape, ctx.numbers(1), ctx.numbers(2), ctx.numbers(3), {
      begin: ctx.attrInt('begin_mask', 0),
      end: ctx.attrInt('end_mask', 0),
      ellipsis: ctx.attrInt('ellipsis_mask', 0),
      newAxis: ctx.attrInt('new_axis_mask', 0),
      shrink: ctx.attrInt('shrink_axis_mask', 0),
    });
  } catch (e) {
    throw ctx.fail((e as Error).message);
  }
  let y = x;
  spec.indices.forEach((idx, axis) => {
    const dim = x.shape[axis]!;
    if (idx.length === dim && idx.every((v, i) => v === i)) return;
    const contiguous = idx.length > 0 && idx.every((v, i) => v === idx[0]! + i);
    if (idx.length === 0 || contiguous) {
      const begin = y.shape.map(() => 0);
      const size = y.shape.slice();
      begin[axis] = idx.length === 0 ? 0 : idx[0]!;
      size[axis] = idx.length;
      y = tf.slice(y, begin, size);
    } else {
      y = tf.gather(y, tf.tensor1d(idx, 'int32'), axis);
    }
  });
  return [ctx.out(tf.reshape(y, spec.finalShape), ctx.dtype(0))];
}

function concat(ctx: KernelContext, values: number[], axisAt: number): KernelOutput {
  const ts = values.map((i) => ctx.input(i));
  const rank = ts[0]!.rank;
  let axis = ctx.numbers(axisAt)[0]!;
  if (axis < 0) axis += rank;
  return [ctx.out(ts.length === 1 ? ctx.tf.clone(ts[0]!) : ctx.tf.concat(ts, axis), ctx.dtype(values[0]!))];
}

function select(ctx: KernelContext, v2: boolean): KernelOutput {
  const { tf } = ctx;
  let c = ctx.input(0);
  const a = ctx.input(1);
  const b = ctx.input(2);
  if (!v2 && c.rank === 1 && a.rank > 1) c = tf.reshape(c, [c.shape[0]!, ...new Array<number>(a.rank - 1).fill(1)]);
  const shape = tf.broadcastArgs(tf.broadcastArgs(tf.tensor1d(c.shape, 'int32'), tf.tensor1d(a.shape, 'int32')), tf.tensor1d(b.shape, 'int32'));
  const s = Array.from(shape.dataSync());
  const bc = (t: T) => (t.shape.length === s.length && t.shape.every((d, i) => d === s[i]) ? t : tf.broadcastTo(t, s));
  if (ctx.dtype(1) === 'string') {
    // Strings stay on the host: pick element positions with tfjs, then the strings they name.
    const at = (t: T, sign: number, shift: number) => tf.add(tf.mul(tf.reshape(tf.range(0, t.size, 1, 'int32'), t.shape), sign), shift);
    const picks = tf.where(bc(c), bc(at(a, 1, 0)), bc(at(b, -1, -1))).dataSync();
    const as = tensorStrings(ctx.host(1));
    const bs = tensorStrings(ctx.host(2));
    return [makeStringTensor(s, Array.from(picks, (p) => (p >= 0 ? as[p]! : bs[-1 - p]!)))];
  }
  return [ctx.out(tf.where(bc(c), bc(a), bc(b)), ctx.dtype(1))];
}

export const ARRAY_KERNELS: Record<string, Kernel> = {
  Reshape: (ctx) => [reshapeValue(ctx, ctx.inputs[0]!, resolveShape(ctx, size(ctx.inputs[0]!), ctx.numbers(1)))],
  Squeeze: (ctx) => {
    const v = ctx.inputs[0]!;
    const shape = valueShape(v);
    const dims = (ctx.attr('squeeze_dims')?.kind === 'list' ? ctx.attrInts('squeeze_dims') : ctx.attr('axis')?.kind === 'list' ? ctx.attrInts('axis') : []).map((d) =>
      d < 0 ? d + shape.length : d,
    );
    for (const d of dims) if (shape[d] !== 1) throw ctx.fail(`cannot squeeze dimension ${d} of size ${shape[d]}`);
    const out = shape.filter((d, i) => (dims.length ? !dims.includes(i) : d !== 1));
    return [reshapeValue(ctx, v, out)];
  },
  ExpandDims: (ctx) => {
    const v = ctx.inputs[0]!;
    const shape = valueShape(v);
    let d = ctx.numbers(1)[0]!;
    if (d < 0) d += shape.length + 1;
    const out = [...shape];
    out.splice(d, 0, 1);
    return [reshapeValue(ctx, v, out)];
  },
  Shape: (ctx) => [ctx.out(ctx.tf.tensor1d(valueShape(ctx.inputs[0]!), 'int32'), ctx.attrType('out_type', 'int32'))],
  ShapeN: (ctx) => ctx.inputs.map((v) => ctx.out(ctx.tf.tensor1d(valueShape(v), 'int32'), ctx.attrType('out_type', 'int32'))),
  Size: (ctx) => [ctx.out(ctx.tf.scalar(size(ctx.inputs[0]!), 'int32'), ctx.attrType('out_type', 'int32'))],
  Rank: (ctx) => [ctx.out(ctx.tf.scalar(valueShape(ctx.inputs[0]!).length, 'int32'), 'int32')],
  Transpose: (ctx) => [ctx.out(ctx.tf.transpose(ctx.input(0), ctx.numbers(1)), ctx.dtype(0))],
  ConcatV2: (ctx) => concat(ctx, ctx.inputs.slice(0, -1).map((_, i) => i), ctx.inputs.length - 1),
  Concat: (ctx) => concat(ctx, ctx.inputs.slice(1).map((_, i) => i + 1), 0),
  Pack: (ctx) => [ctx.out(ctx.tf.stack(ctx.inputs.map((_, i) => ctx.input(i)), normAxis(ctx.attrInt('axis', 0), valueShape(ctx.inputs[0]!).length + 1)), ctx.dtype(0))],
  Unpack: (ctx) => {
    const x = ctx.input(0);
    return ctx.tf.unstack(x, normAxis(ctx.attrInt('axis', 0), x.rank)).map((t) => ctx.out(t, ctx.dtype(0)));
  },
  Split: (ctx) => {
    const x = ctx.input(1);
    return ctx.tf.split(x, ctx.attrInt('num_split'), normAxis(ctx.numbers(0)[0]!, x.rank)).map((t) => ctx.out(t, ctx.dtype(1)));
  },
  SplitV: (ctx) => {
    const x = ctx.input(0);
    const axis = normAxis(ctx.numbers(2)[0]!, x.rank);
    const sizes = ctx.numbers(1);
    const u = sizes.indexOf(-1);
    if (u >= 0) sizes[u] = x.shape[axis]! - sizes.reduce((s, v, i) => (i === u ? s : s + v), 0);
    return ctx.tf.split(x, sizes, axis).map((t) => ctx.out(t, ctx.dtype(0)));
  },
  Slice: (ctx) => {
    const x = ctx.input(0);
    const begin = ctx.numbers(1);
    const sz = ctx.numbers(2).map((s, i) => (s === -1 ? x.shape[i]! - begin[i]! : s));
    return [ctx.out(ctx.tf.slice(x, begin, sz), ctx.dtype(0))];
  },
  StridedSlice: stridedSlice,
  Gather: (ctx) => [ctx.out(ctx.tf.gather(ctx.input(0), ctx.input(1), 0), ctx.dtype(0))],
  GatherV2: (ctx) => {
    const x = ctx.input(0);
    return [ctx.out(ctx.tf.gather(x, ctx.input(1), normAxis(ctx.numbers(2)[0]!, x.rank), ctx.attrInt('batch_dims', 0)), ctx.dtype(0))];
  },
  GatherNd: (ctx) => [ctx.out(ctx.tf.gatherND(ctx.input(0), ctx.input(1)), ctx.dtype(0))],
  Tile: (ctx) => [ctx.out(ctx.tf.tile(ctx.input(0), ctx.numbers(1)), ctx.dtype(0))],
  Fill: (ctx) => {
    const v = ctx.input(1);
    return [ctx.out(ctx.tf.fill(ctx.numbers(0), v.dataSync()[0] as number, v.dtype as 'float32'), ctx.dtype(1))];
  },
  BroadcastTo: (ctx) => [ctx.out(ctx.tf.broadcastTo(ctx.input(0), ctx.numbers(1)), ctx.dtype(0))],
  Range: (ctx) => {
    const dt: DType = ctx.attrType('Tidx', 'int32');
    const [start, limit, delta] = [ctx.numbers(0)[0]!, ctx.numbers(1)[0]!, ctx.numbers(2)[0]!];
    const isFloat = dt === 'float' || dt === 'double';
    if (dt === 'double') throw ctx.fail('Range of double is not computed', 'runtime/unsupported-dtype');
    return [ctx.out(ctx.tf.range(start, limit, delta, isFloat ? 'float32' : 'int32'), dt)];
  },
  Pad: (ctx) => [ctx.out(ctx.tf.pad(ctx.input(0), pairs(ctx.numbers(1))), ctx.dtype(0))],
  PadV2: (ctx) => [ctx.out(ctx.tf.pad(ctx.input(0), pairs(ctx.numbers(1)), ctx.numbers(2)[0]!), ctx.dtype(0))],
  MirrorPad: (ctx) => [
    ctx.out(ctx.tf.mirrorPad(ctx.input(0), pairs(ctx.numbers(1)), ctx.attrString('mode').toLowerCase() as 'reflect' | 'symmetric'), ctx.dtype(0)),
  ],
  Select: (ctx) => select(ctx, false),
  SelectV2: (ctx) => select(ctx, true),
  ZerosLike: (ctx) => [ctx.out(ctx.tf.zerosLike(ctx.input(0)), ctx.dtype(0))],
  OnesLike: (ctx) => [ctx.out(ctx.tf.onesLike(ctx.input(0)), ctx.dtype(0))],
  ReverseV2: (ctx) => [ctx.out(ctx.tf.reverse(ctx.input(0), ctx.numbers(1)), ctx.dtype(0))],
  MatrixBandPart: (ctx) => [ctx.tf.linalg.bandPart(ctx.input(0), ctx.numbers(1)[0]!, ctx.numbers(2)[0]!)],
  Einsum: (ctx) => [ctx.tf.einsum(ctx.attrString('equation'), ...ctx.inputs.map((_, i) => ctx.input(i)))],
  DynamicStitch: dynamicStitch,
  ParallelDynamicStitch: dynamicStitch,
  OneHot: (ctx) => {
    const depth = ctx.numbers(1)[0]!;
    const on = ctx.numbers(2)[0]!;
    const off = ctx.numbers(3)[0]!;
    const axis = ctx.attrInt('axis', -1);
    const idx = ctx.input(0);
    let y = ctx.tf.oneHot(ctx.tf.cast(idx, 'int32'), depth, on, off, 'float32');
    if (axis !== -1 && axis !== idx.rank) {
      const perm = [...Array(idx.rank + 1).keys()];
      perm.splice(idx.rank, 1);
      perm.splice(axis, 0, idx.rank);
      y = ctx.tf.transpose(y, perm);
    }
    return [ctx.out(ctx.dtype(2) === 'float' ? y : ctx.tf.cast(y, 'int32'), ctx.dtype(2))];
  },
};

function shapeText(s: readonly number[]): string {
  return `[${s.join(',')}]`;
}

/**
 * `DynamicStitch`/`ParallelDynamicStitch`: `merged[indices[m][i]] = data[m][i]`, later inputs
 * winning on repeated indices (TensorFlow's CPU kernel copies in input order). The result has
 * `max(indices) + 1` rows; rows no index names are zeros (TensorFlow leaves them uninitialized).
 * Copies raw element bytes, so every dtype (int64, half, complex, strings) is exact.
 */
function dynamicStitch(ctx: KernelContext): KernelOutput {
  const op = ctx.node.op === 'ParallelDynamicStitch' ? 'ParallelDynamicStitchOp' : 'DynamicStitchOp';
  if (ctx.inputs.length === 0) throw ctx.fail(`${op}: Must have some inputs`);
  if (ctx.inputs.length % 2 !== 0) throw ctx.fail(`${op}: Must have even number of arguments`);
  const n = ctx.inputs.length / 2;
  const indices = Array.from({ length: n }, (_, m) => ctx.host(m));
  const data = Array.from({ length: n }, (_, m) => ctx.host(n + m));
  const idx = indices.map((_, m) => ctx.numbers(m));
  let maxIndex = -1;
  for (const v of idx) for (const x of v) if (x > maxIndex) maxIndex = x;
  const first = maxIndex + 1;
  const extra = (m: number) => data[m]!.shape.slice(indices[m]!.shape.length);
  for (let m = 0; m < n; m++) {
    const is = indices[m]!.shape;
    const ds = data[m]!.shape;
    if (ds.length < is.length || is.some((d, i) => ds[i] !== d)) {
      throw ctx.fail(`data[${m}].shape = ${shapeText(ds)} does not start with indices[${m}].shape = ${shapeText(is)}`);
    }
    if (m > 0 && shapeText(extra(0)) !== shapeText(extra(m))) {
      throw ctx.fail(
        `Need data[0].shape[${indices[0]!.shape.length}:] = data[${m}].shape[${is.length}:], got data[0].shape = ${shapeText(data[0]!.shape)}, data[${m}].shape = ${shapeText(ds)}, indices[0].shape = ${shapeText(indices[0]!.shape)}, indices[${m}].shape = ${shapeText(is)}`,
      );
    }
  }
  const outShape = [first, ...extra(0)];
  const slice = numElements(extra(0));
  const dtype = data[0]!.dtype;
  const check = (i: number, index: number) => {
    if (index < 0 || index >= first) throw ctx.fail(`indices[${i}] is out of range`);
  };
  if (dtype === 'string') {
    const out: Uint8Array[] = new Array(first * slice).fill(new Uint8Array());
    for (let m = 0; m < n; m++) {
      const src = tensorStrings(data[m]!);
      idx[m]!.forEach((index, i) => {
        check(i, index);
        for (let j = 0; j < slice; j++) out[index * slice + j] = src[i * slice + j]!;
      });
    }
    return [makeStringTensor(outShape, out)];
  }
  const size = dtypeSize(dtype);
  if (size === undefined) throw ctx.fail(`DynamicStitch of ${dtype} is not computed`, 'runtime/unsupported-dtype');
  const row = slice * size;
  const out = new Uint8Array(first * row);
  for (let m = 0; m < n; m++) {
    const src = tensorBytes(data[m]!);
    idx[m]!.forEach((index, i) => {
      check(i, index);
      out.set(src.subarray(i * row, (i + 1) * row), index * row);
    });
  }
  const t: Tensor = { dtype, shape: Object.freeze(outShape), data: { kind: 'content', bytes: out } };
  return [t];
}

function normAxis(a: number, rank: number): number {
  return a < 0 ? a + rank : a;
}

function pairs(v: number[]): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < v.length; i += 2) out.push([v[i]!, v[i + 1]!]);
  return out;
}
