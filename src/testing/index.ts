/**
 * tf-graft/testing: what an author of a custom transform needs to test it, with any test runner
 * (the checks throw an `Error` saying what is wrong; nothing here depends on vitest or jest).
 *
 * - Building graphs that read like the graph: `graphBuilder` (placeholders, consts, ops by name),
 *   `iota` for 1..n tensors.
 * - TensorFlow's naming oracle from its transform tests: nodes named `*_expect_removed` must be
 *   gone after the transform, nodes named `*_expect_remains` must still be there, once
 *   (`expectRemoved`, `expectRemains`, `checkNameOracle` for both at once).
 * - Running one transform directly (`applyTransform`): parameters defaulted from its schema, a
 *   context that records what it reports and counts.
 * - Golden cases (`runGoldenCase`, `expectGolden`): an input graph, a pipeline, the expected graph,
 *   compared as canonical GraphDef text.
 *
 * @example
 * ```ts
 * import { graphBuilder, applyTransform, expectRemoved, expectRemains } from 'tf-graft/testing';
 * const b = graphBuilder();
 * const x = b.placeholder('x', 'float', [2]);
 * const i = b.op('Identity', [x], {}, 'id_expect_removed');
 * b.op('Neg', [i], {}, 'y_expect_remains');
 * const { graph, counters } = await applyTransform(myTransform, b.graph(), {}, { outputs: ['y_expect_remains'] });
 * expectRemoved(graph, 'id_expect_removed');
 * expectRemains(graph, 'y_expect_remains', 'x');
 * ```
 */
import { protectedNodeNames } from '../ir/edit';
import type { DType } from '../ir/dtype';
import type { Graph } from '../ir/graph';
import type { Node } from '../ir/node';
import { type Tensor, makeTensor } from '../ir/tensor';
import { parseGraphDefText, printGraphDefText } from '../io/graphdef';
import { createTransformContext } from '../transform/context';
import { type Diagnostic, type ParamInput, type ParamSchema, type ParamValues, type Transform, type TransformContext, camelCase, defineTransform, isBuiltinTransform, loadAllTransforms, loadTransform } from '../transform/define';
import type { Pipeline } from '../transform/pipeline';
import type { Registry } from '../transform/registry';
import type { SubstepReport } from '../transform/report';
import { runPipeline } from '../transform/runner';
import { checkFields, checkGraphShallow, checkObject, checkOptions, checkString, checkStringsArgument } from '../ir/check';

export { graphBuilder, type GraphBuilder, type NodeOptions } from '../ir/builder';

// ---------------------------------------------------------------- graphs

/** A tensor 1..n (TensorFlow tests' `test::FillIota`), or from `start`; float unless `dtype`. */
export function iota(n: number, start = 1, dtype: DType = 'float'): Tensor {
  return makeTensor(dtype, [n], Array.from({ length: n }, (_, i) => start + i));
}

/** The names of a graph's nodes, in order. */
export function nodeNames(graph: Graph): string[] {
  checkGraphShallow('nodeNames', 'graph', graph);
  return graph.nodes.map((n) => n.name);
}

/** The node called `name`; throws, listing the nodes there are, when there is none. */
export function nodeOf(graph: Graph, name: string): Node {
  checkGraphShallow('nodeOf', 'graph', graph);
  checkString('nodeOf', 'name', name);
  const n = graph.nodes.find((x) => x.name === name);
  if (!n) throw new Error(`no node '${name}' in the graph (nodes: ${nodeNames(graph).join(', ') || 'none'})`);
  return n;
}

/** A deterministic text of a whole graph: equal before and after shows a transform did not mutate its input. */
export function snapshot(graph: Graph): string {
  return JSON.stringify(graph, (_k, v: unknown) => {
    if (typeof v === 'bigint') return `${v}n`;
    if (v instanceof Uint8Array) return `bytes:${Array.from(v).join(',')}`;
    return v;
  });
}

// ---------------------------------------------------------------- the naming oracle

/**
 * TensorFlow's naming oracle, as a list of problems (empty when it holds): no node of `after`
 * ends in `expect_removed`, and each node of `before` ending in `expect_remains` is in `after`
 * exactly once.
 */
