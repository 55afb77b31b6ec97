/**
 * `fuse_pad_and_conv`: merges a `MirrorPad` into the `Conv2D` it feeds.
 *
 * Matches: `Conv2D(MirrorPad(x, paddings), filter)` where only the conv reads the MirrorPad.
 * Does: replaces both with `FusedPadConv2D(x, paddings, filter)` named as the conv, with `mode`
 * from the MirrorPad and `T`, `padding`, `strides` from the conv (TensorFlow's rewrite). The
 * paddings and filter nodes stay where they are.
 *
 * Left alone, with a `fuse_pad_and_conv/unsupported` warning: a dilated or NCHW conv, or int64
 * paddings (the fused op has no such attributes; TF fuses anyway and changes the results).
 * Differences from TensorFlow: a MirrorPad read by other nodes, or protected, is not fused (TF's
 * integrity check also keeps it, after logging); the control inputs of both nodes are kept; the
 * conv's device is kept; nodes outside the match keep their positions.
 */
import { defineTransform, lazyApply } from '../transform/define';

export const NAME = 'fuse_pad_and_conv';

export const fusePadAndConv = defineTransform({
  name: NAME,
  summary: 'Merges MirrorPad → Conv2D into one FusedPadConv2D.',
  params: {},
  counters: {
    fused: 'Chains fused into one FusedPadConv2D.',
  },
  codes: {
    unsupported: { severity: 'warning', doc: 'A Conv2D chain that cannot be fused; left as it is.' },
  },
  apply: lazyApply(() => import('./apply/fuse-pad-and-conv')),
});
