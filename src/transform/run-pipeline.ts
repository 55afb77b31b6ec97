/**
 * The body of `runPipeline` (runner.ts declares it, its options and its result, and says where
 * graft differs from TensorFlow), loaded with `import()` on the first run.
 */
import { GraftError, describeValue, isGraftError } from '../errors';
import { EMPTY_LIBRARY, makeGraph, type Graph } from '../ir/graph';
import { protectedNodeNames } from '../ir/edit';
import { validateGraph, type ValidationProblem } from '../ir/validate';
import { camelCase, isBuiltinTransform, loadAllTransforms, loadTransform, type Diagnostic } from './define';
import { payloadChecksum } from '../ir/checksum';
import { graphProblem } from '../ir/check';
import { parsePipeline, Pipeline, resolvePipeline, type ResolvedStep } from './pipeline';
import { stepDiagnostics, type PipelineReport, type StepReport, type SubstepReport } from './report';
import { createTransformContext } from './context';
import type { PipelineResult, RunOptions, StepInfo } from './runner';

const now: () => number = () => globalThis.performance.now();

/** V8's words for a write that a frozen object or a read-only proxy refused. */
const FROZEN_WRITE = /read only property|object is not extensible|Cannot delete property|Cannot add property|Cannot redefine property|on proxy: trap returned falsish/;

function describeProblems(problems: readonly ValidationProblem[]): string {
  const shown = problems.slice(0, 5).map((p) => p.message);
  if (problems.length > shown.length) shown.push(`and ${problems.length - shown.length} more`);
  return shown.join('; ');
}

function isGraph(value: unknown): value is Graph {
  return typeof value === 'object' && value !== null && Array.isArray((value as { nodes?: unknown }).nodes);
}

/** Puts back the library and versions a transform lost by rebuilding the graph from scratch. */
function carryThrough(input: Graph, output: Graph): Graph {
  const lostLibrary = output.library === EMPTY_LIBRARY && input.library !== EMPTY_LIBRARY;
  const lostVersions = output.versions === null && input.versions !== null;
  if (!lostLibrary && !lostVersions) return output;
  return makeGraph(output.nodes, {
    library: lostLibrary ? input.library : output.library,
    versions: lostVersions ? input.versions : output.versions,
    ...(output.extras !== undefined ? { extras: output.extras } : {}),
  });
}

function stepsBefore(reports: readonly StepReport[]): string {
  if (reports.length === 0) return 'No step ran before it.';
  return `Steps that ran before it: ${reports.map((r) => `${r.index + 1}. ${r.call}${r.skipped ? ' (error ignored)' : ''}`).join(', ')}.`;
}

