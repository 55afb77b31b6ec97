/**
 * The stages of `optimize` run alone on a real SavedModel (serving_half_plus_two_cpu): `load`
 * decides what to keep without reading the checkpoint; `convertBack` given a transformed graph
 * that lost one signature's output drops that signature with the reason, and keeps the rest;
 * `verify` and `measure`, given a state whose result graph was changed by hand, fail on it;
 * `report` turns a state into one verdict per signature.
 */
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/io/model-files';
import { modelSource } from '../../src/workflow/optimize-files';
import { type Graph, withNodes } from '../../src/ir/graph';
import { attr } from '../../src/ir/attr';
import { setAttrs } from '../../src/ir/edit';
import { makeTensor, tensorToNumbers } from '../../src/ir/tensor';
import { type Source, benchStage, convertBack, freeze, load, measure, ranOn, report, transform, verify } from '../../src/workflow/optimize-stages';
import type { OptimizeOptions } from '../../src/workflow/optimize-options';
import { HAVE_MODELS, SKIP_REASON, modelPath } from '../helpers/models';

async function source(dir: string, readCheckpoint?: () => never): Promise<Source> {
  const src = modelSource(await loadModel(dir), dir);
  return readCheckpoint ? { ...src, readCheckpoint } : src;
}

/** half_plus_two up to `convertBack`: the result to verify, with the options given. */
async function converted(opts: OptimizeOptions) {
  return convertBack(await transform(await freeze(await load(await source(modelPath('serving_half_plus_two_cpu')), opts))));
}

/** The graph with its scalar float constant 2 (the "plus two") made 3: every output moves by 1. */
function plusThree(graph: Graph): Graph {
  const twos = graph.nodes.filter((n) => n.op === 'Const' && n.attrs.value?.kind === 'tensor' && n.attrs.value.value.dtype === 'float' && tensorToNumbers(n.attrs.value.value).join() === '2');
  expect(twos).toHaveLength(1);
  return withNodes(graph, graph.nodes.map((n) => (n === twos[0] ? setAttrs(n, { value: attr.tensor(makeTensor('float', [], [3])) }) : n)));
}

describe.skipIf(!HAVE_MODELS)(`optimize stages alone (${HAVE_MODELS ? 'models present' : SKIP_REASON})`, () => {
  it('load: chooses the signatures and lists what cannot run, reading no checkpoint', async () => {
    const src = await source(modelPath('serving_half_plus_two_cpu'), () => {
      throw new Error('load read the checkpoint');
    });
    const events: string[] = [];
    const s = await load(src, { onProgress: (p) => events.push(p.stage) });
    expect(s.mg.tags).toEqual(['serve']);
    expect([...s.keys].sort()).toEqual(Object.keys(s.mg.signatures).filter((k) => k !== '__saved_model_init_op').sort());
    expect(s.dropped).toEqual([]);
    expect(s.given).toEqual({});
    expect(s.gated).toBe(false);
    expect(events.every((e) => e === 'check' || e === 'load')).toBe(true);
  });

  it('convertBack: a signature whose output the graph lost is dropped with the reason; the others are kept', async () => {
    const src = await source(modelPath('serving_half_plus_two_cpu'));
    const t = await transform(await freeze(await load(src, {})));
    const all = convertBack(t);
    const keys = all.pairs.map((p) => p.key);
    expect(keys.length).toBeGreaterThan(1);
    // The output node of one signature, not an output of any other.
    const victim = all.pairs.find((p) => {
      const out = Object.values(p.before.outputs)[0]!.name!.split(':')[0]!;
      return all.pairs.every((q) => q === p || Object.values(q.before.outputs).every((o) => o.name!.split(':')[0] !== out));
    })!;
    const lost = Object.values(victim.before.outputs)[0]!.name!.split(':')[0]!;
    const graph = withNodes(t.graph, t.graph.nodes.filter((n) => n.name !== lost));
    const some = convertBack({ ...t, graph, dropped: [] });
    expect(some.pairs.map((p) => p.key)).toEqual(keys.filter((k) => k !== victim.key));
    expect(some.dropped).toEqual([{ key: victim.key, reason: expect.stringContaining(`the pipeline removed ${lost}`) }]);
    expect(Object.keys(some.savedModel.metaGraphs[0]!.signatures)).toEqual(some.pairs.map((p) => p.key));
  });

  it('verify: the result as converted passes; one whose constant moved fails with verify/mismatch', async () => {
    const s = await converted({});
    const v = await verify(s);
    expect(v.verification?.status).toBe('pass');
    expect(v.verification?.signatures.map((x) => x.verified)).toEqual(s.pairs.map(() => true));
    expect(v.lossy).toEqual([]);
    await expect(verify({ ...s, outGraph: plusThree(s.outGraph) })).rejects.toMatchObject({ code: 'verify/mismatch' });
  });

  it('measure: gated by maxDiff, the result is measured and passes; past the gate it throws and writes nothing', async () => {
    const v = await verify(await converted({ maxDiff: 1e-3 }));
    const m = await measure(v);
    expect(m.failures).toEqual([]);
    expect(m.measured!.pooled.length).toBeGreaterThan(0);
    expect(Math.max(...m.measured!.pooled.map((o) => o.maxAbsDiff))).toBeLessThanOrEqual(1e-3);
    const moved = await measure({ ...v, outGraph: plusThree(v.outGraph) }).catch((e: unknown) => e);
    expect(moved).toMatchObject({ code: 'verify/mismatch', message: expect.stringContaining('nothing was written') });
  });

  it('report: one verdict per kept signature, the sizes per stage and the cost of a gated run', async () => {
    const r = report(await ranOn(await benchStage(await measure(await verify(await converted({ maxDiff: 1e-3 }))))));
    const kept = r.report.signatures.kept;
    expect(kept.length).toBeGreaterThan(1);
    expect(r.report.verdicts).toEqual(kept.map((key) => ({ key, verified: true })));
    expect(r.report.stages.original.totalBytes).toBeGreaterThan(0);
    expect(r.report.cost).toMatchObject({ status: 'pass', failures: [], lossySteps: [] });
    expect(r.report.bench).toBeNull();
    expect(r.report.diagnostics.filter((d) => d.code === 'optimize/not-verified')).toEqual([]);
  });
});
