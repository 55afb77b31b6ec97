/**
 * `fuse_resize_and_conv`: merges a `ResizeBilinear` into the `Conv2D` it feeds.
 *
 * Matches: `Conv2D(ResizeBilinear(x, size), filter)` where only the conv reads the resize.
 * Does: replaces both with `FusedResizeAndPadConv2D(x, size, <conv>_dummy_paddings, filter)`
 * named as the conv, where the new Const `<conv>_dummy_paddings` is int32 [4,2] zeros (so the
 * op's mirror padding does nothing), `mode=REFLECT`, `resize_align_corners` from the resize's
 * `align_corners`, and `T`, `padding`, `strides` from the conv (TensorFlow's rewrite).
 *
 * Left alone, with a `fuse_resize_and_conv/unsupported` warning: a resize with
 * `half_pixel_centers`, a dilated or NCHW conv (the fused op cannot express them; TF fuses anyway).
 * Differences from TensorFlow: a resize read elsewhere or protected is not fused; control inputs
 * are kept; nodes outside the match keep their positions.
 */
import { attr } from '../ir/attr';
import { makeNode } from '../ir/node';
import { makeTensor } from '../ir/tensor';
import { defineTransform } from '../transform/define';
import { dataInputs } from '../ir/node';
import { convAttrs, fuseConvChains, mergedControls } from './shared/fused-conv';

const NAME = 'fuse_resize_and_conv';

export const fuseResizeAndConv = defineTransform({
  name: NAME,
  summary: 'Merges ResizeBilinear → Conv2D into one FusedResizeAndPadConv2D.',
  params: {},
  counters: {
    fused: 'Chains fused into one FusedResizeAndPadConv2D.',
  },
  codes: {
    unsupported: { severity: 'warning', doc: 'A Conv2D chain that cannot be fused; left as it is.' },
  },
  apply(graph, _params, ctx) {
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
  },
});
