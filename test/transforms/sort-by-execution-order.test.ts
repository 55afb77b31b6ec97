import { describe, expect, it } from 'vitest';
import { GraftError } from '../../src/errors';
import { sortByExecutionOrder } from '../../src/transforms/sort-by-execution-order';
import { graphBuilder, nodeNames, tf1WhileLoop } from '../helpers/graph-builder';
import { run } from '../helpers/context';

describe('sort_by_execution_order: TensorFlow tests (sort_by_execution_order_test.cc)', () => {
  it('TestSimpleAdd', () => {
    const b = graphBuilder();
    b.op('Add', ['a_node', 'b_node'], {}, 'add_node');
    b.op('Const', [], {}, 'b_node');
    b.op('Const', [], {}, 'a_node');
    const out = run(sortByExecutionOrder, b.graph()).graph;
    expect(nodeNames(out).indexOf('add_node')).toBe(2);
  });
  it('TestSimpleLinear', () => {
    const b = graphBuilder();
    b.op('Neg', ['sqrt_node'], {}, 'negative_node');
    b.op('Relu', ['const_node'], {}, 'relu_node');
    b.op('Sqrt', ['relu_node'], {}, 'sqrt_node');
    b.op('Const', [], {}, 'const_node');
    expect(nodeNames(run(sortByExecutionOrder, b.graph()).graph)).toEqual(['const_node', 'relu_node', 'sqrt_node', 'negative_node']);
  });
  it('TestSimpleTree: TF\'s exact LIFO order', () => {
    const b = graphBuilder();
    b.op('Add', ['add_node2', 'add_node3'], {}, 'add_node1');
    b.op('Add', ['const_node1', 'const_node2'], {}, 'add_node2');
    b.op('Add', ['const_node3', 'const_node4'], {}, 'add_node3');
    for (const i of [1, 2, 3, 4]) b.op('Const', [], {}, `const_node${i}`);
    expect(nodeNames(run(sortByExecutionOrder, b.graph()).graph)).toEqual([
      'const_node4', 'const_node3', 'add_node3', 'const_node2', 'const_node1', 'add_node2', 'add_node1',
    ]);
  });
  it('TestCommonAncestor', () => {
    const b = graphBuilder();
    b.op('Add', ['add_node2', 'add_node3'], {}, 'add_node1');
    b.op('Add', ['const_node1', 'const_node2'], {}, 'add_node2');
    b.op('Add', ['const_node1', 'const_node3'], {}, 'add_node3');
    for (const i of [1, 2, 3]) b.op('Const', [], {}, `const_node${i}`);
    expect(nodeNames(run(sortByExecutionOrder, b.graph()).graph)).toEqual([
      'const_node3', 'const_node2', 'const_node1', 'add_node3', 'add_node2', 'add_node1',
    ]);
  });
});

describe('sort_by_execution_order', () => {
  it('returns the same graph when already sorted', () => {
    const b = graphBuilder();
    b.op('Const', [], {}, 'c');
    b.op('Relu', ['c'], {}, 'r');
    const g = b.graph();
    expect(run(sortByExecutionOrder, g).graph).toBe(g);
  });
  it('sorts TF1 while loops (Merge is ready after its first data input)', () => {
    const g = tf1WhileLoop();
    const names = nodeNames(run(sortByExecutionOrder, g).graph);
    expect(names).toHaveLength(g.nodes.length);
    expect(names.indexOf('while/Merge')).toBeGreaterThan(names.indexOf('while/Enter'));
  });
  it('fails on a cycle and on a dangling input', () => {
    const b = graphBuilder();
    b.op('Relu', ['b'], {}, 'a');
    b.op('Relu', ['a'], {}, 'b');
    expect(() => run(sortByExecutionOrder, b.graph())).toThrow(/2 nodes in a cycle/);
    const d = graphBuilder();
    d.op('Relu', ['missing'], {}, 'a');
    expect(() => run(sortByExecutionOrder, d.graph())).toThrow(GraftError);
  });
});
