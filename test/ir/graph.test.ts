import { describe, expect, it } from 'vitest';
import { attr } from '../../src/ir/attr';
import { graphBuilder } from '../../src/ir/builder';
import { graphIndex, makeGraph } from '../../src/ir/graph';
import { canonicalInput, formatInput, inputNodeName, makeNode, parseInput } from '../../src/ir/node';
import { executionOrder, topologicalOrder } from '../../src/ir/topo';
import { validateGraph } from '../../src/ir/validate';
import { makeTensor, tensorBytes, tensorToNumbers, makeValueTensor, halfToNumber } from '../../src/ir/tensor';
import { dtypeFromEnum, dtypeToEnum, parseDType } from '../../src/ir/dtype';

describe('edge names (TF transform_utils tests U1–U3)', () => {
  it('U1/U2: parses node names, ports and control markers', () => {
    expect(parseInput('some_node_name')).toEqual({ node: 'some_node_name', port: 0, control: false });
    expect(parseInput('some_node_name/with/slashes')).toEqual({ node: 'some_node_name/with/slashes', port: 0, control: false });
    expect(parseInput('some_node_name:0')).toEqual({ node: 'some_node_name', port: 0, control: false });
    expect(parseInput('^some_node_name')).toEqual({ node: 'some_node_name', port: 0, control: true });
    expect(parseInput('^some_node_name:99')).toEqual({ node: 'some_node_name', port: 99, control: true });
    for (const s of ['node_name', 'node_name:0', '^node_name', '^node_name:42']) expect(inputNodeName(s)).toBe('node_name');
  });
  it('U3: canonical names carry an explicit port', () => {
    expect(canonicalInput('node_name')).toBe('node_name:0');
    expect(canonicalInput('node_name:0')).toBe('node_name:0');
    expect(canonicalInput('^node_name')).toBe('^node_name:0');
    expect(canonicalInput('^node_name:42')).toBe('^node_name:42');
  });
  it('reads function-body names node:out_arg:index', () => {
    expect(parseInput('MatMul:product:0')).toEqual({ node: 'MatMul', port: 0, control: false, outputArg: 'product' });
    expect(formatInput(parseInput('split:output:1'))).toBe('split:output:1');
    expect(formatInput(parseInput('a:0'))).toBe('a');
  });
});

describe('validation (U19, U20)', () => {
  it('U19/U20: finds exactly the inputs that name missing nodes', () => {
    const g = makeGraph([
      makeNode({ name: 'mul_node', op: 'Mul', inputs: ['add_node1', 'add_node2:0', '^const_node1:0'] }),
      makeNode({ name: 'add_node1', op: 'Add', inputs: ['missing_input1', 'const_node1:0', 'missing_input2'] }),
      makeNode({ name: 'add_node2', op: 'Add', inputs: ['missing_input3', 'const_node1:0', '^const_node2'] }),
      makeNode({ name: 'const_node1', op: 'Const' }),
      makeNode({ name: 'const_node2', op: 'Const' }),
    ]);
    const problems = validateGraph(g).filter((p) => p.code === 'graph/dangling-input');
    expect(problems.map((p) => [p.node, p.message.match(/input '(\w+)'/)![1]])).toEqual([
      ['add_node1', 'missing_input1'],
      ['add_node1', 'missing_input2'],
      ['add_node2', 'missing_input3'],
    ]);
    expect(validateGraph(makeGraph([makeNode({ name: 'c', op: 'Const' })]))).toEqual([]);
  });
  it('finds duplicate names, missing required nodes and cycles outside loop frames', () => {
    const dup = makeGraph([makeNode({ name: 'a', op: 'Const' }), makeNode({ name: 'a', op: 'Const' })]);
    expect(validateGraph(dup).map((p) => p.code)).toContain('graph/duplicate-name');
    expect(validateGraph(makeGraph([makeNode({ name: 'a', op: 'Const' })]), { required: ['b:0'] }).map((p) => p.code)).toEqual(['graph/missing-node']);
    const cycle = makeGraph([makeNode({ name: 'a', op: 'Add', inputs: ['b'] }), makeNode({ name: 'b', op: 'Relu', inputs: ['a'] })]);
    expect(validateGraph(cycle).map((p) => p.code)).toEqual(['graph/cycle']);
    expect(() => topologicalOrder(cycle)).toThrow(/cycle/);
  });
});

