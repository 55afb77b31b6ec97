/**
 * Group `transforms`: the three structural cleanup transforms, alone and through the pipeline
 * runner, on a 10k-node and a 100k-node synthetic frozen CNN (`frozenCnnGraph` in
 * `synthetic.ts`), plus the graph queries the runner leans on.
 *
 * Per size:
 * - each transform's `apply` called directly, on the graph the previous one produced
 *   (`remove_nodes(op=Identity)` on the input, `merge_duplicate_nodes` on its output,
 *   `strip_unused_nodes` on that), with a minimal context;
 * - the same three through `runPipeline` (parse, resolve, validate the input and every step's
 *   output, report), and again with `validate: false` to split the framework's cost into
 *   validation and the rest;
 * - `validateGraph`, `graphIndex` and `executionOrder` alone.
 *
 * `graphIndex` is memoized per `Graph` instance, so every timed run gets a fresh instance of the
 * same nodes (`makeGraph(nodes, graph)`; the `fresh graph` row is what that copy costs):
 * otherwise every run after the warm-up would read the index the first one built, and the
 * direct applies would look cheaper than they are inside a pipeline.
 *
 * The summary under the table gives each case's 100k/10k ratio (linear cost is about 10×; the
 * issue's limit is about 12×) and the framework's overhead over the direct applies.
 */
import { type Graph, graphIndex, makeGraph } from '../src/ir/graph';
import { inputNodeName } from '../src/ir/node';
import { executionOrder } from '../src/ir/topo';
import { validateGraph } from '../src/ir/validate';
import type { Diagnostic, Transform, TransformContext } from '../src/transform/define';
import { applyDefaults } from '../src/transform/resolve';
import { type PipelineResult, runPipeline } from '../src/transform/runner';
import { mergeDuplicateNodes, removeNodes, stripUnusedNodes } from '../src/transforms/index';
import { type BenchCase, defineCase } from './case';
import type { Measurement } from './measure';
import { type FrozenCnnGraph, frozenCnnGraph } from './synthetic';

const GROUP = 'transforms';
/** What the pipeline cases run; the direct cases run the same three steps one by one. */
export const CLEANUP_PIPELINE = 'remove_nodes(op=Identity) merge_duplicate_nodes strip_unused_nodes';
/** The linearity limit: the 100k-node case may take at most about this many times the 10k one. */
const LINEAR_LIMIT = 12;

const SIZES = [
  { label: '10k', nodes: 10_000 },
  { label: '100k', nodes: 100_000 },
] as const;

/** Case names without the size prefix; the summary pairs the two sizes by these. */
const CASE = {
  fresh: 'fresh graph (makeGraph copy)',
  remove: 'remove_nodes(op=Identity) apply',
  merge: 'merge_duplicate_nodes apply',
  strip: 'strip_unused_nodes apply',
  pipeline: 'runPipeline, 3 steps',
  pipelineNoValidate: 'runPipeline, 3 steps, validate: false',
  validate: 'validateGraph',
  index: 'graphIndex',
  order: 'executionOrder',
} as const;

/** The graph at each stage of the cleanup, built once per size and shared by its cases. */
interface Stages {
  readonly model: FrozenCnnGraph;
  /** Output of `remove_nodes`: the input of the direct `merge_duplicate_nodes` case. */
  readonly removed: Graph;
  /** Output of `merge_duplicate_nodes` too: the input of the direct `strip_unused_nodes` case. */
  readonly merged: Graph;
}

/** A new instance with the same nodes: its `graphIndex` is not memoized yet. */
function fresh(graph: Graph): Graph {
  return makeGraph(graph.nodes, graph);
}

/** The context the runner gives a step, minus its bookkeeping: diagnostics and counters are collected and dropped. */
function minimalContext(model: FrozenCnnGraph): TransformContext {
  const diagnostics: Omit<Diagnostic, 'transform'>[] = [];
  const counters = new Map<string, number>();
  return {
    inputs: model.inputs,
    outputs: model.outputs,
    protectedNodes: new Set([...model.inputs, ...model.outputs].map(inputNodeName)),
    report: (d) => void diagnostics.push(d),
    count: (c, by = 1) => void counters.set(c, (counters.get(c) ?? 0) + by),
  };
}

/** `t.apply` with the schema's defaults filled in, as the runner calls it. */
function applyDirect(t: Transform, given: Readonly<Record<string, unknown>>, graph: Graph, model: FrozenCnnGraph): Graph {
  const out = t.apply(graph, applyDefaults(t, given) as never, minimalContext(model));
  if (out instanceof Promise) throw new Error(`${t.name} is async; this benchmark times synchronous transforms`);
  return out;
}

const REMOVE_PARAMS = Object.freeze({ op: Object.freeze(['Identity']) });
const NO_PARAMS = Object.freeze({});

