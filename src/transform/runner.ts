/**
 * Running a pipeline: TensorFlow's `TransformGraph` driver (spec/tf-tools-behaviour.md §2.3),
 * with a report.
 *
 * Per step, as TensorFlow does: run the transform on the current graph; with
 * `ignore_errors=true` an error keeps the step's input graph and carries on; the function
 * library of the step's input is put back; the result must be a valid graph, even when errors
 * are ignored. Where graft differs, deliberately:
 *
 * - The whole pipeline is resolved before any step runs, so an unknown transform, an unknown
 *   parameter or a bad value fails fast (TensorFlow finds them only when it gets there).
 * - The library is restored only when the transform lost it (returned a graph whose library is
 *   the shared `EMPTY_LIBRARY`, as `makeGraph` without a library gives); a transform that sets a
 *   library of its own keeps it. TensorFlow overwrites the library unconditionally.
 * - `versions` are restored the same way; TensorFlow drops them in every transform that
 *   rebuilds the graph.
 * - The input graph is validated too (with the inputs and outputs required), so a misspelled
 *   output fails before any step runs instead of being blamed on the first step.
 * - Each step gets the node names of the inputs and outputs as `ctx.protectedNodes`.
 * - Nothing is logged: an ignored error becomes an error-severity diagnostic in the report.
 */
import type { Graph } from '../ir/graph';
import type { Pipeline } from './pipeline';
import type { Registry } from './registry';
import type { PipelineReport, StepReport } from './report';

/** What hooks see about a step. */
export interface StepInfo {
  /** 0-based position. */
  readonly index: number;
  /** Number of steps in the pipeline. */
  readonly count: number;
  /** The name as written (may be an alias). */
  readonly name: string;
  /** The registered transform name. */
  readonly transform: string;
  /** The step in canonical transform syntax. */
  readonly call: string;
  /** The values `apply` receives (camelCase, defaults applied). */
  readonly params: Readonly<Record<string, unknown>>;
  readonly ignoreErrors: boolean;
  /** The step's input graph. */
  readonly graph: Graph;
}

/** The outcome of one step, for `afterStep`. */
export interface StepResult {
  /** The graph after the step (its input when skipped). */
  readonly graph: Graph;
  readonly report: StepReport;
}

/** Observers around each step (timing, dumping, tracing). They may be async; they are awaited. */
export interface PipelineHooks {
  beforeStep?(info: StepInfo): void | Promise<void>;
  afterStep?(info: StepInfo, result: StepResult): void | Promise<void>;
}

export interface RunOptions {
  /** Graph inputs (`--inputs`), verbatim; ports are kept. Default none. */
  readonly inputs?: readonly string[];
  /** Graph outputs (`--outputs`), verbatim. Default none. */
  readonly outputs?: readonly string[];
  /**
   * Where a transform string's names are looked up. Default a fresh `createRegistry()`. A
   * `Pipeline`'s steps were resolved when added (against its own registry): this does not apply.
   */
  readonly registry?: Registry;
  readonly hooks?: PipelineHooks;
  /** Validate the input graph and every step's output. Default true. */
  readonly validate?: boolean;
  /** Checked before every step and passed to transforms as `ctx.signal`. */
  readonly signal?: AbortSignal;
  /**
   * Reads a file a transform's parameter names (`freeze_requantization_ranges`'s
   * `min_max_log_file`), as `ctx.readFile`. Absent: such a transform fails, saying so (the core
   * touches no file system; tf-graft/node's `nodeFileSystem.readFile` is one).
   */
  readonly readFile?: (path: string) => Promise<Uint8Array>;
  /**
   * The tfjs backend for transforms that evaluate nodes (fold_constants): default wasm, which falls
   * back to cpu when it cannot start; the backend that ran is reported when it is not wasm.
   */
  readonly backend?: 'wasm' | 'cpu';
}

/** A run's result. */
export interface PipelineResult {
  readonly graph: Graph;
  readonly report: PipelineReport;
}

/**
 * Runs a pipeline (a `Pipeline` or a TensorFlow transform string) over a graph.
 *
 * @throws GraftError `transform/parse`, `transform/unknown`, `transform/unknown-param`,
 *   `transform/bad-param` before anything runs; a `graph/*` code when the input graph is invalid;
 *   `transform/failed` (the step's error as `cause`, its node kept) when a step throws without
 *   `ignore_errors`; `transform/invalid-output` when a step returns an invalid graph. An aborted
 *   `signal` rejects with the signal's reason.
 * @example
 * ```ts
 * const { graph, report } = await runPipeline(input, 'strip_unused_nodes fold_constants(ignore_errors=true)', {
 *   inputs: ['x'], outputs: ['y'],
 * });
 * console.log(formatReport(report));
 * ```
 */
export function runPipeline(graph: Graph, pipelineOrString: Pipeline | string, options: RunOptions = {}): Promise<PipelineResult> {
  // Not async itself: a suspended async function keeps its arguments as long as it runs, and the
  // run lets go of its input graph (see runHeld, in run-pipeline.ts).
  return runLoaded({ graph }, pipelineOrString, options);
}

/** Loads the run itself (run-pipeline.ts) on first use, so that it stays out of what the core loads on import (test/package/browser.test.ts), and hands it the graph. */
async function runLoaded(held: { graph: Graph | undefined }, pipelineOrString: Pipeline | string, options: RunOptions): Promise<PipelineResult> {
  const { runHeld } = await import('./run-pipeline');
  return runHeld(held, pipelineOrString, options);
}
