import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freezeCommand } from '../../src/cli/commands/freeze';
import { reportError } from '../../src/cli/output';
import { loadModel, mainGraph } from '../../src/io/model-files';
import { HAVE_MODELS, SKIP_REASON, modelPath } from '../helpers/models';

const dir = mkdtempSync(path.join(tmpdir(), 'graft-freeze-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t), interactive: false } };
}

async function run(args: string[]) {
  const c = io();
  try {
    return { code: await freezeCommand(args, c.io), ...c };
  } catch (e) {
    return { code: reportError(e, c.io, false), ...c };
  }
}

describe.skipIf(!HAVE_MODELS)(`graft freeze (${SKIP_REASON} skips)`, () => {
  it('freezes a SavedModel to a GraphDef file', async () => {
    const out = path.join(dir, 'hp2.pb');
    const r = await run([`--input_saved_model_dir=${modelPath('serving_half_plus_two_tf2')}`, `--output_graph=${out}`]);
    expect(r.code).toBe(0);
    expect(r.out.join('\n')).toContain('Converted 2 variable(s)');
    const m = await loadModel(out);
    expect(mainGraph(m).nodes.some((n) => n.op === 'VarHandleOp' || n.op === 'StatefulPartitionedCall')).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('graft-tmp'))).toEqual([]);
  });

  it('freezes a .meta with its checkpoint and explicit outputs', async () => {
    const out = path.join(dir, 'reg.pbtxt');
    const r = await run([`--input_meta_graph=${modelPath('tf2onnx_regression_checkpoint', 'model.meta')}`, `--input_checkpoint=${modelPath('tf2onnx_regression_checkpoint', 'model')}`, '--output_node_names=pred', `--output_graph=${out}`]);
    expect(r.code).toBe(0);
    expect(mainGraph(await loadModel(out)).nodes.map((n) => n.name).sort()).toEqual(['Add', 'Mul', 'W', 'W/read', 'X', 'b', 'b/read', 'pred']);
  });

  it.each([
    [['--signature_def=nope'], 'model/unknown-signature'],
    [['--output_node_names=yy'], 'freeze/missing-output'],
    [['--saved_model_tags=train'], 'model/unknown-tag-set'],
  ])('%s fails with %s and leaves no file', async (extra, code) => {
    const out = path.join(dir, `bad-${code.replace('/', '-')}.pb`);
    const r = await run([`--input_saved_model_dir=${modelPath('serving_half_plus_two_cpu')}`, ...extra, `--output_graph=${out}`]);
    expect(r.code).toBe(1);
    expect(r.err.join('\n')).toContain(`[${code}]`);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('graft-tmp'))).toEqual([]);
  });

  it('a checkpoint missing a variable is runtime/missing-variable', async () => {
    const out = path.join(dir, 'missing.pb');
    // The regression .meta's variables are W and b; the half_plus_two checkpoint has neither.
    const r = await run([`--input_meta_graph=${modelPath('tf2onnx_regression_checkpoint', 'model.meta')}`, `--input_checkpoint=${modelPath('serving_half_plus_two_cpu', 'variables', 'variables')}`, '--output_node_names=pred', `--output_graph=${out}`]);
    expect(r.code).toBe(1);
    expect(r.err.join('\n')).toContain('[runtime/missing-variable]');
    expect(existsSync(out)).toBe(false);
  });

  it('usage errors', async () => {
    expect((await run(['--output_graph=x.pb'])).code).toBe(2);
    expect((await run([`--input_saved_model_dir=${modelPath('serving_half_plus_two_cpu')}`])).code).toBe(2);
  });
});
