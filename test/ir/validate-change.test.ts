/**
 * Incremental validation (`validateGraph(g, { previous })`): after an edit of a valid graph only
 * what changed is looked at, and whenever that cannot show the graph valid the full check runs.
 * So the answer must always be the full check's: seeded random edits of random graphs (rewired
 * inputs, including ones that close cycles, removed nodes, renamed and added nodes, changed ops
 * and output counts, loops) compare the two.
 */
import { describe, expect, it } from 'vitest';
import { attr } from '../../src/ir/attr';
import { consumersOf, makeGraph, type Graph } from '../../src/ir/graph';
import { makeNode, type Node } from '../../src/ir/node';
import { seededRandom } from '../../src/ir/random';
import { executionOrder, hasExecutionOrder } from '../../src/ir/topo';
import { graphEdges } from '../../src/ir/edges';
import { validateGraph } from '../../src/ir/validate';
import { updateNode } from '../../src/ir/edit';

/** A random DAG: node i reads up to 3 earlier nodes (some through port 1 of a 2-way Split, some as control inputs). */
function randomDag(rand: () => number, count: number): Graph {
  const nodes: Node[] = [];
  for (let i = 0; i < count; i++) {
    const name = `n${i}`;
    if (i < 3 || rand() < 0.1) {
      nodes.push(makeNode({ name, op: 'Const' }));
      continue;
    }
    if (rand() < 0.15) {
      nodes.push(makeNode({ name, op: 'Split', inputs: [`n${Math.floor(rand() * i)}`, `n${Math.floor(rand() * i)}`], attrs: { num_split: attr.i(2) } }));
      continue;
    }
    const inputs: string[] = [];
    const k = 1 + Math.floor(rand() * 3);
    for (let j = 0; j < k; j++) {
      const from = nodes[Math.floor(rand() * i)]!;
      inputs.push(from.op === 'Split' && rand() < 0.5 ? `${from.name}:1` : from.name);
    }
    if (rand() < 0.2) inputs.push(`^n${Math.floor(rand() * i)}`);
    nodes.push(makeNode({ name, op: rand() < 0.5 ? 'Add' : 'Identity', inputs }));
  }
  return makeGraph(nodes);
}

/** One random edit of `g`; returns the new graph (nodes outside the edit are the same objects). */
function randomEdit(rand: () => number, g: Graph): Graph {
  const nodes = [...g.nodes];
  const pick = () => Math.floor(rand() * nodes.length);
  const edits = 1 + Math.floor(rand() * 4);
  for (let e = 0; e < edits; e++) {
    const i = pick();
    const n = nodes[i]!;
    const r = rand();
    if (r < 0.3 && n.inputs.length > 0) {
      // Rewire one input, anywhere (may close a cycle or read a missing port).
      const inputs = [...n.inputs];
      const target = nodes[pick()]!;
      inputs[Math.floor(rand() * inputs.length)] = rand() < 0.2 ? `${target.name}:1` : target.name;
      nodes[i] = updateNode(n, { inputs: inputs.filter((s) => !s.startsWith('^')).concat(inputs.filter((s) => s.startsWith('^'))) });
    } else if (r < 0.45) {
      // Remove a node (its readers may dangle) ...
      nodes.splice(i, 1);
      if (rand() < 0.5) {
        // ... or bypass it first, as remove_nodes does.
        const data = n.inputs.find((s) => !s.startsWith('^'));
        if (data !== undefined) {
          for (let j = 0; j < nodes.length; j++) {
            const m = nodes[j]!;
            if (m.inputs.includes(n.name)) nodes[j] = updateNode(m, { inputs: m.inputs.map((s) => (s === n.name ? data : s)) });
          }
        }
      }
    } else if (r < 0.55) {
      nodes[i] = updateNode(n, { op: n.op === 'Split' ? 'Identity' : 'Split', attrs: n.op === 'Split' ? {} : { num_split: attr.i(2) } });
    } else if (r < 0.7) {
      nodes[i] = updateNode(n, { name: `renamed${i}_${e}` });
    } else if (r < 0.8) {
      nodes.push(makeNode({ name: `new${nodes.length}_${e}`, op: 'Add', inputs: [nodes[pick()]!.name] }));
    } else if (r < 0.87) {
      nodes.push(makeNode({ name: n.name, op: 'Const' })); // a duplicate name
    } else {
      // A loop: Merge(x, NextIteration(Merge)), or a Merge fed back by something else.
      const m = `loop${nodes.length}_${e}`;
      nodes.push(makeNode({ name: `${m}/merge`, op: 'Merge', inputs: [n.name, `${m}/next`] }));
      nodes.push(makeNode({ name: `${m}/next`, op: rand() < 0.7 ? 'NextIteration' : 'Identity', inputs: [`${m}/merge`] }));
    }
  }
  return makeGraph(nodes, g);
}

