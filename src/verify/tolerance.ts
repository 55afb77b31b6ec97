/**
 * Comparing two output tensors element by element, numpy `allclose` style.
 *
 * The rule (docs/verification.md): the first tensor is the reference `a`, the second the
 * candidate `b`, and an element passes when
 *
 *     |b - a| <= atol + rtol * |a|
 *
 * NaN equals NaN only when both are NaN; an infinity equals only the same infinity. Integer,
 * bool and string outputs must be equal exactly (a class index off by one is not "close").
 * Shapes and dtypes must match; a mismatch fails without looking at the values.
 */
import { baseDType, isFloatDType } from '../ir/dtype';
import { type Tensor, numElements, tensorStrings, tensorToArray, tensorToNumbers } from '../ir/tensor';
import { checkObject, checkTensorArgument } from '../ir/check';

/** Default relative tolerance: float32 reassociation (folding, fused ops) stays well below it. */
export const DEFAULT_RTOL = 1e-4;
/** Default absolute tolerance: for elements at or near zero, where a relative bound means nothing. */
export const DEFAULT_ATOL = 1e-5;

export interface Tolerance {
  readonly rtol: number;
  readonly atol: number;
}

/** How one output of the candidate compares with the reference. */
export interface TensorComparison {
  readonly dtype: string;
  readonly shape: readonly number[];
  /** max |b - a| over the elements (0 when equal; Infinity when an infinity or NaN differs). */
  readonly maxAbsDiff: number;
  /** max |b - a| / |a| over the elements (Infinity where a is 0 and b is not). */
  readonly maxRelDiff: number;
  /** Elements outside the tolerance. */
  readonly mismatches: number;
  /** Elements where exactly one side is NaN. */
  readonly nanMismatches: number;
  /** Index (flat, row-major) of the element with the largest |b - a| beyond tolerance, if any. */
  readonly worstIndex?: number;
  readonly pass: boolean;
  /** Why the comparison failed before looking at values (dtype or shape differ). */
  readonly reason?: string;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function fmtShape(s: readonly number[]): string {
  return `[${s.join(',')}]`;
}

/**
 * Compares candidate `b` against reference `a` under `tol` (see the module comment for the rule).
 *
 * @example
 * ```ts
 * compareTensors(makeTensor('float', [2], [1, 2]), makeTensor('float', [2], [1, 2.001]), { rtol: 1e-4, atol: 0 }).pass // false
 * ```
 */
export function compareTensors(a: Tensor, b: Tensor, tol: Tolerance): TensorComparison {
  checkTensorArgument('compareTensors', 'a', a);
  checkTensorArgument('compareTensors', 'b', b);
  checkObject('compareTensors', 'tol', tol, 'a Tolerance ({ rtol, atol })');
  const dtA = baseDType(a.dtype);
  const dtB = baseDType(b.dtype);
  const base = { dtype: dtA, shape: a.shape };
  const fail = (reason: string): TensorComparison => ({ ...base, maxAbsDiff: Infinity, maxRelDiff: Infinity, mismatches: numElements(a.shape), nanMismatches: 0, pass: false, reason });
  if (dtA !== dtB) return fail(`dtype differs: ${dtA} vs ${dtB}`);
  if (!sameShape(a.shape, b.shape)) return fail(`shape differs: ${fmtShape(a.shape)} vs ${fmtShape(b.shape)}`);

  if (dtA === 'string') {
    const sa = tensorStrings(a);
    const sb = tensorStrings(b);
    let mismatches = 0;
    let worst: number | undefined;
    for (let i = 0; i < sa.length; i++) {
      const x = sa[i]!;
      const y = sb[i]!;
      if (x.length !== y.length || x.some((v, k) => v !== y[k])) {
        mismatches++;
        worst ??= i;
      }
    }
    const d = mismatches > 0 ? Infinity : 0;
    return { ...base, maxAbsDiff: d, maxRelDiff: d, mismatches, nanMismatches: 0, pass: mismatches === 0, ...(worst !== undefined ? { worstIndex: worst } : {}) };
  }

  // float8 values come back as raw bit patterns, so they are compared exactly too.
  if (!isFloatDType(dtA) || dtA.startsWith('float8')) return compareExact(a, b, base);
  return compareClose(tensorToNumbers(a), tensorToNumbers(b), tol, base);
}

/** Integers, bools, complex and float8 (kept simple): equal or not; the diffs are still reported. */
function compareExact(a: Tensor, b: Tensor, base: { dtype: string; shape: readonly number[] }): TensorComparison {
  const xa = tensorToArray(a);
  const xb = tensorToArray(b);
  let maxAbs = 0;
  let maxRel = 0;
  let mismatches = 0;
  let worst: number | undefined;
  let worstDiff = -1;
  for (let i = 0; i < xa.length; i++) {
    const x = xa[i]!;
    const y = xb[i]!;
    if (x === y) continue;
    mismatches++;
    // bigint - bigint stays exact; Number() only for reporting.
    const diff = typeof x === 'bigint' ? Number(x > (y as bigint) ? x - (y as bigint) : (y as bigint) - x) : Math.abs((y as number) - x);
    const mag = Math.abs(Number(x));
    const rel = mag === 0 ? Infinity : diff / mag;
    if (diff > worstDiff) {
      worstDiff = diff;
      worst = i;
    }
    if (diff > maxAbs) maxAbs = diff;
    if (rel > maxRel) maxRel = rel;
  }
  return { ...base, maxAbsDiff: maxAbs, maxRelDiff: maxRel, mismatches, nanMismatches: 0, pass: mismatches === 0, ...(worst !== undefined ? { worstIndex: worst } : {}) };
}

function compareClose(xa: readonly number[], xb: readonly number[], tol: Tolerance, base: { dtype: string; shape: readonly number[] }): TensorComparison {
  let maxAbs = 0;
  let maxRel = 0;
  let mismatches = 0;
  let nanMismatches = 0;
  let worst: number | undefined;
  let worstDiff = -1;
  for (let i = 0; i < xa.length; i++) {
    const x = xa[i]!;
    const y = xb[i]!;
    // Equal values (including equal infinities) differ by nothing; inf - inf would be NaN.
    if (x === y) continue;
    const nx = Number.isNaN(x);
    const ny = Number.isNaN(y);
    if (nx && ny) continue;
    let diff: number;
    let ok: boolean;
    if (nx || ny) {
      nanMismatches++;
      diff = Infinity;
      ok = false;
    } else if (!Number.isFinite(x) || !Number.isFinite(y)) {
      // Unequal with an infinity on either side: the bound rtol * |inf| would accept anything.
      diff = Infinity;
      ok = false;
    } else {
      diff = Math.abs(y - x);
      ok = diff <= tol.atol + tol.rtol * Math.abs(x);
    }
    const mag = Math.abs(x);
    const rel = nx || ny ? Infinity : mag === 0 ? Infinity : diff / mag;
    if (diff > maxAbs) maxAbs = diff;
    if (rel > maxRel) maxRel = rel;
    if (!ok) {
      mismatches++;
      if (diff > worstDiff) {
        worstDiff = diff;
        worst = i;
      }
    }
  }
  return { ...base, maxAbsDiff: maxAbs, maxRelDiff: maxRel, mismatches, nanMismatches, pass: mismatches === 0, ...(worst !== undefined ? { worstIndex: worst } : {}) };
}
