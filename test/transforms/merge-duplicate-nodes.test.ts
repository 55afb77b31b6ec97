import { describe, expect, it } from 'vitest';
import { attr } from '../../src/ir/attr';
import { makeTensor } from '../../src/ir/tensor';
import { mergeDuplicateNodes } from '../../src/transforms/merge-duplicate-nodes';
import { graphBuilder, iota, nodeNames, nodeOf, snapshot, tf1WhileLoop } from '../helpers/graph-builder';
import { run } from '../helpers/context';

const F = { T: attr.type('float') };
const count = (names: string[], of: string[]) => names.filter((n) => of.includes(n)).length;

describe('merge_duplicate_nodes: TensorFlow tests (quantize_nodes_test.cc)', () => {
  it('M1 TestMergeDuplicateConsts', () => {
    const b = graphBuilder();
    b.const('a_op', iota(10));
    b.const('b_op', iota(10));
    b.op('Add', ['a_op', 'b_op'], F, 'add_op');
    b.const('c_op', iota(10, 2));
    b.op('Mul', ['add_op', 'c_op'], F, 'mul_op');
    const g = b.graph();
    const before = snapshot(g);
    const { graph: out, ctx } = run(mergeDuplicateNodes, g, {}, { outputs: ['mul_op'] });
    expect(nodeNames(out)).toEqual(['a_op', 'add_op', 'c_op', 'mul_op']);
    expect(nodeOf(out, 'add_op').inputs).toEqual(['a_op', 'a_op']);
    expect(nodeOf(out, 'mul_op').inputs).toEqual(['add_op', 'c_op']);
    expect(nodeOf(out, 'mul_op')).toBe(nodeOf(g, 'mul_op'));
    expect(ctx.counters.get('merged')).toBe(1);
    expect(snapshot(g)).toBe(before);
  });

  it('M2 TestMergeDuplicatesNested', () => {
    const b = graphBuilder();
    b.const('a_op', iota(10));
    b.const('b_op', iota(10));
    b.op('Relu', ['a_op'], F, 'a_relu_op');
    b.op('Relu', ['b_op'], F, 'b_relu_op');
    b.op('Add', ['a_relu_op', 'b_relu_op'], F, 'add_op');
    b.const('c_op', iota(10, 2));
    b.op('Mul', ['add_op', 'c_op'], F, 'mul_op');
    const { graph: out } = run(mergeDuplicateNodes, b.graph(), {}, { outputs: ['mul_op'] });
    const names = nodeNames(out);
    expect(count(names, ['a_op', 'b_op'])).toBe(1);
    expect(count(names, ['a_relu_op', 'b_relu_op'])).toBe(1);
    expect(nodeOf(out, 'add_op').inputs).toEqual(['a_relu_op', 'a_relu_op']);
    expect(nodeOf(out, 'a_relu_op').inputs).toEqual(['a_op']);
    expect(nodeOf(out, 'mul_op').inputs).toEqual(['add_op', 'c_op']);
  });

  it('M3 TestMergeDuplicateInOut: protected inputs and outputs never merge', () => {
    const b = graphBuilder();
    b.const('a_op', iota(10));
    b.const('b_op', iota(10));
    b.op('Relu', ['a_op'], F, 'a_relu_op');
    b.op('Relu', ['b_op'], F, 'b_relu_op');
    b.op('Add', ['a_relu_op', 'b_relu_op'], F, 'add_op');
    b.const('c_op', iota(10, 2));
    b.op('Mul', ['add_op', 'c_op'], F, 'mul_op1');
    b.op('Mul', ['add_op', 'c_op'], F, 'mul_op2');
    b.op('Mul', ['add_op', 'c_op'], F, 'mul_op3');
    b.op('Mul', ['mul_op2', 'mul_op3'], F, 'final_mul_op');
    const { graph: out } = run(mergeDuplicateNodes, b.graph(), {}, { inputs: ['a_op'], outputs: ['mul_op1', 'final_mul_op'] });
    const names = nodeNames(out);
    for (const n of ['a_op', 'b_op', 'a_relu_op', 'b_relu_op', 'mul_op1', 'final_mul_op']) expect(names).toContain(n);
    expect(count(names, ['mul_op2', 'mul_op3'])).toBe(1);
    expect(nodeOf(out, 'final_mul_op').inputs).toEqual(['mul_op2', 'mul_op2']);
    expect(nodeOf(out, 'mul_op1').inputs).toEqual(['add_op', 'c_op']);
  });

  it('M4 TestMergeDuplicateQuantizes', () => {
    const b = graphBuilder();
    b.const('quantized_op', makeTensor('quint8', [], [0]));
    b.const('quantized_min_op', 2);
    b.const('quantized_max_op', 2);
    b.op('Dequantize', ['quantized_op', 'quantized_min_op', 'quantized_max_op'], { T: attr.type('quint8'), mode: attr.s('MIN_FIRST') }, 'dequantize_op');
    for (const k of [1, 2]) {
      b.const(`dequantize_reshape_dims${k}`, makeTensor('int32', [1], [-1]));
      b.const(`quantize_reduction_dims${k}`, makeTensor('int32', [], [0]));
      b.op('Reshape', ['dequantize_op', `dequantize_reshape_dims${k}`], { T: attr.type('float'), Tshape: attr.type('int32') }, `quantize_reshape${k}`);
      const red = { T: attr.type('float'), Tidx: attr.type('int32'), keep_dims: attr.b(false) };
      b.op('Min', [`quantize_reshape${k}`, `quantize_reduction_dims${k}`], red, `quantize_min${k}`);
      b.op('Max', [`quantize_reshape${k}`, `quantize_reduction_dims${k}`], red, `quantize_max${k}`);
    }
    const q = { T: attr.type('quint8'), mode: attr.s('MIN_FIRST') };
    b.op('QuantizeV2', ['dequantize_op', 'quantize_min1', 'quantize_max1'], q, 'quantize_op1');
    b.op('QuantizeV2', ['dequantize_op', 'quantize_min1', 'quantize_max1'], q, 'quantize_op2');
    const dq = { T: attr.type('quint8'), mode: attr.s('MIN_FIRST') };
    b.op('Dequantize', ['quantize_op1', 'quantize_op1:1', 'quantize_op1:2'], dq, 'final_dequantize1');
    b.op('Dequantize', ['quantize_op2', 'quantize_op2:1', 'quantize_op2:2'], dq, 'final_dequantize2');
    b.op('Add', ['final_dequantize1', 'final_dequantize2'], F, 'add_op');
    const { graph: out } = run(mergeDuplicateNodes, b.graph(), {}, { outputs: ['add_op'] });
    expect(out.nodes.filter((n) => n.op === 'QuantizeV2')).toHaveLength(1);
    // Merging cascades: the two reshape/min/max chains and the final dequantizes merge too.
    expect(out.nodes.filter((n) => n.op === 'Dequantize')).toHaveLength(2);
    expect(nodeOf(out, 'add_op').inputs).toEqual(['final_dequantize1', 'final_dequantize1']);
    expect(nodeOf(out, 'final_dequantize1').inputs).toEqual(['quantize_op1', 'quantize_op1:1', 'quantize_op1:2']);
  });
});

