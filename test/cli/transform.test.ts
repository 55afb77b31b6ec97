/**
 * `graft transform` end to end: the serving article's structural steps
 * (`remove_nodes(op=Identity) merge_duplicate_nodes strip_unused_nodes`) on real models,
 * GraphDef in/out and SavedModel in/out, with the node counts each step leaves.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import type { Io } from '../../src/cli/output';
import { loadModel, mainGraph, readModelVariables } from '../../src/io/model-files';
import { HAVE_MODELS, MODELS_DIR } from '../helpers/models';

const ARTICLE = 'remove_nodes(op=Identity) merge_duplicate_nodes strip_unused_nodes';
const tmp = mkdtempSync(path.join(tmpdir(), 'graft-cli-transform-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function capture(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t), interactive: false };
}

/** Frozen graphs: [file, inputs, outputs, nodes before, after remove_nodes, after merge, after strip]. */
const FROZEN: [string, string, string, number, number, number, number][] = [
  ['kws_cnn_s/CNN_S.pb', 'wav_data', 'labels_softmax', 78, 56, 56, 56],
  ['kws_ds_cnn_s/DS_CNN_S.pb', 'wav_data', 'labels_softmax', 152, 105, 97, 97],
  ['kws_lstm_s/LSTM_S.pb', 'wav_data', 'labels_softmax', 117, 107, 91, 91],
  ['nns_mnist_softmax_frozen/mnist.pb', 'input', 'softmax', 8, 6, 6, 6],
  ['tf2onnx_ae0/frozen.pb', 'X', 'output', 30, 22, 22, 22],
  ['tf2onnx_fc_layers/frozen.pb', 'X', 'output', 24, 16, 16, 16],
  ['tf2onnx_gru/frozen.pb', 'X,keep_prob', 'output', 548, 548, 430, 430],
  ['tf2onnx_lstm/frozen.pb', 'X,keep_prob', 'output', 529, 525, 428, 428],
  ['tf2onnx_regression_frozen/frozen.pb', 'X', 'pred', 8, 6, 6, 6],
  ['utensor_cifar10_cnn/cifar10_cnn.pb', 'Placeholder', 'pred', 49, 49, 49, 49],
  ['utensor_mnist_mlp/simple_mnist.pb', 'x', 'y_pred', 17, 17, 17, 17],
];

