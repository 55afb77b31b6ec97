/**
 * Verifying a signature that updates variables (a counter's `incr_counter`, a `train` step). One
 * run proves little about such a signature: what it returns depends on what earlier calls wrote.
 * So both models start from their own variables (the original from its checkpoint, the result from
 * the checkpoint written with it), each in a fresh session, are called the same number of times on
 * the same inputs, and must agree on every call's outputs and, at the end, on the value of every
 * variable either of them wrote.
 */
import type { Graph } from '../ir/graph';
import { type Tensor, numElements } from '../ir/tensor';
import type { RuntimeOptions } from '../runtime/index';
import type { OutputComparison } from './compare';
import { type Tolerance, compareTensors } from './tolerance';
import { checkArray, checkFields, checkObject, checkStringsArgument } from '../ir/check';

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

function missing(name: string, reason: string, t: Tensor | undefined): OutputComparison {
  return {
    name,
    dtype: t?.dtype ?? 'invalid',
    shape: t?.shape ?? [],
    maxAbsDiff: Infinity,
    maxRelDiff: Infinity,
    mismatches: t ? numElements(t.shape) : 1,
    nanMismatches: 0,
    nanMismatch: false,
    pass: false,
    reason,
  };
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
  checkFields('verifyCallSequence', 'a', a, { graph: 'object', fetches: 'array' }, 'a SequenceSide');
  checkFields('verifyCallSequence', 'b', b, { graph: 'object', fetches: 'array' }, 'a SequenceSide');
  checkArray('verifyCallSequence', 'calls', calls, 'an array of SequenceCalls');
  checkStringsArgument('verifyCallSequence', 'names', names);
  checkObject('verifyCallSequence', 'tol', tol, 'a Tolerance ({ rtol, atol })');
  const { createSession } = await import('../runtime/index');
  const sa = await createSession(a.graph, a.runtime);
  try {
    const sb = await createSession(b.graph, b.runtime);
    try {
      const comparisons: OutputComparison[] = [];
      for (let i = 0; i < calls.length; i++) {
        const call = calls[i]!;
        const outA = await sa.run(call.a, a.fetches);
        const outB = await sb.run(call.b, b.fetches);
        names.forEach((name, k) => {
          const c = compareTensors(outA[k]!, outB[k]!, tol);
          comparisons.push({ name: `call ${i + 1}: ${name}`, ...c, nanMismatch: c.nanMismatches > 0 });
        });
      }
      const writtenA = sa.writtenVariables();
      const writtenB = new Set(sb.writtenVariables());
      const variables = [...writtenA, ...[...writtenB].filter((k) => !writtenA.includes(k))];
      for (const key of variables) {
        const name = `variable ${key}`;
        const va = sa.readVariable(key);
        const vb = sb.readVariable(key);
        if (!writtenB.has(key)) comparisons.push(missing(name, 'the optimized model never writes it', va));
        else if (!writtenA.includes(key)) comparisons.push(missing(name, 'only the optimized model writes it', vb));
        else if (!va || !vb) comparisons.push(missing(name, 'it has no value on one side', va ?? vb));
        else {
          const c = compareTensors(va, vb, tol);
          comparisons.push({ name, ...c, nanMismatch: c.nanMismatches > 0 });
        }
      }
      return { comparisons, variables };
    } finally {
      sb.dispose();
    }
  } finally {
    sa.dispose();
  }
}
