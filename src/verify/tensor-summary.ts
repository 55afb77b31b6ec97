/**
 * A short description of an output tensor for people: min, max, mean, the index of the largest
 * value along the last axis (a classifier's answer), and the first values.
 */
import { baseDType } from '../ir/dtype';
import { type Tensor, numElements, tensorStrings, tensorToNumbers } from '../ir/tensor';

export interface TensorSummaryStats {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly elements: number;
  readonly min?: number;
  readonly max?: number;
  readonly mean?: number;
  /** Index of the largest value along the last axis, one per row (rank >= 1, numeric, last dim > 1). */
  readonly argmax?: readonly number[];
  /** Up to `limit` values in row-major order (strings decoded as UTF-8). */
  readonly values: readonly (number | string)[];
  /** True when `values` holds every element. */
  readonly complete: boolean;
}

/**
 * Summarizes a tensor.
 *
 * @example
 * ```ts
 * summarizeTensor(softmax).argmax // [9]
 * ```
 */
export function summarizeTensor(t: Tensor, limit = 20): TensorSummaryStats {
  const n = numElements(t.shape);
  const dtype = baseDType(t.dtype);
  const base = { dtype, shape: t.shape, elements: n };
  if (t.data.kind === 'strings' || dtype === 'string') {
    const dec = new TextDecoder();
    const s = tensorStrings(t);
    return { ...base, values: s.slice(0, limit).map((v) => dec.decode(v)), complete: s.length <= limit };
  }
  if (t.data.kind === 'opaque') return { ...base, values: [], complete: false };
  const xs = tensorToNumbers(t);
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const x of xs) {
    if (x < min) min = x;
    if (x > max) max = x;
    sum += x;
  }
  const last = t.shape.length > 0 ? t.shape[t.shape.length - 1]! : 0;
  let argmax: number[] | undefined;
  if (last > 1 && n > 0) {
    argmax = [];
    for (let r = 0; r < n / last; r++) {
      let best = 0;
      for (let j = 1; j < last; j++) if (xs[r * last + j]! > xs[r * last + best]!) best = j;
      argmax.push(best);
    }
  }
  return {
    ...base,
    ...(n > 0 ? { min, max, mean: sum / n } : {}),
    ...(argmax ? { argmax } : {}),
    values: xs.slice(0, limit),
    complete: xs.length <= limit,
  };
}

function fmt(v: number | string): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (Number.isInteger(v)) return String(v);
  if (!Number.isFinite(v)) return String(v);
  const m = Math.abs(v);
  return m !== 0 && (m < 1e-4 || m >= 1e7) ? v.toExponential(5).replace(/\.?0+e/, 'e') : String(Number(v.toPrecision(6)));
}

/** Two or three lines: `name: float [1,10]`, the values, and min/max/mean/argmax. */
export function formatTensorSummary(name: string, s: TensorSummaryStats): string {
  const lines = [`${name}: ${s.dtype} [${s.shape.join(',')}]`];
  if (s.values.length > 0) lines.push(`  values: ${s.values.map(fmt).join(' ')}${s.complete ? '' : ` … (${s.elements} elements)`}`);
  const stats: string[] = [];
  if (s.min !== undefined) stats.push(`min ${fmt(s.min)}`, `max ${fmt(s.max!)}`, `mean ${fmt(s.mean!)}`);
  if (s.argmax) stats.push(`argmax ${s.argmax.length <= 20 ? s.argmax.join(',') : `${s.argmax.slice(0, 20).join(',')},…`}`);
  if (stats.length > 0) lines.push(`  ${stats.join('  ')}`);
  return lines.join('\n');
}
