import { describe, expect, it } from 'vitest';
import { graphBuilder } from '../../src/ir/builder';
import { attr } from '../../src/ir/attr';
import { makeTensor, tensorToNumbers } from '../../src/ir/tensor';
import { bench, formatBench, latencyStats, quantile } from '../../src/workflow/bench';
import { benchFeeds } from '../../src/workflow/bench-run';

describe('latency statistics', () => {
  it('takes the median, p10/p90 (interpolated) and MAD, robust to one slow run', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([10, 20], 0.1)).toBeCloseTo(11, 10);
    const s = latencyStats('a', [5, 1, 3, 2, 4, 100]);
    expect(s.median).toBe(3.5);
    expect(s.min).toBe(1);
    expect(s.max).toBe(100);
    expect(s.mean).toBeCloseTo(115 / 6, 10);
    // deviations from 3.5: 1.5 2.5 0.5 1.5 0.5 96.5 → sorted 0.5 0.5 1.5 1.5 2.5 96.5 → median 1.5
    expect(s.mad).toBe(1.5);
    expect(s.samples).toEqual([5, 1, 3, 2, 4, 100]);
  });
});

function addGraph() {
  const b = graphBuilder();
  const x = b.placeholder('x', 'float', [-1, 3]);
  const c = b.const('c', makeTensor('float', [3], [1, 2, 3]));
  b.op('Add', [x, c], { T: attr.type('float') }, 'y');
  return b.graph();
}

describe('bench', () => {
  it('feeds fixed inputs at the batch size, the same values for models sharing input keys', () => {
    const g = addGraph();
    const a = benchFeeds({ label: 'a', graph: g, inputs: [{ tensor: 'x:0', key: 'x' }], outputs: ['y'] }, 7, 5);
    const b = benchFeeds({ label: 'b', graph: g, inputs: [{ tensor: 'x:0', key: 'x' }], outputs: ['y'] }, 7, 5);
    expect(a['x:0']!.shape).toEqual([5, 3]);
    expect(tensorToNumbers(a['x:0']!)).toEqual(tensorToNumbers(b['x:0']!));
    const other = benchFeeds({ label: 'c', graph: g, inputs: [{ tensor: 'x:0', key: 'x' }], outputs: ['y'] }, 8, 5);
    expect(tensorToNumbers(other['x:0']!)).not.toEqual(tensorToNumbers(a['x:0']!));
  });

  it('runs warm-up then interleaved timed rounds, alternating which model goes first', async () => {
    const g = addGraph();
    const rounds: number[] = [];
    const r = await bench(
      [
        { label: 'A', graph: g, inputs: [{ tensor: 'x' }], outputs: ['y'] },
        { label: 'B', graph: g, inputs: [{ tensor: 'x' }], outputs: ['y'] },
      ],
      { batch: 4, runs: 6, warmup: 1, backend: 'cpu', onRound: (i) => rounds.push(i) },
    );
    expect(rounds).toEqual([1, 2, 3, 4, 5, 6]);
    expect(r.models.map((m) => [m.label, m.runs, m.samples.length])).toEqual([['A', 6, 6], ['B', 6, 6]]);
    expect(r.speedup).toBeCloseTo(r.models[0]!.median / r.models[1]!.median, 10);
    expect(r.feeds[0]!.inputs).toEqual([{ tensor: 'x', dtype: 'float', shape: [4, 3] }]);
    expect(formatBench(r)).toMatch(/speedup: \d+\.\d\dx \(median A \/ median B\)\nbatch 4, 1 warm-up \+ 6 timed runs per model, interleaved, backend cpu, seed 1$/);
  });

  it('refuses bad counts and a model it cannot run, before timing', async () => {
    const g = addGraph();
    const t = { label: 'A', graph: g, inputs: [{ tensor: 'x' }], outputs: ['y'] };
    await expect(bench([t], { runs: 0 })).rejects.toMatchObject({ code: 'api/bad-argument', param: 'runs' });
    await expect(bench([t], { batch: 1.5 })).rejects.toMatchObject({ code: 'api/bad-argument', param: 'batch' });
    await expect(bench([])).rejects.toMatchObject({ code: 'api/bad-argument', param: 'targets' });
    await expect(bench([{ ...t, outputs: ['nope'] }], { backend: 'cpu', runs: 1 })).rejects.toMatchObject({ code: 'graph/missing-node', message: expect.stringMatching(/^A: /) });
  });
});
