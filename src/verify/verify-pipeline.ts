/**
 * A pipeline run that checks the numbers after every step that changed the graph, and names the
 * first step whose outputs moved beyond the tolerance.
 *
 * Composed over `runPipeline`'s `afterStep` hook: the input graph is run once to get reference
 * outputs; after each changed step the new graph is run on the same inputs and compared with
 * that reference (not with the previous step, so drift that builds up over several steps is
 * caught at the step where it crosses the tolerance). Steps that did not change the graph, or
 * whose error was ignored, are not run again.
 */
import { GraftError, isGraftError } from '../errors';
import type { Graph } from '../ir/graph';
import type { Tensor } from '../ir/tensor';
import type { Backend, KernelRegistry, Session } from '../runtime/index';
import type { Diagnostic } from '../diagnostics';
import type { Pipeline } from '../transform/pipeline';
import type { PipelineReport, StepReport } from '../transform/report';
import { type PipelineResult, type RunOptions, runPipeline } from '../transform/runner';
import { type FeedInfo, type OutputComparison, buildFeeds, compareOutputs, feedsFor, resolveTolerance } from './compare';
import { checkGraphShallow, checkObject } from '../ir/check';

/** What to check after each step. */
export interface VerifyOptions {
  /** Given inputs; the other placeholders are generated from `seed`. */
  readonly feeds?: Readonly<Record<string, Tensor>>;
  /** Default 1. */
  readonly seed?: number;
  /** Size of unknown dimensions in generated inputs. Default 1. */
  readonly batch?: number;
  /** Default 1e-4. */
  readonly rtol?: number;
  /** Default 1e-5. */
  readonly atol?: number;
  readonly backend?: Backend;
  readonly variables?: ReadonlyMap<string, Tensor>;
  readonly kernels?: KernelRegistry;
}

export interface VerifiedRunOptions extends RunOptions {
  readonly verify: VerifyOptions;
}

/** The check after one step. */
export interface StepVerification {
  /** 0-based step index. */
  readonly index: number;
  /** The step in canonical syntax. */
  readonly step: string;
  /** The step's outputs against the input graph's; empty when the graph could not run. */
  readonly outputs: readonly OutputComparison[];
  readonly pass: boolean;
  /** Why the step's graph could not be run, if it could not. */
  readonly error?: string;
}

export interface VerifiedReport extends PipelineReport {
  /** One entry per step that changed the graph. */
  readonly verification: readonly StepVerification[];
  /** The first step whose outputs moved beyond the tolerance, if any. */
  readonly firstMoved?: { readonly index: number; readonly step: string };
  readonly feeds: readonly FeedInfo[];
  readonly rtol: number;
  readonly atol: number;
}

export interface VerifiedResult extends PipelineResult {
  readonly report: VerifiedReport;
}

/**
 * Runs a pipeline like `runPipeline`, checking the outputs after each step that changed the
 * graph. The report gains `verification` (per step), `firstMoved`, and an error diagnostic
 * `verify/moved` on the first step whose outputs moved (`verify/cannot-run` warnings for steps
 * whose graph the runtime could not run). It does not throw on a mismatch: the graph is still
 * returned, and the caller decides.
 *
 * @throws GraftError as `runPipeline`; `verify/...` never; a runtime error when the input graph
 *   itself cannot be run (without a reference there is nothing to verify against).
 * @example
 * ```ts
 * const { graph, report } = await runPipelineVerified(g, 'remove_nodes(op=Identity) fold_constants', {
 *   inputs: ['x'], outputs: ['y'], verify: { seed: 1, rtol: 1e-4, atol: 1e-5 },
 * });
 * if (report.firstMoved) console.error(`step ${report.firstMoved.step} changed the outputs`);
 * ```
 */
export async function runPipelineVerified(graph: Graph, pipeline: Pipeline | string, options: VerifiedRunOptions): Promise<VerifiedResult> {
  checkGraphShallow('runPipelineVerified', 'graph', graph);
  checkObject('runPipelineVerified', 'options', options, 'an options object with verify');
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
