/**
 * `graft run --signature_def METHOD` when several signatures have that method: TF Serving's
 * half_plus_two has three `tensorflow/serving/regress` signatures (regress_x_to_y = 0.5x + 2,
 * regress_x_to_y2 = 0.5x + 3, regress_x2_to_y3 reads another input). Each runs on the same
 * inputs, in key order, under a header naming it; --json keys the results by signature; --outdir
 * and --out hold a directory per signature. A key, or a method one signature has, runs as before.
 * The expected values are y = 0.5x + 2 and 0.5x + 3 computed here from the x values fed.
 * Skipped when ../shared/models is absent.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../src/cli/commands/run';
import { tensorToNumbers } from '../../src/ir/tensor';
import { readNpy } from '../../src/io/npy';
import { invokeCommand } from '../helpers/cli';
import { HAVE_MODELS, SKIP_REASON, modelPath } from '../helpers/models';
import { useScratch } from '../helpers/scratch';

const MODEL = modelPath('serving_half_plus_two_cpu');
const METHOD = 'tensorflow/serving/regress';
const KEYS = ['regress_x2_to_y3', 'regress_x_to_y', 'regress_x_to_y2'];
const XS = [1, 4, -3, 10];
/** The model's Mul then Add, each rounded to float32 (every value here is exact anyway). */
const f32 = (x: number, b: number) => Math.fround(Math.fround(0.5 * Math.fround(x)) + b);
const Y = XS.map((x) => f32(x, 2));
const Y2 = XS.map((x) => f32(x, 3));

const invoke = (args: string[]) => invokeCommand(runCommand, args);

/** The numbers printed in `text` (numpy's format or graft's summary). */
function numbers(text: string): number[] {
  return [...text.matchAll(/-?\d+(?:\.\d*)?(?:e[-+]?\d+)?/g)].map((m) => Number(m[0]));
}

/** stdout split at the `Signature K (METHOD):` headers: [key, the text under it]. */
function blocks(out: string): [string, string][] {
  const parts = out.split(/^Signature (\S+) \(tensorflow\/serving\/regress\):$/m);
  const res: [string, string][] = [];
  for (let i = 1; i < parts.length; i += 2) res.push([parts[i]!, parts[i + 1]!]);
  expect(parts[0]!.trim()).toBe('');
  return res;
}

