/**
 * `--input name=examples.json` for a string input read by a tf.Example parse op: graft serializes
 * each JSON object as a tf.Example, with each feature's kind from the parse op. On TF Serving's
 * half_plus_two, the regress and classify signatures then give y = 0.5 * x + 2 for the x values
 * in the JSON (skipped when ../shared/models is absent).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareCommand } from '../../src/cli/commands/compare';
import { optimizeCommand } from '../../src/cli/commands/optimize';
import { runCommand } from '../../src/cli/commands/run';
import type { OptimizeReport } from '../../src/workflow/report';
import { invokeCommand } from '../helpers/cli';
import { tensorToNumbers } from '../../src/ir/tensor';
import { readNpy } from '../../src/io/npy';
import { optimize } from '../../src/workflow/optimize-files';
import { HAVE_MODELS, modelPath } from '../helpers/models';

const MODEL = modelPath('serving_half_plus_two_cpu');
const tmp = mkdtempSync(path.join(tmpdir(), 'graft-cli-tf-example-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const invoke = invokeCommand;

const XS = [1, 4, -2.5, 10, 0.3];
/** y = 0.5 * x + 2 in float32, as the model computes it (Mul then Add, each rounded). */
const expected = XS.map((x) => Math.fround(Math.fround(0.5 * Math.fround(x)) + 2));

function examplesFile(): string {
  const file = path.join(tmp, 'examples.json');
  // One x written as a list, one as a bare number: both are a feature of one float.
  writeFileSync(file, JSON.stringify(XS.map((x, i) => ({ x: i % 2 ? [x] : x }))));
  return file;
}

describe.skipIf(!HAVE_MODELS || !existsSync(MODEL))('tf.Example inputs from JSON on serving_half_plus_two_cpu (skipped when ../shared/models is absent)', () => {
  it('graft run --signature_def regress_x_to_y --input tf_example=examples.json gives y = 0.5x + 2', async () => {
    const out = path.join(tmp, 'regress');
    const r = await invoke(runCommand, [MODEL, '--signature_def', 'regress_x_to_y', '--input', `tf_example=${examplesFile()}`, '--out', out]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/float \[5,1\]/);
    const y = readNpy(readFileSync(path.join(out, 'y_0.npy')));
    expect(y.shape).toEqual([5, 1]);
    expect(tensorToNumbers(y)).toEqual(expected);
  });

  it('takes a method name that names one signature (tensorflow/serving/classify), fed by its input key', async () => {
    const out = path.join(tmp, 'classify');
    const r = await invoke(runCommand, [MODEL, '--signature_def', 'tensorflow/serving/classify', '--input', `inputs=${examplesFile()}`, '--out', out]);
    expect(r.code).toBe(0);
    expect(tensorToNumbers(readNpy(readFileSync(path.join(out, 'y_0.npy'))))).toEqual(expected);
  });

  // graft run runs each of them (test/cli/run-method-signatures.test.ts); compare needs one.
  it('graft compare lists the candidates when a method name fits several signatures (tensorflow/serving/regress)', async () => {
    const r = await invoke(compareCommand, [MODEL, MODEL, '--signature_def', 'tensorflow/serving/regress', '--input', `tf_example=${examplesFile()}`]);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/'tensorflow\/serving\/regress' is the method of 3 signatures/);
    for (const k of ['regress_x_to_y', 'regress_x_to_y2', 'regress_x2_to_y3']) expect(r.err).toContain(`'${k}'`);
  });

  it('refuses an example whose value does not fit the declared kind, naming the record and feature', async () => {
    const file = path.join(tmp, 'bad.json');
    writeFileSync(file, JSON.stringify([{ x: 1 }, { x: 'one' }]));
    const r = await invoke(runCommand, [MODEL, '--signature_def', 'regress_x_to_y', '--input', `tf_example=${file}`]);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/bad\.json\[1\]: feature 'x' is float but value "one" is not a number/);
  });

  it('graft optimize --input tf_example=examples.json verifies the parse-op signatures on those examples', async () => {
    const r = await invoke(optimizeCommand, [MODEL, path.join(tmp, 'optimized-given'), '--input', `tf_example=${examplesFile()}`, '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as OptimizeReport;
    expect(report.inputsFrom).toEqual([{ input: 'tf_example:0', source: examplesFile() }]);
    // Every signature reading tf_example ran on the examples (regress_x2_to_y3 reads another input).
    const given = report.verification!.signatures.filter((s) => s.given?.length).map((s) => [s.key, s.status]);
    expect(given.sort()).toEqual([['classify_x_to_y', 'pass'], ['regress_x_to_y', 'pass'], ['regress_x_to_y2', 'pass']]);
    expect(report.verdicts.every((v) => v.verified)).toBe(true);
  }, 60_000);

  it('graft compare feeds the same examples to the original and the optimized model', async () => {
    const optimized = path.join(tmp, 'optimized');
    await optimize(MODEL, optimized);
    const r = await invoke(compareCommand, [MODEL, optimized, '--signature_def', 'regress_x_to_y2', '--input', `tf_example=${examplesFile()}`, '--rtol', '0', '--atol', '0']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/PASS/);
  }, 60_000);
});
