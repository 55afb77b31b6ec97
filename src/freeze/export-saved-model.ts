/**
 * Writing a graph as a SavedModel directory (tf-graft/node): `toSavedModel` (to-saved-model.ts)
 * builds the proto in memory; this writes it, atomically, with its assets.
 */
import * as nodePath from 'node:path';
import { GraftError } from '../errors';
import type { Graph } from '../ir/graph';
import { type FileSystem, checkOutput, nodeFileSystem } from '../io/fs';
import { saveSavedModel } from '../io/model-files';
import { type ToSavedModelOptions, toSavedModel } from './to-saved-model';
import { checkGraphShallow, checkOptions, checkStringArgument } from '../ir/check';

export interface ExportSavedModelOptions extends ToSavedModelOptions {
  /** Copy these files (paths relative to `assetsFrom`) into `assets/`. */
  readonly assetsFrom?: string;
  /** The directory asset links must resolve inside (the source model's directory; default `assetsFrom`). */
  readonly assetsRoot?: string;
  readonly assets?: readonly string[];
  /** Replace an existing, non-empty export directory (TensorFlow's builder refuses one). */
  readonly overwrite?: boolean;
  /** Paths this export was made from: the export directory may not be, contain or lie inside one (`io/overlaps-input`). */
  readonly sources?: readonly (string | null | undefined)[];
  readonly format?: 'binary' | 'text';
  readonly fs?: FileSystem;
}

const VARIABLE_OPS = new Set(['Variable', 'VariableV2', 'VarHandleOp']);

/** Refuses asset paths that are absolute or climb out of `assets/`, before anything is written. */
function checkAssetPaths(assets: readonly string[]): void {
  for (const rel of assets) {
    const norm = nodePath.posix.normalize(rel.replace(/\\/g, '/'));
    if (rel === '' || nodePath.isAbsolute(rel) || nodePath.posix.isAbsolute(norm) || /^[A-Za-z]:/.test(rel) || norm === '..' || norm.startsWith('../') || norm === '.') {
      throw new GraftError('io/unsafe-path', `Asset path '${rel}' would leave the export directory's assets/`, { file: rel, hint: 'Asset paths are relative to assets/ and stay inside it.' });
    }
  }
}

/**
 * Converts `graph` back to a SavedModel and writes it to `exportDir`, atomically: the directory
 * appears complete or not at all. Like TensorFlow's `SavedModelBuilder`, an existing non-empty
 * export directory is refused (unless `overwrite`). The graph must hold no variables (freeze it
 * first): there is no checkpoint to write for them.
 *
 * @example
 * ```ts
 * await exportSavedModel(optimizedGraph, 'export/1', { outputs: ['softmax'] });
 * ```
 */
export async function exportSavedModel(graph: Graph, exportDir: string, opts: ExportSavedModelOptions = {}): Promise<void> {
  checkGraphShallow('exportSavedModel', 'graph', graph);
  checkStringArgument('exportSavedModel', 'exportDir', exportDir);
  checkOptions('exportSavedModel', 'opts', opts);
  const fs = opts.fs ?? nodeFileSystem;
  const variables = graph.nodes.filter((n) => VARIABLE_OPS.has(n.op));
  if (variables.length > 0) {
    throw new GraftError('freeze/unsupported', `The graph still has ${variables.length} variable(s) (${variables[0]!.name}, op ${variables[0]!.op}); converting back needs a frozen graph`, {
      node: variables[0]!.name,
      op: variables[0]!.op,
      hint: 'Freeze it first (graft freeze), or transform the SavedModel itself (graft transform), which keeps its checkpoint.',
    });
  }
  const assets = opts.assets ?? [];
  checkAssetPaths(assets);
  if (assets.length > 0 && opts.assetsFrom === undefined) throw new GraftError('io/not-found', 'Assets were named but no directory to copy them from (assetsFrom)');
  // Before any work: the export directory may not touch an input, and an existing one needs overwrite.
  const sources = [...(opts.sources ?? []), opts.assetsFrom];
  await checkOutput(exportDir, { inputs: sources, overwrite: opts.overwrite, kind: 'dir' }, fs);
  const savedModel = await toSavedModel(graph, opts);
  // simple_save leaves an empty variables/ directory for a graph without variables.
  await saveSavedModel(exportDir, savedModel, {
    emptyVariables: true,
    ...(opts.assetsFrom !== undefined ? { assetsFrom: opts.assetsFrom, assets } : {}),
    ...(opts.assetsRoot !== undefined ? { assetsRoot: opts.assetsRoot } : {}),
    ...(opts.format ? { format: opts.format } : {}),
    inputs: sources,
    overwrite: opts.overwrite,
    fs,
  });
}
