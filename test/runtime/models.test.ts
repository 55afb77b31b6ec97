/** Real TensorFlow-written models from ../shared/models, run end to end. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadModel, mainGraph, readModelVariables } from '../../src/io/model-files';
import { attr } from '../../src/ir/attr';
import { graphIndex } from '../../src/ir/graph';
import { makeStringTensor, makeTensor, tensorToNumbers, type Tensor } from '../../src/ir/tensor';
import { isGraftError } from '../../src/errors';
import { createKernelRegistry, createSession, runGraph, savedModelVariables, seededFeeds, variablesFromCheckpoint } from '../../src/runtime';
import { BUILTIN_KERNELS } from '../../src/runtime/kernels';
import { graphBuilder } from '../helpers/graph-builder';
import { HAVE_MODELS, SKIP_REASON, allModelPaths, modelPath } from '../helpers/models';

const argmax = (t: Tensor) => {
  const v = tensorToNumbers(t);
  return v.indexOf(Math.max(...v));
};

describe.skipIf(!HAVE_MODELS)(`real models (${HAVE_MODELS ? 'present' : SKIP_REASON})`, () => {
  it('nns_mnist_softmax_frozen classifies 9.raw as 9', async () => {
    const graph = mainGraph(await loadModel(modelPath('nns_mnist_softmax_frozen/mnist.pb')));
    // The placeholder is float [?,784]; 9.raw is 784 uint8 pixels, scaled to [0,1].
    const raw = readFileSync(modelPath('nns_mnist_softmax_frozen/9.raw'));
    expect(raw.length).toBe(784);
    const x = makeTensor('float', [1, 784], Array.from(raw, (b) => b / 255));
    const [probs, logits] = await runGraph(graph, { input: x }, ['softmax', 'add']);
    expect(probs!.shape).toEqual([1, 10]);
    expect(argmax(probs!)).toBe(9);
    expect(argmax(logits!)).toBe(9);
  });

  it('serving_half_plus_two_cpu (TF1, VariableV2 + checkpoint): y = 0.5x + 2', async () => {
    const model = await loadModel(modelPath('serving_half_plus_two_cpu'));
    const variables = variablesFromCheckpoint(await readModelVariables(model));
    const [y] = await runGraph(mainGraph(model), { 'x:0': makeTensor('float', [3], [1, 2, 5]) }, ['y:0'], { variables });
    expect(tensorToNumbers(y!)).toEqual([2.5, 3, 4.5]);
  });

  it('serving_half_plus_two_tf2 (StatefulPartitionedCall, resource variables): y = 0.5x + 2', async () => {
    const model = await loadModel(modelPath('serving_half_plus_two_tf2'));
    const ckpt = await readModelVariables(model);
    const variables = savedModelVariables(model, ckpt);
    // The VarHandleOps' shared names map to the object-path checkpoint keys.
    expect(tensorToNumbers(variables.get('a')!)).toEqual(tensorToNumbers(variablesFromCheckpoint(ckpt).get('a/.ATTRIBUTES/VARIABLE_VALUE')!));
    const s = await createSession(mainGraph(model), { variables });
    for (const x of [0, 1, 5, -4]) {
      const [y] = await s.run({ serving_default_x: makeTensor('float', [1], [x]) }, ['StatefulPartitionedCall_5:0']);
      expect(tensorToNumbers(y!)).toEqual([0.5 * x + 2]);
    }
    s.dispose();
  });

  const frozen = allModelPaths().filter((p) => /\.(pb|pbtxt)$/.test(p) && !p.endsWith('saved_model.pb'));
  const ran: string[] = [];
  const refused: string[] = [];

  for (const rel of frozen) {
    it(`${rel}: runs on seeded inputs, or refuses up front with one unsupported-op or missing-variable error`, async () => {
      const graph = mainGraph(await loadModel(modelPath(rel)));
      const idx = graphIndex(graph);
      // Fetch every sink that is not a side effect.
      const fetches = graph.nodes.filter((n) => !(idx.consumers.get(n.name)?.length) && !['NoOp', 'Const', 'Assign', 'SaveV2', 'RestoreV2'].includes(n.op)).map((n) => n.name);
      const feeds = seededFeeds(graph);
      // tf2onnx_gru's X has no shape attribute; its Reshape wants [batch, 28, 28].
      // The keyword-spotting models take a WAV file's bytes.
      if (rel.startsWith('kws_')) feeds.wav_data = makeStringTensor([], [readFileSync(modelPath('kws_ds_cnn_s/silence.wav'))]);
      // The keyword-spotting models take a WAV file's bytes.
      if (rel.startsWith('kws_')) feeds.wav_data = makeStringTensor([], [readFileSync(modelPath('kws_ds_cnn_s/silence.wav'))]);
      if (rel === 'tf2onnx_gru/frozen.pb') feeds.X = makeTensor('float', [1, 28, 28], Array.from({ length: 784 }, (_, i) => (i % 7) / 7));
      let kernelCalls = 0;
      const kernels = createKernelRegistry();
      for (const op of BUILTIN_KERNELS.ops()) {
        const k = BUILTIN_KERNELS.get(op)!;
        kernels.register(op, (ctx) => {
          kernelCalls++;
          return k(ctx);
        });
      }
      try {
        const outs = await runGraph(graph, feeds, fetches, { kernels });
        expect(outs.length).toBe(fetches.length);
        for (const o of outs) if (o.dtype === 'float') expect(tensorToNumbers(o).every(Number.isFinite)).toBe(true);
        ran.push(rel);
      } catch (e) {
        // Refused up front: an op without a kernel, or a variable the graph holds with no
        // checkpoint beside it to give its value (TensorFlow: "uninitialized value").
        if (!isGraftError(e) || !['runtime/unsupported-op', 'runtime/missing-variable'].includes(e.code)) throw e;
        expect(kernelCalls).toBe(0); // refused before running anything
        expect(e.message).toMatch(e.code === 'runtime/unsupported-op' ? /op\(s\) without a kernel/ : /^Variable '[^']+' has no value/);
        refused.push(`${rel}: ${e.message.slice(0, 160)}`);
      }
    });
  }

  it('summary of frozen graphs', () => {
    // Printed for the report; the per-model tests above hold the assertions.
    console.log(`ran: ${ran.join(', ')}\nrefused:\n  ${refused.join('\n  ')}`);
    expect(ran.length + refused.length).toBe(frozen.length);
    expect(ran).toEqual(expect.arrayContaining(['nns_mnist_softmax_frozen/mnist.pb', 'utensor_cifar10_cnn/cifar10_cnn.pb', 'tf2onnx_lstm/frozen.pb', 'tf2onnx_gru/frozen.pb']));
  });
});

describe('backends', () => {
  it('wasm and cpu agree on a small CNN within 1e-5', async () => {
    const b = graphBuilder();
    const F = { T: attr.type('float') };
    const rnd = (n: number, seed: number) => Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed) * 0.5);
    b.placeholder('x', 'float', [2, 8, 8, 1]);
    b.const('k1', makeTensor('float', [3, 3, 1, 4], rnd(36, 1)));
    b.const('b1', makeTensor('float', [4], rnd(4, 2)));
    b.const('w', makeTensor('float', [64, 3], rnd(192, 3)));
    b.const('shape', makeTensor('int32', [2], [-1, 64]));
    b.op('Conv2D', ['x', 'k1'], { ...F, strides: attr.list({ i: [1, 1, 1, 1] }), padding: attr.s('SAME') }, 'conv');
    b.op('BiasAdd', ['conv', 'b1'], F, 'bias');
    b.op('Relu', ['bias'], F, 'relu');
    b.op('MaxPool', ['relu'], { ...F, ksize: attr.list({ i: [1, 2, 2, 1] }), strides: attr.list({ i: [1, 2, 2, 1] }), padding: attr.s('VALID') }, 'pool');
    b.op('Reshape', ['pool', 'shape'], F, 'flat');
    b.op('MatMul', ['flat', 'w'], F, 'logits');
    b.op('Softmax', ['logits'], F, 'probs');
    const g = b.graph();
    const x = makeTensor('float', [2, 8, 8, 1], rnd(128, 4));
    const wasm = await createSession(g, { backend: 'wasm' });
    expect(wasm.backend).toBe('wasm');
    const [a, la] = await wasm.run({ x }, ['probs', 'logits']);
    wasm.dispose();
    const [c, lc] = await runGraph(g, { x }, ['probs', 'logits'], { backend: 'cpu' });
    const diff = (p: Tensor, q: Tensor) => Math.max(...tensorToNumbers(p).map((v, i) => Math.abs(v - tensorToNumbers(q)[i]!)));
    expect(diff(a!, c!)).toBeLessThan(1e-5);
    expect(diff(la!, lc!)).toBeLessThan(1e-5);
    expect(tensorToNumbers(la!).some((v) => v !== 0)).toBe(true);
  });
});
