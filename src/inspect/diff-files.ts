/** Diffs of models on disk (tf-graft/node): loads both, then `diffLoadedModels` (diff.ts). */
import { loadModel } from '../io/model-files';
import { type DiffModelsOptions, type ModelDiff, diffLoadedModels } from './diff';

/**
 * Loads two models (GraphDef `.pb`/`.pbtxt`, `.meta`, SavedModel directory) and diffs their
 * graphs. For a SavedModel the graph compared is the meta graph's whole `GraphDef` (tag-set
 * `serve` unless `tagSet` names another), library functions included: a TF2 model's work is
 * inside its functions, and a signature's graph alone would hide what a pipeline did to the rest.
 * When both sides carry signatures they are compared too.
 */
export async function diffModels(a: string, b: string, opts: DiffModelsOptions = {}): Promise<ModelDiff> {
  const load = { ...(opts.fs ? { fs: opts.fs } : {}) };
  return diffLoadedModels(await loadModel(a, load), await loadModel(b, load), opts);
}
