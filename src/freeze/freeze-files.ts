/**
 * Freezing models on disk (tf-graft/node): a SavedModel directory, a `.meta` with its checkpoint,
 * or a GraphDef with a checkpoint. `freezeMetaGraph` (freeze.ts) is the in-memory part.
 */
import * as nodePath from 'node:path';
import { GraftError } from '../errors';
import { type Checkpoint } from '../io/checkpoint';
import { readCheckpointFiles } from '../io/checkpoint/bundle-files';
import { nodeFileSystem } from '../io/fs';
import { type LoadedModel, loadModel, readModelVariables } from '../io/model-files';
import { type MetaGraph, findMetaGraph } from '../io/saved-model';
import { type FreezeOptions, type FreezeResult, freezeMetaGraph, readTableAssets } from './freeze';
import { VARIABLE_OPS } from './tf1';
import { checkLoadedModel, checkOptions } from '../ir/check';
import { badArgument } from '../errors';

/** Freezes a loaded SavedModel: the meta graph with `opts.tags` (default `serve`). */
export async function freezeSavedModel(model: Extract<LoadedModel, { kind: 'saved-model' }>, opts: FreezeOptions = {}): Promise<FreezeResult> {
  checkLoadedModel('freezeSavedModel', 'model', model);
  if (model.kind !== 'saved-model') throw badArgument('freezeSavedModel', 'model', 'a loaded SavedModel', `a ${model.kind as string}`);
  checkOptions('freezeSavedModel', 'opts', opts);
  const mg = findMetaGraph(model.savedModel, opts.tags ?? ['serve'], model.modelFile);
  const needsVariables = mg.graph.nodes.some((n) => VARIABLE_OPS.has(n.op));
  const ckpt = needsVariables ? await readModelVariables(model) : null;
  const assets = opts.assets ?? (await readTableAssets(mg, (f) => nodeFileSystem.readFile(nodePath.join(model.path, 'assets', f))));
  return freezeMetaGraph(mg, ckpt, { ...opts, assets, ...(model.variables.prefix ? { file: `${model.variables.prefix}.index` } : {}) });
}

/**
 * Freezes the model at `path`: a SavedModel directory, a `.meta` (its checkpoint is the path
 * without `.meta`, or `opts.checkpoint`), or a GraphDef with `opts.checkpoint`.
 *
 * @example
 * ```ts
 * const { graph, outputs } = await freezeModel('saved_model_dir');
 * await saveGraph(graph, 'frozen.pb');
 * ```
 */
export async function freezeModel(path: string, opts: FreezeOptions = {}): Promise<FreezeResult> {
  const model = await loadModel(path);
  if (model.kind === 'saved-model') return freezeSavedModel(model, opts);
  const graph = model.kind === 'meta-graph' ? model.metaGraph.graph : model.graph;
  const needsVariables = graph.nodes.some((n) => VARIABLE_OPS.has(n.op));
  const prefix = opts.checkpoint ?? (model.kind === 'meta-graph' ? model.variables.prefix : null);
  let ckpt: Checkpoint | null = null;
  if (needsVariables) {
    if (!prefix) {
      throw new GraftError('io/missing-variables', `${path} has variables but no checkpoint was found; give one (\`checkpoint\`)`, { file: path });
    }
    ckpt = await readCheckpointFiles(prefix);
  }
  const file = prefix ? `${prefix}.index` : undefined;
  if (model.kind === 'meta-graph') return freezeMetaGraph(model.metaGraph, ckpt, { ...opts, ...(file ? { file } : {}) });
  const mg: MetaGraph = { tags: [], graph, signatures: {}, proto: {} };
  return freezeMetaGraph(mg, ckpt, { ...opts, ...(file ? { file } : {}) });
}
