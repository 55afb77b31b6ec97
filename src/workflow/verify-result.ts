/**
 * Strict verification of a lossless `optimize` result: each kept signature is run on the original
 * and on the result with the same seeded inputs and compared within rtol/atol; a difference becomes
 * a `verify/mismatch` error, a signature the runtime cannot run is reported as not verified, with
 * the reason.
 */
import { GraftError, isGraftError } from '../errors';
import { baseDType } from '../ir/dtype';
import type { Graph } from '../ir/graph';
import { parseInput } from '../ir/node';
import type { Tensor } from '../ir/tensor';
import type { Signature, TensorInfo } from '../io/saved-model';
import type { Backend, RuntimeOptions } from '../runtime/index';
import { compareOutputs, feedsFor, resolveTolerance } from '../verify/compare';
import { signatureOpsWithoutKernel, signatureTensorNames } from '../verify/support';
import { generateInput, placeholderSpecs, seededSparseInput } from '../verify/feeds';
import type { SignatureVerification, VerificationReport } from './report';
import { tensorName } from '../ir/node';

/**
 * The tensors of one signature entry, in a fixed order: the name of a dense tensor; the indices,
 * values and dense shape of a COO sparse one; the components of a composite one.
 */
export function tensorInfoComponents(info: TensorInfo): string[] {
  if (info.encoding === 'name') return info.name ? [tensorName(info.name)] : [];
  const raw = (info.raw ?? {}) as Readonly<Record<string, unknown>>;
  const coo = raw.coo_sparse as Readonly<Record<string, string>> | undefined;
  if (coo) return [coo.indices_tensor_name, coo.values_tensor_name, coo.dense_shape_tensor_name].filter((n): n is string => !!n).map(tensorName);
  return signatureTensorNames({ x: info }).map(tensorName);
}

/** Every tensor a signature side names, entry by entry (see `tensorInfoComponents`). */
export function sideTensors(side: Readonly<Record<string, TensorInfo>>): { key: string; tensors: string[] }[] {
  return Object.entries(side).map(([key, info]) => ({ key, tensors: tensorInfoComponents(info) }));
}

/**
 * Seeded inputs for a signature: its tensors' dtypes and shapes (the placeholder's where the
 * signature gives none), with the first unknown dimension set to `batch` and the others to
 * `otherDims` (default `batch`). A COO sparse input gets one seeded value per row of its dense
 * shape (unknown dimensions after the first are 1), at index [row, 0, ...].
 */
export function signatureFeeds(graph: Graph, sig: Signature, seed: number, batch: number, otherDims = batch): Record<string, Tensor> {
  const specs = new Map(placeholderSpecs(graph).map((p) => [p.name, p]));
  const feeds: Record<string, Tensor> = {};
  for (const [key, info] of Object.entries(sig.inputs)) {
    if (info.encoding === 'coo_sparse') {
      const [indices, values, denseShape] = tensorInfoComponents(info);
      const t = seededSparseInput(graph, info, seed, batch, key);
      if (!indices || !values || !denseShape || !t) continue;
      feeds[indices] = t.indices;
      feeds[values] = t.values;
      feeds[denseShape] = t.denseShape;
      continue;
    }
    if (!info.name) continue;
    const name = tensorName(info.name);
    const node = parseInput(name).node;
    const shape = info.shape && !info.shape.unknownRank ? info.shape.dims : (specs.get(node)?.shape ?? null);
    const dtype = baseDType(info.dtype === 'invalid' ? (specs.get(node)?.dtype ?? 'float') : info.dtype);
    // String inputs read by a tf.Example parse op get seeded records that satisfy it.
    feeds[name] = generateInput(graph, node, dtype, shape, seed, batch, otherDims, key);
  }
  return feeds;
}

/** The same feeds under the result's names: each input entry's tensors matched by key and position. */
export function counterpartFeeds(before: Signature, after: Signature, feeds: Readonly<Record<string, Tensor>>): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [key, info] of Object.entries(before.inputs)) {
    const a = tensorInfoComponents(info);
    const b = after.inputs[key] ? tensorInfoComponents(after.inputs[key]!) : [];
    a.forEach((t, i) => {
      if (b[i] !== undefined && Object.hasOwn(feeds, t)) out[b[i]!] = feeds[t]!;
    });
  }
  return out;
}

/** Errors that mean "the runtime cannot run this", as opposed to a wrong result. */
export const CANNOT_RUN = new Set(['runtime/unsupported-op', 'runtime/unsupported-dtype', 'runtime/missing-feed', 'runtime/bad-feed', 'runtime/failed', 'runtime/missing-variable']);

