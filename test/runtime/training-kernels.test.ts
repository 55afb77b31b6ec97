/**
 * Variable writes and the gradient ops of a training step, against TensorFlow's own values:
 * BroadcastGradientArgs against tensorflow/python/kernel_tests/array_ops/bcast_ops_test.py
 * (testBasicGradient, testZeroDimsGradient), gradient descent against training_ops.cc's equation
 * `var -= alpha * delta` computed here in float32, and the assignment ops (state_ops / resource
 * variable ops) by their definitions: reads after a write see it, reads before keep their value,
 * in the order the control edges set.
 */
import { describe, expect, it } from 'vitest';
import { attr } from '../../src/ir/attr';
import { makeTensor, tensorToNumbers } from '../../src/ir/tensor';
import { createSession, evaluateNode } from '../../src/runtime';
import { broadcastGradientArgs } from '../../src/runtime/kernels/training';
import { makeNode } from '../../src/ir/node';
import type { FunctionDef } from '../../src/ir/graph';
import { missingKernels } from '../../src/runtime';
import { graphBuilder } from '../helpers/graph-builder';

const f32 = (shape: number[], values: number[]) => makeTensor('float', shape, values);
const i32 = (values: number[]) => makeTensor('int32', [values.length], values);
const float = { T: attr.type('float') };
const resourceVar = (b: ReturnType<typeof graphBuilder>, name: string, shape: number[]) =>
  b.op('VarHandleOp', [], { dtype: attr.type('float'), shape: attr.shape(shape), shared_name: attr.s(name) }, name);

describe('BroadcastGradientArgs (bcast_ops_test.py)', () => {
  // [x shape, y shape, r0, r1], as TensorFlow's tests assert them.
  const table: [number[], number[], number[], number[]][] = [
    [[2, 3, 5], [1], [], [0, 1, 2]],
    [[1], [2, 3, 5], [0, 1, 2], []],
    [[2, 3, 5], [5], [], [0, 1]],
    [[5], [2, 3, 5], [0, 1], []],
    [[2, 3, 5], [3, 5], [], [0]],
    [[3, 5], [2, 3, 5], [0], []],
    [[2, 3, 5], [3, 1], [], [0, 2]],
    [[3, 1], [2, 3, 5], [0, 2], []],
    [[2, 1, 5], [3, 1], [1], [0, 2]],
    [[3, 1], [2, 1, 5], [0, 2], [1]],
    [[2, 0, 3, 0, 5], [3, 0, 5], [], [0, 1]],
    [[3, 0, 5], [2, 0, 3, 0, 5], [0, 1], []],
    [[2, 0, 3, 0, 5], [3, 1, 5], [], [0, 1, 3]],
    [[3, 1, 5], [2, 0, 3, 0, 5], [0, 1, 3], []],
  ];
  it.each(table)('%j vs %j', async (x, y, r0, r1) => {
    expect(broadcastGradientArgs(x, y)).toEqual([r0, r1]);
    const outs = await evaluateNode(makeNode({ name: 'g', op: 'BroadcastGradientArgs', inputs: ['a', 'b'], attrs: { T: attr.type('int32') } }), [i32(x), i32(y)], { backend: 'cpu' });
    expect(outs.map((o) => tensorToNumbers(o))).toEqual([r0, r1]);
    expect(outs.map((o) => o.dtype)).toEqual(['int32', 'int32']);
  });

  it('int64 shapes give int64 indices (testDataTypes)', async () => {
    const s = (v: number[]) => makeTensor('int64', [v.length], v.map(BigInt));
    const outs = await evaluateNode(makeNode({ name: 'g', op: 'BroadcastGradientArgs', inputs: ['a', 'b'], attrs: { T: attr.type('int64') } }), [s([2, 3, 5]), s([1])], { backend: 'cpu' });
    expect(outs.map((o) => o.dtype)).toEqual(['int64', 'int64']);
    expect(outs.map((o) => tensorToNumbers(o))).toEqual([[], [0, 1, 2]]);
  });

  it('refuses shapes that do not broadcast, with TensorFlow\'s message', async () => {
    expect(broadcastGradientArgs([2, 3], [4])).toBeUndefined();
    await expect(evaluateNode(makeNode({ name: 'g', op: 'BroadcastGradientArgs', inputs: ['a', 'b'] }), [i32([2, 3]), i32([4])], { backend: 'cpu' })).rejects.toThrow(
      'Incompatible shapes: [2,3] vs. [4]',
    );
  });
});

