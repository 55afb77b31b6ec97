/**
 * Shape functions of the ops graft's runtime runs that are not plain math: training updates,
 * sparse and segment ops, example parsing, checkpoints, summaries. Cases from TensorFlow's
 * shape-function tests (`tensorflow/core/ops/{math,sparse,data_flow,parsing}_ops_test.cc`), where
 * `INFER_OK(op, "[2,4,3];[3];[3]", "[?,d0_1,d0_2]")` reads: inputs of those shapes give that
 * output; here -1 is `?` and null is TF's unknown-rank `?`. The rest follow the `SetShapeFn` of
 * each op (`sparse_ops.cc`, `io_ops.cc`, `state_ops.cc`, `nn_ops.cc`, `set_ops.cc`).
 */
import { describe, expect, it } from 'vitest';
import { type AttrValue, attr } from '../../src/ir/attr';
import type { DType } from '../../src/ir/dtype';
import { inferShapes, opsWithShapeFns } from '../../src/ir/shape-inference';
import { makeStringTensor, makeTensor } from '../../src/ir/tensor';
import { BUILTIN_KERNEL_OPS } from '../../src/runtime/kernel-ops';
import { graphBuilder } from '../helpers/graph-builder';

type B = ReturnType<typeof graphBuilder>;
type In = readonly number[] | null | { int32: number[] | number } | { int64: number[] } | { strings: string[] };
const T = (t: DType = 'float') => ({ T: attr.type(t) });

/** One op over inputs: a shape makes a placeholder, `{ int32 }` / `{ int64 }` / `{ strings }` a constant. */
function run(opName: string, inputs: readonly In[], attrs: Record<string, AttrValue> = T(), build?: (b: B) => string[]) {
  const b = graphBuilder();
  const names = build
    ? build(b)
    : inputs.map((s, i) => {
        if (s !== null && 'int32' in s) return b.const(`c${i}`, typeof s.int32 === 'number' ? makeTensor('int32', [], [s.int32]) : makeTensor('int32', [s.int32.length], s.int32));
        if (s !== null && 'int64' in s) return b.const(`c${i}`, makeTensor('int64', [s.int64.length], s.int64));
        if (s !== null && 'strings' in s) return b.const(`c${i}`, makeStringTensor([s.strings.length], s.strings));
        return b.placeholder(`in${i}`, 'float', s as readonly number[] | null);
      });
  b.op(opName, names, attrs, 'y');
  const all = inferShapes(b.graph());
  const out: { dtype: DType; shape: readonly number[] | null }[] = [];
  for (let p = 0; all.has(`y:${p}`); p++) out.push(all.get(`y:${p}`)!);
  return out;
}
const shapes = (...args: Parameters<typeof run>) => run(...args).map((o) => o.shape);

describe('every op the runtime runs has a shape function', () => {
  it('BUILTIN_KERNEL_OPS ⊆ opsWithShapeFns()', () => {
    const have = new Set(opsWithShapeFns());
    expect([...BUILTIN_KERNEL_OPS].filter((op) => !have.has(op))).toEqual([]);
  });
});

describe('segment reductions (math_ops_test)', () => {
  it('UnsortedSegmentSum_ShapeFn', () => {
    expect(shapes('UnsortedSegmentSum', [null, null, null])).toEqual([null]);
    expect(shapes('UnsortedSegmentSum', [null, [-1], null])).toEqual([null]);
    expect(shapes('UnsortedSegmentSum', [[-1, 2, 3, -1, 5], [1, 2, -1], { int32: 100 }])).toEqual([[100, -1, 5]]);
  });
  it('SparseSegment_ShapeFn, and the WithNumSegments form', () => {
    expect(shapes('SparseSegmentSum', [null, null, null])).toEqual([null]);
    expect(shapes('SparseSegmentSum', [[2, 4, 3], [3], [3]])).toEqual([[-1, 4, 3]]);
    expect(shapes('SparseSegmentMeanWithNumSegments', [[2, 4, 3], [3], [3], { int32: 7 }])).toEqual([[7, 4, 3]]);
  });
  it('SparseSegmentGrad_ShapeFn', () => {
    expect(shapes('SparseSegmentMeanGrad', [null, null, null, null])).toEqual([null]);
    expect(shapes('SparseSegmentMeanGrad', [[2, 4, 3], [3], [3], []])).toEqual([[-1, 4, 3]]);
    expect(shapes('SparseSegmentMeanGrad', [[2, 4, 3], [3], [3], { int32: 100 }])).toEqual([[100, 4, 3]]);
  });
});

