/**
 * A TF1 .meta keeps its Saver, and the nodes nothing consumes (what compare and bench fetch by
 * default) include save/control_dependency, which runs SaveV2 since save ops run behind control
 * edges. compare and bench keep those writes in memory as graft run does: they run (as they did
 * before SaveV2 had a kernel) instead of failing with runtime/no-file-sink, and the disk is
 * untouched. Skipped when ../shared/models is absent.
 */
import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchCommand } from '../../src/cli/commands/bench';
import { compareCommand } from '../../src/cli/commands/compare';
import { invokeCommand } from '../helpers/cli';
import { HAVE_MODELS, SKIP_REASON, modelPath } from '../helpers/models';

const META = modelPath('tf2onnx_regression_checkpoint', 'model.meta');
const DIR = path.dirname(META);
const snapshot = () => readdirSync(DIR).map((f) => [f, statSync(path.join(DIR, f)).mtimeMs, statSync(path.join(DIR, f)).size]);

describe.skipIf(!HAVE_MODELS)(`compare and bench on a .meta with its Saver${HAVE_MODELS ? '' : ` (${SKIP_REASON})`}`, () => {
  it('graft compare model.meta model.meta: every output agrees, save/control_dependency included; exit 0', async () => {
    const before = snapshot();
    const r = await invokeCommand(compareCommand, [META, META]);
    expect(r.err).not.toMatch(/no-file-sink/);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/PASS: all 6 outputs agree/);
    expect(snapshot()).toEqual(before);
    // The cwd-relative 'model' prefix the graph names was never written either.
    expect(readdirSync(process.cwd()).filter((f) => f.startsWith('model.'))).toEqual([]);
  }, 120_000);

  it('graft bench model.meta: timed, exit 0', async () => {
    const before = snapshot();
    const r = await invokeCommand(benchCommand, [META, '--runs', '2', '--warmup', '1', '--batch', '2']);
    expect(r.err).not.toMatch(/no-file-sink/);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/model\.meta\s+[\d.]+ ms/);
    expect(snapshot()).toEqual(before);
  }, 120_000);
});
