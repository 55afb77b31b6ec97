/**
 * Sparse and search kernels against the values of TensorFlow's documentation and kernel tests
 * (sparse_to_dense_op_py_test.py, sparse_reshape_op_test.py, tf.sparse.fill_empty_rows,
 * tf.sparse.segment_sum, tf.unique, tf.searchsorted, tf.raw_ops.Bucketize).
 */
import { describe, expect, it } from 'vitest';
import { type AttrValue, attr } from '../../src/ir/attr';
import { makeNode } from '../../src/ir/node';
import { type Tensor, makeTensor, tensorToArray, tensorToNumbers } from '../../src/ir/tensor';
import { evaluateNode } from '../../src/runtime';

const i64 = (shape: number[], v: (number | bigint)[]) => makeTensor('int64', shape, v.map((x) => BigInt(x)));
const i32 = (shape: number[], v: number[]) => makeTensor('int32', shape, v);
const f32 = (shape: number[], v: number[]) => makeTensor('float', shape, v);
const nums = (t: Tensor) => tensorToNumbers(t);
const big = (t: Tensor) => Array.from(tensorToArray(t) as BigInt64Array);

function run(op: string, inputs: Tensor[], attrs: Record<string, AttrValue> = {}): Promise<Tensor[]> {
  return evaluateNode(makeNode({ name: 'n', op, inputs: inputs.map((_, i) => `in${i}`), attrs }), inputs, { backend: 'cpu' });
}

describe('SparseToDense', () => {
  it('scatters scalars and vectors of values (testInt, testSetValue, test2d)', async () => {
    expect(nums((await run('SparseToDense', [i32([2], [1, 3]), i32([1], [5]), i32([], [1]), i32([], [0])]))[0]!)).toEqual([0, 1, 0, 1, 0]);
    expect(nums((await run('SparseToDense', [i32([2], [1, 3]), i32([1], [5]), i32([2], [1, 2]), i32([], [-1])]))[0]!)).toEqual([-1, 1, -1, 2, -1]);
    const [d] = await run('SparseToDense', [i32([2, 2], [1, 3, 2, 0]), i32([2], [3, 4]), i32([], [1]), i32([], [-1])]);
    expect(d!.shape).toEqual([3, 4]);
    expect(nums(d!)).toEqual([-1, -1, -1, -1, -1, -1, -1, 1, 1, -1, -1, -1]);
  });

  it('keeps int64 values beyond 2^53 exact', async () => {
    const v = 9007199254740993n;
    const [d] = await run('SparseToDense', [i64([1], [2]), i64([1], [3]), i64([], [v]), i64([], [-1])]);
    expect(big(d!)).toEqual([-1n, -1n, v]);
  });

  it('refuses out-of-bounds, repeated and unordered indices with TensorFlow\'s messages', async () => {
    await expect(run('SparseToDense', [i32([2, 1], [1, 10]), i32([1], [5]), i32([], [1]), i32([], [0])])).rejects.toThrow('indices[1] = [10] is out of bounds: need 0 <= index < [5]');
    await expect(run('SparseToDense', [i32([2, 1], [1, 1]), i32([1], [5]), i32([], [1]), i32([], [0])])).rejects.toThrow('indices[1] = [1] is repeated');
    await expect(run('SparseToDense', [i32([2, 1], [1, 0]), i32([1], [5]), i32([], [1]), i32([], [0])])).rejects.toThrow('indices[1] = [0] is out of order');
    // validate_indices=false accepts any order.
    const [d] = await run('SparseToDense', [i32([2, 1], [1, 0]), i32([1], [3]), i32([2], [7, 8]), i32([], [0])], { validate_indices: attr.b(false) });
    expect(nums(d!)).toEqual([8, 7, 0]);
  });
});

