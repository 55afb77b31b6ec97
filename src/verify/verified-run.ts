/**
 * The body of `runPipelineVerified` (verify-pipeline.ts declares it, its options and its report),
 * loaded with `import()` on its first call.
 */
import { GraftError, isGraftError } from '../errors';
import type { Graph } from '../ir/graph';
import type { Tensor } from '../ir/tensor';
import type { Session } from '../runtime/index';
import type { Diagnostic } from '../diagnostics';
import type { Pipeline } from '../transform/pipeline';
import type { PipelineReport, StepReport } from '../transform/report';
import { runPipeline } from '../transform/runner';
import { type FeedInfo, compareOutputs, feedsFor, resolveTolerance } from './compare';
import { buildFeeds } from './compare-graphs';
import type { StepVerification, VerifiedReport, VerifiedResult, VerifiedRunOptions } from './verify-pipeline';

/** `runPipelineVerified` once its arguments are checked. */
export async function verifiedRun(graph: Graph, pipeline: Pipeline | string, options: VerifiedRunOptions): Promise<VerifiedResult> {
  const { verify, hooks, ...runOptions } = options;
  const outputs = (options.outputs ?? []).filter((o) => o !== '');
  if (outputs.length === 0) throw new GraftError('api/bad-argument', 'Verifying a pipeline needs its outputs (`outputs`)', { param: 'outputs' });
  const tol = resolveTolerance(verify);
  // Every placeholder gets a value (not only options.inputs, which may name inner nodes).
  const { feeds, info } = buildFeeds([graph], {
    ...(verify.feeds ? { feeds: verify.feeds } : {}),
    ...(verify.seed !== undefined ? { seed: verify.seed } : {}),
    ...(verify.batch !== undefined ? { batch: verify.batch } : {}),
  });
  const { createSession } = await import('../runtime/index');
  const sessionOpts = {
    ...(verify.backend !== undefined ? { backend: verify.backend } : {}),
    ...(verify.kernels !== undefined ? { kernels: verify.kernels } : {}),
    ...(verify.variables !== undefined ? { variables: verify.variables } : {}),
  };
  const runOn = async (g: Graph): Promise<Tensor[]> => {
    let s: Session | undefined;
    try {
      s = await createSession(g, sessionOpts);
      return await s.run(feedsFor(g, feeds), outputs);
    } finally {
      s?.dispose();
    }
  };
  const reference = await runOn(graph);

  const checks: StepVerification[] = [];
  const result = await runPipeline(graph, pipeline, {
    ...runOptions,
    hooks: {
      ...(hooks?.beforeStep ? { beforeStep: hooks.beforeStep } : {}),
      async afterStep(info, stepResult) {
        const r = stepResult.report;
        if (r.changed && !r.skipped) {
          try {
            const got = await runOn(stepResult.graph);
            const cmp = compareOutputs(outputs, reference, got, tol);
            checks.push({ index: r.index, step: r.call, outputs: cmp, pass: cmp.every((c) => c.pass) });
          } catch (e) {
            // A step may leave ops the runtime has no kernel for; that is not a numeric change.
            if (!isGraftError(e)) throw e;
            checks.push({ index: r.index, step: r.call, outputs: [], pass: true, error: `[${e.code}] ${e.message}` });
          }
        }
        await hooks?.afterStep?.(info, stepResult);
      },
    },
  });
  return { graph: result.graph, report: withVerification(result.report, checks, info, tol.rtol, tol.atol) };
}

function describeMoved(v: StepVerification): string {
  const moved = v.outputs.filter((o) => !o.pass);
  return moved
    .map((o) => (o.reason ? `${o.name}: ${o.reason}` : `${o.name}: max abs diff ${o.maxAbsDiff.toPrecision(3)}, max rel diff ${o.maxRelDiff.toPrecision(3)}, ${o.mismatches} element(s) out of tolerance`))
    .join('; ');
}

function withVerification(report: PipelineReport, checks: StepVerification[], feeds: FeedInfo[], rtol: number, atol: number): VerifiedReport {
  const first = checks.find((c) => !c.pass);
  const extra = new Map<number, Diagnostic[]>();
  const add = (index: number, d: Diagnostic) => extra.set(index, [...(extra.get(index) ?? []), Object.freeze(d)]);
  for (const c of checks) {
    if (c.error !== undefined) {
      add(c.index, { severity: 'warning', code: 'verify/cannot-run', transform: transformOf(report, c.index), message: `Could not run the graph after '${c.step}' to verify it: ${c.error}` });
    }
  }
  if (first) {
    add(first.index, {
      severity: 'error',
      code: 'verify/moved',
      transform: transformOf(report, first.index),
      message: `Step ${first.index + 1} '${first.step}' is the first whose outputs moved: ${describeMoved(first)}`,
      hint: `Tolerance |b - a| <= ${atol} + ${rtol} * |a| against the input graph's outputs`,
    });
  }
  const steps: StepReport[] = report.steps.map((s) => {
    const more = extra.get(s.index);
    return more ? Object.freeze({ ...s, diagnostics: Object.freeze([...s.diagnostics, ...more]) }) : s;
  });
  return Object.freeze({
    ...report,
    steps: Object.freeze(steps),
    diagnostics: Object.freeze(steps.flatMap((s) => s.diagnostics)),
    verification: Object.freeze(checks),
    ...(first ? { firstMoved: Object.freeze({ index: first.index, step: first.step }) } : {}),
    feeds: Object.freeze(feeds),
    rtol,
    atol,
  });
}

function transformOf(report: PipelineReport, index: number): string {
  return report.steps[index]?.transform ?? '';
}
