/**
 * graft in a Node app or a CI job: optimize a SavedModel the way the serving article does
 * (freeze, remove Identity nodes, merge duplicates, strip unused nodes, fold constants and batch
 * norms, convert back), with the proof: outputs compared with the original, latency measured.
 *
 * Run it: `npx tsx examples/optimize-in-node.ts [model-dir] [out-dir]`
 * (default: examples/model, which `npm start` writes, into a temporary directory).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type OptimizeReport, formatOptimizeReport } from 'tf-graft';
import { loadModel, optimize } from 'tf-graft/node';

/** Optimizes `modelDir` into `outDir` (a fresh temporary directory when not given) and returns the report. */
export async function main(
  modelDir = path.join(import.meta.dirname, 'model'),
  outDir?: string,
  bench: { batch: number; runs: number; warmup: number } = { batch: 100, runs: 20, warmup: 3 },
): Promise<{ report: OptimizeReport; text: string; outDir: string }> {
  const out = outDir ?? path.join(await mkdtemp(path.join(tmpdir(), 'graft-optimize-')), 'optimized');
  const { report } = await optimize(modelDir, out, {
    // The default pipeline is the article's; say it explicitly to show where it goes:
    // transforms: 'remove_nodes(op=Identity) merge_duplicate_nodes strip_unused_nodes fold_constants(ignore_errors=true) fold_batch_norms',
    bench,
    onProgress: (p) => process.stderr.write(`${p.message}\n`),
  });

  // The result is an ordinary SavedModel: graft (and TensorFlow Serving) load it as such.
  const reloaded = await loadModel(out);
  if (reloaded.kind !== 'saved-model') throw new Error('expected a SavedModel');
  if (report.verification?.status === 'fail') throw new Error('unreachable: optimize throws on a mismatch');
  return { report, text: formatOptimizeReport(report), outDir: out };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const { text, outDir } = await main(process.argv[2], process.argv[3]);
  console.log(text);
  if (!process.argv[3]) await rm(path.dirname(outDir), { recursive: true, force: true });
}
