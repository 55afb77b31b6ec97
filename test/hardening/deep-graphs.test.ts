/**
 * Issue 10, items 3-4: no recursion on graph size, and loops with an iteration cap. Graph walks
 * (topological order, validation, remove_nodes' rewiring) are iterative; a huge AddN is summed in
 * groups; a loop that never ends stops at `maxLoopIterations` with `runtime/loop-limit`.
 */
import { describe, expect, it } from 'vitest';
import { attr } from '../../src/ir/attr';
import type { FunctionDef } from '../../src/ir/graph';
import { makeNode } from '../../src/ir/node';
import { makeTensor, tensorToNumbers } from '../../src/ir/tensor';
import { executionOrder } from '../../src/ir/topo';
import { validateGraph } from '../../src/ir/validate';
import { runGraph } from '../../src/runtime/index';
import { runPipeline } from '../../src/transform/runner';
import { graphBuilder } from '../helpers/graph-builder';
import { numpyStr } from '../../src/inspect/array-text';
import { makeStringTensor } from '../../src/ir/tensor';
import { serializeExample } from '../../src/io/tf-example';
import { evaluateNode } from '../../src/runtime/index';
import { shapeOf } from '../../src/ir/attr';
import { checkInProcessPeak, expectCliOk, runCliOn } from './cli-checks';
import { makeGraph } from '../../src/ir/graph';
import { encodeGraphDef } from '../../src/io/graphdef';
import { useScratch } from '../helpers/scratch';

const { writeTemp } = useScratch('graft-hardening-deep');

const F = { T: attr.type('float') };

function chain(n: number) {
  const b = graphBuilder();
  b.placeholder('x', 'float', [1]);
  let prev = 'x';
  for (let i = 0; i < n; i++) prev = b.op('Identity', [prev], F, `id${i}`);
  b.op('Neg', [prev], F, 'y');
  return b.graph();
}

checkInProcessPeak();

describe('deep and wide graphs', () => {
  it('remove_nodes(op=Identity) on a 5,000-deep chain (finding: "Maximum call stack size exceeded")', async () => {
    const { graph } = await runPipeline(chain(5000), 'remove_nodes(op=Identity)', { inputs: ['x'], outputs: ['y'] });
    expect(graph.nodes.map((n) => n.name)).toEqual(['x', 'y']);
    expect(graph.nodes[1]!.inputs).toEqual(['x']);
  });

  it('a 200,000-deep chain: order, validation and remove_nodes work, iteratively', async () => {
    const g = chain(200_000);
    expect(executionOrder(g).order).toHaveLength(200_002);
    expect(validateGraph(g)).toEqual([]);
    const { graph } = await runPipeline(g, 'remove_nodes(op=Identity)', { inputs: ['x'], outputs: ['y'], validate: false });
    expect(graph.nodes).toHaveLength(2);
  }, 120_000);

  it('a 1,000,000-deep chain sorts (no recursion)', () => {
    const nodes = [makeNode({ name: 'n0', op: 'Placeholder' })];
    for (let i = 1; i <= 1_000_000; i++) nodes.push(makeNode({ name: `n${i}`, op: 'Identity', inputs: [`n${i - 1}`] }));
    const order = executionOrder(nodes).order;
    expect(order).toHaveLength(1_000_001);
    expect(order[1_000_000]!.name).toBe('n1000000');
  }, 120_000);

  it('AddN with 100,000 inputs runs (finding: "memory access out of bounds")', async () => {
    const b = graphBuilder();
    b.placeholder('x', 'float', [1]);
    b.op('AddN', Array.from({ length: 100_000 }, () => 'x'), { ...F, N: attr.i(100_000) }, 'sum');
    const [r] = await runGraph(b.graph(), { x: makeTensor('float', [1], [1]) }, ['sum']);
    expect(tensorToNumbers(r!)).toEqual([100_000]);
  }, 120_000);
});

