/**
 * `flatten_atrous_conv`: turns an atrous (dilated) convolution written as
 * `SpaceToBatchND → conv → BatchToSpaceND` (what `tf.nn.atrous_conv2d` and TF1 dilated convs
 * build) into one plain convolution with a zero-dilated filter, for runtimes without
 * SpaceToBatchND/BatchToSpaceND.
 *
 * Matches: `BatchToSpaceND(Conv2D|DepthwiseConv2dNative(SpaceToBatchND(x, block, pads), Const
 * filter), block', crops)`, with `block`/`block'` Consts holding the same two values `[bh, bw]`,
 * a conv with stride 1, and every intermediate read only by the next node.
 * Does: the filter `[h, w, cin, cout]` becomes `[(h−1)·bh+1, (w−1)·bw+1, cin, cout]` with the
 * original taps at multiples of the block and zeros between (same Const name); the conv, renamed
 * to the BatchToSpaceND, reads `x` directly. Strides, `T`, `data_format`, `use_cudnn_on_gpu` and
 * the device come from the conv.
 *
 * Padding: TensorFlow always sets `padding=SAME`. graft reads the paddings and crops when they
 * are Consts: `pads − crops` is the padding the atrous conv applied; zero means `VALID`, the SAME
 * split of the dilated filter (`⌊(k_eff−1)/2⌋` before, the rest after) means `SAME`, anything else
 * is left alone with a `flatten_atrous_conv/unsupported` warning (TF silently changes the
 * results for VALID atrous convs). When they are not Consts (computed from a dynamic shape) graft
 * follows TF (`SAME`) and says so (`flatten_atrous_conv/unchecked-padding`, info).
 * Also left alone (warning): a filter Const read by other nodes (`shared-weights`), differing
 * block Consts, strides other than 1, an inner conv with SAME padding.
 * Differences from TensorFlow: `x` keeps its output port (TF reads output 0); control inputs of the
 * three nodes are kept; the block, paddings and crops Consts are removed when nothing else reads them.
 */
import { defineTransform, lazyApply } from '../transform/define';

const NAME = 'flatten_atrous_conv';

export const flattenAtrousConv = defineTransform({
  name: NAME,
  summary: 'Replaces SpaceToBatchND → conv → BatchToSpaceND (an atrous convolution) with one conv and a zero-dilated filter.',
  params: {},
  counters: {
    flattened: 'Atrous convolutions replaced by one conv with a dilated filter.',
  },
  codes: {
    unsupported: { severity: 'warning', doc: 'A SpaceToBatchND → conv → BatchToSpaceND chain whose shapes, strides or padding cannot be flattened; left as it is.' },
    'shared-weights': { severity: 'warning', doc: 'The filter is also read elsewhere, so dilating it would change those nodes; left as it is.' },
    'not-const': { severity: 'info', doc: 'The filter or block shape is not a Const; run fold_constants first.' },
    'unchecked-padding': { severity: 'info', doc: 'The paddings are not Consts; SAME padding assumed, as TensorFlow does.' },
  },
  apply: lazyApply(() => import('./apply/flatten-atrous-conv')),
});
