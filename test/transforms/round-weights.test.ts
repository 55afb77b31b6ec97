import { describe, expect, it } from 'vitest';
import { attr } from '../../src/ir/attr';
import type { Graph } from '../../src/ir/graph';
import type { Node } from '../../src/ir/node';
import { type Tensor, makeTensor, tensorToNumbers } from '../../src/ir/tensor';
import { roundWeights } from '../../src/transforms/round-weights';
import { graphBuilder, nodeOf, snapshot } from '../helpers/graph-builder';
import { run } from '../helpers/context';
import { expectSameOutputs } from '../helpers/numeric';

const F = attr.type('float');
const floats = (n: Node): number[] => tensorToNumbers((n.attrs['value'] as { value: Tensor }).value);

describe('round_weights', () => {
  const W = Array.from({ length: 64 }, (_, i) => Math.sin(i * 1.7) * 3 - 1);
  function graph(): Graph {
    const b = graphBuilder();
    b.const('x', makeTensor('float', [2, 8], Array.from({ length: 16 }, (_, i) => (i % 5) - 2)));
    b.const('w', makeTensor('float', [8, 8], W), { device: '/cpu:0' });
    b.op('MatMul', ['x', 'w'], { T: F }, 'y');
    b.const('small', makeTensor('float', [15], Array.from({ length: 15 }, (_, i) => i / 7)));
    b.const('ints', makeTensor('int32', [32], Array.from({ length: 32 }, (_, i) => i)));
    return b.graph();
  }

  it('rounds float Consts of 16+ elements to num_steps levels, each value within half a step', async (t) => {
    const g = graph();
    const before = snapshot(g);
    const { graph: out, ctx } = run(roundWeights, g, { numSteps: 8 }, { outputs: ['y'] });
    const r = floats(nodeOf(out, 'w'));
    const min = Math.min(...W);
    const max = Math.max(...W);
    const step = (max - min) / 8;
    expect(new Set(r).size).toBeLessThanOrEqual(8);
    r.forEach((v, i) => expect(Math.abs(v - W[i]!)).toBeLessThanOrEqual(step / 2 + 1e-5));
    // The maximum stays inside the range (TF maps it to max + step/2).
    expect(Math.max(...r)).toBeLessThanOrEqual(max);
    expect(nodeOf(out, 'w').device).toBe('/cpu:0');
    expect(nodeOf(out, 'x')).not.toBe(nodeOf(g, 'x')); // 16 elements: rounded too
    expect(nodeOf(out, 'small')).toBe(nodeOf(g, 'small'));
    expect(nodeOf(out, 'ints')).toBe(nodeOf(g, 'ints'));
    expect(ctx.counters.get('rounded')).toBeGreaterThanOrEqual(1);
    expect(snapshot(g)).toBe(before);
    // y moves by at most sum(|x|) * step/2 per element.
    await expectSameOutputs(t, g, out, ['y'], { tol: 8 * (2 * (step / 2) + 0.5 * 3 + 0.5 * 4) });
  });

  it('all-negative weights use their true maximum (TF: the range reaches 0)', () => {
    const neg = Array.from({ length: 16 }, (_, i) => -10 - i);
    const b = graphBuilder();
    b.const('w', makeTensor('float', [16], neg));
    const { graph: out } = run(roundWeights, b.graph(), { numSteps: 16 });
    floats(nodeOf(out, 'w')).forEach((v, i) => expect(Math.abs(v - neg[i]!)).toBeLessThanOrEqual(15 / 16 / 2 + 1e-5));
  });

  it('leaves constant and non-finite tensors unchanged', () => {
    const b = graphBuilder();
    b.const('flat', makeTensor('float', [20], new Array(20).fill(3)));
    b.const('nan', makeTensor('float', [20], [NaN, ...new Array(19).fill(1)]));
    const g = b.graph();
    const { graph: out, ctx } = run(roundWeights, g);
    expect(out).toBe(g);
    expect(ctx.reports.map((r) => r.code)).toEqual(['round_weights/non-finite']);
  });
});
