/**
 * `graft run --dir M --outdir D` (saved_model_cli's form) names each file after an output key,
 * and the keys come from the model: a hostile SavedModel whose key climbs out of D must be
 * refused before anything runs or is written (`io/unsafe-path`), never written beside D. The same
 * for a signature key when --signature_def names a method several signatures share (each then
 * writes D/<signature key>/).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildExampleModel } from '../../examples/tiny-model';
import { writeCheckpointFiles } from '../../src/io/checkpoint/bundle-files';
import { saveSavedModel } from '../../src/io/model-files';
import { useScratch } from '../helpers/scratch';
import { CASE_MS, expectOutcome, hashTree, runCli } from './harness';

const { freshDir } = useScratch('graft-hardening-outdir-keys');

async function modelWithOutputKey(dir: string, key: string): Promise<string> {
  const { savedModel, checkpoint } = buildExampleModel();
  const mg = savedModel.metaGraphs[0]!;
  const sig = mg.signatures.serving_default!;
  const hostile = { ...savedModel, metaGraphs: [{ ...mg, signatures: { serving_default: { ...sig, outputs: { [key]: sig.outputs.probabilities! } } } }] };
  const staging = `${dir}.staging`;
  await writeCheckpointFiles(path.join(staging, 'variables'), checkpoint);
  await saveSavedModel(dir, hostile, { variablesFrom: path.join(staging, 'variables') });
  fs.rmSync(staging, { recursive: true, force: true });
  return dir;
}

describe('run --outdir with output keys from a hostile model', () => {
  for (const key of ['../escaped', 'a/b', '..']) {
    it(`key '${key}' → io/unsafe-path before running; nothing written, the model unchanged`, async () => {
      const dir = freshDir(key.replace(/[^a-z]/g, '_'));
      const m = await modelWithOutputKey(path.join(dir, 'm'), key);
      const before = hashTree(m);
      const out = path.join(dir, 'out');
      const r = await runCli(['run', '--dir', m, '--tag_set', 'serve', '--signature_def', 'serving_default', '--generate_inputs', '--outdir', out]);
      expectOutcome(r, 1, 'io/unsafe-path');
      expect(r.stdout).not.toContain('Result for output key');
      expect(fs.readdirSync(dir).sort()).toEqual(['m']);
      expect(hashTree(m)).toBe(before);
    }, CASE_MS * 2);
  }
});

async function modelWithSignatureKeys(dir: string, keys: readonly string[]): Promise<string> {
  const { savedModel, checkpoint } = buildExampleModel();
  const mg = savedModel.metaGraphs[0]!;
  const sig = mg.signatures.serving_default!;
  const hostile = { ...savedModel, metaGraphs: [{ ...mg, signatures: Object.fromEntries(keys.map((k) => [k, sig])) }] };
  const staging = `${dir}.staging`;
  await writeCheckpointFiles(path.join(staging, 'variables'), checkpoint);
  await saveSavedModel(dir, hostile, { variablesFrom: path.join(staging, 'variables') });
  fs.rmSync(staging, { recursive: true, force: true });
  return dir;
}

describe('run --signature_def METHOD --outdir/--out with signature keys from a hostile model', () => {
  for (const flag of ['--outdir', '--out']) {
    it(`signature key '../escaped' under ${flag} → io/unsafe-path before running; nothing written`, async () => {
      const dir = freshDir(`sig${flag.replace(/-/g, '')}`);
      const m = await modelWithSignatureKeys(path.join(dir, 'm'), ['../escaped', 'plain']);
      const before = hashTree(m);
      const out = path.join(dir, 'out');
      const form = flag === '--outdir' ? ['--dir', m, '--generate_inputs'] : [m];
      const r = await runCli(['run', ...form, '--signature_def', 'tensorflow/serving/predict', flag, out]);
      expectOutcome(r, 1, 'io/unsafe-path');
      expect(r.stderr).toContain("Signature key '../escaped'");
      expect(r.stdout).toBe('');
      expect(fs.readdirSync(dir).sort()).toEqual(['m']);
      expect(hashTree(m)).toBe(before);
    }, CASE_MS * 2);
  }

  it('plain signature keys: one directory each under --outdir', async () => {
    const dir = freshDir('sig-plain');
    const m = await modelWithSignatureKeys(path.join(dir, 'm'), ['b', 'a']);
    const out = path.join(dir, 'out');
    const r = await runCli(['run', '--dir', m, '--signature_def', 'tensorflow/serving/predict', '--generate_inputs', '--outdir', out]);
    expectOutcome(r, 0);
    expect(r.stdout.indexOf('Signature a (tensorflow/serving/predict):')).toBeLessThan(r.stdout.indexOf('Signature b (tensorflow/serving/predict):'));
    expect(fs.readdirSync(out).sort()).toEqual(['a', 'b']);
    expect(fs.readdirSync(path.join(out, 'a'))).toEqual(['probabilities.npy']);
  }, CASE_MS * 2);
});