describe('sparse ops (sparse_ops_test, sparse_ops.cc)', () => {
  it('SparseReshape_ShapeFn: [indices.dim(0), new_shape.dim(0)] and new_shape', () => {
    expect(run('SparseReshape', [null, null, null])).toEqual([{ dtype: 'int64', shape: [-1, -1] }, { dtype: 'int64', shape: [-1] }]);
    expect(shapes('SparseReshape', [[5, 2], null, [3]])).toEqual([[5, 3], [3]]);
  });
  it('SparseToDense_ShapeFn: the output_shape input', () => {
    expect(shapes('SparseToDense', [null, null, null, null])).toEqual([null]);
    expect(shapes('SparseToDense', [null, [4], null, null])).toEqual([[-1, -1, -1, -1]]);
    expect(shapes('SparseToDense', [null, { int32: [1, 2, 3, 4] }, null, null])).toEqual([[1, 2, 3, 4]]);
  });
  it('SparseTensorDenseMatMul_ShapeFn: the last dim from b, the rows from a_shape when constant', () => {
    const adj = (a: boolean, b: boolean) => ({ ...T(), adjoint_a: attr.b(a), adjoint_b: attr.b(b) });
    expect(shapes('SparseTensorDenseMatMul', [null, null, null, null], adj(false, false))).toEqual([null]);
    expect(shapes('SparseTensorDenseMatMul', [null, null, null, [1, 2]], adj(false, false))).toEqual([[-1, 2]]);
    expect(shapes('SparseTensorDenseMatMul', [null, null, null, [1, 2]], adj(false, true))).toEqual([[-1, 1]]);
    expect(shapes('SparseTensorDenseMatMul', [null, null, { int64: [3, 1] }, [1, 2]], adj(false, false))).toEqual([[3, 2]]);
  });
  it('SparseFillEmptyRows: [?, rank] indices, [?] values, [dense_shape[0]] indicator, [N] reverse map', () => {
    expect(run('SparseFillEmptyRows', [[5, 2], [5], { int64: [4, 6] }, []])).toEqual([
      { dtype: 'int64', shape: [-1, 2] },
      { dtype: 'float', shape: [-1] },
      { dtype: 'bool', shape: [4] },
      { dtype: 'int64', shape: [5] },
    ]);
    expect(shapes('SparseFillEmptyRows', [[-1, 2], [7], [2], []])).toEqual([[-1, 2], [-1], [-1], [7]]);
  });
});

