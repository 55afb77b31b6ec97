import { describe, expect, it } from 'vitest';
import { attr, type AttrValue } from '../../src/ir/attr';
import type { Graph } from '../../src/ir/graph';
import type { Node } from '../../src/ir/node';
import { type Tensor, makeTensor, tensorToNumbers } from '../../src/ir/tensor';
import { foldBatchNorms } from '../../src/transforms/fold-batch-norms';
import { graphBuilder, nodeNames, nodeOf, snapshot } from '../helpers/graph-builder';
import { run } from '../helpers/context';
import { expectSameOutputs } from '../helpers/numeric';

// ---------------------------------------------------------------- fixtures (TF's C++ Scope adds these default attrs)

const F = attr.type('float');
const conv2dAttrs = (strides = [1, 1, 1, 1], padding = 'VALID'): Record<string, AttrValue> => ({
  T: F, strides: attr.list({ i: strides }), padding: attr.s(padding), data_format: attr.s('NHWC'), use_cudnn_on_gpu: attr.b(true), dilations: attr.list({ i: [1, 1, 1, 1] }),
});
const depthwiseAttrs = (): Record<string, AttrValue> => ({ T: F, strides: attr.list({ i: [1, 1, 1, 1] }), padding: attr.s('VALID'), data_format: attr.s('NHWC'), dilations: attr.list({ i: [1, 1, 1, 1] }) });
const INPUT = [1, 4, 2, 5, 3, 6, -1, -4, -2, -5, -3, -6];
const floats = (n: Node): number[] => tensorToNumbers((n.attrs['value'] as { value: Tensor }).value);
const hasOp = (g: Graph, op: string) => g.nodes.some((n) => n.op === op);

