/**
 * Kernels the real models in ../shared/models needed and graft lacked (see
 * test/workflow/all-models-kernels.test.ts), against the values of TensorFlow's documentation and
 * kernel tests: each expected value is written from TensorFlow's docs or tests, or computed in the
 * test from the op's definition, never by graft's runtime.
 */
import { describe, expect, it } from 'vitest';
import { type AttrValue, attr } from '../../src/ir/attr';
import { makeNode } from '../../src/ir/node';
import { type Tensor, makeStringTensor, makeTensor, tensorStrings, tensorToArray, tensorToNumbers } from '../../src/ir/tensor';
import { evaluateNode } from '../../src/runtime';

const i32 = (shape: number[], v: number[]) => makeTensor('int32', shape, v);
const i64 = (shape: number[], v: (number | bigint)[]) => makeTensor('int64', shape, v.map((x) => BigInt(x)));
const f32 = (shape: number[], v: number[]) => makeTensor('float', shape, v);
const nums = (t: Tensor) => tensorToNumbers(t);
const big = (t: Tensor) => Array.from(tensorToArray(t) as BigInt64Array);
const text = (t: Tensor) => tensorStrings(t).map((b) => new TextDecoder().decode(b));

function run(op: string, inputs: Tensor[], attrs: Record<string, AttrValue> = {}): Promise<Tensor[]> {
  return evaluateNode(makeNode({ name: 'n', op, inputs: inputs.map((_, i) => `in${i}`), attrs }), inputs, { backend: 'cpu' });
}

describe('DynamicStitch', () => {
  it('merges the example of tf.dynamic_stitch\'s documentation', async () => {
    const indices = [i32([], [6]), i32([2], [4, 1]), i32([2, 2], [5, 2, 0, 3])];
    const data = [f32([2], [61, 62]), f32([2, 2], [41, 42, 11, 12]), f32([2, 2, 2], [51, 52, 21, 22, 1, 2, 31, 32])];
    const [m] = await run('DynamicStitch', [...indices, ...data], { N: attr.i(3), T: attr.type('float') });
    expect(m!.shape).toEqual([7, 2]);
    expect(nums(m!)).toEqual([1, 2, 11, 12, 21, 22, 31, 32, 41, 42, 51, 52, 61, 62]);
  });

  it('stitches one-dimensional int32 (dynamic_stitch_op_test testSimpleOneDimensional), later inputs winning on repeats', async () => {
    const [m] = await run('DynamicStitch', [i32([3], [0, 4, 7]), i32([5], [1, 6, 2, 3, 5]), i32([3], [0, 40, 70]), i32([5], [10, 60, 20, 30, 50])], { N: attr.i(2) });
    expect(nums(m!)).toEqual([0, 10, 20, 30, 40, 50, 60, 70]);
    // The documentation: "merged[indices[m][i]] = data[m][i]" in order, so a repeated index takes the last value.
    const [r] = await run('ParallelDynamicStitch', [i32([2], [0, 1]), i32([1], [1]), i32([2], [5, 6]), i32([1], [9])], { N: attr.i(2) });
    expect(nums(r!)).toEqual([5, 9]);
  });

  it('keeps int64 beyond 2^53 and strings exact', async () => {
    const v = 9007199254740993n;
    const [m] = await run('DynamicStitch', [i32([1], [1]), i32([1], [0]), i64([1], [v]), i64([1], [-3])], { N: attr.i(2) });
    expect(big(m!)).toEqual([-3n, v]);
    const [s] = await run('DynamicStitch', [i32([2], [2, 0]), i32([1], [1]), makeStringTensor([2], ['c', 'a']), makeStringTensor([1], ['b'])], { N: attr.i(2) });
    expect(text(s!)).toEqual(['a', 'b', 'c']);
  });

  it('refuses mismatched shapes with TensorFlow\'s messages (testErrorIndicesMultiDimensional, testErrorDataNumDimsMismatch)', async () => {
    await expect(run('DynamicStitch', [i32([3], [0, 1, 2]), i32([2], [3, 4]), f32([2], [1, 2]), f32([2], [3, 4])], { N: attr.i(2) })).rejects.toThrow(
      'data[0].shape = [2] does not start with indices[0].shape = [3]',
    );
    await expect(run('DynamicStitch', [i32([2], [0, 1]), i32([1], [2]), f32([2, 1], [1, 2]), f32([1, 2], [3, 4])], { N: attr.i(2) })).rejects.toThrow(
      'Need data[0].shape[1:] = data[1].shape[1:], got data[0].shape = [2,1], data[1].shape = [1,2], indices[0].shape = [2], indices[1].shape = [1]',
    );
    await expect(run('DynamicStitch', [i32([2], [0, -1]), f32([2], [1, 2])], { N: attr.i(1) })).rejects.toThrow('indices[1] is out of range');
  });
});

