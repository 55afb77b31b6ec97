import { describe, expect, it } from 'vitest';
import { attr } from '../../src/ir/attr';
import { type NodeMatch, findMatches, matchedNodes, replaceMatchingOpTypes } from '../../src/ir/match';
import { makeNode } from '../../src/ir/node';
import { graphBuilder, iota, nodeNames, nodeOf, snapshot } from '../helpers/graph-builder';

/** TF's transform_utils_test graph: a, b Const; add = Add(a, b); placeholder; output = Mul(add, placeholder). */
function addMulGraph() {
  const b = graphBuilder();
  const a = b.const('a', iota(10));
  const bb = b.const('b', iota(10));
  const add = b.op('Add', [a, bb], { T: attr.type('float') }, 'add');
  const p = b.placeholder('placeholder', 'float');
  b.op('Mul', [add, p], { T: attr.type('float') }, 'output');
  return b.graph({ versions: { producer: 27, minConsumer: 0, badConsumers: [] } });
}

const heads = (ms: NodeMatch[]) => ms.map((m) => m.node.name);

describe('findMatches (U10 TestGetOpTypeMatches)', () => {
  const g = addMulGraph();
  it('a single op pattern matches each node of that op', () => {
    expect(heads(findMatches(g, { op: 'Const' })).sort()).toEqual(['a', 'b']);
    expect(heads(findMatches(g, { op: 'Add' }))).toEqual(['add']);
    expect(findMatches(g, { op: 'NoSuch' })).toHaveLength(0);
  });
  it('matches inputs by sub-pattern', () => {
    const ms = findMatches(g, { op: 'Add', inputs: [{ op: 'Const' }, { op: 'Const' }] });
    expect(ms).toHaveLength(1);
    expect(ms[0]!.inputs.map((m) => m.node.name)).toEqual(['a', 'b']);
  });
  it('matches a whole tree', () => {
    const ms = findMatches(g, { op: 'Mul', inputs: [{ op: 'Add', inputs: [{ op: 'Const' }, { op: 'Const' }] }, { op: 'Placeholder' }] });
    expect(ms).toHaveLength(1);
    expect(matchedNodes(ms[0]!).map((n) => n.name)).toEqual(['output', 'add', 'placeholder', 'a', 'b']);
  });
  it('claims matched nodes: {*,[*,*]} matches only at add, which claims a and b', () => {
    const ms = findMatches(g, { op: '*', inputs: [{ op: '*' }, { op: '*' }] });
    expect(heads(ms)).toEqual(['add']);
  });
  it('alternatives A|B match in execution order', () => {
    expect(heads(findMatches(g, { op: 'Add|Mul' }))).toEqual(['add', 'output']);
  });
  it('input count must be exact and control inputs do not count', () => {
    const b = graphBuilder();
    b.const('c', 1);
    b.const('d', 2);
    b.op('Identity', ['c', '^d'], {}, 'id');
    const g2 = b.graph();
    expect(heads(findMatches(g2, { op: 'Identity', inputs: [{ op: '*' }] }))).toEqual(['id']);
    expect(findMatches(g2, { op: 'Identity', inputs: [{ op: '*' }, { op: '*' }] })).toHaveLength(0);
  });
  it('ports are ignored when following inputs; a dangling input never matches', () => {
    const b = graphBuilder();
    b.op('Split', [], {}, 's');
    b.op('Relu', ['s:1'], {}, 'r');
    b.op('Relu', ['missing'], {}, 'r2');
    expect(heads(findMatches(b.graph(), { op: 'Relu', inputs: [{ op: 'Split' }] }))).toEqual(['r']);
    expect(heads(findMatches(b.graph(), { op: 'Relu', inputs: [{ op: '*' }] }))).toEqual(['r']);
  });
});

