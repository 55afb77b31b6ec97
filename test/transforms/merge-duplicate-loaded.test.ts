/**
 * merge_duplicate_nodes on a loaded GraphDef: attributes that are still the file's bytes are
 * compared as bytes (map entries in key order) and not decoded; nodes with inputs no other node
 * shares are never looked at; a group holding a node whose attributes were made in code compares
 * values, as before.
 */
import { describe, expect, it } from 'vitest';
import { attr } from '../../src/ir/attr';
import { decodeGraphDef, encodeGraphDef } from '../../src/io/graphdef';
import { lazyAttrDecodeCount } from '../../src/io/graph-lazy';
import { makeGraph, withNodes } from '../../src/ir/graph';
import { makeNode } from '../../src/ir/node';
import { makeTensor } from '../../src/ir/tensor';
import { mergeDuplicateNodes } from '../../src/transforms/merge-duplicate-nodes';
import { encodeMessage } from '../../src/proto';
import { run } from '../helpers/context';

const F = { T: attr.type('float') };
const c = (name: string, values: number[]) => makeNode({ name, op: 'Const', attrs: { dtype: attr.type('float'), value: attr.tensor(makeTensor('float', [values.length], values)) } });

function sample() {
  return makeGraph([
    c('a', [1, 2]),
    c('b', [1, 2]), // same as a
    c('d', [3, 4]),
    makeNode({ name: 'add1', op: 'Add', inputs: ['a', 'd'], attrs: F }),
    makeNode({ name: 'add2', op: 'Add', inputs: ['b', 'd'], attrs: F }), // same as add1 once b is a
    makeNode({ name: 'add3', op: 'Add', inputs: ['a', 'd'], attrs: { T: attr.type('int32') } }), // differs in T
    makeNode({ name: 'relu', op: 'Relu', inputs: ['add1'], attrs: F }),
    makeNode({ name: 'out', op: 'AddN', inputs: ['relu', 'add2', 'add3'], attrs: { ...F, N: attr.i(3) } }),
  ]);
}

describe('merge_duplicate_nodes on a loaded graph', () => {
  it('merges what the in-code graph merges, decoding only the attributes of nodes that share op and inputs', () => {
    const made = run(mergeDuplicateNodes, sample(), {}, { outputs: ['out'] }).graph;
    const loaded = decodeGraphDef(encodeGraphDef(sample()));
    const before = lazyAttrDecodeCount();
    const { graph, ctx } = run(mergeDuplicateNodes, loaded, {}, { outputs: ['out'] });
    expect(lazyAttrDecodeCount()).toBe(before);
    expect(ctx.counters.get('merged')).toBe(2);
    expect(graph.nodes.map((n) => `${n.name}(${n.inputs.join(',')})`)).toEqual(made.nodes.map((n) => `${n.name}(${n.inputs.join(',')})`));
    expect(Buffer.from(encodeGraphDef(graph)).equals(Buffer.from(encodeGraphDef(made)))).toBe(true);
  });

  it('attribute maps written in another key order are the same attributes', () => {
    // b's attr entries in the order value, dtype (TensorFlow may write map entries in any order).
    const swapped = encodeMessage('tensorflow.GraphDef', {
      node: [
        { name: 'a', op: 'Const', attr: { dtype: { type: 1 }, value: { tensor: { dtype: 1, tensor_shape: { dim: [{ size: 2 }] }, float_val: [1, 2] } } } },
        { name: 'b', op: 'Const', attr: { value: { tensor: { dtype: 1, tensor_shape: { dim: [{ size: 2 }] }, float_val: [1, 2] } }, dtype: { type: 1 } } },
        { name: 'out', op: 'Add', input: ['a', 'b'], attr: { T: { type: 1 } } },
      ],
    });
    expect(swapped.length).toBeGreaterThan(0);
    const g = decodeGraphDef(swapped);
    const { graph } = run(mergeDuplicateNodes, g, {}, { outputs: ['out'] });
    expect(graph.nodes.map((n) => n.name)).toEqual(['a', 'out']);
    expect(graph.nodes[1]!.inputs).toEqual(['a', 'a']);
  });

  it('a node made in code among loaded ones: compared by value', () => {
    const loaded = decodeGraphDef(encodeGraphDef(sample()));
    // Replace b by an equal Const made in code: it still merges into a.
    const mixed = withNodes(loaded, loaded.nodes.map((n) => (n.name === 'b' ? c('b', [1, 2]) : n)));
    const { graph, ctx } = run(mergeDuplicateNodes, mixed, {}, { outputs: ['out'] });
    expect(ctx.counters.get('merged')).toBe(2);
    expect(graph.nodes.map((n) => n.name)).not.toContain('b');
    // And one made in code that differs does not.
    const differs = withNodes(loaded, loaded.nodes.map((n) => (n.name === 'b' ? c('b', [1, 5]) : n)));
    expect(run(mergeDuplicateNodes, differs, {}, { outputs: ['out'] }).graph.nodes.map((n) => n.name)).toContain('b');
  });
});