export function checkNameOracle(before: Graph, after: Graph): string[] {
  checkGraphShallow('checkNameOracle', 'before', before);
  checkGraphShallow('checkNameOracle', 'after', after);
  const problems: string[] = [];
  const names = nodeNames(after);
  for (const n of names) if (n.endsWith('expect_removed')) problems.push(`${n} survived`);
  for (const n of nodeNames(before)) {
    if (n.endsWith('expect_remains') && names.filter((x) => x === n).length !== 1) problems.push(`${n} missing`);
  }
  return problems;
}

/** Throws unless none of `names` is a node of `graph` (with no names: none ending in `expect_removed`). */
export function expectRemoved(graph: Graph, ...names: string[]): void {
  const present = new Set(nodeNames(graph));
  const survived = names.length > 0 ? names.filter((n) => present.has(n)) : [...present].filter((n) => n.endsWith('expect_removed'));
  if (survived.length > 0) throw new Error(`expected removed, but still in the graph: ${survived.join(', ')}`);
}

/** Throws unless each of `names` is a node of `graph`, exactly once (with no names: those ending in `expect_remains`, which then must exist). */
export function expectRemains(graph: Graph, ...names: string[]): void {
  const all = nodeNames(graph);
  const wanted = names.length > 0 ? names : all.filter((n) => n.endsWith('expect_remains'));
  if (wanted.length === 0) throw new Error('expectRemains: no names given and no node ends in expect_remains');
  const problems = wanted.flatMap((n) => {
    const k = all.filter((x) => x === n).length;
    return k === 1 ? [] : [k === 0 ? `${n} is missing` : `${n} is there ${k} times`];
  });
  if (problems.length > 0) throw new Error(`expected to remain: ${problems.join('; ')}`);
}

// ---------------------------------------------------------------- running one transform

/** A transform context that records what the transform reports and counts. */
export interface RecordingContext extends TransformContext {
  readonly reports: Diagnostic[];
  readonly counters: Map<string, number>;
  readonly substeps: SubstepReport[];
}

/** Stands in for the transform when a test calls a transform's helpers directly. */
const ANY = defineTransform({ name: 'test_context', summary: 'A context without a transform', params: {}, apply: (g) => g });

/**
 * A context for calling `transform.apply` (or a helper taking a context) directly: the graph's
 * inputs and outputs as a pipeline would give them, and records of reports, counters, sub-steps.
 */
export function recordingContext(o: { inputs?: readonly string[]; outputs?: readonly string[]; transform?: Transform; readFile?: (path: string) => Promise<Uint8Array> } = {}): RecordingContext {
  checkOptions('recordingContext', 'o', o);
  if (o.inputs !== undefined) checkStringsArgument('recordingContext', 'o.inputs', o.inputs);
  if (o.outputs !== undefined) checkStringsArgument('recordingContext', 'o.outputs', o.outputs);
  const inputs = o.inputs ?? [];
  const outputs = o.outputs ?? [];
  const reports: Diagnostic[] = [];
  const counters = new Map<string, number>();
  const substeps: SubstepReport[] = [];
  const ctx = createTransformContext(
    o.transform ?? ANY,
    { inputs, outputs, protectedNodes: protectedNodeNames(inputs, outputs), ...(o.readFile ? { readFile: o.readFile } : {}) },
    {
      report: (d) => reports.push(o.transform ? d : { ...d, transform: undefined as never }),
      count: (c, by) => counters.set(c, (counters.get(c) ?? 0) + by),
      substep: (s) => substeps.push(s),
    },
  );
  return { ...ctx, reports, counters, substeps };
}

/** The camelCase parameter values `apply` receives, with the schema's defaults filled in. */
export function paramsWithDefaults<P extends ParamSchema>(t: Transform<P>, partial: ParamInput<P> = {}): ParamValues<P> {
  checkFields('paramsWithDefaults', 't', t, { name: 'string', params: 'object', apply: 'function' }, 'a Transform (defineTransform)');
  checkOptions('paramsWithDefaults', 'partial', partial);
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(t.params)) {
    const k = camelCase(key);
    const given = (partial as Record<string, unknown>)[k];
    if (given !== undefined) out[k] = spec.repeated && !Array.isArray(given) ? [given] : given;
    else if (spec.default !== undefined) out[k] = spec.default;
    else if (spec.repeated) out[k] = [];
  }
  return out as ParamValues<P>;
}

