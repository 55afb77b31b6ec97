import { describe, expect, it } from 'vitest';
import { attr } from '../../src/ir/attr';
import type { Graph } from '../../src/ir/graph';
import { makeTensor } from '../../src/ir/tensor';
import { insertLogging } from '../../src/transforms/insert-logging';
import { graphBuilder, nodeNames, nodeOf, snapshot } from '../helpers/graph-builder';
import { run } from '../helpers/context';
import { expectSameOutputs } from '../helpers/numeric';

const F = attr.type('float');

function graph(): Graph {
  const b = graphBuilder();
  b.const('a', makeTensor('float', [4], [1, -2, 3, -4]));
  b.op('Relu', ['a'], { T: F }, 'relu');
  b.const('axis', makeTensor('int32', [], [0]));
  b.op('Split', ['axis', 'relu'], { T: F, num_split: attr.i(2) }, 'split');
  b.op('Neg', ['split:1'], { T: F }, 'neg');
  b.op('Add', ['split', 'neg', '^relu'], { T: F }, 'out');
  return b.graph();
}

describe('insert_logging', () => {
  it('adds <n>__print__ after every consumed node and rewires output-0 readers; outputs unchanged', async (t) => {
    const g = graph();
    const before = snapshot(g);
    const { graph: out, ctx } = run(insertLogging, g, { op: ['Relu', 'Split'], showOp: true, showName: true, message: 'hi' }, { outputs: ['out'] });
    expect(nodeNames(out)).toEqual(['a', 'relu', 'relu__print__', 'axis', 'split', 'split__print__', 'neg', 'out']);
    const p = nodeOf(out, 'split__print__');
    expect(p).toMatchObject({ op: 'Print', inputs: ['split', 'split:0', 'split:1'] });
    expect(p.attrs['T']).toEqual(F);
    expect(p.attrs['U']).toEqual(attr.list({ type: ['float', 'float'] }));
    expect(p.attrs['message']).toEqual(attr.s(';Split;;split__print__;hi'));
    expect(p.attrs['summarize']).toEqual(attr.i(1024));
    expect(p.attrs['first_n']).toEqual(attr.i(-1));
    // output 0 readers go through the Print; output 1 and control readers do not.
    expect(nodeOf(out, 'out').inputs).toEqual(['split__print__', 'neg', '^relu']);
    expect(nodeOf(out, 'neg').inputs).toEqual(['split:1']);
    expect(nodeOf(out, 'split').inputs).toEqual(['axis', 'relu__print__']);
    // Only port 0 of relu is read (data and control): U has one entry (TF lists all outputs).
    expect(nodeOf(out, 'relu__print__').inputs).toEqual(['relu', 'relu:0']);
    expect(ctx.counters.get('inserted')).toBe(2);
    expect(snapshot(g)).toBe(before);
    // A second run adds nothing.
    expect(run(insertLogging, out, { op: ['Relu', 'Split'] }).graph).toBe(out);
    await expectSameOutputs(t, g, out, ['out'], {
      kernels: (rt) => { const k = rt.createKernelRegistry(); if (!k.has('Print')) k.register('Print', (c) => [c.input(0)]); return k; },
    });
  });

  it('prefix filter, and nodes without known output types are reported, not fatal', () => {
    const b = graphBuilder();
    b.const('x/a', 1);
    b.op('MysteryOp', ['x/a'], {}, 'x/m');
    b.op('Identity', ['x/m'], { T: F }, 'y/id');
    const { graph: out, ctx } = run(insertLogging, b.graph(), { prefix: ['x/'] });
    expect(nodeNames(out)).toEqual(['x/a', 'x/a__print__', 'x/m', 'y/id']);
    expect(ctx.reports.map((r) => [r.code, r.node])).toEqual([['insert_logging/unknown-output-type', 'x/m']]);
  });
});
