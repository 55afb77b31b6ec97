import { describe, expect, it } from 'vitest';
import { renameNodeInputs } from '../../src/ir/rename';
import { GraftError } from '../../src/errors';
import { graphBuilder, nodeOf, snapshot } from '../helpers/graph-builder';

function addGraph(inputs: [string, string]) {
  const b = graphBuilder();
  b.const('a', 1);
  b.const('b', 2);
  b.op('Add', inputs, {}, 'add');
  return b.graph();
}

describe('renameNodeInputs', () => {
  it('U14 TestRenameNodeInputs: a → b', () => {
    const out = renameNodeInputs(addGraph(['a', 'a']), { a: 'b' });
    expect(nodeOf(out, 'add').inputs).toEqual(['b', 'b']);
  });
  it('U15 …WithRedirects: chains are followed', () => {
    const out = renameNodeInputs(addGraph(['a', 'b']), new Map([['a', 'f'], ['f', 'e'], ['e', 'd'], ['d', 'c']]));
    expect(nodeOf(out, 'add').inputs).toEqual(['c', 'b']);
  });
  it('U16 …WithCycle: a cycle is an error', () => {
    expect(() => renameNodeInputs(addGraph(['a', 'b']), { a: 'd', d: 'a' })).toThrow(GraftError);
    expect(() => renameNodeInputs(addGraph(['a', 'b']), { a: 'd', d: 'a' })).toThrow(/cycle for a/);
  });
  it('U17 …WithWildcard: ports are kept', () => {
    const b = graphBuilder();
    b.op('QuantizeV2', [], {}, 'quantize_a');
    b.op('Add', ['quantize_a:1', 'quantize_a:2', '^quantize_a'], {}, 'add');
    const out = renameNodeInputs(b.graph(), { 'quantize_a:*': 'quantize_b' });
    expect(nodeOf(out, 'add').inputs).toEqual(['quantize_b:1', 'quantize_b:2', '^quantize_b']);
  });
  it('U18 …WithIgnores', () => {
    const b = graphBuilder();
    b.const('a', 1);
    b.op('Add', ['a', 'a'], {}, 'add');
    b.op('Add', ['a', 'a'], {}, 'add2');
    const out = renameNodeInputs(b.graph(), { a: 'b' }, new Set(['add2']));
    expect(nodeOf(out, 'add').inputs).toEqual(['b', 'b']);
    expect(nodeOf(out, 'add2').inputs).toEqual(['a', 'a']);
  });
  it('matches canonical forms: x renames x:0 but not x:1 nor ^x', () => {
    const b = graphBuilder();
    b.op('Split', [], {}, 'x');
    b.op('Add', ['x:0', 'x:1', '^x'], {}, 'add');
    const g = b.graph();
    const before = snapshot(g);
    const out = renameNodeInputs(g, { x: 'y', '^x': '^z' });
    expect(nodeOf(out, 'add').inputs).toEqual(['y', 'x:1', '^z']);
    expect(snapshot(g)).toBe(before);
  });
  it('returns the same graph and node objects when nothing is renamed', () => {
    const g = addGraph(['a', 'b']);
    expect(renameNodeInputs(g, { zz: 'q' })).toBe(g);
    const out = renameNodeInputs(g, { a: 'q' });
    expect(out.nodes[0]).toBe(g.nodes[0]);
    expect(out.nodes[2]).not.toBe(g.nodes[2]);
  });
});
