import { describe, expect, it } from 'vitest';
import { attr, shapeOf } from '../../src/ir/attr';
import { GraftError } from '../../src/errors';
import { makeTensor } from '../../src/ir/tensor';
import { stripUnusedNodes } from '../../src/transforms/strip-unused-nodes';
import { graphBuilder, nodeNames, nodeOf, snapshot, tf1WhileLoop } from '../helpers/graph-builder';
import { run } from '../helpers/context';

const placeholderOf = (dtype: string, dims: number[] | null) => ({ dtype: attr.type(dtype as 'float'), shape: { kind: 'shape', value: shapeOf(dims) } });

/** TF's add/mul graph: add_node = Add(mul_node, a_node), mul_node = Mul(b_node, c_node); hand-built nodes without attrs. */
function addMul() {
  const b = graphBuilder();
  b.op('Add', ['mul_node', 'a_node'], {}, 'add_node');
  b.op('Mul', ['b_node', 'c_node'], {}, 'mul_node');
  for (const n of ['a_node', 'b_node', 'c_node']) b.op('Const', [], {}, n);
  return b.graph();
}

describe('strip_unused_nodes: TensorFlow tests (strip_unused_nodes_test.cc)', () => {
  it('S1 TestSimpleAdd', () => {
    const b = graphBuilder();
    b.op('Add', ['a_node', 'b_node'], {}, 'add_node');
    for (const n of ['a_node', 'b_node', 'c_node']) b.op('Const', [], {}, n);
    const g = b.graph({ versions: { producer: 27, minConsumer: 0, badConsumers: [] } });
    const before = snapshot(g);
    const { graph: out } = run(stripUnusedNodes, g, {}, { outputs: ['add_node'] });
    expect(nodeNames(out)).toEqual(['add_node', 'a_node', 'b_node']);
    expect(out.versions).toEqual(g.versions);
    expect(out.nodes[0]).toBe(g.nodes[0]);
    expect(snapshot(g)).toBe(before);
  });

  it('S2 TestCommonAncestor', () => {
    const b = graphBuilder();
    b.op('Add', ['add_node2', 'add_node3'], {}, 'add_node1');
    b.op('Add', ['const_node1', 'const_node2'], {}, 'add_node2');
    b.op('Add', ['const_node1', 'const_node3'], {}, 'add_node3');
    for (const n of ['const_node1', 'const_node2', 'const_node3', 'dangling_input']) b.op('Const', [], {}, n);
    b.op('Add', ['add_node2', 'add_node3'], {}, 'add_node4');
    const { graph: out } = run(stripUnusedNodes, b.graph(), {}, { inputs: ['dangling_input'], outputs: ['add_node1'] });
    expect(nodeNames(out)).toEqual(['add_node1', 'add_node2', 'add_node3', 'const_node1', 'const_node2', 'const_node3', 'dangling_input']);
    expect(nodeOf(out, 'dangling_input').op).toBe('Placeholder');
  });

  it('S3 TestSimplePlaceholder: float scalar when nothing is known', () => {
    const { graph: out, ctx } = run(stripUnusedNodes, addMul(), {}, { inputs: ['mul_node'], outputs: ['add_node'] });
    expect(nodeNames(out)).toEqual(['add_node', 'mul_node', 'a_node']);
    expect(nodeOf(out, 'mul_node').op).toBe('Placeholder');
    expect(nodeOf(out, 'mul_node').attrs).toEqual(placeholderOf('float', []));
    expect(nodeOf(out, 'mul_node').inputs).toEqual([]);
    expect(ctx.reports).toHaveLength(1);
    expect(ctx.reports[0]).toMatchObject({ code: 'strip_unused_nodes/placeholder', severity: 'warning', node: 'mul_node' });
  });

  it('S4 TestPlaceholderDefaultArgs', () => {
    const { graph: out } = run(stripUnusedNodes, addMul(), { type: 'int32', shape: [1, 2, 3] }, { inputs: ['mul_node'], outputs: ['add_node'] });
    expect(nodeNames(out)).toEqual(['add_node', 'mul_node', 'a_node']);
    expect(nodeOf(out, 'mul_node').attrs).toEqual(placeholderOf('int32', [1, 2, 3]));
  });

  it('S5 TestPlaceholderNamedArgs', () => {
    const { graph: out } = run(
      stripUnusedNodes,
      addMul(),
      { name: ['a_node', 'mul_node'], typeForName: ['int64', 'quint8'], shapeForName: [[1, 2], [1, 2, 3]] },
      { inputs: ['mul_node', 'a_node'], outputs: ['add_node'] },
    );
    expect(nodeNames(out)).toEqual(['add_node', 'mul_node', 'a_node']);
    expect(nodeOf(out, 'mul_node').attrs).toEqual(placeholderOf('quint8', [1, 2, 3]));
    expect(nodeOf(out, 'a_node').attrs).toEqual(placeholderOf('int64', [1, 2]));
  });

  it('S6/P6 python TransformGraph: Relu after the output is stripped', () => {
    const b = graphBuilder();
    b.const('const_op1', makeTensor('float', [1, 2], [1, 2]));
    b.const('const_op2', makeTensor('float', [1, 2], [3, 4]));
    b.op('Add', ['const_op1', 'const_op2'], { T: attr.type('float') }, 'add_op');
    b.op('Relu', ['add_op'], { T: attr.type('float') }, 'relu_op');
    const { graph: out } = run(stripUnusedNodes, b.graph(), {}, { inputs: [], outputs: ['add_op'] });
    expect(out.nodes.some((n) => n.op === 'Relu')).toBe(false);
  });
});

