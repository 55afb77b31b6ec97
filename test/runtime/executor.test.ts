/** The executor: closure, dead values, TF1 loop frames, function calls, variables, memory. */
import { describe, expect, it } from 'vitest';
import { attr } from '../../src/ir/attr';
import type { FunctionDef } from '../../src/ir/graph';
import { makeNode } from '../../src/ir/node';
import { makeTensor, tensorToNumbers } from '../../src/ir/tensor';
import { createKernelRegistry, createSession, runGraph } from '../../src/runtime';
import { graphBuilder } from '../helpers/graph-builder';

const f = (v: number) => makeTensor('float', [], [v]);
const F = { T: attr.type('float') };

/** y = pred ? x * 2 : x + 100, as tf.cond builds it in TF1. */
function tf1Cond() {
  const b = graphBuilder();
  b.placeholder('x', 'float', []);
  b.placeholder('pred', 'bool', []);
  b.op('Switch', ['x', 'pred'], F, 'cond/Switch');
  b.const('two', 2);
  b.const('hundred', 100);
  b.op('Mul', ['cond/Switch:1', 'two'], F, 'cond/true');
  b.op('Add', ['cond/Switch:0', 'hundred'], F, 'cond/false');
  b.op('Merge', ['cond/false', 'cond/true'], { ...F, N: attr.i(2) }, 'cond/Merge');
  return b.graph();
}

/** i = 0; acc = 0; while i < n: acc += step; i += 1 (n and step loop invariants). */
function tf1Loop() {
  const b = graphBuilder();
  b.placeholder('n', 'float', []);
  b.placeholder('step', 'float', []);
  b.const('zero', 0);
  const frame = { frame_name: attr.s('while'), is_constant: attr.b(false), ...F };
  const inv = { frame_name: attr.s('while'), is_constant: attr.b(true), ...F };
  b.op('Enter', ['zero'], frame, 'while/Enter_i');
  b.op('Enter', ['zero'], frame, 'while/Enter_acc');
  b.op('Enter', ['n'], inv, 'while/Enter_n');
  b.op('Enter', ['step'], inv, 'while/Enter_step');
  b.op('Merge', ['while/Enter_i', 'while/Next_i'], { ...F, N: attr.i(2) }, 'while/Merge_i');
  b.op('Merge', ['while/Enter_acc', 'while/Next_acc'], { ...F, N: attr.i(2) }, 'while/Merge_acc');
  b.op('Less', ['while/Merge_i', 'while/Enter_n'], F, 'while/Less');
  b.op('LoopCond', ['while/Less'], {}, 'while/LoopCond');
  b.op('Switch', ['while/Merge_i', 'while/LoopCond'], F, 'while/Switch_i');
  b.op('Switch', ['while/Merge_acc', 'while/LoopCond'], F, 'while/Switch_acc');
  b.op('Identity', ['while/Switch_i:1'], F, 'while/Identity_i');
  b.op('Identity', ['while/Switch_acc:1'], F, 'while/Identity_acc');
  b.add(makeNode({ name: 'while/one', op: 'Const', inputs: ['^while/Identity_i'], attrs: { dtype: attr.type('float'), value: attr.tensor(f(1)) } }));
  b.op('Add', ['while/Identity_i', 'while/one'], F, 'while/add_i');
  b.op('Add', ['while/Identity_acc', 'while/Enter_step'], F, 'while/add_acc');
  b.op('NextIteration', ['while/add_i'], F, 'while/Next_i');
  b.op('NextIteration', ['while/add_acc'], F, 'while/Next_acc');
  b.op('Exit', ['while/Switch_i'], F, 'while/Exit_i');
  b.op('Exit', ['while/Switch_acc'], F, 'while/Exit_acc');
  return b.graph();
}

describe('TF1 control flow', () => {
  it('runs both branches of a Switch/Merge cond, with the untaken branch dead', async () => {
    const g = tf1Cond();
    const t = makeTensor('bool', [], [true]);
    const fl = makeTensor('bool', [], [false]);
    const [a, ia] = await runGraph(g, { x: f(3), pred: t }, ['cond/Merge', 'cond/Merge:1'], { backend: 'cpu' });
    expect(tensorToNumbers(a!)).toEqual([6]);
    expect(tensorToNumbers(ia!)).toEqual([1]);
    const [b] = await runGraph(g, { x: f(3), pred: fl }, ['cond/Merge'], { backend: 'cpu' });
    expect(tensorToNumbers(b!)).toEqual([103]);
    await expect(runGraph(g, { x: f(3), pred: fl }, ['cond/true'], { backend: 'cpu' })).rejects.toMatchObject({ code: 'runtime/failed' });
  });

  it('iterates a while loop frame, with loop invariants in every iteration', async () => {
    const [i, acc] = await runGraph(tf1Loop(), { n: f(5), step: f(2.5) }, ['while/Exit_i', 'while/Exit_acc'], { backend: 'cpu' });
    expect(tensorToNumbers(i!)).toEqual([5]);
    expect(tensorToNumbers(acc!)).toEqual([12.5]);
    const [zero] = await runGraph(tf1Loop(), { n: f(0), step: f(2.5) }, ['while/Exit_acc'], { backend: 'cpu' });
    expect(tensorToNumbers(zero!)).toEqual([0]);
  });
});

