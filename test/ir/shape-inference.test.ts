/**
 * Shape functions, case by case, from TensorFlow's shape-function tests
 * (`tensorflow/core/ops/{array,math,nn,control_flow,functional}_ops_test.cc`). TF writes
 * `INFER_OK(op, "[1,?];[2]", "[d0_0,2]")`; here the same inputs and expected outputs, with
 * -1 for `?` and null for TF's `?` shape (unknown rank).
 */
import { describe, expect, it } from 'vitest';
import { type AttrValue, attr } from '../../src/ir/attr';
import type { DType } from '../../src/ir/dtype';
import type { FunctionDef, Graph } from '../../src/ir/graph';
import { makeNode } from '../../src/ir/node';
import { inferShapes } from '../../src/ir/shape-inference';
import { makeTensor } from '../../src/ir/tensor';
import { graphBuilder } from '../helpers/graph-builder';

type B = ReturnType<typeof graphBuilder>;
const T = (t: DType = 'float') => ({ T: attr.type(t) });
const ints = (b: B, name: string, values: number[], shape: number[] = [values.length]) => b.const(name, makeTensor('int32', shape, values));

/** Builds a graph where `build` names the tensor to look at; returns its inferred shape. */
function shapeOf(build: (b: B) => string, producer = 27): readonly number[] | null | undefined {
  const b = graphBuilder();
  const t = build(b);
  const g = b.graph({ versions: { producer, minConsumer: 0, badConsumers: [] } });
  return inferShapes(g).get(t.includes(':') ? t : `${t}:0`)?.shape;
}
/** One op over placeholders of the given shapes (null: unknown rank). */
function op(name: string, shapes: (readonly number[] | null)[], attrs: Record<string, AttrValue> = T(), consts: Record<number, number[] | number> = {}, port = 0): readonly number[] | null | undefined {
  return shapeOf((b) => {
    const ins = shapes.map((s, i) => {
      const c = consts[i];
      if (c !== undefined) return typeof c === 'number' ? b.const(`c${i}`, makeTensor('int32', [], [c])) : ints(b, `c${i}`, c);
      return b.placeholder(`in${i}`, 'float', s);
    });
    return `${b.op(name, ins, attrs, 'y')}:${port}`;
  });
}

describe('broadcasting (math_ops_test BinaryOps)', () => {
  it.each([
    [[1, 3], [2, 1], [2, 3]],
    [[-1, 3], [3], [-1, 3]],
    [[-1, 1], [-1, 5], [-1, 5]],
    [[1], [-1], [-1]],
    [[2, -1], [1, 4, 1], [1, 2, -1]], // TF: ? against 1 stays ?
    [[], [5, 6], [5, 6]],
    [null, [2], null],
  ] as const)('Add %j %j → %j', (a, c, want) => {
    expect(op('AddV2', [a, c])).toEqual(want);
  });
  it('a comparison gives bool of the broadcast shape', () => {
    const b = graphBuilder();
    const x = b.placeholder('x', 'float', [4, 1]);
    const y = b.placeholder('y', 'float', [3]);
    b.op('Less', [x, y], T(), 'z');
    expect(inferShapes(b.graph()).get('z:0')).toEqual({ dtype: 'bool', shape: [4, 3] });
  });
});

describe('MatMul and BatchMatMul (math_ops_test)', () => {
  it('MatMul [?,3]x[3,10] → [?,10]; transposes', () => {
    expect(op('MatMul', [[-1, 3], [3, 10]])).toEqual([-1, 10]);
    expect(op('MatMul', [[3, 2], [10, 3]], { ...T(), transpose_a: attr.b(true), transpose_b: attr.b(true) })).toEqual([2, 10]);
    expect(op('MatMul', [null, [3, 10]])).toEqual([-1, 10]);
  });
  it('BatchMatMulV2 broadcasts batch dims', () => {
    expect(op('BatchMatMulV2', [[2, 1, 3, 4], [5, 4, 6]])).toEqual([2, 5, 3, 6]);
    expect(op('BatchMatMulV2', [[7, 3, 4], [7, 6, 4]], { ...T(), adj_y: attr.b(true) })).toEqual([7, 3, 6]);
  });
});

