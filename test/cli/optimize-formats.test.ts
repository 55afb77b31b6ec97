/**
 * `graft optimize` on what TensorFlow 1 users have besides SavedModels (issue 13): a frozen
 * GraphDef (.pb, and .pbtxt) and a MetaGraphDef with its checkpoint (.meta). It writes the kind it
 * read (a .meta gives a .meta, with a checkpoint beside it when variables stay) unless
 * --output_format says otherwise, verifies on the
 * user's .npy with --input and says so in the report; the written graph's outputs are checked here
 * against the model's equations computed in the test (softmax(x W + b) for the MNIST softmax
 * graph, W x + b for the regression checkpoint), not against graft's verification.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import type { Io } from '../../src/cli/output';
import { readCheckpointFiles } from '../../src/io/checkpoint/bundle-files';
import { loadModel, mainGraph, saveGraph } from '../../src/io/model-files';
import { writeNpy } from '../../src/io/npy';
import type { Graph } from '../../src/ir/graph';
import { makeTensor, tensorToNumbers } from '../../src/ir/tensor';
import { runGraph } from '../../src/runtime/index';
import { HAVE_MODELS, SKIP_REASON, modelPath } from '../helpers/models';
import { useScratch } from '../helpers/scratch';

const scratch = useScratch('graft-optimize-formats');
const MNIST = modelPath('nns_mnist_softmax_frozen', 'mnist.pb');
const META = modelPath('tf2onnx_regression_checkpoint', 'model.meta');

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => out.push(t), err: (t) => err.push(t), interactive: false };
  const code = await main(['optimize', ...argv], io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** The Const behind `input` (through Identity nodes), as numbers. */
function constBehind(g: Graph, input: string): number[] {
  const byName = new Map(g.nodes.map((n) => [n.name, n]));
  let n = byName.get(input.split(':')[0]!)!;
  while (n.op === 'Identity') n = byName.get(n.inputs[0]!.split(':')[0]!)!;
  const v = n.attrs.value;
  if (n.op !== 'Const' || v?.kind !== 'tensor') throw new Error(`${input} is not behind a Const`);
  return tensorToNumbers(v.value);
}

/** softmax(x W + b) for rows of 784, computed here from the original graph's weights. */
function mnistExpected(original: Graph, x: number[], rows: number): number[] {
  const matmul = original.nodes.find((n) => n.op === 'MatMul')!;
  const add = original.nodes.find((n) => n.op === 'Add')!;
  const w = constBehind(original, matmul.inputs[1]!);
  const b = constBehind(original, add.inputs[1]!);
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    const z = Array.from({ length: 10 }, (_, j) => b[j]! + Array.from({ length: 784 }, (_, i) => x[r * 784 + i]! * w[i * 10 + j]!).reduce((s, v) => s + v, 0));
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const sum = e.reduce((s, v) => s + v, 0);
    out.push(...e.map((v) => v / sum));
  }
  return out;
}

function expectClose(actual: readonly number[], expected: readonly number[], rtol = 1e-4, atol = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expect(Math.abs(a - expected[i]!)).toBeLessThanOrEqual(atol + rtol * Math.abs(expected[i]!)));
}

