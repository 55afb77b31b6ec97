/**
 * tf-graft/testing, as a custom-transform author uses it: the oracles fail when they should (and
 * say what is wrong), applyTransform runs a transform alone, and the golden runner catches a change.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineTransform } from '../../src/transform/define';
import { filterNodes } from '../../src/ir/edit';
import { removeNodes } from '../../src/transforms/remove-nodes';
import { applyTransform, checkNameOracle, expectGolden, expectRemains, expectRemoved, graphBuilder, iota, runGoldenCase } from '../../src/testing/index';

function identityChain() {
  const b = graphBuilder();
  const x = b.placeholder('x', 'float', [3]);
  const w = b.const('w', iota(3));
  const i = b.op('Identity', [x], {}, 'id_expect_removed');
  b.op('Add', [i, w], {}, 'y_expect_remains');
  return b.graph();
}

describe('tf-graft/testing', () => {
  it('expectRemoved and expectRemains hold on a transform that does its job, and fail on one that does not', async () => {
    const g = identityChain();
    const { graph, counters } = await applyTransform(removeNodes, g, { op: ['Identity'] }, { inputs: ['x'], outputs: ['y_expect_remains'] });
    expectRemoved(graph, 'id_expect_removed');
    expectRemoved(graph); // by the naming convention
    expectRemains(graph, 'x', 'w', 'y_expect_remains');
    expectRemains(graph);
    expect(checkNameOracle(g, graph)).toEqual([]);
    expect([...counters.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(0);

    // The untouched graph fails both checks, naming the nodes.
    expect(() => expectRemoved(g)).toThrow('expected removed, but still in the graph: id_expect_removed');
    expect(() => expectRemains(graph, 'id_expect_removed', 'nope')).toThrow('expected to remain: id_expect_removed is missing; nope is missing');
    expect(checkNameOracle(g, g)).toEqual(['id_expect_removed survived']);
  });

  it('applyTransform runs a custom transform alone, recording its reports and counters', async () => {
    const dropNoOps = defineTransform({
      name: 'drop_noops',
      summary: 'Removes NoOp nodes',
      params: {},
      counters: { removed: 'NoOps removed' },
      codes: { none: { severity: 'info', doc: 'Nothing to remove' } },
      apply(graph, _p, ctx) {
        const out = filterNodes(graph, (n) => n.op !== 'NoOp');
        if (out === graph) ctx.report({ code: 'none', message: 'no NoOp' });
        else ctx.count('removed', graph.nodes.length - out.nodes.length);
        return out;
      },
    });
    const b = graphBuilder();
    b.placeholder('x', 'float', [1]);
    b.op('NoOp', [], {}, 'n_expect_removed');
    const r = await applyTransform(dropNoOps, b.graph());
    expectRemoved(r.graph);
    expect(r.counters.get('removed')).toBe(1);
    const again = await applyTransform(dropNoOps, r.graph);
    expect(again.graph).toBe(r.graph);
    expect(again.reports.map((d) => d.code)).toEqual(['drop_noops/none']);
  });

  it('the golden runner passes a recorded case and fails, at the line, on a changed one', async () => {
    const dir = path.join(import.meta.dirname, '../golden/remove-identity');
    const c = {
      input: readFileSync(path.join(dir, 'input.pbtxt'), 'utf8'),
      pipeline: readFileSync(path.join(dir, 'pipeline.txt'), 'utf8').trim(),
      inputs: readFileSync(path.join(dir, 'inputs.txt'), 'utf8').split(/[\n,]/).map((s) => s.trim()).filter(Boolean),
      outputs: readFileSync(path.join(dir, 'outputs.txt'), 'utf8').split(/[\n,]/).map((s) => s.trim()).filter(Boolean),
      expected: readFileSync(path.join(dir, 'expected.pbtxt'), 'utf8'),
    };
    expect((await expectGolden(c)).equal).toBe(true);
    const changed = { ...c, pipeline: 'sort_by_execution_order' };
    expect((await runGoldenCase(changed)).equal).toBe(false);
    await expect(expectGolden(changed)).rejects.toThrow(/golden case differs at line \d+/);
  });
});
