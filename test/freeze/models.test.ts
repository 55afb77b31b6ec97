import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readNpy } from '../../src/io/npy';
import { freezeModel } from '../../src/freeze/freeze-files';
import type { Graph } from '../../src/ir/graph';
import { makeTensor, tensorToNumbers } from '../../src/ir/tensor';
import { loadModel, mainGraph, readModelVariables } from '../../src/io/model-files';
import { runGraph, savedModelVariables, seededFeeds } from '../../src/runtime';
import { HAVE_MODELS, SKIP_REASON, modelPath } from '../helpers/models';

const FORBIDDEN = /^(Variable|VariableV2|VarHandleOp|ReadVariableOp|Assign\w*|SaveV2|RestoreV2|StatefulPartitionedCall|PartitionedCall)$/;

function constValue(g: Graph, name: string): number[] {
  const n = g.nodes.find((x) => x.name === name);
  if (!n || n.op !== 'Const' || n.attrs.value?.kind !== 'tensor') throw new Error(`${name} is not a Const`);
  return tensorToNumbers(n.attrs.value.value);
}

function checkFrozen(g: Graph, outputs: readonly string[]): void {
  const bad = g.nodes.filter((n) => FORBIDDEN.test(n.op)).map((n) => `${n.name} (${n.op})`);
  expect(bad).toEqual([]);
  const names = new Set(g.nodes.map((n) => n.name));
  for (const o of outputs) expect(names.has(o.split(':')[0]!)).toBe(true);
}

// [model, options, converted-variable count]
const CASES: [string, Parameters<typeof freezeModel>[1], number][] = [
  ['serving_half_plus_two_cpu', {}, 2],
  ['serving_half_plus_two_gpu', {}, 2],
  ['serving_half_plus_two_mkl', {}, 4],
  ['tfdeploy_tf_mnist_tf1131', {}, 2],
  ['tfdeploy_tf_mnist_pbtxt', {}, 2],
  ['tfdeploy_keras_tf1131', {}, 2],
  ['tfdeploy_estimator_dnn_regressor', {}, 6],
  ['serving_counter', { signature: 'get_counter' }, 1],
  ['tf2onnx_regression_saved_model', {}, 2],
  ['tfx_estimator_checkpoint/model.ckpt-1000.meta', { outputNodeNames: ['head/predictions/probabilities'] }, 20],
  ['tf2onnx_regression_checkpoint/model.meta', { outputNodeNames: ['pred'] }, 2],
  ['serving_half_plus_two_tf2', {}, 2],
  ['tfjs_int64_multiply', {}, 2],
  ['tfjs_uint8_multiply', {}, 2],
  ['tfjs_model_multi_output', {}, 1],
  ['tfjs_model_single_input_multi_output', {}, 1],
  ['tfjs_module_with_multiple_signatures', {}, 1],
  ['tfjs_times_three_float', {}, 1],
  ['tfjs_times_two_int', {}, 1],
  ['tfnet_keras_mlp_tf211', {}, 4],
  ['tfx_keras_serving', {}, 6],
  ['kotlindl_keras_mnist_mlp_tf20', {}, 4],
  ['tfrust_regression_tf2', { signature: 'w' }, 1],
  ['tfnet_conv1d_tf24', {}, 2],
  ['tfexamples_fake_effdet_lite0', {}, 20],
];