describe.skipIf(!HAVE_MODELS)('graft transform with the serving article steps (skipped when ../shared/models is absent)', () => {
  for (const [file, inputs, outputs, before, afterRemove, afterMerge, afterStrip] of FROZEN) {
    it(`${file}: ${before} → ${afterRemove} → ${afterMerge} → ${afterStrip} nodes`, async () => {
      const out = path.join(tmp, `${file.replace(/\W/g, '_')}.pb`);
      const io = capture();
      const code = await main(['transform', `--in_graph=${path.join(MODELS_DIR, file)}`, `--out_graph=${out}`, `--inputs=${inputs}`, `--outputs=${outputs}`, `--transforms=${ARTICLE}`, '--json'], io);
      expect(io.stderr).toEqual([]);
      expect(code).toBe(0);
      const { report } = JSON.parse(io.stdout.join('\n'));
      expect(report.nodesBefore).toBe(before);
      expect(report.steps.map((s: { nodesAfter: number }) => s.nodesAfter)).toEqual([afterRemove, afterMerge, afterStrip]);
      const graph = mainGraph(await loadModel(out));
      expect(graph.nodes.length).toBe(afterStrip);
      // Identity nodes are gone except where an output is one.
      const identities = graph.nodes.filter((n) => n.op === 'Identity' && !outputs.split(',').includes(n.name));
      expect(identities.length).toBeLessThanOrEqual(file.includes('lstm_s') ? 1 : 0);
    });
  }

  it('serving_half_plus_two_cpu: SavedModel in, SavedModel out, restorable and complete', async () => {
    const out = path.join(tmp, 'half_plus_two');
    const io = capture();
    const code = await main(['transform', `--in_graph=${path.join(MODELS_DIR, 'serving_half_plus_two_cpu')}`, `--out_graph=${out}`, `--transforms=${ARTICLE}`], io);
    expect(code).toBe(0);
    expect(io.stdout.join("\n")).toMatch(/74 -> 66/);
    const original = await loadModel(path.join(MODELS_DIR, 'serving_half_plus_two_cpu'));
    const result = await loadModel(out);
    if (original.kind !== 'saved-model' || result.kind !== 'saved-model') throw new Error('expected SavedModels');
    const [a, b] = [original.savedModel.metaGraphs[0]!, result.savedModel.metaGraphs[0]!];
    expect(b.graph.nodes.length).toBe(66);
    // x is computed from tf_example by ParseExample for the classify signatures, so it stays computed.
    expect(b.graph.nodes.find((n) => n.name === "x")?.op).not.toBe("Placeholder");
    expect(b.tags).toEqual(a.tags);
    expect(b.signatures).toEqual(a.signatures);
    // The saver and everything it restores survive, so TensorFlow can load the variables.
    const names = new Set(b.graph.nodes.map((n) => n.name));
    for (const n of ['save/restore_all', 'save/Const', 'a', 'b', 'c']) expect(names.has(n), n).toBe(true);
    expect(b.proto.saver_def).toEqual(a.proto.saver_def);
    // Variables and assets are carried over, byte for byte.
    const [before, after] = [await readModelVariables(original), await readModelVariables(result)];
    expect([...after.entries.keys()]).toEqual([...before.entries.keys()]);
    expect([...after.entries.keys()]).toContain('a');
    expect(readFileSync(path.join(out, 'assets', 'foo.txt'))).toEqual(readFileSync(path.join(MODELS_DIR, 'serving_half_plus_two_cpu', 'assets', 'foo.txt')));
    // show --all lists the same signatures for the result as for the original.
    const showA = capture();
    const showB = capture();
    await main(['show', '--dir', path.join(MODELS_DIR, 'serving_half_plus_two_cpu'), '--all'], showA);
    await main(['show', '--dir', out, '--all'], showB);
    expect(showB.stdout).toEqual(showA.stdout);
  });

  it('refuses to overwrite its input and leaves no output on failure', async () => {
    const input = path.join(MODELS_DIR, 'nns_mnist_softmax_frozen/mnist.pb');
    const same = capture();
    expect(await main(['transform', `--in_graph=${input}`, `--out_graph=${input}`, '--transforms=remove_device'], same)).not.toBe(0);
    const out = path.join(tmp, 'never.pb');
    const io = capture();
    const code = await main(['transform', `--in_graph=${input}`, `--out_graph=${out}`, '--outputs=no_such_node', '--transforms=strip_unused_nodes'], io);
    expect(code).toBe(1);
    expect(io.stderr[0]).toMatch(/^graft: error \[graph\/missing-node\]/);
    expect(readdirSync(tmp).filter((f) => f.startsWith('never') || f.includes('graft-tmp'))).toEqual([]);
  });

  it("TF's flag checks: no transforms, no in_graph, unknown transform with a suggestion", async () => {
    const a = capture();
    expect(await main(['transform', '--in_graph=x.pb', '--out_graph=y.pb'], a)).toBe(2);
    expect(a.stderr[0]).toContain('You must specify at least one transform.');
    const b = capture();
    expect(await main(['transform', '--out_graph=y.pb', '--transforms=remove_device'], b)).toBe(2);
    expect(b.stderr[0]).toContain("in_graph graph can't be empty.");
    const c = capture();
    const input = path.join(MODELS_DIR, 'nns_mnist_softmax_frozen/mnist.pb');
    expect(await main(['transform', `--in_graph=${input}`, `--out_graph=${path.join(tmp, 'z.pb')}`, '--transforms=strip_unused_node'], c)).toBe(1);
    expect(c.stderr.join('\n')).toMatch(/strip_unused_nodes/);
  });
});

describe('graft transforms', () => {
  it('lists every registered transform with its parameters', async () => {
    const io = capture();
    expect(await main(['transforms'], io)).toBe(0);
    const text = io.stdout.join('\n');
    for (const name of ['remove_nodes', 'merge_duplicate_nodes', 'strip_unused_nodes', 'obfuscate_names']) expect(text).toContain(name);
    expect(text).toContain('max_inputs: int');
  });
});

describe.skipIf(!HAVE_MODELS)('graft transform IN OUT TRANSFORMS (short form)', () => {
  it('takes the input, output and transforms as arguments', async () => {
    const out = path.join(tmp, 'short.pb');
    const io = capture();
    const code = await main(['transform', path.join(MODELS_DIR, 'nns_mnist_softmax_frozen/mnist.pb'), out, 'remove_nodes(op=Identity)', '--outputs=softmax', '--json'], io);
    expect(code).toBe(0);
    expect(JSON.parse(io.stdout.join('\n')).report.nodesAfter).toBe(6);
    const twice = capture();
    expect(await main(['transform', 'a.pb', 'b.pb', 'remove_device', '--transforms=remove_device'], twice)).toBe(2);
  });
});

describe.skipIf(!HAVE_MODELS)('graft transform --verify', () => {
  const input = () => path.join(MODELS_DIR, 'nns_mnist_softmax_frozen/mnist.pb');
  it('runs the graph after every step and passes a lossless pipeline', async () => {
    const io = capture();
    const code = await main(['transform', input(), path.join(tmp, 'verified.pb'), 'remove_nodes(op=Identity) fold_constants', '--inputs=input', '--outputs=softmax', '--verify'], io);
    expect(io.stdout.join('\n')).toMatch(/verify: PASS after every step/);
    expect(code).toBe(0);
  });
  it('names the first step that moved the outputs and exits 1', async () => {
    const io = capture();
    const code = await main(['transform', input(), path.join(tmp, 'moved.pb'), 'remove_nodes(op=Identity) round_weights(num_steps=2) remove_device', '--inputs=input', '--outputs=softmax', '--verify'], io);
    expect(io.stdout.join('\n')).toMatch(/verify: step 2, round_weights\(num_steps=2\), moved the outputs/);
    expect(code).toBe(1);
  });
});