describe('execution order', () => {
  it("follows TF's LIFO order on TestSimpleTree: c4, c3, add3, c2, c1, add2, add1", () => {
    const g = makeGraph([
      makeNode({ name: 'add1', op: 'Add', inputs: ['add2', 'add3'] }),
      makeNode({ name: 'add2', op: 'Add', inputs: ['c1', 'c2'] }),
      makeNode({ name: 'add3', op: 'Add', inputs: ['c3', 'c4'] }),
      ...['c1', 'c2', 'c3', 'c4'].map((name) => makeNode({ name, op: 'Const' })),
    ]);
    expect(topologicalOrder(g).map((n) => n.name)).toEqual(['c4', 'c3', 'add3', 'c2', 'c1', 'add2', 'add1']);
  });
  it('sorts a TF1 while loop: the NextIteration back edge into Merge is not a cycle', () => {
    const b = graphBuilder();
    const i0 = b.const('i0', 0);
    const enter = b.op('Enter', [i0], { frame_name: attr.s('loop') }, 'enter');
    const merge = b.op('Merge', [enter, 'next'], {}, 'merge');
    const limit = b.const('limit', 10);
    const less = b.op('Less', [merge, limit], {}, 'less');
    const cond = b.op('LoopCond', [less], {}, 'cond');
    const sw = b.op('Switch', [merge, cond], {}, 'switch');
    b.op('Exit', [sw], {}, 'exit');
    const one = b.const('one', 1);
    const add = b.op('Add', [`${sw}:1`, one], {}, 'add');
    b.op('NextIteration', [add], {}, 'next');
    const g = b.graph();
    const r = executionOrder(g);
    expect(r.inCycle).toEqual([]);
    const pos = new Map(r.order.map((n, i) => [n.name, i]));
    expect(pos.get('merge')!).toBeLessThan(pos.get('switch')!);
    expect(pos.get('add')!).toBeLessThan(pos.get('next')!);
    expect(validateGraph(g)).toEqual([]);
  });
  it('memoizes indexes per graph instance', () => {
    const g = makeGraph([makeNode({ name: 'a', op: 'Const' }), makeNode({ name: 'b', op: 'Identity', inputs: ['a', '^a'] })]);
    expect(graphIndex(g)).toBe(graphIndex(g));
    expect(graphIndex(g).consumers.get('a')!.map((c) => c.inputIndex)).toEqual([0, 1]);
  });
});

describe('tensors and dtypes', () => {
  it("expands a short value list by repeating its last element (TF's rule)", () => {
    const t = makeValueTensor('float', [2, 3], [1, 2]);
    expect(tensorToNumbers(t)).toEqual([1, 2, 2, 2, 2, 2]);
    expect(tensorToNumbers(makeValueTensor('int32', [4], []))).toEqual([0, 0, 0, 0]);
    expect(tensorToNumbers(makeValueTensor('half', [2], [0x3c00]))).toEqual([1, 1]);
    expect(halfToNumber(0xc000)).toBe(-2);
  });
  it('packs every numeric dtype little-endian', () => {
    expect([...tensorBytes(makeTensor('int16', [2], [1, -1]))]).toEqual([1, 0, 0xff, 0xff]);
    expect([...tensorBytes(makeTensor('int64', [1], [2n ** 40n]))]).toEqual([0, 0, 0, 0, 0, 1, 0, 0]);
    expect([...tensorBytes(makeTensor('bool', [3], [true, false, true]))]).toEqual([1, 0, 1]);
    expect(tensorToNumbers(makeTensor('complex64', [1], [1.5, -2]))).toEqual([1.5, -2]);
  });
  it('maps DataType enums both ways, refs and unknown values included', () => {
    expect(dtypeFromEnum(1)).toBe('float');
    expect(dtypeFromEnum(101)).toBe('float_ref');
    expect(dtypeFromEnum(99)).toBe('dtype(99)');
    expect(dtypeToEnum('dtype(99)')).toBe(99);
    expect(dtypeToEnum('bfloat16')).toBe(14);
    expect(parseDType('float32')).toBe('float');
    expect(parseDType('float16')).toBe('half');
    expect(parseDType('nonsense')).toBeUndefined();
  });
});
