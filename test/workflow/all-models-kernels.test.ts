/**
 * Nothing in ../shared/models is left unrun for want of a kernel: for every model file (SavedModel
 * directories, frozen `.pb`/`.pbtxt` GraphDefs, `.meta` files), the ops graft has no kernel for,
 * over every node of every meta graph and every function of the library (each function as a call
 * would run it: the nodes its outputs and control outputs need).
 *
 * EXPECTED_MISSING is the list kept tight both ways: an op without a kernel that is not listed
 * fails (a new gap), and so does a listed op that now has a kernel (shrink the list).
 *
 * What is still listed, and why:
 * - The saver's writing ops (SaveV2, MergeV2Checkpoints): graft writes checkpoints itself
 *   (src/io/checkpoint), never from inside a graph run; kernels writing files are not built.
 *   (RestoreV2, which reads, has one.)
 * - The tf.data input pipeline of the Estimator checkpoint
 *   (tfx_estimator_checkpoint): they read TFRecord files that are not shipped with the model.
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeGraph, type Graph } from '../../src/ir/graph';
import type { Node } from '../../src/ir/node';
import { loadModel } from '../../src/io/model-files';
import { missingKernels } from '../../src/runtime/index';
import { allModelPaths, HAVE_MODELS, MODELS_DIR, SKIP_REASON } from '../helpers/models';

/** The save half of the saver graph of every SavedModel and checkpoint (RestoreV2 has a kernel). */
const SAVER = ['MergeV2Checkpoints', 'SaveV2'];
/**
 * TF2 exports whose `__inference__traced_save` function reaches `SaveV2` by no data or control
 * edge from its outputs (TensorFlow keeps a function's stateful nodes; graft's walk, like its
 * executor, follows the edges), so only the merge is counted.
 */
const MERGE_ONLY = ['MergeV2Checkpoints'];
/** TF1 `Saver(sharded=False)`: no sharded filename, no merge. */
const SAVER_UNSHARDED = ['SaveV2'];

/** Ops without a kernel, per model file (relative to the models folder). Absent: none. */
const EXPECTED_MISSING: Readonly<Record<string, readonly string[]>> = {
  kotlindl_estimator_mnist_cnn_dropout_graphonly: SAVER,
  kotlindl_estimator_mnist_cnn_graphonly: SAVER,
  kotlindl_keras_bn_cnn_graphonly: SAVER,
  kotlindl_keras_mnist_mlp_tf20: SAVER,
  serving_counter: SAVER,
  serving_half_plus_two_cpu: SAVER,
  serving_half_plus_two_gpu: SAVER,
  serving_half_plus_two_gpu_trt: SAVER,
  serving_half_plus_two_mkl: SAVER,
  serving_half_plus_two_tf2: MERGE_ONLY,
  'tf2onnx_regression_checkpoint/model.meta': SAVER_UNSHARDED,
  tf2onnx_regression_saved_model: SAVER,
  tfdeploy_estimator_dnn_regressor: SAVER,
  tfdeploy_keras_tf1131: SAVER,
  tfdeploy_tf_mnist_pbtxt: SAVER,
  tfdeploy_tf_mnist_tf1131: SAVER,
  tfexamples_fake_effdet_lite0: MERGE_ONLY,
  tfjs_int64_multiply: MERGE_ONLY,
  tfjs_model_multi_output: SAVER,
  tfjs_model_single_input_multi_output: SAVER,
  tfjs_module_with_multiple_signatures: SAVER,
  tfjs_times_three_float: SAVER,
  tfjs_times_two_int: SAVER,
  tfjs_uint8_multiply: MERGE_ONLY,
  tfnet_conv1d_tf24: MERGE_ONLY,
  tfnet_estimator_cnn_graphonly: SAVER,
  'tfnet_inception_v3_hub_graphonly/InceptionV3.meta': SAVER,
  tfnet_keras_mlp_tf211: MERGE_ONLY,
  'tfrust_legacy_graphs/regression_checkpoint_graph.pb': SAVER_UNSHARDED,
  tfrust_regression_tf2: MERGE_ONLY,
  'tfx_estimator_checkpoint/graph.pbtxt': TFX_ESTIMATOR(),
  'tfx_estimator_checkpoint/model.ckpt-1000.meta': TFX_ESTIMATOR(),
  tfx_keras_serving: MERGE_ONLY,
};

/** The Estimator checkpoint's graph: its tf.data input pipeline (the training step runs). */
function TFX_ESTIMATOR(): string[] {
  const dataset = ['BatchDatasetV2', 'FlatMapDataset', 'IteratorGetNext', 'IteratorToStringHandle', 'MapDataset', 'MatchingFiles', 'OneShotIterator', 'OptionalFromValue', 'OptionalNone', 'OptionsDataset', 'ParallelInterleaveDatasetV4', 'ParseExampleDatasetV2', 'PrefetchDataset', 'RepeatDataset', 'ShuffleDataset', 'TFRecordDataset', 'TensorSliceDataset'];
  return [...dataset, ...SAVER];
}

/**
 * The ops without a kernel in a graph and its whole library: every node of the graph, and every
 * library function as a call of it would run (a caller node per function, not counted itself).
 */
function opsWithoutKernel(g: Graph): string[] {
  const callers: Node[] = g.library.functions.map((f, i) => ({
    name: `__all_models_call_${i}`,
    op: 'PartitionedCall',
    inputs: [],
    device: '',
    attrs: { f: { kind: 'func', value: { name: f.signature.name, attrs: {} } } } as Node['attrs'],
  }));
  const graph = makeGraph([...g.nodes, ...callers], { library: g.library, versions: g.versions });
  return missingKernels(graph).map((m) => m.op);
}

async function modelOpsWithoutKernel(rel: string): Promise<string[]> {
  const m = await loadModel(path.join(MODELS_DIR, rel));
  const graphs = m.kind === 'graph-def' ? [m.graph] : m.kind === 'meta-graph' ? [m.metaGraph.graph] : m.savedModel.metaGraphs.map((mg) => mg.graph);
  return [...new Set(graphs.flatMap(opsWithoutKernel))].sort();
}

const paths = allModelPaths();
const counts: string[] = [];

describe.skipIf(!HAVE_MODELS)(`every op of every model file has a kernel, but those listed (${HAVE_MODELS ? 'models present' : SKIP_REASON})`, () => {
  it('finds the shared model files, and every listed entry names one of them', () => {
    expect(paths.length).toBeGreaterThanOrEqual(45);
    for (const k of Object.keys(EXPECTED_MISSING)) expect(paths, `${k} is listed but is not a model file`).toContain(k);
  });

  for (const rel of paths) {
    it(rel, async () => {
      const got = await modelOpsWithoutKernel(rel);
      counts.push(`${rel}: ${got.length}`);
      expect(got, 'ops without a kernel (a listed op that now has one: remove it from EXPECTED_MISSING)').toEqual([...(EXPECTED_MISSING[rel] ?? [])].sort());
    }, 60_000);
  }

  it('the counts, for the record', () => {
    console.log(`all-models-kernels: ops without a kernel per model file\n${counts.join('\n')}`);
  });
});
