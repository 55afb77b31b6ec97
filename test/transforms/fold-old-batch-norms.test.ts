import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { attr, type AttrValue } from '../../src/ir/attr';
import { type Graph, withNodes } from '../../src/ir/graph';
import type { Node } from '../../src/ir/node';
import { type Tensor, makeTensor, tensorToNumbers } from '../../src/ir/tensor';
import { foldOldBatchNorms } from '../../src/transforms/fold-old-batch-norms';
import { graphBuilder, nodeNames, nodeOf, snapshot } from '../helpers/graph-builder';
import { run } from '../helpers/context';
import { expectSameOutputs } from '../helpers/numeric';
import { spaceBatchKernels } from '../helpers/test-kernels';
import { MODELS_DIR, modelPath } from '../helpers/models';

// ---------------------------------------------------------------- fixtures

const F = attr.type('float');
const I32 = attr.type('int32');
const convAttrs = (): Record<string, AttrValue> => ({
  T: F, strides: attr.list({ i: [1, 1, 1, 1] }), padding: attr.s('VALID'), data_format: attr.s('NHWC'), use_cudnn_on_gpu: attr.b(true), dilations: attr.list({ i: [1, 1, 1, 1] }),
});
const depthwiseAttrs = (): Record<string, AttrValue> => ({ T: F, strides: attr.list({ i: [1, 1, 1, 1] }), padding: attr.s('VALID'), data_format: attr.s('NHWC'), dilations: attr.list({ i: [1, 1, 1, 1] }) });
const fusedAttrs = (extra: Record<string, AttrValue> = {}): Record<string, AttrValue> => ({ T: F, epsilon: attr.f(Math.fround(1e-5)), is_training: attr.b(false), ...extra });
const bngnAttrs = (): Record<string, AttrValue> => ({ T: F, variance_epsilon: attr.f(Math.fround(1e-5)), scale_after_normalization: attr.b(false) });
const INPUT = [1, 4, 2, 5, 3, 6, -1, -4, -2, -5, -3, -6];
const WEIGHTS = [1, 2, 3, 4, 0.1, 0.2, 0.3, 0.4];
const floats = (n: Node): number[] => tensorToNumbers((n.attrs['value'] as { value: Tensor }).value);
const hasOp = (g: Graph, op: string) => g.nodes.some((n) => n.op === op);
const PRODUCER_8 = { versions: { producer: 8, minConsumer: 0, badConsumers: [] } };

interface BnConsts { mean: number[]; variance: number[]; beta: number[]; gamma: number[] }
const TWO: BnConsts = { mean: [10, 20], variance: [0.25, 0.5], beta: [0.1, 0.6], gamma: [1, 2] };
const FOUR: BnConsts = { mean: [10, 20, 30, 40], variance: [0.25, 0.5, 0.75, 1.0], beta: [0.1, 0.6, 1.1, 1.6], gamma: [1, 2, 3, 4] };

function addBnConsts(b: ReturnType<typeof graphBuilder>, c: BnConsts): void {
  b.const('mean_op', makeTensor('float', [c.mean.length], c.mean));
  b.const('variance_op', makeTensor('float', [c.variance.length], c.variance));
  b.const('beta_op', makeTensor('float', [c.beta.length], c.beta));
  b.const('gamma_op', makeTensor('float', [c.gamma.length], c.gamma));
}

/** The O1-O4 graphs: input, weights, conv, the four constants, and the batch norm `output`. */
function convBn(convOp: 'Conv2D' | 'DepthwiseConv2dNative', bnOp: 'BatchNormWithGlobalNormalization' | 'FusedBatchNorm', c: BnConsts): Graph {
  const b = graphBuilder();
  b.const('input_op', makeTensor('float', [1, 1, 6, 2], INPUT));
  b.const('weights_op', makeTensor('float', [1, 2, 2, 2], WEIGHTS));
  b.op(convOp, ['input_op', 'weights_op'], convOp === 'Conv2D' ? convAttrs() : depthwiseAttrs(), 'conv_op');
  addBnConsts(b, c);
  if (bnOp === 'BatchNormWithGlobalNormalization') {
    b.op(bnOp, ['conv_op', 'mean_op', 'variance_op', 'beta_op', 'gamma_op'], bngnAttrs(), 'output');
  } else {
    b.op(bnOp, ['conv_op', 'gamma_op', 'beta_op', 'mean_op', 'variance_op'], fusedAttrs(), 'output');
  }
  return b.graph(bnOp === 'BatchNormWithGlobalNormalization' ? PRODUCER_8 : {});
}

