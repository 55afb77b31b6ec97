/** compare(): two graphs, the same inputs, per-output diffs and a verdict. */
import { describe, expect, it } from 'vitest';
import { attr } from '../../src/ir/attr';
import type { Graph } from '../../src/ir/graph';
import { makeTensor } from '../../src/ir/tensor';
import { compare, formatCompareReport } from '../../src/verify/compare';
import { graphBuilder } from '../helpers/graph-builder';

/** y = x * w (float), k = n + c (int32). */
function model(w: number[], c: number[] = [1, 2]): Graph {
  const b = graphBuilder();
  const x = b.placeholder('x', 'float', [-1, 3]);
  const n = b.placeholder('n', 'int32', [2]);
  const wc = b.const('w', makeTensor('float', [3], w));
  const cc = b.const('c', makeTensor('int32', [2], c));
  b.op('Mul', [x, wc], { T: attr.type('float') }, 'y');
  b.op('AddV2', [n, cc], { T: attr.type('int32') }, 'k');
  return b.graph();
}

const x = makeTensor('float', [1, 3], [1, 1, 2]);

describe('compare', () => {
  it('passes a graph against itself with zero differences', async () => {
    const g = model([1, 2, 3]);
    const r = await compare(g, g, { outputs: ['y', 'k'], batch: 2 });
    expect(r.pass).toBe(true);
    expect(r.outputs.map((o) => [o.name, o.maxAbsDiff, o.maxRelDiff, o.pass])).toEqual([
      ['y', 0, 0, true],
      ['k', 0, 0, true],
    ]);
    // Both inputs generated, unknown dim = batch.
    expect(r.feeds).toEqual([
      { name: 'x', dtype: 'float', shape: [2, 3], generated: true },
      { name: 'n', dtype: 'int32', shape: [2], generated: true },
    ]);
    expect(r.outputs[0]!.shape).toEqual([2, 3]);
    expect(formatCompareReport(r)).toMatch(/PASS: all 2 outputs agree/);
  });

  it('fails a perturbed Const and reports the right max differences', async () => {
    const r = await compare(model([1, 2, 3]), model([1, 2, 3.5]), { outputs: ['y', 'k'], feeds: { x } });
    expect(r.pass).toBe(false);
    const y = r.outputs[0]!;
    // x[2] = 2: 2*3 = 6 against 2*3.5 = 7.
    expect(y).toMatchObject({ name: 'y', pass: false, mismatches: 1, worstIndex: 2, nanMismatch: false });
    expect(y.maxAbsDiff).toBeCloseTo(1, 6);
    expect(y.maxRelDiff).toBeCloseTo(1 / 6, 6);
    expect(r.outputs[1]!.pass).toBe(true);
    expect(r.feeds[0]).toEqual({ name: 'x', dtype: 'float', shape: [1, 3], generated: false });
    const text = formatCompareReport(r);
    expect(text).toMatch(/y\s+float\s+\[1,3\]\s+1\s+0\.167\s+1\s+FAIL/);
    expect(text).toMatch(/FAIL: 1 of 2 outputs differs/);
  });

  it('passes a perturbation inside the tolerance, and fails it when the tolerance shrinks', async () => {
    const a = model([1, 2, 3]);
    const b = model([1, 2, 3.0001]);
    expect((await compare(a, b, { outputs: ['y'], feeds: { x }, rtol: 1e-4 })).pass).toBe(true);
    expect((await compare(a, b, { outputs: ['y'], feeds: { x }, rtol: 1e-6, atol: 0 })).pass).toBe(false);
  });

  it('requires integer outputs to be equal exactly, whatever the tolerance', async () => {
    const r = await compare(model([1, 2, 3], [1, 2]), model([1, 2, 3], [1, 3]), { outputs: ['k'], rtol: 1, atol: 10 });
    expect(r.pass).toBe(false);
    expect(r.outputs[0]).toMatchObject({ dtype: 'int32', maxAbsDiff: 1, mismatches: 1 });
  });

  it('feeds both sides the same generated inputs (a graph that ignores its weights agrees only then)', async () => {
    // b computes x * 1 + x * 1 + x * 1 = 3x, a computes x * 3: equal only for equal x.
    const a = model([3, 3, 3]);
    const bb = graphBuilder();
    const xb = bb.placeholder('x', 'float', [-1, 3]);
    const s1 = bb.op('AddV2', [xb, xb], { T: attr.type('float') }, 's1');
    bb.op('AddV2', [s1, xb], { T: attr.type('float') }, 'y');
    const r = await compare(a, bb.graph(), { outputs: ['y'], seed: 5, batch: 3 });
    expect(r.pass).toBe(true);
    expect(r.seed).toBe(5);
    expect(r.outputs[0]!.shape).toEqual([3, 3]);
  });

  it('maps output and input names that differ in the second graph', async () => {
    const a = model([1, 2, 3]);
    const b = graphBuilder();
    const xb = b.placeholder('input', 'float', [-1, 3]);
    b.op('Mul', [xb, b.const('w', makeTensor('float', [3], [1, 2, 3]))], { T: attr.type('float') }, 'out');
    const r = await compare(a, b.graph(), { outputs: ['y'], outputsB: ['out'], inputs: ['x'], inputNamesB: { x: 'input' }, feeds: { x } });
    expect(r.pass).toBe(true);
  });

  it('refuses bad tolerances and an empty output list', async () => {
    const g = model([1, 2, 3]);
    await expect(compare(g, g, { outputs: [] })).rejects.toMatchObject({ code: 'api/bad-argument', param: 'outputs' });
    await expect(compare(g, g, { outputs: ['y'], rtol: -1 })).rejects.toMatchObject({ code: 'api/bad-argument', param: 'rtol' });
  });
});