describe('DynamicStitch (data_flow_ops_test)', () => {
  it('[?] + the data suffix after the indices prefix', () => {
    expect(shapes('DynamicStitch', [[2, 3], [5, 6], [2, 3, 4, 5], [5, 6, 4, 5]], { ...T(), N: attr.i(2) })).toEqual([[-1, 4, 5]]);
    expect(shapes('ParallelDynamicStitch', [[2, 3], [5, 6], [2, 3, 4, 5], [5, 6, 4, 5]], { ...T(), N: attr.i(2) })).toEqual([[-1, 4, 5]]);
  });
  it('constant indices give the length (largest index + 1)', () => {
    expect(shapes('DynamicStitch', [{ int32: [0, 4] }, { int32: [2] }, [2, 3], [1, 3]], { ...T(), N: attr.i(2) })).toEqual([[5, 3]]);
  });
  it("a gradient's reduced shape, stitched from known scalars, reshapes to keep_dims form", () => {
    // _SumGrad of reduce_sum(x, axis=1) with x [?,10]: output_shape_kept_dims = [?, 1].
    const b = graphBuilder();
    const x = b.placeholder('x', 'float', [-1, 10]);
    const g = b.placeholder('g', 'float', [-1]);
    const shape = b.op('Shape', [x], { ...T(), out_type: attr.type('int32') }, 'shape');
    const range = b.op('Range', [b.const('zero', makeTensor('int32', [], [0])), b.const('two', makeTensor('int32', [], [2])), b.const('one', makeTensor('int32', [], [1]))], { Tidx: attr.type('int32') }, 'range');
    const axes = b.op('FloorMod', [b.const('axis', makeTensor('int32', [], [1])), 'two'], T('int32'), 'axes');
    // Fill(Shape(axes), 1): axes is a scalar here, so the ones are one scalar.
    const ones = b.op('Fill', [b.const('dims', makeTensor('int32', [0], [])), 'one'], { ...T('int32'), index_type: attr.type('int32') }, 'ones');
    const stitched = b.op('DynamicStitch', [range, axes, shape, ones], { ...T('int32'), N: attr.i(2) }, 'stitched');
    b.op('Reshape', [g, stitched], { ...T(), Tshape: attr.type('int32') }, 'kept');
    const s = inferShapes(b.graph());
    expect(s.get('stitched:0')?.shape).toEqual([2]);
    expect(s.get('kept:0')?.shape).toEqual([-1, 1]);
  });
});

describe('example parsing (parsing_ops_test)', () => {
  // dense_shapes [1], [1,2], [1,2,3] as ParseExample_ShapeFn's MakeDenseShapes(3, false, 0) makes them.
  const dense = attr.list({ shape: [[1], [1, 2], [1, 2, 3]].map((d) => ({ dims: d, unknownRank: false })) });
  const types = (n: number, t: DType = 'float') => attr.list({ type: new Array<DType>(n).fill(t) });
  it('ParseExample_ShapeFn: 2 sparse, 3 dense', () => {
    const attrs = { Nsparse: attr.i(2), Ndense: attr.i(3), sparse_types: types(2), Tdense: types(3), dense_shapes: dense };
    const ins = (serialized: In) => [serialized, null, null, null, null, null, null, null, null, null];
    expect(shapes('ParseExample', ins(null), attrs)).toEqual([[-1, 2], [-1, 2], [-1], [-1], [2], [2], [-1, 1], [-1, 1, 2], [-1, 1, 2, 3]]);
    expect(shapes('ParseExample', ins([10]), attrs)).toEqual([[-1, 2], [-1, 2], [-1], [-1], [2], [2], [10, 1], [10, 1, 2], [10, 1, 2, 3]]);
    expect(run('ParseExample', ins([10]), attrs).map((o) => o.dtype)).toEqual(['int64', 'int64', 'float', 'float', 'int64', 'int64', 'float', 'float', 'float']);
  });
  it('ParseExample_ShapeFn: a variable-length dense feature keeps its unknown outer dim', () => {
    const varLen = attr.list({ shape: [{ dims: [-1, 1], unknownRank: false }] });
    expect(shapes('ParseExample', [[10], null, null, null], { Nsparse: attr.i(0), Ndense: attr.i(1), sparse_types: types(0), Tdense: types(1), dense_shapes: varLen })).toEqual([[10, -1, 1]]);
  });
  it('ParseExampleV2_ShapeFn: vector, scalar and unknown-rank input; ragged row splits', () => {
    const attrs = { num_sparse: attr.i(2), sparse_types: types(2), ragged_value_types: types(4), ragged_split_types: types(4, 'int32'), Tdense: types(3), dense_shapes: dense };
    const ins = (serialized: In) => [serialized, null, null, null, null, null, null, null];
    const ragged = (splits: number) => [[-1], [-1], [-1], [-1], [splits], [splits], [splits], [splits]];
    expect(shapes('ParseExampleV2', ins([-1]), attrs)).toEqual([[-1, 2], [-1, 2], [-1], [-1], [2], [2], [-1, 1], [-1, 1, 2], [-1, 1, 2, 3], ...ragged(-1)]);
    expect(shapes('ParseExampleV2', ins([10]), attrs)).toEqual([[-1, 2], [-1, 2], [-1], [-1], [2], [2], [10, 1], [10, 1, 2], [10, 1, 2, 3], ...ragged(11)]);
    expect(shapes('ParseExampleV2', ins([]), attrs)).toEqual([[-1, 1], [-1, 1], [-1], [-1], [1], [1], [1], [1, 2], [1, 2, 3], ...ragged(-1)]);
    expect(shapes('ParseExampleV2', ins(null), attrs)).toEqual([[-1, -1], [-1, -1], [-1], [-1], [-1], [-1], null, null, null, ...ragged(-1)]);
    expect(run('ParseExampleV2', ins([10]), attrs).slice(-5).map((o) => o.dtype)).toEqual(['float', 'int32', 'int32', 'int32', 'int32']);
  });
  it('ParseSingleExample: sparse indices [?,1], dense outputs their own shapes', () => {
    const attrs = { num_sparse: attr.i(1), sparse_keys: attr.list({ s: ['a'] }), dense_keys: attr.list({ s: ['b', 'c'] }), sparse_types: types(1, 'int64'), Tdense: attr.list({ type: ['float', 'string'] }), dense_shapes: attr.list({ shape: [{ dims: [3], unknownRank: false }, { dims: [], unknownRank: false }] }) };
    expect(run('ParseSingleExample', [[], null, null], attrs)).toEqual([
      { dtype: 'int64', shape: [-1, 1] },
      { dtype: 'int64', shape: [-1] },
      { dtype: 'int64', shape: [1] },
      { dtype: 'float', shape: [3] },
      { dtype: 'string', shape: [] },
    ]);
  });
});

