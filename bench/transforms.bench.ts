/**
 * Group `transforms`: the three structural cleanup transforms, alone and through the pipeline
 * runner, on a 10k-node and a 100k-node synthetic frozen CNN (`frozenCnnGraph` in
 * `synthetic.ts`), plus the graph queries the runner leans on.
 *
 * Per size:
 * - each transform's `apply` called directly, on the graph the previous one produced
 *   (`remove_nodes(op=Identity)` on the input, `merge_duplicate_nodes` on its output,
 *   `strip_unused_nodes` on that), with a minimal context;
 * - a round of three arms, interleaved (the order rotates every round): the three direct applies
 *   in a row, the same three through `runPipeline` (parse, resolve, validate the input and every
 *   step's output, report), and `runPipeline` with `validate: false`, which splits the
 *   framework's cost into validation and the rest. Paired in one round, the differences survive
 *   a loaded machine better than medians of separate cases would;
 * - `validateGraph`, `graphIndex` and `executionOrder` alone;
 * - a calibration: a plain `Map` from node name to node, every input looked up in it. It is
 *   linear by construction, so its 100k/10k ratio is what linear costs on this machine (more
 *   than 10×: at 100k the maps and nodes no longer fit the caches and GC walks a bigger heap).
 *
 * `graphIndex` and `executionOrder` are memoized per node list, so every timed run gets a fresh instance of the
 * same nodes (`makeGraph(nodes, graph)`; the `fresh graph` row is what that copy costs):
 * otherwise every run after the warm-up would read the index the first one built, and the
 * direct applies would look cheaper than they are inside a pipeline.
 *
 * The summary under the table gives each case's 100k/10k ratio (linear cost is about 10×; the
 * issue's limit is 11×) and the framework's overhead over the direct applies.
 */
import { type Graph, graphIndex, makeGraph } from '../src/ir/graph';
import { type Node, inputNodeName } from '../src/ir/node';
import { executionOrder } from '../src/ir/topo';
import { validateGraph } from '../src/ir/validate';
import { type Diagnostic, type Transform, type TransformContext, loadTransform } from '../src/transform/define';
import { applyDefaults } from '../src/transform/params';
import { createTransformContext } from '../src/transform/context';
import { protectedNodeNames } from '../src/ir/edit';
import { runPipeline } from '../src/transform/runner';
import { mergeDuplicateNodes, removeNodes, stripUnusedNodes } from '../src/transforms/index';
import { quantile } from '../src/workflow/bench';
import { type BenchCase, defineCase } from './case';
import { DEFAULT_MEASURE_OPTIONS, type Measurement } from './measure';
import { type FrozenCnnGraph, frozenCnnGraph } from './synthetic';

const GROUP = 'transforms';
/** What the pipeline arms run; the direct cases and arm run the same three steps one by one. */
export const CLEANUP_PIPELINE = 'remove_nodes(op=Identity) merge_duplicate_nodes strip_unused_nodes';
/** The linearity limit: the 100k-node case may take at most about this many times the 10k one. */
const LINEAR_LIMIT = 11;

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
  round: 'round: 3 direct applies, runPipeline, runPipeline validate: false',
  validate: 'validateGraph',
  index: 'graphIndex',
  order: 'executionOrder',
  calibration: 'calibration: Map of names, every input looked up',
} as const;

/** The arms of the interleaved pipeline round. */
type Arm = 'direct' | 'pipeline' | 'noValidate';
const ARMS: readonly Arm[] = ['direct', 'pipeline', 'noValidate'];
const ARM_LABEL: Record<Arm, string> = {
  direct: 'remove + merge + strip, direct applies',
  pipeline: 'runPipeline, 3 steps',
  noValidate: 'runPipeline, 3 steps, validate: false',
};
/** Per size label: each arm's time in every recorded round (filled by the round case). */
const roundSamples = new Map<string, Record<Arm, number[]>>();

/** The graph at each stage of the cleanup, built once per size and shared by its cases. */
interface Stages {
  readonly model: FrozenCnnGraph;
  /** Output of `remove_nodes`: the input of the direct `merge_duplicate_nodes` case. */
  readonly removed: Graph;
  /** Output of `merge_duplicate_nodes` too: the input of the direct `strip_unused_nodes` case. */
  readonly merged: Graph;
}