describe.skipIf(!HAVE_MODELS)(`graft optimize on GraphDefs and MetaGraphDefs (${HAVE_MODELS ? 'models present' : SKIP_REASON})`, () => {
  it('a frozen .pb in, a frozen .pb out, verified on the user\'s .npy (the report says so); outputs = softmax(x W + b)', async () => {
    const rows = 3;
    const x = Array.from({ length: rows * 784 }, (_, i) => ((i * 37) % 101) / 101);
    const npy = path.join(scratch.freshDir('npy'), 'x.npy');
    writeFileSync(npy, writeNpy(makeTensor('float', [rows, 784], Float32Array.from(x))));
    const before = readFileSync(MNIST);
    const out = path.join(scratch.freshDir('out'), 'mnist-opt.pb');
    const r = await cli(MNIST, out, '--input', `input=${npy}`, '--json');
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.inputKind).toBe('graph-def');
    expect(report.outputKind).toEqual({ kind: 'graph-def', text: false });
    expect(report.verification.status).toBe('pass');
    expect(report.verification.signatures[0].given).toEqual(['input']);
    expect(report.inputsFrom).toEqual([{ input: 'input:0', source: npy }]);
    expect(r.err).toMatch(/outputs inferred: softmax \(nodes nothing consumes\); inputs: input \(its Placeholders\)/);
    expect(readFileSync(MNIST).equals(before)).toBe(true);

    const written = await loadModel(out);
    expect(written).toMatchObject({ kind: 'graph-def', format: 'binary' });
    const g = mainGraph(written);
    expect(g.nodes.some((n) => n.op === 'Identity')).toBe(false);
    const original = mainGraph(await loadModel(MNIST));
    const [y] = await runGraph(g, { 'input:0': makeTensor('float', [rows, 784], Float32Array.from(x)) }, ['softmax:0']);
    expect(y!.shape).toEqual([rows, 10]);
    expectClose(tensorToNumbers(y!), mnistExpected(original, Array.from(Float32Array.from(x)), rows));

    // The text report names the file the inputs came from, and what was written.
    const text = await cli(MNIST, path.join(scratch.freshDir('out'), 'mnist-opt.pb'), '--input', `input=${npy}`);
    expect(text.code).toBe(0);
    expect(text.out).toContain(`verified on your inputs: input:0 from ${npy} (any other input seeded)`);
    expect(text.out).toMatch(/^verify: PASS: 1 signature, 1 output/m);
    expect(text.out).toMatch(/^wrote .*mnist-opt\.pb \(frozen GraphDef, binary\)$/m);
  }, 120_000);

  it('a lossy pipeline is measured on the user\'s .npy too: as many rows as the file has, not the seeded batch', async () => {
    const rows = 5;
    const npy = path.join(scratch.freshDir('npy'), 'x.npy');
    writeFileSync(npy, writeNpy(makeTensor('float', [rows, 784], Float32Array.from({ length: rows * 784 }, (_, i) => ((i * 13) % 29) / 29))));
    const r = await cli(MNIST, path.join(scratch.freshDir('out'), 'q.pb'), '--transforms', 'quantize_weights', '--input', `input=${npy}`, '--agreement_batch', '64', '--json');
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.cost.status).toBe('measured');
    expect(report.cost.lossySteps).toEqual(['quantize_weights']);
    expect(report.cost.outputs[0].agreement.total).toBe(rows);
    expect(report.inputsFrom).toEqual([{ input: 'input:0', source: npy }]);
    expect(r.err).toMatch(/measuring what quantize_weights costs on your inputs \(input:0\)/);
  }, 120_000);

  it('a .pbtxt in, a .pbtxt out; --output_format savedmodel writes a SavedModel with the inputs and outputs named', async () => {
    const dir = scratch.freshDir('pbtxt');
    const pbtxt = path.join(dir, 'mnist.pbtxt');
    await saveGraph(mainGraph(await loadModel(MNIST)), pbtxt);
    const out = path.join(dir, 'mnist-opt.pbtxt');
    const r = await cli(pbtxt, out, '--json');
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ inputKind: 'graph-def', outputKind: { kind: 'graph-def', text: true }, verification: { status: 'pass' } });
    expect(await loadModel(out)).toMatchObject({ kind: 'graph-def', format: 'text' });

    const sm = path.join(dir, 'mnist-sm');
    const s = await cli(MNIST, sm, '--output_format', 'savedmodel', '--inputs', 'input', '--outputs', 'softmax', '--json');
    expect(s.code, s.err).toBe(0);
    expect(JSON.parse(s.out)).toMatchObject({ outputKind: { kind: 'saved-model' }, verification: { status: 'pass' } });
    const m = await loadModel(sm);
    if (m.kind !== 'saved-model') throw new Error('not a SavedModel');
    const sig = m.savedModel.metaGraphs[0]!.signatures.serving_default!;
    expect(Object.values(sig.inputs).map((t) => t.name)).toEqual(['input:0']);
    expect(Object.values(sig.outputs).map((t) => t.name)).toEqual(['softmax:0']);
  }, 120_000);

  it('a .meta with its checkpoint: a .meta back (the frozen graph, its serving_default signature), verified on --input X=x.npy; outputs = W x + b from the checkpoint', async () => {
    const ckpt = await readCheckpointFiles(modelPath('tf2onnx_regression_checkpoint', 'model'));
    const scalar = (name: string) => {
      const data = ckpt.entries.get(name)!.data!;
      return new DataView(data.buffer, data.byteOffset, 4).getFloat32(0, true);
    };
    const [w, b] = [scalar('W'), scalar('b')];
    const x = [-2, 0.5, 3, 10];
    const want = x.map((v) => Math.fround(w * Math.fround(v)) + b);
    const npy = path.join(scratch.freshDir('npy'), 'x.npy');
    writeFileSync(npy, writeNpy(makeTensor('float', [4], Float32Array.from(x))));
    const dir = scratch.freshDir('out');
    const out = path.join(dir, 'regression.meta');
    const r = await cli(META, out, '--outputs', 'pred', '--input', `X=${npy}`, '--json');
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(r.out);
    expect(report).toMatchObject({ inputKind: 'meta-graph', outputKind: { kind: 'meta-graph' }, frozenVariables: 2, keptVariables: [], verification: { status: 'pass' } });
    expect(report.inputsFrom).toEqual([{ input: 'X:0', source: npy }]);
    // Frozen: nothing to restore, so no checkpoint is written beside it.
    expect(readdirSync(dir)).toEqual(['regression.meta']);
    const written = await loadModel(out);
    if (written.kind !== 'meta-graph') throw new Error(`expected a MetaGraphDef, got ${written.kind}`);
    const sig = written.metaGraph.signatures.serving_default!;
    expect(Object.values(sig.inputs).map((t) => t.name)).toEqual(['X:0']);
    expect(Object.values(sig.outputs).map((t) => t.name)).toEqual(['pred:0']);
    const g = mainGraph(written);
    expect(g.nodes.filter((n) => /Variable|Assign|Save|Restore/.test(n.op))).toEqual([]);
    const [y] = await runGraph(g, { 'X:0': makeTensor('float', [4], Float32Array.from(x)) }, ['pred:0']);
    expectClose(tensorToNumbers(y!), want);
    const text = await cli(META, path.join(dir, 'again.meta'), '--outputs', 'pred');
    expect(text.out).toMatch(/^wrote .*again\.meta \(MetaGraphDef, frozen\)$/m);

    // --output_format graphdef: a frozen binary GraphDef, as freeze_graph makes one.
    const pb = path.join(scratch.freshDir('out'), 'regression.pb');
    const f = await cli(META, pb, '--outputs', 'pred', '--output_format', 'graphdef', '--json');
    expect(f.code, f.err).toBe(0);
    expect(JSON.parse(f.out)).toMatchObject({ outputKind: { kind: 'graph-def', text: false }, verification: { status: 'pass' } });
    expect(await loadModel(pb)).toMatchObject({ kind: 'graph-def', format: 'binary' });
    const [z] = await runGraph(mainGraph(await loadModel(pb)), { 'X:0': makeTensor('float', [4], Float32Array.from(x)) }, ['pred:0']);
    expectClose(tensorToNumbers(z!), want);

    // Outputs inferred (the training graph's loss), said on stderr; the checkpoint files untouched.
    const inferred = await cli(META, path.join(scratch.freshDir('out'), 'inferred.meta'));
    expect(inferred.code, inferred.err).toBe(0);
    expect(inferred.err).toMatch(/outputs inferred: truediv \(nodes nothing consumes\); inputs: X, Y \(its Placeholders\)/);
    expect(inferred.out).toMatch(/^verify: PASS/m);
  }, 120_000);

  it('a .meta whose kept output updates a variable: the variable stays, restored by a saver from the checkpoint written beside the .meta', async () => {
    const ckpt = await readCheckpointFiles(modelPath('tf2onnx_regression_checkpoint', 'model'));
    const scalar = (name: string) => {
      const data = ckpt.entries.get(name)!.data!;
      return new DataView(data.buffer, data.byteOffset, 4).getFloat32(0, true);
    };
    const dir = scratch.freshDir('train');
    const out = path.join(dir, 'train.meta');
    // The training step's update of W kept as an output: W must stay a variable.
    const r = await cli(META, out, '--outputs', 'pred,GradientDescent/update_W/ApplyGradientDescent', '--json');
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ outputKind: { kind: 'meta-graph' }, keptVariables: ['W'], verification: { status: 'pass' } });
    // TensorFlow's Saver layout: train.meta, train.index, train.data-00000-of-00001.
    expect(readdirSync(dir).sort()).toEqual(['train.data-00000-of-00001', 'train.index', 'train.meta']);
    const saved = await readCheckpointFiles(path.join(dir, 'train'));
    expect([...saved.entries.keys()].filter((k) => !k.startsWith('_'))).toEqual(['W']);
    expect(new DataView(saved.entries.get('W')!.data!.buffer, saved.entries.get('W')!.data!.byteOffset, 4).getFloat32(0, true)).toBe(scalar('W'));
    const written = await loadModel(out);
    if (written.kind !== 'meta-graph') throw new Error(`expected a MetaGraphDef, got ${written.kind}`);
    expect(written.metaGraph.proto).toMatchObject({ saver_def: { restore_op_name: 'save/restore_all', filename_tensor_name: 'save/Const:0' } });
    expect(written.variables.state).toBe('present');
  }, 120_000);

  it('a .meta whose checkpoint data file is already there (no --overwrite): io/exists, and no file of the output is written', async () => {
    const dir = scratch.freshDir('stale');
    const stale = path.join(dir, 'train.data-00000-of-00001');
    writeFileSync(stale, 'not ours');
    const r = await cli(META, path.join(dir, 'train.meta'), '--outputs', 'pred,GradientDescent/update_W/ApplyGradientDescent');
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/io\/exists/);
    // Not a new train.index beside someone else's data file: the output appears complete or not at all.
    expect(readdirSync(dir).sort()).toEqual(['train.data-00000-of-00001']);
    expect(readFileSync(stale, 'utf8')).toBe('not ours');
  }, 120_000);

  it('a .meta optimized to OUT named .pbtxt or .pb: a frozen GraphDef, as the name says (graft reads it back); --output_format metagraph to a name other than .meta is refused before any work', async () => {
    const dir = scratch.freshDir('named');
    for (const name of ['frozen.pbtxt', 'frozen.pb']) {
      const out = path.join(dir, name);
      const r = await cli(META, out, '--outputs', 'pred', '--json');
      expect(r.code, r.err).toBe(0);
      expect(JSON.parse(r.out).outputKind).toEqual({ kind: 'graph-def', text: name.endsWith('.pbtxt') });
      const back = await loadModel(out);
      expect(back.kind).toBe('graph-def');
      expect(mainGraph(back).nodes.some((n) => n.name === 'pred')).toBe(true);
    }
    expect(readdirSync(dir).sort()).toEqual(['frozen.pb', 'frozen.pbtxt']);
    const bad = path.join(dir, 'meta.pb');
    const r = await cli(META, bad, '--outputs', 'pred', '--output_format', 'metagraph');
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/\[cli\/usage\]: .*meta\.pb: A MetaGraphDef output is named <name>\.meta/);
    expect(readdirSync(dir).sort()).toEqual(['frozen.pb', 'frozen.pbtxt']);
  }, 120_000);

  it('--signature_def or --tag_set on a GraphDef is a usage error naming the flag; nothing is written', async () => {
    const out = path.join(scratch.freshDir('out'), 'x.pb');
    const r = await cli(MNIST, out, '--signature_def', 'serving_default');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/graft: error \[cli\/usage\]: .*--signature_def chooses within a SavedModel; .*mnist\.pb is a GraphDef: name its outputs with --outputs/);
    expect(r.err).not.toMatch(/`/);
    const t = await cli(MNIST, out, '--tag_set', 'serve');
    expect(t.code).toBe(2);
    expect(t.err).toMatch(/--tag_set chooses within a SavedModel/);
    expect(await import('node:fs').then((f) => f.existsSync(out))).toBe(false);
  });
});
