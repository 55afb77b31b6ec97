/**
 * What a transform run lets go of (issue #14, peak memory): a loaded node a transform dropped is
 * freed while the rest of its graph lives on (the loaded bytes do not hold the nodes), and
 * runPipeline keeps no step's input once the next step has its output.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { decodeGraphDef, encodeGraphDef } from '../../src/io/graphdef';
import { isUnchangedLoadedNode } from '../../src/io/graph-lazy';
import { attr } from '../../src/ir/attr';
import { type Graph, makeGraph, withNodes } from '../../src/ir/graph';
import { makeNode } from '../../src/ir/node';
import { runPipeline } from '../../src/transform/runner';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Lets the current job end (a WeakRef keeps its target alive until then), then collects. */
async function collect(): Promise<void> {
  await new Promise((r) => setTimeout(r, 0));
  gc();
  gc();
}

function chain(n: number): Uint8Array {
  const nodes = [makeNode({ name: 'x', op: 'Placeholder', attrs: { dtype: attr.type('float') } })];
  for (let i = 0; i < n; i++) {
    nodes.push(makeNode({ name: `id${i}`, op: 'Identity', inputs: [i === 0 ? 'x' : `relu${i - 1}`], attrs: { T: attr.type('float') } }));
    nodes.push(makeNode({ name: `relu${i}`, op: 'Relu', inputs: [`id${i}`], attrs: { T: attr.type('float') } }));
  }
  return encodeGraphDef(makeGraph(nodes));
}

describe('memory a transform run releases', () => {
  it('a loaded node dropped from the graph is freed while the graph it came from lives on', async () => {
    const bytes = chain(20);
    let g: Graph | undefined = decodeGraphDef(bytes);
    const dropped = new WeakRef(g.nodes[1]!);
    const kept = withNodes(g, g.nodes.filter((n) => n.name !== 'id0'));
    g = undefined;
    await collect();
    expect(dropped.deref()).toBeUndefined();
    // The nodes that stayed are still the loaded ones, written back as their bytes.
    expect(kept.nodes.every(isUnchangedLoadedNode)).toBe(true);
    const out = encodeGraphDef(kept);
    expect(out.length).toBeLessThan(bytes.length);
    expect(decodeGraphDef(out).nodes.map((n) => n.name)).toEqual(kept.nodes.map((n) => n.name));
  });

  it('runPipeline keeps no step input once the next step has its output (the caller kept none)', async () => {
    const inputs: WeakRef<Graph>[] = [];
    const aliveAtLastStep: boolean[] = [];
    const run = runPipeline(decodeGraphDef(chain(50)), 'remove_nodes(op=Identity) rename_op(old_op_name=Relu, new_op_name=Elu) remove_attribute(attribute_name=T)', {
      hooks: {
        async beforeStep(info) {
          inputs.push(new WeakRef(info.graph));
          if (info.index === info.count - 1) {
            await collect();
            for (const r of inputs) aliveAtLastStep.push(r.deref() !== undefined);
          }
        },
      },
    });
    const { graph, report } = await run;
    expect(report.steps.map((s) => s.changed)).toEqual([true, true, true]);
    expect(graph.nodes.some((n) => n.op === 'Identity')).toBe(false);
    // The loaded graph and the first step's output are gone; the last step's input is in use.
    expect(aliveAtLastStep).toEqual([false, false, true]);
  });
});