/** A new instance with the same nodes: its `graphIndex`, edges and execution order are not memoized yet. */
function fresh(graph: Graph): Graph {
  return makeGraph(graph.nodes, graph);
}

/** The context the runner gives a step, minus its bookkeeping: diagnostics and counters are collected and dropped. */
function minimalContext(t: Transform, model: FrozenCnnGraph): TransformContext {
  const diagnostics: Diagnostic[] = [];
  const counters = new Map<string, number>();
  return createTransformContext(t, { inputs: model.inputs, outputs: model.outputs, protectedNodes: protectedNodeNames(model.inputs, model.outputs) }, {
    report: (d) => void diagnostics.push(d),
    count: (c, by) => void counters.set(c, (counters.get(c) ?? 0) + by),
    substep: () => {},
  });
}

// The built-ins load their bodies on first use; `applyDirect` times the synchronous call, so load them first.
await Promise.all([mergeDuplicateNodes, removeNodes, stripUnusedNodes].map((t) => loadTransform(t as Transform)));

/** `t.apply` with the schema's defaults filled in, as the runner calls it. */
function applyDirect(t: Transform, given: Readonly<Record<string, unknown>>, graph: Graph, model: FrozenCnnGraph): Graph {
  const out = t.apply(graph, applyDefaults(t, given) as never, minimalContext(t, model));
  if (out instanceof Promise) throw new Error(`${t.name} is async; this benchmark times synchronous transforms`);
  return out;
}

/**
 * The calibration: what any transform does at least once (a name → node map, every input
 * resolved through it), written plainly. Returns how many inputs were found.
 */
function lookUpEveryInput(graph: Graph): number {
  const byName = new Map<string, Node>();
  for (const node of graph.nodes) byName.set(node.name, node);
  let found = 0;
  for (const node of graph.nodes) for (const input of node.inputs) if (byName.has(inputNodeName(input))) found++;
  return found;
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
  const pipelineOptions = (st: Stages, validate: boolean) => ({ inputs: st.model.inputs, outputs: st.model.outputs, validate });
  /** The three arms of a pipeline round, each on a fresh copy of the input. */
  const arms: Record<Arm, (st: Stages) => Promise<Graph>> = {
    direct: async (st) => {
      const a = applyDirect(removeNodes, REMOVE_PARAMS, fresh(st.model.graph), st.model);
      const b = applyDirect(mergeDuplicateNodes, NO_PARAMS, a, st.model);
      return applyDirect(stripUnusedNodes, NO_PARAMS, b, st.model);
    },
    pipeline: async (st) => (await runPipeline(fresh(st.model.graph), CLEANUP_PIPELINE, pipelineOptions(st, true))).graph,
    noValidate: async (st) => (await runPipeline(fresh(st.model.graph), CLEANUP_PIPELINE, pipelineOptions(st, false))).graph,
  };
  const samples: Record<Arm, number[]> = { direct: [], pipeline: [], noValidate: [] };
  let calls = 0;

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
    defineCase({
      group: GROUP,
      name: n(CASE.round),
      runs: nodeCount >= 100_000 ? 3 : 6,
      setup: () => {
        samples.direct.length = samples.pipeline.length = samples.noValidate.length = 0;
        calls = 0;
        roundSamples.set(label, samples);
        return get();
      },
      run: async (st) => {
        // The harness's warm-up call is not recorded; the order rotates every round.
        const recorded = calls - DEFAULT_MEASURE_OPTIONS.warmup;
        calls++;
        const outputs: Graph[] = [];
        for (let j = 0; j < ARMS.length; j++) {
          const arm = ARMS[(Math.max(recorded, 0) + j) % ARMS.length]!;
          const t0 = performance.now();
          outputs.push(await arms[arm](st));
          if (recorded >= 0) samples[arm].push(performance.now() - t0);
        }
        return outputs;
      },
      check: (st, outputs) => outputs.every((g) => g.nodes.length === st.model.expected.afterStrip),
    }),
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
      run: (s) => executionOrder(fresh(s.model.graph)),
      check: (_s, o) => o.order.length === nodeCount && o.inCycle.length === 0,
    }),
    defineCase({ group: GROUP, name: n(CASE.calibration), setup: get, run: (s) => lookUpEveryInput(s.model.graph), check: (_s, found) => found > 0, teardown: release }),
  ];
}

/** The `transforms` group: every case at 10k nodes, then at 100k. */
export const transformsCases: readonly BenchCase[] = SIZES.flatMap((s) => casesFor(`${s.label} nodes`, s.nodes));

