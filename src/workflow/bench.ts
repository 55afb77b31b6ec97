/**
 * Benchmarking models the way the serving article meant to, done properly:
 *
 * - fixed inputs: generated once from a seed (the same values for every run and for both models,
 *   keyed by the input's signature key or node name), at a stated batch size;
 * - warm-up runs first (tfjs compiles kernels and uploads weights on the first runs), not timed;
 * - A/B runs interleaved, alternating which model goes first in each round, so drift in the
 *   machine (thermal throttling, a background job, GC pressure) lands on both models alike;
 * - the median and the spread (p10, p90, median absolute deviation) rather than an average that
 *   one slow run moves;
 * - one prepared session per model (weights converted once), as a server keeps its model loaded.
 *
 * The article timed TF Serving over REST (batch 100, 1000 requests, average). graft times the
 * graph itself in-process: what the optimization changes, without HTTP noise around it.
 *
 * The runtime (tfjs) is loaded only when a benchmark runs.
 */
import { type DType, baseDType } from '../ir/dtype';
import type { Graph } from '../ir/graph';
import { parseInput } from '../ir/node';
import type { Tensor } from '../ir/tensor';
import type { Backend } from '../runtime/index';
import { summarizeModel } from '../inspect/summarize';
import type { RunnableModel } from '../verify/runnable';
import { checkArray, checkFields, checkString } from '../ir/check';

/** Default batch size: the article's. */
export const DEFAULT_BENCH_BATCH = 100;
/** Default timed runs per model. */
export const DEFAULT_BENCH_RUNS = 30;
/** Default warm-up runs per model. */
export const DEFAULT_BENCH_WARMUP = 3;

export interface BenchOptions {
  /** Size of unknown (-1) dimensions of the inputs. Default 100 (the article's). */
  readonly batch?: number;
  /** Timed runs per model. Default 30. */
  readonly runs?: number;
  /** Untimed warm-up runs per model. Default 3. */
  readonly warmup?: number;
  /** Default 'wasm' (falls back to 'cpu' when wasm cannot start). */
  readonly backend?: Backend;
  /** Seed of the generated inputs. Default 1. */
  readonly seed?: number;
  /** Called after each timed round (for progress lines). */
  readonly onRound?: (round: number, runs: number) => void;
}

/** An input of a benchmarked model: the tensor to feed, and the name its values are generated under. */
export interface BenchInput {
  /** Tensor name in the graph (`x:0`, `x`). */
  readonly tensor: string;
  /** Stream name for the generated values; models sharing keys get the same values. Default: the node name. */
  readonly key?: string;
  /** Default: the placeholder's dtype, else float. */
  readonly dtype?: DType;
  /** Dimensions with -1 for the batch; null for unknown rank. Default: the placeholder's shape. */
  readonly shape?: readonly number[] | null;
}

/** A model to benchmark: a graph, what to feed, what to fetch. */
export interface BenchTarget {
  readonly label: string;
  readonly graph: Graph;
  readonly inputs: readonly BenchInput[];
  readonly outputs: readonly string[];
  /** Variable values, for a graph that still has variables. */
  readonly variables?: ReadonlyMap<string, Tensor>;
}

/** Latency statistics of one model, in milliseconds per run (per batch). */
export interface LatencyStats {
  readonly label: string;
  readonly runs: number;
  readonly median: number;
  readonly p10: number;
  readonly p90: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  /** Median absolute deviation from the median: the spread, robust to outliers. */
  readonly mad: number;
  /** Every timed run, in order. */
  readonly samples: readonly number[];
}

/** The result of `bench`: plain data, JSON-serialisable. */
export interface BenchReport {
  readonly batch: number;
  readonly runs: number;
  readonly warmup: number;
  readonly seed: number;
  /** The backend tfjs ran on. */
  readonly backend: Backend;
  /** The concrete shapes fed, per model. */
  readonly feeds: readonly { readonly label: string; readonly inputs: readonly { readonly tensor: string; readonly dtype: string; readonly shape: readonly number[] }[] }[];
  readonly models: readonly LatencyStats[];
  /**
   * With two models: median of the first / median of the second (> 1: the second is faster).
   * Undefined with one model.
   */
  readonly speedup?: number;
}

/** The q-quantile (0..1) of sorted values, linearly interpolated (numpy's default). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Median, p10, p90, min, max, mean and MAD of the samples. */
export function latencyStats(label: string, samples: readonly number[]): LatencyStats {
  checkString('latencyStats', 'label', label);
  checkArray('latencyStats', 'samples', samples, 'an array of milliseconds');
  const sorted = [...samples].sort((a, b) => a - b);
  const median = quantile(sorted, 0.5);
  const deviations = sorted.map((s) => Math.abs(s - median)).sort((a, b) => a - b);
  return {
    label,
    runs: samples.length,
    median,
    p10: quantile(sorted, 0.1),
    p90: quantile(sorted, 0.9),
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
    mean: samples.reduce((s, x) => s + x, 0) / (samples.length || 1),
    mad: quantile(deviations, 0.5),
    samples: [...samples],
  };
}

