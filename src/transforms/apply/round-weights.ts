/**
 * The body of `roundWeights` (round-weights.ts declares it and says what it does, and where it
 * differs from TensorFlow), loaded with `import()` the first time the transform runs.
 */
import { attr } from '../../ir/attr';
import { baseDType } from '../../ir/dtype';
import { mapNodes, setAttrs } from '../../ir/edit';
import { numElements } from '../../ir/tensor';
import type { ApplyOf } from '../../transform/define';
import { floatArray, floatTensor } from '../shared/conv-weights';
import type { roundWeights } from '../round-weights';

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

export const apply: ApplyOf<typeof roundWeights> = (graph, params, ctx) => {
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
};
