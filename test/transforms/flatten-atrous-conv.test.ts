import { describe, expect, it } from 'vitest';
import { attr, type AttrValue } from '../../src/ir/attr';
import type { Graph } from '../../src/ir/graph';
import { type Tensor, makeTensor, tensorToNumbers } from '../../src/ir/tensor';
import { flattenAtrousConv } from '../../src/transforms/flatten-atrous-conv';
import { graphBuilder, nodeNames, nodeOf, snapshot } from '../helpers/graph-builder';
import { run } from '../helpers/context';
import { expectSameOutputs } from '../helpers/numeric';
import { spaceBatchKernels } from '../helpers/test-kernels';

const F = attr.type('float');
const I32 = attr.type('int32');
const convAttrs = (): Record<string, AttrValue> => ({ T: F, strides: attr.list({ i: [1, 1, 1, 1] }), padding: attr.s('VALID'), data_format: attr.s('NHWC'), use_cudnn_on_gpu: attr.b(true) });

/** What tf.nn.atrous_conv2d(rate=2) builds on a [1,5,5,2] input with a 3x3 filter. */
function atrous(padding: 'SAME' | 'VALID', op = 'Conv2D'): Graph {
  const b = graphBuilder();
  b.const('x', makeTensor('float', [1, 5, 5, 2], Array.from({ length: 50 }, (_, i) => Math.sin(i * 0.7) * 3)));
  b.const('block', makeTensor('int32', [2], [2, 2]));
  b.const('pads', makeTensor('int32', [2, 2], padding === 'SAME' ? [2, 3, 2, 3] : [0, 1, 0, 1]));
  b.op('SpaceToBatchND', ['x', 'block', 'pads'], { T: F, Tblock_shape: I32, Tpaddings: I32 }, 'atrous/SpaceToBatchND');
  const cout = op === 'Conv2D' ? 3 : 1;
  b.const('filter', makeTensor('float', [3, 3, 2, cout], Array.from({ length: 18 * cout }, (_, i) => ((i * 7) % 5) / 2 - 1)), { device: '/cpu:0' });
  b.op(op, ['atrous/SpaceToBatchND', 'filter'], op === 'Conv2D' ? convAttrs() : { T: F, strides: attr.list({ i: [1, 1, 1, 1] }), padding: attr.s('VALID') }, 'atrous/conv', { device: '/cpu:0' });
  b.const('block2', makeTensor('int32', [2], [2, 2]));
  b.const('crops', makeTensor('int32', [2, 2], [0, 1, 0, 1]));
  b.op('BatchToSpaceND', ['atrous/conv', 'block2', 'crops'], { T: F, Tblock_shape: I32, Tcrops: I32 }, 'atrous/BatchToSpaceND');
  b.op('Relu', ['atrous/BatchToSpaceND'], { T: F }, 'out');
  return b.graph();
}

describe('flatten_atrous_conv', () => {
  it('SAME atrous Conv2D becomes one Conv2D with a zero-dilated 5x5 filter, same values', async (t) => {
    const g = atrous('SAME');
    const before = snapshot(g);
    const { graph: out, ctx } = run(flattenAtrousConv, g, {}, { outputs: ['out'] });
    expect(nodeNames(out)).toEqual(['x', 'filter', 'atrous/BatchToSpaceND', 'out']);
    const c = nodeOf(out, 'atrous/BatchToSpaceND');
    expect(c).toMatchObject({ op: 'Conv2D', inputs: ['x', 'filter'], device: '/cpu:0' });
    expect(c.attrs['padding']).toEqual(attr.s('SAME'));
    expect(c.attrs['use_cudnn_on_gpu']).toEqual(attr.b(true));
    const f = (nodeOf(out, 'filter').attrs['value'] as { value: Tensor }).value;
    expect(f.shape).toEqual([5, 5, 2, 3]);
    const orig = tensorToNumbers((nodeOf(g, 'filter').attrs['value'] as { value: Tensor }).value);
    const dil = tensorToNumbers(f);
    // tap (i, j) of the original sits at (2i, 2j); odd rows and columns are zero.
    expect(dil.slice((2 * 5 + 4) * 6, (2 * 5 + 4) * 6 + 6)).toEqual(orig.slice((1 * 3 + 2) * 6, (1 * 3 + 2) * 6 + 6));
    expect(dil.slice((1 * 5 + 0) * 6, (1 * 5 + 0) * 6 + 6)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(nodeOf(out, 'filter').device).toBe('/cpu:0');
    expect(ctx.counters.get('flattened')).toBe(1);
    expect(snapshot(g)).toBe(before);
    await expectSameOutputs(t, g, out, ['out'], { kernels: spaceBatchKernels, tol: 1e-4 });
  });

  it('VALID atrous conv keeps VALID padding (TF forces SAME and changes the result)', async (t) => {
    const g = atrous('VALID');
    const { graph: out } = run(flattenAtrousConv, g, {}, { outputs: ['out'] });
    expect(nodeOf(out, 'atrous/BatchToSpaceND').attrs['padding']).toEqual(attr.s('VALID'));
    await expectSameOutputs(t, g, out, ['out'], { kernels: spaceBatchKernels, tol: 1e-4 });
  });

  it('DepthwiseConv2dNative works the same way', async (t) => {
    const g = atrous('SAME', 'DepthwiseConv2dNative');
    const { graph: out } = run(flattenAtrousConv, g, {}, { outputs: ['out'] });
    expect(nodeOf(out, 'atrous/BatchToSpaceND').op).toBe('DepthwiseConv2dNative');
    await expectSameOutputs(t, g, out, ['out'], { kernels: spaceBatchKernels, tol: 1e-4 });
  });

  it('refuses a filter shared with another node', () => {
    const b = graphBuilder();
    for (const n of atrous('SAME').nodes) b.add(n);
    b.op('Identity', ['filter'], { T: F }, 'other');
    const g = b.graph();
    const r = run(flattenAtrousConv, g, {}, { outputs: ['out', 'other'] });
    expect(r.graph).toBe(g);
    expect(r.ctx.reports[0]!.code).toBe('flatten_atrous_conv/shared-weights');
  });
});