/** What `applyTransform` returns: the graph and what the transform reported and counted. */
export interface AppliedTransform {
  readonly graph: Graph;
  readonly reports: readonly Diagnostic[];
  readonly counters: ReadonlyMap<string, number>;
  readonly context: RecordingContext;
}

/**
 * Runs one transform on `graph` (sync or async `apply`), its parameters defaulted from its schema,
 * with a recording context: no pipeline, no validation, so a test sees exactly what `apply` did.
 */
export async function applyTransform<P extends ParamSchema>(
  t: Transform<P>,
  graph: Graph,
  params: ParamInput<P> = {},
  ends: { inputs?: readonly string[]; outputs?: readonly string[]; readFile?: (path: string) => Promise<Uint8Array> } = {},
): Promise<AppliedTransform> {
  checkFields('applyTransform', 't', t, { name: 'string', params: 'object', apply: 'function' }, 'a Transform (defineTransform)');
  checkGraphShallow('applyTransform', 'graph', graph);
  checkOptions('applyTransform', 'params', params);
  checkOptions('applyTransform', 'ends', ends);
  // As the runner does: the built-ins load on first use, and a transform of one's own may run any of them.
  if (!isBuiltinTransform(t as unknown as Transform)) await loadAllTransforms();
  await loadTransform(t as unknown as Transform);
  const context = recordingContext({ ...ends, transform: t as unknown as Transform });
  const out = await t.apply(graph, paramsWithDefaults(t, params), context);
  return { graph: out, reports: context.reports, counters: context.counters, context };
}

// ---------------------------------------------------------------- golden cases

/** A golden case: an input graph, a pipeline, and the graph it must give. */
export interface GoldenCase {
  /** The input graph, or its GraphDef text (`.pbtxt`). */
  readonly input: Graph | string;
  /** The pipeline (transform string or builder). */
  readonly pipeline: string | Pipeline;
  readonly inputs?: readonly string[];
  readonly outputs?: readonly string[];
  /** The expected graph, or its GraphDef text. */
  readonly expected: Graph | string;
  /** Where custom transforms are looked up (a registry holding them). */
  readonly registry?: Registry;
}

/** The outcome of a golden case: both graphs as canonical GraphDef text. */
export interface GoldenResult {
  readonly actual: string;
  readonly expected: string;
  readonly equal: boolean;
  readonly graph: Graph;
}

const canonical = (g: Graph | string): string => printGraphDefText(typeof g === 'string' ? parseGraphDefText(g) : g);

/**
 * Runs a golden case's pipeline on its input and compares the result with the expected graph, both
 * printed as canonical GraphDef text (attribute and field order do not matter). To record a case,
 * write `actual` to the expected file and review it.
 */
export async function runGoldenCase(c: GoldenCase): Promise<GoldenResult> {
  checkObject('runGoldenCase', 'c', c, 'a GoldenCase ({ input, pipeline, expected })');
  if (typeof c.input !== 'string') checkGraphShallow('runGoldenCase', 'c.input', c.input);
  if (typeof c.expected !== 'string') checkGraphShallow('runGoldenCase', 'c.expected', c.expected);
  const input = typeof c.input === 'string' ? parseGraphDefText(c.input) : c.input;
  const { graph } = await runPipeline(input, c.pipeline, {
    inputs: c.inputs ?? [],
    outputs: c.outputs ?? [],
    ...(c.registry ? { registry: c.registry } : {}),
  });
  const actual = printGraphDefText(graph);
  const expected = canonical(c.expected);
  return { actual, expected, equal: actual === expected, graph };
}

/** `runGoldenCase`, throwing when the result differs, with the first differing line of each. */
export async function expectGolden(c: GoldenCase): Promise<GoldenResult> {
  const r = await runGoldenCase(c);
  if (!r.equal) {
    const a = r.actual.split('\n');
    const e = r.expected.split('\n');
    let i = 0;
    while (i < a.length && i < e.length && a[i] === e[i]) i++;
    throw new Error(`golden case differs at line ${i + 1}:\n  expected: ${e[i] ?? '(end)'}\n  actual:   ${a[i] ?? '(end)'}`);
  }
  return r;
}
