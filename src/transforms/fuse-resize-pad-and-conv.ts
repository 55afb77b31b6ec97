/**
 * `fuse_resize_pad_and_conv`: merges `ResizeBilinear → MirrorPad → Conv2D` into one op.
 *
 * Matches: `Conv2D(MirrorPad(ResizeBilinear(x, size), paddings), filter)`, each intermediate read
 * only by the next node.
 * Does: replaces the three with `FusedResizeAndPadConv2D(x, size, paddings, filter)` named as
 * the conv, with `resize_align_corners` (from `align_corners`), `mode` (from the MirrorPad), and
 * `T`, `padding`, `strides` from the conv (TensorFlow's rewrite). The size, paddings and filter
 * nodes stay where they are.
 *
 * Left alone, with a `fuse_resize_pad_and_conv/unsupported` warning: `half_pixel_centers`, a
 * dilated or NCHW conv, int64 paddings. Differences from TensorFlow: intermediates read elsewhere
 * or protected are not fused; control inputs are kept; other nodes keep their positions.
 */
import { defineTransform, lazyApply } from '../transform/define';

export const NAME = 'fuse_resize_pad_and_conv';

export const fuseResizePadAndConv = defineTransform({
  name: NAME,
  summary: 'Merges ResizeBilinear → MirrorPad → Conv2D into one FusedResizeAndPadConv2D.',
  params: {},
  counters: {
    fused: 'Chains fused into one FusedResizeAndPadConv2D.',
  },
  codes: {
    unsupported: { severity: 'warning', doc: 'A Conv2D chain that cannot be fused; left as it is.' },
  },
  apply: lazyApply(() => import('./apply/fuse-resize-pad-and-conv')),
});
