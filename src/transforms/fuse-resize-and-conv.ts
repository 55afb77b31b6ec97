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
import { defineTransform, lazyApply } from '../transform/define';

export const NAME = 'fuse_resize_and_conv';

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
  apply: lazyApply(() => import('./apply/fuse-resize-and-conv')),
});
