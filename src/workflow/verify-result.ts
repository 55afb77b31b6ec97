/**
 * Strict verification of a lossless `optimize` result: each kept signature is run on the original
 * and on the result with the same seeded inputs and compared within rtol/atol; a difference becomes
 * a `verify/mismatch` error, a signature the runtime cannot run is reported as skipped.
 */
import { GraftError, isGraftError } from '../errors';
import { baseDType } from '../ir/dtype';
import type { Graph } from '../ir/graph';
import { parseInput } from '../ir/node';
import type { Tensor } from '../ir/tensor';
import type { Signature } from '../io/saved-model';
import type { Backend } from '../runtime/index';
import { compare } from '../verify/compare';
import { generateInput, placeholderSpecs } from '../verify/feeds';
import type { SignatureVerification, VerificationReport } from './report';
import { tensorName } from '../ir/node';

/**
 * Seeded inputs for a signature: its tensors' dtypes and shapes (the placeholder's where the
 * signature gives none), with the first unknown dimension set to `batch` and the others to
 * `otherDims` (default `batch`).
 */
export function signatureFeeds(graph: Graph, sig: Signature, seed: number, batch: number, otherDims = batch): Record<string, Tensor> {
  const specs = new Map(placeholderSpecs(graph).map((p) => [p.name, p]));
  const feeds: Record<string, Tensor> = {};
  for (const [key, info] of Object.entries(sig.inputs)) {
    const name = tensorName(info.name!);
    const node = parseInput(name).node;
    const shape = info.shape && !info.shape.unknownRank ? info.shape.dims : (specs.get(node)?.shape ?? null);
    const dtype = baseDType(info.dtype === 'invalid' ? (specs.get(node)?.dtype ?? 'float') : info.dtype);
    // String inputs read by a tf.Example parse op get seeded records that satisfy it.
    feeds[name] = generateInput(graph, node, dtype, shape, seed, batch, otherDims, key);
  }
  return feeds;
}

/** Errors that mean "the runtime cannot run this", as opposed to a wrong result. */
export const CANNOT_RUN = new Set(['runtime/unsupported-op', 'runtime/unsupported-dtype', 'runtime/missing-feed', 'runtime/bad-feed', 'runtime/failed', 'runtime/missing-variable']);

/** Runs each signature pair on the original and the result and compares them within rtol/atol. */
export async function verifySignatures(
  original: Graph,
  optimized: Graph,
  pairs: readonly { key: string; before: Signature; after: Signature }[],
  variables: ReadonlyMap<string, Tensor> | undefined,
  o: { rtol: number; atol: number; seed: number; batch: number; backend?: Backend },
): Promise<VerificationReport> {
  const signatures: SignatureVerification[] = [];
  let maxAbsDiff = 0;
  let maxRelDiff = 0;
  for (const { key, before, after } of pairs) {
    const outKeys = Object.keys(before.outputs);
    const feeds = signatureFeeds(original, before, o.seed, o.batch);
    const inputNamesB: Record<string, string> = {};
    for (const [k, t] of Object.entries(before.inputs)) inputNamesB[tensorName(t.name!)] = tensorName(after.inputs[k]!.name!);
    try {
      const r = await compare(original, optimized, {
        outputs: outKeys.map((k) => tensorName(before.outputs[k]!.name!)),
        outputsB: outKeys.map((k) => tensorName(after.outputs[k]!.name!)),
        inputs: Object.keys(feeds),
        feeds,
        inputNamesB,
        seed: o.seed,
        batch: o.batch,
        rtol: o.rtol,
        atol: o.atol,
        ...(o.backend ? { backend: o.backend } : {}),
        ...(variables ? { variablesA: variables } : {}),
        variablesB: new Map(),
      });
      for (const out of r.outputs) {
        if (Number.isFinite(out.maxAbsDiff)) maxAbsDiff = Math.max(maxAbsDiff, out.maxAbsDiff);
        else maxAbsDiff = Infinity;
        if (Number.isFinite(out.maxRelDiff)) maxRelDiff = Math.max(maxRelDiff, out.maxRelDiff);
      }
      signatures.push({ key, status: r.pass ? 'pass' : 'fail', outputs: r.outputs });
    } catch (e) {
      if (!isGraftError(e) || !CANNOT_RUN.has(e.code)) throw e;
      // A short reason for the table; the full message stays in the diagnostics.
      const reason = e.code === 'runtime/unsupported-op' && e.op ? `no kernel for ${e.op}` : e.code;
      signatures.push({ key, status: 'skipped', reason, message: e.message, outputs: [] });
    }
  }
  const status = signatures.some((s) => s.status === 'fail') ? 'fail' : signatures.some((s) => s.status === 'pass') ? 'pass' : 'skipped';
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
    hint: 'Find the step that moves them with graft transform and --verify per step; loosen the tolerance with --rtol/--atol, or skip with --no-verify.',
  });
}