/** Diagnostics the runner adds before a step runs: alias use, unmet soft requirements, deprecated parameters. */
function preStepDiagnostics(step: ResolvedStep, earlier: readonly ResolvedStep[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const t = step.transform;
  if (step.viaAlias !== undefined) {
    out.push({
      severity: 'warning',
      code: 'registry/deprecated-alias',
      transform: t.name,
      message: `'${step.name}' is a deprecated alias of '${t.name}'`,
      hint: step.viaAlias.deprecated ?? `write '${t.name}'`,
    });
  }
  for (const r of t.requires) {
    if (!earlier.some((e) => e.transform.name === r || e.name === r)) {
      out.push({ severity: 'info', code: 'pipeline/missing-requirement', transform: t.name, message: `'${t.name}' usually runs after '${r}', which is not earlier in this pipeline` });
    }
  }
  for (const [key, spec] of Object.entries(t.params)) {
    if (spec.deprecated !== undefined && Object.hasOwn(step.given, camelCase(key))) {
      out.push({ severity: 'warning', code: 'pipeline/deprecated-param', transform: t.name, message: `The ${key} parameter of '${t.name}' is deprecated: ${spec.deprecated}` });
    }
  }
  return out;
}

/** `runPipeline`, loaded: takes the graph out of `held`, so that only the run holds it (see runPipeline). */
export async function runHeld(held: { graph: Graph | undefined }, pipelineOrString: Pipeline | string, options: RunOptions): Promise<PipelineResult> {
  let graph = held.graph!;
  held.graph = undefined;
  const problem = graphProblem(graph, 'graph');
  if (problem) throw new GraftError('api/bad-argument', `runPipeline: ${problem}`, { param: 'graph' });
  if (typeof pipelineOrString !== 'string' && !(pipelineOrString instanceof Pipeline)) {
    throw new GraftError('api/bad-argument', `runPipeline: pipeline must be a Pipeline or a transform string, not ${pipelineOrString === null ? 'null' : typeof pipelineOrString}`, { param: 'pipeline' });
  }
  if (typeof options !== 'object' || options === null) throw new GraftError('api/bad-argument', 'runPipeline: options must be an object', { param: 'options' });
  const start = now();
  const signal = options.signal;
  signal?.throwIfAborted();

  const p = typeof pipelineOrString === 'string' ? parsePipeline(pipelineOrString, options.registry) : pipelineOrString;
  if (!(p instanceof Pipeline)) throw new GraftError('transform/parse', 'runPipeline expects a Pipeline or a transform string');
  const steps = resolvePipeline(p);
  // The built-ins' bodies load on first use (`lazyApply`): load what the steps run before any
  // step is timed. A transform of the caller's own may run any built-in with `ctx.run`, so a
  // pipeline holding one loads them all.
  if (steps.some((s) => !isBuiltinTransform(s.transform))) await loadAllTransforms();
  await Promise.all(steps.map((s) => loadTransform(s.transform)));

  const inputs = Object.freeze([...(options.inputs ?? [])]);
  const outputs = Object.freeze([...(options.outputs ?? [])]);
  // TensorFlow keeps empty tokens of `--inputs=a,,b`; they name no node.
  const required = [...inputs, ...outputs].filter((n) => n !== '');
  const protectedNodes: ReadonlySet<string> = protectedNodeNames(inputs, outputs);
  const validate = options.validate !== false;

  if (validate) {
    const problems = validateGraph(graph, { required });
    if (problems.length > 0) {
      const first = problems[0] as ValidationProblem;
      throw new GraftError(first.code, `The input graph is invalid before any step ran: ${describeProblems(problems)}`, { node: first.node });
    }
  }

  let current = graph;
  const nodesBefore = graph.nodes.length;
  // Only `current` holds a graph from here: once a step has its output, the graph before it (and
  // its indexes) can be freed, unless the caller keeps it.
  graph = undefined!;
  const reports: StepReport[] = [];
  for (const [index, step] of steps.entries()) {
    signal?.throwIfAborted();
    const info: StepInfo = Object.freeze({
      index,
      count: steps.length,
      name: step.name,
      transform: step.transform.name,
      call: step.call,
      params: step.params,
      ignoreErrors: step.ignoreErrors,
      graph: current,
    });
    await options.hooks?.beforeStep?.(info);

    const diagnostics = preStepDiagnostics(step, steps.slice(0, index));
    const counters: Record<string, number> = {};
    const substeps: SubstepReport[] = [];
    const ctx = createTransformContext(step.transform, { inputs, outputs, protectedNodes, ...(signal !== undefined ? { signal } : {}), ...(options.readFile !== undefined ? { readFile: options.readFile } : {}), ...(options.backend !== undefined ? { backend: options.backend } : {}) }, {
      report: (d) => diagnostics.push(d),
      count: (c, by) => void (counters[c] = (counters[c] ?? 0) + by),
      substep: (s) => substeps.push(s),
    });
    const label = `step ${index + 1} of ${steps.length}, ${step.call}`;

    let result: unknown;
    let skipped = false;
    // A transform of the caller's own is checked: its result's shape, and that it left its
    // input alone (typed arrays cannot be frozen; built-ins never write into them).
    const trusted = isBuiltinTransform(step.transform);
    const before = trusted ? 0 : payloadChecksum(current);
    const t0 = now();
    try {
      // `apply` may answer with a promise (transforms that evaluate nodes); awaiting takes both.
      result = await step.transform.apply(current, step.params as never, ctx);
    } catch (e) {
      if (signal?.aborted) throw signal.reason;
      if (!trusted && e instanceof TypeError && FROZEN_WRITE.test(e.message)) {
        // The write was refused (the graph is frozen), so the input is intact; say what happened in
        // graft's words rather than JavaScript's (the original error stays as the cause).
        throw new GraftError(
          'transform/mutated-input',
          `${label} tried to change the graph it was given in place (a frozen node, attribute, array or graph refused the write); a transform must return a new graph and leave its input as it was\n${stepsBefore(reports)}`,
          { cause: e, hint: 'Build changed nodes with makeNode (or updateGraph/withNodes for the graph) instead of assigning to the ones given.' },
        );
      }
      const message = e instanceof Error ? e.message : String(e);
      const node = isGraftError(e) ? e.node : undefined;
      if (!step.ignoreErrors) {
        throw new GraftError('transform/failed', `${label} failed: ${message}\n${stepsBefore(reports)}`, {
          cause: e,
          ...(node !== undefined ? { node } : {}),
          ...(isGraftError(e) && e.op !== undefined ? { op: e.op } : {}),
          ...(isGraftError(e) && e.hint !== undefined ? { hint: e.hint } : {}),
        });
      }
      diagnostics.push(
        Object.freeze({
          severity: 'error' as const,
          code: 'pipeline/ignored-error',
          transform: step.transform.name,
          ...(node !== undefined ? { node } : {}),
          message: `${step.transform.name}: Ignoring error ${message}`,
          hint: 'ignore_errors=true kept the graph from before this step',
        }),
      );
      result = current;
      skipped = true;
    }
    const ms = now() - t0;
    if (!trusted && payloadChecksum(current) !== before) {
      throw new GraftError(
        'transform/mutated-input',
        `${label} changed the graph it was given (a value inside a node, an attribute or a tensor written in place); a transform must return a new graph and leave its input as it was\n${stepsBefore(reports)}`,
        { hint: 'Copy a payload before changing it (new Uint8Array(bytes)) and build new nodes with makeNode; the caller\'s graph is now changed too.' },
      );
    }
    if (!isGraph(result)) {
      throw new GraftError('transform/invalid-output', `${label} returned ${describeValue(result)} instead of a graph\n${stepsBefore(reports)}`);
    }
    if (!trusted && result !== current) {
      const problem = graphProblem(result, 'its result');
      if (problem) throw new GraftError('transform/invalid-output', `${label} returned a malformed graph: ${problem}\n${stepsBefore(reports)}`);
    }
    let output: Graph = result;
    const changed = output !== current;
    if (changed) output = carryThrough(current, output);

    if (validate && changed) {
      // TensorFlow checks validity even when the step's errors are ignored; a skipped step
      // returns its (already valid) input, so only changed graphs need checking.
      const problems = validateGraph(output, { required, previous: current });
      if (problems.length > 0) {
        const first = problems[0] as ValidationProblem;
        throw new GraftError('transform/invalid-output', `${label} produced an invalid graph: ${describeProblems(problems)}\n${stepsBefore(reports)}`, { node: first.node });
      }
    }

    const report: StepReport = Object.freeze({
      index,
      name: step.name,
      transform: step.transform.name,
      call: step.call,
      params: step.params,
      ignoreErrors: step.ignoreErrors,
      changed,
      skipped,
      ms,
      nodesBefore: current.nodes.length,
      nodesAfter: output.nodes.length,
      counters: Object.freeze(counters),
      diagnostics: Object.freeze(diagnostics),
      ...(substeps.length > 0 ? { substeps: Object.freeze(substeps) } : {}),
    });
    reports.push(report);
    current = output;
    await options.hooks?.afterStep?.(info, Object.freeze({ graph: current, report }));
  }

  const report: PipelineReport = Object.freeze({
    steps: Object.freeze(reports),
    ms: now() - start,
    nodesBefore,
    nodesAfter: current.nodes.length,
    diagnostics: Object.freeze(reports.flatMap(stepDiagnostics)),
  });
  return Object.freeze({ graph: current, report });
}
