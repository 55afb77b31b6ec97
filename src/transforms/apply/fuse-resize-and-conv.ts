/**
 * The body of `fuseResizeAndConv` (fuse-resize-and-conv.ts declares it and says what it does, and where it
 * differs from TensorFlow), loaded with `import()` the first time the transform runs.
 */
import { attr } from '../../ir/attr';
import { makeNode } from '../../ir/node';
import { makeTensor } from '../../ir/tensor';
import type { ApplyOf } from '../../transform/define';
import { dataInputs } from '../../ir/node';
import { convAttrs, fuseConvChains, mergedControls } from '../shared/fused-conv';
import { type fuseResizeAndConv, NAME } from '../fuse-resize-and-conv';

export const apply: ApplyOf<typeof fuseResizeAndConv> = (graph, _params, ctx) => {
  return fuseConvChains(graph, ctx, NAME, ['ResizeBilinear'], (conv, [resize], plan) => {
    const [x, size] = dataInputs(resize);
    const paddingsName = plan.uniqueName(`${conv.name}_dummy_paddings`);
    const align = resize.attrs['align_corners'] ?? attr.b(false);
    return [
      makeNode({ name: paddingsName, op: 'Const', device: conv.device, attrs: { dtype: attr.type('int32'), value: attr.tensor(makeTensor('int32', [4, 2], new Array(8).fill(0))) } }),
      makeNode({
        name: conv.name,
        op: 'FusedResizeAndPadConv2D',
        device: conv.device,
        inputs: [x!, size!, paddingsName, dataInputs(conv)[1]!, ...mergedControls(resize, conv)],
        attrs: { ...convAttrs(conv), resize_align_corners: align, mode: attr.s('REFLECT') },
      }),
    ];
  });
};
