/**
 * The stages of `optimize` run alone on a real SavedModel (serving_half_plus_two_cpu): `load`
 * decides what to keep without reading the checkpoint; `convertBack` given a transformed graph
 * that lost one signature's output drops that signature with the reason, and keeps the rest.
 */
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/io/model-files';
import { modelSource } from '../../src/workflow/optimize-files';
import { withNodes } from '../../src/ir/graph';
import { type Source, convertBack, freeze, load, transform } from '../../src/workflow/optimize-stages';
import { HAVE_MODELS, SKIP_REASON, modelPath } from '../helpers/models';

async function source(dir: string, readCheckpoint?: () => never): Promise<Source> {
  const src = modelSource(await loadModel(dir), dir);
  return readCheckpoint ? { ...src, readCheckpoint } : src;
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
});
