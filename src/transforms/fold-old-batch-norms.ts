/**
 * `fold_old_batch_norms`: folds monolithic batch-norm ops into the convolution before them.
 *
 * Matches (spec §8), with every batch-norm parameter a `Const`:
 * ```
 * A  BN( conv(*, Const w) [→ bias] , Const×4 )
 * B  BN( BatchToSpaceND( conv(*, Const w) [→ bias], block, crops ), Const×4 )
 * C  BN( ConcatV2( conv₀ [→ bias], …, convₙ₋₁ [→ bias], Const axis ), Const×4 )
 * ```
 * where BN is `BatchNormWithGlobalNormalization` (t, mean, var, beta, gamma; `variance_epsilon`;
 * gamma only with `scale_after_normalization`) or `FusedBatchNorm`/`V2`/`V3` (x, gamma, beta,
 * mean, var; `epsilon`), conv is `Conv2D` or `DepthwiseConv2dNative`, and the optional bias is a
 * `BiasAdd`/`Add`/`AddV2` of a per-channel Const (the Keras and TF-slim layout).
 *
 * Math, per output channel c, in float32 as TensorFlow computes it:
 * `scale[c] = 1/sqrt(var[c]+eps) · gamma[c]`, `offset[c] = −mean[c]·scale[c] + beta[c]`; the weights
 * of channel c are multiplied by `scale[c]` (same Const name), and a new Const
 * `<conv>_bn_offset` = `bias[c]·scale[c] + offset[c]` (just `offset` without a bias) feeds a
 * `BiasAdd` that takes the batch norm's name (A), `<conv>/biasadd` before a BatchToSpaceND renamed
 * to the batch norm (B), or `<concat>_bn_in<i>` before a ConcatV2 renamed to it (C). With a channel
 * axis concat (3 or −1 for NHWC, 1 or −3 for NCHW) the per-channel vectors are split across the
 * inputs in order; on any other axis every input gets the whole vectors.
 *
 * Left alone, each with a diagnostic (`fold_old_batch_norms/<code>`):
 * - `training-mode` (warning): a `FusedBatchNorm*` with `is_training` true, which is the default
 *   when the attribute is absent (files strip defaults). Such a node normalizes with the batch's
 *   own statistics, so folding the moving averages in would change the results. Set
 *   `allow_training_mode=true` to fold anyway (TensorFlow's behaviour: it never checks).
 * - `shared-weights` (warning): the weights Const is read by another node (TensorFlow rescales it
 *   for everyone, silently changing the other reader).
 * - `shared-output` (warning): the conv, the bias add, the BatchToSpaceND/ConcatV2, or outputs 1+
 *   of the batch norm are read outside the match.
 * - `protected`, `bad-shape`, `unsupported-dtype` (only float/double weights), `data-format` (the
 *   batch norm's and the conv's `data_format` differ) (warnings), and `not-const` (info: run
 *   `remove_nodes(op=Identity)` and `fold_constants` first), `no-linear-input` (info).
 *
 * Differences from TensorFlow: V2/V3 and the bias-separated forms are folded; concat axis −1
 * and NCHW graphs are understood; a mismatched shape skips that one batch norm instead of failing
 * the transform; batch-norm constants still read by other nodes are kept (TF's integrity check
 * rejects such replacements but still reports a change, so its fixed-point loop never ends, TF
 * issue #31877). All matches are found in one linear pass: the guards make matches disjoint, so
 * the result is TF's fixed point. Nodes outside the match keep their positions and objects; the
 * rescaled weights Const keeps its device and other attributes; new nodes get the conv's device.
 */
import { defineTransform, param, lazyApply } from '../transform/define';

const NAME = 'fold_old_batch_norms';

export const foldOldBatchNorms = defineTransform({
  name: NAME,
  summary: 'Folds BatchNormWithGlobalNormalization and FusedBatchNorm (V1-V3) into the preceding convolution weights plus a BiasAdd.',
  description: [
    'Matches a batch norm whose input is `Conv2D`/`DepthwiseConv2dNative` with constant weights, optionally',
    'followed by a `BiasAdd`/`Add` of a constant (the Keras layout), or such convolutions behind a',
    '`BatchToSpaceND` or a `ConcatV2`, with all four batch-norm parameters constant. Folds in one pass,',
    'refuses (with a diagnostic) shared weights, training-mode batch norms and other unsafe matches.',
    'See docs/batch-norm-folding.md.',
  ].join(' '),
  params: {
    allow_training_mode: param.bool({ doc: 'Also fold FusedBatchNorm nodes whose is_training is true (or absent), as TensorFlow does. Changes results unless the graph is only ever run with moving statistics.', default: false }),
  },
  requires: ['fold_constants'],
  counters: {
    folded: 'Batch norm nodes folded into the weights of the conv before them.',
    skipped: 'Batch norms left alone, each with a diagnostic.',
  },
  codes: {
    'bad-shape': { severity: 'warning', doc: 'A batch norm input or the conv has a shape that does not match per-channel folding.' },
    'training-mode': { severity: 'warning', doc: 'A FusedBatchNorm in training mode (is_training true or absent); left unless allow_training_mode.' },
    'not-const': { severity: 'info', doc: 'A statistic, the weights or a concat axis is not a Const; run fold_constants first.' },
    'unsupported-dtype': { severity: 'warning', doc: 'A statistic or the weights are not float.' },
    'bad-attr': { severity: 'warning', doc: 'The legacy batch norm lacks variance_epsilon or scale_after_normalization.' },
    'no-linear-input': { severity: 'info', doc: 'The batch norm does not read a conv or MatMul with constant weights.' },
    'shared-output': { severity: 'warning', doc: 'A node of the chain is also read elsewhere, so folding would change what that reader sees.' },
    'shared-weights': { severity: 'warning', doc: 'The weights Const is also read by another node; rescaling it would change that node.' },
    'data-format': { severity: 'warning', doc: 'The batch norm and the conv use different data formats.' },
    protected: { severity: 'warning', doc: 'A node of the chain is a graph input or output.' },
  },
  apply: lazyApply(() => import('./apply/fold-old-batch-norms')),
});
