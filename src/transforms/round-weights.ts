/**
 * `round_weights(num_steps=256)`: rounds the values of large float constants to `num_steps`
 * evenly spaced levels, so that the model compresses well (gzip) while staying a float model.
 *
 * Matches: every `Const` of dtype float with at least 16 elements (TF's hard-coded threshold).
 * Math (float32): `min`, `max` over the tensor; `w = (max − min) / num_steps`; each value `v`
 * becomes `min + w · (bucket + 0.5)` with `bucket = floor((v − min) / w)`, clamped to
 * `num_steps − 1`. Every value moves by at most `w / 2`, and at most `num_steps` distinct values
 * remain. The node keeps its name, shape, device and other attributes; only `value` changes.
 *
 * Differences from TensorFlow (spec §11, quirk 12):
 * - TF starts the running maximum at FLT_MIN (the smallest positive float) instead of −FLT_MAX,
 *   so an all-negative tensor gets the range [min, ~0] and coarser levels; graft uses the true max.
 * - TF does not clamp the bucket: the maximum lands in bucket `num_steps` and is mapped above the
 *   range, giving `num_steps + 1` levels; graft clamps.
 * - A tensor whose values are all equal is left unchanged (TF widens the range by a rule of
 *   thumb and shifts every value by half a step). Tensors holding NaN or ±Inf are left unchanged
 *   with a `round_weights/non-finite` warning.
 */
import { attr } from '../ir/attr';
import { baseDType } from '../ir/dtype';
import { mapNodes, setAttrs } from '../ir/edit';
import { numElements } from '../ir/tensor';
import { defineTransform, param } from '../transform/define';
import { floatArray, floatTensor } from './shared/conv-weights';

const MIN_ELEMENTS = 16;

/** The rounded copy of `values` (float32 math), or undefined when the range is empty. */
export function roundToLevels(values: Float32Array, numSteps: number): Float32Array | undefined {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!(max > min)) return undefined;
  const f = Math.fround;
  const w = f(f(max - min) / numSteps);
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const bucket = Math.min(Math.floor(f(f(values[i]! - min) / w)), numSteps - 1);
    out[i] = f(min + f(w * (bucket + 0.5)));
  }
  return out;
}

export const roundWeights = defineTransform({
  name: 'round_weights',
  lossy: true,
  summary: 'Rounds float constants of 16 or more elements to num_steps levels, so the file compresses well.',
  params: {
    num_steps: param.int({ doc: 'How many distinct levels each rounded tensor keeps.', default: 256, min: 1 }),
  },
  counters: {
    rounded: 'Weight constants rounded.',
  },
  codes: {
    'non-finite': { severity: 'warning', doc: 'A constant holding NaN or infinite values; left unrounded.' },
  },
  apply(graph, params, ctx) {
    return mapNodes(graph, (node) => {
      if (node.op !== 'Const') return node;
      const v = node.attrs['value'];
      if (v?.kind !== 'tensor' || baseDType(v.value.dtype) !== 'float' || numElements(v.value.shape) < MIN_ELEMENTS) return node;
      const values = floatArray(v.value) as Float32Array;
      if (values.some((x) => !Number.isFinite(x))) {
        ctx.report({ severity: 'warning', code: 'non-finite', node: node.name, message: `'${node.name}' holds NaN or infinite values; left unrounded` });
        return node;
      }
      const rounded = roundToLevels(values, params.numSteps);
      if (!rounded) return node;
      ctx.count('rounded');
      return setAttrs(node, { value: attr.tensor(floatTensor('float', v.value.shape, rounded)) });
    });
  },
});
