/**
 * The context a transform's `apply` receives: the one place that turns `ctx.report` and
 * `ctx.count` into diagnostics and counters (checked against what the transform declares, codes
 * prefixed with its name) and runs a nested transform as a sub-step. The runner and the test
 * helpers both build contexts here.
 */
import { GraftError } from '../errors';
import type { Diagnostic } from '../diagnostics';
import type { Graph } from '../ir/graph';
import { graphProblem } from '../ir/check';
import { type ParamInput, type ParamSchema, type ReportInput, type Transform, type TransformContext, isBuiltinTransform, transformLoaded } from './define';
import { applyDefaults, convertObjectParams, printStepCall } from './params';
import type { SubstepReport } from './report';

/** Where a context puts what the transform reports. */
export interface ContextSink {
  report(d: Diagnostic): void;
  count(counter: string, by: number): void;
  substep(r: SubstepReport): void;
}

/** The graph's inputs and outputs as a context sees them. */
export interface ContextOptions {
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly protectedNodes: ReadonlySet<string>;
  readonly signal?: AbortSignal;
  readonly readFile?: (path: string) => Promise<Uint8Array>;
  readonly backend?: 'wasm' | 'cpu';
}

const now: () => number = () => globalThis.performance.now();

/** The full code of a report: `<transform>/<code>` for a declared code, else the code as written. */
function fullCode(transform: Transform, code: string): string {
  if (transform.codes === undefined) return code;
  if (!Object.hasOwn(transform.codes, code)) {
    throw new Error(`${transform.name} reported the code '${code}', which it does not declare (declared: ${Object.keys(transform.codes).join(', ') || 'none'})`);
  }
  return `${transform.name}/${code}`;
}

/**
 * A context for running `transform`, reporting into `sink`.
 *
 * @example
 * ```ts
 * const diagnostics: Diagnostic[] = [];
 * const ctx = createTransformContext(foldConstants, { inputs: [], outputs: ['y'], protectedNodes: new Set(['y']) }, {
 *   report: (d) => diagnostics.push(d), count: () => {}, substep: () => {},
 * });
 * ```
 */
export function createTransformContext(transform: Transform, options: ContextOptions, sink: ContextSink): TransformContext {
  const ctx: TransformContext = {
    inputs: options.inputs,
    outputs: options.outputs,
    protectedNodes: options.protectedNodes,
    ...(options.readFile !== undefined ? { readFile: options.readFile } : {}),
    ...(options.backend !== undefined ? { backend: options.backend } : {}),
    report(d: ReportInput) {
      const severity = d.severity ?? transform.codes?.[d.code]?.severity ?? 'info';
      sink.report(Object.freeze({ ...d, severity, code: fullCode(transform, d.code), transform: transform.name }));
    },
    count(counter: string, by = 1) {
      if (transform.counters !== undefined && !Object.hasOwn(transform.counters, counter)) {
        throw new Error(`${transform.name} counted '${counter}', which it does not declare (declared: ${Object.keys(transform.counters).join(', ') || 'none'})`);
      }
      sink.count(counter, by);
    },
    run<P extends ParamSchema>(inner: Transform<P, string, string>, graph: Graph, params: ParamInput<P> = {} as ParamInput<P>): Graph {
      const given = convertObjectParams(inner as Transform, params as Readonly<Record<string, unknown>>, `${transform.name} running ${inner.name}`).given;
      const diagnostics: Diagnostic[] = [];
      const counters: Record<string, number> = {};
      const substeps: SubstepReport[] = [];
      const innerCtx = createTransformContext(inner as Transform, options, {
        report: (d) => diagnostics.push(d),
        count: (c, by) => void (counters[c] = (counters[c] ?? 0) + by),
        substep: (r) => substeps.push(r),
      });
      if (!transformLoaded(inner as Transform)) {
        // Only a direct call of `apply` gets here: the runner and `applyTransform` load first.
        throw new GraftError('transform/failed', `${transform.name} ran ${inner.name} as a sub-step before ${inner.name} was loaded (built-in transforms load on first use)`, {
          hint: 'Run it in a pipeline (runPipeline), or with applyTransform from tf-graft/testing, which load the built-ins first.',
        });
      }
      const t0 = now();
      const out = inner.apply(graph, applyDefaults(inner as Transform, given) as never, innerCtx);
      if (out instanceof Promise) {
        throw new GraftError('transform/failed', `${transform.name} ran ${inner.name} as a sub-step, but ${inner.name} is asynchronous`);
      }
      if (out !== graph && !isBuiltinTransform(inner as Transform)) {
        // A transform of the caller's own is checked here as the runner checks a step's result.
        const problem = graphProblem(out, 'its result');
        if (problem) throw new GraftError('transform/invalid-output', `${transform.name} ran ${inner.name} as a sub-step, which returned a malformed graph: ${problem}`);
      }
      sink.substep(
        Object.freeze({
          transform: inner.name,
          call: printStepCall(inner.name, inner as Transform, given, false),
          changed: out !== graph,
          ms: now() - t0,
          nodesBefore: graph.nodes.length,
          nodesAfter: out.nodes.length,
          counters: Object.freeze(counters),
          diagnostics: Object.freeze(diagnostics),
          ...(substeps.length > 0 ? { substeps: Object.freeze(substeps) } : {}),
        }),
      );
      return out;
    },
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  };
  return Object.freeze(ctx);
}
