import { describe, expect, it } from 'vitest';
import { attr } from '../../src/ir/attr';
import { GraftError } from '../../src/errors';
import { removeNodes } from '../../src/transforms/remove-nodes';
import { graphBuilder, nodeNames, nodeOf, snapshot, tf1WhileLoop } from '../helpers/graph-builder';
import { run } from '../helpers/context';

describe('remove_nodes: TensorFlow tests (remove_nodes_test.cc)', () => {
  it('R1 TestRemoveNodes', () => {
    const b = graphBuilder();
    b.op('Add', ['add_node2', 'add_node3'], {}, 'add_node1');
    b.op('Add', ['identity_node1', 'identity_node2'], {}, 'add_node2');
    b.op('Add', ['identity_node1', 'const_node3'], {}, 'add_node3');
    b.op('Identity', ['const_node1'], {}, 'identity_node1');
    b.op('Identity', ['const_node2'], {}, 'identity_node2');
    b.op('Identity', ['const_node3'], {}, 'identity_node3');
    b.op('Const', [], {}, 'const_node1');
    b.op('Const', [], {}, 'const_node2');
    b.op('Const', [], {}, 'const_node3');
    b.op('Add', ['add_node2', 'add_node3'], {}, 'add_node4');
    const g = b.graph();
    const before = snapshot(g);
    const { graph: out } = run(removeNodes, g, { op: ['Identity'] }, { outputs: ['add_node1'] });
    expect(nodeOf(out, 'add_node1').inputs).toEqual(['add_node2', 'add_node3']);
    expect(nodeOf(out, 'add_node2').inputs).toEqual(['const_node1', 'const_node2']);
    expect(nodeOf(out, 'add_node3').inputs).toEqual(['const_node1', 'const_node3']);
    expect(nodeOf(out, 'add_node4').inputs).toEqual(['add_node2', 'add_node3']);
    for (const n of ['identity_node1', 'identity_node2', 'identity_node3']) expect(nodeNames(out)).not.toContain(n);
    for (const n of ['const_node1', 'const_node2', 'const_node3']) expect(nodeOf(out, n).op).toBe('Const');
    expect(snapshot(g)).toBe(before);
    // Untouched nodes are the same objects; survivors keep their order (TF moves inputs).
    expect(nodeOf(out, 'add_node1')).toBe(nodeOf(g, 'add_node1'));
    expect(nodeNames(out)).toEqual(['add_node1', 'add_node2', 'add_node3', 'const_node1', 'const_node2', 'const_node3', 'add_node4']);
  });

  it('R2 TestRemoveOutputNodes: an output Identity is kept', () => {
    const b = graphBuilder();
    b.op('Const', [], {}, 'const_node1');
    b.op('Const', [], {}, 'const_node2');
    b.op('Add', ['const_node1', 'const_node2'], {}, 'add_node');
    b.op('Identity', ['add_node'], {}, 'identity_node');
    const g = b.graph();
    const { graph: out } = run(removeNodes, g, { op: ['Identity'] }, { outputs: ['identity_node'] });
    expect(nodeOf(out, 'add_node').inputs).toEqual(['const_node1', 'const_node2']);
    expect(nodeOf(out, 'identity_node').inputs).toEqual(['add_node']);
    expect(out).toBe(g);
  });

  it('R3 TestRemoveChainedNodes', () => {
    const b = graphBuilder();
    b.op('Const', [], {}, 'const_node1');
    b.op('Identity', ['const_node1'], {}, 'identity_node1');
    b.op('Identity', ['identity_node1'], {}, 'identity_node2');
    b.op('Identity', ['identity_node2'], {}, 'identity_node3');
    b.op('Const', [], {}, 'const_node2');
    b.op('Add', ['identity_node3', 'const_node2'], {}, 'add_node');
    const { graph: out } = run(removeNodes, b.graph(), { op: ['Identity'] }, { outputs: ['identity_node'] });
    expect(nodeOf(out, 'add_node').inputs).toEqual(['const_node1', 'const_node2']);
    expect(nodeNames(out).filter((n) => n.startsWith('identity'))).toEqual([]);
  });

  it('R4 TestRemoveMultipleInputs', () => {
    const b = graphBuilder();
    for (const i of [1, 2, 3, 4]) b.op('Const', [], {}, `const_node${i}`);
    b.op('FakeQuantWithMinMaxVars', ['const_node1', 'const_node2', 'const_node3'], {}, 'fake_quant_node');
    b.op('Add', ['fake_quant_node', 'const_node4'], {}, 'add_node');
    const g = b.graph();
    const { graph: out } = run(removeNodes, g, { op: ['FakeQuantWithMinMaxVars'], maxInputs: 3 }, { outputs: ['add_node'] });
    expect(nodeNames(out)).not.toContain('fake_quant_node');
    expect(nodeNames(out)).toContain('const_node1');
    expect(nodeNames(out)).toContain('const_node4');
    expect(nodeOf(out, 'add_node').inputs).toEqual(['const_node1', 'const_node4']);
    // Without max_inputs the three-input node is not touched.
    expect(run(removeNodes, g, { op: ['FakeQuantWithMinMaxVars'] }, { outputs: ['add_node'] }).graph).toBe(g);
  });
});