/** Float64 reference of the fold: scale and offset per channel. */
function reference(c: BnConsts, useGamma: boolean): { scale: number[]; offset: number[] } {
  const scale = c.mean.map((_, i) => (1 / Math.sqrt(c.variance[i]! + 1e-5)) * (useGamma ? c.gamma[i]! : 1));
  return { scale, offset: c.mean.map((m, i) => -m * scale[i]! + c.beta[i]!) };
}

function expectClose(actual: number[], expected: number[], tol = 1e-5): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((a, i) => expect(Math.abs(a - expected[i]!), `[${i}] ${a} vs ${expected[i]}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected[i]!))));
}

describe('fold_old_batch_norms: TensorFlow tests (fold_old_batch_norms_test.cc)', () => {
  it('O1 TestFoldOldBatchNorms: BatchNormWithGlobalNormalization after Conv2D', async (t) => {
    const g = convBn('Conv2D', 'BatchNormWithGlobalNormalization', TWO);
    const before = snapshot(g);
    const { graph: out, ctx } = run(foldOldBatchNorms, g, {}, { outputs: ['output'] });
    expect(hasOp(out, 'BatchNormWithGlobalNormalization')).toBe(false);
    const { scale, offset } = reference(TWO, false);
    expectClose(scale, [1.99996, 1.4141994]);
    expectClose(floats(nodeOf(out, 'weights_op')), WEIGHTS.map((w, i) => w * scale[i % 2]!));
    expectClose(floats(nodeOf(out, 'conv_op_bn_offset')), [-19.8996, -27.683988]);
    expect(nodeOf(out, 'output')).toMatchObject({ op: 'BiasAdd', inputs: ['conv_op', 'conv_op_bn_offset'] });
    expect(nodeOf(out, 'output').attrs).toEqual({ T: F, data_format: attr.s('NHWC') });
    expect(nodeNames(out).sort()).toEqual(['conv_op', 'conv_op_bn_offset', 'input_op', 'output', 'weights_op']);
    expect(nodeOf(out, 'conv_op')).toBe(nodeOf(g, 'conv_op'));
    expect(out.versions).toEqual(g.versions);
    expect(ctx.counters.get('folded')).toBe(1);
    expect(snapshot(g)).toBe(before);
    expectClose(offset, [-19.8996, -27.683988]);
    await expectSameOutputs(t, g, out, ['output'], { relative: true });
  });

  it('O2 TestFoldOldBatchNormsAfterDepthwiseConv2dNative', async (t) => {
    const g = convBn('DepthwiseConv2dNative', 'BatchNormWithGlobalNormalization', FOUR);
    const { graph: out } = run(foldOldBatchNorms, g, {}, { outputs: ['output'] });
    expect(hasOp(out, 'BatchNormWithGlobalNormalization')).toBe(false);
    const { scale, offset } = reference(FOUR, false);
    expectClose(floats(nodeOf(out, 'weights_op')), WEIGHTS.map((w, i) => w * scale[i % 4]!));
    expectClose(floats(nodeOf(out, 'conv_op_bn_offset')), offset);
    expect(nodeOf(out, 'output').op).toBe('BiasAdd');
    await expectSameOutputs(t, g, out, ['output'], { relative: true });
  });

  it('O3 TestFoldFusedBatchNorms: gamma applies', async (t) => {
    const g = convBn('Conv2D', 'FusedBatchNorm', TWO);
    const { graph: out } = run(foldOldBatchNorms, g, {}, { outputs: ['output'] });
    expect(hasOp(out, 'FusedBatchNorm')).toBe(false);
    const { scale } = reference(TWO, true);
    expectClose(scale, [1.99996, 2.8283987]);
    expectClose(floats(nodeOf(out, 'weights_op')), WEIGHTS.map((w, i) => w * scale[i % 2]!));
    expectClose(floats(nodeOf(out, 'conv_op_bn_offset')), [-19.8996, -55.967974]);
    await expectSameOutputs(t, g, out, ['output'], { relative: true, tol: 2e-5 });
  });

  it('O4 TestFoldFusedBatchNormsAfterDepthwiseConv2dNative', async (t) => {
    const g = convBn('DepthwiseConv2dNative', 'FusedBatchNorm', FOUR);
    const { graph: out } = run(foldOldBatchNorms, g, {}, { outputs: ['output'] });
    expect(hasOp(out, 'FusedBatchNorm')).toBe(false);
    const { scale, offset } = reference(FOUR, true);
    expectClose(floats(nodeOf(out, 'weights_op')), WEIGHTS.map((w, i) => w * scale[i % 4]!));
    expectClose(floats(nodeOf(out, 'conv_op_bn_offset')), offset);
    await expectSameOutputs(t, g, out, ['output'], { relative: true, tol: 2e-5 });
  });

  function concatGraph(split: boolean): Graph {
    const b = graphBuilder();
    const inShape = split ? [1, 1, 6, 2] : [1, 1, 12, 1];
    const wShape = split ? [1, 2, 2, 1] : [1, 2, 1, 2];
    b.const('input_op0', makeTensor('float', inShape, INPUT));
    b.const('weights1_op', makeTensor('float', wShape, [1, 2, 3, 4]));
    b.op('Conv2D', ['input_op0', 'weights1_op'], convAttrs(), 'conv1_op');
    b.const('input1_op', makeTensor('float', inShape, INPUT));
    b.const('weights1_op_1', makeTensor('float', wShape, [1, 2, 3, 4]));
    b.op('Conv2D', ['input1_op', 'weights1_op_1'], convAttrs(), 'conv1_op_1');
    b.const('shape_op', makeTensor('int32', [], [split ? 3 : 2]));
    b.op('ConcatV2', ['conv1_op', 'conv1_op_1', 'shape_op'], { N: attr.i(2), T: F, Tidx: I32 }, 'concat_op');
    addBnConsts(b, TWO);
    b.op('FusedBatchNorm', ['concat_op', 'gamma_op', 'beta_op', 'mean_op', 'variance_op'], fusedAttrs(), 'output');
    return b.graph();
  }

  it('O5 TestFoldFusedBatchNormsWithConcat(split=true): each conv gets its slice of the channels', async (t) => {
    const g = concatGraph(true);
    const { graph: out } = run(foldOldBatchNorms, g, {}, { outputs: ['output'] });
    expect(hasOp(out, 'FusedBatchNorm')).toBe(false);
    const { scale, offset } = reference(TWO, true);
    expect(nodeOf(out, 'output')).toMatchObject({ op: 'ConcatV2', inputs: ['concat_op_bn_in0', 'concat_op_bn_in1', 'shape_op'] });
    expect(nodeOf(out, 'concat_op_bn_in0')).toMatchObject({ op: 'BiasAdd', inputs: ['conv1_op', 'conv1_op_bn_offset'] });
    expect(nodeOf(out, 'concat_op_bn_in1')).toMatchObject({ op: 'BiasAdd', inputs: ['conv1_op_1', 'conv1_op_1_bn_offset'] });
    expectClose(floats(nodeOf(out, 'weights1_op')), [1, 2, 3, 4].map((w) => w * scale[0]!));
    expectClose(floats(nodeOf(out, 'weights1_op_1')), [1, 2, 3, 4].map((w) => w * scale[1]!));
    expectClose(floats(nodeOf(out, 'conv1_op_bn_offset')), [offset[0]!]);
    expectClose(floats(nodeOf(out, 'conv1_op_1_bn_offset')), [offset[1]!]);
    expect(nodeNames(out)).not.toContain('concat_op');
    await expectSameOutputs(t, g, out, ['output'], { relative: true, tol: 2e-5 });
  });

  it('O6 TestFoldFusedBatchNormsWithConcat(split=false): axis 2, each conv gets the whole vectors', async (t) => {
    const g = concatGraph(false);
    const { graph: out } = run(foldOldBatchNorms, g, {}, { outputs: ['output'] });
    expect(hasOp(out, 'FusedBatchNorm')).toBe(false);
    const { scale, offset } = reference(TWO, true);
    for (const w of ['weights1_op', 'weights1_op_1']) expectClose(floats(nodeOf(out, w)), [1, 2, 3, 4].map((v, i) => v * scale[i % 2]!));
    expectClose(floats(nodeOf(out, 'conv1_op_bn_offset')), offset);
    expectClose(floats(nodeOf(out, 'conv1_op_1_bn_offset')), offset);
    await expectSameOutputs(t, g, out, ['output'], { relative: true, tol: 2e-5 });
  });

  it('O7 TestFoldFusedBatchNormsWithBatchToSpace', async (t) => {
    const b = graphBuilder();
    b.const('input_op', makeTensor('float', [2, 1, 3, 2], INPUT));
    b.const('weights_op', makeTensor('float', [1, 2, 2, 2], WEIGHTS));
    b.op('Conv2D', ['input_op', 'weights_op'], convAttrs(), 'conv_op');
    b.const('block_shape_op', makeTensor('int32', [2], [1, 2]));
    b.const('Const', makeTensor('int32', [2, 2], [0, 0, 0, 1]));
    b.op('BatchToSpaceND', ['conv_op', 'block_shape_op', 'Const'], { T: F, Tblock_shape: I32, Tcrops: I32 }, 'batch_to_space_op');
    addBnConsts(b, TWO);
    b.op('FusedBatchNorm', ['batch_to_space_op', 'gamma_op', 'beta_op', 'mean_op', 'variance_op'], fusedAttrs(), 'output');
    const g = b.graph();
    const { graph: out } = run(foldOldBatchNorms, g, {}, { outputs: ['output'] });
    expect(hasOp(out, 'FusedBatchNorm')).toBe(false);
    expect(nodeOf(out, 'conv_op/biasadd')).toMatchObject({ op: 'BiasAdd', inputs: ['conv_op', 'conv_op_bn_offset'] });
    expect(nodeOf(out, 'output')).toMatchObject({ op: 'BatchToSpaceND', inputs: ['conv_op/biasadd', 'block_shape_op', 'Const'] });
    expect(nodeNames(out)).not.toContain('batch_to_space_op');
    await expectSameOutputs(t, g, out, ['output'], { relative: true, kernels: spaceBatchKernels });
  });
});

describe('fold_old_batch_norms: beyond TensorFlow', () => {
  /** Conv → [bias] → FusedBatchNormV3 with 3 output channels, as Keras exports it. */
  function kerasLike(o: { biasOp?: 'BiasAdd' | 'Add' | 'AddV2'; depthwise?: boolean; bnAttrs?: Record<string, AttrValue>; bnOp?: string } = {}): Graph {
    const b = graphBuilder();
    b.placeholder('x', 'float', [1, 3, 3, o.depthwise ? 3 : 2]);
    if (o.depthwise) {
      b.const('conv/w', makeTensor('float', [2, 2, 3, 1], [1, -2, 3, 0.5, -1, 2, 0.25, 4, -3, 1, 1, 2]));
      b.op('DepthwiseConv2dNative', ['x', 'conv/w'], depthwiseAttrs(), 'conv');
    } else {
      b.const('conv/w', makeTensor('float', [2, 2, 2, 3], Array.from({ length: 24 }, (_, i) => ((i * 7) % 11) / 5 - 1)));
      b.op('Conv2D', ['x', 'conv/w'], convAttrs(), 'conv');
    }
    let last = 'conv';
    if (o.biasOp) {
      b.const('conv/b', makeTensor('float', [3], [0.5, -1, 2]));
      last = b.op(o.biasOp, ['conv', 'conv/b'], o.biasOp === 'BiasAdd' ? { T: F, data_format: attr.s('NHWC') } : { T: F }, 'conv/BiasAdd');
    }
    b.const('bn/gamma', makeTensor('float', [3], [1, 2, 0.5]));
    b.const('bn/beta', makeTensor('float', [3], [0.1, -0.2, 0.3]));
    b.const('bn/mean', makeTensor('float', [3], [1, -2, 0.5]));
    b.const('bn/var', makeTensor('float', [3], [0.5, 2, 1.5]));
    b.op(o.bnOp ?? 'FusedBatchNormV3', [last, 'bn/gamma', 'bn/beta', 'bn/mean', 'bn/var'], o.bnAttrs ?? { T: F, U: F, epsilon: attr.f(Math.fround(1e-3)), is_training: attr.b(false) }, 'bn');
    b.op('Relu', ['bn'], { T: F }, 'relu');
    return b.graph();
  }
  const feeds = (depthwise = false) => ({ x: makeTensor('float', [1, 3, 3, depthwise ? 3 : 2], Array.from({ length: depthwise ? 27 : 18 }, (_, i) => Math.sin(i + 1) * 3)) });

  for (const biasOp of ['BiasAdd', 'Add', 'AddV2'] as const) {
    it(`Conv2D → ${biasOp} → FusedBatchNormV3 (Keras) folds into Conv2D → BiasAdd`, async (t) => {
      const g = kerasLike({ biasOp });
      const { graph: out, ctx } = run(foldOldBatchNorms, g, {}, { inputs: ['x'], outputs: ['relu'] });
      expect(ctx.reports).toEqual([]);
      expect(nodeNames(out)).toEqual(['x', 'conv/w', 'conv', 'conv_bn_offset', 'bn', 'relu']);
      expect(nodeOf(out, 'bn')).toMatchObject({ op: 'BiasAdd', inputs: ['conv', 'conv_bn_offset'] });
      const s = [1, 2, 0.5].map((gm, i) => gm / Math.sqrt([0.5, 2, 1.5][i]! + 1e-3));
      expectClose(floats(nodeOf(out, 'conv_bn_offset')), [0.5, -1, 2].map((b, i) => (b - [1, -2, 0.5][i]!) * s[i]! + [0.1, -0.2, 0.3][i]!));
      await expectSameOutputs(t, g, out, ['relu'], { relative: true, feeds: feeds() });
    });
  }

  it('DepthwiseConv2dNative → BiasAdd → FusedBatchNorm (kws_ds_cnn_s)', async (t) => {
    const g = kerasLike({ biasOp: 'BiasAdd', depthwise: true, bnOp: 'FusedBatchNorm', bnAttrs: fusedAttrs() });
    const { graph: out } = run(foldOldBatchNorms, g, {}, { inputs: ['x'], outputs: ['relu'] });
    expect(hasOp(out, 'FusedBatchNorm')).toBe(false);
    await expectSameOutputs(t, g, out, ['relu'], { relative: true, feeds: feeds(true) });
  });

  it('training mode (is_training absent means true) is refused unless allow_training_mode', () => {
    const g = kerasLike({ bnAttrs: { T: F, U: F } });
    const { graph: out, ctx } = run(foldOldBatchNorms, g, {}, { outputs: ['relu'] });
    expect(out).toBe(g);
    expect(ctx.reports).toHaveLength(1);
    expect(ctx.reports[0]).toMatchObject({ severity: 'warning', code: 'fold_old_batch_norms/training-mode', node: 'bn' });
    expect(ctx.reports[0]!.message).toContain('absent');
    const { graph: forced } = run(foldOldBatchNorms, g, { allowTrainingMode: true }, { outputs: ['relu'] });
    expect(hasOp(forced, 'FusedBatchNormV3')).toBe(false);
  });

  it('refuses weights shared with another conv (TF rescales them silently)', () => {
    const b = graphBuilder();
    b.placeholder('x', 'float', [1, 1, 6, 2]);
    b.const('w', makeTensor('float', [1, 2, 2, 2], WEIGHTS));
    b.op('Conv2D', ['x', 'w'], convAttrs(), 'conv_op');
    b.op('Conv2D', ['x', 'w'], convAttrs(), 'other_conv');
    addBnConsts(b, TWO);
    b.op('FusedBatchNorm', ['conv_op', 'gamma_op', 'beta_op', 'mean_op', 'variance_op'], fusedAttrs(), 'output');
    const g = b.graph();
    const { graph: out, ctx } = run(foldOldBatchNorms, g, {}, { outputs: ['output', 'other_conv'] });
    expect(out).toBe(g);
    expect(ctx.reports.map((r) => r.code)).toEqual(['fold_old_batch_norms/shared-weights']);
    expect(ctx.reports[0]!.message).toContain('other_conv');
  });

  it('constants shared by two batch norms and with other nodes are kept, and the transform terminates (TF #31877)', () => {
    const b = graphBuilder();
    b.placeholder('x', 'float', [1, 1, 6, 2]);
    addBnConsts(b, TWO);
    for (const k of ['a', 'b']) {
      b.const(`w_${k}`, makeTensor('float', [1, 2, 2, 2], WEIGHTS));
      b.op('Conv2D', ['x', `w_${k}`], convAttrs(), `conv_${k}`);
      b.op('FusedBatchNorm', [`conv_${k}`, 'gamma_op', 'beta_op', 'mean_op', 'variance_op'], fusedAttrs(), `bn_${k}`);
    }
    b.op('Identity', ['mean_op'], { T: F }, 'uses_mean');
    const { graph: out, ctx } = run(foldOldBatchNorms, b.graph(), {}, { outputs: ['bn_a', 'bn_b', 'uses_mean'] });
    expect(ctx.counters.get('folded')).toBe(2);
    expect(nodeNames(out)).toEqual(['x', 'mean_op', 'w_a', 'conv_a', 'conv_a_bn_offset', 'bn_a', 'w_b', 'conv_b', 'conv_b_bn_offset', 'bn_b', 'uses_mean']);
  });

  it('refuses when a later output of the batch norm is read, and when the conv output is shared', () => {
    const g1 = (() => {
      const b = graphBuilder();
      b.placeholder('x', 'float', [1, 1, 6, 2]);
      b.const('w', makeTensor('float', [1, 2, 2, 2], WEIGHTS));
      b.op('Conv2D', ['x', 'w'], convAttrs(), 'conv_op');
      addBnConsts(b, TWO);
      b.op('FusedBatchNorm', ['conv_op', 'gamma_op', 'beta_op', 'mean_op', 'variance_op'], fusedAttrs(), 'output');
      b.op('Identity', ['output:1'], { T: F }, 'batch_mean');
      b.op('Relu', ['conv_op'], { T: F }, 'side');
      return b.graph();
    })();
    const { graph: out, ctx } = run(foldOldBatchNorms, g1, {}, { outputs: ['output', 'batch_mean', 'side'] });
    expect(out).toBe(g1);
    expect(ctx.reports.map((r) => [r.code, r.node])).toEqual([['fold_old_batch_norms/shared-output', 'output']]);
  });

  it('says why a batch norm with non-constant parameters was left (run fold_constants first)', () => {
    const b = graphBuilder();
    b.placeholder('x', 'float', [1, 1, 6, 2]);
    b.const('w', makeTensor('float', [1, 2, 2, 2], WEIGHTS));
    b.op('Conv2D', ['x', 'w'], convAttrs(), 'conv_op');
    addBnConsts(b, TWO);
    b.op('Identity', ['gamma_op'], { T: F }, 'gamma/read');
    b.op('FusedBatchNorm', ['conv_op', 'gamma/read', 'beta_op', 'mean_op', 'variance_op'], fusedAttrs(), 'output');
    const g = b.graph();
    const { graph: out, ctx } = run(foldOldBatchNorms, g, {}, { outputs: ['output'] });
    expect(out).toBe(g);
    expect(ctx.reports[0]).toMatchObject({ severity: 'info', code: 'fold_old_batch_norms/not-const' });
    expect(ctx.reports[0]!.hint).toContain('fold_constants');
  });

  it('NCHW conv and batch norm fold; a format mismatch is refused', () => {
    const mk = (bnFormat: string) => {
      const b = graphBuilder();
      b.placeholder('x', 'float', [1, 2, 1, 6]);
      b.const('w', makeTensor('float', [1, 2, 2, 2], WEIGHTS));
      b.op('Conv2D', ['x', 'w'], { ...convAttrs(), data_format: attr.s('NCHW') }, 'conv_op');
      addBnConsts(b, TWO);
      b.op('FusedBatchNorm', ['conv_op', 'gamma_op', 'beta_op', 'mean_op', 'variance_op'], fusedAttrs({ data_format: attr.s(bnFormat) }), 'output');
      return b.graph();
    };
    const { graph: out } = run(foldOldBatchNorms, mk('NCHW'), {}, { outputs: ['output'] });
    expect(nodeOf(out, 'output').attrs['data_format']).toEqual(attr.s('NCHW'));
    const g = mk('NHWC');
    const { graph: out2, ctx } = run(foldOldBatchNorms, g, {}, { outputs: ['output'] });
    expect(out2).toBe(g);
    expect(ctx.reports[0]!.code).toBe('fold_old_batch_norms/data-format');
  });
});

// ---------------------------------------------------------------- the real models

/**
 * The graph with every `tensor_content` copied into its own aligned buffer. Decoded weights are
 * views into the file's Node Buffer, and `tensorToArray` (src/ir/tensor.ts) realigns with
 * `bytes.slice()`, which for a Buffer is a view, not a copy (reported to the lead).
 */
function alignedCopy(g: Graph): Graph {
  return withNodes(g, g.nodes.map((n) => {
    const v = n.attrs['value'];
    if (v?.kind !== 'tensor' || v.value.data.kind !== 'content') return n;
    const bytes = new Uint8Array(v.value.data.bytes.byteLength);
    bytes.set(v.value.data.bytes);
    return { ...n, attrs: { ...n.attrs, value: attr.tensor({ ...v.value, data: { kind: 'content', bytes } }) } };
  }));
}

describe.skipIf(!existsSync(MODELS_DIR))(`kws_cnn_s and kws_ds_cnn_s: batch norms folded (models in ${MODELS_DIR})`, () => {
  // The audio front end (DecodeWav, AudioSpectrogram, Mfcc) is cut off: the conv stack is fed at
  // the reshaped MFCC tensor `Reshape_1` [1,49,10,1], which is what the batch norms see.
  const STRIP = 'strip_unused_nodes(type=float, shape="1,49,10,1")';
  const FULL = `remove_nodes(op=Identity) merge_duplicate_nodes ${STRIP} fold_constants(ignore_errors=true) fold_batch_norms fold_old_batch_norms`;
  const mfcc = { Reshape_1: makeTensor('float', [1, 49, 10, 1], Array.from({ length: 490 }, (_, i) => Math.sin(i * 0.37) * 20 + Math.cos(i * 0.11) * 5)) };
  for (const [model, file] of [['kws_cnn_s', 'CNN_S.pb'], ['kws_ds_cnn_s', 'DS_CNN_S.pb']] as const) {
    it(`${model}: no batch-norm op is left and labels_softmax is unchanged within 1e-4`, async (t) => {
      const { loadModel, mainGraph } = await import('../../src/io/model-files');
      const { createRegistry } = await import('../../src/transform/registry');
      const { runPipeline } = await import('../../src/transform/runner');
      const { foldBatchNorms } = await import('../../src/transforms/fold-batch-norms');
      const graph = mainGraph(await loadModel(modelPath(model, file)));
      const registry = createRegistry();
      for (const tr of [foldBatchNorms, foldOldBatchNorms]) if (!registry.has(tr.name)) registry.register(tr);
      if (!registry.has('fold_constants')) {
        const fc = (await import('../../src/transforms/fold-constants').catch(() => ({}))) as { foldConstants?: Parameters<typeof registry.register>[0] };
        if (fc.foldConstants) registry.register(fc.foldConstants);
      }
      // Without fold_constants the decomposed batch norm of kws_cnn_s stays (its FusedBatchNorms still fold).
      const haveFoldConstants = registry.has('fold_constants');
      const pipeline = haveFoldConstants ? FULL : FULL.replace(' fold_constants(ignore_errors=true)', '');
      const opts = { registry, inputs: ['Reshape_1'], outputs: ['labels_softmax'] };
      const before = (await runPipeline(graph, STRIP, opts)).graph;
      const { graph: after, report } = await runPipeline(graph, pipeline, opts);
      expect(after.nodes.filter((n) => /BatchNorm/.test(n.op)).map((n) => n.name)).toEqual([]);
      expect(before.nodes.filter((n) => /BatchNorm/.test(n.op)).length).toBe(model === 'kws_cnn_s' ? 2 : 9);
      const foldOld = report.steps.find((s) => s.transform === 'fold_old_batch_norms');
      expect(foldOld?.counters?.['folded']).toBe(model === 'kws_cnn_s' ? 2 : 9);
      if (haveFoldConstants && model === 'kws_cnn_s') {
        // The decomposed batch norm (bn3: Rsqrt/Mul/Sub/Add) folds into MatMul_1 → BiasAdd.
        expect(after.nodes.filter((n) => n.op === 'Mul').map((n) => n.name)).toEqual([]);
      }
      await expectSameOutputs(t, alignedCopy(before), alignedCopy(after), ['labels_softmax'], { relative: true, tol: 1e-4, feeds: mfcc });
    });
  }
});
