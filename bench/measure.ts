/**
 * Timing and memory for one benchmark case: warmup, then N timed runs, median and min.
 *
 * Memory: before each run the heap is collected (when `global.gc` is exposed) and
 * `process.memoryUsage()` is read; after the run, with its result still alive and before any
 * collection, it is read again, and a 5 ms sampler covers the time a run spends awaiting I/O.
 * The reported delta is the largest rise over the runs, so it counts what the run allocated and
 * kept plus garbage not yet collected: a lower bound on the true peak (a synchronous run's
 * high-water mark between samples is not seen).
 */
import { performance } from 'node:perf_hooks';

/** The largest rise of each `process.memoryUsage()` figure over the runs, in bytes. */
export interface MemoryDelta {
  readonly heapUsed: number;
  readonly rss: number;
  /** `external` (C++ memory tied to JS objects); it already includes `arrayBuffers` (Buffers). */
  readonly external: number;
}

export interface Measurement {
  readonly runs: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly memory: MemoryDelta;
  /** The last run's result, for the case's `check`. */
  readonly lastResult: unknown;
}

export interface MeasureOptions {
  /** Untimed runs first (JIT, caches); one slower than `budgetMs` counts as a timed run. */
  readonly warmup: number;
  /** A fixed run count; otherwise `budgetMs / warmup time`, clamped to [minRuns, maxRuns]. */
  readonly runs?: number;
  readonly budgetMs: number;
  readonly minRuns: number;
  readonly maxRuns: number;
}

export const DEFAULT_MEASURE_OPTIONS: MeasureOptions = { warmup: 1, budgetMs: 3000, minRuns: 3, maxRuns: 15 };

type GcFn = () => void;

/** `global.gc` when node runs with `--expose-gc`. */
export function exposedGc(): GcFn | undefined {
  const g = (globalThis as { gc?: unknown }).gc;
  return typeof g === 'function' ? (g as GcFn) : undefined;
}

function collect(): void {
  const gc = exposedGc();
  if (gc) {
    // Two passes: the first can leave objects with finalizers (WeakMap entries, Buffers) for the second.
    gc();
    gc();
  }
}

interface Usage {
  heapUsed: number;
  rss: number;
  external: number;
}

function usage(): Usage {
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, rss: m.rss, external: m.external };
}

function maxUsage(a: Usage, b: Usage): Usage {
  return { heapUsed: Math.max(a.heapUsed, b.heapUsed), rss: Math.max(a.rss, b.rss), external: Math.max(a.external, b.external) };
}

/** Runs `run` once, timed, with memory sampled around it. */
async function timedRun(run: () => unknown): Promise<{ ms: number; result: unknown; before: Usage; peak: Usage }> {
  collect();
  const before = usage();
  let peak = before;
  const sampler = setInterval(() => {
    peak = maxUsage(peak, usage());
  }, 5);
  try {
    const t0 = performance.now();
    let result = run();
    if (result instanceof Promise) result = await result;
    const ms = performance.now() - t0;
    // Sampled while `result` is still referenced.
    peak = maxUsage(peak, usage());
    return { ms, result, before, peak };
  } finally {
    clearInterval(sampler);
  }
}

function median(sorted: readonly number[]): number {
  const n = sorted.length;
  return n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
}

/** Measures `run`: warmup, then timed runs; median, min and memory deltas. */
export async function measure(run: () => unknown, options: MeasureOptions = DEFAULT_MEASURE_OPTIONS): Promise<Measurement> {
  const times: number[] = [];
  let delta: MemoryDelta = { heapUsed: 0, rss: 0, external: 0 };
  let lastResult: unknown;
  const record = (r: Awaited<ReturnType<typeof timedRun>>): void => {
    times.push(r.ms);
    lastResult = r.result;
    delta = {
      heapUsed: Math.max(delta.heapUsed, r.peak.heapUsed - r.before.heapUsed),
      rss: Math.max(delta.rss, r.peak.rss - r.before.rss),
      external: Math.max(delta.external, r.peak.external - r.before.external),
    };
  };
  let warmupMs = 0;
  for (let i = 0; i < options.warmup; i++) {
    lastResult = undefined;
    const w = await timedRun(run);
    warmupMs = w.ms;
    // A run longer than the whole budget is dominated by its work, not by compilation: keep it
    // as a sample instead of paying for it again (keeps the suite within a couple of minutes).
    if (options.runs === undefined && w.ms > options.budgetMs) record(w);
    else lastResult = undefined;
  }
  const planned = options.runs ?? Math.min(options.maxRuns, Math.max(options.minRuns, Math.floor(options.budgetMs / Math.max(warmupMs, 0.001))));
  const started = performance.now();
  // The GC before each run can cost more than the run itself on a big heap; stop adding runs
  // once the case has used twice its budget (a fixed `runs` is always honoured).
  const overBudget = (): boolean => options.runs === undefined && times.length >= options.minRuns && performance.now() - started > 2 * options.budgetMs;
  while (times.length < planned && !overBudget()) {
    lastResult = undefined; // let the previous result go before the next baseline is taken
    record(await timedRun(run));
  }
  const runs = times.length;
  times.sort((a, b) => a - b);
  return { runs, medianMs: median(times), minMs: times[0]!, maxMs: times[times.length - 1]!, memory: delta, lastResult };
}
