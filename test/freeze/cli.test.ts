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

  it("takes TensorFlow 1.x's --input_meta_graph as a bool: the --input_graph file is the MetaGraphDef", async () => {
    const meta = modelPath('tf2onnx_regression_checkpoint', 'model.meta');
    const ckpt = `--input_checkpoint=${modelPath('tf2onnx_regression_checkpoint', 'model')}`;
    const forms = [['--input_meta_graph'], ['--input_meta_graph=true'], ['--input_meta_graph', 'true'], ['--input_meta_graph=1']];
    for (const [i, form] of forms.entries()) {
      const out = path.join(dir, `meta-bool-${i}.pbtxt`);
      // The bare flag last and in the middle: a following --flag is not its value.
      const r = await run(i === 0 ? [`--input_graph=${meta}`, ckpt, '--output_node_names=pred', `--output_graph=${out}`, ...form] : [`--input_graph=${meta}`, ...form, ckpt, '--output_node_names=pred', `--output_graph=${out}`]);
      expect(r.code, form.join(' ')).toBe(0);
      expect(mainGraph(await loadModel(out)).nodes.map((n) => n.name).sort()).toEqual(['Add', 'Mul', 'W', 'W/read', 'X', 'b', 'b/read', 'pred']);
    }
    const bare = await run([`--input_graph=${meta}`, '--input_meta_graph', ckpt, '--output_node_names=pred', `--output_graph=${path.join(dir, 'meta-bool-mid.pb')}`]);
    expect(bare.code).toBe(0);
    // Without --input_graph the bool names no file; a non-.meta --input_graph is not read as one.
    const alone = await run(['--input_meta_graph', ckpt, '--output_node_names=pred', `--output_graph=${path.join(dir, 'meta-bool-x.pb')}`]);
    expect(alone.code).toBe(2);
    expect(alone.err.join('\n')).toContain("--input_meta_graph without a path (TensorFlow 1.x's form)");
    const pb = await run([`--input_graph=${modelPath('nns_mnist_softmax_frozen', 'mnist.pb')}`, '--input_meta_graph=true', ckpt, '--output_node_names=pred', `--output_graph=${path.join(dir, 'meta-bool-y.pb')}`]);
    expect(pb.code).toBe(2);
    expect(pb.err.join('\n')).toContain('is not one; give the file a .meta name');
    expect(existsSync(path.join(dir, 'meta-bool-x.pb')) || existsSync(path.join(dir, 'meta-bool-y.pb'))).toBe(false);
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
