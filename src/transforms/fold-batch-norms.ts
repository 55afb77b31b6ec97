/**
 * `fold_batch_norms`: folds a per-channel `Mul` (a batch norm's scale, once `fold_constants` has
 * collapsed `gamma · rsqrt(var + eps)` into one Const) into the weights of the linear op before it.
 *
 * Matches (spec §7, then graft's extensions):
 * ```
 * Mul( conv(*, Const w), Const s )                         TensorFlow's pattern
 * Mul( conv(*, Const w) → BiasAdd|Add(Const b), Const s )  the bias-separated form (Keras, slim)
 *   … optionally followed by Add|AddV2|BiasAdd(·, Const o) the decomposed batch norm's offset
 * ```
 * conv is `Conv2D`, `DepthwiseConv2dNative` or `MatMul`; `Mul`'s operands may come in either order.
 *
 * Math: `(x ⊛ w + b) · s + o = x ⊛ (w · s) + (b · s + o)` per output channel (float32 multiplies
 * for float weights, as TF). The weights Const keeps its name with the scaled values. Without a
 * bias or an offset, the conv is renamed to the Mul (exactly TensorFlow's output); otherwise the
 * conv keeps its name and a `BiasAdd` named after the last folded node reads a new Const
 * `<conv>_bn_offset` = `b · s + o`.
 *
 * `s`, `b` and `o` must hold one value per output channel, laid along the channel axis (`[C]` or
 * `[1,1,1,C]` for NHWC and MatMul, `[C,1,1]`/`[1,C,1,1]` for NCHW), or be a scalar (the same for
 * every channel).
 *
 * Left alone, with a diagnostic (`fold_batch_norms/<code>`, warnings): `shared-weights` (the
 * weights Const is read elsewhere), `shared-output` (the conv or bias add is read elsewhere),
 * `protected`, `bad-shape` (a constant that broadcasts along another axis), `unsupported-dtype`
 * (weights not float/double), `data-format`; `not-const` (info: weights not a Const yet).
 *
 * Differences from TensorFlow: the bias/offset forms and `Mul(Const, conv)` are folded; MatMul's
 * `transpose_b` is honoured (TF scales the wrong axis); NCHW channel vectors are understood (TF
 * would scale by the last axis); a bad shape skips that match instead of failing the whole
 * transform; the Mul's control inputs move to the node that takes its name (TF drops them); a
 * scale Const still read elsewhere is kept; two folds whose convolutions read the same input
 * are both done in one run (TF's matcher claims the shared input for the first match only, so it
 * needs a second run). Nodes outside a match keep their objects and positions (TF moves the
 * conv's input next to the Mul).
 */
import { defineTransform, lazyApply } from '../transform/define';

const NAME = 'fold_batch_norms';

export const foldBatchNorms = defineTransform({
  name: NAME,
  summary: 'Folds a per-channel Mul (and the Add after it) into the weights of the Conv2D, DepthwiseConv2dNative or MatMul before it.',
  description: [
    "TensorFlow's `Mul(conv(*, Const), Const)` pattern, plus the forms real models have: a `BiasAdd`/`Add`",
    'between the conv and the Mul, and the offset `Add` after it (a batch norm decomposed by',
    '`fold_constants`). Shared weights, shared intermediate outputs and non-per-channel constants are',
    'left alone with a diagnostic. Run `fold_constants` first. See docs/batch-norm-folding.md.',
  ].join(' '),
  params: {},
  requires: ['fold_constants'],
  counters: {
    folded: 'Batch norms (Mul after a conv or MatMul) folded into the weights.',
    skipped: 'Matches left alone, each with a diagnostic.',
  },
  codes: {
    'shared-weights': { severity: 'warning', doc: 'The weights Const is also read by another node; rescaling it would change that node.' },
    'shared-output': { severity: 'warning', doc: 'The conv or bias add is also read outside the chain; folding would change what that reader sees.' },
    protected: { severity: 'warning', doc: 'A node of the chain is a graph input or output.' },
    'not-const': { severity: 'info', doc: 'The weights or the scale are not a Const; run fold_constants first.' },
    'bad-shape': { severity: 'warning', doc: 'The scale or bias is not one value per output channel.' },
    'unsupported-dtype': { severity: 'warning', doc: 'The weights are not float or double, or the bias dtype differs.' },
    'data-format': { severity: 'warning', doc: 'The bias add and the conv use different data formats.' },
  },
  apply: lazyApply(() => import('./apply/fold-batch-norms')),
});
