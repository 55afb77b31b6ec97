/**
 * `quantize_nodes`: TensorFlow's eight-bit rewrite (spec §10). Float ops with a quantized kernel
 * run on quint8 values: each is replaced by its `Quantized*` op fed by `QuantizeV2` chains that
 * measure their input's range at run time, followed (for ops with a 32-bit result) by
 * `RequantizationRange` + `Requantize` back to eight bits, and a `Dequantize` that keeps the
 * float op's name, so consumers are untouched.
 *
 * Passes, in order (each followed by a dangling-input check):
 * 1. quantize placeholders (only with `input_min`/`input_max`): float `Placeholder`s take quint8,
 *    and a `Dequantize` in the given range feeds their consumers;
 * 2. hoist `FakeQuantWithMinMaxVars` above up to three single-input ops (depth 3, 2, 1);
 * 3. turn each `FakeQuantWithMinMaxVars(*, Const, Const)` into `QuantizeV2` (qint32) →
 *    `Requantize` into its range → `Dequantize`;
 * 4. the main replacement, one node at a time (table below);
 * 5. merge `Requantize → Dequantize → QuantizeV2 → Requantize` into the outer `Requantize`
 *    (a dynamic range followed by a FakeQuant's constant range becomes one constant range);
 * 6. `merge_duplicate_nodes`;
 * 7. remove redundant `Dequantize → QuantizeV2` pairs: eight-bit consumers read the upstream
 *    eight-bit tensor directly. The float chains left behind are dead; run `strip_unused_nodes`.
 *
 * Quantized ops (float op → `Quantized<op>`): Add, AvgPool, BiasAdd, Concat (legacy, dim first),
 * Conv2D, MatMul, MaxPool, Mul, Relu, Relu6, ResizeBilinear, Reshape. Not quantized, as in
 * TensorFlow: ConcatV2, DepthwiseConv2dNative, Softmax, Sub, Mean, and everything else.
 *
 * Differences from TensorFlow (each reported as a diagnostic where it applies):
 * - control inputs of a quantized op are not "quantized" (TF builds a `__hat__` chain reading
 *   `^x`); they move to the `…/eightbit` node;
 * - only float placeholders are quantized (TF turns every Placeholder into quint8, breaking
 *   integer inputs);
 * - a node whose `data_format` is not NHWC, or whose `dilations` are not all 1, is left in float
 *   (TF drops those attributes, silently changing the result);
 * - pass 7 only short-circuits a `QuantizeV2` whose type equals the `Dequantize`'s (TF would wire
 *   a quint8 tensor into a qint32 consumer when pass 5 could not merge);
 * - a node reading the same tensor twice (`MatMul(x, x)`) gets one quantize chain, not two
 *   chains with the same names;
 * - the output keeps the graph's library and versions, and node order (merge_duplicate_nodes
 *   keeps graph order, TF's uses hash order).
 */
import { defineTransform, param, lazyApply } from '../transform/define';
import { mergeDuplicateNodes } from './merge-duplicate-nodes';

const NAME = 'quantize_nodes';

export const quantizeNodes = defineTransform({
  name: NAME,
  lossy: true,
  summary: 'Replaces float ops with their eight-bit Quantized* forms (QuantizeV2 in, Requantize/Dequantize out).',
  description: [
    "TensorFlow's eight-bit rewrite: Conv2D, MatMul, BiasAdd, Add, Mul, Relu, Relu6, MaxPool, AvgPool,",
    'legacy Concat, Reshape and ResizeBilinear run on quint8, with ranges measured at run time',
    '(or `fallback_min`/`fallback_max`, or frozen later by `freeze_requantization_ranges`). Run',
    '`quantize_weights` before it and `strip_unused_nodes` after it. See docs/quantization.md.',
  ].join(' '),
  params: {
    input_min: param.float({ doc: 'With input_max: the float range of every float Placeholder, which then takes quint8.' }),
    input_max: param.float({ doc: 'See input_min.' }),
    fallback_min: param.float({ doc: 'With fallback_max: a fixed range for 32→8-bit requantization instead of a RequantizationRange op.' }),
    fallback_max: param.float({ doc: 'See fallback_min.' }),
    ignore_op: param.repeated(param.string({ doc: 'A float op type to leave in float.' })),
  },
  requires: ['quantize_weights'],
  counters: {
    quantized: 'Float ops replaced by their eight-bit forms.',
  },
  codes: {
    'placeholder-not-float': { severity: 'info', doc: 'A Placeholder that is not float; left as it is (TensorFlow would make it quint8).' },
    'left-float': { severity: 'info', doc: 'An op left in float (ignore_op, or inputs that cannot be quantized).' },
  },
  apply: lazyApply(() => import('./apply/quantize-nodes'), [mergeDuplicateNodes]),
});
