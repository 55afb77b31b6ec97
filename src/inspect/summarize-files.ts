/**
 * Summaries of models on disk (tf-graft/node): loads the model and reads its checkpoint index
 * for the parameter count. `summarizeModel` (summarize.ts) is the in-memory part.
 */
import type { FileSystem } from '../io/fs';
import { nodeFileSystem } from '../io/fs';
import { type LoadedModel, loadModel } from '../io/model-files';
import { listCheckpointEntries } from '../io/checkpoint/bundle-reader';
import { isGraftError } from '../errors';
import { type ModelSummary, type SignatureOpsWithoutKernel, type SummarizeOptions, summarizeModel } from './summarize';
import { checkLoadedModel, checkOptions } from '../ir/check';

/**
 * Loads a model and summarizes it, counting the checkpoint's parameters from its index
 * (the data files are not read).
 *
 * @example
 * ```ts
 * const s = await summarize('model/');
 * console.log(s.counts.nodes, s.sizes.totalBytes);
 * ```
 */
export async function summarize(
  path: string,
  opts: Omit<SummarizeOptions, 'variableShapes'> & {
    fs?: FileSystem;
    /**
     * Fills `unsupportedOps` (what graft cannot run needs the runtime, a layer above this one:
     * pass `modelUnsupportedOps` from src/verify, as `summarizeWithSupport` does).
     */
    unsupportedOps?: (model: LoadedModel, summary: ModelSummary) => Promise<readonly SignatureOpsWithoutKernel[]>;
  } = {},
): Promise<ModelSummary> {
  const fs = opts.fs ?? nodeFileSystem;
  const model = await loadModel(path, { fs });
  const summary = await summarizeLoaded(model, { ...opts, fs });
  if (!opts.unsupportedOps) return summary;
  // Added to the summary itself, last, rather than spread into a copy: a spread would read the lazy
  // inferredOutputs (shape inference over the whole graph) even when no caller wants them.
  const unsupportedOps = await opts.unsupportedOps(model, summary);
  return Object.defineProperty(summary, 'unsupportedOps', { value: unsupportedOps, enumerable: true, writable: true, configurable: true });
}

/** `summarize` on a model already loaded (reads the checkpoint index for the parameter count). */
export async function summarizeLoaded(model: LoadedModel, opts: Omit<SummarizeOptions, 'variableShapes'> & { fs?: FileSystem } = {}): Promise<ModelSummary> {
  checkLoadedModel('summarizeLoaded', 'model', model);
  checkOptions('summarizeLoaded', 'opts', opts);
  const fs = opts.fs ?? nodeFileSystem;
  let variableShapes: number[][] = [];
  if (model.kind !== 'graph-def' && model.variables.prefix) {
    const indexFile = `${model.variables.prefix}.index`;
    const bytes = await fs.readFile(indexFile);
    let entries;
    try {
      entries = listCheckpointEntries(bytes, indexFile);
    } catch (e) {
      throw isGraftError(e) ? e.inFile(indexFile) : e;
    }
    variableShapes = entries.filter((e) => e.name !== '_CHECKPOINTABLE_OBJECT_GRAPH').map((e) => e.shape);
  }
  return summarizeModel(model, { ...opts, variableShapes });
}
