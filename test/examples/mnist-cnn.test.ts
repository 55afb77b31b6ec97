import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MNIST_CNN_LAYERS, type MnistCnnModel, buildMnistCnn, writeMnistCnn } from '../../examples/mnist-cnn';
import { type LoadedModel } from '../../src/index';
import { loadModel, readModelVariables, summarize } from '../../src/node';

let dir: string;
let modelDir: string;
let model: Extract<LoadedModel, { kind: 'saved-model' }>;
let built: MnistCnnModel;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'graft-mnist-cnn-'));
  modelDir = path.join(dir, 'model');
  built = buildMnistCnn();
  await writeMnistCnn(modelDir, built);
  const m = await loadModel(modelDir);
  if (m.kind !== 'saved-model') throw new Error(`expected a SavedModel, got ${m.kind}`);
  model = m;
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the serving article model (examples/mnist-cnn.ts)', () => {
  it('writes a SavedModel directory and nothing else', () => {
    expect(readdirSync(dir)).toEqual(['model']);
    expect(readdirSync(modelDir).sort()).toEqual(['saved_model.pb', 'variables']);
    expect(readdirSync(path.join(modelDir, 'variables')).sort()).toEqual(['variables.data-00000-of-00001', 'variables.index']);
  });

  it('loads back with tag serve and the Estimator signatures', () => {
    const mg = model.savedModel.metaGraphs[0]!;
    expect(mg.tags).toEqual(['serve']);
    expect(Object.keys(mg.signatures).sort()).toEqual(['predict', 'serving_default']);
    const sig = mg.signatures.serving_default!;
    expect(sig.methodName).toBe('tensorflow/serving/predict');
    expect(sig.inputs.x).toMatchObject({ name: 'x:0', dtype: 'float', shape: { dims: [-1, 784], unknownRank: false } });
    expect(sig.outputs.probabilities).toMatchObject({ name: 'probabilities:0', dtype: 'float' });
    expect(sig.outputs.classes).toMatchObject({ name: 'classes:0', dtype: 'int64' });
  });

  it('has a checkpoint entry for every VariableV2 node, with its shape and dtype', async () => {
    const graph = model.savedModel.metaGraphs[0]!.graph;
    const vars = graph.nodes.filter((n) => n.op === 'VariableV2');
    const ckpt = await readModelVariables(model);
    expect([...ckpt.entries.keys()].sort()).toEqual(vars.map((n) => n.name).sort());
    for (const v of vars) {
      const shape = v.attrs.shape;
      expect(shape?.kind === 'shape' && [...shape.value.dims], v.name).toEqual([...ckpt.entries.get(v.name)!.shape]);
      // Every variable has its /read identity and its initializer, as tf.layers writes them.
      expect(graph.nodes.some((n) => n.name === `${v.name}/read` && n.op === 'Identity' && n.inputs[0] === v.name)).toBe(true);
      expect(graph.nodes.some((n) => n.name === `${v.name}/Assign` && n.op === 'Assign')).toBe(true);
    }
    expect(ckpt.entries.get('global_step')!.dtype).toBe(9); // DT_INT64
    const k3 = MNIST_CNN_LAYERS.conv3;
    expect(ckpt.entries.get('conv2d_2/kernel')!.shape).toEqual([k3.kernel, k3.kernel, MNIST_CNN_LAYERS.conv2.filters, k3.filters]);
    expect(ckpt.entries.get('dense/kernel')!.shape).toEqual([7 * 7 * k3.filters, 512]);
  });

  it('holds about 10.7 MB of weights, like the article model', async () => {
    const data = statSync(path.join(modelDir, 'variables', 'variables.data-00000-of-00001')).size;
    expect(data).toBeGreaterThan(10_000_000);
    expect(data).toBeLessThan(11_500_000);
    const { checkpoint } = built;
    const floats = checkpoint.filter((e) => e.name !== 'global_step').reduce((s, e) => s + e.shape.reduce((a, c) => a * c, 1), 0);
    expect(floats).toBe(2_681_574);
  });

  it('is deterministic: the same weights on every build', async () => {
    // A second, independent build gives the same bytes as the one written.
    const a = buildMnistCnn().checkpoint.find((e) => e.name === 'dense_1/kernel')!.data!;
    const ckpt = await readModelVariables(model);
    const b = ckpt.entries.get('dense_1/kernel')!.data!;
    expect(b.length).toBe(512 * 512 * 4);
    expect(Buffer.from(b).equals(Buffer.from(a))).toBe(true);
    const values = new Float32Array(new Uint8Array(b).buffer);
    expect(values.some((v) => v !== 0)).toBe(true);
  });

  it('gives the transforms their work: the summary counts', async () => {
    const s = await summarize(modelDir);
    // Printed so the numbers can be compared with the article's table (308 / 61 / 97 / 30).
    console.log(`mnist-cnn SavedModel: nodes=${s.counts.nodes} Const=${s.counts.const} Variable=${s.counts.variable} Identity=${s.counts.identity} weights=${s.sizes.variablesBytes} B`);
    expect(s.counts).toMatchObject({ nodes: 158, const: 42, variable: 13, identity: 16 });
    expect(s.placeholders.map((p) => p.name)).toEqual(['x', 'labels']);
    expect(s.outputs).toEqual([
      { name: 'probabilities', op: 'Softmax' },
      { name: 'classes', op: 'ArgMax' },
    ]);
    // The training branch is unused by the serving outputs; the bn-style Mul and the duplicate constants are there.
    expect(s.unusedNodes).toContain('loss/Mean');
    expect(s.unusedNodes).toContain('labels');
    const graph = model.savedModel.metaGraphs[0]!.graph;
    const mul = graph.nodes.find((n) => n.name === 'conv2d_1/batchnorm/mul')!;
    expect(mul.inputs).toEqual(['conv2d_1/Conv2D', 'conv2d_1/batchnorm/mul/y']);
    const value = (name: string) => graph.nodes.find((n) => n.name === name)!.attrs.value;
    expect(value('flatten/strided_slice/stack_1')).toEqual(value('flatten/strided_slice/stack_2'));
  });
});