function fn(name: string, inputs: string[], outputs: Record<string, string>, nodes: ReturnType<typeof makeNode>[]): FunctionDef {
  return {
    signature: { name, input_arg: inputs.map((n) => ({ name: n, type: 1 })), output_arg: Object.keys(outputs).map((n) => ({ name: n, type: 1 })) },
    attrs: {},
    nodes,
    ret: outputs,
    controlRet: {},
  };
}

describe('function library', () => {
  // double(x) = x * 2, using a multi-output op inside (Unpack:output:1) to check the output-arg mapping.
  const double = fn('double', ['x'], { y: 'mul:z:0' }, [
    makeNode({ name: 'two', op: 'Const', attrs: { dtype: attr.type('float'), value: attr.tensor(makeTensor('float', [2], [2, 2])) } }),
    makeNode({ name: 'parts', op: 'Unpack', inputs: ['two:output:0'], attrs: { num: attr.i(2), axis: attr.i(0), ...F } }),
    makeNode({ name: 'mul', op: 'Mul', inputs: ['x', 'parts:output:1'], attrs: F }),
  ]);
  const less10 = fn('less10', ['x'], { c: 'less:z:0' }, [
    makeNode({ name: 'ten', op: 'Const', attrs: { dtype: attr.type('float'), value: attr.tensor(f(10)) } }),
    makeNode({ name: 'less', op: 'Less', inputs: ['x', 'ten:output:0'], attrs: F }),
  ]);
  const neg = fn('neg', ['x'], { y: 'n:y:0' }, [makeNode({ name: 'n', op: 'Neg', inputs: ['x'], attrs: F })]);
  const library = { functions: [double, less10, neg] };

  it('runs StatefulPartitionedCall, While and If through their library functions', async () => {
    const b = graphBuilder();
    b.placeholder('x', 'float', []);
    b.placeholder('p', 'bool', []);
    b.op('StatefulPartitionedCall', ['x'], { f: attr.func('double'), Tin: attr.list({ type: ['float'] }), Tout: attr.list({ type: ['float'] }) }, 'call');
    b.op('StatelessWhile', ['x'], { cond: attr.func('less10'), body: attr.func('double'), T: attr.list({ type: ['float'] }) }, 'loop');
    b.op('If', ['p', 'x'], { then_branch: attr.func('double'), else_branch: attr.func('neg'), Tcond: attr.type('bool') }, 'if');
    const g = b.graph({ library });
    const s = await createSession(g, { backend: 'cpu' });
    const [call, loop, ifT] = await s.run({ x: f(3), p: makeTensor('bool', [], [true]) }, ['call', 'loop', 'if']);
    expect(tensorToNumbers(call!)).toEqual([6]);
    expect(tensorToNumbers(loop!)).toEqual([12]); // 3 → 6 → 12
    expect(tensorToNumbers(ifT!)).toEqual([6]);
    const [ifF] = await s.run({ x: f(3), p: makeTensor('bool', [], [false]) }, ['if']);
    expect(tensorToNumbers(ifF!)).toEqual([-3]);
    s.dispose();
  });

  it('lists ops missing inside called functions, naming the function', async () => {
    const bad = fn('bad', ['x'], { y: 'w:y:0' }, [makeNode({ name: 'w', op: 'Weird', inputs: ['x'] })]);
    const b = graphBuilder();
    b.placeholder('x', 'float', []);
    b.op('PartitionedCall', ['x'], { f: attr.func('bad') }, 'call');
    const g = b.graph({ library: { functions: [bad] } });
    await expect(runGraph(g, { x: f(1) }, ['call'], { backend: 'cpu' })).rejects.toMatchObject({
      code: 'runtime/unsupported-op',
      message: expect.stringContaining('w (in bad)'),
    });
  });
});

