import { describe, expect, it } from 'vitest';
import { attr } from '../../src/ir/attr';
import { GraftError } from '../../src/errors';
import { makeNode } from '../../src/ir/node';
import { addDefaultAttributes } from '../../src/transforms/add-default-attributes';
import { removeAttribute } from '../../src/transforms/remove-attribute';
import { renameAttribute } from '../../src/transforms/rename-attribute';
import { renameOp } from '../../src/transforms/rename-op';
import { graphBuilder, nodeOf, snapshot } from '../helpers/graph-builder';
import { run } from '../helpers/context';

function g() {
  const b = graphBuilder();
  b.op('Const', [], { _class: attr.list({ s: ['loc:@x'] }), dtype: attr.type('float') }, 'c');
  b.op('Relu', ['c'], { _class: attr.list({ s: ['loc:@x'] }), T: attr.type('float') }, 'r');
  return b.graph();
}

describe('remove_attribute', () => {
  it('from every node', () => {
    const graph = g();
    const before = snapshot(graph);
    const out = run(removeAttribute, graph, { attributeName: '_class' }).graph;
    expect(out.nodes.map((n) => Object.keys(n.attrs))).toEqual([['dtype'], ['T']]);
    expect(snapshot(graph)).toBe(before);
  });
  it('from one op only; same graph when absent', () => {
    const graph = g();
    const out = run(removeAttribute, graph, { attributeName: '_class', opName: 'Relu' }).graph;
    expect(Object.keys(nodeOf(out, 'c').attrs)).toEqual(['_class', 'dtype']);
    expect(nodeOf(out, 'c')).toBe(nodeOf(graph, 'c'));
    expect(Object.keys(nodeOf(out, 'r').attrs)).toEqual(['T']);
    expect(run(removeAttribute, graph, { attributeName: 'nope' }).graph).toBe(graph);
  });
  it('requires attribute_name', () => {
    expect(() => run(removeAttribute, g(), {})).toThrow(GraftError);
  });
});

describe('rename_attribute', () => {
  it('moves the value to the new key', () => {
    const out = run(renameAttribute, g(), { oldAttributeName: 'T', newAttributeName: 'dtype' }).graph;
    expect(nodeOf(out, 'r').attrs.dtype).toEqual(attr.type('float'));
    expect('T' in nodeOf(out, 'r').attrs).toBe(false);
  });
  it('an existing destination wins, as in TF, with a warning', () => {
    const { graph: out, ctx } = run(renameAttribute, g(), { oldAttributeName: 'dtype', newAttributeName: '_class' });
    expect(nodeOf(out, 'c').attrs._class).toEqual(attr.list({ s: ['loc:@x'] }));
    expect('dtype' in nodeOf(out, 'c').attrs).toBe(false);
    expect(ctx.reports[0]!.code).toBe('rename_attribute/kept-existing');
  });
});

describe('rename_op', () => {
  it('changes the op and nothing else', () => {
    const graph = g();
    const out = run(renameOp, graph, { oldOpName: 'Relu', newOpName: 'Relu6' }).graph;
    expect(nodeOf(out, 'r').op).toBe('Relu6');
    expect(nodeOf(out, 'r').attrs).toEqual(nodeOf(graph, 'r').attrs);
    expect(nodeOf(out, 'c')).toBe(nodeOf(graph, 'c'));
    expect(run(renameOp, graph, { oldOpName: 'Nope', newOpName: 'X' }).graph).toBe(graph);
  });
});

describe('add_default_attributes', () => {
  it('adds the op\'s defaults a node lacks and keeps what it has', () => {
    const b = graphBuilder();
    b.add(makeNode({ name: 'bn', op: 'FusedBatchNormV3', inputs: [], attrs: { T: attr.type('float'), epsilon: attr.f(0.001) } }));
    b.op('Custom', [], {}, 'custom');
    const graph = b.graph();
    const { graph: out, ctx } = run(addDefaultAttributes, graph);
    const bn = nodeOf(out, 'bn');
    expect(bn.attrs.is_training).toEqual(attr.b(true));
    expect(bn.attrs.data_format).toEqual(attr.s('NHWC'));
    expect(bn.attrs.epsilon).toEqual(attr.f(0.001));
    expect(nodeOf(out, 'custom')).toBe(nodeOf(graph, 'custom'));
    expect(ctx.reports.map((r) => r.code)).toEqual(['add_default_attributes/unknown-op']);
    expect(run(addDefaultAttributes, out).graph).toBe(out);
  });
});
