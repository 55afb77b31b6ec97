/**
 * What a lossy `optimize` pipeline costs: which steps are lossy, the weights' bytes, and each
 * output's max/mean |diff| and top-1 agreement with the original over seeded batches, checked
 * against the caller's `maxDiff`/`minAgreement` thresholds.
 */
import { GraftError, isGraftError } from '../errors';
import { baseDType, isFloatDType } from '../ir/dtype';
import type { Graph } from '../ir/graph';
import { type Tensor, tensorByteSize, tensorStrings, tensorToNumbers } from '../ir/tensor';
import type { Signature } from '../io/saved-model';
import type { Backend, RuntimeOptions } from '../runtime/index';
import { type Pipeline, parsePipeline } from '../transform/pipeline';
import type { Registry } from '../transform/registry';
import { feedsFor, formatDiff } from '../verify/compare';
import type { CostReport, CostThresholds, OutputCost } from './report';
import { tensorName } from '../ir/node';
import { CANNOT_RUN, counterpartFeeds, signatureFeeds } from './verify-result';

/**
 * The pipeline's steps whose transform declares itself `lossy`, in transform syntax, leaving out
 * steps that failed under `ignore_errors` (they changed nothing).
 */
export function lossySteps(transforms: string | Pipeline, registry: Registry, steps: readonly { call: string; skipped: boolean }[]): string[] {
  const p = typeof transforms === 'string' ? parsePipeline(transforms, registry) : transforms;
  const out: string[] = [];
  p.steps.forEach((step, i) => {
    const ran = steps[i];
    if (step.transform.lossy === true && ran && !ran.skipped) out.push(ran.call);
  });
  return out;
}

/** Bytes of constant payloads, main graph and library functions: the model's weights once frozen. */
export function constPayloadBytes(graph: Graph): number {
  let bytes = 0;
  for (const n of [...graph.nodes, ...graph.library.functions.flatMap((f) => f.nodes)]) {
    const v = n.attrs['value'];
    if (n.op === 'Const' && v?.kind === 'tensor') bytes += tensorByteSize(v.value);
  }
  return bytes;
}

/** Running sums of one output's differences over the measurement rounds. */
interface OutputTally {
  readonly output: string;
  dtype: string;
  shape: readonly number[];
  kind: 'float' | 'exact' | 'string';
  classScores: boolean;
  max: number;
  sum: number;
  elements: number;
  equal: number;
  agree: number;
  total: number;
  /** Top-1 classes of the original seen so far. */
  readonly classes: Set<number>;
}

/** Index of the largest value of row r (NaN never wins; ties go to the first, as argmax does). */
function argmaxRow(values: readonly number[], r: number, cols: number): number {
  let best = -1;
  let bestValue = -Infinity;
  for (let c = 0; c < cols; c++) {
    const v = values[r * cols + c]!;
    if (best < 0 || v > bestValue) {
      if (Number.isNaN(v)) continue;
      best = c;
      bestValue = v;
    }
  }
  return best;
}

/** Adds one run's pair of outputs to a tally. A changed dtype or shape is a fault, not a cost. */
function tallyOutput(t: OutputTally, a: Tensor, b: Tensor, where: string, file: string): void {
  const dtA = baseDType(a.dtype);
  const dtB = baseDType(b.dtype);
  if (dtA !== dtB || a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new GraftError('verify/mismatch', `${where}: the optimized model's output is ${dtB}[${b.shape.join(',')}], the original's ${dtA}[${a.shape.join(',')}]; nothing was written`, {
      file,
      hint: 'A lossy step may change values, never shapes or types: find the step by verifying the pipeline step by step (runPipelineVerified).',
    });
  }
  if (t.elements === 0) {
    t.dtype = dtA;
    t.shape = a.shape;
    t.kind = dtA === 'string' ? 'string' : isFloatDType(dtA) && !dtA.startsWith('float8') ? 'float' : 'exact';
    t.classScores = t.kind === 'float' && a.shape.length === 2 && (a.shape[1] ?? 0) > 1;
  }
  if (t.kind === 'string') {
    const sa = tensorStrings(a);
    const sb = tensorStrings(b);
    for (let i = 0; i < sa.length; i++) {
      const x = sa[i]!;
      const y = sb[i]!;
      const same = x.length === y.length && x.every((v, k) => v === y[k]);
      if (same) t.equal++;
      else t.max = t.sum = Infinity;
    }
    t.elements += sa.length;
    return;
  }
  const xa = tensorToNumbers(a);
  const xb = tensorToNumbers(b);
  for (let i = 0; i < xa.length; i++) {
    const x = xa[i]!;
    const y = xb[i]!;
    // NaN on both sides agrees; on one side it is an unbounded error.
    const d = x === y || (Number.isNaN(x) && Number.isNaN(y)) ? 0 : Number.isNaN(x) || Number.isNaN(y) ? Infinity : Math.abs(y - x);
    if (d === 0) t.equal++;
    if (d > t.max) t.max = d;
    t.sum += d;
  }
  t.elements += xa.length;
  if (t.classScores) {
    const rows = a.shape[0]!;
    const cols = a.shape[1]!;
    for (let r = 0; r < rows; r++) {
      const top = argmaxRow(xa, r, cols);
      t.classes.add(top);
      if (top === argmaxRow(xb, r, cols)) t.agree++;
    }
    t.total += rows;
  }
}