/**
 * Benchmarks one model, or two (A/B) on the same inputs, interleaved.
 *
 * @throws GraftError `runtime/unsupported-op` when a model needs an op without a kernel (checked
 *   on the first warm-up run, before any timing), `api/bad-argument` (with `param`) for bad counts.
 * @example
 * ```ts
 * const r = await bench([
 *   { label: 'original', graph: a, inputs: [{ tensor: 'x:0' }], outputs: ['y:0'], variables },
 *   { label: 'optimized', graph: b, inputs: [{ tensor: 'x:0' }], outputs: ['y:0'] },
 * ], { batch: 100, runs: 50 });
 * console.log(formatBench(r)); // speedup = median A / median B
 * ```
 */
export async function bench(targets: readonly BenchTarget[], opts: BenchOptions = {}): Promise<BenchReport> {
  // The run loads on first use: it stays out of what the core loads on import
  // (test/package/browser.test.ts).
  const { runBench } = await import('./bench-run');
  return runBench(targets, opts);
}

/** Milliseconds in a short form: 0.412 ms, 12.3 ms, 1,234 ms. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  if (ms < 1) return `${ms.toFixed(3)} ms`;
  if (ms < 100) return `${ms.toFixed(2)} ms`;
  return `${Math.round(ms).toLocaleString('en-US')} ms`;
}

/**
 * The benchmark as a table, one row per model, and the speedup.
 *
 * @example
 * ```text
 * model      median    p10       p90       MAD       runs
 * original   12.40 ms  12.10 ms  13.02 ms  0.210 ms  30
 * optimized  10.31 ms  10.02 ms  10.90 ms  0.180 ms  30
 * speedup: 1.20x (median original / median optimized)
 * batch 100, 3 warm-up + 30 timed runs per model, interleaved, backend wasm, seed 1
 * ```
 */
export function formatBench(r: BenchReport): string {
  checkFields('formatBench', 'r', r, { models: 'array' }, 'a BenchReport (what bench returns)');
  const rows = [['model', 'median', 'p10', 'p90', 'MAD', 'runs']];
  for (const m of r.models) rows.push([m.label, formatMs(m.median), formatMs(m.p10), formatMs(m.p90), formatMs(m.mad), String(m.runs)]);
  const widths: number[] = [];
  for (const row of rows) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  const lines = rows.map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!))).join('  '));
  if (r.speedup !== undefined) lines.push(`speedup: ${formatSpeedup(r.speedup)} (median ${r.models[0]!.label} / median ${r.models[1]!.label})`);
  lines.push(`batch ${r.batch}, ${r.warmup} warm-up + ${r.runs} timed runs per model${r.models.length > 1 ? ', interleaved' : ''}, backend ${r.backend}, seed ${r.seed}`);
  return lines.join('\n');
}

/** 1.17x; '-' when unknown. */
export function formatSpeedup(s: number | undefined): string {
  return s === undefined || !Number.isFinite(s) ? '-' : `${s.toFixed(2)}x`;
}

/** Options of `benchModels`: the benchmark's, plus which signature to call. */
export interface BenchModelsOptions extends BenchOptions {
  /** Signature key (default `serving_default`, else the first). */
  readonly signature?: string;
  /** Comma-separated tags of the meta graph (default `serve`, else the first). */
  readonly tagSet?: string;
}

/** A loaded model as a benchmark target: its signature's (or placeholders') inputs, its outputs, its variables. */
export async function benchTarget(label: string, m: RunnableModel, signature?: string): Promise<BenchTarget> {
  const sig = (await summarizeModel(m.model, { ...(signature !== undefined ? { signature } : {}) })).signature;
  const byName = new Map((sig?.inputs ?? []).map((t) => [t.name, t]));
  return {
    label,
    graph: m.graph,
    inputs: m.inputs.map((i) => {
      const t = byName.get(i.name);
      return {
        tensor: i.name,
        key: i.key ?? parseInput(i.name).node,
        ...(t?.dtype && t.dtype !== 'invalid' ? { dtype: baseDType(t.dtype) } : {}),
        ...(t ? { shape: t.shape } : {}),
      };
    }),
    outputs: m.outputs.map((o) => o.name),
    ...(m.variables ? { variables: m.variables } : {}),
  };
}
