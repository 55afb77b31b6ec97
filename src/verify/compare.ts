/**
 * Running two graphs on the same inputs and comparing their outputs: the proof that a transform
 * kept a model's numbers.
 *
 * The runtime (and tfjs with it), and `compare`'s own body (compare-graphs.ts), are loaded only
 * when a comparison runs, so importing this module stays light.
 */
import { GraftError } from '../errors';
import type { Graph } from '../ir/graph';
import { parseInput } from '../ir/node';
import type { Tensor } from '../ir/tensor';
import type { Backend, KernelRegistry, RuntimeLimits, RuntimeOptions } from '../runtime/index';
import { DEFAULT_ATOL, DEFAULT_RTOL, type TensorComparison, type Tolerance, compareTensors } from './tolerance';
import { checkArray, checkFields, checkObject, checkStringsArgument } from '../ir/check';

/** One output's comparison, named. */
export interface OutputComparison extends TensorComparison {
  readonly name: string;
  /** True when at least one element is NaN on one side only. */
  readonly nanMismatch: boolean;
}

/** An input both graphs were run on. */
export interface FeedInfo {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  /** True when generated from the seed, false when given. */
  readonly generated: boolean;
}

/** The result of `compare`: plain data, JSON-serialisable. */
export interface CompareReport {
  readonly outputs: readonly OutputComparison[];
  /** True when every output passes. */
  readonly pass: boolean;
  readonly feeds: readonly FeedInfo[];
  readonly rtol: number;
  readonly atol: number;
  /** The seed used for generated inputs. */
  readonly seed: number;
}

export interface CompareOptions {
  /** Outputs to compare (tensor names: `y`, `y:0`, `split:1`). Required. */
  readonly outputs: readonly string[];
  /** Placeholders to feed (node or tensor names). Default: every `Placeholder` of either graph. */
  readonly inputs?: readonly string[];
  /** Given inputs (tensor names); the rest are generated. */
  readonly feeds?: Readonly<Record<string, Tensor>>;
  /** Seed of generated inputs. Default 1. */
  readonly seed?: number;
  /** Size of unknown dimensions in generated inputs. Default 1. */
  readonly batch?: number;
  /** The most bytes one generated input may take (default 512 MiB). */
  readonly maxInputBytes?: number;
  /** Default 1e-4. */
  readonly rtol?: number;
  /** Default 1e-5. */
  readonly atol?: number;
  readonly backend?: Backend;
  /** Variable values for graph A (see the runtime's `variablesFromCheckpoint`). */
  readonly variablesA?: ReadonlyMap<string, Tensor>;
  /** Variable values for graph B (default: `variablesA`). */
  readonly variablesB?: ReadonlyMap<string, Tensor>;
  /** Names of the outputs in graph B, by position, when they differ from `outputs`. */
  readonly outputsB?: readonly string[];
  /** Feed names in graph B, keyed by the name in A, for inputs named differently in B. */
  readonly inputNamesB?: Readonly<Record<string, string>>;
  /** Extra kernels for both runs. */
  readonly kernels?: KernelRegistry;
  /**
   * Session options for graph A: its init op and asset reader (`loadRunnable` supplies them), a
   * print sink, and a sink for the files the graph writes (`compareModels` gives `memoryFiles()`).
   */
  readonly runtimeA?: Pick<RuntimeOptions, 'init' | 'readFile' | 'print' | 'writeFile' | 'deleteFile'>;
  /** The same for graph B. */
  readonly runtimeB?: Pick<RuntimeOptions, 'init' | 'readFile' | 'print' | 'writeFile' | 'deleteFile'>;
  /** The runtime's limits for both runs (tensor size, loop iterations). */
  readonly limits?: RuntimeLimits;
}

/** Resolves the tolerance, refusing negative or non-finite values. */
export function resolveTolerance(opts: { rtol?: number; atol?: number }): Tolerance {
  const rtol = opts.rtol ?? DEFAULT_RTOL;
  const atol = opts.atol ?? DEFAULT_ATOL;
  for (const [k, v] of [['rtol', rtol], ['atol', atol]] as const) {
    if (!Number.isFinite(v) || v < 0) throw new GraftError('api/bad-argument', `\`${k}\` must be a finite number >= 0, not ${v}`, { param: k });
  }
  return { rtol, atol };
}

/** Only the feeds whose node exists in `graph` (a transform may have removed an unused input). */
export function feedsFor(graph: Graph, feeds: Readonly<Record<string, Tensor>>): Record<string, Tensor> {
  const names = new Set(graph.nodes.map((n) => n.name));
  return Object.fromEntries(Object.entries(feeds).filter(([k]) => names.has(parseInput(k).node)));
}