describe('U11 TestGetOpTypeMatchesDAG', () => {
  it('a node may appear twice in one match', () => {
    const b = graphBuilder();
    const a = b.const('a', iota(10));
    b.op('Add', [a, a], {}, 'add');
    const ms = findMatches(b.graph(), { op: 'Add', inputs: [{ op: 'Const' }, { op: 'Const' }] });
    expect(ms).toHaveLength(1);
    expect(ms[0]!.inputs.map((m) => m.node.name)).toEqual(['a', 'a']);
  });
});

describe('matchedNodes', () => {
  it('U13 TestMatchedNodesAsArray: breadth first, each node once', () => {
    const n = (name: string) => makeNode({ name, op: 'Const' });
    const fourth: NodeMatch = { node: n('fourth'), inputs: [] };
    const m: NodeMatch = { node: n('first'), inputs: [{ node: n('second'), inputs: [fourth] }, { node: n('third'), inputs: [fourth] }] };
    expect(matchedNodes(m).map((x) => x.name)).toEqual(['first', 'second', 'third', 'fourth']);
  });
  it('U22 TestCopyOriginalMatch: [a, b]', () => {
    const a = makeNode({ name: 'a', op: 'Relu', inputs: ['b'] });
    const b = makeNode({ name: 'b', op: 'Const' });
    expect(matchedNodes({ node: a, inputs: [{ node: b, inputs: [] }] })).toEqual([a, b]);
  });
});

describe('replaceMatchingOpTypes', () => {
  it('U12 TestReplaceMatchingOpTypes: every node gets an Identity after it', () => {
    const g = addMulGraph();
    const before = snapshot(g);
    const out = replaceMatchingOpTypes(g, { op: '*' }, (m) => [
      makeNode({ ...m.node, name: `${m.node.name}_before_identity` }),
      makeNode({ name: m.node.name, op: 'Identity', inputs: [`${m.node.name}_before_identity`] }),
    ]);
    expect(out.nodes).toHaveLength(10);
    expect(nodeOf(out, 'output').op).toBe('Identity');
    expect(nodeOf(out, 'output').inputs).toEqual(['output_before_identity']);
    expect(nodeOf(out, 'output_before_identity').op).toBe('Mul');
    expect(nodeOf(out, 'output_before_identity').inputs).toEqual(['add', 'placeholder']);
    expect(nodeOf(out, 'add_before_identity').inputs).toEqual(['a', 'b']);
    // Emitted where each head was, and library/versions kept (TF drops them).
    expect(nodeNames(out).slice(0, 2)).toEqual(['a_before_identity', 'a']);
    expect(out.versions).toEqual(g.versions);
    expect(snapshot(g)).toBe(before);
  });
  it('drops non-head members and emits the replacement at the head', () => {
    const g = addMulGraph();
    const out = replaceMatchingOpTypes(g, { op: 'Add', inputs: [{ op: 'Const' }, { op: 'Const' }] }, (m) => [
      makeNode({ name: m.node.name, op: 'Const' }),
    ]);
    expect(nodeNames(out)).toEqual(['add', 'placeholder', 'output']);
  });
  it('keeps the original match when the replacement loses a consumed node (no allowInconsistencies)', () => {
    const g = addMulGraph();
    const seen: string[][] = [];
    const out = replaceMatchingOpTypes(
      g,
      { op: 'Add', inputs: [{ op: 'Const' }, { op: 'Const' }] },
      (_m, ctx) => {
        expect([...ctx.outputNodes]).toEqual(['add']);
        expect([...ctx.inputNodes]).toEqual([]);
        return [makeNode({ name: 'renamed', op: 'Const' })];
      },
      { onInconsistent: (_m, missing) => seen.push([...missing]) },
    );
    expect(seen).toEqual([['add']]);
    expect(nodeNames(out)).toEqual(['add', 'a', 'b', 'placeholder', 'output']);
  });
  it('returns the same graph when nothing matches, and when nothing changes', () => {
    const g = addMulGraph();
    expect(replaceMatchingOpTypes(g, { op: 'NoSuch' }, () => [])).toBe(g);
    expect(replaceMatchingOpTypes(g, { op: 'Placeholder' }, (m) => [m.node])).toBe(g);
  });
});