describe('gradient descent (training_ops.cc: var -= alpha * delta)', () => {
  it('ResourceApplyGradientDescent writes var - alpha * delta, in float32, and later reads see it', async () => {
    const b = graphBuilder();
    const v = resourceVar(b, 'v', [3]);
    const alpha = b.const('alpha', f32([], [0.1]));
    const delta = b.placeholder('delta', 'float', [3]);
    const step = b.op('ResourceApplyGradientDescent', [v, alpha, delta], float, 'step');
    b.op('ReadVariableOp', [v, `^${step}`], { dtype: attr.type('float') }, 'after');
    const s = await createSession(b.graph(), { backend: 'cpu', variables: new Map([['v', f32([3], [1, -2, 0.3])]]) });
    const d = [0.5, 4, -7];
    const [r] = await s.run({ delta: f32([3], d) }, ['after']);
    // TensorFlow's float32 arithmetic: the product rounded to float32, then the difference.
    const f = Math.fround;
    const want = [1, -2, 0.3].map((x, i) => f(f(x) - f(f(d[i]!) * f(0.1))));
    expect(tensorToNumbers(r!)).toEqual(want);
    // A second step starts from the first one's result.
    const [r2] = await s.run({ delta: f32([3], d) }, ['after']);
    expect(tensorToNumbers(r2!)).toEqual(want.map((x, i) => f(x - f(f(d[i]!) * f(0.1)))));
    expect(tensorToNumbers(s.readVariable('v')!)).toEqual(tensorToNumbers(r2!));
    expect(s.writtenVariables()).toEqual(['v']);
    s.dispose();
  });

  it('ApplyGradientDescent (TF1 ref variable) writes through the reference and outputs the new value', async () => {
    const b = graphBuilder();
    const v = b.op('VariableV2', [], { dtype: attr.type('float'), shape: attr.shape([2]) }, 'v');
    b.op('ApplyGradientDescent', [v, b.const('alpha', f32([], [0.25])), b.placeholder('delta', 'float', [2])], float, 'step');
    b.op('Identity', [v], float, 'read');
    const s = await createSession(b.graph(), { backend: 'cpu', variables: new Map([['v', f32([2], [3, -1.5])]]) });
    const f = Math.fround;
    const [out] = await s.run({ delta: f32([2], [2, 0.1]) }, ['step']);
    const want = [f(3 - f(f(2) * 0.25)), f(-1.5 - f(f(0.1) * 0.25))];
    expect(tensorToNumbers(out!)).toEqual(want);
    const [r] = await s.run({}, ['read']);
    expect(tensorToNumbers(r!)).toEqual(want);
    s.dispose();
  });

  it('checks alpha and delta as TensorFlow does', async () => {
    const b = graphBuilder();
    const v = resourceVar(b, 'v', [2]);
    const alpha = b.placeholder('alpha', 'float', null);
    const delta = b.placeholder('delta', 'float', null);
    b.op('ResourceApplyGradientDescent', [v, alpha, delta], float, 'step');
    b.op('NoOp', ['^step'], {}, 'done');
    const s = await createSession(b.graph(), { backend: 'cpu', variables: new Map([['v', f32([2], [1, 2])]]) });
    await expect(s.run({ alpha: f32([2], [1, 1]), delta: f32([2], [1, 1]) }, ['done'])).rejects.toThrow('alpha is not a scalar: [2]');
    await expect(s.run({ alpha: f32([], [1]), delta: f32([3], [1, 1, 1]) }, ['done'])).rejects.toThrow('var and delta do not have the same shape[2] [3]');
    // Nothing was written by the failed runs.
    expect(tensorToNumbers(s.readVariable('v')!)).toEqual([1, 2]);
    s.dispose();
  });
});