describe('fold_batch_norms: TensorFlow tests (fold_batch_norms_test.cc)', () => {
  function b1(): Graph {
    const b = graphBuilder();
    b.const('input_op', makeTensor('float', [1, 1, 6, 2], INPUT));
    b.const('weights_op', makeTensor('float', [1, 2, 2, 2], [1, 2, 3, 4, 0.1, 0.2, 0.3, 0.4]));
    b.op('Conv2D', ['input_op', 'weights_op'], conv2dAttrs(), 'conv_op');
    b.const('mul_values', makeTensor('float', [2], [2, 3]));
    b.op('Mul', ['conv_op', 'mul_values'], { T: F }, 'output');
    return b.graph({ versions: { producer: 21, minConsumer: 0, badConsumers: [] } });
  }

  it('B1 TestFoldBatchNormsConv2D: weights scaled per output channel, conv renamed to the Mul', async (t) => {
    const g = b1();
    const before = snapshot(g);
    const { graph: out, ctx } = run(foldBatchNorms, g, {}, { outputs: ['output'] });
    expect(hasOp(out, 'Mul')).toBe(false);
    expect(floats(nodeOf(out, 'weights_op'))).toEqual([2, 6, 6, 12, 0.2, 0.6, 0.6, 1.2].map(Math.fround));
    expect(nodeOf(out, 'weights_op').attrs['value']!.kind === 'tensor' && (nodeOf(out, 'weights_op').attrs['value'] as { value: Tensor }).value.shape).toEqual([1, 2, 2, 2]);
    const o = nodeOf(out, 'output');
    expect(o.op).toBe('Conv2D');
    expect(o.inputs).toEqual(['input_op', 'weights_op']);
    expect(o.attrs).toEqual(nodeOf(g, 'conv_op').attrs);
    // Same nodes as TF's result (TF orders them weights_op, input_op, output; graft keeps positions).
    expect(nodeNames(out).sort()).toEqual(['input_op', 'output', 'weights_op']);
    expect(nodeOf(out, 'input_op')).toBe(nodeOf(g, 'input_op'));
    expect(out.versions).toEqual(g.versions);
    expect(ctx.counters.get('folded')).toBe(1);
    expect(snapshot(g)).toBe(before);
    await expectSameOutputs(t, g, out, ['output']);
  });

  it('B2 TestFoldBatchNormsMatMul', async (t) => {
    const b = graphBuilder();
    b.const('input_op', makeTensor('float', [6, 2], INPUT));
    b.const('weights_op', makeTensor('float', [2, 2], [1, 2, 0.3, 0.4]));
    b.op('MatMul', ['input_op', 'weights_op'], { T: F, transpose_a: attr.b(false), transpose_b: attr.b(false) }, 'matmul_op');
    b.const('mul_values', makeTensor('float', [2], [2, 3]));
    b.op('Mul', ['matmul_op', 'mul_values'], { T: F }, 'output');
    const g = b.graph();
    const { graph: out } = run(foldBatchNorms, g, {}, { outputs: ['output'] });
    expect(hasOp(out, 'Mul')).toBe(false);
    expect(floats(nodeOf(out, 'weights_op'))).toEqual([2, 6, 0.6, 1.2].map(Math.fround));
    expect(nodeOf(out, 'output').op).toBe('MatMul');
    expect(nodeOf(out, 'output').inputs).toEqual(['input_op', 'weights_op']);
    await expectSameOutputs(t, g, out, ['output']);
  });

  it('B3 TestFoldBatchNormsDepthwiseConv2dNative: channel = in*M + m', async (t) => {
    const b = graphBuilder();
    b.const('input_op', makeTensor('float', [1, 1, 6, 2], INPUT));
    b.const('weights_op', makeTensor('float', [1, 2, 2, 2], [1, 2, 3, 4, 0.1, 0.2, 0.3, 0.4]));
    b.op('DepthwiseConv2dNative', ['input_op', 'weights_op'], depthwiseAttrs(), 'conv_op');
    b.const('mul_values', makeTensor('float', [4], [2, 3, 4, 5]));
    b.op('Mul', ['conv_op', 'mul_values'], { T: F }, 'output');
    const g = b.graph();
    const { graph: out } = run(foldBatchNorms, g, {}, { outputs: ['output'] });
    expect(hasOp(out, 'Mul')).toBe(false);
    expect(floats(nodeOf(out, 'weights_op'))).toEqual([2, 6, 12, 20, 0.2, 0.6, 1.2, 2.0].map(Math.fround));
    expect(nodeOf(out, 'output').op).toBe('DepthwiseConv2dNative');
    await expectSameOutputs(t, g, out, ['output']);
  });

  it('B4 TestFoldBatchNormsConv2DShared (defined, unregistered in TF): a conv read by two Muls is left alone', async (t) => {
    const b = graphBuilder();
    b.const('input_op', makeTensor('float', [1, 1, 6, 2], INPUT));
    b.const('weights_op', makeTensor('float', [1, 2, 2, 2], [1, 2, 3, 4, 0.1, 0.2, 0.3, 0.4]));
    b.op('Conv2D', ['input_op', 'weights_op'], conv2dAttrs(), 'conv_op');
    b.const('mul_values', makeTensor('float', [2], [2, 3]));
    b.op('Mul', ['conv_op', 'mul_values'], { T: F }, 'output');
    b.const('mul_values_2', makeTensor('float', [2], [2, 3]));
    b.op('Mul', ['conv_op', 'mul_values_2'], { T: F }, 'output_2');
    const g = b.graph();
    const { graph: out, ctx } = run(foldBatchNorms, g, {}, { outputs: ['output', 'output_2'] });
    expect(out).toBe(g);
    expect(ctx.reports.map((r) => r.code)).toEqual(['fold_batch_norms/shared-output', 'fold_batch_norms/shared-output']);
    expect(ctx.reports[0]!.node).toBe('conv_op');
    await expectSameOutputs(t, g, out, ['output', 'output_2']);
  });
});