describe('SparseReshape', () => {
  // sparse_reshape_op_test: the 5x6 sparse tensor
  const ind = i64([6, 2], [0, 0, 1, 0, 1, 3, 1, 4, 3, 2, 3, 3]);
  it('reshapes to [2,3,5] and infers a -1 (testFeedNewShape, testFeedNewShapeInferred)', async () => {
    const [oi, os] = await run('SparseReshape', [ind, i64([2], [5, 6]), i64([3], [2, 3, 5])]);
    expect(big(oi!)).toEqual([0, 0, 0, 0, 1, 1, 0, 1, 4, 0, 2, 0, 1, 1, 0, 1, 1, 1].map(BigInt));
    expect(big(os!)).toEqual([2n, 3n, 5n]);
    const [, inferred] = await run('SparseReshape', [ind, i64([2], [5, 6]), i64([3], [2, -1, 5])]);
    expect(big(inferred!)).toEqual([2n, 3n, 5n]);
  });
  it('refuses a shape with a different number of elements', async () => {
    await expect(run('SparseReshape', [ind, i64([2], [5, 6]), i64([2], [7, 4])])).rejects.toThrow('Input to reshape is a tensor with 30 dense values, but the requested shape has 28');
  });
});

describe('SparseFillEmptyRows', () => {
  it('fills empty rows with the default (tf.sparse.fill_empty_rows example)', async () => {
    const vals = f32([4], [10, 20, 30, 40]); // a, b, c, d
    const [oi, ov, empty, rev] = await run('SparseFillEmptyRows', [i64([4, 2], [0, 1, 0, 3, 2, 0, 3, 1]), vals, i64([2], [5, 6]), f32([], [-1])]);
    expect(big(oi!)).toEqual([0, 1, 0, 3, 1, 0, 2, 0, 3, 1, 4, 0].map(BigInt));
    expect(nums(ov!)).toEqual([10, 20, -1, 30, 40, -1]);
    expect(nums(empty!)).toEqual([0, 1, 0, 0, 1]);
    expect(empty!.dtype).toBe('bool');
    expect(big(rev!)).toEqual([0n, 1n, 3n, 4n]);
  });
});

