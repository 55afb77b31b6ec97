/**
 * The body of `fusePadAndConv` (fuse-pad-and-conv.ts declares it and says what it does, and where it
 * differs from TensorFlow), loaded with `import()` the first time the transform runs.
 */
import { makeNode } from '../../ir/node';
import type { ApplyOf } from '../../transform/define';
import { dataInputs } from '../../ir/node';
import { convAttrs, fuseConvChains, mergedControls } from '../shared/fused-conv';
import { type fusePadAndConv, NAME } from '../fuse-pad-and-conv';

export const apply: ApplyOf<typeof fusePadAndConv> = (graph, _params, ctx) => {
  return fuseConvChains(graph, ctx, NAME, ['MirrorPad'], (conv, [pad]) => {
    const [x, paddings] = dataInputs(pad);
    return [makeNode({
      name: conv.name,
      op: 'FusedPadConv2D',
      device: conv.device,
      inputs: [x!, paddings!, dataInputs(conv)[1]!, ...mergedControls(pad, conv)],
      attrs: { ...convAttrs(conv), mode: pad.attrs['mode']! },
    })];
  });
};