describe.skipIf(!HAVE_MODELS)(`freezing the real models (${SKIP_REASON} skips)`, () => {
  for (const [name, opts, count] of CASES) {
    it(`${name} freezes`, async () => {
      const r = await freezeModel(modelPath(name), opts);
      checkFrozen(r.graph, r.outputs);
      expect(r.converted.length).toBe(count);
      expect(r.graph.library.functions.length === 0 || name.startsWith('tfx_estimator')).toBe(true);
      for (const i of r.inputs) expect(r.graph.nodes.some((n) => n.name === i.split(':')[0])).toBe(true);
      if (r.signature) expect(Object.values(r.signature.outputs)).toEqual(r.outputs);
    }, 60_000);
  }

  it('serving_half_plus_two: a = 0.5, b = 2, and the signature maps x → y', async () => {
    const r = await freezeModel(modelPath('serving_half_plus_two_cpu'));
    expect(constValue(r.graph, 'a')).toEqual([0.5]);
    expect(constValue(r.graph, 'b')).toEqual([2]);
    expect(r.signature).toEqual({ key: 'serving_default', inputs: { x: 'x:0' }, outputs: { y: 'y:0' } });
    expect(r.graph.nodes.some((n) => n.name === 'c' || n.name === 'a2')).toBe(false); // other signatures' variables pruned
  });

  it('TF2 half_plus_two: signature outputs keep their names; variables a and b are Consts', async () => {
    const r = await freezeModel(modelPath('serving_half_plus_two_tf2'));
    expect(r.signature?.outputs).toEqual({ y: 'StatefulPartitionedCall_5:0' });
    const consts = r.converted.map((c) => c.name).sort();
    expect(consts.map((c) => constValue(r.graph, c)).flat().sort()).toEqual([0.5, 2]);
  });

  it('the tfjs captured resource becomes its checkpoint value', async () => {
    const r = await freezeModel(modelPath('tfjs_times_three_float'));
    expect(constValue(r.graph, r.converted[0]!.name)).toEqual([3]);
  });

  it('tfnet_keras_mlp_tf211: the kernel Const equals kernel1.npy', async () => {
    const r = await freezeModel(modelPath('tfnet_keras_mlp_tf211'));
    const kernel = r.converted.find((c) => c.shape.join(',') === '100,10')!;
    const npy = readNpy(readFileSync(modelPath('tfnet_keras_mlp_tf211', 'kernel1.npy')));
    expect(constValue(r.graph, kernel.name)).toEqual(tensorToNumbers(npy));
  });

  it('errors: unknown signature, unknown output, no serve tag, state-update output', async () => {
    await expect(freezeModel(modelPath('serving_half_plus_two_cpu'), { signature: 'serving_defualt' })).rejects.toMatchObject({ code: 'model/unknown-signature', message: expect.stringContaining("'serving_default'") });
    await expect(freezeModel(modelPath('serving_half_plus_two_cpu'), { outputNodeNames: ['yy'] })).rejects.toMatchObject({ code: 'freeze/missing-output', message: expect.stringMatching(/Output 'yy'.*'y'/) });
    await expect(freezeModel(modelPath('tfx_transform_fn'))).rejects.toMatchObject({ code: 'model/unknown-tag-set' });
    await expect(freezeModel(modelPath('serving_counter'), { signature: 'incr_counter' })).rejects.toMatchObject({ code: 'freeze/unsupported' });
    await expect(freezeModel(modelPath('serving_counter'))).rejects.toMatchObject({ code: 'model/unknown-signature' });
  });

  it('a non-variable resource (an iterator) is reported, not a crash', async () => {
    const r = await freezeModel(modelPath('tfx_estimator_checkpoint/model.ckpt-1000.meta'), { outputNodeNames: ['head/predictions/probabilities'] });
    expect(r.diagnostics.find((d) => d.code === 'freeze/non-variable-resource')?.message).toContain('OneShotIterator');
    expect(r.graph.nodes.some((n) => n.op === 'ResourceGather')).toBe(false);
  });
});

describe.skipIf(!HAVE_MODELS)('frozen graphs compute what the originals compute', () => {
  it('half_plus_two (TF1): y = 0.5x + 2', async () => {
    const r = await freezeModel(modelPath('serving_half_plus_two_cpu'));
    const [y] = await runGraph(r.graph, { 'x:0': makeTensor('float', [3, 1], [1, 2, 3]) }, r.outputs);
    expect(tensorToNumbers(y!)).toEqual([2.5, 3, 3.5]);
  });
  it('half_plus_two (TF2): y = 0.5x + 2', async () => {
    const r = await freezeModel(modelPath('serving_half_plus_two_tf2'));
    const [y] = await runGraph(r.graph, { [r.inputs[0]!]: makeTensor('float', [1], [4]) }, r.outputs);
    expect(tensorToNumbers(y!)).toEqual([4]);
  });
  it('tfjs_times_three_float: 3x', async () => {
    const r = await freezeModel(modelPath('tfjs_times_three_float'));
    const [y] = await runGraph(r.graph, { [r.inputs[0]!]: makeTensor('float', [], [7]) }, r.outputs);
    expect(tensorToNumbers(y!)).toEqual([21]);
  });

  // tfnet_keras_mlp_tf211 and tfnet_conv1d_tf24 hold int32 Consts whose decoded bytes are
  // unaligned views into the file: tensorToArray must copy them.
  for (const name of ['tfdeploy_tf_mnist_tf1131', 'tfdeploy_keras_tf1131', 'tfnet_keras_mlp_tf211', 'kotlindl_keras_mnist_mlp_tf20', 'tfjs_model_multi_output', 'tfnet_conv1d_tf24']) {
    it(`${name}: frozen = unfrozen on seeded inputs`, async () => {
      const r = await freezeModel(modelPath(name));
      const feeds = seededFeeds(r.graph, { only: r.inputs.map((i) => i.split(':')[0]!) });
      const frozen = await runGraph(r.graph, feeds, r.outputs);
      const model = await loadModel(modelPath(name));
      const variables = savedModelVariables(model, await readModelVariables(model));
      const original = await runGraph(mainGraph(model), feeds, r.outputs, { variables });
      expect(frozen.length).toBe(original.length);
      frozen.forEach((t, i) => {
        const a = tensorToNumbers(t);
        const b = tensorToNumbers(original[i]!);
        expect(t.shape).toEqual(original[i]!.shape);
        a.forEach((v, k) => expect(v).toBeCloseTo(b[k]!, 5));
      });
    }, 60_000);
  }
});
