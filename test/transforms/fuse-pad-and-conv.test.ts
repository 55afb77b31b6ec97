import { describe, expect, it } from 'vitest';
import { attr, type AttrValue } from '../../src/ir/attr';
import type { Graph } from '../../src/ir/graph';
import { makeTensor } from '../../src/ir/tensor';
import { fusePadAndConv } from '../../src/transforms/fuse-pad-and-conv';
import { graphBuilder, nodeNames, nodeOf, snapshot } from '../helpers/graph-builder';
import { run } from '../helpers/context';
import { expectSameOutputs } from '../helpers/numeric';
import { fusedConvKernels } from '../helpers/test-kernels';

const F = attr.type('float');
const conv = (extra: Record<string, AttrValue> = {}): Record<string, AttrValue> => ({ T: F, strides: attr.list({ i: [1, 1, 1, 1] }), padding: attr.s('VALID'), data_format: attr.s('NHWC'), ...extra });

const X = makeTensor('float', [1, 3, 4, 2], Array.from({ length: 24 }, (_, i) => Math.cos(i) * 4));
const WEIGHTS = makeTensor('float', [2, 2, 2, 3], Array.from({ length: 24 }, (_, i) => ((i * 5) % 7) / 3 - 1));

describe('fuse_pad_and_conv', () => {
  function graph(convExtra: Record<string, AttrValue> = {}): Graph {
    const b = graphBuilder();
    b.const('x', X);
    b.const('pads', makeTensor('int32', [4, 2], [0, 0, 1, 1, 2, 1, 0, 0]));
    b.op('MirrorPad', ['x', 'pads'], { T: F, Tpaddings: attr.type('int32'), mode: attr.s('REFLECT') }, 'pad');
    b.const('w', WEIGHTS);
    b.op('Conv2D', ['pad', 'w'], conv(convExtra), 'conv');
    b.op('Relu', ['conv'], { T: F }, 'out');
    return b.graph();
  }

  it('MirrorPad → Conv2D becomes FusedPadConv2D(x, pads, w) with the same values', async (t) => {
    const g = graph();
    const before = snapshot(g);
    const { graph: out, ctx } = run(fusePadAndConv, g, {}, { outputs: ['out'] });
    expect(nodeNames(out)).toEqual(['x', 'pads', 'w', 'conv', 'out']);
    expect(nodeOf(out, 'conv')).toMatchObject({ op: 'FusedPadConv2D', inputs: ['x', 'pads', 'w'] });
    expect(nodeOf(out, 'conv').attrs).toEqual({ T: F, padding: attr.s('VALID'), strides: attr.list({ i: [1, 1, 1, 1] }), mode: attr.s('REFLECT') });
    expect(ctx.counters.get('fused')).toBe(1);
    expect(snapshot(g)).toBe(before);
    await expectSameOutputs(t, g, out, ['out'], { kernels: fusedConvKernels });
  });

  it('leaves dilated convs and shared pads alone', () => {
    const g = graph({ dilations: attr.list({ i: [1, 2, 2, 1] }) });
    const r = run(fusePadAndConv, g, {}, { outputs: ['out'] });
    expect(r.graph).toBe(g);
    expect(r.ctx.reports[0]!.code).toBe('fuse_pad_and_conv/unsupported');
    const b = graphBuilder();
    for (const n of graph().nodes) b.add(n);
    b.op('Identity', ['pad'], { T: F }, 'other');
    const g2 = b.graph();
    expect(run(fusePadAndConv, g2, {}, { outputs: ['out', 'other'] }).graph).toBe(g2);
  });
});

