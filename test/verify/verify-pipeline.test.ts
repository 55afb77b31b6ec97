/** runPipelineVerified: the outputs checked after each step, and the first step that moved them named. */
import { describe, expect, it } from 'vitest';
import { attr } from '../../src/ir/attr';
import { mapNodes, setAttrs } from '../../src/ir/edit';
import type { Graph } from '../../src/ir/graph';
import { makeTensor, tensorToNumbers } from '../../src/ir/tensor';
import { defineTransform, param } from '../../src/transform/define';
import { createRegistry } from '../../src/transform/registry';
import { runPipelineVerified } from '../../src/verify/verify-pipeline';
import { graphBuilder } from '../helpers/graph-builder';

/** y = Identity(x * w) + b, with an Identity that remove_nodes can take out. */
function model(): Graph {
  const b = graphBuilder();
  const x = b.placeholder('x', 'float', [-1, 4]);
  const w = b.const('w', makeTensor('float', [4], [1, 2, 3, 4]));
  const wr = b.op('Identity', [w], { T: attr.type('float') }, 'w/read');
  const m = b.op('Mul', [x, wr], { T: attr.type('float') }, 'mul');
  const bias = b.const('bias', makeTensor('float', [4], [0.5, 0.5, 0.5, 0.5]));
  b.op('AddV2', [m, bias], { T: attr.type('float') }, 'y');
  b.const('unused', 1);
  return b.graph();
}

/** A deliberately wrong transform: scales one Const by `factor`. */
const scaleConst = defineTransform({
  name: 'scale_const',
  summary: 'Test only: multiplies a Const by a factor (a wrong "optimization").',
  params: { name: param.string({ doc: 'the Const' }), factor: param.float({ doc: 'the factor', default: 1.5 }) },
  apply(graph, params) {
    return mapNodes(graph, (n) => {
      if (n.name !== params.name || n.attrs.value?.kind !== 'tensor') return n;
      const t = n.attrs.value.value;
      return setAttrs(n, { value: attr.tensor(makeTensor(t.dtype, t.shape, tensorToNumbers(t).map((v) => v * params.factor))) });
    });
  },
});

function registry() {
  return createRegistry().register(scaleConst);
}

describe('runPipelineVerified', () => {
  it('checks every changed step and passes lossless ones', async () => {
    const { graph, report } = await runPipelineVerified(model(), 'remove_nodes(op=Identity) strip_unused_nodes sort_by_execution_order', {
      inputs: ['x'],
      outputs: ['y'],
      verify: { seed: 2 },
    });
    expect(graph.nodes.some((n) => n.name === 'w/read')).toBe(false);
    expect(report.firstMoved).toBeUndefined();
    expect(report.diagnostics.filter((d) => d.code.startsWith('verify/'))).toEqual([]);
    // Only steps that changed the graph are run again.
    const changed = report.steps.filter((s) => s.changed).map((s) => s.index);
    expect(report.verification.map((v) => v.index)).toEqual(changed);
    expect(changed.length).toBeGreaterThanOrEqual(2);
    for (const v of report.verification) {
      expect(v.pass).toBe(true);
      expect(v.outputs[0]).toMatchObject({ name: 'y', maxAbsDiff: 0 });
    }
    expect(report.feeds).toEqual([{ name: 'x', dtype: 'float', shape: [1, 4], generated: true }]);
  });

  it('names the first step whose outputs moved, with a verify/moved diagnostic', async () => {
    const { report } = await runPipelineVerified(
      model(),
      'remove_nodes(op=Identity) scale_const(name=bias, factor=2) scale_const(name=w, factor=3) strip_unused_nodes',
      { inputs: ['x'], outputs: ['y'], registry: registry(), verify: { feeds: { x: makeTensor('float', [1, 4], [1, 1, 1, 1]) } } },
    );
    expect(report.firstMoved).toEqual({ index: 1, step: 'scale_const(name=bias, factor=2)' });
    const moved = report.diagnostics.filter((d) => d.code === 'verify/moved');
    expect(moved).toHaveLength(1);
    expect(moved[0]).toMatchObject({ severity: 'error', transform: 'scale_const' });
    expect(moved[0]!.message).toMatch(/Step 2 .*scale_const.* is the first whose outputs moved: y: max abs diff 0\.500/);
    expect(report.steps[1]!.diagnostics.map((d) => d.code)).toContain('verify/moved');
    // bias 0.5 → 1: every element moves by 0.5; the reference y = [1.5, 2.5, 3.5, 4.5].
    const step2 = report.verification.find((v) => v.index === 1)!;
    expect(step2.pass).toBe(false);
    expect(step2.outputs[0]!.maxAbsDiff).toBeCloseTo(0.5, 6);
    expect(step2.outputs[0]!.maxRelDiff).toBeCloseTo(0.5 / 1.5, 6);
    expect(step2.outputs[0]!.mismatches).toBe(4);
    // Later steps are still checked against the input graph, not the previous step.
    expect(report.verification.find((v) => v.index === 2)!.pass).toBe(false);
    expect(report.verification[0]).toMatchObject({ index: 0, pass: true });
  });

  it('lets a change within the tolerance through', async () => {
    const { report } = await runPipelineVerified(model(), 'scale_const(name=w, factor=1.00001)', {
      inputs: ['x'],
      outputs: ['y'],
      registry: registry(),
      verify: { rtol: 1e-4 },
    });
    expect(report.verification).toHaveLength(1);
    expect(report.verification[0]!.pass).toBe(true);
    expect(report.verification[0]!.outputs[0]!.maxAbsDiff).toBeGreaterThan(0);
    expect(report.firstMoved).toBeUndefined();
  });

  it('calls the caller’s own hooks too', async () => {
    const seen: string[] = [];
    await runPipelineVerified(model(), 'remove_nodes(op=Identity)', {
      outputs: ['y'],
      hooks: { beforeStep: (i) => void seen.push(`before ${i.transform}`), afterStep: (i) => void seen.push(`after ${i.transform}`) },
      verify: {},
    });
    expect(seen).toEqual(['before remove_nodes', 'after remove_nodes']);
  });

  it('needs outputs', async () => {
    await expect(runPipelineVerified(model(), 'remove_nodes(op=Identity)', { verify: {} })).rejects.toMatchObject({ code: 'api/bad-argument', param: 'outputs' });
  });
});
