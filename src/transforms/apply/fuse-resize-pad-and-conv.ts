/**
 * The body of `fuseResizePadAndConv` (fuse-resize-pad-and-conv.ts declares it and says what it does, and where it
 * differs from TensorFlow), loaded with `import()` the first time the transform runs.
 */
import { attr } from '../../ir/attr';
import { makeNode } from '../../ir/node';
import type { ApplyOf } from '../../transform/define';
import { dataInputs } from '../../ir/node';
import { convAttrs, fuseConvChains, mergedControls } from '../shared/fused-conv';
import { type fuseResizePadAndConv, NAME } from '../fuse-resize-pad-and-conv';

export const apply: ApplyOf<typeof fuseResizePadAndConv> = (graph, _params, ctx) => {
  return fuseConvChains(graph, ctx, NAME, ['MirrorPad', 'ResizeBilinear'], (conv, [pad, resize]) => {
    const [x, size] = dataInputs(resize);
    return [makeNode({
      name: conv.name,
      op: 'FusedResizeAndPadConv2D',
      device: conv.device,
      inputs: [x!, size!, dataInputs(pad)[1]!, dataInputs(conv)[1]!, ...mergedControls(resize, pad, conv)],
      attrs: { ...convAttrs(conv), resize_align_corners: resize.attrs['align_corners'] ?? attr.b(false), mode: pad.attrs['mode']! },
    })];
  });
};
