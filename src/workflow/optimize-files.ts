/**
 * `optimize` on directories (tf-graft/node): loads the SavedModel in a directory, runs the stages
 * of optimize-stages.ts on it (as `optimizeInMemory` does on bytes) and writes the result atomically.
 */
import * as nodePath from 'node:path';
import { GraftError, badArgument } from '../errors';
import { checkStringArgument } from '../ir/check';
import { checkOutput, nodeFileSystem, writeDirAtomic } from '../io/fs';
import { checkInsideModel, loadModel, readModelVariables } from '../io/model-files';
import type { OptimizeDirOptions, OptimizeResult } from './optimize-options';
import { type Source, runStages } from './optimize-stages';

/**
 * Optimizes the SavedModel in `inputDir` into a new SavedModel in `outputDir` (frozen: no
 * variables, except those a signature writes, kept in `variables/`), verified against the original.
 * The output directory appears complete or not at all.
 *
 * @throws GraftError `model/unknown-tag-set` (no `serve` meta graph), `model/unknown-signature`,
 *   `freeze/missing-output` (an output that is not a node, with near names),
 *   `runtime/missing-variable` (a variable the checkpoint lacks), `verify/mismatch`,
 *   `io/overlaps-input` (the output is, contains or lies inside the input), `io/exists` (an
 *   existing non-empty output directory, unless `overwrite`), `io/locked` (another graft writes
 *   the same output), `model/asset-outside` (an asset linking outside the model).
 * @example
 * ```ts
 * const { report } = await optimize('models/mnist/1', 'models/mnist-opt/1', { bench: { batch: 100 } });
 * console.log(formatOptimizeReport(report));
 * ```
 */
export async function optimize(inputDir: string, outputDir: string, opts: OptimizeDirOptions = {}): Promise<OptimizeResult> {
  checkStringArgument('optimize', 'inputDir', inputDir);
  checkStringArgument('optimize', 'outputDir', outputDir);
  if (opts === null || typeof opts !== 'object') throw badArgument('optimize', 'opts', 'an options object', opts);
  const fs = opts.fs ?? nodeFileSystem;
  // Before any work: the output may not touch the input, and an existing one needs overwrite.
  await checkOutput(outputDir, { inputs: [inputDir], overwrite: opts.overwrite, kind: 'dir' }, fs);
  opts.onProgress?.({ stage: 'load', message: `loading ${inputDir}` });
  const model = await loadModel(inputDir, { fs });
  if (model.kind !== 'saved-model') {
    throw new GraftError('io/not-saved-model', `${inputDir} is a ${model.kind === 'graph-def' ? 'GraphDef' : 'MetaGraphDef'}, not a SavedModel directory`, {
      file: inputDir,
      hint: 'graft optimize takes a SavedModel; for a GraphDef use graft transform.',
    });
  }
  const src: Source = {
    label: inputDir,
    savedModel: model.savedModel,
    modelFile: model.modelFile,
    format: model.format,
    graphBytes: model.fileBytes,
    variableBytes: model.variables.bytes,
    variablesState: model.variables.state,
    readCheckpoint: () => readModelVariables(model),
    readAsset: async (name) => {
      const p = nodePath.join(inputDir, 'assets', name);
      return (await fs.kind(p)) === 'file' ? fs.readFile(p) : undefined;
    },
  };
  const result = await runStages(src, { ...opts, fs });
  opts.onProgress?.({ stage: 'write', message: `writing ${outputDir}` });
  await writeDirAtomic(
    outputDir,
    async (tmp) => {
      await fs.writeFile(nodePath.join(tmp, 'saved_model.pb'), result.chunks);
      // simple_save leaves an empty variables/ for a graph without variables; variables a
      // signature writes are kept, in a checkpoint there.
      await fs.mkdir(nodePath.join(tmp, 'variables'));
      for (const [rel, bytes] of result.variableFiles) await fs.writeFile(nodePath.join(tmp, rel), [bytes]);
      const root = model.assets.length > 0 ? await fs.realpath(inputDir) : '';
      for (const rel of model.assets) {
        const target = nodePath.resolve(tmp, 'assets', rel);
        if (!target.startsWith(nodePath.resolve(tmp, 'assets') + nodePath.sep)) throw new GraftError('io/unsafe-path', `Asset path '${rel}' would leave assets/`, { file: rel });
        await fs.mkdir(nodePath.dirname(target));
        // Checked again just before copying: a link that now leads outside the model is refused.
        await fs.copyFile(await checkInsideModel(nodePath.join(inputDir, 'assets', rel), inputDir, root, fs), target);
      }
    },
    fs,
    { inputs: [inputDir], overwrite: opts.overwrite },
  );
  return { report: { ...result.report, output: outputDir }, savedModel: result.savedModel, graph: result.graph };
}