describe('a million nodes or inputs through the command line (item 4: they work or get a clear error)', () => {
  it('graft run of an AddN with 1,000,000 inputs: the sum, peak memory under 1 GB', async () => {
    const b = graphBuilder();
    b.placeholder('x', 'float', [1]);
    b.op('AddN', Array.from({ length: 1_000_000 }, () => 'x'), { ...F, N: attr.i(1_000_000) }, 'sum');
    const file = writeTemp('addn.pb', encodeGraphDef(b.graph()));
    const r = await runCliOn([file], ['run', file, '--input', 'x=[1.5]', '--output', 'sum'], 120_000);
    expectCliOk(r);
    expect(r.stdout).toContain('1500000');
  }, 180_000);

  it('graft transform remove_nodes(op=Identity) and graft summarize of a 1,000,000-deep chain', async () => {
    let nodes = [makeNode({ name: 'x', op: 'Placeholder', attrs: { dtype: attr.type('float'), shape: attr.shape([1]) } })];
    for (let i = 1; i <= 1_000_000; i++) nodes.push(makeNode({ name: `n${i}`, op: 'Identity', inputs: [i === 1 ? 'x' : `n${i - 1}`], attrs: F }));
    const file = writeTemp('chain.pb', encodeGraphDef(makeGraph(nodes)));
    nodes = [];
    const out = `${file}.out.pb`;
    const t = await runCliOn([file], ['transform', file, out, 'remove_nodes(op=Identity)', '--inputs', 'x', '--outputs', 'n1000000'], 120_000);
    expectCliOk(t);
    expect(t.stdout).toContain('1000001 -> 2');
    const s = await runCliOn([file], ['summarize', file], 120_000);
    expectCliOk(s);
    expect(s.stdout).toContain('Total nodes: 1000001');
  }, 240_000);
});

describe('wide values (no argument list spread from data-sized arrays)', () => {
  it('printing a tensor numpy shows whole, [6,6,6,6,6,6,6,6] (1.7M values, as graft run prints outputs)', () => {
    // numpy summarizes only dimensions longer than 2 x edgeitems (6), so every value is shown.
    const shape = [6, 6, 6, 6, 6, 6, 6, 6];
    const n = 6 ** 8;
    const floats = numpyStr(makeTensor('float', shape, Float32Array.from({ length: n }, (_, i) => (i % 4) * 0.5)));
    expect(floats.startsWith('[[[[[[[[0.  0.5 1.  1.5 0.  0.5]')).toBe(true);
    const ints = numpyStr(makeTensor('int32', shape, Int32Array.from({ length: n }, (_, i) => i % 100)));
    expect(ints.startsWith('[[[[[[[[ 0  1  2  3  4  5]')).toBe(true);
  }, 120_000);

  it('ParseExample of a feature holding 500,000 floats', async () => {
    const values = Array.from({ length: 500_000 }, (_, i) => i % 10);
    const serialized = makeStringTensor([1], [serializeExample({ f: values }, { f: 'float' })]);
    const node = makeNode({
      name: 'parse',
      op: 'ParseExample',
      inputs: ['s', 'names', 'key'],
      attrs: { Nsparse: attr.i(1), Ndense: attr.i(0), sparse_types: attr.list({ type: ['float'] }), Tdense: attr.list({ type: [] }), dense_shapes: attr.list({ shape: [] as ReturnType<typeof shapeOf>[] }) },
    });
    const [indices, vals, dense] = await evaluateNode(node, [serialized, makeStringTensor([0], []), makeStringTensor([], ['f'])], { backend: 'cpu' });
    expect(indices!.shape).toEqual([500_000, 2]);
    expect(vals!.shape).toEqual([500_000]);
    expect(tensorToNumbers(vals!).slice(0, 12)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    expect(tensorToNumbers(dense!).map(Number)).toEqual([1, 500_000]);
  }, 120_000);
});

describe('loops have an iteration cap', () => {
  const fn = (name: string, outputs: Record<string, string>, nodes: ReturnType<typeof makeNode>[]): FunctionDef => ({
    signature: { name, input_arg: [{ name: 'x', type: 1 }], output_arg: Object.keys(outputs).map((n) => ({ name: n, type: 1 })) },
    attrs: {},
    nodes,
    ret: outputs,
    controlRet: {},
  });

  it('an always-true StatelessWhile stops with runtime/loop-limit (finding)', async () => {
    const always = fn('always', { c: 't:output:0' }, [makeNode({ name: 't', op: 'Const', attrs: { dtype: attr.type('bool'), value: attr.tensor(makeTensor('bool', [], [true])) } })]);
    const neg = fn('neg', { y: 'n:y:0' }, [makeNode({ name: 'n', op: 'Neg', inputs: ['x'], attrs: F })]);
    const b = graphBuilder();
    b.placeholder('x', 'float', []);
    b.op('StatelessWhile', ['x'], { cond: attr.func('always'), body: attr.func('neg'), T: attr.list({ type: ['float'] }) }, 'loop');
    const g = b.graph({ library: { functions: [always, neg] } });
    await expect(runGraph(g, { x: makeTensor('float', [], [1]) }, ['loop'], { backend: 'cpu', limits: { maxLoopIterations: 200 } })).rejects.toMatchObject({
      code: 'runtime/loop-limit',
      node: 'loop',
      param: 'maxLoopIterations',
    });
  });
});