describe('strip_unused_nodes: placeholders take the replaced node\'s dtype and shape', () => {
  it('infers dtype from T and shape from _output_shapes, and says so (info)', () => {
    const b = graphBuilder();
    b.placeholder('raw', 'int32', [4]);
    b.op('Cast', ['raw'], { SrcT: attr.type('int32'), DstT: attr.type('bool'), _output_shapes: attr.list({ shape: [shapeOf([-1, 4])] }) }, 'flag');
    b.op('LogicalNot', ['flag'], {}, 'out');
    const { graph: out, ctx } = run(stripUnusedNodes, b.graph(), {}, { inputs: ['flag'], outputs: ['out'] });
    expect(nodeNames(out)).toEqual(['flag', 'out']);
    expect(nodeOf(out, 'flag').attrs).toEqual(placeholderOf('bool', [-1, 4]));
    expect(ctx.reports[0]).toMatchObject({ severity: 'info', code: 'strip_unused_nodes/placeholder' });
    expect(ctx.reports[0]!.message).toMatch(/bool Placeholder of shape \[\?,4\].*DstT attr.*_output_shapes/);
  });

  it('a PlaceholderWithDefault becomes a Placeholder of the same dtype and shape; a Const keeps its value\'s shape', () => {
    const b = graphBuilder();
    b.const('train_default', makeTensor('bool', [], [0]));
    b.op('PlaceholderWithDefault', ['train_default'], { dtype: attr.type('bool'), shape: attr.shape([]) }, 'is_training');
    b.const('k', makeTensor('int32', [2, 2], [1, 2, 3, 4]));
    b.op('Foo', ['is_training', 'k'], {}, 'out');
    const { graph: out } = run(stripUnusedNodes, b.graph(), {}, { inputs: ['is_training', 'k'], outputs: ['out'] });
    expect(nodeNames(out)).toEqual(['is_training', 'k', 'out']);
    expect(nodeOf(out, 'is_training').attrs).toEqual(placeholderOf('bool', []));
    expect(nodeOf(out, 'k').attrs).toEqual(placeholderOf('int32', [2, 2]));
  });

  it('an explicit type= wins over the inferred dtype, with a warning', () => {
    const b = graphBuilder();
    b.const('k', makeTensor('int32', [2], [1, 2]));
    b.op('Foo', ['k'], {}, 'out');
    const { graph: out, ctx } = run(stripUnusedNodes, b.graph(), { type: 'float' }, { inputs: ['k'], outputs: ['out'] });
    expect(nodeOf(out, 'k').attrs).toEqual(placeholderOf('float', [2]));
    expect(ctx.reports[0]).toMatchObject({ severity: 'warning' });
    expect(ctx.reports[0]!.message).toMatch(/overriding int32/);
  });

  it('name= with only shape_for_name= infers the dtype', () => {
    const b = graphBuilder();
    b.const('k', makeTensor('int32', [2], [1, 2]));
    b.op('Foo', ['k'], {}, 'out');
    const { graph: out } = run(stripUnusedNodes, b.graph(), { name: ['k'], shapeForName: [[-1]] }, { inputs: ['k'], outputs: ['out'] });
    expect(nodeOf(out, 'k').attrs).toEqual(placeholderOf('int32', [-1]));
  });

  it('an existing Placeholder input keeps its dtype and shape whatever type= says', () => {
    const b = graphBuilder();
    b.placeholder('x', 'uint8', [1, 28, 28]);
    b.op('Relu', ['x'], {}, 'out');
    const g = b.graph();
    const { graph: out, ctx } = run(stripUnusedNodes, g, { type: 'int32', shape: [1] }, { inputs: ['x'], outputs: ['out'] });
    expect(out).toBe(g);
    expect(ctx.reports).toEqual([]);
  });

  it('an input given with a port: its consumers read the placeholder', () => {
    const b = graphBuilder();
    b.placeholder('x', 'float', [4]);
    b.op('Split', ['x'], { T: attr.type('float'), num_split: attr.i(2), _output_shapes: attr.list({ shape: [shapeOf([2]), shapeOf([2])] }) }, 'split');
    b.op('Relu', ['split:1'], {}, 'out');
    const { graph: out } = run(stripUnusedNodes, b.graph(), {}, { inputs: ['split:1'], outputs: ['out'] });
    expect(nodeNames(out)).toEqual(['split', 'out']);
    expect(nodeOf(out, 'split').attrs).toEqual(placeholderOf('float', [2]));
    expect(nodeOf(out, 'out').inputs).toEqual(['split']);
  });
});

