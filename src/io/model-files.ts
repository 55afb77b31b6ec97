/**
 * Models on disk: finding out what a path holds (GraphDef `.pb`/`.pbtxt`, MetaGraphDef `.meta`,
 * SavedModel directory), loading it, and writing graphs and SavedModels back atomically.
 */
import * as nodePath from 'node:path';
import { GraftError, badArgument, isGraftError } from '../errors';
import type { Graph } from '../ir/graph';
import { readCheckpointFiles } from './checkpoint/bundle-files';
import type { Checkpoint } from './checkpoint';
import type { LoadedModel, VariablesInfo } from './loaded-model';

export { mainGraph, type LoadedModel, type VariablesInfo } from './loaded-model';
import { type FileSystem, type OutputOptions, isWithin, nodeFileSystem, writeDirAtomic, writeFileAtomic } from './fs';
import { encodeGraphDefChunks, printGraphDefText, readGraphDefBytes } from './graphdef';
import { GRAFT_READS, foreignDirectory, foreignFormat } from './sniff';
import { type SavedModelProto, decodeMetaGraph, decodeSavedModel, encodeSavedModelChunks, parseMetaGraphText, parseSavedModelText, printSavedModelText } from './saved-model';
import { checkLoadedModel, checkOptions, checkSavedModel, checkStringArgument } from '../ir/check';

export interface LoadOptions {
  readonly fs?: FileSystem;
}

async function withFile<T>(file: string, f: () => T | Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (isGraftError(e)) throw e.inFile(file);
    throw new GraftError('io/corrupt', `${file}: ${(e as Error).message}`, { file, cause: e });
  }
}

/**
 * Loads whatever `path` holds: a SavedModel directory, a `.meta`, or a GraphDef (binary or text).
 *
 * @example
 * ```ts
 * const m = await loadModel('model/');
 * if (m.kind === 'saved-model') console.log(Object.keys(m.savedModel.metaGraphs[0].signatures));
 * ```
 */
export async function loadModel(path: string, opts: LoadOptions = {}): Promise<LoadedModel> {
  checkStringArgument('loadModel', 'path', path);
  if (opts === null || typeof opts !== 'object') throw badArgument('loadModel', 'opts', 'an options object', opts);
  const fs = opts.fs ?? nodeFileSystem;
  const kind = await fs.kind(path);
  if (kind === null) {
    if ((await fs.kind(`${path}.index`)) === 'file') {
      const meta = (await fs.kind(`${path}.meta`)) === 'file' ? `; its graph is ${path}.meta: give that` : '; no .meta graph is beside it';
      throw new GraftError('io/wrong-format', `${path} is a checkpoint prefix (${path}.index and its data files hold weights, not a graph)${meta}`, { file: path });
    }
    throw new GraftError('io/not-found', `${path}: no such file or directory`, { file: path });
  }
  if (kind === 'dir') return loadSavedModelDir(path, fs);
  const base = nodePath.basename(path);
  if (base === 'saved_model.pb' || base === 'saved_model.pbtxt') return loadSavedModelDir(nodePath.dirname(path), fs);
  const bytes = await fs.readFile(path);
  if (bytes.length === 0) throw new GraftError('io/truncated', `${path} is empty (0 bytes): there is no graph in it`, { file: path });
  const foreign = foreignFormat(bytes, path);
  if (foreign) throw new GraftError('io/wrong-format', `${path} is ${foreign}; ${GRAFT_READS}`, { file: path });
  if (/\.meta$/i.test(path)) {
    const text = looksLikeText(bytes);
    const metaGraph = await withFile(path, () =>
      text ? parseMetaGraphText(new TextDecoder().decode(bytes), path) : decodeMetaGraph(bytes, path),
    );
    const prefix = path.replace(/\.meta$/i, '');
    return { kind: 'meta-graph', path, format: text ? 'text' : 'binary', metaGraph, fileBytes: bytes.length, variables: await variablesAt(prefix, fs) };
  }
  const graph = await withFile(path, () => readGraphDefBytes(bytes, path));
  if (graph.nodes.length === 0 && graph.library.functions.length === 0) {
    throw new GraftError('io/unknown-format', `${path} decodes as a GraphDef with no nodes and no functions: it is probably not a GraphDef; ${GRAFT_READS}`, { file: path });
  }
  const format = /\.(pbtxt|txt|prototxt)$/i.test(path) || looksLikeText(bytes) ? 'text' : 'binary';
  return { kind: 'graph-def', path, format, graph, fileBytes: bytes.length };
}