describe('variables, feeds and fetches', () => {
  function varGraph() {
    const b = graphBuilder();
    b.placeholder('x', 'float', [-1]);
    b.op('VariableV2', [], { dtype: attr.type('float'), shape: attr.shape([]) }, 'w');
    b.op('Identity', ['w'], F, 'w/read');
    b.op('VarHandleOp', [], { dtype: attr.type('float'), shape: attr.shape([]), shared_name: attr.s('bias_var') }, 'bias');
    b.op('ReadVariableOp', ['bias'], { dtype: attr.type('float') }, 'bias/read');
    b.op('Mul', ['x', 'w/read'], F, 'mul');
    b.op('AddV2', ['mul', 'bias/read'], F, 'y');
    // An initializer reached only through a control edge is not run (variables are read-only).
    b.op('AssignVariableOp', ['bias', 'w/read'], { dtype: attr.type('float') }, 'init');
    b.op('Identity', ['y', '^init'], F, 'out');
    return b.graph();
  }
  const variables = new Map([['w', f(0.5)], ['bias_var', f(2)]]);

  it('reads TF1 and resource variables and fetches intermediate tensors', async () => {
    const [y, mul] = await runGraph(varGraph(), { 'x:0': makeTensor('float', [3], [0, 2, 4]) }, ['out', 'mul:0'], { variables, backend: 'cpu' });
    expect(tensorToNumbers(y!)).toEqual([2, 3, 4]);
    expect(tensorToNumbers(mul!)).toEqual([0, 1, 2]);
  });

  it('checks feeds and variables before running anything', async () => {
    let ran = 0;
    const kernels = createKernelRegistry().register('Mul', (ctx) => {
      ran++;
      return [ctx.tf.mul(ctx.input(0), ctx.input(1))];
    });
    const g = varGraph();
    await expect(runGraph(g, {}, ['y'], { variables, kernels, backend: 'cpu' })).rejects.toMatchObject({ code: 'runtime/missing-feed', node: 'x' });
    await expect(runGraph(g, { x: makeTensor('float', [1], [1]) }, ['y'], { variables: new Map([['w', f(1)]]), kernels, backend: 'cpu' })).rejects.toMatchObject({
      code: 'runtime/missing-variable',
    });
    await expect(runGraph(g, { x: makeTensor('int32', [1], [1]) }, ['y'], { variables, kernels, backend: 'cpu' })).rejects.toMatchObject({ code: 'runtime/bad-feed' });
    expect(ran).toBe(0);
  });

  it('frees intermediate tensors: a session leaves tfjs memory flat across runs', async () => {
    const s = await createSession(varGraph(), { variables, backend: 'cpu' });
    const tf = await import('@tensorflow/tfjs-core');
    const x = { x: makeTensor('float', [3], [0, 2, 4]) };
    await s.run(x, ['out']);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) await s.run(x, ['out', 'mul']);
    expect(tf.memory().numTensors).toBe(before);
    s.dispose();
  });
});

describe('constant subgraphs in a session', () => {
  it('runs a pure op computed only from constants once per session, and not when a feed replaces a constant', async () => {
    const { createSession, createKernelRegistry } = await import('../../src/runtime/index');
    const { makeGraph } = await import('../../src/ir/graph');
    const { makeNode } = await import('../../src/ir/node');
    const { attr } = await import('../../src/ir/attr');
    const { makeTensor, tensorToNumbers } = await import('../../src/ir/tensor');
    let calls = 0;
    const kernels = createKernelRegistry();
    const neg = kernels.get('Neg')!;
    kernels.register('Neg', (ctx) => {
      calls++;
      return neg(ctx);
    });
    const F = attr.type('float');
    const g = makeGraph([
      makeNode({ name: 'w', op: 'Const', attrs: { dtype: F, value: attr.tensor(makeTensor('float', [2], [1, 2])) } }),
      makeNode({ name: 'negw', op: 'Neg', inputs: ['w'], attrs: { T: F } }),
      makeNode({ name: 'x', op: 'Placeholder', attrs: { dtype: F } }),
      makeNode({ name: 'y', op: 'Add', inputs: ['x', 'negw'], attrs: { T: F } }),
    ]);
    const s = await createSession(g, { kernels });
    for (const v of [10, 20, 30]) {
      const [y] = await s.run({ x: makeTensor('float', [2], [v, v]) }, ['y']);
      expect(tensorToNumbers(y!)).toEqual([v - 1, v - 2]);
    }
    expect(calls).toBe(1);
    // Feeding the constant itself: the cached negation would be stale, so it runs again.
    const [y] = await s.run({ x: makeTensor('float', [2], [0, 0]), w: makeTensor('float', [2], [5, 5]) }, ['y']);
    expect(tensorToNumbers(y!)).toEqual([-5, -5]);
    expect(calls).toBe(2);
    s.dispose();
  });
});
