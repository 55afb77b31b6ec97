import { describe, expect, it } from 'vitest';
import { attr, type AttrValue } from '../../src/ir/attr';
import { makeTensor } from '../../src/ir/tensor';
import { fuseResizePadAndConv } from '../../src/transforms/fuse-resize-pad-and-conv';
import { graphBuilder, nodeNames, nodeOf } from '../helpers/graph-builder';
import { run } from '../helpers/context';
import { expectSameOutputs } from '../helpers/numeric';
import { fusedConvKernels } from '../helpers/test-kernels';

const F = attr.type('float');
const conv = (extra: Record<string, AttrValue> = {}): Record<string, AttrValue> => ({ T: F, strides: attr.list({ i: [1, 1, 1, 1] }), padding: attr.s('VALID'), data_format: attr.s('NHWC'), ...extra });

const X = makeTensor('float', [1, 3, 4, 2], Array.from({ length: 24 }, (_, i) => Math.cos(i) * 4));
const WEIGHTS = makeTensor('float', [2, 2, 2, 3], Array.from({ length: 24 }, (_, i) => ((i * 5) % 7) / 3 - 1));

describe('fuse_resize_pad_and_conv', () => {
  it('ResizeBilinear → MirrorPad → Conv2D becomes one FusedResizeAndPadConv2D', async (t) => {
    const b = graphBuilder();
    b.const('x', X);
    b.const('size', makeTensor('int32', [2], [4, 5]));
    b.op('ResizeBilinear', ['x', 'size'], { T: F }, 'resize');
    b.const('pads', makeTensor('int32', [4, 2], [0, 0, 1, 1, 1, 1, 0, 0]));
    b.op('MirrorPad', ['resize', 'pads'], { T: F, mode: attr.s('SYMMETRIC') }, 'pad');
    b.const('w', WEIGHTS);
    b.op('Conv2D', ['pad', 'w'], conv(), 'conv');
    const g = b.graph();
    const { graph: out } = run(fuseResizePadAndConv, g, {}, { outputs: ['conv'] });
    expect(nodeNames(out)).toEqual(['x', 'size', 'pads', 'w', 'conv']);
    expect(nodeOf(out, 'conv')).toMatchObject({ op: 'FusedResizeAndPadConv2D', inputs: ['x', 'size', 'pads', 'w'] });
    expect(nodeOf(out, 'conv').attrs['mode']).toEqual(attr.s('SYMMETRIC'));
    expect(nodeOf(out, 'conv').attrs['resize_align_corners']).toEqual(attr.b(false));
    await expectSameOutputs(t, g, out, ['conv'], { kernels: fusedConvKernels, tol: 1e-4 });
  });
});