describe('resource variable assignments', () => {
  it('AssignVariableOp, AssignAddVariableOp, AssignSubVariableOp in control-edge order; a read before keeps the old value', async () => {
    const b = graphBuilder();
    const v = resourceVar(b, 'v', [2]);
    const dt = { dtype: attr.type('float') };
    const before = b.op('ReadVariableOp', [v], dt, 'before');
    const set = b.op('AssignVariableOp', [v, b.const('ten', f32([2], [10, 20])), `^${before}`], dt, 'set');
    const add = b.op('AssignAddVariableOp', [v, b.const('one', f32([2], [1, 2])), `^${set}`], dt, 'add');
    const sub = b.op('AssignSubVariableOp', [v, b.const('half', f32([2], [0.5, 0.5])), `^${add}`], dt, 'sub');
    b.op('ReadVariableOp', [v, `^${sub}`], dt, 'after');
    const s = await createSession(b.graph(), { backend: 'cpu', variables: new Map([['v', f32([2], [1, 2])]]) });
    const [x, y] = await s.run({}, ['before', 'after']);
    expect(tensorToNumbers(x!)).toEqual([1, 2]);
    expect(tensorToNumbers(y!)).toEqual([10.5, 21.5]);
    // The session keeps the state: a second run starts from it (set 10,20 again, then +1,+2, -0.5).
    const [x2] = await s.run({}, ['before']);
    expect(tensorToNumbers(x2!)).toEqual([10.5, 21.5]);
    s.dispose();
  });

  it('AssignAddVariableOp on int64 (an optimizer step counter)', async () => {
    const b = graphBuilder();
    const it64 = b.op('VarHandleOp', [], { dtype: attr.type('int64'), shape: attr.shape([]), shared_name: attr.s('iter') }, 'iter');
    const inc = b.op('AssignAddVariableOp', [it64, b.const('one', makeTensor('int64', [], [1n]))], { dtype: attr.type('int64') }, 'inc');
    b.op('ReadVariableOp', [it64, `^${inc}`], { dtype: attr.type('int64') }, 'now');
    const s = await createSession(b.graph(), { backend: 'cpu', variables: new Map([['iter', makeTensor('int64', [], [41n])]]) });
    const [r] = await s.run({}, ['now']);
    expect(r!.dtype).toBe('int64');
    expect(tensorToNumbers(r!)).toEqual([42]);
    s.dispose();
  });

  it('refuses an update of another shape or dtype, naming the node', async () => {
    const b = graphBuilder();
    const v = resourceVar(b, 'v', [2]);
    b.op('AssignAddVariableOp', [v, b.const('three', f32([3], [1, 2, 3]))], { dtype: attr.type('float') }, 'bad_shape');
    b.op('AssignVariableOp', [v, b.const('ints', i32([1, 2]))], { dtype: attr.type('float') }, 'bad_dtype');
    b.op('NoOp', ['^bad_shape'], {}, 'a');
    b.op('NoOp', ['^bad_dtype'], {}, 'c');
    const s = await createSession(b.graph(), { backend: 'cpu', variables: new Map([['v', f32([2], [1, 2])]]) });
    await expect(s.run({}, ['a'])).rejects.toMatchObject({ node: 'bad_shape', message: expect.stringContaining('Cannot update variable with shape [2] using a Tensor with shape [3], shapes must be equal.') });
    await expect(s.run({}, ['c'])).rejects.toMatchObject({ node: 'bad_dtype', message: expect.stringContaining('Trying to assign variable with wrong dtype. Expected float got int32') });
    s.dispose();
  });
});

