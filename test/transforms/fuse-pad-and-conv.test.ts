import { describe, expect, it, type TestContext as VitestContext } from 'vitest';
import { attr, type AttrValue } from '../../src/ir/attr';
import type { Graph } from '../../src/ir/graph';
import { type Tensor, makeTensor, tensorToNumbers } from '../../src/ir/tensor';
import { fusePadAndConv } from '../../src/transforms/fuse-pad-and-conv';
import { fuseResizeAndConv } from '../../src/transforms/fuse-resize-and-conv';
import { fuseResizePadAndConv } from '../../src/transforms/fuse-resize-pad-and-conv';
import { graphBuilder, nodeNames, nodeOf, snapshot } from '../helpers/graph-builder';
import { run } from '../helpers/context';

// ---------------------------------------------------------------- numeric comparison

type Runtime = typeof import('../../src/runtime/index');
type Kernels = import('../../src/runtime/index').KernelRegistry;
let runtimePromise: Promise<Runtime | undefined> | undefined;
const loadRuntime = () => (runtimePromise ??= import('../../src/runtime/index').catch(() => undefined));

/** Runs both graphs and compares the fetches within `tol`; skips (saying why) when the runtime lacks kernels. */
async function expectSameOutputs(
  t: VitestContext, before: Graph, after: Graph, fetches: string[],
  o: { tol?: number; feeds?: Record<string, Tensor>; kernels?: (rt: Runtime) => Kernels } = {},
): Promise<Tensor[]> {
  const rt = await loadRuntime();
  if (!rt) t.skip('the runtime (src/runtime) is not available');
  const kernels = o.kernels?.(rt!);
  const missing = [...rt!.missingKernels(before, fetches, kernels), ...rt!.missingKernels(after, fetches, kernels)];
  if (missing.length > 0) t.skip(`no kernels for ${[...new Set(missing.map((m) => m.op))].join(', ')}`);
  const opts = kernels ? { kernels } : {};
  const a = await rt!.runGraph(before, o.feeds ?? {}, fetches, opts);
  const b = await rt!.runGraph(after, o.feeds ?? {}, fetches, opts);
  for (let i = 0; i < fetches.length; i++) {
    expect(b[i]!.shape).toEqual(a[i]!.shape);
    const x = tensorToNumbers(a[i]!);
    const y = tensorToNumbers(b[i]!);
    for (let k = 0; k < x.length; k++) expect(Math.abs(x[k]! - y[k]!), `${fetches[i]}[${k}]: ${x[k]} vs ${y[k]}`).toBeLessThanOrEqual(o.tol ?? 1e-5);
  }
  return b;
}

const F = attr.type('float');
const conv = (extra: Record<string, AttrValue> = {}): Record<string, AttrValue> => ({ T: F, strides: attr.list({ i: [1, 1, 1, 1] }), padding: attr.s('VALID'), data_format: attr.s('NHWC'), ...extra });

/** Reference kernels for the fused ops, composed from tfjs (the runtime may not have them). */
function fusedKernels(rt: Runtime): Kernels {
  const k = rt.createKernelRegistry();
  const pairs = (v: number[]) => [0, 1, 2, 3].map((i) => [v[2 * i]!, v[2 * i + 1]!] as [number, number]);
  const convOf = (c: Parameters<Parameters<Kernels['register']>[1]>[0], x: ReturnType<typeof c.input>, w: ReturnType<typeof c.input>) => {
    const s = c.attrInts('strides');
    return c.tf.conv2d(x as never, w as never, [s[1]!, s[2]!], c.attrString('padding') === 'SAME' ? 'same' : 'valid');
  };
  const mode = (c: { attrString(n: string): string }) => (c.attrString('mode') === 'SYMMETRIC' ? 'symmetric' : 'reflect');
  if (!k.has('FusedPadConv2D')) k.register('FusedPadConv2D', (c) => [convOf(c, c.tf.mirrorPad(c.input(0), pairs(c.numbers(1)), mode(c)), c.input(2))]);
  if (!k.has('FusedResizeAndPadConv2D')) {
    k.register('FusedResizeAndPadConv2D', (c) => {
      const size = c.numbers(1) as [number, number];
      const resized = c.tf.image.resizeBilinear(c.input(0) as never, size, c.attrBool('resize_align_corners', false));
      return [convOf(c, c.tf.mirrorPad(resized, pairs(c.numbers(2)), mode(c)), c.input(3))];
    });
  }
  return k;
}

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
    await expectSameOutputs(t, g, out, ['out'], { kernels: fusedKernels });
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

