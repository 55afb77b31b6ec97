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
import type { Graph } from '../ir/graph';
import type { Tensor } from '../ir/tensor';
import type { Backend, KernelRegistry } from '../runtime/index';
import type { Pipeline } from '../transform/pipeline';
import type { PipelineReport } from '../transform/report';
import type { PipelineResult, RunOptions } from '../transform/runner';
import type { FeedInfo, OutputComparison } from './compare';
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
  // The run itself loads on first use: it stays out of what the core loads on import
  // (test/package/browser.test.ts).
  const { verifiedRun } = await import('./verified-run');
  return verifiedRun(graph, pipeline, options);
}