describe('TF1 ref variables', () => {
  it('Assign, AssignAdd, AssignSub write through the VariableV2 reference and output the new value', async () => {
    const b = graphBuilder();
    const c = b.op('VariableV2', [], { dtype: attr.type('float'), shape: attr.shape([]) }, 'counter');
    b.op('Identity', [c], float, 'read');
    b.op('AssignAdd', [c, b.const('one', f32([], [1]))], float, 'incr');
    b.op('AssignAdd', [c, b.placeholder('delta', 'float', null)], float, 'incr_by');
    b.op('AssignSub', [c, b.const('two', f32([], [2]))], float, 'decr');
    b.op('Assign', [c, b.const('zero', f32([], [0]))], float, 'reset');
    b.op('Assign', [c, b.const('vec', f32([2], [0, 0]))], float, 'bad_reset');
    const s = await createSession(b.graph(), { backend: 'cpu', variables: new Map([['counter', f32([], [5])]]) });
    const one = async (fetch: string, feeds = {}) => tensorToNumbers((await s.run(feeds, [fetch]))[0]!)[0];
    expect(await one('read')).toBe(5);
    expect(await one('incr')).toBe(6);
    expect(await one('incr')).toBe(7);
    expect(await one('incr_by', { delta: f32([], [2.5]) })).toBe(9.5);
    expect(await one('decr')).toBe(7.5);
    expect(await one('read')).toBe(7.5);
    expect(await one('reset')).toBe(0);
    expect(await one('read')).toBe(0);
    await expect(s.run({}, ['bad_reset'])).rejects.toThrow('Assign requires shapes of both tensors to match. lhs shape= [] rhs shape= [2]');
    s.dispose();
  });
});

describe('reductions over no elements give the identity (as Eigen does)', () => {
  it.each([
    ['Prod', 1],
    ['Sum', 0],
    ['Max', -Infinity],
    ['Min', Infinity],
  ])('%s of an empty vector', async (op, want) => {
    const [r] = await evaluateNode(makeNode({ name: 'r', op, inputs: ['x', 'a'], attrs: { T: attr.type('float') } }), [f32([0], []), i32([0])], { backend: 'wasm' });
    expect(tensorToNumbers(r!)).toEqual([want]);
  });
  it('Prod of an empty int32 shape is 1 (the element count of a scalar)', async () => {
    const [r] = await evaluateNode(makeNode({ name: 'r', op: 'Prod', inputs: ['x', 'a'], attrs: { T: attr.type('int32') } }), [i32([]), i32([0])], { backend: 'wasm' });
    expect(r!.dtype).toBe('int32');
    expect(tensorToNumbers(r!)).toEqual([1]);
  });
});

describe('a function\'s control outputs run with every call (TF2 functions)', () => {
  // incr(h): AssignAddVariableOp(h, 1) as a control output only; returns nothing but a constant.
  const incr = (extra?: ReturnType<typeof makeNode>): FunctionDef => ({
    signature: { name: 'incr', input_arg: [{ name: 'h', type: 20 }], output_arg: [{ name: 'y', type: 1 }] },
    attrs: {},
    nodes: [
      makeNode({ name: 'one', op: 'Const', attrs: { dtype: attr.type('float'), value: attr.tensor(f32([], [1])) } }),
      makeNode({ name: 'add', op: 'AssignAddVariableOp', inputs: ['h', 'one:output:0'], attrs: { dtype: attr.type('float') } }),
      makeNode({ name: 'out', op: 'Const', attrs: { dtype: attr.type('float'), value: attr.tensor(f32([], [0])) } }),
      ...(extra ? [extra] : []),
    ],
    ret: { y: 'out:output:0' },
    controlRet: { add: 'add', ...(extra ? { extra: extra.name } : {}) },
  });
  const graph = (fn: FunctionDef) => {
    const b = graphBuilder();
    const v = resourceVar(b, 'v', []);
    b.op('StatefulPartitionedCall', [v], { f: attr.func('incr'), Tin: attr.list({ type: ['resource'] }), Tout: attr.list({ type: ['float'] }) }, 'call');
    return b.graph({ library: { functions: [fn] } });
  };

  it('runs the write a function declares as a control output, once per call', async () => {
    const s = await createSession(graph(incr()), { backend: 'cpu', variables: new Map([['v', f32([], [10])]]) });
    await s.run({}, ['call']);
    await s.run({}, ['call']);
    expect(tensorToNumbers(s.readVariable('v')!)).toEqual([12]);
    s.dispose();
  });

  it('lists an op without a kernel that only a control output needs', () => {
    const g = graph(incr(makeNode({ name: 'mystery', op: 'NoSuchOp', attrs: {} })));
    expect(missingKernels(g, ['call']).map((m) => m.op)).toEqual(['NoSuchOp']);
  });
});
