/**
 * The body of `verifyCallSequence` (stateful.ts declares it and says what it proves), loaded with
 * `import()` on its first call.
 */
import { type Tensor, numElements } from '../ir/tensor';
import type { OutputComparison } from './compare';
import { type Tolerance, compareTensors } from './tolerance';
import { checkArray, checkFields, checkObject, checkStringsArgument } from '../ir/check';
import type { SequenceCall, SequenceResult, SequenceSide } from './stateful';

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

/** `verifyCallSequence`, loaded. */
export async function runCallSequence(a: SequenceSide, b: SequenceSide, calls: readonly SequenceCall[], names: readonly string[], tol: Tolerance): Promise<SequenceResult> {
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
