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

/** Ops without a kernel, per model file (relative to the models folder). Absent: none. */
const EXPECTED_MISSING: Readonly<Record<string, readonly string[]>> = {
  'tfx_estimator_checkpoint/graph.pbtxt': TFX_ESTIMATOR(),
  'tfx_estimator_checkpoint/model.ckpt-1000.meta': TFX_ESTIMATOR(),
};

/** The Estimator checkpoint's graph: its tf.data input pipeline (the training step runs). */
function TFX_ESTIMATOR(): string[] {
  const dataset = ['BatchDatasetV2', 'FlatMapDataset', 'IteratorGetNext', 'IteratorToStringHandle', 'MapDataset', 'MatchingFiles', 'OneShotIterator', 'OptionalFromValue', 'OptionalNone', 'OptionsDataset', 'ParallelInterleaveDatasetV4', 'ParseExampleDatasetV2', 'PrefetchDataset', 'RepeatDataset', 'ShuffleDataset', 'TFRecordDataset', 'TensorSliceDataset'];
  return dataset;
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