/** A short reason for the table, from the runtime's error (the full message stays in the report). */
export async function cannotRunReason(e: GraftError, graph?: Graph, sig?: Signature): Promise<string> {
  if (e.code === 'runtime/unsupported-op') {
    const ops = graph && sig ? (await signatureOpsWithoutKernel(graph, sig)).map((o) => o.op) : [];
    return `no kernel for ${ops.length ? ops.join(', ') : (e.op ?? 'an op')}`;
  }
  const first = e.message.split('\n')[0]!;
  return `${e.code}: ${first.length > 160 ? `${first.slice(0, 157)}...` : first}`;
}

/** Verification options: tolerance, seeded inputs, and the user's own inputs. */
export interface VerifySignaturesOptions {
  readonly rtol: number;
  readonly atol: number;
  readonly seed: number;
  readonly batch: number;
  readonly backend?: Backend;
  /** Given inputs, by tensor name in the original graph: they replace the seeded ones. */
  readonly given?: Readonly<Record<string, Tensor>>;
  /** What running the original needs besides feeds: its SavedModel init and asset reader. */
  readonly runtimeA?: Pick<RuntimeOptions, 'init' | 'readFile'>;
  /** The result's variables (those it kept, read back from the checkpoint written with it). */
  readonly variablesB?: ReadonlyMap<string, Tensor>;
  /**
   * Signatures that write variables: each is verified over `calls` calls in a row (inputs seeded
   * with seed, seed+1, ...) on fresh sessions of both models, every call's outputs and the final
   * value of every variable written compared (`verifyCallSequence`).
   */
  readonly stateful?: ReadonlySet<string>;
  /** How many calls a state-updating signature is verified over. Default 3. */
  readonly calls?: number;
}

/**
 * Runs each signature pair on the original and the result and compares them within rtol/atol.
 * A signature is verified only when both run and agree. One the original cannot run (an op
 * without a kernel, a feed it refuses) is `not-verified` with the reason; so is one whose result
 * cannot run where the original did. When the original fails at the verification batch (2) on
 * seeded inputs with a runtime error, the signature is retried at batch 1 (models that bake in
 * batch 1, such as half_plus_two's `regress_x2_to_y3`), and its `batch` says so.
 */
