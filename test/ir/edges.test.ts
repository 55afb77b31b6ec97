/**
 * Flat edges (src/ir/edges.ts): every input resolved to its producer's position and port, as
 * `parseInput` and the name index read it.
 */
import { describe, expect, it } from 'vitest';
import { CONTROL_PORT, PARSE_PORT, graphEdges } from '../../src/ir/edges';
import { makeGraph } from '../../src/ir/graph';
import { makeNode, parseInput } from '../../src/ir/node';

describe('graphEdges', () => {
  it('resolves producers and ports of every input form, in node and input order', () => {
    const g = makeGraph([
      makeNode({ name: 'a', op: 'Placeholder' }),
      makeNode({ name: 'b:c', op: 'Placeholder' }),
      makeNode({ name: 's', op: 'Split', inputs: ['a', 'a:1', '^a', 'a:12', 'b:c'] }),
      makeNode({ name: 'f', op: 'X', inputs: ['s:out:3', 'nowhere', 'nowhere:2', 'a:99999999999', 'a:'] }),
    ]);
    const e = graphEdges(g);
    expect([...e.offsets]).toEqual([0, 0, 0, 5, 10]);
    expect([...e.producer]).toEqual([0, 0, 0, 0, 1, 2, -1, -1, 0, -1]);
    expect([...e.port]).toEqual([0, 1, CONTROL_PORT, 12, 0, PARSE_PORT, 0, 2, PARSE_PORT, 0]);
    expect(e.uniqueNames).toBe(true);
    // What the flat form leaves to parseInput, parseInput reads.
    expect(parseInput('s:out:3')).toEqual({ node: 's', port: 3, control: false, outputArg: 'out' });
    // Memoized per node list: the graph and its nodes share one.
    expect(graphEdges(g.nodes)).toBe(e);
  });

  it('with a repeated name, an edge names the first node of it', () => {
    const g = makeGraph([makeNode({ name: 'x', op: 'Const' }), makeNode({ name: 'x', op: 'Const' }), makeNode({ name: 'y', op: 'Neg', inputs: ['x'] })]);
    const e = graphEdges(g);
    expect(e.uniqueNames).toBe(false);
    expect([...e.producer]).toEqual([0]);
  });
});