describe('Conv2D, DepthwiseConv2dNative, pooling (nn_ops_test, common_shape_fns_test)', () => {
  const conv = (x: number[], w: number[], strides: number[], padding: string, extra: Record<string, AttrValue> = {}, opName = 'Conv2D') =>
    op(opName, [x, w], { ...T(), strides: attr.list({ i: strides }), padding: attr.s(padding), ...extra });
  it('VALID and SAME, NHWC', () => {
    expect(conv([1, 28, 28, 1], [5, 5, 1, 32], [1, 1, 1, 1], 'SAME')).toEqual([1, 28, 28, 32]);
    expect(conv([-1, 28, 28, 1], [5, 5, 1, 32], [1, 1, 1, 1], 'VALID')).toEqual([-1, 24, 24, 32]);
    expect(conv([1, 7, 7, 3], [3, 3, 3, 8], [1, 2, 2, 1], 'SAME')).toEqual([1, 4, 4, 8]);
    expect(conv([1, 7, 7, 3], [3, 3, 3, 8], [1, 2, 2, 1], 'VALID')).toEqual([1, 3, 3, 8]);
  });
  it('NCHW, dilations and explicit padding', () => {
    expect(conv([1, 3, 7, 7], [3, 3, 3, 8], [1, 1, 2, 2], 'VALID', { data_format: attr.s('NCHW') })).toEqual([1, 8, 3, 3]);
    expect(conv([1, 9, 9, 1], [3, 3, 1, 1], [1, 1, 1, 1], 'VALID', { dilations: attr.list({ i: [1, 2, 2, 1] }) })).toEqual([1, 5, 5, 1]);
    expect(conv([1, 5, 5, 1], [3, 3, 1, 1], [1, 1, 1, 1], 'EXPLICIT', { explicit_paddings: attr.list({ i: [0, 0, 1, 2, 0, 1, 0, 0] }) })).toEqual([1, 6, 4, 1]);
  });
  it('an unknown spatial dim stays unknown', () => {
    expect(conv([-1, -1, 28, 1], [5, 5, 1, 32], [1, 1, 1, 1], 'VALID')).toEqual([-1, -1, 24, 32]);
  });
  it('depthwise multiplies the channels', () => {
    expect(conv([1, 8, 8, 3], [3, 3, 3, 2], [1, 1, 1, 1], 'SAME', {}, 'DepthwiseConv2dNative')).toEqual([1, 8, 8, 6]);
  });
  it('MaxPool and AvgPool', () => {
    const pool = (name: string, x: number[], k: number[], s: number[], p: string) => op(name, [x], { ...T(), ksize: attr.list({ i: k }), strides: attr.list({ i: s }), padding: attr.s(p) });
    expect(pool('MaxPool', [-1, 28, 28, 32], [1, 2, 2, 1], [1, 2, 2, 1], 'SAME')).toEqual([-1, 14, 14, 32]);
    expect(pool('AvgPool', [1, 5, 5, 2], [1, 3, 3, 1], [1, 2, 2, 1], 'VALID')).toEqual([1, 2, 2, 2]);
  });
  it('FusedBatchNormV3: y like x, the statistics [C]', () => {
    const shapes = [[2, 4, 4, 3], null, null, null, null];
    expect(op('FusedBatchNormV3', shapes, T(), {}, 0)).toEqual([2, 4, 4, 3]);
    expect(op('FusedBatchNormV3', shapes, T(), {}, 1)).toEqual([3]);
    expect(op('FusedBatchNormV3', shapes, T(), {}, 5)).toBeNull();
  });
});