describe('incremental validation', () => {
  it('gives the full check\'s answer after seeded random edits of random graphs', () => {
    const rand = seededRandom(14);
    const sortRand = seededRandom(41);
    let incremental = 0;
    let compared = 0;
    for (let round = 0; round < 300; round++) {
      let g = randomDag(rand, 20 + Math.floor(rand() * 60));
      expect(validateGraph(g)).toEqual([]);
      if (rand() < 0.5) consumersOf(g, 'n0'); // sometimes the previous graph has its consumers built
      for (let step = 0; step < 4; step++) {
        // Sometimes the previous graph is sorted or has its flat edges (readers are then found through them).
        const r = sortRand();
        if (step > 0 && r < 0.3) executionOrder(g);
        else if (step > 0 && r < 0.6) graphEdges(g);
        const next = randomEdit(rand, g);
        const required = rand() < 0.3 ? [next.nodes[0]!.name, 'n1:0'] : [];
        const full = validateGraph(makeGraph([...next.nodes], next), { required });
        const viaPrevious = validateGraph(next, { required, previous: g });
        expect(viaPrevious).toEqual(full);
        // Without the cycle check the previous graph needs no order: a copy of its node list that
        // has only its flat edges, or nothing built, is what readers are found through.
        const unsorted = makeGraph([...g.nodes], g);
        if (sortRand() < 0.5) graphEdges(unsorted);
        const acyclicFull = validateGraph(makeGraph([...next.nodes], next), { required, cycles: false });
        expect(validateGraph(next, { required, previous: unsorted, cycles: false })).toEqual(acyclicFull);
        compared++;
        if (full.length > 0) break;
        if (!hasExecutionOrder(next)) incremental++;
        g = next;
      }
    }
    expect(compared).toBeGreaterThan(300);
    // Most valid edits were shown valid without sorting the new graph.
    expect(incremental).toBeGreaterThan(50);
  });

  it('catches a cycle closed by a changed node, a reader left dangling, and a port its producer lost by changing op', () => {
    const g = makeGraph([
      makeNode({ name: 'x', op: 'Const' }),
      makeNode({ name: 's', op: 'Split', inputs: ['x', 'x'], attrs: { num_split: attr.i(2) } }),
      makeNode({ name: 'a', op: 'Add', inputs: ['s:1', 'x'] }),
      makeNode({ name: 'b', op: 'Identity', inputs: ['a'] }),
    ]);
    expect(validateGraph(g)).toEqual([]);
    const cyclic = makeGraph([g.nodes[0]!, g.nodes[1]!, updateNode(g.nodes[2]!, { inputs: ['s:1', 'b'] }), g.nodes[3]!]);
    expect(validateGraph(cyclic, { previous: g }).map((p) => p.code)).toEqual(['graph/cycle']);
    const dangling = makeGraph([g.nodes[0]!, g.nodes[1]!, g.nodes[3]!]);
    expect(validateGraph(dangling, { previous: g }).map((p) => p.code)).toEqual(['graph/dangling-input']);
    const fewer = makeGraph([g.nodes[0]!, updateNode(g.nodes[1]!, { op: 'Identity', attrs: {} }), g.nodes[2]!, g.nodes[3]!]);
    expect(validateGraph(fewer, { previous: g }).map((p) => p.code)).toEqual(['graph/bad-output-index']);
  });
});
