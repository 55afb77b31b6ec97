import { describe, expect, it } from 'vitest';
import { attr } from '../../src/ir/attr';
import { GraftError } from '../../src/errors';
import { obfuscateNames } from '../../src/transforms/obfuscate-names';
import { shortId } from '../../src/transforms/apply/obfuscate-names';
import { renameNode } from '../../src/transforms/rename-node';
import { graphBuilder, nodeNames, nodeOf, snapshot } from '../helpers/graph-builder';
import { run } from '../helpers/context';

function g() {
  const b = graphBuilder();
  b.placeholder('input', 'float', [2]);
  b.op('Split', ['input'], {}, 'split');
  b.op('Relu', ['split:1', '^split'], { _class: attr.list({ s: ['loc:@split'] }) }, 'relu');
  b.op('Identity', ['relu'], {}, 'output');
  return b.graph();
}

describe('obfuscate_names', () => {
  it('short ids are base 62, most significant digit first', () => {
    expect([0, 9, 10, 35, 36, 61, 62, 63, 62 * 62].map(shortId)).toEqual(['0', '9', 'a', 'z', 'A', 'Z', '10', '11', '100']);
  });
  it('renames all but inputs and outputs, keeping ports, ^ and colocation', () => {
    const graph = g();
    const before = snapshot(graph);
    const out = run(obfuscateNames, graph, {}, { inputs: ['input:0'], outputs: ['output'] }).graph;
    expect(nodeNames(out)).toEqual(['input', '0', '1', 'output']);
    expect(nodeOf(out, '1').inputs).toEqual(['0:1', '^0']);
    expect(nodeOf(out, '1').attrs._class).toEqual(attr.list({ s: ['loc:@0'] }));
    expect(nodeOf(out, 'output').inputs).toEqual(['1']);
    expect(nodeOf(out, 'input')).toBe(nodeOf(graph, 'input'));
    expect(snapshot(graph)).toBe(before);
  });
  it('skips ids that a protected name uses', () => {
    const b = graphBuilder();
    b.op('Const', [], {}, '0');
    b.op('Relu', ['0'], {}, 'x');
    const out = run(obfuscateNames, b.graph(), {}, { inputs: ['0'] }).graph;
    expect(nodeNames(out)).toEqual(['0', '1']);
  });
  it('has the old misspelling as a deprecated alias', () => {
    expect(obfuscateNames.aliases.map((a) => a.name)).toEqual(['obsfucate_names']);
  });
  it('fails on a dangling input, as TF does', () => {
    const b = graphBuilder();
    b.op('Relu', ['missing'], {}, 'x');
    expect(() => run(obfuscateNames, b.graph())).toThrow(/No node named missing for input to x/);
  });
});

describe('rename_node', () => {
  it('renames the node and every reference', () => {
    const out = run(renameNode, g(), { oldNodeName: 'split', newNodeName: 'halves' }, { outputs: ['output'] }).graph;
    expect(nodeNames(out)).toEqual(['input', 'halves', 'relu', 'output']);
    expect(nodeOf(out, 'relu').inputs).toEqual(['halves:1', '^halves']);
    expect(nodeOf(out, 'relu').attrs._class).toEqual(attr.list({ s: ['loc:@halves'] }));
  });
  it('refuses a name in use, and renaming an output; warns on a missing node', () => {
    expect(() => run(renameNode, g(), { oldNodeName: 'split', newNodeName: 'relu' })).toThrow(/already using 'relu'/);
    expect(() => run(renameNode, g(), { oldNodeName: 'output', newNodeName: 'o' }, { outputs: ['output'] })).toThrow(GraftError);
    const graph = g();
    const { graph: out, ctx } = run(renameNode, graph, { oldNodeName: 'nope', newNodeName: 'x' });
    expect(out).toBe(graph);
    expect(ctx.reports[0]!.code).toBe('rename_node/not-found');
  });
});
