/**
 * `quantize_weights(minimum_size=1024, mode=eight_bit, include=…, exclude=…)`: stores large float
 * constants in fewer bytes, and decodes them back to float in the graph.
 *
 * Matches: every `Const` whose `dtype` is `float` with at least `minimum_size` elements (and, with
 * graft's extra filters, whose name matches an `include` pattern, if any, and no `exclude` pattern).
 *
 * `mode=eight_bit` (TensorFlow's transform, spec §9), per tensor:
 * - range: `min` starts at +FLT_MAX and `max` at FLT_MIN (1.17549435e-38, TensorFlow's choice);
 *   both fold in every value, then zero is forced in: `min = min(min, 0)`, `max = max(max, 0)`.
 *   An all-non-positive tensor therefore has `max` = FLT_MIN, not 0. (A `min == max` widening
 *   rule follows, unreachable since zero-forcing, kept for parity.)
 * - codes, in double from the float values: `scale = 256 / ((max − min)·256/255)`,
 *   `q = round(x·scale) − round(min·scale)`, clamped to [0, 255], where `round` takes halves away
 *   from zero (C's `round`; JS `Math.round` rounds −127.5 to −127).
 * - emitted at the Const's position: `<name>_quantized_const` (quint8, same shape),
 *   `<name>_quantized_min`, `<name>_quantized_max` (float scalars), and `<name>`:
 *   `Dequantize(T=quint8, mode="MIN_FIRST")` of the three, so consumers keep reading `<name>`.
 *   MIN_FIRST decodes `q` as `round(min/step)·step + q·step` (`step = (max − min)/255`), which
 *   makes 0.0 exact.
 *
 * `mode=float16` (graft): `<name>_float16_const` (half, round to nearest even) and `<name>`:
 * `Cast(SrcT=half, DstT=float)`. Halves the bytes; relative error ≤ 2^-11 for normal halves.
 *
 * Reported: counters `quantized`, `bytes_before`, `bytes_after` (tensor payload bytes of the
 * replaced constants and of their replacements, min/max included), and one info diagnostic
 * `quantize_weights/quantized` per tensor with its bytes before and after and the largest
 * absolute difference between each value and its decoded value (computed on the host with the
 * decoder's own arithmetic).
 *
 * Differences from TensorFlow (all documented in docs/quantization.md):
 * - A Const stored as a short value list whose last value repeats (TensorFlow's compact form, e.g.
 *   a zeros initializer) gets its codes in the same compact form, so the file does not grow
 *   (TensorFlow writes every code out).
 * - The original Const's device is kept on the new nodes, and its control inputs move to the new
 *   Consts (TensorFlow drops both: a Const inside a while-loop body then leaves its frame).
 *   Other attributes (`_class`, …) are dropped, as in TensorFlow.
 * - A tensor holding NaN or ±Inf is left unchanged with a `quantize_weights/non-finite` warning
 *   (TensorFlow produces undefined codes); in float16 mode, so is one with a value beyond the half
 *   range (±65504), `quantize_weights/out-of-range`.
 * - A generated name that an existing node already has gets a `_1`, `_2`… suffix (TensorFlow
 *   emits a duplicate name and an invalid graph).
 * - Only the main graph is rewritten, as in TensorFlow; function bodies are left alone.
 */
import { defineTransform, param, lazyApply } from '../transform/define';

export const NAME = 'quantize_weights';

export const quantizeWeights = defineTransform({
  name: NAME,
  lossy: true,
  summary: 'Stores float Consts of minimum_size or more elements as 8-bit codes plus a Dequantize (or as half plus a Cast).',
  description: [
    'TensorFlow\'s transform: each float `Const` with at least `minimum_size` elements becomes a quint8 `Const`',
    '(`<name>_quantized_const`), its float range (`<name>_quantized_min`, `<name>_quantized_max`) and a',
    '`Dequantize` (mode `MIN_FIRST`) named `<name>`, with TensorFlow\'s rounding and range rules. graft adds',
    '`mode=float16` (a `half` Const and a `Cast`), `include`/`exclude` name patterns, and reports each',
    'tensor\'s bytes before and after and its largest absolute error. Shrinks the file, not the compute:',
    'weights are decoded back to float when the graph runs. See docs/quantization.md.',
  ].join(' '),
  params: {
    minimum_size: param.int({ doc: 'Float Consts with fewer elements are left alone.', default: 1024, min: 0 }),
    mode: param.enum(['eight_bit', 'float16'], {
      doc: '`eight_bit`: quint8 codes + Dequantize (TensorFlow). `float16`: half + Cast (graft).',
      default: 'eight_bit',
    }),
    include: param.repeated(param.string({ doc: 'Only Consts whose name matches: a glob (`*`, `?`; quote it) or a `/regex/`, matching the whole name (repeat for several; default all).' })),
    exclude: param.repeated(param.string({ doc: 'Never Consts whose name matches: a glob or a `/regex/`, as for include (repeat for several; wins over include).' })),
  },
  counters: {
    quantized: 'Weight constants quantized.',
    bytes_before: 'Payload bytes of those constants before.',
    bytes_after: 'Payload bytes after (values plus ranges).',
  },
  codes: {
    'non-finite': { severity: 'warning', doc: 'A constant holding NaN or infinite values; left as float.' },
    'out-of-range': { severity: 'warning', doc: 'A constant with values beyond the float16 range; left as float.' },
    quantized: { severity: 'info', doc: 'One constant quantized: its bytes before and after and the largest error.' },
  },
  apply: lazyApply(() => import('./apply/quantize-weights')),
});
