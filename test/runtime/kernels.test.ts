/** Kernel semantics that are easy to get wrong, checked against values worked out by hand. */
import { describe, expect, it } from 'vitest';
import { attr } from '../../src/ir/attr';
import { makeNode } from '../../src/ir/node';
import { makeGraph } from '../../src/ir/graph';
import { makeTensor, tensorToNumbers, type Tensor } from '../../src/ir/tensor';
import { tensorToArray } from '../../src/runtime/values';
import { createKernelRegistry, evaluateNode, missingKernels, runGraph } from '../../src/runtime';
import { stridedSliceSpec } from '../../src/runtime/kernels/array';
import { graphBuilder } from '../helpers/graph-builder';

const f32 = (shape: number[], values: number[]) => makeTensor('float', shape, values);
const i32 = (values: number[]) => makeTensor('int32', [values.length], values);
const iota = (shape: number[], start = 0) => f32(shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i + start));
const nums = (t: Tensor) => tensorToNumbers(t);

async function evalOp(op: string, inputs: Tensor[], attrs: Record<string, ReturnType<typeof attr.i>> = {}): Promise<Tensor[]> {
  return evaluateNode(makeNode({ name: 'n', op, inputs: inputs.map((_, i) => `in${i}`), attrs }), inputs, { backend: 'cpu' });
}

describe('StridedSlice', () => {
  const x = iota([3, 4]); // [[0,1,2,3],[4,5,6,7],[8,9,10,11]]
  const ss = (b: number[], e: number[], s: number[], masks: Record<string, number> = {}) =>
    evalOp('StridedSlice', [x, i32(b), i32(e), i32(s)], Object.fromEntries(Object.entries(masks).map(([k, v]) => [k, attr.i(v)])));

  it('slices with begin/end masks and a negative stride', async () => {
    // x[::-1, 1:3]
    const [y] = await ss([0, 1], [0, 3], [-1, 1], { begin_mask: 1, end_mask: 1 });
    expect(y!.shape).toEqual([3, 2]);
    expect(nums(y!)).toEqual([9, 10, 5, 6, 1, 2]);
  });

  it('shrinks an axis, adds a new axis, and expands an ellipsis', async () => {
    // x[-1] → row 2
    const [a] = await ss([-1], [0], [1], { shrink_axis_mask: 1 });
    expect(a!.shape).toEqual([4]);
    expect(nums(a!)).toEqual([8, 9, 10, 11]);
    // x[..., 1] → column 1
    const [b] = await ss([0, 1], [0, 2], [1, 1], { ellipsis_mask: 1, shrink_axis_mask: 2 });
    expect(b!.shape).toEqual([3]);
    expect(nums(b!)).toEqual([1, 5, 9]);
    // x[tf.newaxis, 1:, ::2]
    const [c] = await ss([0, 1, 0], [0, 3, 0], [1, 1, 2], { new_axis_mask: 1, end_mask: 4 });
    expect(c!.shape).toEqual([1, 2, 2]);
    expect(nums(c!)).toEqual([4, 6, 8, 10]);
  });

  it('clamps out-of-range bounds as TensorFlow does', () => {
    const s = stridedSliceSpec([5], [-100], [100], [2], { begin: 0, end: 0, ellipsis: 0, newAxis: 0, shrink: 0 });
    expect(s.indices[0]).toEqual([0, 2, 4]);
    const r = stridedSliceSpec([5], [100], [-100], [-2], { begin: 0, end: 0, ellipsis: 0, newAxis: 0, shrink: 0 });
    expect(r.indices[0]).toEqual([4, 2, 0]);
  });
});

/** A plain reference convolution (NHWC, HWIO) with TensorFlow's SAME padding rule. */
function refConv(x: number[], [h, w]: number[], k: number[], [kh, kw]: number[], stride: number, same: boolean): { shape: number[]; v: number[] } {
  const oh = same ? Math.ceil(h / stride) : Math.ceil((h - kh + 1) / stride);
  const ow = same ? Math.ceil(w / stride) : Math.ceil((w - kw + 1) / stride);
  const padT = same ? Math.floor(Math.max((oh - 1) * stride + kh - h, 0) / 2) : 0;
  const padL = same ? Math.floor(Math.max((ow - 1) * stride + kw - w, 0) / 2) : 0;
  const v: number[] = [];
  for (let i = 0; i < oh; i++)
    for (let j = 0; j < ow; j++) {
      let s = 0;
      for (let a = 0; a < kh; a++)
        for (let b = 0; b < kw; b++) {
          const y = i * stride + a - padT;
          const z = j * stride + b - padL;
          if (y >= 0 && y < h && z >= 0 && z < w) s += x[y * w + z]! * k[a * kw + b]!;
        }
      v.push(s);
    }
  return { shape: [1, oh, ow, 1], v };
}

