/** The comparison rule on its own: allclose against the first tensor, NaN, infinities, exact integers. */
import { describe, expect, it } from 'vitest';
import { makeStringTensor, makeTensor } from '../../src/ir/tensor';
import { compareTensors } from '../../src/verify/tolerance';

const tol = { rtol: 1e-3, atol: 1e-6 };
const f = (vs: number[]) => makeTensor('float', [vs.length], vs);

describe('compareTensors', () => {
  it('passes identical floats with zero diffs', () => {
    const r = compareTensors(f([1, -2, 0]), f([1, -2, 0]), tol);
    expect(r).toMatchObject({ pass: true, maxAbsDiff: 0, maxRelDiff: 0, mismatches: 0 });
  });

  it('uses |b - a| <= atol + rtol * |a| with a as the reference', () => {
    // a = 1000: the bound is 1e-6 + 1 → 1000.9 passes, 1001.5 does not.
    expect(compareTensors(f([1000]), f([1000.9]), tol).pass).toBe(true);
    const r = compareTensors(f([1000]), f([1001.5]), tol);
    expect(r.pass).toBe(false);
    expect(r.maxAbsDiff).toBeCloseTo(1.5, 5);
    expect(r.maxRelDiff).toBeCloseTo(1.5e-3, 7);
    // Swapping a and b changes the bound: the rule is asymmetric, as numpy's allclose.
    expect(compareTensors(f([0.001]), f([0.0020005]), { rtol: 1, atol: 0 }).pass).toBe(false);
    expect(compareTensors(f([0.0020005]), f([0.001]), { rtol: 1, atol: 0 }).pass).toBe(true);
  });

  it('counts mismatches and reports the worst element', () => {
    const r = compareTensors(f([1, 2, 3, 4]), f([1, 2.5, 3, 10]), tol);
    expect(r.mismatches).toBe(2);
    expect(r.worstIndex).toBe(3);
    expect(r.maxAbsDiff).toBe(6);
  });

  it('treats NaN as equal only to NaN, and infinities only to themselves', () => {
    expect(compareTensors(f([NaN, Infinity, -Infinity]), f([NaN, Infinity, -Infinity]), tol)).toMatchObject({ pass: true, maxAbsDiff: 0 });
    const r = compareTensors(f([NaN, 1]), f([1, 1]), tol);
    expect(r).toMatchObject({ pass: false, nanMismatches: 1, mismatches: 1, maxAbsDiff: Infinity });
    expect(compareTensors(f([Infinity]), f([-Infinity]), tol).pass).toBe(false);
    expect(compareTensors(f([Infinity]), f([1e30]), tol).pass).toBe(false);
  });

  it('reports a zero reference with a non-zero candidate as infinite relative difference', () => {
    const r = compareTensors(f([0]), f([1e-7]), tol);
    expect(r.pass).toBe(true); // within atol
    expect(r.maxRelDiff).toBe(Infinity);
  });

  it('requires integers and bools to be equal exactly, whatever the tolerance', () => {
    const loose = { rtol: 1, atol: 100 };
    const r = compareTensors(makeTensor('int32', [3], [9, 2, 3]), makeTensor('int32', [3], [8, 2, 3]), loose);
    expect(r).toMatchObject({ pass: false, mismatches: 1, maxAbsDiff: 1, worstIndex: 0 });
    expect(compareTensors(makeTensor('int64', [1], [2n ** 60n]), makeTensor('int64', [1], [2n ** 60n + 1n]), loose).pass).toBe(false);
    expect(compareTensors(makeTensor('bool', [2], [true, false]), makeTensor('bool', [2], [true, true]), loose).mismatches).toBe(1);
    expect(compareTensors(makeTensor('int32', [2], [5, 6]), makeTensor('int32', [2], [5, 6]), { rtol: 0, atol: 0 }).pass).toBe(true);
  });

  it('compares strings byte for byte', () => {
    expect(compareTensors(makeStringTensor([2], ['a', 'b']), makeStringTensor([2], ['a', 'b']), tol).pass).toBe(true);
    expect(compareTensors(makeStringTensor([2], ['a', 'b']), makeStringTensor([2], ['a', 'c']), tol)).toMatchObject({ pass: false, mismatches: 1 });
  });

  it('fails on a dtype or shape difference, saying which', () => {
    expect(compareTensors(f([1, 2]), makeTensor('float', [2, 1], [1, 2]), tol)).toMatchObject({ pass: false, reason: 'shape differs: [2] vs [2,1]' });
    expect(compareTensors(f([1]), makeTensor('double', [1], [1]), tol)).toMatchObject({ pass: false, reason: 'dtype differs: float vs double' });
  });
});
