/**
 * Reference kernels composed from tfjs for ops the runtime may lack, so that transform tests can
 * compare a graph that uses them before and after the transform. Each is registered only when the
 * runtime has no kernel of that name, so a real kernel, once added, is what gets tested.
 */
import type { Kernels, Runtime } from './numeric';

type KernelContext = Parameters<Parameters<Kernels['register']>[1]>[0];
type KernelTensor = ReturnType<KernelContext['input']>;

/** SpaceToBatchND and BatchToSpaceND for 2 spatial dimensions (paddings and crops as [[t, b], [l, r]]). */
export function spaceBatchKernels(rt: Runtime): Kernels {
  const k = rt.createKernelRegistry();
  const pairs = (v: number[]) => [[v[0]!, v[1]!], [v[2]!, v[3]!]];
  if (!k.has('SpaceToBatchND')) k.register('SpaceToBatchND', (c) => [c.tf.spaceToBatchND(c.input(0), c.numbers(1), pairs(c.numbers(2)))]);
  if (!k.has('BatchToSpaceND')) k.register('BatchToSpaceND', (c) => [c.tf.batchToSpaceND(c.input(0), c.numbers(1), pairs(c.numbers(2)))]);
  return k;
}

/** FusedPadConv2D and FusedResizeAndPadConv2D (MirrorPad, optionally after ResizeBilinear, then Conv2D). */
export function fusedConvKernels(rt: Runtime): Kernels {
  const k = rt.createKernelRegistry();
  const pairs = (v: number[]) => [0, 1, 2, 3].map((i) => [v[2 * i]!, v[2 * i + 1]!] as [number, number]);
  const convOf = (c: KernelContext, x: KernelTensor, w: KernelTensor) => {
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
