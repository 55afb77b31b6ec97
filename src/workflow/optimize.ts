/**
 * `graft optimize`: the serving article's whole workflow in one call. Freeze the SavedModel's
 * `serve` meta graph, run the pipeline (by default the article's), convert back to a SavedModel,
 * verify the result against the original, optionally benchmark both, and report the numbers.
 *
 * What it keeps: every signature of the meta graph (not just `serving_default`, which is all that
 * freeze_graph + simple_save kept in the article), unless one is chosen with `signature` or the
 * outputs are named with `outputs`. Signatures whose tensors are not dense names (sparse inputs)
 * cannot be frozen and are dropped, with the reason in the report.
 *
 * What it proves: each kept signature is run on the original (unfrozen, with its checkpoint) and
 * on the result, on the same seeded inputs, and compared (`|b - a| <= atol + rtol * |a|`, rtol
 * 1e-4, atol 1e-5 by default). A difference fails the run (`verify/mismatch`) and nothing is
 * written. A signature the runtime cannot run (an op without a kernel, string inputs) is reported
 * as skipped, with the reason.
 *
 * Lossy pipelines: when a step's transform is declared `lossy` (quantize_weights, quantize_nodes,
 * round_weights), moving the outputs is the point, so the strict check would only ever fail.
 * Instead each signature is run on `agreementBatch` (256) seeded inputs and the report's `cost`
 * says what the pipeline saves and costs: size ratio, max and mean |diff| per output, top-1
 * agreement of class-score outputs (float, rank 2, last dimension > 1) with the original, and
 * latency before and after with `bench`. It fails (`verify/mismatch`, nothing written) only past
 * the thresholds the caller sets (`maxDiff`, `minAgreement`).
 *
 * Output is written atomically: a failed run (bad signature, missing output, incomplete
 * checkpoint, no `serve` meta graph, a mismatch) leaves no output directory behind.
 *
 * Two faces: `optimize(inDir, outDir)` on directories (optimize-files.ts, tf-graft/node), and `optimizeInMemory(files)` on a map of
 * relative paths to bytes (no file system), for build tools and browsers. Both read a `Source` and
 * run the stages of `optimize-stages.ts` (load, freeze, transform, convert back, verify, measure,
 * bench, report) on it; this file checks `optimizeInMemory`'s arguments, and
 * `optimize-in-memory.ts`, loaded with `import()` on the first call, reads the map and writes the
 * result's files.
 */
import { badArgument } from '../errors';
import { checkBytesArgument } from '../ir/check';
import type { OptimizeOptions, OptimizeResult } from './optimize-options';

export {
  ARTICLE_TRANSFORMS,
  DEFAULT_AGREEMENT_BATCH,
  DEFAULT_OPTIMIZE_TRANSFORMS,
  DEFAULT_VERIFY_BATCH,
  type OptimizeDirOptions,
  type OptimizeOptions,
  type OptimizeProgress,
  type OptimizeResult,
} from './optimize-options';

/** Map keys as relative POSIX paths: `./a\\b` → `a/b`. */
export function normalizeKey(key: string): string {
  return key.replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/^\/+/, '');
}

/**
 * The same as `optimize`, on bytes: `files` maps paths relative to the SavedModel directory
 * (`saved_model.pb`, `variables/variables.index`, `variables/variables.data-00000-of-00001`,
 * `assets/...`) to their contents. Nothing touches a file system. The result's `files` holds
 * `saved_model.pb`, the assets and, when a signature writes variables, the checkpoint keeping them
 * (`variables/variables.index`, `variables/variables.data-00000-of-00001`); otherwise the (empty)
 * `variables/` directory has no entry, since a map of files cannot hold an empty directory: whoever
 * writes the files out creates it.
 *
 * @example
 * ```ts
 * const { files: out, report } = await optimizeInMemory(new Map([
 *   ['saved_model.pb', pb], ['variables/variables.index', index], ['variables/variables.data-00000-of-00001', data],
 * ]));
 * emitFile('model/saved_model.pb', out.get('saved_model.pb')!);
 * ```
 */
export async function optimizeInMemory(files: ReadonlyMap<string, Uint8Array>, opts: OptimizeOptions = {}): Promise<OptimizeResult & { files: Map<string, Uint8Array> }> {
  if (!(files instanceof Map)) {
    throw badArgument('optimizeInMemory', 'files', 'a Map from paths inside the SavedModel (saved_model.pb, variables/variables.index, ...) to their bytes', files, 'new Map(Object.entries(obj)) turns a plain object into one.');
  }
  if (opts === null || typeof opts !== 'object') throw badArgument('optimizeInMemory', 'opts', 'an options object', opts);
  const byKey = new Map<string, Uint8Array>();
  for (const [k, v] of files) {
    if (typeof k !== 'string') throw badArgument('optimizeInMemory', 'files', 'keyed by path strings', k);
    checkBytesArgument('optimizeInMemory', `files.get('${k}')`, v);
    byKey.set(normalizeKey(k), v);
  }
  // The rest (reading the model, the stages: freezing, verifying, measuring) loads on first use:
  // it stays out of what the core loads on import (test/package/browser.test.ts).
  const { optimizeFiles } = await import('./optimize-in-memory');
  return optimizeFiles(byKey, opts);
}
