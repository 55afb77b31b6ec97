/**
 * `optimize` on files (tf-graft/node): loads the model at a path (a SavedModel directory, a
 * GraphDef `.pb`/`.pbtxt`, or a MetaGraphDef `.meta` with its checkpoint), runs the stages of
 * optimize-stages.ts on it (as `optimizeInMemory` does on bytes) and writes the result atomically.
 */
import * as nodePath from 'node:path';
import { GraftError, badArgument } from '../errors';
import { checkStringArgument } from '../ir/check';
import { type FileSystem, type OutputOptions, checkOutput, nodeFileSystem, writeDirAtomic, writeFileAtomic, writeFilesAtomic } from '../io/fs';
import type { LoadedModel } from '../io/loaded-model';
import { checkInsideModel, loadModel, modelInputPaths, readModelVariables } from '../io/model-files';
import type { MetaGraph } from '../io/saved-model';
import type { OptimizeDirOptions, OptimizeResult } from './optimize-options';
import { type Source, type StagesResult, runStages } from './optimize-stages';

/**
 * Optimizes the model at `inputPath` (a SavedModel directory, a GraphDef `.pb`/`.pbtxt`, or a
 * MetaGraphDef `.meta` with its checkpoint beside it) into `outputPath`, verified against the
 * original. It writes the kind it read unless `outputFormat` says otherwise: a SavedModel
 * directory (frozen: no variables, except those a signature writes, kept in `variables/`), a
 * GraphDef file (binary or text as read, or as the output's name says), and for a `.meta` with
 * its checkpoint a `.meta` when `outputPath` is named `.meta` (a MetaGraphDef of the frozen graph
 * with a `serving_default` signature; variables a signature writes stay variables, restored by
 * its saver from a checkpoint written beside it: `x.meta` gets `x.index` and
 * `x.data-00000-of-00001`), else a frozen GraphDef. `outputFormat: 'metagraph'` needs an
 * `outputPath` named `.meta` (`optimize/bad-option`). A GraphDef or
 * MetaGraphDef is kept by its outputs (`outputs`, else inferred) and inputs (`inputNodes`, else
 * its Placeholders). The output appears complete or not at all.
 *
 * @throws GraftError `model/unknown-tag-set` (no `serve` meta graph), `model/unknown-signature`,
 *   `freeze/missing-output` (an output that is not a node, with near names, or none inferred),
 *   `runtime/missing-variable` (a variable the checkpoint lacks), `io/missing-variables` (a
 *   graph with variables and no checkpoint), `verify/mismatch`, `optimize/bad-option`,
 *   `optimize/bad-input`, `io/overlaps-input` (the output is, contains or lies inside the
 *   input), `io/exists` (an existing output, unless `overwrite`), `io/locked` (another graft
 *   writes the same output), `model/asset-outside` (an asset linking outside the model).
 * @example
 * ```ts
 * const { report } = await optimize('models/mnist/1', 'models/mnist-opt/1', { bench: { batch: 100 } });
 * console.log(formatOptimizeReport(report));
 * await optimize('frozen.pb', 'frozen-opt.pb', { inputs: ['x=x.npy'] }); // a GraphDef in, a GraphDef out
 * await optimize('model.ckpt.meta', 'opt.meta', { outputs: ['pred'] }); // a MetaGraphDef in, a MetaGraphDef out
 * ```
 */
export async function optimize(inputPath: string, outputPath: string, opts: OptimizeDirOptions = {}): Promise<OptimizeResult> {
  checkStringArgument('optimize', 'inputPath', inputPath);
  checkStringArgument('optimize', 'outputPath', outputPath);
  if (opts === null || typeof opts !== 'object') throw badArgument('optimize', 'opts', 'an options object', opts);
  const fs = opts.fs ?? nodeFileSystem;
  const inputs = await modelInputPaths(inputPath, fs);
  const kind = await sourceKind(inputPath, fs);
  // A MetaGraphDef is read back (by graft, by TensorFlow's Saver layout) by its .meta name: a .meta
  // gives a .meta when OUT is named so, else a frozen GraphDef, as the name (.pb, .pbtxt) says.
  const metaName = /\.meta$/i.test(outputPath);
  const outputFormat = opts.outputFormat ?? (kind === 'saved-model' ? 'savedmodel' : kind === 'meta-graph' && metaName ? 'metagraph' : 'graphdef');
  if (outputFormat === 'metagraph' && !metaName) {
    throw new GraftError('optimize/bad-option', `A MetaGraphDef output is named <name>.meta (its checkpoint is <name>.index and <name>.data-*), not ${nodePath.basename(outputPath)}: graft and TensorFlow's Saver find it by that name`, {
      param: 'outputFormat',
      file: outputPath,
      hint: 'Name the output x.meta, or write a GraphDef (--output_format graphdef) or a SavedModel.',
    });
  }
  const outputText = opts.outputText ?? (/\.(pbtxt|txt)$/i.test(outputPath) ? true : /\.pb$/i.test(outputPath) ? false : undefined);
  // Before any work: the output may not touch the input, and an existing one needs overwrite.
  await checkOutput(outputPath, { inputs, overwrite: opts.overwrite, kind: outputFormat === 'savedmodel' ? 'dir' : 'file' }, fs);
  opts.onProgress?.({ stage: 'load', message: `loading ${inputPath}` });
  const model = await loadModel(inputPath, { fs });
  const result = await runStages(modelSource(model, inputPath, fs), { ...opts, fs, outputFormat, ...(outputText !== undefined ? { outputText } : {}) });
  opts.onProgress?.({ stage: 'write', message: `writing ${outputPath}` });
  if (outputFormat === 'graphdef') await writeFileAtomic(outputPath, result.chunks, fs, { inputs, overwrite: opts.overwrite });
  else if (outputFormat === 'metagraph') await writeMetaGraphFiles(outputPath, result, { inputs, overwrite: opts.overwrite }, fs);
  else await writeSavedModelDir(outputPath, result, model, inputPath, { inputs, overwrite: opts.overwrite }, fs);
  return { report: { ...result.report, output: outputPath }, savedModel: result.savedModel, graph: result.graph };
}

