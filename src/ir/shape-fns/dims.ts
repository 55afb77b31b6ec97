/**
 * Static shapes as shape inference sees them: a dims array with -1 for an unknown dimension, or
 * null when even the rank is unknown. These are TensorFlow's `InferenceContext` operations
 * (`Merge`, `Relax`, broadcasting) over that plain representation; graft keeps no symbolic
 * dimensions, so two unknown dimensions are never known to be equal.
 */

/** A static shape: dims with -1 for unknown, or null for unknown rank. */
export type Dims = readonly number[] | null;
import { checkArray } from '../check';

/** True when some tensor could have both shapes (same rank when both known, equal known dims). */
export function compatible(a: Dims, b: Dims): boolean {
  if (a === null || b === null) return true;
  if (a.length !== b.length) return false;
  return a.every((d, i) => d < 0 || b[i]! < 0 || d === b[i]);
}

/** The most specific shape compatible with both; on a conflict, the relaxation (sound either way). */
export function mergeDims(a: Dims, b: Dims): Dims {
  if (a === null) return b;
  if (b === null) return a;
  if (a.length !== b.length) return null;
  return a.map((d, i) => {
    const e = b[i]!;
    if (d < 0) return e;
    if (e < 0) return d;
    return d === e ? d : -1;
  });
}

/** The most specific shape that holds both (TensorFlow's `Relax`): differing dims become unknown. */
export function relaxDims(a: Dims, b: Dims): Dims {
  if (a === null || b === null) return null;
  if (a.length !== b.length) return null;
  return a.map((d, i) => (d === b[i] ? d : -1));
}

/** Numpy broadcasting as `BroadcastBinaryOpOutputShapeFnHelper` does it statically. */
export function broadcastDims(a: Dims, b: Dims): Dims {
  if (a === null || b === null) return null;
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = i < rank - a.length ? 1 : a[i - (rank - a.length)]!;
    const y = i < rank - b.length ? 1 : b[i - (rank - b.length)]!;
    if (x > 1) out.push(x);
    else if (y > 1) out.push(y);
    else if (x === 1) out.push(y);
    else if (y === 1) out.push(x);
    else if (x === 0 || y === 0) out.push(0); // the other is 0 or unknown: TF merges them
    else out.push(-1);
  }
  return out;
}

/** The number of elements, or -1 when not known. */
export function numElementsOf(d: Dims): number {
  if (d === null) return -1;
  let n = 1;
  for (const x of d) {
    if (x < 0) return -1;
    n *= x;
  }
  return n;
}

/** `n` unknown dims. */
export function unknownDims(n: number): number[] {
  return Array.from({ length: n }, () => -1);
}

/** Text such as `[?,10]` or `<unknown>`. */
export function formatDims(d: Dims): string {
  if (d !== null && !Array.isArray(d)) checkArray('formatDims', 'd', d, 'an array of dimensions (or null: unknown rank)');
  return d === null ? '<unknown>' : `[${d.map((x) => (x < 0 ? '?' : String(x))).join(',')}]`;
}