function looksLikeText(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 256);
  if (n === 0) return false;
  for (let i = 0; i < n; i++) {
    const c = bytes[i]!;
    if (c < 9 || (c > 13 && c < 32) || c > 126) return false;
  }
  return true;
}

async function loadSavedModelDir(dir: string, fs: FileSystem): Promise<LoadedModel> {
  const pb = nodePath.join(dir, 'saved_model.pb');
  const pbtxt = nodePath.join(dir, 'saved_model.pbtxt');
  let modelFile: string;
  let format: 'binary' | 'text';
  if ((await fs.kind(pb)) === 'file') [modelFile, format] = [pb, 'binary'];
  else if ((await fs.kind(pbtxt)) === 'file') [modelFile, format] = [pbtxt, 'text'];
  else {
    const entries = await fs.readdir(dir).catch(() => [] as string[]);
    const foreign = foreignDirectory(entries);
    if (foreign) throw new GraftError('io/wrong-format', `${dir} is ${foreign}; ${GRAFT_READS}`, { file: dir });
    throw new GraftError('io/not-saved-model', `${dir} is not a SavedModel: it has no saved_model.pb or saved_model.pbtxt (found: ${entries.slice(0, 6).join(', ') || 'nothing'})`, {
      file: dir,
    });
  }
  const bytes = await fs.readFile(modelFile);
  const savedModel = await withFile(modelFile, () =>
    format === 'binary' ? decodeSavedModel(bytes, modelFile) : parseSavedModelText(new TextDecoder().decode(bytes), modelFile),
  );
  if (savedModel.metaGraphs.length === 0) {
    throw new GraftError('io/corrupt', `${modelFile} holds no meta graphs`, { file: modelFile });
  }
  const root = await fs.realpath(dir);
  const variables = await variablesAt(nodePath.join(dir, 'variables', 'variables'), fs, { dir, root });
  const assets = await listAssets(dir, root, fs);
  return { kind: 'saved-model', path: dir, modelFile, format, savedModel, fileBytes: bytes.length, variables, assets };
}

/** Most files graft lists under a model's assets/ (a guard against link fan-out). */
const MAX_ASSETS = 100_000;

/**
 * Refuses `path` (inside the SavedModel `dir`) when it resolves, through symbolic links, outside
 * the model directory (`root`, its real path): graft never reads or copies such a file.
 */
export async function checkInsideModel(path: string, dir: string, root: string, fs: FileSystem = nodeFileSystem): Promise<string> {
  const real = await fs.realpath(path);
  if (!isWithin(real, root)) {
    throw new GraftError('model/asset-outside', `${path} resolves to ${real}, outside the SavedModel directory ${dir}: graft does not read or copy files from outside a model`, {
      file: path,
      hint: 'A SavedModel must hold its assets and variables itself; replace the link with a copy of the file if it is meant to be part of the model.',
    });
  }
  return real;
}

/**
 * Files under `dir/assets/`, relative to it: an iterative walk that follows links only inside the
 * model (`model/asset-outside` otherwise) and stops at a link back to a directory it is in
 * (`io/symlink-loop`).
 */
async function listAssets(dir: string, root: string, fs: FileSystem): Promise<string[]> {
  const assetsDir = nodePath.join(dir, 'assets');
  if ((await fs.kind(assetsDir)) !== 'dir') return [];
  const realAssets = await checkInsideModel(assetsDir, dir, root, fs);
  const out: string[] = [];
  // Each pending directory carries the real paths of the directories above it, to see loops.
  const stack: Array<{ path: string; rel: string; ancestors: readonly string[] }> = [{ path: assetsDir, rel: '', ancestors: [realAssets] }];
  while (stack.length > 0) {
    const { path, rel, ancestors } = stack.pop()!;
    const names = await fs.readdir(path);
    for (let i = names.length - 1; i >= 0; i--) {
      const name = names[i]!;
      const full = nodePath.join(path, name);
      const real = await checkInsideModel(full, dir, root, fs);
      if ((await fs.kind(full)) === 'dir') {
        if (ancestors.includes(real)) {
          throw new GraftError('io/symlink-loop', `${full} is a link back to ${real}, a directory it is in: the assets directory loops`, {
            file: full,
            hint: 'Remove the looping link from assets/.',
          });
        }
        stack.push({ path: full, rel: `${rel}${name}/`, ancestors: [...ancestors, real] });
      } else {
        out.push(`${rel}${name}`);
        if (out.length > MAX_ASSETS) throw new GraftError('io/unsupported', `${assetsDir} holds more than ${MAX_ASSETS} files`, { file: assetsDir });
      }
    }
  }
  return out.sort();
}