describe('UnsortedSegmentSum', () => {
  it('sums the example of tf.math.unsorted_segment_sum\'s documentation', async () => {
    const c = i32([3, 4], [1, 2, 3, 4, 5, 6, 7, 8, 4, 3, 2, 1]);
    const [s] = await run('UnsortedSegmentSum', [c, i32([3], [0, 1, 0]), i32([], [2])]);
    expect(s!.shape).toEqual([2, 4]);
    expect(nums(s!)).toEqual([5, 5, 5, 5, 5, 6, 7, 8]);
  });

  it('drops negative ids, leaves unnamed segments 0, takes multi-dimensional ids and int64 exactly', async () => {
    const [s] = await run('UnsortedSegmentSum', [f32([2, 2], [1, 2, 3, 4]), i32([2, 2], [2, -1, 2, 0]), i64([], [4])]);
    expect(nums(s!)).toEqual([4, 0, 4, 0]);
    const [b] = await run('UnsortedSegmentSum', [i64([2], [2n ** 53n, 1n]), i32([2], [0, 0]), i32([], [1])]);
    expect(big(b!)).toEqual([2n ** 53n + 1n]);
  });

  it('refuses an id past num_segments and mismatched shapes with TensorFlow\'s messages', async () => {
    await expect(run('UnsortedSegmentSum', [f32([3], [1, 2, 3]), i32([3], [0, 5, 1]), i32([], [2])])).rejects.toThrow('segment_ids[1] = 5 is out of range [0, 2)');
    await expect(run('UnsortedSegmentSum', [f32([3], [1, 2, 3]), i32([2], [0, 1]), i32([], [2])])).rejects.toThrow('data.shape = [3] does not start with segment_ids.shape = [2]');
  });
});

describe('gradient helpers: BiasAddGrad, ReluGrad, L2Loss', () => {
  it('BiasAddGrad sums over every dimension but the channel one (NHWC and NCHW)', async () => {
    const g = f32([2, 3], [1, 2, 3, 10, 20, 30]);
    expect(nums((await run('BiasAddGrad', [g], { T: attr.type('float') }))[0]!)).toEqual([11, 22, 33]);
    // NCHW [1, 2, 2, 2]: channel 0 holds 1..4, channel 1 holds 5..8.
    const x = f32([1, 2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
    expect(nums((await run('BiasAddGrad', [x], { data_format: attr.s('NCHW') }))[0]!)).toEqual([1 + 2 + 3 + 4, 5 + 6 + 7 + 8]);
    await expect(run('BiasAddGrad', [f32([3], [1, 2, 3])])).rejects.toThrow('Input tensor must be at least 2D: [3]');
  });

  it('ReluGrad passes the gradient where the feature is positive, 0 elsewhere (even a NaN gradient)', async () => {
    const [r] = await run('ReluGrad', [f32([5], [1, 2, 3, 4, Number.NaN]), f32([5], [-1, 0, 0.5, 2, -3])]);
    expect(nums(r!)).toEqual([0, 0, 3, 4, 0]);
  });

  it('L2Loss is sum(t ** 2) / 2 (nn_test testL2Loss: 7 for [[1, 0], [3, 2]])', async () => {
    const [l] = await run('L2Loss', [f32([2, 2], [1, 0, 3, 2])]);
    expect(l!.shape).toEqual([]);
    expect(nums(l!)).toEqual([7]);
  });
});

describe('ShardedFilename and ShardedFilespec', () => {
  it('format as TensorFlow\'s %s-%05d-of-%05d', async () => {
    const s = (v: string) => makeStringTensor([], [v]);
    expect(text((await run('ShardedFilename', [s('/tmp/model.ckpt'), i32([], [3]), i32([], [10])]))[0]!)).toEqual(['/tmp/model.ckpt-00003-of-00010']);
    expect(text((await run('ShardedFilename', [s('x'), i32([], [123456]), i32([], [-2])]))[0]!)).toEqual(['x-123456-of--0002']);
    expect(text((await run('ShardedFilespec', [s('/tmp/model.ckpt'), i32([], [2])]))[0]!)).toEqual(['/tmp/model.ckpt-?????-of-00002']);
    await expect(run('ShardedFilename', [makeStringTensor([2], ['a', 'b']), i32([], [0]), i32([], [1])])).rejects.toThrow('basename must be a scalar, got shape [2]');
  });
});
