/**
 * Verifying a signature that updates variables (a counter's `incr_counter`, a `train` step). One
 * run proves little about such a signature: what it returns depends on what earlier calls wrote.
 * So both models start from their own variables (the original from its checkpoint, the result from
 * the checkpoint written with it), each in a fresh session, are called the same number of times on
 * the same inputs, and must agree on every call's outputs and, at the end, on the value of every
 * variable either of them wrote.
 */
import type { Graph } from '../ir/graph';
import type { Tensor } from '../ir/tensor';
import type { RuntimeOptions } from '../runtime/index';
import type { OutputComparison } from './compare';
import type { Tolerance } from './tolerance';

/** One side of a sequence: the graph, how its sessions are made, and what each call fetches. */
export interface SequenceSide {
  readonly graph: Graph;
  readonly runtime: RuntimeOptions;
  readonly fetches: readonly string[];
}

/** One call: the feeds of each side (the same values, under each side's names). */
export interface SequenceCall {
  readonly a: Record<string, Tensor>;
  readonly b: Record<string, Tensor>;
}

export interface SequenceResult {
  /** Per call and output (`call 2: output`), then per variable written (`variable counter`). */
  readonly comparisons: OutputComparison[];
  /** The variables written, by key (the original's, then any only the result wrote). */
  readonly variables: string[];
}

/**
 * Runs `calls` on fresh sessions of `a` (the reference) and `b`, in order, and compares each call's
 * outputs (names from `names`) and the final value of every variable either side wrote. Runtime
 * errors propagate (the caller decides whether they mean "cannot run").
 *
 * @example
 * ```ts
 * const r = await verifyCallSequence(
 *   { graph: original, runtime: { variables }, fetches: ['incr:0'] },
 *   { graph: optimized, runtime: { variables: kept }, fetches: ['incr:0'] },
 *   [{ a: {}, b: {} }, { a: {}, b: {} }, { a: {}, b: {} }], ['output'], { rtol: 1e-4, atol: 1e-5 });
 * r.comparisons.every((c) => c.pass);
 * ```
 */
export async function verifyCallSequence(a: SequenceSide, b: SequenceSide, calls: readonly SequenceCall[], names: readonly string[], tol: Tolerance): Promise<SequenceResult> {
  // The run loads on first use: it stays out of what the core loads on import
  // (test/package/browser.test.ts).
  const { runCallSequence } = await import('./call-sequence');
  return runCallSequence(a, b, calls, names, tol);
}