describe('remove_nodes: ports, control edges and safety', () => {
  it('keeps the port of the removed node\'s input', () => {
    const b = graphBuilder();
    b.op('Split', [], {}, 'foo');
    b.op('Identity', ['foo:1'], {}, 'id');
    b.op('Relu', ['id'], {}, 'out');
    const { graph: out } = run(removeNodes, b.graph(), { op: ['Identity'] }, { outputs: ['out'] });
    expect(nodeOf(out, 'out').inputs).toEqual(['foo:1']);
  });

  it('rewires control consumers to the input node, and moves the removed node\'s control inputs to its consumers', () => {
    const b = graphBuilder();
    b.const('x', 1);
    b.op('AssignAdd', [], {}, 'update');
    b.op('Identity', ['x', '^update'], {}, 'id');
    b.op('Relu', ['id'], {}, 'y');
    b.op('NoOp', ['^id'], {}, 'z');
    const { graph: out } = run(removeNodes, b.graph(), { op: ['Identity'] }, { outputs: ['y', 'z'] });
    expect(nodeOf(out, 'y').inputs).toEqual(['x', '^update']);
    expect(nodeOf(out, 'z').inputs).toEqual(['^x', '^update']);
  });

  it('collapses chains with control inputs along the way, without duplicates', () => {
    const b = graphBuilder();
    b.const('x', 1);
    b.op('NoOp', [], {}, 'init');
    b.op('Identity', ['x', '^init'], {}, 'id1');
    b.op('Identity', ['id1', '^init'], {}, 'id2');
    b.op('Add', ['id2', 'id1'], {}, 'y');
    const { graph: out } = run(removeNodes, b.graph(), { op: ['Identity'] }, { outputs: ['y'] });
    expect(nodeOf(out, 'y').inputs).toEqual(['x', 'x', '^init']);
  });

  it('keeps a node whose output 1 is consumed, with a warning', () => {
    const b = graphBuilder();
    b.const('x', 1);
    b.op('IdentityN', ['x'], {}, 'idn');
    b.op('Relu', ['idn:1'], {}, 'y');
    const g = b.graph();
    const { graph: out, ctx } = run(removeNodes, g, { op: ['IdentityN'] }, { outputs: ['y'] });
    expect(out).toBe(g);
    expect(ctx.reports.map((r) => r.code)).toEqual(['remove_nodes/multi-output']);
  });

  it('keeps a cond pivot (Identity of a Switch used as a control input)', () => {
    const b = graphBuilder();
    b.placeholder('pred', 'bool', []);
    b.placeholder('v', 'float', []);
    b.op('Switch', ['v', 'pred'], { T: attr.type('float') }, 'switch');
    b.op('Identity', ['switch:1'], { T: attr.type('float') }, 'switch_t');
    b.op('Const', ['^switch_t'], {}, 'c');
    const g = b.graph();
    const { graph: out, ctx } = run(removeNodes, g, { op: ['Identity'] }, { inputs: ['pred', 'v'], outputs: ['c'] });
    expect(out).toBe(g);
    expect(ctx.reports[0]!.code).toBe('remove_nodes/pivot');
  });

  it('never removes graph inputs', () => {
    const b = graphBuilder();
    b.const('x', 1);
    b.op('Identity', ['x'], {}, 'in');
    b.op('Relu', ['in'], {}, 'y');
    const g = b.graph();
    expect(run(removeNodes, g, { op: ['Identity'] }, { inputs: ['in:0'], outputs: ['y'] }).graph).toBe(g);
  });

  it('retargets colocation constraints to the replacement', () => {
    const b = graphBuilder();
    b.const('x', 1);
    b.op('Identity', ['x'], {}, 'id');
    b.op('Relu', ['id'], { _class: attr.list({ s: ['loc:@id'] }) }, 'y');
    const { graph: out } = run(removeNodes, b.graph(), { op: ['Identity'] }, { outputs: ['y'] });
    expect(nodeOf(out, 'y').attrs._class).toEqual(attr.list({ s: ['loc:@x'] }));
  });

  it('requires at least one op, with TF\'s message', () => {
    const g = graphBuilder().graph();
    expect(() => run(removeNodes, g, {})).toThrow(GraftError);
    expect(() => run(removeNodes, g, {})).toThrow(/expects at least one 'op'/);
  });

  it('does not throw on a TF1 while loop, and keeps its loop anchors', () => {
    const g = tf1WhileLoop();
    const { graph: out } = run(removeNodes, g, { op: ['Identity'] }, { outputs: ['exit'] });
    expect(nodeNames(out)).toContain('while/Identity');
  });
});

