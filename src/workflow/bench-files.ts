/** Benchmarking models on disk (tf-graft/node): loads them, then `bench` (bench.ts). */
import { loadRunnable } from '../verify/runnable';
import { type BenchModelsOptions, type BenchReport, bench, benchTarget } from './bench';

/**
 * Benchmarks the model at `path` (a SavedModel directory, `.meta` or GraphDef), or two models A/B.
 * Inputs are matched by signature key (or node name), so both models get the same values.
 *
 * @example
 * ```ts
 * const r = await benchModels('model/', 'optimized/', { batch: 100, runs: 50 });
 * console.log(formatBench(r));
 * ```
 */
export async function benchModels(path: string, vs?: string, opts: BenchModelsOptions = {}): Promise<BenchReport> {
  const load = (p: string) => loadRunnable(p, { ...(opts.signature !== undefined ? { signature: opts.signature } : {}), ...(opts.tagSet !== undefined ? { tagSet: opts.tagSet } : {}) });
  const targets = [await benchTarget(path, await load(path), opts.signature)];
  if (vs !== undefined) targets.push(await benchTarget(vs, await load(vs), opts.signature));
  return bench(targets, opts);
}