describe('fold_batch_norms: beyond TensorFlow', () => {
  it('refuses weights shared with another conv, with a diagnostic', () => {
    const b = graphBuilder();
    b.placeholder('x', 'float', [1, 1, 6, 2]);
    b.const('w', makeTensor('float', [1, 2, 2, 2], [1, 2, 3, 4, 0.1, 0.2, 0.3, 0.4]));
    b.op('Conv2D', ['x', 'w'], conv2dAttrs(), 'conv_a');
    b.op('Conv2D', ['x', 'w'], conv2dAttrs(), 'conv_b');
    b.const('s', makeTensor('float', [2], [2, 3]));
    b.op('Mul', ['conv_a', 's'], { T: F }, 'out_a');
    b.op('Relu', ['conv_b'], { T: F }, 'out_b');
    const g = b.graph();
    const { graph: out, ctx } = run(foldBatchNorms, g, {}, { outputs: ['out_a', 'out_b'] });
    expect(out).toBe(g);
    expect(ctx.reports).toHaveLength(1);
    expect(ctx.reports[0]).toMatchObject({ severity: 'warning', code: 'fold_batch_norms/shared-weights', node: 'conv_a' });
    expect(ctx.reports[0]!.message).toContain('conv_b');
  });

  it('folds two convs that read the same input in one run (TF needs two)', () => {
    const b = graphBuilder();
    b.placeholder('x', 'float', [1, 1, 6, 2]);
    for (const k of ['a', 'b']) {
      b.const(`w_${k}`, makeTensor('float', [1, 2, 2, 2], [1, 2, 3, 4, 0.1, 0.2, 0.3, 0.4]));
      b.op('Conv2D', ['x', `w_${k}`], conv2dAttrs(), `conv_${k}`);
      b.const(`s_${k}`, makeTensor('float', [2], [2, 3]));
      b.op('Mul', [`conv_${k}`, `s_${k}`], { T: F }, `out_${k}`);
    }
    const { graph: out } = run(foldBatchNorms, b.graph(), {}, { outputs: ['out_a', 'out_b'] });
    expect(hasOp(out, 'Mul')).toBe(false);
    expect(nodeNames(out)).toEqual(['x', 'w_a', 'out_a', 'w_b', 'out_b']);
  });

  it('Conv2D → BiasAdd → Mul → Add (a decomposed batch norm after a Keras conv) becomes Conv2D → BiasAdd', async (t) => {
    const b = graphBuilder();
    b.const('x', makeTensor('float', [1, 2, 3, 2], INPUT));
    b.const('w', makeTensor('float', [1, 2, 2, 3], [1, 2, 3, 4, 0.1, 0.2, 0.3, 0.4, -1, 0.5, 2, -0.25]));
    b.op('Conv2D', ['x', 'w'], conv2dAttrs(), 'conv');
    b.const('bias', makeTensor('float', [3], [0.5, -1, 2]));
    b.op('BiasAdd', ['conv', 'bias'], { T: F, data_format: attr.s('NHWC') }, 'conv/BiasAdd');
    b.const('bn/mul_c', makeTensor('float', [3], [2, 0.5, -3]));
    b.op('Mul', ['conv/BiasAdd', 'bn/mul_c'], { T: F }, 'bn/mul');
    b.const('bn/add_c', makeTensor('float', [3], [0.25, 1, -2]));
    b.op('AddV2', ['bn/mul', 'bn/add_c'], { T: F }, 'bn/add');
    b.op('Relu', ['bn/add'], { T: F }, 'relu');
    const g = b.graph();
    const { graph: out, ctx } = run(foldBatchNorms, g, {}, { outputs: ['relu'] });
    expect(ctx.reports).toEqual([]);
    expect(hasOp(out, 'Mul') || hasOp(out, 'AddV2')).toBe(false);
    expect(nodeNames(out)).toEqual(['x', 'w', 'conv', 'conv_bn_offset', 'bn/add', 'relu']);
    expect(nodeOf(out, 'bn/add')).toMatchObject({ op: 'BiasAdd', inputs: ['conv', 'conv_bn_offset'] });
    expect(floats(nodeOf(out, 'conv_bn_offset'))).toEqual([0.5 * 2 + 0.25, -1 * 0.5 + 1, 2 * -3 - 2]);
    expect(nodeOf(out, 'relu')).toBe(nodeOf(g, 'relu'));
    await expectSameOutputs(t, g, out, ['relu']);
  });

  it('MatMul → Add(bias) → Mul(scale) → Add(offset), the shape kws_cnn_s has after fold_constants', async (t) => {
    const b = graphBuilder();
    b.const('x', makeTensor('float', [2, 3], [1, -2, 3, 0.5, 4, -1]));
    b.const('w', makeTensor('float', [3, 2], [1, 2, -1, 0.5, 3, 0.25]));
    b.op('MatMul', ['x', 'w'], { T: F }, 'mm');
    b.const('b', makeTensor('float', [2], [1, -1]));
    b.op('Add', ['mm', 'b'], { T: F }, 'add');
    b.const('s', makeTensor('float', [2], [3, 0.5]));
    b.op('Mul', ['add', 's'], { T: F }, 'mul');
    b.const('o', makeTensor('float', [2], [-2, 4]));
    b.op('Add', ['mul', 'o'], { T: F }, 'add_1');
    const g = b.graph();
    const { graph: out } = run(foldBatchNorms, g, {}, { outputs: ['add_1'] });
    expect(nodeOf(out, 'add_1').op).toBe('BiasAdd');
    expect(nodeOf(out, 'add_1').attrs['data_format']).toBeUndefined();
    expect(floats(nodeOf(out, 'w'))).toEqual([3, 1, -3, 0.25, 9, 0.125]);
    await expectSameOutputs(t, g, out, ['add_1']);
  });

  it('honours MatMul transpose_b (TF scales the wrong axis)', async (t) => {
    const b = graphBuilder();
    b.const('x', makeTensor('float', [2, 3], [1, -2, 3, 0.5, 4, -1]));
    b.const('w', makeTensor('float', [2, 3], [1, 2, 3, 4, 5, 6]));
    b.op('MatMul', ['x', 'w'], { T: F, transpose_b: attr.b(true) }, 'mm');
    b.const('s', makeTensor('float', [2], [10, 100]));
    b.op('Mul', ['s', 'mm'], { T: F }, 'out');
    const g = b.graph();
    const { graph: out } = run(foldBatchNorms, g, {}, { outputs: ['out'] });
    expect(floats(nodeOf(out, 'w'))).toEqual([10, 20, 30, 400, 500, 600]);
    expect(nodeOf(out, 'out').op).toBe('MatMul');
    await expectSameOutputs(t, g, out, ['out']);
  });

  it('a scalar multiplier folds into every channel; a multiplier along another axis is refused', () => {
    const mk = (s: Tensor) => {
      const b = graphBuilder();
      b.placeholder('x', 'float', [1, 1, 6, 2]);
      b.const('w', makeTensor('float', [1, 2, 2, 2], [1, 2, 3, 4, 0.1, 0.2, 0.3, 0.4]));
      b.op('Conv2D', ['x', 'w'], conv2dAttrs(), 'conv');
      b.const('s', s);
      b.op('Mul', ['conv', 's'], { T: F }, 'out');
      return b.graph();
    };
    const { graph: scalar } = run(foldBatchNorms, mk(makeTensor('float', [], [2])), {}, { outputs: ['out'] });
    expect(floats(nodeOf(scalar, 'w'))).toEqual([2, 4, 6, 8, 0.2, 0.4, 0.6, 0.8].map(Math.fround));
    const g = mk(makeTensor('float', [1, 5, 1, 1], [1, 2, 3, 4, 5]));
    const { graph: out, ctx } = run(foldBatchNorms, g, {}, { outputs: ['out'] });
    expect(out).toBe(g);
    expect(ctx.reports[0]).toMatchObject({ code: 'fold_batch_norms/bad-shape', node: 'out' });
  });

  it('NCHW: the scale must lie along axis 1', () => {
    const b = graphBuilder();
    b.placeholder('x', 'float', [1, 2, 1, 6]);
    b.const('w', makeTensor('float', [1, 2, 2, 2], [1, 2, 3, 4, 0.1, 0.2, 0.3, 0.4]));
    b.op('Conv2D', ['x', 'w'], { ...conv2dAttrs(), data_format: attr.s('NCHW') }, 'conv');
    b.const('s', makeTensor('float', [2], [2, 3]));
    b.op('Mul', ['conv', 's'], { T: F }, 'out');
    b.const('s2', makeTensor('float', [2, 1, 1], [2, 3]));
    b.op('Conv2D', ['x', 'w2'], { ...conv2dAttrs(), data_format: attr.s('NCHW') }, 'conv2');
    b.const('w2', makeTensor('float', [1, 2, 2, 2], [1, 2, 3, 4, 0.1, 0.2, 0.3, 0.4]));
    b.op('Mul', ['conv2', 's2'], { T: F }, 'out2');
    const { graph: out, ctx } = run(foldBatchNorms, b.graph(), {}, { outputs: ['out', 'out2'] });
    expect(ctx.reports.map((r) => [r.code, r.node])).toEqual([['fold_batch_norms/bad-shape', 'out']]);
    expect(nodeOf(out, 'out').op).toBe('Mul');
    expect(nodeOf(out, 'out2').op).toBe('Conv2D');
    expect(floats(nodeOf(out, 'w2'))).toEqual([2, 6, 6, 12, 0.2, 0.6, 0.6, 1.2].map(Math.fround));
  });

  it('keeps a scale Const read elsewhere, keeps the Mul control inputs, and keeps the weights node attrs', () => {
    const b = graphBuilder();
    b.placeholder('x', 'float', [1, 1, 6, 2]);
    b.op('NoOp', [], {}, 'init');
    b.op('Const', [], { dtype: F, value: attr.tensor(makeTensor('float', [1, 2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8])), _class: attr.list({ s: ['loc:@x'] }) }, 'w', { device: '/cpu:0' });
    b.op('Conv2D', ['x', 'w'], conv2dAttrs(), 'conv');
    b.const('s', makeTensor('float', [2], [2, 3]));
    b.op('Mul', ['conv', 's', '^init'], { T: F }, 'out');
    b.op('Identity', ['s'], { T: F }, 'other');
    const { graph: out } = run(foldBatchNorms, b.graph(), {}, { outputs: ['out', 'other'] });
    expect(nodeOf(out, 's').op).toBe('Const');
    expect(nodeOf(out, 'out').inputs).toEqual(['x', 'w', '^init']);
    expect(nodeOf(out, 'w').device).toBe('/cpu:0');
    expect(nodeOf(out, 'w').attrs['_class']).toEqual(attr.list({ s: ['loc:@x'] }));
  });

  it('leaves a Mul whose weights are not constant alone, saying why (info)', () => {
    const b = graphBuilder();
    b.placeholder('x', 'float', [1, 1, 6, 2]);
    b.placeholder('w', 'float', [1, 2, 2, 2]);
    b.op('Conv2D', ['x', 'w'], conv2dAttrs(), 'conv');
    b.const('s', makeTensor('float', [2], [2, 3]));
    b.op('Mul', ['conv', 's'], { T: F }, 'out');
    const g = b.graph();
    const { graph: out, ctx } = run(foldBatchNorms, g, {}, { outputs: ['out'] });
    expect(out).toBe(g);
    expect(ctx.reports[0]).toMatchObject({ severity: 'info', code: 'fold_batch_norms/not-const' });
  });
});
