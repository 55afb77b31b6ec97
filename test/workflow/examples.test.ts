/** The optimize examples run (CI runs them through this test) and show what they claim. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleModelFiles, graftOptimizePlugin, main as embedMain } from '../../examples/embed-in-build-tool';
import { main as nodeMain } from '../../examples/optimize-in-node';
import { buildExampleModel } from '../../examples/tiny-model';
import { writeCheckpointFiles } from '../../src/io/checkpoint/bundle-files';
import { decodeSavedModel } from '../../src/io/saved-model';
import { loadModel, saveSavedModel } from '../../src/io/model-files';

let tmp: string;
let model: string;
beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'graft-optimize-examples-'));
  model = path.join(tmp, 'model');
  const { savedModel, checkpoint } = buildExampleModel();
  await writeCheckpointFiles(path.join(tmp, 'staging', 'variables'), checkpoint);
  await saveSavedModel(model, savedModel, { variablesFrom: path.join(tmp, 'staging', 'variables') });
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('examples/optimize-in-node.ts', () => {
  it('optimizes a SavedModel directory and returns the verified, benchmarked report', async () => {
    const out = path.join(tmp, 'node-out');
    const { report, text, outDir } = await nodeMain(model, out, { batch: 8, runs: 3, warmup: 1 });
    expect(outDir).toBe(out);
    expect(existsSync(path.join(out, 'saved_model.pb'))).toBe(true);
    expect((await loadModel(out)).kind).toBe('saved-model');
    expect(report.verification!.status).toBe('pass');
    expect(report.bench!.batch).toBe(8);
    expect(text).toMatch(/^optimized\s/m);
  }, 60_000);
});

describe('examples/embed-in-build-tool.ts', () => {
  it('turns model bytes into optimized assets to emit, without touching a file', async () => {
    const { assets, report, inputBytes } = await embedMain();
    expect(assets.map((a) => a.fileName)).toEqual(['models/tiny/saved_model.pb']);
    expect(assets[0]!.source.length).toBeLessThan(inputBytes);
    const sm = decodeSavedModel(assets[0]!.source);
    expect(Object.keys(sm.metaGraphs[0]!.signatures)).toEqual(['serving_default']);
    expect(sm.metaGraphs[0]!.graph.nodes.some((n) => n.op === 'VariableV2' || n.op === 'Identity')).toBe(false);
    expect(report.verification!.status).toBe('pass');
  }, 60_000);

  it('puts assets where the plugin is told to', async () => {
    const plugin = graftOptimizePlugin({ outDir: 'static/m' });
    expect(plugin.name).toBe('graft-optimize');
    const assets = await plugin.optimizeModel('x', exampleModelFiles());
    expect(assets.map((a) => a.fileName)).toEqual(['static/m/saved_model.pb']);
  }, 60_000);
});