describe('merge_duplicate_nodes: what makes nodes different (U21 TestHashNodeDef ingredients)', () => {
  const variants: [string, (b: ReturnType<typeof graphBuilder>) => void][] = [
    ['values', (b) => b.const('y', iota(10, 2))],
    ['dtype', (b) => b.const('y', iota(10, 1, 'int32'))],
    ['shape', (b) => b.const('y', iota(9))],
    ['device', (b) => b.const('y', iota(10), { device: '/cpu:0' })],
    ['op', (b) => b.op('Relu', [], { dtype: attr.type('float'), value: attr.tensor(iota(10)) }, 'y')],
  ];
  for (const [what, make] of variants) {
    it(`does not merge constants that differ in ${what}`, () => {
      const b = graphBuilder();
      b.const('x', iota(10));
      make(b);
      b.op('Add', ['x', 'y'], F, 'out');
      const g = b.graph();
      expect(run(mergeDuplicateNodes, g, {}, { outputs: ['out'] }).graph).toBe(g);
    });
  }
  it('merges equal nodes whatever their names; x and x:0 are the same input; other inputs differ', () => {
    const b = graphBuilder();
    b.const('foo', 1);
    b.const('bar', 2);
    b.op('Relu', ['foo'], F, 'r1');
    b.op('Relu', ['foo:0'], F, 'r2');
    b.op('Relu', ['bar'], F, 'r3');
    b.op('AddN', ['r1', 'r2', 'r3'], F, 'out');
    const { graph: out } = run(mergeDuplicateNodes, b.graph(), {}, { outputs: ['out'] });
    expect(nodeOf(out, 'out').inputs).toEqual(['r1', 'r1', 'r3']);
  });
  it('control inputs count', () => {
    const b = graphBuilder();
    b.const('x', 1);
    b.op('NoOp', [], {}, 'init');
    b.op('Relu', ['x'], F, 'r1');
    b.op('Relu', ['x', '^init'], F, 'r2');
    b.op('Add', ['r1', 'r2'], F, 'out');
    const g = b.graph();
    expect(run(mergeDuplicateNodes, g, {}, { outputs: ['out'] }).graph).toBe(g);
  });
});