describe('array ops (array_ops_test)', () => {
  it('Reshape with a constant shape and -1', () => {
    expect(op('Reshape', [[-1, 28, 28, 1], null], T(), { 1: [-1, 784] })).toEqual([-1, 784]);
    expect(op('Reshape', [[2, 3, 4], null], T(), { 1: [-1, 4] })).toEqual([6, 4]);
    expect(op('Reshape', [[2, 3, 4], null], T(), { 1: [4, 6] })).toEqual([4, 6]);
    expect(op('Reshape', [[2, 3], [3]])).toEqual([-1, -1, -1]);
  });
  it('Reshape with a shape computed from Shape (TF folds the partial shape)', () => {
    expect(
      shapeOf((b) => {
        const x = b.placeholder('x', 'float', [-1, 7, 2]);
        const s = b.op('Shape', [x], { T: attr.type('float'), out_type: attr.type('int32') }, 's');
        const first = b.op('StridedSlice', [s, ints(b, 'b0', [0]), ints(b, 'e0', [1]), ints(b, 's0', [1])], { T: attr.type('int32'), Index: attr.type('int32'), shrink_axis_mask: attr.i(1) }, 'n');
        const shape = b.op('Pack', [first, b.const('k', makeTensor('int32', [], [14]))], { T: attr.type('int32'), N: attr.i(2) }, 'p');
        return b.op('Reshape', [x, shape], T(), 'y');
      }),
    ).toEqual([-1, 14]);
  });
  it('ConcatV2 with a constant axis', () => {
    expect(op('ConcatV2', [[2, 3], [2, 5], null], { ...T(), N: attr.i(2) }, { 2: 1 })).toEqual([2, 8]);
    expect(op('ConcatV2', [[-1, 3], [2, 3], null], { ...T(), N: attr.i(2) }, { 2: 0 })).toEqual([-1, 3]);
    expect(op('ConcatV2', [[-1, 3], [2, -1], null], { ...T(), N: attr.i(2) }, { 2: -1 })).toEqual([2, -1]);
    expect(op('ConcatV2', [[2, 3], [2, 5], [1]], { ...T(), N: attr.i(2) })).toEqual([-1, -1]);
  });
  it('Pack and Unpack', () => {
    expect(op('Pack', [[2, 3], [2, -1]], { ...T(), N: attr.i(2), axis: attr.i(1) })).toEqual([2, 2, 3]);
    expect(op('Unpack', [[4, 2, 3]], { ...T(), num: attr.i(2), axis: attr.i(1) }, {}, 1)).toEqual([4, 3]);
  });
  it('Squeeze, ExpandDims, Transpose', () => {
    expect(op('Squeeze', [[1, 3, 1, 2]])).toEqual([3, 2]);
    expect(op('Squeeze', [[1, -1, 1, 2]], { ...T(), squeeze_dims: attr.list({ i: [0, -2] }) })).toEqual([-1, 2]);
    expect(op('Squeeze', [[1, -1, 2]])).toBeNull();
    expect(op('ExpandDims', [[3, 4], null], T(), { 1: -1 })).toEqual([3, 4, 1]);
    expect(op('ExpandDims', [[3, 4], null], T(), { 1: 0 })).toEqual([1, 3, 4]);
    expect(op('Transpose', [[2, 3, 4], null], T(), { 1: [2, 0, 1] })).toEqual([4, 2, 3]);
    expect(op('Transpose', [[2, 3, 4], [3]])).toEqual([-1, -1, -1]);
  });
  it('StridedSlice with masks', () => {
    const ss = (x: number[], b: number[], e: number[], s: number[], masks: Record<string, number> = {}) =>
      op('StridedSlice', [x, null, null, null], { ...T(), Index: attr.type('int32'), ...Object.fromEntries(Object.entries(masks).map(([k, v]) => [k, attr.i(v)])) }, { 1: b, 2: e, 3: s });
    expect(ss([10, 5], [2], [7], [1])).toEqual([5, 5]);
    expect(ss([10, 5], [0], [0], [1], { begin_mask: 1, end_mask: 1 })).toEqual([10, 5]);
    expect(ss([10, 5], [1], [2], [1], { shrink_axis_mask: 1 })).toEqual([5]);
    expect(ss([10, 5], [0, 0], [0, 0], [1, 1], { new_axis_mask: 1, begin_mask: 2, end_mask: 2 })).toEqual([1, 10, 5]);
    expect(ss([4, 5, 6], [0, 1], [0, 3], [1, 1], { ellipsis_mask: 1 })).toEqual([4, 5, 2]);
    expect(ss([10], [-1], [0], [-1], { end_mask: 1 })).toEqual([10]);
    expect(ss([10], [8], [2], [-2])).toEqual([3]);
    expect(ss([-1, 5], [1, 0], [3, 5], [1, 1])).toEqual([-1, 5]);
  });
  it('Slice with size -1', () => {
    expect(op('Slice', [[10, 8], null, null], T(), { 1: [2, 1], 2: [3, -1] })).toEqual([3, 7]);
    expect(op('Slice', [[-1, 8], null, null], T(), { 1: [2, 1], 2: [-1, 2] })).toEqual([-1, 2]);
  });
  it('GatherV2 with axis and batch_dims', () => {
    expect(op('GatherV2', [[5, 6, 7], [2, 3], null], T(), { 2: 1 })).toEqual([5, 2, 3, 7]);
    expect(op('GatherV2', [[5, 6, 7], [5, 3], null], { ...T(), batch_dims: attr.i(1) }, { 2: 1 })).toEqual([5, 3, 7]);
    expect(op('Gather', [[5, 6], [4]])).toEqual([4, 6]);
  });
  it('Shape, Size, Rank, Fill, Tile, Pad', () => {
    expect(op('Shape', [[2, -1]])).toEqual([2]);
    expect(op('Shape', [null])).toEqual([-1]);
    expect(op('Size', [[2, 3]])).toEqual([]);
    expect(op('Fill', [null, []], T(), { 0: [2, 3] })).toEqual([2, 3]);
    expect(op('Fill', [[3], []])).toEqual([-1, -1, -1]);
    expect(op('Tile', [[2, -1], null], T(), { 1: [3, 2] })).toEqual([6, -1]);
    expect(op('Pad', [[2, 3], null], T(), { 1: [1, 1, 0, 2] })).toEqual([4, 5]);
    expect(op('Pad', [[2, 3], [2, 2]])).toEqual([-1, -1]);
  });
  it('Fill from a folded Shape keeps what is known', () => {
    expect(
      shapeOf((b) => {
        const x = b.placeholder('x', 'float', [-1, 3]);
        const s = b.op('Shape', [x], { T: attr.type('float'), out_type: attr.type('int32') }, 's');
        return b.op('Fill', [s, b.const('v', 0)], T(), 'y');
      }),
    ).toEqual([-1, 3]);
  });
  it('ArgMax drops the axis; reductions with keep_dims', () => {
    expect(op('ArgMax', [[-1, 10], null], T(), { 1: 1 })).toEqual([-1]);
    expect(op('ArgMax', [[-1, 10], [] ])).toEqual([-1]);
    expect(op('Sum', [[2, 3, 4], null], T(), { 1: [1] })).toEqual([2, 4]);
    expect(op('Mean', [[2, 3, 4], null], { ...T(), keep_dims: attr.b(true) }, { 1: [-1, 0] })).toEqual([1, 3, 1]);
    expect(op('Max', [[2, 3], [1]], { ...T(), keep_dims: attr.b(true) })).toEqual([-1, -1]);
    expect(op('Max', [[2, 3], [1]])).toBeNull();
  });
  it('Split, SplitV, OneHot, Range, Where', () => {
    expect(op('Split', [null, [6, 4]], { ...T(), num_split: attr.i(3) }, { 0: 0 }, 2)).toEqual([2, 4]);
    expect(op('SplitV', [[10, 4], null, null], { ...T(), num_split: attr.i(3) }, { 1: [2, -1, 3], 2: 0 }, 1)).toEqual([5, 4]);
    expect(op('OneHot', [[4], null, [], []], T(), { 1: 10 })).toEqual([4, 10]);
    expect(op('Range', [null, null, null], T(), { 0: 0, 1: 10, 2: 3 })).toEqual([4]);
    expect(op('Where', [[3, 4]])).toEqual([-1, 2]);
  });
});