export async function verifySignatures(
  original: Graph,
  optimized: Graph,
  pairs: readonly { key: string; before: Signature; after: Signature }[],
  variables: ReadonlyMap<string, Tensor> | undefined,
  o: VerifySignaturesOptions,
): Promise<VerificationReport> {
  const { runGraph } = await import('../runtime/index');
  const { verifyCallSequence } = await import('../verify/stateful');
  const runtimeB = o.variablesB ? { variables: o.variablesB } : {};
  const tolerance = resolveTolerance(o);
  const common = o.backend ? { backend: o.backend } : {};
  const signatures: SignatureVerification[] = [];
  let maxAbsDiff = 0;
  let maxRelDiff = 0;
  for (const { key, before, after } of pairs) {
    const outKeys = Object.keys(before.outputs);
    const namesA = outKeys.flatMap((k) => tensorInfoComponents(before.outputs[k]!));
    const namesB = outKeys.flatMap((k) => (after.outputs[k] ? tensorInfoComponents(after.outputs[k]!) : []));
    const isGiven = (n: string) => o.given !== undefined && Object.hasOwn(o.given, n);
    const given = sideTensors(before.inputs)
      .filter((e) => e.tensors.some(isGiven))
      .map((e) => e.key);
    const feedsAt = (batch: number): { a: Record<string, Tensor>; b: Record<string, Tensor> } => {
      const a = signatureFeeds(original, before, o.seed, batch);
      for (const e of sideTensors(before.inputs)) for (const n of e.tensors) if (isGiven(n)) a[n] = o.given![n]!;
      return { a, b: counterpartFeeds(before, after, a) };
    };
    const notVerified = (reason: string, message: string, batch?: number) =>
      signatures.push({ key, status: 'not-verified', verified: false, reason, message, outputs: [], given, ...(batch !== undefined ? { batch } : {}) });

    if (o.stateful?.has(key)) {
      // A signature that writes variables: the same calls in a row on both, state compared at the end.
      const n = o.calls ?? 3;
      const calls = Array.from({ length: n }, (_, i) => {
        const a = signatureFeeds(original, before, o.seed + i, o.batch);
        for (const e of sideTensors(before.inputs)) for (const t of e.tensors) if (isGiven(t)) a[t] = o.given![t]!;
        return { a: feedsFor(original, a), b: feedsFor(optimized, counterpartFeeds(before, after, a)) };
      });
      let seq: Awaited<ReturnType<typeof verifyCallSequence>>;
      try {
        seq = await verifyCallSequence(
          { graph: original, runtime: { ...common, ...o.runtimeA, ...(variables ? { variables } : {}) }, fetches: namesA },
          { graph: optimized, runtime: { ...common, ...runtimeB }, fetches: namesB },
          calls,
          namesA,
          tolerance,
        );
      } catch (e) {
        if (!isGraftError(e) || !CANNOT_RUN.has(e.code)) throw e;
        notVerified(`the calls in a row cannot run: ${await cannotRunReason(e, original, before)}`, e.message, o.batch);
        continue;
      }
      for (const out of seq.comparisons) {
        maxAbsDiff = Number.isFinite(out.maxAbsDiff) ? Math.max(maxAbsDiff, out.maxAbsDiff) : Infinity;
        if (Number.isFinite(out.maxRelDiff)) maxRelDiff = Math.max(maxRelDiff, out.maxRelDiff);
      }
      const pass = seq.comparisons.every((x) => x.pass);
      signatures.push({
        key,
        status: pass ? 'pass' : 'fail',
        verified: pass,
        outputs: seq.comparisons,
        given,
        batch: o.batch,
        note: `updates variables: ${n} calls in a row on fresh sessions of both models, each call's outputs compared, then the variables written (${seq.variables.join(', ') || 'none'})`,
      });
      continue;
    }

    // 1. The original, on the signature's inputs.
    let batch = o.batch;
    let feeds = feedsAt(batch);
    let outA: Tensor[];
    let retried: string | undefined;
    try {
      try {
        outA = await runGraph(original, feedsFor(original, feeds.a), namesA, { ...common, ...o.runtimeA, ...(variables ? { variables } : {}) });
      } catch (e) {
        // A model that only runs at batch 1 (a fixed [1, ...] tensor meets the batch): retry there.
        if (!isGraftError(e) || e.code !== 'runtime/failed' || batch === 1 || given.length === Object.keys(before.inputs).length || Object.keys(before.inputs).length === 0) throw e;
        retried = e.message.split('\n')[0]!;
        batch = 1;
        feeds = feedsAt(batch);
        outA = await runGraph(original, feedsFor(original, feeds.a), namesA, { ...common, ...o.runtimeA, ...(variables ? { variables } : {}) });
      }
    } catch (e) {
      if (!isGraftError(e) || !CANNOT_RUN.has(e.code)) throw e;
      notVerified(`the original cannot run: ${await cannotRunReason(e, original, before)}`, e.message, batch);
      continue;
    }
    // 2. The result, on the same inputs.
    let outB: Tensor[];
    try {
      outB = await runGraph(optimized, feedsFor(optimized, feeds.b), namesB, { ...common, ...runtimeB });
    } catch (e) {
      if (!isGraftError(e) || !CANNOT_RUN.has(e.code)) throw e;
      notVerified(`the optimized model cannot run where the original runs: ${await cannotRunReason(e, optimized, after)}`, e.message, batch);
      continue;
    }
    const outputs = compareOutputs(namesA, outA, outB, tolerance);
    for (const out of outputs) {
      if (Number.isFinite(out.maxAbsDiff)) maxAbsDiff = Math.max(maxAbsDiff, out.maxAbsDiff);
      else maxAbsDiff = Infinity;
      if (Number.isFinite(out.maxRelDiff)) maxRelDiff = Math.max(maxRelDiff, out.maxRelDiff);
    }
    const pass = outputs.every((x) => x.pass);
    signatures.push({
      key,
      status: pass ? 'pass' : 'fail',
      verified: pass,
      outputs,
      given,
      batch,
      ...(retried ? { note: `batch 1: at batch ${o.batch} the original fails (${retried.length > 120 ? `${retried.slice(0, 117)}...` : retried})` } : {}),
    });
  }
  const passed = signatures.filter((s) => s.status === 'pass').length;
  const status = signatures.some((s) => s.status === 'fail') ? 'fail' : passed === signatures.length ? 'pass' : passed > 0 ? 'partial' : 'not-verified';
  return { status, rtol: o.rtol, atol: o.atol, seed: o.seed, batch: o.batch, maxAbsDiff, maxRelDiff, signatures };
}

/** 1e-5 rather than 0.00001. */
function tol(v: number): string {
  return v !== 0 && v < 1e-3 ? v.toExponential() : String(v);
}

/** The `verify/mismatch` error for a failed verification, naming the first outputs that differ. */
export function mismatchError(v: VerificationReport, file: string): GraftError {
  const bad = v.signatures.flatMap((s) => s.outputs.filter((x) => !x.pass).map((x) => `${s.key}/${x.name} (max |diff| ${x.maxAbsDiff}${x.reason ? `, ${x.reason}` : ''})`));
  return new GraftError('verify/mismatch', `The optimized model's outputs differ from the original beyond |b - a| <= ${tol(v.atol)} + ${tol(v.rtol)} * |a|: ${bad.slice(0, 4).join(', ')}${bad.length > 4 ? ', ...' : ''}; nothing was written`, {
    file,
    hint: 'Find the step that moves them by verifying the pipeline step by step (runPipelineVerified); loosen the tolerance with `rtol`/`atol`, or skip with `verify: false`.',
  });
}
