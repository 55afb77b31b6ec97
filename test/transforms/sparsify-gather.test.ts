import { describe, expect, it } from 'vitest';
import { attr } from '../../src/ir/attr';
import type { Graph } from '../../src/ir/graph';
import { type Tensor, makeTensor, tensorToNumbers } from '../../src/ir/tensor';
import { GraftError } from '../../src/errors';
import { sparsifyGather } from '../../src/transforms/sparsify-gather';
import { graphBuilder, nodeNames, nodeOf, snapshot } from '../helpers/graph-builder';
import { run } from '../helpers/context';
import { expectSameOutputs } from '../helpers/numeric';

const F = attr.type('float');
const I32 = attr.type('int32');
const W = [0, 0.5, 0, 0, -2, 0, 1e-6, 3, 0, 0];
const vals = (g: Graph, n: string) => tensorToNumbers((nodeOf(g, n).attrs['value'] as { value: Tensor }).value);

function graph(op: 'Gather' | 'GatherV2', withGroup = true): Graph {
  const b = graphBuilder();
  b.const('w', makeTensor('float', [10, 1], W));
  b.op('Identity', ['w'], { T: F }, 'w/read');
  b.const('ids', makeTensor('int32', [2, 3], [1, 4, 6, 7, 0, 4]));
  if (op === 'Gather') b.op('Gather', ['w/read', 'ids'], { Tparams: F, Tindices: I32 }, 'gather');
  else {
    b.const('axis', makeTensor('int32', [], [0]));
    b.op('GatherV2', ['w/read', 'ids', 'axis'], { Tparams: F, Tindices: I32, Taxis: I32 }, 'gather');
  }
  b.op('Relu', ['gather'], { T: F }, 'out');
  if (withGroup) b.op('NoOp', [], {}, 'group_deps');
  return b.graph();
}

describe('sparsify_gather', () => {
  for (const op of ['Gather', 'GatherV2'] as const) {
    it(`${op} on Identity(Const [N,1]) becomes a HashTable lookup with the same values`, async (t) => {
      const g = graph(op);
      const before = snapshot(g);
      const { graph: out, ctx } = run(sparsifyGather, g, {}, { outputs: ['out'] });
      expect(nodeNames(out)).toEqual([
        'ids', 'w/indices', 'w/values', 'w/HashTable', 'w/InitializeTable', 'gather/Cast', 'gather/Const', 'gather/LookupTableFind', 'gather/ExpandDims/Const', 'gather', 'out', 'group_deps',
      ]);
      expect(vals(out, 'w/indices')).toEqual([1, 4, 7]);
      expect(vals(out, 'w/values')).toEqual([0.5, -2, 3]);
      expect(nodeOf(out, 'w/InitializeTable').inputs).toEqual(['w/HashTable', 'w/indices', 'w/values']);
      expect(nodeOf(out, 'group_deps').inputs).toEqual(['^w/InitializeTable']);
      expect(nodeOf(out, 'gather/LookupTableFind').inputs).toEqual(['w/HashTable', 'gather/Cast', 'gather/Const']);
      expect(nodeOf(out, 'gather')).toMatchObject({ op: 'ExpandDims', inputs: ['gather/LookupTableFind', 'gather/ExpandDims/Const'] });
      expect(ctx.counters.get('sparsified')).toBe(1);
      expect(snapshot(g)).toBe(before);
      // Numerics: the original gather (run) against the table lookup (emulated from the new Consts).
      const [y] = await expectSameOutputs(t, g, g, ['gather']);
      const table = new Map(vals(out, 'w/indices').map((k, i) => [k, vals(out, 'w/values')[i]!]));
      const ids = vals(g, 'ids');
      const lookup = ids.map((id) => table.get(id) ?? 0);
      expect(y!.shape).toEqual([2, 3, 1]);
      tensorToNumbers(y!).forEach((v, i) => expect(Math.abs(v - lookup[i]!)).toBeLessThan(1e-5));
    });
  }

  it('creates group_deps when missing (warning); all-zero weights get a dummy entry', () => {
    const b = graphBuilder();
    b.const('w', makeTensor('float', [3, 1], [0, 0, 0]));
    b.const('ids', makeTensor('int64', [1], [2]));
    b.op('Gather', ['w', 'ids'], { Tparams: F, Tindices: attr.type('int64') }, 'gather');
    const { graph: out, ctx } = run(sparsifyGather, b.graph(), {}, { outputs: ['gather'] });
    expect(vals(out, 'w/indices')).toEqual([0]);
    expect(vals(out, 'w/values')).toEqual([0]);
    expect(nodeOf(out, 'group_deps')).toMatchObject({ op: 'NoOp', inputs: ['^w/InitializeTable'] });
    expect(ctx.reports.map((r) => r.code)).toEqual(['sparsify_gather/created-init-node']);
    expect(nodeNames(out)).not.toContain('gather/Cast');
  });

  it('leaves other shapes alone and rejects input_checkpoint', () => {
    const b = graphBuilder();
    b.const('w', makeTensor('float', [3, 2], [0, 1, 0, 0, 2, 0]));
    b.const('ids', makeTensor('int32', [1], [2]));
    b.op('Gather', ['w', 'ids'], { Tparams: F, Tindices: I32 }, 'gather');
    const g = b.graph();
    const r = run(sparsifyGather, g, {}, { outputs: ['gather'] });
    expect(r.graph).toBe(g);
    expect(r.ctx.reports[0]!.code).toBe('sparsify_gather/unsupported-shape');
    expect(() => run(sparsifyGather, g, { inputCheckpoint: 'model.ckpt' })).toThrow(GraftError);
  });
});