function outputCost(signature: string, t: OutputTally): OutputCost {
  return {
    signature,
    output: t.output,
    dtype: t.dtype,
    shape: t.shape,
    maxAbsDiff: t.max,
    meanAbsDiff: t.elements > 0 ? t.sum / t.elements : 0,
    elements: t.elements,
    equalFraction: t.elements > 0 ? t.equal / t.elements : 1,
    ...(t.classScores ? { agreement: { agree: t.agree, total: t.total, rate: t.total > 0 ? t.agree / t.total : 1, classes: t.classes.size } } : {}),
  };
}

/**
 * Runs each signature on the original and the result on `batch` seeded inputs (more runs when the
 * batch dimension is fixed) and tallies each output's differences and top-1 agreement. A
 * signature with an input in `given` (the user's data, by tensor name in the original) runs once,
 * on that data (its other inputs seeded).
 * Signatures identical to one already measured (an Estimator's `predict` and `serving_default`)
 * are reported again but pooled once.
 */
export async function measureSignatures(
  original: Graph,
  optimized: Graph,
  pairs: readonly { key: string; before: Signature; after: Signature }[],
  variables: ReadonlyMap<string, Tensor> | undefined,
  o: { seed: number; batch: number; otherDims: number; file: string; backend?: Backend; runtimeA?: Pick<RuntimeOptions, 'init' | 'readFile'>; variablesB?: ReadonlyMap<string, Tensor>; given?: Readonly<Record<string, Tensor>> },
): Promise<{ outputs: OutputCost[]; pooled: OutputCost[]; skipped: { key: string; reason: string }[] }> {
  const { createSession } = await import('../runtime/index');
  const backend = o.backend ? { backend: o.backend } : {};
  const outputs: OutputCost[] = [];
  const pooled: OutputCost[] = [];
  const skipped: { key: string; reason: string }[] = [];
  const seen = new Map<string, OutputTally[]>();
  const sessionA = await createSession(original, { ...backend, ...o.runtimeA, ...(variables ? { variables } : {}) });
  try {
    const sessionB = await createSession(optimized, { ...backend, ...(o.variablesB ? { variables: o.variablesB } : {}) });
    try {
      for (const { key, before, after } of pairs) {
        const outKeys = Object.keys(before.outputs);
        const fingerprint = JSON.stringify([Object.entries(before.inputs).map(([k, t]) => [k, t.name, after.inputs[k]?.name]).sort(), outKeys.map((k) => [k, before.outputs[k]!.name, after.outputs[k]!.name]).sort()]);
        const again = seen.get(fingerprint);
        if (again) {
          for (const t of again) outputs.push(outputCost(key, t));
          continue;
        }
        const tallies: OutputTally[] = outKeys.map((k) => ({ output: k, dtype: '', shape: [], kind: 'float', classScores: false, max: 0, sum: 0, elements: 0, equal: 0, agree: 0, total: 0, classes: new Set<number>() }));
        const namesA = outKeys.map((k) => tensorName(before.outputs[k]!.name!));
        const namesB = outKeys.map((k) => tensorName(after.outputs[k]!.name!));
        try {
          // Enough runs for `batch` rows of the class-score outputs: one when the batch dimension is
          // free, several when the model fixes it (fresh seeds each run).
          for (let round = 0, rows = 0; round < o.batch && rows < o.batch; round++) {
            const feeds = signatureFeeds(original, before, o.seed + round, o.batch, o.otherDims);
            const givenHere = Object.keys(feeds).filter((n) => o.given !== undefined && Object.hasOwn(o.given, n));
            for (const n of givenHere) feeds[n] = o.given![n]!;
            const feedsB = counterpartFeeds(before, after, feeds);
            const outA = await sessionA.run(feedsFor(original, feeds), namesA);
            const outB = await sessionB.run(feedsFor(optimized, feedsB), namesB);
            tallies.forEach((t, i) => tallyOutput(t, outA[i]!, outB[i]!, `${key}/${t.output}`, o.file));
            const driver = tallies.findIndex((t) => t.classScores);
            const runRows = driver >= 0 ? (outA[driver]!.shape[0] ?? 0) : 0;
            // The user's data is measured as given, once.
            if (runRows === 0 || givenHere.length > 0) break;
            rows += runRows;
          }
        } catch (e) {
          if (!isGraftError(e) || !CANNOT_RUN.has(e.code)) throw e;
          skipped.push({ key, reason: e.code === 'runtime/unsupported-op' && e.op ? `no kernel for ${e.op}` : e.code });
          continue;
        }
        seen.set(fingerprint, tallies);
        for (const t of tallies) {
          const c = outputCost(key, t);
          outputs.push(c);
          pooled.push(c);
        }
      }
    } finally {
      sessionB.dispose();
    }
  } finally {
    sessionA.dispose();
  }
  return { outputs, pooled, skipped };
}