describe('SparseSegmentSum / Mean / SqrtN', () => {
  const c = f32([3, 4], [1, 2, 3, 4, -1, -2, -3, -4, 5, 6, 7, 8]);
  it('sums selected rows per segment (tf.sparse.segment_sum examples)', async () => {
    expect(nums((await run('SparseSegmentSum', [c, i32([2], [0, 1]), i32([2], [0, 0])]))[0]!)).toEqual([0, 0, 0, 0]);
    expect(nums((await run('SparseSegmentSum', [c, i32([2], [0, 1]), i32([2], [0, 1])]))[0]!)).toEqual([1, 2, 3, 4, -1, -2, -3, -4]);
    expect(nums((await run('SparseSegmentSum', [c, i32([2], [0, 2]), i32([2], [0, 1])]))[0]!)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(nums((await run('SparseSegmentSum', [c, i32([3], [0, 1, 2]), i32([3], [0, 0, 1])]))[0]!)).toEqual([0, 0, 0, 0, 5, 6, 7, 8]);
    const [n] = await run('SparseSegmentSumWithNumSegments', [c, i32([2], [0, 1]), i32([2], [0, 2]), i32([], [4])]);
    expect(n!.shape).toEqual([4, 4]);
    expect(nums(n!)).toEqual([1, 2, 3, 4, 0, 0, 0, 0, -1, -2, -3, -4, 0, 0, 0, 0]);
  });
  it('takes the mean and the sum over sqrt(count)', async () => {
    expect(nums((await run('SparseSegmentMean', [c, i32([2], [0, 2]), i32([2], [0, 0])]))[0]!)).toEqual([3, 4, 5, 6]);
    const [s] = await run('SparseSegmentSqrtN', [c, i32([2], [0, 2]), i32([2], [0, 0])]);
    expect(nums(s!)).toEqual([6, 8, 10, 12].map((x) => Math.fround(x / Math.fround(Math.SQRT2))));
  });
  it('refuses unsorted segment ids', async () => {
    await expect(run('SparseSegmentSum', [c, i32([2], [0, 1]), i32([2], [1, 0])])).rejects.toThrow('segment ids are not increasing');
  });
});

describe('SparseTensorDenseMatMul', () => {
  // A = [[1,0,0],[0,0,2]] as indices/values; B = [[1,2],[3,4],[5,6]].
  const ai = i64([2, 2], [0, 0, 1, 2]);
  const av = f32([2], [1, 2]);
  const as = i64([2], [2, 3]);
  const b = f32([3, 2], [1, 2, 3, 4, 5, 6]);
  it('multiplies, with adjoints', async () => {
    expect(nums((await run('SparseTensorDenseMatMul', [ai, av, as, b]))[0]!)).toEqual([1, 2, 10, 12]);
    // A^T (3x2) times [[1,2],[3,4]]: rows [1*1,1*2], [0,0], [2*3,2*4]
    const [t] = await run('SparseTensorDenseMatMul', [ai, av, as, f32([2, 2], [1, 2, 3, 4])], { adjoint_a: attr.b(true) });
    expect(nums(t!)).toEqual([1, 2, 0, 0, 6, 8]);
    // A times B'^T with B' = B^T (2x3)
    const [u] = await run('SparseTensorDenseMatMul', [ai, av, as, f32([2, 3], [1, 3, 5, 2, 4, 6])], { adjoint_b: attr.b(true) });
    expect(nums(u!)).toEqual([1, 2, 10, 12]);
  });
});

describe('Unique', () => {
  it('keeps first occurrences in order (tf.unique example)', async () => {
    const [y, idx] = await run('Unique', [i32([9], [1, 1, 2, 4, 4, 4, 7, 8, 8])]);
    expect(nums(y!)).toEqual([1, 2, 4, 7, 8]);
    expect(nums(idx!)).toEqual([0, 0, 1, 2, 2, 2, 3, 4, 4]);
    const [, idx64] = await run('Unique', [i32([3], [5, 5, 6])], { out_idx: attr.type('int64') });
    expect(big(idx64!)).toEqual([0n, 0n, 1n]);
  });
  it('finds unique slices along an axis (UniqueV2)', async () => {
    const x = i32([3, 3], [1, 0, 0, 1, 0, 0, 2, 0, 0]);
    const [y0, i0] = await run('UniqueV2', [x, i64([1], [0])]);
    expect(y0!.shape).toEqual([2, 3]);
    expect(nums(y0!)).toEqual([1, 0, 0, 2, 0, 0]);
    expect(nums(i0!)).toEqual([0, 0, 1]);
    const [y1, i1] = await run('UniqueV2', [x, i64([1], [1])]);
    expect(y1!.shape).toEqual([3, 2]);
    expect(nums(y1!)).toEqual([1, 0, 1, 0, 2, 0]);
    expect(nums(i1!)).toEqual([0, 1, 1]);
  });
});

describe('UpperBound / LowerBound / Bucketize', () => {
  const sorted = i32([2, 5], [0, 3, 9, 9, 10, 1, 2, 3, 4, 5]);
  const values = i32([2, 3], [2, 4, 9, 0, 2, 6]);
  it('searches sorted rows (tf.searchsorted examples)', async () => {
    expect(nums((await run('UpperBound', [sorted, values]))[0]!)).toEqual([1, 2, 4, 0, 2, 5]);
    expect(nums((await run('LowerBound', [sorted, values]))[0]!)).toEqual([1, 2, 2, 0, 1, 5]);
  });
  it('buckets by boundaries (tf.raw_ops.Bucketize example)', async () => {
    const [b] = await run('Bucketize', [i32([3, 2], [-5, 10000, 150, 10, 5, 100])], { boundaries: attr.list({ f: [0, 10, 100] }) });
    expect(b!.dtype).toBe('int32');
    expect(b!.shape).toEqual([3, 2]);
    expect(nums(b!)).toEqual([0, 3, 3, 2, 1, 3]);
  });
});