describe('Conv2D and pooling padding', () => {
  const x = iota([1, 6, 5, 1], 1);
  const k = f32([3, 3, 1, 1], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  for (const [padding, stride] of [['SAME', 2], ['VALID', 2], ['SAME', 1], ['VALID', 3]] as const) {
    it(`${padding} with stride ${stride}`, async () => {
      const [y] = await evalOp('Conv2D', [x, k], { strides: attr.list({ i: [1, stride, stride, 1] }), padding: attr.s(padding) });
      const ref = refConv(nums(x), [6, 5], nums(k), [3, 3], stride, padding === 'SAME');
      expect(y!.shape).toEqual(ref.shape);
      expect(nums(y!)).toEqual(ref.v);
    });
  }

  it('AvgPool SAME leaves the padding out of the average', async () => {
    const [y] = await evalOp('AvgPool', [iota([1, 2, 2, 1], 1)], {
      ksize: attr.list({ i: [1, 2, 2, 1] }),
      strides: attr.list({ i: [1, 1, 1, 1] }),
      padding: attr.s('SAME'),
    });
    expect(nums(y!)).toEqual([2.5, 3, 3.5, 4]);
  });

  it('runs Conv2D in NCHW by transposing', async () => {
    const xn = iota([1, 1, 6, 5], 1); // same values as x, channels first
    const [y] = await evalOp('Conv2D', [xn, k], { strides: attr.list({ i: [1, 1, 2, 2] }), padding: attr.s('SAME'), data_format: attr.s('NCHW') });
    const ref = refConv(nums(x), [6, 5], nums(k), [3, 3], 2, true);
    expect(y!.shape).toEqual([1, 1, 3, 3]);
    expect(nums(y!)).toEqual(ref.v);
  });
});

describe('BiasAdd and batch norm', () => {
  it('adds the bias along the channel axis in NCHW', async () => {
    const [y] = await evalOp('BiasAdd', [f32([1, 2, 1, 2], [0, 0, 0, 0]), f32([2], [10, 20])], { data_format: attr.s('NCHW') });
    expect(nums(y!)).toEqual([10, 10, 20, 20]);
    const [z] = await evalOp('BiasAdd', [f32([1, 2, 1, 2], [0, 0, 0, 0]), f32([2], [10, 20])]);
    expect(nums(z!)).toEqual([10, 20, 10, 20]);
  });

  const x = f32([1, 2, 1, 2], [1, 10, 3, 30]); // channel 0: 1, 3; channel 1: 10, 30
  const scale = f32([2], [1, 2]);
  const offset = f32([2], [0, 1]);
  const mean = f32([2], [0, 10]);
  const variance = f32([2], [1, 4]);

  it('uses the given statistics when is_training=false', async () => {
    const [y, bm, bv] = await evalOp('FusedBatchNormV3', [x, scale, offset, mean, variance], { is_training: attr.b(false), epsilon: attr.f(0) });
    expect(nums(y!)).toEqual([1, 1, 3, 21]);
    expect(nums(bm!)).toEqual([0, 10]);
    expect(nums(bv!)).toEqual([1, 4]);
  });

  it('uses batch statistics when is_training is absent (its default is true)', async () => {
    const [y, bm, bv] = await evalOp('FusedBatchNormV3', [x, scale, offset, f32([0], []), f32([0], [])], { epsilon: attr.f(0) });
    // channel 0: mean 2, biased var 1 → (-1, 1); channel 1: mean 20, var 100 → (-1, 1)*2+1
    expect(nums(y!)).toEqual([-1, -1, 1, 3]);
    expect(nums(bm!)).toEqual([2, 20]);
    // batch_variance is Bessel-corrected: n=2 → ×2
    expect(nums(bv!)).toEqual([2, 200]);
  });
});

describe('dtypes', () => {
  it('computes int64 arithmetic exactly on the host', async () => {
    const big = makeTensor('int64', [2], [2n ** 40n, -(2n ** 50n)]);
    const [y] = await evalOp('AddV2', [big, makeTensor('int64', [], [1n])]);
    expect(y!.dtype).toBe('int64');
    expect(Array.from(tensorToArray(y!) as BigInt64Array)).toEqual([2n ** 40n + 1n, -(2n ** 50n) + 1n]);
  });

  it('refuses an int64 beyond int32 where tfjs would have to hold it', async () => {
    const big = makeTensor('int64', [2], [2n ** 40n, 1n]);
    await expect(evalOp('Transpose', [big, i32([0])])).rejects.toMatchObject({ code: 'runtime/unsupported-dtype', node: 'n' });
  });

  it('runs int64 that fits in int32 through tfjs and gives int64 back', async () => {
    const [y] = await evalOp('Transpose', [makeTensor('int64', [2, 1], [7n, -3n]), i32([1, 0])]);
    expect(y!.dtype).toBe('int64');
    expect(Array.from(tensorToArray(y!) as BigInt64Array)).toEqual([7n, -3n]);
  });

  it('refuses double where only float32 kernels exist, and adds doubles exactly', async () => {
    const d = makeTensor('double', [1], [0.1]);
    await expect(evalOp('MatMul', [makeTensor('double', [1, 1], [0.1]), makeTensor('double', [1, 1], [0.2])])).rejects.toMatchObject({
      code: 'runtime/unsupported-dtype',
    });
    const [y] = await evalOp('Add', [d, makeTensor('double', [1], [0.2])]);
    expect(y!.dtype).toBe('double');
    expect(tensorToNumbers(y!)[0]).toBe(0.1 + 0.2);
  });

  it('divides integers toward zero (Div) and floors (FloorDiv)', async () => {
    const a = i32([7, -7, 7, -7]);
    const b = i32([2, 2, -2, -2]);
    expect(nums((await evalOp('Div', [a, b]))[0]!)).toEqual([3, -3, -3, 3]);
    expect(nums((await evalOp('FloorDiv', [a, b]))[0]!)).toEqual([3, -4, -4, 3]);
    expect(nums((await evalOp('FloorMod', [a, b]))[0]!)).toEqual([1, 1, -1, -1]);
  });
});

describe('kernel registry', () => {
  it('runs a user kernel for a custom op and lists ops without kernels up front', async () => {
    const b = graphBuilder();
    const x = b.placeholder('x', 'float', [2]);
    const y = b.op('TimesThree', [x], {}, 'y');
    b.op('Unknown1', [y], {}, 'u1');
    const g = b.graph();
    expect(missingKernels(g, ['y'])).toEqual([{ op: 'TimesThree', nodes: ['y'] }]);
    expect(missingKernels(g)).toEqual([
      { op: 'TimesThree', nodes: ['y'] },
      { op: 'Unknown1', nodes: ['u1'] },
    ]);
    const kernels = createKernelRegistry().register('TimesThree', (ctx) => [ctx.tf.mul(ctx.input(0), 3)]);
    expect(kernels.has('TimesThree') && kernels.has('Conv2D')).toBe(true);
    const [out] = await runGraph(g, { x: f32([2], [1, 2]) }, ['y'], { kernels, backend: 'cpu' });
    expect(nums(out!)).toEqual([3, 6]);
    expect(missingKernels(g, ['y'], kernels)).toEqual([]);
    await expect(runGraph(g, { x: f32([2], [1, 2]) }, ['u1'], { kernels, backend: 'cpu' })).rejects.toMatchObject({ code: 'runtime/unsupported-op', node: 'u1' });
  });
});

describe('missingKernels when every op has a kernel', () => {
  it('answers empty, and still names a fetch or an input that names no node', () => {
    const b = graphBuilder();
    const x = b.placeholder('x', 'float', [2]);
    b.op('Relu', [x], {}, 'y');
    const g = b.graph();
    expect(missingKernels(g, ['y'])).toEqual([]);
    expect(missingKernels(g)).toEqual([]);
    expect(() => missingKernels(g, ['nope'])).toThrow(expect.objectContaining({ code: 'graph/missing-node', node: 'nope' }));
    // A dangling input needed by the fetch is an error; one the fetch does not need is not.
    const dangling = makeGraph([...g.nodes, makeNode({ name: 'z', op: 'Relu', inputs: ['gone'] })]);
    expect(() => missingKernels(dangling, ['z'])).toThrow(expect.objectContaining({ code: 'graph/missing-node', node: 'gone' }));
    expect(missingKernels(dangling, ['y'])).toEqual([]);
  });
});

describe('Cast from half', () => {
  it('reads half values, not their bit patterns', async () => {
    const { runGraph } = await import('../../src/runtime/index');
    const { makeGraph } = await import('../../src/ir/graph');
    const { makeNode } = await import('../../src/ir/node');
    const { attr } = await import('../../src/ir/attr');
    const { tensorToNumbers, makeValueTensor } = await import('../../src/ir/tensor');
    const g = makeGraph([
      makeNode({ name: 'h', op: 'Const', attrs: { dtype: attr.type('half'), value: attr.tensor(makeValueTensor('half', [2], [0x3c00, 0xc000])) } }),
      makeNode({ name: 'c', op: 'Cast', inputs: ['h'], attrs: { SrcT: attr.type('half'), DstT: attr.type('float') } }),
    ]);
    const [r] = await runGraph(g, {}, ['c']);
    expect(tensorToNumbers(r!)).toEqual([1, -2]);
  });
});