/** Percent with one decimal, dropping a trailing .0 only at 100: 99.2%, 100%. */
function pct(rate: number): string {
  return rate === 1 ? '100%' : `${(rate * 100).toFixed(1)}%`;
}

/** Float outputs are the ones whose |diff| is an error size (not class ids, not strings). */
export function isFloatOutput(o: OutputCost): boolean {
  return o.dtype === 'float' || o.dtype === 'double' || o.dtype === 'half' || o.dtype === 'bfloat16';
}

/** What failed of the thresholds (empty: every set threshold holds). */
export function thresholdFailures(c: Pick<CostReport, 'outputs' | 'skipped'>, pooled: readonly OutputCost[], th: CostThresholds, measured: boolean): string[] {
  const failures: string[] = [];
  if (th.maxDiff === undefined && th.minAgreement === undefined) return failures;
  if (!measured) {
    const why = c.skipped.length ? c.skipped.map((s) => `'${s.key}' (${s.reason})`).join(', ') : 'verification was off';
    return [`the thresholds cannot be checked: no signature could be run (${why})`];
  }
  const floats = pooled.filter(isFloatOutput);
  if (th.maxDiff !== undefined) {
    if (floats.length === 0) failures.push(`\`maxDiff\` ${th.maxDiff} cannot be checked: no float output was measured`);
    for (const o of floats) if (!(o.maxAbsDiff <= th.maxDiff)) failures.push(`${o.signature}/${o.output}: max |diff| ${formatDiff(o.maxAbsDiff)} > ${th.maxDiff}`);
  }
  if (th.minAgreement !== undefined) {
    const classes = pooled.filter((o) => o.agreement);
    if (classes.length === 0) failures.push(`\`minAgreement\` ${th.minAgreement} cannot be checked: no class-score output (float, rank 2, last dimension > 1)`);
    for (const o of classes) {
      if (o.agreement!.rate < th.minAgreement) failures.push(`${o.signature}/${o.output}: top-1 agreement ${pct(o.agreement!.rate)} (${o.agreement!.agree}/${o.agreement!.total}) < ${pct(th.minAgreement)}`);
    }
  }
  return failures;
}

/** Refuses thresholds out of range (`optimize/bad-option`, naming the option) before any work is done. */
export function checkThresholds(th: CostThresholds): void {
  if (th.maxDiff !== undefined && !(Number.isFinite(th.maxDiff) && th.maxDiff >= 0)) {
    throw new GraftError('optimize/bad-option', `\`maxDiff\` must be a finite number >= 0, not ${th.maxDiff}`, { param: 'maxDiff' });
  }
  if (th.minAgreement !== undefined && !(th.minAgreement >= 0 && th.minAgreement <= 1)) {
    const hint = th.minAgreement > 1 && th.minAgreement <= 100 ? `for ${th.minAgreement}%, write ${th.minAgreement / 100}` : 'e.g. 0.95 for 95%';
    throw new GraftError('optimize/bad-option', `\`minAgreement\` is a fraction between 0 and 1, not ${th.minAgreement}`, { hint, param: 'minAgreement' });
  }
}