function casesFor(label: string, nodeCount: number): BenchCase[] {
  let stages: Stages | undefined;
  const get = (): Stages => {
    if (stages === undefined) {
      const model = frozenCnnGraph(nodeCount);
      const removed = applyDirect(removeNodes, REMOVE_PARAMS, model.graph, model);
      const merged = applyDirect(mergeDuplicateNodes, NO_PARAMS, removed, model);
      stages = { model, removed, merged };
    }
    return stages;
  };
  // The last case of a size drops its graphs, so the next size's GCs do not walk them.
  const release = (): void => {
    stages = undefined;
  };
  const n = (s: string): string => `${label}: ${s}`;
  const count = (expected: (s: Stages) => number) => (s: Stages, g: Graph) => g.nodes.length === expected(s);
  const pipelineCase = (name: string, validate: boolean): BenchCase =>
    defineCase({
      group: GROUP,
      name: n(name),
      setup: get,
      run: (s): Promise<PipelineResult> => runPipeline(fresh(s.model.graph), CLEANUP_PIPELINE, { inputs: s.model.inputs, outputs: s.model.outputs, validate }),
      check: (s, r) => r.graph.nodes.length === s.model.expected.afterStrip && r.report.steps.every((st) => st.changed && !st.skipped),
    });

  return [
    defineCase({ group: GROUP, name: n(CASE.fresh), setup: get, run: (s) => fresh(s.model.graph), check: (s, g) => g !== s.model.graph && g.nodes.length === nodeCount }),
    defineCase({
      group: GROUP,
      name: n(CASE.remove),
      setup: get,
      run: (s) => applyDirect(removeNodes, REMOVE_PARAMS, fresh(s.model.graph), s.model),
      check: count((s) => s.model.expected.afterRemove),
    }),
    defineCase({
      group: GROUP,
      name: n(CASE.merge),
      setup: get,
      run: (s) => applyDirect(mergeDuplicateNodes, NO_PARAMS, fresh(s.removed), s.model),
      check: count((s) => s.model.expected.afterMerge),
    }),
    defineCase({
      group: GROUP,
      name: n(CASE.strip),
      setup: get,
      run: (s) => applyDirect(stripUnusedNodes, NO_PARAMS, fresh(s.merged), s.model),
      check: count((s) => s.model.expected.afterStrip),
    }),
    pipelineCase(CASE.pipeline, true),
    pipelineCase(CASE.pipelineNoValidate, false),
    defineCase({
      group: GROUP,
      name: n(CASE.validate),
      setup: get,
      run: (s) => validateGraph(fresh(s.model.graph), { required: [...s.model.inputs, ...s.model.outputs] }),
      check: (_s, problems) => problems.length === 0,
    }),
    defineCase({ group: GROUP, name: n(CASE.index), setup: get, run: (s) => graphIndex(fresh(s.model.graph)), check: (_s, idx) => idx.byName.size === nodeCount }),
    defineCase({
      group: GROUP,
      name: n(CASE.order),
      setup: get,
      run: (s) => executionOrder(s.model.graph),
      check: (_s, o) => o.order.length === nodeCount && o.inCycle.length === 0,
      teardown: release,
    }),
  ];
}

/** The `transforms` group: every case at 10k nodes, then at 100k. */
export const transformsCases: readonly BenchCase[] = SIZES.flatMap((s) => casesFor(`${s.label} nodes`, s.nodes));

function ms(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

/**
 * Lines printed under the table: the 100k/10k ratio of every case (median and min), and the
 * pipeline's overhead over the three direct applies, split into validation and the rest.
 */
export function transformsSummary(results: ReadonlyMap<string, Measurement>): string {
  const [small, big] = SIZES;
  const at = (size: string, name: string): Measurement | undefined => results.get(`${size} nodes: ${name}`);
  const lines: string[] = [`transforms: linearity (${big.label}/${small.label}; linear ≈ ${big.nodes / small.nodes}×, limit ≈ ${LINEAR_LIMIT}×)`];
  const rows: string[][] = [['case', `${small.label} ms`, `${big.label} ms`, 'ratio', 'min ratio', '']];
  for (const name of Object.values(CASE)) {
    const a = at(small.label, name);
    const b = at(big.label, name);
    if (!a || !b) continue;
    const ratio = b.medianMs / a.medianMs;
    rows.push([name, ms(a.medianMs), ms(b.medianMs), `${ratio.toFixed(1)}×`, `${(b.minMs / a.minMs).toFixed(1)}×`, ratio <= LINEAR_LIMIT ? 'ok' : 'SUPERLINEAR']);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) lines.push(`  ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}`.trimEnd());

  lines.push('', 'transforms: framework overhead = runPipeline − (remove + merge + strip applied directly)');
  for (const size of SIZES) {
    const parts = [CASE.remove, CASE.merge, CASE.strip].map((c) => at(size.label, c));
    const pipeline = at(size.label, CASE.pipeline);
    if (!pipeline || parts.some((p) => !p)) continue;
    const direct = parts.reduce((s, p) => s + p!.medianMs, 0);
    const over = pipeline.medianMs - direct;
    let line = `  ${size.label}: direct ${ms(direct)} ms, pipeline ${ms(pipeline.medianMs)} ms → overhead ${ms(over)} ms (${((100 * over) / direct).toFixed(0)} % of direct)`;
    const noValidate = at(size.label, CASE.pipelineNoValidate);
    if (noValidate) {
      const validation = pipeline.medianMs - noValidate.medianMs;
      line += `; validation ${ms(validation)} ms, parse/resolve/report ${ms(noValidate.medianMs - direct)} ms`;
    }
    lines.push(line);
  }
  return lines.join('\n');
}
