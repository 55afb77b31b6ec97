/**
 * Library errors name options as the API spells them (`agreementBatch`, in backticks), never CLI
 * flags; `graft optimize` reports the same error with its flag (`--agreement_batch`) as a usage
 * error (exit 2). The translation itself: only backticked names the command knows are replaced.
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { flagError, withFlagNames } from '../../src/cli/flag-names';
import { GraftError, isGraftError } from '../../src/errors';
import { optimize } from '../../src/workflow/optimize-files';
import { freezeModel } from '../../src/freeze/freeze-files';
import { copyFileSync } from 'node:fs';
import { formatOptimizeReport } from '../../src/workflow/report';
import { loadRunnable, runModel } from '../../src/verify/runnable';
import { transformModel } from '../../src/workflow/transform-model';
import { HAVE_MODELS, SKIP_REASON, modelPath } from '../helpers/models';
import { useScratch } from '../helpers/scratch';

const scratch = useScratch('graft-flag-names');

describe('flag names', () => {
  it('replaces backticked option names the command knows, and nothing else', () => {
    const flags = { maxDiff: '--max_diff', 'verify: false': '--no-verify' };
    expect(withFlagNames('`maxDiff` and `minAgreement`; leave out `verify: false`; maxDiff', flags)).toBe('--max_diff and `minAgreement`; leave out --no-verify; maxDiff');
    const e = flagError(new GraftError('optimize/bad-option', '`maxDiff` must be >= 0', { param: 'maxDiff', hint: 'set `maxDiff`' }), flags);
    expect(e).toMatchObject({ code: 'cli/usage', message: '--max_diff must be >= 0', hint: 'set --max_diff', param: 'maxDiff' });
    // A bad argument is the user's usage error only when its parameter is one of the command's flags.
    expect(flagError(new GraftError('api/bad-argument', '`outPath` must be a .pb', { param: 'outPath' }), { outPath: '--out_graph' })).toMatchObject({ code: 'cli/usage', message: '--out_graph must be a .pb' });
    expect(flagError(new GraftError('api/bad-argument', 'graph must be a Graph', { param: 'graph' }), { outPath: '--out_graph' })).toMatchObject({ code: 'api/bad-argument' });
    const other = new GraftError('verify/mismatch', 'differs');
    expect(flagError(other, flags)).toBe(other);
  });

  it.skipIf(!HAVE_MODELS)(`optimize() names the option; graft optimize names the flag, exit 2 (${HAVE_MODELS ? 'models present' : SKIP_REASON})`, async () => {
    const model = modelPath('serving_half_plus_two_cpu');
    const out = path.join(scratch.freshDir('out'), 'opt');
    const e = await optimize(model, out, { agreementBatch: 0 }).catch((x: unknown) => x);
    expect(isGraftError(e) && { code: e.code, param: e.param }).toEqual({ code: 'optimize/bad-option', param: 'agreementBatch' });
    expect((e as Error).message).toBe('`agreementBatch` must be an integer >= 1, not 0');
    const bad = await optimize(model, out, { inputs: ['nope=[1]'] }).catch((x: unknown) => x);
    expect(isGraftError(bad) && bad.code).toBe('optimize/bad-input');
    expect((bad as Error).message).not.toMatch(/--/);

    const err: string[] = [];
    const code = await main(['optimize', model, out, '--agreement_batch', '0'], { out: () => {}, err: (t) => err.push(t), interactive: false });
    expect(code).toBe(2);
    expect(err).toContain('graft: error [cli/usage]: --agreement_batch must be an integer >= 1, not 0');
  });

  it.skipIf(!HAVE_MODELS)(`graft transform of a GraphDef into a directory names --out_graph, exit 2; the library names outPath (${HAVE_MODELS ? 'models present' : SKIP_REASON})`, async () => {
    const pb = modelPath('nns_mnist_softmax_frozen', 'mnist.pb');
    const out = path.join(scratch.freshDir('out'), 'saved');
    const e = await transformModel(pb, out, { transforms: 'remove_device' }).catch((x: unknown) => x);
    expect(isGraftError(e) && { code: e.code, param: e.param }).toEqual({ code: 'api/bad-argument', param: 'outPath' });
    expect((e as Error).message).not.toMatch(/--/);
    const err: string[] = [];
    const code = await main(['transform', pb, out, 'remove_device'], { out: () => {}, err: (t) => err.push(t), interactive: false });
    expect(code).toBe(2);
    expect(err.join('\n')).toMatch(/--out_graph must be a \.pb or \.pbtxt file/);
  });
  it.skipIf(!HAVE_MODELS)(`bench, run and compare: the library's neutral codes name options; the commands name their flags, exit 2 (${HAVE_MODELS ? 'models present' : SKIP_REASON})`, async () => {
    const model = modelPath('serving_half_plus_two_cpu');
    const m = await loadRunnable(model);
    const bad = await runModel(m, { inputs: ['x'] }).catch((x: unknown) => x);
    expect(isGraftError(bad) && bad.code).toBe('verify/bad-input');
    const twice = await runModel(m, { inputs: ['x=[1]'], feeds: { x: { dtype: 'float', shape: [1], data: new Float32Array([1]) } as never } }).catch((x: unknown) => x);
    expect(isGraftError(twice) && { code: twice.code, message: twice.message }).toEqual({ code: 'verify/bad-input', message: "'x' is fed twice (in `inputs` and in `feeds`)" });
    const cli = async (args: string[]) => {
      const err: string[] = [];
      const code = await main(args, { out: () => {}, err: (t) => err.push(t), interactive: false });
      return { code, err: err.join('\n') };
    };
    const benchRuns = await cli(['bench', model, '--runs', '0']);
    expect(benchRuns.code).toBe(2);
    expect(benchRuns.err).toMatch(/graft: error \[cli\/usage\]: --runs must be an integer >= 1, not 0/);
    for (const cmd of [['run', model], ['compare', model, model]]) {
      const r = await cli([...cmd, '--input', 'x']);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/graft: error \[cli\/usage\]: A feed is written name=file\.npy/);
    }
  });

  it.skipIf(!HAVE_MODELS)(`the optimize report names options as the API spells them; graft optimize prints its flags there (${HAVE_MODELS ? 'models present' : SKIP_REASON})`, async () => {
    const model = modelPath('serving_half_plus_two_cpu');
    const dir = scratch.freshDir('report');
    const { report } = await optimize(model, path.join(dir, 'api'), { verify: false });
    const text = formatOptimizeReport(report);
    expect(text).toMatch(/^verify: not run \(`verify: false`\)/m);
    expect(text).toMatch(/^speed: not measured \(`bench`\)$/m);
    expect(text).not.toMatch(/--/);
    const out: string[] = [];
    const code = await main(['optimize', model, path.join(dir, 'cli'), '--no-verify'], { out: (t) => out.push(t), err: () => {}, interactive: false });
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(/^verify: not run \(--no-verify\)/m);
    expect(out.join('\n')).toMatch(/^speed: not measured \(--bench\)$/m);
  });
  it.skipIf(!HAVE_MODELS)(`freezeModel names \`checkpoint\`; graft freeze names --input_checkpoint (${HAVE_MODELS ? 'models present' : SKIP_REASON})`, async () => {
    const dir = scratch.freshDir('lonely-meta');
    const meta = path.join(dir, 'model.meta');
    copyFileSync(modelPath('tf2onnx_regression_checkpoint', 'model.meta'), meta);
    const e = await freezeModel(meta, { outputNodeNames: ['pred'] }).catch((x: unknown) => x);
    expect(isGraftError(e) && { code: e.code, message: e.message }).toEqual({ code: 'io/missing-variables', message: `${meta} has variables but no checkpoint was found; give one (\`checkpoint\`)` });
    const err: string[] = [];
    const code = await main(['freeze', `--input_meta_graph=${meta}`, '--output_node_names=pred', `--output_graph=${path.join(dir, 'f.pb')}`], { out: () => {}, err: (t) => err.push(t), interactive: false });
    expect(code).toBe(1);
    expect(err.join('\n')).toContain(`graft: error [io/missing-variables]: ${meta} has variables but no checkpoint was found; give one (--input_checkpoint)`);
  });
});
