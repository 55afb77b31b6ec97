import { describe, expect, it } from 'vitest';
import { attr, type AttrValue } from '../../src/ir/attr';
import { type Tensor, makeTensor, tensorToNumbers } from '../../src/ir/tensor';
import { fuseResizeAndConv } from '../../src/transforms/fuse-resize-and-conv';
import { graphBuilder, nodeNames, nodeOf } from '../helpers/graph-builder';
import { run } from '../helpers/context';
import { expectSameOutputs } from '../helpers/numeric';
import { fusedConvKernels } from '../helpers/test-kernels';

const F = attr.type('float');
const conv = (extra: Record<string, AttrValue> = {}): Record<string, AttrValue> => ({ T: F, strides: attr.list({ i: [1, 1, 1, 1] }), padding: attr.s('VALID'), data_format: attr.s('NHWC'), ...extra });

const X = makeTensor('float', [1, 3, 4, 2], Array.from({ length: 24 }, (_, i) => Math.cos(i) * 4));
const WEIGHTS = makeTensor('float', [2, 2, 2, 3], Array.from({ length: 24 }, (_, i) => ((i * 5) % 7) / 3 - 1));

describe('fuse_resize_and_conv', () => {
  it('ResizeBilinear → Conv2D becomes FusedResizeAndPadConv2D with zero dummy paddings', async (t) => {
    const b = graphBuilder();
    b.const('x', X);
    b.const('size', makeTensor('int32', [2], [5, 6]));
    b.op('ResizeBilinear', ['x', 'size'], { T: F, align_corners: attr.b(true) }, 'resize');
    b.const('w', WEIGHTS);
    b.op('Conv2D', ['resize', 'w'], conv({ padding: attr.s('SAME') }), 'conv');
    const g = b.graph();
    const { graph: out } = run(fuseResizeAndConv, g, {}, { outputs: ['conv'] });
    expect(nodeOf(out, 'conv')).toMatchObject({ op: 'FusedResizeAndPadConv2D', inputs: ['x', 'size', 'conv_dummy_paddings', 'w'] });
    expect(nodeOf(out, 'conv').attrs['resize_align_corners']).toEqual(attr.b(true));
    expect(nodeOf(out, 'conv').attrs['mode']).toEqual(attr.s('REFLECT'));
    expect(tensorToNumbers((nodeOf(out, 'conv_dummy_paddings').attrs['value'] as { value: Tensor }).value)).toEqual(new Array(8).fill(0));
    expect(nodeNames(out)).not.toContain('resize');
    await expectSameOutputs(t, g, out, ['conv'], { kernels: fusedConvKernels, tol: 1e-4 });
  });

  it('refuses half_pixel_centers (the fused op cannot express it)', () => {
    const b = graphBuilder();
    b.placeholder('x', 'float', [1, 3, 4, 2]);
    b.const('size', makeTensor('int32', [2], [5, 6]));
    b.op('ResizeBilinear', ['x', 'size'], { T: F, half_pixel_centers: attr.b(true) }, 'resize');
    b.const('w', WEIGHTS);
    b.op('Conv2D', ['resize', 'w'], conv(), 'conv');
    const g = b.graph();
    const r = run(fuseResizeAndConv, g, {}, { outputs: ['conv'] });
    expect(r.graph).toBe(g);
    expect(r.ctx.reports[0]!.message).toContain('half_pixel_centers');
  });
});

