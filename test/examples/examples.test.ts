import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as customTransform, setBatchSize } from '../../examples/custom-transform';
import { buildExampleModel } from '../../examples/tiny-model';
import { mainGraph } from '../../src/index';
import { loadModel, readModelVariables, saveSavedModel, writeCheckpointFiles } from '../../src/node';
import { createRegistry } from '../../src/transform/registry';
import { pipeline } from '../../src/transform/pipeline';

let dir: string;
let modelDir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'graft-examples-'));
  modelDir = path.join(dir, 'model');
  const { savedModel, checkpoint } = buildExampleModel();
  await writeCheckpointFiles(path.join(dir, 'staging', 'variables'), checkpoint);
  await saveSavedModel(modelDir, savedModel, { variablesFrom: path.join(dir, 'staging', 'variables') });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the example model (examples/tiny-model.ts)', () => {
  it('loads back as a SavedModel with its signature, variables and checkpoint', async () => {
    const m = await loadModel(modelDir);
    expect(m.kind).toBe('saved-model');
    if (m.kind !== 'saved-model') return;
    const mg = m.savedModel.metaGraphs[0]!;
    expect(mg.tags).toEqual(['serve']);
    expect(Object.keys(mg.signatures)).toEqual(['serving_default']);
    expect(mg.graph.nodes.filter((n) => n.op === 'VariableV2').map((n) => n.name)).toEqual(['dense1/kernel', 'dense1/bias', 'dense2/kernel', 'dense2/bias']);
    const ckpt = await readModelVariables(m);
    expect([...ckpt.entries.keys()]).toEqual(['dense1/bias', 'dense1/kernel', 'dense2/bias', 'dense2/kernel']);
    expect(ckpt.entries.get('dense1/kernel')!.shape).toEqual([8, 16]);
  });
});

describe('examples/custom-transform.ts', () => {
  it('registers a transform defined outside graft and runs it from the string syntax and the builder alike', async () => {
    const { fromString, fromBuilder, report } = await customTransform(modelDir);
    const x = (g: typeof fromString) => g.nodes.find((n) => n.name === 'x')!.attrs.shape;
    expect(x(fromString)).toEqual({ kind: 'shape', value: { dims: [8, 8], unknownRank: false } });
    expect(x(fromBuilder)).toEqual(x(fromString));
    expect(report).toContain('placeholders=2');
    const original = mainGraph(await loadModel(modelDir));
    expect(original.nodes.find((n) => n.name === 'x')!.attrs.shape).toEqual({ kind: 'shape', value: { dims: [-1, 8], unknownRank: false } });
  });

  it('is written as a user writes it: only the package entry points, no graft internals', () => {
    const text = readFileSync(path.join(import.meta.dirname, '../../examples/custom-transform.ts'), 'utf8');
    const specs = [...text.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    expect(specs.filter((s) => !s!.startsWith('node:'))).toEqual(['tf-graft', 'tf-graft/node']);
    expect(pipeline(createRegistry().extend([setBatchSize])).use(setBatchSize, { size: 8 }).use('remove_device').toString()).toBe('set_batch_size(size=8) remove_device');
  });

  it('is not known to a registry it was not registered on', () => {
    expect(createRegistry().has('set_batch_size')).toBe(false);
    expect(createRegistry().extend([setBatchSize]).has('set_batch_size')).toBe(true);
  });
});