describe('state, training and nn gradients', () => {
  it('Assign merges ref and value when validate_shape, else takes the value', () => {
    expect(shapes('Assign', [[-1, 3], [2, -1]], { ...T(), validate_shape: attr.b(true) })).toEqual([[2, 3]]);
    expect(shapes('Assign', [[-1, 3], [2, 5]], { ...T(), validate_shape: attr.b(false) })).toEqual([[2, 5]]);
    expect(shapes('AssignAdd', [[-1, 3], [4, -1]])).toEqual([[4, 3]]);
  });
  it('ApplyGradientDescent: var merged with delta; the resource forms and AssignVariableOp have no outputs', () => {
    expect(shapes('ApplyGradientDescent', [[-1, 3], [], [5, -1]])).toEqual([[5, 3]]);
    expect(shapes('ResourceApplyGradientDescent', [[], [], [5, 3]])).toEqual([]);
    expect(shapes('AssignVariableOp', [[], [5, 3]], { dtype: attr.type('float') })).toEqual([]);
  });
  it('BiasAddGrad: the channel dim (last; third from last in NCHW); ReluGrad merges its inputs', () => {
    expect(shapes('BiasAddGrad', [[2, 3, 4, 5]])).toEqual([[5]]);
    expect(shapes('BiasAddGrad', [[2, 3, 4, 5]], { ...T(), data_format: attr.s('NCHW') })).toEqual([[3]]);
    expect(shapes('ReluGrad', [[-1, 4], [8, -1]])).toEqual([[8, 4]]);
  });
  it('BroadcastGradientArgs: [?] each; with known shapes, its reduction indices feed Sum as TF evaluates them', () => {
    expect(shapes('BroadcastGradientArgs', [[3], [1]], T('int32'))).toEqual([[-1], [-1]]);
    const reduced = (s0: number[], s1: number[], port: number, x: number[]) => {
      const b = graphBuilder();
      const r = b.op('BroadcastGradientArgs', [b.const('s0', makeTensor('int32', [s0.length], s0)), b.const('s1', makeTensor('int32', [s1.length], s1))], T('int32'), 'r');
      b.op('Sum', [b.placeholder('x', 'float', x), `${r}:${port}`], { ...T(), keep_dims: attr.b(false), Tidx: attr.type('int32') }, 'sum');
      return inferShapes(b.graph()).get('sum:0')?.shape;
    };
    // x [2,3,5] against y [1]: nothing to reduce for x, every dim for y.
    expect(reduced([2, 3, 5], [1], 0, [2, 3, 5])).toEqual([2, 3, 5]);
    expect(reduced([2, 3, 5], [1], 1, [1, 1, 1])).toEqual([]);
    // [1,3] against [1,1]: dim 0 is 1 in both (reduced for both), dim 1 only in the second.
    expect(reduced([1, 3], [1, 1], 0, [1, 3])).toEqual([3]);
    expect(reduced([1, 3], [1, 1], 1, [1, 3])).toEqual([]);
  });
  it('L2Loss and the summaries are scalars; TruncatedNormal takes its shape input', () => {
    expect(shapes('L2Loss', [[3, 4]])).toEqual([[]]);
    expect(run('ScalarSummary', [[], []])).toEqual([{ dtype: 'string', shape: [] }]);
    expect(run('HistogramSummary', [[], [3, 4]])).toEqual([{ dtype: 'string', shape: [] }]);
    expect(shapes('TruncatedNormal', [{ int32: [2, 3] }], { dtype: attr.type('float'), T: attr.type('int32') })).toEqual([[2, 3]]);
  });
});

