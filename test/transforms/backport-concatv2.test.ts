import { describe, expect, it } from 'vitest';
import { attr } from '../../src/ir/attr';
import type { Graph } from '../../src/ir/graph';
import { makeTensor, tensorToNumbers } from '../../src/ir/tensor';
import { backportConcatV2 } from '../../src/transforms/backport-concatv2';
import { graphBuilder, nodeOf, snapshot } from '../helpers/graph-builder';
import { run } from '../helpers/context';
import { expectSameOutputs } from '../helpers/numeric';

const F = attr.type('float');

describe('backport_concatv2', () => {
  function graph(extra: string[] = [], tidx = 'int32'): Graph {
    const b = graphBuilder();
    b.const('a', makeTensor('float', [2, 2], [1, 2, 3, 4]));
    b.const('b', makeTensor('float', [2, 1], [5, 6]));
    b.const('axis', makeTensor(tidx as 'int32', [], [1]));
    b.op('NoOp', [], {}, 'dep');
    b.op('ConcatV2', ['a', 'b', 'axis', ...extra], { N: attr.i(2), T: F, Tidx: attr.type(tidx as 'int32') }, 'concat');
    return b.graph();
  }

  it('ConcatV2(a, b, axis) becomes Concat(axis, a, b) without Tidx, same values', async (t) => {
    const g = graph();
    const before = snapshot(g);
    const { graph: out, ctx } = run(backportConcatV2, g, {}, { outputs: ['concat'] });
    expect(nodeOf(out, 'concat')).toMatchObject({ op: 'Concat', inputs: ['axis', 'a', 'b'] });
    expect(nodeOf(out, 'concat').attrs).toEqual({ N: attr.i(2), T: F });
    expect(nodeOf(out, 'a')).toBe(nodeOf(g, 'a'));
    expect(ctx.counters.get('backported')).toBe(1);
    expect(snapshot(g)).toBe(before);
    const [y] = await expectSameOutputs(t, g, out, ['concat']);
    expect(tensorToNumbers(y!)).toEqual([1, 2, 5, 3, 4, 6]);
  });

  it('takes the last data input as the axis even with a trailing control input (TF takes the control input)', () => {
    const { graph: out } = run(backportConcatV2, graph(['^dep']), {}, { outputs: ['concat'] });
    expect(nodeOf(out, 'concat').inputs).toEqual(['axis', 'a', 'b', '^dep']);
  });

  it('leaves an int64 axis alone with a warning', () => {
    const g = graph([], 'int64');
    const { graph: out, ctx } = run(backportConcatV2, g, {}, { outputs: ['concat'] });
    expect(out).toBe(g);
    expect(ctx.reports[0]!.code).toBe('backport_concatv2/int64-axis');
  });

  it('returns the same graph when there is no ConcatV2', () => {
    const b = graphBuilder();
    b.const('a', 1);
    const g = b.graph();
    expect(run(backportConcatV2, g).graph).toBe(g);
  });
});