async function variablesAt(prefix: string, fs: FileSystem, model?: { dir: string; root: string }): Promise<VariablesInfo> {
  const index = `${prefix}.index`;
  if ((await fs.kind(index)) !== 'file') return { prefix: null, state: 'missing', bytes: 0 };
  if (model) await checkInsideModel(index, model.dir, model.root, fs);
  let bytes = await fs.size(index);
  const dir = nodePath.dirname(prefix);
  const stem = nodePath.basename(prefix);
  let data = 0;
  for (const name of await fs.readdir(dir)) {
    if (name.startsWith(`${stem}.data-`)) {
      if (model) await checkInsideModel(nodePath.join(dir, name), model.dir, model.root, fs);
      bytes += await fs.size(nodePath.join(dir, name));
      data++;
    }
  }
  return { prefix, state: data > 0 ? 'present' : 'index-only', bytes };
}

/** The files of the checkpoint at `prefix` (`<prefix>.index`, `<prefix>.data-*`) that exist. */
export async function checkpointFiles(prefix: string, fs: FileSystem = nodeFileSystem): Promise<string[]> {
  const dir = nodePath.dirname(prefix);
  const stem = nodePath.basename(prefix);
  if ((await fs.kind(dir)) !== 'dir') return [];
  return (await fs.readdir(dir)).filter((n) => n === `${stem}.index` || n.startsWith(`${stem}.data-`)).map((n) => nodePath.join(dir, n));
}

/**
 * Every path that reading the model at `path` touches, for the output rules: the path itself, a
 * SavedModel's directory when given its `saved_model.pb`, a `.meta`'s checkpoint files.
 */
export async function modelInputPaths(path: string, fs: FileSystem = nodeFileSystem): Promise<string[]> {
  const out = [path];
  const base = nodePath.basename(path);
  if (base === 'saved_model.pb' || base === 'saved_model.pbtxt') out.push(nodePath.dirname(path));
  if (/\.meta$/i.test(path)) out.push(...(await checkpointFiles(path.replace(/\.meta$/i, ''), fs)));
  return out;
}

/**
 * Reads a loaded model's checkpoint, verifying every checksum. Throws `io/missing-variables`
 * when the model has no checkpoint beside it.
 */
export async function readModelVariables(model: LoadedModel): Promise<Checkpoint> {
  checkLoadedModel('readModelVariables', 'model', model);
  if (model.kind === 'graph-def') {
    throw new GraftError('io/missing-variables', `${model.path} is a GraphDef: it has no variables checkpoint`, { file: model.path });
  }
  if (!model.variables.prefix) {
    const where = model.kind === 'saved-model' ? nodePath.join(model.path, 'variables') : `${model.path.replace(/\.meta$/i, '')}.index`;
    throw new GraftError('io/missing-variables', `${where} is missing: the model's variables cannot be read`, {
      file: where,
      hint: 'A SavedModel keeps its weights in variables/variables.index and variables.data-*; copy the whole directory.',
    });
  }
  return readCheckpointFiles(model.variables.prefix);
}

// ---------------------------------------------------------------- writing

export interface SaveGraphOptions extends OutputOptions {
  readonly format?: 'binary' | 'text';
  readonly fs?: FileSystem;
}

/**
 * Writes a graph as binary GraphDef, or text for `.pbtxt`/`.txt` names (or `format: 'text'`),
 * atomically and under the output rules: an existing file is replaced only with `overwrite`
 * (`io/exists`), and never one of `inputs` (`io/overlaps-input`).
 */
