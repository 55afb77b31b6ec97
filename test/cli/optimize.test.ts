/**
 * `graft optimize` and `graft bench` through the CLI: exit codes, the table on stdout, progress on
 * stderr, `graft show --all` on the result, and the error cases leaving no output directory.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildExampleModel } from '../../examples/tiny-model';
import { benchCommand } from '../../src/cli/commands/bench';
import { optimizeCommand } from '../../src/cli/commands/optimize';
import { showCommand } from '../../src/cli/commands/show';
import { type CommandResult, invokeCommand } from '../helpers/cli';
import { writeCheckpointFiles } from '../../src/io/checkpoint/bundle-files';
import { saveSavedModel } from '../../src/io/model-files';
import { HAVE_MODELS, SKIP_REASON, modelPath } from '../helpers/models';

let tmp: string;
let model: string;
beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'graft-cli-optimize-'));
  model = path.join(tmp, 'model');
  const { savedModel, checkpoint } = buildExampleModel();
  await writeCheckpointFiles(path.join(tmp, 'staging', 'variables'), checkpoint);
  await saveSavedModel(model, savedModel, { variablesFrom: path.join(tmp, 'staging', 'variables') });
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const run = invokeCommand;

/** stderr without the progress lines: the error message and its hint. */
function errorLines(r: CommandResult): string[] {
  return r.stderr.filter((l) => !l.startsWith('graft optimize: '));
}