describe('merge_duplicate_nodes: safety', () => {
  it('never merges stateful ops, unknown ops or placeholders', () => {
    const b = graphBuilder();
    const shape = b.const('shape', makeTensor('int32', [1], [3]));
    b.op('RandomUniform', [shape], { T: attr.type('int32'), dtype: attr.type('float') }, 'r1');
    b.op('RandomUniform', [shape], { T: attr.type('int32'), dtype: attr.type('float') }, 'r2');
    b.op('MyCustomOp', [], {}, 'c1');
    b.op('MyCustomOp', [], {}, 'c2');
    b.placeholder('p1', 'float', [3]);
    b.placeholder('p2', 'float', [3]);
    b.op('AddN', ['r1', 'r2', 'c1', 'c2', 'p1', 'p2'], F, 'out');
    const g = b.graph();
    expect(run(mergeDuplicateNodes, g, {}, { outputs: ['out'] }).graph).toBe(g);
  });
  it('protection uses node names: an output given as x:0 protects x', () => {
    const b = graphBuilder();
    b.const('a', 1);
    b.const('b', 1);
    const g = b.graph();
    expect(run(mergeDuplicateNodes, g, {}, { outputs: ['a:0', 'b:0'] }).graph).toBe(g);
    expect(nodeNames(run(mergeDuplicateNodes, g, {}, { outputs: [] }).graph)).toEqual(['a']);
  });
  it('rewires ports and control inputs of merged nodes, and colocation constraints', () => {
    const b = graphBuilder();
    b.const('x', 1);
    b.op('Unpack', ['x'], { num: attr.i(2), T: attr.type('float') }, 'u1');
    b.op('Unpack', ['x'], { num: attr.i(2), T: attr.type('float') }, 'u2');
    b.op('Identity', ['u2:1', '^u2'], { _class: attr.list({ s: ['loc:@u2'] }) }, 'out');
    const { graph: out } = run(mergeDuplicateNodes, b.graph(), {}, { outputs: ['out'] });
    expect(nodeOf(out, 'out').inputs).toEqual(['u1:1', '^u1']);
    expect(nodeOf(out, 'out').attrs._class).toEqual(attr.list({ s: ['loc:@u1'] }));
  });
  it('does not throw on a TF1 while loop, and merges nothing there that differs', () => {
    const g = tf1WhileLoop();
    const { graph: out } = run(mergeDuplicateNodes, g, {}, { outputs: ['exit'] });
    expect(out.nodes.length).toBeLessThanOrEqual(g.nodes.length);
    expect(nodeNames(out)).toContain('while/NextIteration');
  });
});