describe('checkpoints, resources, sets, searches', () => {
  it("RestoreV2: each output's shape from its shape_and_slices entry; empty entries unknown", () => {
    const attrs = { dtypes: attr.list({ type: ['float', 'float', 'int64'] }) };
    expect(shapes('RestoreV2', [[], [3], [3]], attrs)).toEqual([null, null, null]);
    expect(run('RestoreV2', [{ strings: ['p'] }, { strings: ['a', 'b', 'c'] }, { strings: ['', '10 20 -:0,5', '7 -'] }], attrs)).toEqual([
      { dtype: 'float', shape: null },
      { dtype: 'float', shape: [10, 5] },
      { dtype: 'int64', shape: [7] },
    ]);
  });
  it('ResourceGather: indices shape then the variable shape after the gathered axis (batch_dims)', () => {
    const gather = (varShape: number[], indices: number[], batchDims: number) =>
      shapes('ResourceGather', [], { dtype: attr.type('float'), batch_dims: attr.i(batchDims) }, (b) => [
        b.op('VarHandleOp', [], { dtype: attr.type('float'), shape: attr.shape(varShape) }, 'v'),
        b.placeholder('i', 'int32', indices),
      ]);
    expect(gather([10, 4], [3, 2], 0)).toEqual([[3, 2, 4]]);
    expect(gather([2, 10, 4], [2, 3], 1)).toEqual([[2, 3, 4]]);
  });
  it('DenseToDenseSetOperation: indices [?, rank], values [?], shape [rank]', () => {
    expect(run('DenseToDenseSetOperation', [[2, 3], [2, 4]], { ...T('int32'), set_operation: attr.s('intersection') })).toEqual([
      { dtype: 'int64', shape: [-1, 2] },
      { dtype: 'int32', shape: [-1] },
      { dtype: 'int64', shape: [2] },
    ]);
  });
  it('LowerBound/UpperBound take the values shape; UniqueV2 is [?] and the input shape', () => {
    expect(run('LowerBound', [[2, 5], [2, 3]], { ...T(), out_type: attr.type('int32') })).toEqual([{ dtype: 'int32', shape: [2, 3] }]);
    expect(shapes('UniqueV2', [[6], { int64: [0] }], { ...T(), out_idx: attr.type('int32') })).toEqual([[-1], [6]]);
  });
});