/** What `path` holds, from its name and kind alone (before any reading): what the output rules need. */
async function sourceKind(path: string, fs: FileSystem): Promise<Source['kind']> {
  const base = nodePath.basename(path);
  if ((await fs.kind(path)) === 'dir' || base === 'saved_model.pb' || base === 'saved_model.pbtxt') return 'saved-model';
  return /\.meta$/i.test(path) ? 'meta-graph' : 'graph-def';
}

/** A loaded model as the stages read it. */
export function modelSource(model: LoadedModel, path: string, fs: FileSystem = nodeFileSystem): Source {
  const readCheckpoint = () => readModelVariables(model);
  const noAssets = async () => undefined;
  if (model.kind === 'graph-def') {
    const mg: MetaGraph = { tags: [], graph: model.graph, signatures: {}, proto: {} };
    return {
      kind: 'graph-def',
      label: path,
      savedModel: { schemaVersion: 1, metaGraphs: [mg] },
      modelFile: path,
      format: model.format,
      graphBytes: model.fileBytes,
      variableBytes: 0,
      variablesState: 'missing',
      readCheckpoint,
      readAsset: noAssets,
    };
  }
  const common = {
    label: path,
    format: model.format,
    graphBytes: model.fileBytes,
    variableBytes: model.variables.bytes,
    variablesState: model.variables.state,
    readCheckpoint,
  };
  if (model.kind === 'meta-graph') {
    return {
      ...common,
      kind: 'meta-graph',
      savedModel: { schemaVersion: 1, metaGraphs: [model.metaGraph] },
      modelFile: path,
      ...(model.variables.prefix ? { checkpointFile: `${model.variables.prefix}.index` } : {}),
      readAsset: noAssets,
    };
  }
  return {
    ...common,
    kind: 'saved-model',
    savedModel: model.savedModel,
    modelFile: model.modelFile,
    readAsset: async (name) => {
      const p = nodePath.join(path, 'assets', name);
      return (await fs.kind(p)) === 'file' ? fs.readFile(p) : undefined;
    },
  };
}

/**
 * A `.meta` and, when variables stay, its checkpoint beside it as TensorFlow's `Saver` names one
 * (`x.meta`, `x.index`, `x.data-00000-of-00001`): the checkpoint first, so the `.meta` that
 * restores from it never appears without it.
 */
async function writeMetaGraphFiles(metaPath: string, result: StagesResult, rules: OutputOptions, fs: FileSystem): Promise<void> {
  const prefix = metaPath.replace(/\.meta$/i, '');
  // addSaver names them variables/variables.index and variables/variables.data-*.
  const files: [string, readonly Uint8Array[]][] = [...result.variableFiles].map(([rel, bytes]) => [prefix + rel.slice('variables/variables'.length), [bytes]]);
  // One group: every file checked before any is written, renamed in only when all are written,
  // as TensorFlow's Saver orders them: the data, the index, then the .meta.
  files.sort((a, b) => Number(a[0].endsWith('.index')) - Number(b[0].endsWith('.index')));
  await writeFilesAtomic([...files, [metaPath, result.chunks]], fs, rules);
}

/** The SavedModel directory: `saved_model.pb`, `variables/` (empty, or the variables a signature writes), and the original's assets. */
async function writeSavedModelDir(dir: string, result: StagesResult, model: LoadedModel, inputPath: string, rules: OutputOptions, fs: FileSystem): Promise<void> {
  const assets = model.kind === 'saved-model' ? model.assets : [];
  const modelDir = model.kind === 'saved-model' ? model.path : inputPath;
  await writeDirAtomic(
    dir,
    async (tmp) => {
      await fs.writeFile(nodePath.join(tmp, 'saved_model.pb'), result.chunks);
      // simple_save leaves an empty variables/ for a graph without variables; variables a
      // signature writes are kept, in a checkpoint there.
      await fs.mkdir(nodePath.join(tmp, 'variables'));
      for (const [rel, bytes] of result.variableFiles) await fs.writeFile(nodePath.join(tmp, rel), [bytes]);
      const root = assets.length > 0 ? await fs.realpath(modelDir) : '';
      for (const rel of assets) {
        const target = nodePath.resolve(tmp, 'assets', rel);
        if (!target.startsWith(nodePath.resolve(tmp, 'assets') + nodePath.sep)) throw new GraftError('io/unsafe-path', `Asset path '${rel}' would leave assets/`, { file: rel });
        await fs.mkdir(nodePath.dirname(target));
        // Checked again just before copying: a link that now leads outside the model is refused.
        await fs.copyFile(await checkInsideModel(nodePath.join(modelDir, 'assets', rel), modelDir, root, fs), target);
      }
    },
    fs,
    rules,
  );
}