describe.skipIf(!HAVE_MODELS || !existsSync(MODEL))(`graft run --signature_def ${METHOD} on serving_half_plus_two_cpu (${HAVE_MODELS ? 'present' : SKIP_REASON})`, () => {
  const scratch = useScratch('graft-run-method');
  const examples = () => scratch.writeTemp('examples.json', JSON.stringify(XS.map((x) => ({ x }))));

  it('saved_model_cli form: every regress signature runs, in key order, under its header; y = 0.5x + 2 and 0.5x + 3', async () => {
    const r = await invoke(['--dir', MODEL, '--tag_set', 'serve', '--signature_def', METHOD, '--input', `tf_example=${examples()}`]);
    expect(r.code).toBe(0);
    // One note on stderr: how many, which, and how to pick one.
    expect(r.err.split('\n')).toHaveLength(1);
    expect(r.err).toContain(`'${METHOD}' is the method of 3 signatures (${KEYS.join(', ')})`);
    expect(r.err).toContain('--signature_def KEY');
    const b = blocks(r.out);
    expect(b.map(([k]) => k)).toEqual(KEYS);
    const byKey = Object.fromEntries(b);
    for (const k of KEYS) expect(byKey[k]).toMatch(/^\nResult for output key outputs:\n\[\[/);
    expect(numbers(byKey.regress_x_to_y!.replace('Result for output key outputs:', ''))).toEqual(Y);
    expect(numbers(byKey.regress_x_to_y2!.replace('Result for output key outputs:', ''))).toEqual(Y2);
  });

  it("graft's form: the same, each output as graft's summary", async () => {
    const r = await invoke([MODEL, '--signature_def', METHOD, '--input', `tf_example=${examples()}`]);
    expect(r.code).toBe(0);
    const byKey = Object.fromEntries(blocks(r.out));
    expect(Object.keys(byKey)).toEqual(KEYS);
    expect(byKey.regress_x_to_y).toMatch(/^\ny:0: float \[4,1\]\n/);
    expect(numbers(/values: (.*)/.exec(byKey.regress_x_to_y!)![1]!)).toEqual(Y);
    expect(numbers(/values: (.*)/.exec(byKey.regress_x_to_y2!)![1]!)).toEqual(Y2);
  });

  it('--json: one document, the results keyed by signature key', async () => {
    const r = await invoke(['--dir', MODEL, '--signature_def', METHOD, '--input', `tf_example=${examples()}`, '--json']);
    expect(r.code).toBe(0);
    expect(r.stdout).toHaveLength(1);
    const json = JSON.parse(r.out) as { model: string; method: string; signatures: Record<string, { outputs: { key: string; name: string; shape: number[]; values: number[] }[]; written: string[] }>; written: string[] };
    expect(Object.keys(json).sort()).toEqual(['method', 'model', 'signatures', 'written']);
    expect(json.method).toBe(METHOD);
    expect(Object.keys(json.signatures)).toEqual(KEYS);
    const one = json.signatures.regress_x_to_y!;
    expect(Object.keys(one).sort()).toEqual(['backend', 'feeds', 'outputs', 'seed', 'written']);
    expect(one.outputs.map((o) => [o.key, o.name, o.shape])).toEqual([['outputs', 'y:0', [4, 1]]]);
    expect(one.outputs[0]!.values).toEqual(Y);
    expect(json.signatures.regress_x_to_y2!.outputs[0]!.values).toEqual(Y2);
    expect(json.written).toEqual([]);
  });

  it('--outdir: DIR/<signature key>/<output key>.npy, under the output rules (no overwrite without --overwrite)', async () => {
    const dir = path.join(scratch.freshDir('outdir'), 'results');
    const args = ['--dir', MODEL, '--signature_def', METHOD, '--input', `tf_example=${examples()}`, '--outdir', dir];
    const r = await invoke(args);
    expect(r.code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual([...KEYS].sort());
    for (const k of KEYS) expect(readdirSync(path.join(dir, k))).toEqual(['outputs.npy']);
    for (const k of KEYS) expect(r.out).toContain(`Output outputs is saved to ${path.join(dir, k, 'outputs.npy')}`);
    const y = readNpy(readFileSync(path.join(dir, 'regress_x_to_y', 'outputs.npy')));
    expect(y.shape).toEqual([4, 1]);
    expect(tensorToNumbers(y)).toEqual(Y);
    expect(tensorToNumbers(readNpy(readFileSync(path.join(dir, 'regress_x_to_y2', 'outputs.npy'))))).toEqual(Y2);

    // Again: the files exist, so nothing runs and nothing changes without --overwrite.
    const file = path.join(dir, 'regress_x_to_y', 'outputs.npy');
    writeFileSync(file, 'old');
    const again = await invoke(args);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/graft: error \[io\/exists\]: Output file .*regress_x2_to_y3\/outputs\.npy already exists/);
    expect(again.out).toBe('');
    expect(readFileSync(file, 'utf8')).toBe('old');
    const over = await invoke([...args, '--overwrite']);
    expect(over.code).toBe(0);
    expect(tensorToNumbers(readNpy(readFileSync(file)))).toEqual(Y);

    // A file where a signature's directory goes is refused before anything runs.
    const dir2 = path.join(scratch.freshDir('outdir-file'), 'results');
    const stale = path.join(dir2, 'regress_x_to_y2');
    mkdirSync(dir2);
    writeFileSync(stale, 'a file');
    const blocked = await invoke([...args.slice(0, -1), dir2]);
    expect(blocked.code).toBe(1);
    expect(blocked.err).toMatch(/io\/exists.*regress_x_to_y2 is a file/);
    expect(readdirSync(dir2)).toEqual(['regress_x_to_y2']);
    expect(statSync(stale).isFile()).toBe(true);
  });

  it("--out (graft's form): DIR/<signature key>/<tensor>.npy, written as one directory", async () => {
    const dir = path.join(scratch.freshDir('out'), 'results');
    const r = await invoke([MODEL, '--signature_def', METHOD, '--input', `tf_example=${examples()}`, '--out', dir]);
    expect(r.code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual([...KEYS].sort());
    expect(readdirSync(path.join(dir, 'regress_x_to_y'))).toEqual(['y_0.npy']);
    expect(readdirSync(path.join(dir, 'regress_x_to_y2'))).toEqual(['y2_0.npy']);
    expect(tensorToNumbers(readNpy(readFileSync(path.join(dir, 'regress_x_to_y', 'y_0.npy'))))).toEqual(Y);
    expect(tensorToNumbers(readNpy(readFileSync(path.join(dir, 'regress_x_to_y2', 'y2_0.npy'))))).toEqual(Y2);
    const again = await invoke([MODEL, '--signature_def', METHOD, '--input', `tf_example=${examples()}`, '--out', dir]);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/io\/exists/);
  });

  it('a signature that fails is named, the others still print, and the exit is non-zero', async () => {
    // Serialized tf.Examples fit the two signatures that parse them; regress_x2_to_y3 takes floats.
    // (saved_model_cli's rule: 1.0 is a float feature, 1 an int64 one.)
    const exampleJson = `[${XS.map((x) => `{"x":[${x.toFixed(1)}]}`).join(',')}]`;
    const r = await invoke(['--dir', MODEL, '--signature_def', METHOD, '--input_examples', `inputs=${exampleJson}`]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^graft: error \[runtime\/failed\]: signature regress_x2_to_y3 \(tensorflow\/serving\/regress\): /m);
    const byKey = Object.fromEntries(blocks(r.out));
    expect(Object.keys(byKey)).toEqual(['regress_x_to_y', 'regress_x_to_y2']);
    expect(numbers(byKey.regress_x_to_y!.replace('Result for output key outputs:', ''))).toEqual(Y);
    expect(numbers(byKey.regress_x_to_y2!.replace('Result for output key outputs:', ''))).toEqual(Y2);

    const j = await invoke(['--dir', MODEL, '--signature_def', METHOD, '--input_examples', `inputs=${exampleJson}`, '--json']);
    expect(j.code).toBe(1);
    const json = JSON.parse(j.out) as { signatures: Record<string, { error?: { code: string; message: string }; outputs?: { values: number[] }[] }> };
    expect(json.signatures.regress_x2_to_y3!.error!.code).toBe('runtime/failed');
    expect(json.signatures.regress_x_to_y!.outputs![0]!.values).toEqual(Y);
    expect(j.err).toMatch(/signature regress_x2_to_y3 \(tensorflow\/serving\/regress\)/);
  });

  it('a key, or a method one signature has, runs one signature as before: no header, no note', async () => {
    const r = await invoke(['--dir', MODEL, '--signature_def', 'regress_x_to_y', '--input', `tf_example=${examples()}`]);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/^Result for output key outputs:\n\[\[/);
    expect(numbers(r.out.replace('Result for output key outputs:', ''))).toEqual(Y);
    const c = await invoke([MODEL, '--signature_def', 'tensorflow/serving/classify', '--input', `tf_example=${examples()}`, '--json']);
    expect(c.code).toBe(0);
    const json = JSON.parse(c.out) as Record<string, unknown> & { outputs: { name: string; values: number[] }[] };
    expect(Object.keys(json).sort()).toEqual(['backend', 'feeds', 'model', 'outputs', 'seed', 'written']);
    expect(json.outputs.map((o) => [o.name, o.values])).toEqual([['y:0', Y]]);
  });
});