/** Compares candidate outputs with reference outputs, by position. */
export function compareOutputs(names: readonly string[], reference: readonly Tensor[], candidate: readonly Tensor[], tol: Tolerance): OutputComparison[] {
  checkStringsArgument('compareOutputs', 'names', names);
  checkArray('compareOutputs', 'reference', reference, 'an array of Tensors');
  checkArray('compareOutputs', 'candidate', candidate, 'an array of Tensors');
  checkObject('compareOutputs', 'tol', tol, 'a Tolerance ({ rtol, atol })');
  return names.map((name, i) => {
    const c = compareTensors(reference[i]!, candidate[i]!, tol);
    return { name, ...c, nanMismatch: c.nanMismatches > 0 };
  });
}

/**
 * Runs graphs `a` (the reference) and `b` on the same inputs and compares each output:
 * an element passes when `|b - a| <= atol + rtol * |a|` (numpy `allclose`, NaN equal to NaN);
 * integer, bool and string outputs must be equal.
 *
 * @throws GraftError `runtime/unsupported-op` when either graph needs an op without a kernel,
 *   `runtime/missing-feed`, `runtime/bad-feed`, `graph/missing-node` for an unknown output.
 * @example
 * ```ts
 * const r = await compare(original, optimized, { outputs: ['softmax'], seed: 1 });
 * if (!r.pass) console.log(formatCompareReport(r));
 * ```
 */
export async function compare(a: Graph, b: Graph, opts: CompareOptions): Promise<CompareReport> {
  // The run loads on first use: it stays out of what the core loads on import
  // (test/package/browser.test.ts).
  const { compareGraphs } = await import('./compare-graphs');
  return compareGraphs(a, b, opts);
}

// ---------------------------------------------------------------- formatting

/** A number in a short, stable form: 0, 1.19e-7, 0.0123, inf. */
export function formatDiff(v: number): string {
  if (v === 0) return '0';
  if (v === Infinity) return 'inf';
  if (Number.isNaN(v)) return 'nan';
  return v >= 1e-3 && v < 1e4 ? String(Number(v.toPrecision(3))) : v.toExponential(2);
}

/** 1e-5 rather than 0.00001. */
function formatTolerance(v: number): string {
  return v !== 0 && v < 1e-3 ? v.toExponential() : String(v);
}

function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
}

/**
 * A table of the outputs, the inputs used, the rule, and a verdict.
 *
 * @example
 * ```text
 * output   dtype  shape   max abs  max rel  mismatches  result
 * softmax  float  [1,10]  1.19e-7  2.3e-6   0           ok
 * inputs: input float [1,784] (generated, seed 1)
 * rule: |b - a| <= 1e-5 + 1e-4 * |a|, a = first model
 * PASS: 1 output agrees
 * ```
 */
export function formatCompareReport(r: CompareReport): string {
  checkFields('formatCompareReport', 'r', r, { outputs: 'array' }, 'a CompareReport (what compare returns)');
  const rows = [['output', 'dtype', 'shape', 'max abs', 'max rel', 'mismatches', 'result']];
  for (const o of r.outputs) {
    const result = o.pass ? 'ok' : `FAIL${o.reason ? ` (${o.reason})` : o.nanMismatch ? ' (NaN on one side)' : ''}`;
    rows.push([o.name, o.dtype, `[${o.shape.join(',')}]`, formatDiff(o.maxAbsDiff), formatDiff(o.maxRelDiff), String(o.mismatches), result]);
  }
  const lines = table(rows);
  if (r.feeds.length > 0) {
    const given = r.feeds.map((f) => `${f.name} ${f.dtype} [${f.shape.join(',')}]${f.generated ? ` (generated, seed ${r.seed})` : ''}`);
    lines.push(`inputs: ${given.join(', ')}`);
  }
  lines.push(`rule: |b - a| <= ${formatTolerance(r.atol)} + ${formatTolerance(r.rtol)} * |a|, a = first model`);
  const failed = r.outputs.filter((o) => !o.pass).length;
  const n = r.outputs.length;
  lines.push(r.pass ? `PASS: ${n === 1 ? '1 output agrees' : `all ${n} outputs agree`}` : `FAIL: ${failed} of ${n} output${n === 1 ? '' : 's'} differ${failed === 1 ? 's' : ''}`);
  return lines.join('\n');
}