describe('strip_unused_nodes: edges and errors', () => {
  it('keeps control-input ancestors; ports on outputs are ignored', () => {
    const b = graphBuilder();
    b.op('NoOp', [], {}, 'init');
    b.const('x', 1);
    b.op('Relu', ['x', '^init'], {}, 'out');
    b.op('Relu', ['x'], {}, 'unused');
    const { graph: out } = run(stripUnusedNodes, b.graph(), {}, { outputs: ['out:0'] });
    expect(nodeNames(out)).toEqual(['init', 'x', 'out']);
  });

  it('an unknown output is an error that says output and suggests names', () => {
    try {
      run(stripUnusedNodes, addMul(), {}, { outputs: ['add_nod'] });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(GraftError);
      expect((e as GraftError).code).toBe('graph/missing-node');
      expect((e as GraftError).message).toMatch(/Output node 'add_nod'/);
      expect((e as GraftError).hint).toMatch(/add_node/);
    }
  });

  it('bad name= lists are errors', () => {
    expect(() => run(stripUnusedNodes, addMul(), { name: ['a_node'] }, { outputs: ['add_node'] })).toThrow(/type_for_name/);
    expect(() => run(stripUnusedNodes, addMul(), { name: ['a_node'], typeForName: ['int32', 'float'] }, { outputs: ['add_node'] })).toThrow(GraftError);
  });

  it('with no outputs the graph is left unchanged, with a warning', () => {
    const g = addMul();
    const { graph: out, ctx } = run(stripUnusedNodes, g, {}, {});
    expect(out).toBe(g);
    expect(ctx.reports[0]!.code).toBe('strip_unused_nodes/no-outputs');
  });

  it('unchanged graph → same instance; missing inputs are ignored', () => {
    const g = addMul();
    const { graph: out } = run(stripUnusedNodes, g, {}, { inputs: ['nope'], outputs: ['add_node'] });
    expect(out).toBe(g);
  });

  it('does not throw on a TF1 while loop', () => {
    const g = tf1WhileLoop();
    const { graph: out } = run(stripUnusedNodes, g, {}, { outputs: ['exit'] });
    expect(out).toBe(g);
  });
});

describe('strip_unused_nodes: the replaced node\'s shape from shape inference', () => {
  it('a node without _output_shapes gets its inferred shape and dtype', () => {
    const b = graphBuilder();
    const x = b.placeholder('x', 'float', [-1, 28, 28, 1]);
    const shape = b.const('shape', makeTensor('int32', [2], [-1, 784]));
    const flat = b.op('Reshape', [x, shape], { T: attr.type('float'), Tshape: attr.type('int32') }, 'flat');
    b.op('Relu', [flat], { T: attr.type('float') }, 'out');
    const { graph: out, ctx } = run(stripUnusedNodes, b.graph(), {}, { inputs: ['flat'], outputs: ['out'] });
    const p = nodeOf(out, 'flat');
    expect(p.op).toBe('Placeholder');
    expect(p.attrs.shape).toEqual(attr.shape([-1, 784]));
    expect(p.attrs.dtype).toEqual(attr.type('float'));
    expect(JSON.stringify(ctx.reports)).toContain('shape from shape inference');
  });
});