export async function saveGraph(graph: Graph, path: string, opts: SaveGraphOptions = {}): Promise<void> {
  const text = opts.format ? opts.format === 'text' : /\.(pbtxt|txt)$/i.test(path);
  const chunks = text ? [new TextEncoder().encode(printGraphDefText(graph))] : encodeGraphDefChunks(graph);
  await writeFileAtomic(path, chunks, opts.fs, { inputs: opts.inputs, overwrite: opts.overwrite });
}

export interface SaveSavedModelOptions extends OutputOptions {
  readonly format?: 'binary' | 'text';
  /** Copy the checkpoint files at this prefix into `variables/`. */
  readonly variablesFrom?: string | null;
  /** Copy these files (relative to `assetsFrom/`) into `assets/`. */
  readonly assetsFrom?: string;
  readonly assets?: readonly string[];
  /** The directory asset links must resolve inside (the model directory; default `assetsFrom`). */
  readonly assetsRoot?: string;
  /** Create an empty `variables/` when there is no checkpoint to copy (as simple_save does for a graph without variables). */
  readonly emptyVariables?: boolean;
  readonly fs?: FileSystem;
}

/**
 * Writes a SavedModel directory atomically (the whole directory appears at once, or nothing),
 * under the output rules: an existing non-empty directory is replaced only with `overwrite`
 * (`io/exists`); the directory may not be, contain or lie inside one of `inputs`, the checkpoint
 * or the assets' model (`io/overlaps-input`). Assets that resolve outside the directory holding
 * `assetsRoot` (default `assetsFrom`) are refused (`model/asset-outside`).
 */
export async function saveSavedModel(dir: string, savedModel: SavedModelProto, opts: SaveSavedModelOptions = {}): Promise<void> {
  checkStringArgument('saveSavedModel', 'dir', dir);
  checkSavedModel('saveSavedModel', 'savedModel', savedModel);
  checkOptions('saveSavedModel', 'opts', opts);
  const fs = opts.fs ?? nodeFileSystem;
  const modelDir = opts.assetsRoot ?? opts.assetsFrom;
  const inputs = [...(opts.inputs ?? []), opts.variablesFrom ? nodePath.dirname(opts.variablesFrom) : undefined, opts.assetsFrom];
  const root = modelDir !== undefined && opts.assets?.length ? await fs.realpath(modelDir) : undefined;
  await writeDirAtomic(
    dir,
    async (tmp) => {
      if (opts.format === 'text') {
        await fs.writeFile(nodePath.join(tmp, 'saved_model.pbtxt'), [new TextEncoder().encode(printSavedModelText(savedModel))]);
      } else {
        await fs.writeFile(nodePath.join(tmp, 'saved_model.pb'), encodeSavedModelChunks(savedModel));
      }
      if (opts.variablesFrom) {
        const srcDir = nodePath.dirname(opts.variablesFrom);
        const stem = nodePath.basename(opts.variablesFrom);
        await fs.mkdir(nodePath.join(tmp, 'variables'));
        for (const name of await fs.readdir(srcDir)) {
          if (name === `${stem}.index` || name.startsWith(`${stem}.data-`)) {
            await fs.copyFile(nodePath.join(srcDir, name), nodePath.join(tmp, 'variables', name.replace(stem, 'variables')));
          }
        }
      } else if (opts.emptyVariables) {
        await fs.mkdir(nodePath.join(tmp, 'variables'));
      }
      if (opts.assetsFrom && opts.assets?.length) {
        for (const rel of opts.assets) {
          const target = nodePath.resolve(tmp, 'assets', rel);
          if (!target.startsWith(nodePath.resolve(tmp, 'assets') + nodePath.sep)) {
            throw new GraftError('io/unsafe-path', `Asset path '${rel}' would leave the assets directory`, { file: rel });
          }
          await fs.mkdir(nodePath.dirname(target));
          // Checked again here, just before copying: the link may have changed since loading.
          const from = await checkInsideModel(nodePath.join(opts.assetsFrom, rel), modelDir!, root!, fs);
          await fs.copyFile(from, target);
        }
      }
    },
    fs,
    { inputs, overwrite: opts.overwrite },
  );
}