function ms(v: number): string {
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : v.toFixed(2);
}

/** The median of the values (NaN when empty). */
function median(values: readonly number[]): number {
  return quantile([...values].sort((a, b) => a - b), 0.5);
}

/** A 100k case whose fastest run is under this many ms is too small for its ratio to mean anything (allocation noise). */
const NEGLIGIBLE_MS = 10;

/**
 * Lines printed under the table: the 100k/10k ratio of every case (median and min; the pipeline
 * arms from their interleaved samples), and the pipeline's overhead over the three direct applies,
 * split into validation and the rest, as the median of the per-round differences.
 */
export function transformsSummary(results: ReadonlyMap<string, Measurement>): string {
  const [small, big] = SIZES;
  const key = (size: { label: string }): string => `${size.label} nodes`;
  const at = (size: { label: string }, name: string): Measurement | undefined => results.get(`${key(size)}: ${name}`);
  const lines: string[] = [`transforms: linearity (${big.label}/${small.label}; linear ≈ ${big.nodes / small.nodes}×, limit ≈ ${LINEAR_LIMIT}×)`];
  const calA = at(small, CASE.calibration);
  const calB = at(big, CASE.calibration);
  const calibration = calA && calB ? calB.medianMs / calA.medianMs : undefined;
  const rows: string[][] = [['case', `${small.label} ms`, `${big.label} ms`, 'ratio', 'min ratio', '÷ calibration', '']];
  const addRow = (name: string, a: { median: number; min: number }, b: { median: number; min: number }): void => {
    const ratio = b.median / a.median;
    const isCalibration = name === CASE.calibration;
    let verdict: string;
    if (isCalibration) verdict = '(linear by construction)';
    else if (b.min < NEGLIGIBLE_MS) verdict = `negligible (< ${NEGLIGIBLE_MS} ms)`;
    else if (ratio <= LINEAR_LIMIT) verdict = 'ok';
    else if (calibration !== undefined && ratio <= calibration * (LINEAR_LIMIT / (big.nodes / small.nodes))) verdict = 'over, like the calibration';
    else verdict = 'SUPERLINEAR';
    rows.push([
      name,
      ms(a.median),
      ms(b.median),
      `${ratio.toFixed(1)}×`,
      `${(b.min / a.min).toFixed(1)}×`,
      calibration === undefined || isCalibration ? '' : (ratio / calibration).toFixed(2),
      verdict,
    ]);
  };
  for (const name of Object.values(CASE)) {
    if (name === CASE.round) continue;
    const a = at(small, name);
    const b = at(big, name);
    if (a && b) addRow(name, { median: a.medianMs, min: a.minMs }, { median: b.medianMs, min: b.minMs });
  }
  const roundsA = roundSamples.get(key(small));
  const roundsB = roundSamples.get(key(big));
  if (roundsA && roundsB && at(small, CASE.round) && at(big, CASE.round)) {
    for (const arm of ARMS) {
      const a = roundsA[arm];
      const b = roundsB[arm];
      if (a.length > 0 && b.length > 0) addRow(`${ARM_LABEL[arm]} (rounds)`, { median: median(a), min: Math.min(...a) }, { median: median(b), min: Math.min(...b) });
    }
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) lines.push(`  ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}`.trimEnd());

  lines.push(
    '',
    'transforms: framework overhead = runPipeline − the 3 direct applies, median of the per-round differences',
    '  (validation = runPipeline − runPipeline validate: false; the rest is parse, resolve, contexts, report)',
  );
  for (const size of SIZES) {
    const r = roundSamples.get(key(size));
    if (!r || !at(size, CASE.round) || r.direct.length === 0) continue;
    const diff = (x: readonly number[], y: readonly number[]): number => median(x.map((v, i) => v - y[i]!));
    const direct = median(r.direct);
    const over = diff(r.pipeline, r.direct);
    lines.push(
      `  ${size.label}: direct ${ms(direct)} ms, pipeline ${ms(median(r.pipeline))} ms → overhead ${ms(over)} ms (${((100 * over) / direct).toFixed(0)} % of direct);` +
        ` validation ${ms(diff(r.pipeline, r.noValidate))} ms, the rest ${ms(diff(r.noValidate, r.direct))} ms; ${r.direct.length} rounds`,
    );
  }
  return lines.join('\n');
}