describe('graph inputs, control flow, functions', () => {
  it('a Placeholder with an empty shape is a scalar, or unknown rank in a producer ≤ 21 graph', () => {
    expect(shapeOf((b) => b.placeholder('x', 'float', []), 27)).toEqual([]);
    expect(shapeOf((b) => b.placeholder('x', 'float', []), 21)).toBeNull();
    expect(shapeOf((b) => b.placeholder('x', 'float'), 27)).toBeNull();
  });
  it('inputShapes overrides a placeholder', () => {
    const b = graphBuilder();
    const x = b.placeholder('x', 'float', [-1, 3]);
    b.op('Relu', [x], T(), 'y');
    expect(inferShapes(b.graph(), { inputShapes: { x: [8, 3] } }).get('y:0')?.shape).toEqual([8, 3]);
  });
  it('a TF1 while loop: Merge relaxes what the body changes and keeps what it keeps', () => {
    const b = graphBuilder();
    const x = b.placeholder('x', 'float', [2, 3]);
    const ta = b.placeholder('acc', 'float', [0, 3]);
    const ex = b.op('Enter', [x], { ...T(), frame_name: attr.s('l') }, 'ex');
    const ea = b.op('Enter', [ta], { ...T(), frame_name: attr.s('l') }, 'ea');
    b.op('Merge', [ex, 'nx'], { ...T(), N: attr.i(2) }, 'mx');
    b.op('Merge', [ea, 'na'], { ...T(), N: attr.i(2) }, 'ma');
    const c = b.placeholder('c', 'bool', []);
    const lc = b.op('LoopCond', [c], {}, 'lc');
    b.op('Switch', ['mx', lc], T(), 'sx');
    b.op('Switch', ['ma', lc], T(), 'sa');
    const body = b.op('Tanh', ['sx:1'], T(), 'bx');
    const grown = b.op('ConcatV2', ['sa:1', body, ints(b, 'ax', [0], [])], { ...T(), N: attr.i(2) }, 'grow');
    b.op('NextIteration', [body], T(), 'nx');
    b.op('NextIteration', [grown], T(), 'na');
    b.op('Exit', ['sx'], T(), 'outx');
    b.op('Exit', ['sa'], T(), 'outa');
    const s = inferShapes(b.graph());
    expect(s.get('mx:0')?.shape).toEqual([2, 3]);
    expect(s.get('ma:0')?.shape).toEqual([-1, 3]);
    expect(s.get('outa:0')?.shape).toEqual([-1, 3]);
    expect(s.get('mx:1')).toEqual({ dtype: 'int32', shape: [] });
  });
  it('a PartitionedCall infers its body with the call shapes; While relaxes changing loop vars', () => {
    const fn = (name: string, nodes: ReturnType<typeof makeNode>[], ins: string[], outs: Record<string, string>): FunctionDef => ({
      signature: { name, input_arg: ins.map((n) => ({ name: n, type: 1 })), output_arg: Object.keys(outs).map((n) => ({ name: n, type: 1 })) },
      attrs: {},
      nodes,
      ret: outs,
      controlRet: {},
    });
    const body = fn(
      'body',
      [
        makeNode({ name: 'sq', op: 'Square', inputs: ['a'], attrs: T() }),
        makeNode({ name: 'cat', op: 'ConcatV2', inputs: ['b', 'b', 'axis:output:0'], attrs: { ...T(), N: attr.i(2) } }),
        makeNode({ name: 'axis', op: 'Const', inputs: [], attrs: { dtype: attr.type('int32'), value: attr.tensor(makeTensor('int32', [], [0])) } }),
      ],
      ['a', 'b'],
      { a_out: 'sq:y:0', b_out: 'cat:output:0' },
    );
    const b = graphBuilder();
    const x = b.placeholder('x', 'float', [4, 5]);
    const y = b.placeholder('y', 'float', [2, 5]);
    const list = { Tin: attr.list({ type: ['float', 'float'] }), Tout: attr.list({ type: ['float', 'float'] }), f: attr.func('body') };
    b.op('PartitionedCall', [x, y], list, 'call');
    b.op('While', [x, y], { T: attr.list({ type: ['float', 'float'] }), body: attr.func('body'), cond: attr.func('body') }, 'loop');
    const g: Graph = b.graph({ library: { functions: [body] } });
    const s = inferShapes(g);
    expect(s.get('call:0')).toEqual({ dtype: 'float', shape: [4, 5] });
    expect(s.get('call:1')?.shape).toEqual([4, 5]);
    expect(s.get('loop:0')?.shape).toEqual([4, 5]);
    expect(s.get('loop:1')?.shape).toEqual([-1, 5]);
  });
  it('VarHandleOp carries the variable shape to ReadVariableOp', () => {
    expect(
      shapeOf((b) => {
        const v = b.op('VarHandleOp', [], { dtype: attr.type('float'), shape: attr.shape([3, 7]) }, 'v');
        return b.op('ReadVariableOp', [v], { dtype: attr.type('float') }, 'r');
      }),
    ).toEqual([3, 7]);
  });
});