describe('graft optimize', () => {
  it('writes the optimized SavedModel, prints the before/after table, progress on stderr', async () => {
    const out = path.join(tmp, 'out');
    const r = await run(optimizeCommand, [model, out, '--bench', '--batch', '8', '--runs', '5', '--warmup', '1']);
    expect(r.code).toBe(0);
    const text = r.stdout.join('\n');
    expect(text).toMatch(/^stage\s+nodes\s+Const\s+Variable\s+Identity/);
    expect(text).toMatch(/^original\s+\d+/m);
    expect(text).toMatch(/^optimized\s+\d+\s+\d+\s+0\s+0\s/m);
    expect(text).toMatch(/median \(batch 8\)/);
    expect(text).toMatch(/speedup: \d+\.\d\dx/);
    expect(text).toMatch(/verify: PASS/);
    expect(text).toContain(`wrote ${out}`);
    const progress = r.stderr.join('\n');
    expect(progress).toMatch(/graft optimize: freezing/);
    expect(progress).toMatch(/graft optimize: \[1\/\d+\] remove_nodes\(op=Identity\)/);
    expect(progress).toMatch(/graft optimize: verifying/);
    expect(progress).toMatch(/graft optimize: benchmarking/);

    const show = await run(showCommand, ['--dir', out, '--all']);
    expect(show.code).toBe(0);
    expect(show.stdout.join('\n')).toMatch(/signature_def\['serving_default'\]/);
  }, 60_000);

  it('prints the report as JSON with --json', async () => {
    const r = await run(optimizeCommand, [model, path.join(tmp, 'json'), '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout.join('\n'));
    expect(report.stages.optimized.variable).toBe(0);
    expect(report.verification.status).toBe('pass');
    expect(report.bench).toBeNull();
  }, 60_000);

  it.each([
    ['a signature that does not exist', ['--signature_def', 'predict'], /error \[model\/unknown-signature\]: .*saved_model\.pb: No signature 'predict'; the model has 'serving_default'/],
    ['an output that does not exist', ['--outputs', 'probabilitis'], /error \[freeze\/missing-output\]: Output 'probabilitis' is not a node of the graph; did you mean 'probabilities'/],
  ])('fails on %s with a one-line message and no output directory', async (_what, flags, message) => {
    const out = path.join(tmp, `err-${flags[0]!.slice(2)}`);
    const r = await run(optimizeCommand, [model, out, ...flags]);
    expect(r.code).toBe(1);
    expect(errorLines(r)[0]).toMatch(message);
    expect(existsSync(out)).toBe(false);
    expect(r.stdout).toEqual([]);
  });

  it('fails on a checkpoint missing a variable, naming it, and leaves no output directory', async () => {
    const broken = path.join(tmp, 'broken');
    const { savedModel, checkpoint } = buildExampleModel();
    await writeCheckpointFiles(path.join(tmp, 'staging2', 'variables'), checkpoint.filter((e) => e.name !== 'dense2/kernel'));
    await saveSavedModel(broken, savedModel, { variablesFrom: path.join(tmp, 'staging2', 'variables') });
    const out = path.join(tmp, 'broken-out');
    const r = await run(optimizeCommand, [broken, out]);
    expect(r.code).toBe(1);
    expect(errorLines(r)[0]).toMatch(/error \[runtime\/missing-variable\]: .*Variable 'dense2\/kernel' \(VariableV2\) has no value in the checkpoint/);
    expect(existsSync(out)).toBe(false);
  });

  it.skipIf(!HAVE_MODELS)(`fails on a --tag_set the SavedModel lacks, with a hint (${HAVE_MODELS ? 'models present' : SKIP_REASON})`, async () => {
    const out = path.join(tmp, 'no-serve');
    const r = await run(optimizeCommand, [modelPath('tfx_transform_fn'), out, '--tag_set', 'serve']);
    expect(r.code).toBe(1);
    expect(errorLines(r)[0]).toMatch(/error \[model\/unknown-tag-set\]: .*No meta graph with tags 'serve'; the model has 'transform'/);
    expect(errorLines(r)[1]).toMatch(/hint: .*--tag_set/);
    expect(existsSync(out)).toBe(false);
  });

  it('rejects bad usage with exit code 2', async () => {
    expect((await run(optimizeCommand, [model])).code).toBe(2);
    expect(errorLines(await run(optimizeCommand, [model, path.join(tmp, 'u1'), '--runs', '3']))[0]).toMatch(/add --bench/);
    expect((await run(optimizeCommand, [model, path.join(tmp, 'u2'), '--bench', '--backend', 'gpu'])).code).toBe(2);
    expect((await run(optimizeCommand, [model, path.join(tmp, 'u3'), '--verify', '--no-verify'])).code).toBe(2);
    expect(existsSync(path.join(tmp, 'u1'))).toBe(false);
  });
});

describe('graft bench', () => {
  it('times one model and states the batch and runs', async () => {
    const r = await run(benchCommand, [model, '--batch', '8', '--runs', '4', '--warmup', '1']);
    expect(r.code).toBe(0);
    const text = r.stdout.join('\n');
    expect(text).toMatch(/^model\s+median\s+p10\s+p90\s+MAD\s+runs/);
    expect(text).toMatch(new RegExp(`^${model.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s+[\\d.]+ ms.*\\s4$`, 'm'));
    expect(text).toMatch(/batch 8, 1 warm-up \+ 4 timed runs per model, backend (wasm|cpu), seed 1/);
    expect(text).not.toMatch(/speedup/);
  }, 60_000);

  it('compares two models A/B, interleaved, with the speedup as median A / median B (JSON)', async () => {
    const out = path.join(tmp, 'bench-vs');
    expect((await run(optimizeCommand, [model, out, '--no-verify'])).code).toBe(0);
    const r = await run(benchCommand, [model, '--vs', out, '--batch', '8', '--runs', '5', '--warmup', '1', '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout.join('\n'));
    expect(report.models.map((m: { label: string; runs: number }) => [m.label, m.runs])).toEqual([[model, 5], [out, 5]]);
    expect(report.speedup).toBeCloseTo(report.models[0].median / report.models[1].median, 10);
    // Same inputs for both: the signature's x at batch 8.
    expect(report.feeds.map((f: { inputs: { shape: number[] }[] }) => f.inputs[0]!.shape)).toEqual([[8, 8], [8, 8]]);
  }, 60_000);
});
