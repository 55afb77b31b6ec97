/**
 * Group `latency`: the serving article's workload, before and after the folding pipeline.
 *
 * The model is the article's MNIST CNN as `examples/mnist-cnn.ts` builds it (a TF1 SavedModel with
 * about 10.7 MB of variables), written to a temporary directory. Three graphs of it are timed at
 * batch 100, on the same generated inputs (seed 1):
 *
 * - original: the SavedModel's graph, unfrozen, its variables fed from the checkpoint
 *   (`readModelVariables` + `savedModelVariables`), as the article's TF Serving ran it;
 * - frozen: after `freezeModel` (variables turned into constants, pruned to the signature);
 * - optimized: the frozen graph after `OPTIMIZE_PIPELINE`.
 *
 * One case per backend ('wasm', then 'cpu', which is about 30× slower and so gets fewer runs).
 * Each timed run of a case is one round that runs all three graphs once, the order rotating every
 * round (original first, then frozen first, then optimized first), so drift in the machine lands
 * on the three alike; the table's time is the whole round. Warm-up rounds come first (tfjs
 * compiles kernels and uploads weights on the first runs). Each graph's own times are kept and
 * turned into median, p10, p90 and MAD by `latencyStats` from `src/workflow/bench.ts`, printed in
 * the summary with the speedups. The check (`ok`) says the three graphs gave the same classes
 * and probabilities within 1e-4 on the last round.
 *
 * `bench()` in `src/workflow/bench.ts` interleaves at most two models, so the rounds are run here;
 * the feeds (`benchFeeds`) and the statistics are its own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeMnistCnn } from '../examples/mnist-cnn';
import { freezeModel } from '../src/freeze/freeze-files';
import type { Graph } from '../src/ir/graph';
import { type Tensor, tensorToNumbers } from '../src/ir/tensor';
import { loadModel, readModelVariables } from '../src/io/model-files';
import { type TensorInfo, findMetaGraph } from '../src/io/saved-model';
import { type Backend, type Session, createSession, savedModelVariables } from '../src/runtime/index';
import { runPipeline } from '../src/transform/runner';
import { type BenchTarget, type LatencyStats, formatMs, formatSpeedup, latencyStats } from '../src/workflow/bench';
import { benchFeeds } from '../src/workflow/bench-run';
import { type BenchCase, defineCase } from './case';
import { DEFAULT_MEASURE_OPTIONS, type Measurement } from './measure';

const GROUP = 'latency';
/** The article's batch size. */
const BATCH = 100;
const SEED = 1;
/** What `graft optimize` runs by default on a frozen model: cleanup, then the folds. */
export const OPTIMIZE_PIPELINE =
  'remove_nodes(op=Identity) merge_duplicate_nodes strip_unused_nodes fold_constants(ignore_errors=true) fold_batch_norms fold_old_batch_norms';
/** Largest difference in probabilities accepted between the three graphs. */
const TOLERANCE = 1e-4;

/**
 * Rounds per backend. Multiples of 3, so each graph runs first equally often. `warmup` counts the
 * harness's own warm-up run (one round) plus the extra rounds run in `setup`.
 */
const BACKENDS: readonly { readonly backend: Backend; readonly rounds: number; readonly warmup: number }[] = [
  { backend: 'wasm', rounds: 21, warmup: 3 },
  { backend: 'cpu', rounds: 6, warmup: 1 },
];

/** The three graphs of the model and how to feed them; built once, shared by both backends. */
interface Model {
  readonly dir: string;
  readonly targets: readonly BenchTarget[];
}

let modelPromise: Promise<Model> | undefined;
let tempDir: string | undefined;

function removeTempDir(): void {
  if (tempDir !== undefined) rmSync(tempDir, { recursive: true, force: true });
  tempDir = undefined;
}

/** Writes the MNIST CNN, loads it with its variables, freezes it and runs the pipeline. */
async function buildModel(): Promise<Model> {
  tempDir = mkdtempSync(join(process.env.GRAFT_BENCH_TMP ?? tmpdir(), 'graft-bench-latency-'));
  process.on('exit', removeTempDir);
  const dir = join(tempDir, 'mnist-cnn');
  await writeMnistCnn(dir);

  const loaded = await loadModel(dir);
  if (loaded.kind !== 'saved-model') throw new Error(`${dir} did not load as a SavedModel`);
  const metaGraph = findMetaGraph(loaded.savedModel, ['serve'], loaded.modelFile);
  const signature = metaGraph.signatures.serving_default;
  if (!signature) throw new Error(`${dir} has no serving_default signature`);
  const variables = savedModelVariables(loaded, await readModelVariables(loaded));

  const frozen = await freezeModel(dir);
  const { graph: optimized } = await runPipeline(frozen.graph, OPTIMIZE_PIPELINE, { inputs: frozen.inputs, outputs: frozen.outputs });

  // Inputs and outputs by signature key, so the three graphs get the same values and fetches.
  const keys = { inputs: Object.keys(signature.inputs).sort(), outputs: Object.keys(signature.outputs).sort() };
  const tensorOf = (map: Readonly<Record<string, TensorInfo>>, key: string): string => {
    const name = map[key]?.name;
    if (!name) throw new Error(`signature key '${key}' has no tensor name`);
    return name;
  };
  const target = (label: string, graph: Graph, names: { inputs: Record<string, string>; outputs: Record<string, string> }, vars?: ReadonlyMap<string, Tensor>): BenchTarget => ({
    label,
    graph,
    inputs: keys.inputs.map((k) => {
      const info = signature.inputs[k]!;
      return { tensor: names.inputs[k]!, key: k, ...(info.dtype && info.dtype !== 'invalid' ? { dtype: info.dtype } : {}), shape: info.shape?.dims ?? null };
    }),
    outputs: keys.outputs.map((k) => names.outputs[k]!),
    ...(vars ? { variables: vars } : {}),
  });
  const original = {
    inputs: Object.fromEntries(keys.inputs.map((k) => [k, tensorOf(signature.inputs, k)])),
    outputs: Object.fromEntries(keys.outputs.map((k) => [k, tensorOf(signature.outputs, k)])),
  };
  if (!frozen.signature) throw new Error('freezeModel returned no signature mapping');
  return {
    dir,
    targets: [target('original', metaGraph.graph, original, variables), target('frozen', frozen.graph, frozen.signature), target('optimized', optimized, frozen.signature)],
  };
}

/** What one backend's case keeps between rounds. */
interface Run {
  readonly model: Model;
  readonly sessions: readonly Session[];
  readonly feeds: readonly Record<string, Tensor>[];
  /** Per graph, every timed run in ms. */
  readonly samples: number[][];
  /** Calls of `run` so far; the harness's warm-up calls are not recorded. */
  calls: number;
}

/** What the summary prints, per case that ran. */
interface BackendResult {
  readonly requested: Backend;
  readonly used: Backend;
  readonly stats: readonly LatencyStats[];
  readonly nodes: readonly number[];
}

const results = new Map<string, BackendResult>();

async function runTarget(r: Run, i: number): Promise<{ ms: number; outputs: Tensor[] }> {
  const t = r.model.targets[i]!;
  const start = performance.now();
  const outputs = await r.sessions[i]!.run(r.feeds[i]!, t.outputs);
  return { ms: performance.now() - start, outputs };
}

function sameOutputs(a: readonly Tensor[], b: readonly Tensor[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((t, k) => {
    const x = tensorToNumbers(t);
    const y = tensorToNumbers(b[k]!);
    return x.length === y.length && x.every((v, j) => Math.abs(v - y[j]!) <= TOLERANCE);
  });
}

function caseFor(backend: Backend, rounds: number, warmup: number): BenchCase {
  const name = `${backend}: round of original+frozen+optimized, batch ${BATCH}`;
  const harnessWarmup = DEFAULT_MEASURE_OPTIONS.warmup;
  return defineCase({
    group: GROUP,
    name,
    runs: rounds,
    setup: async (): Promise<Run> => {
      const model = await (modelPromise ??= buildModel());
      const sessions: Session[] = [];
      for (const t of model.targets) sessions.push(await createSession(t.graph, { backend, ...(t.variables ? { variables: t.variables } : {}) }));
      const r: Run = { model, sessions, feeds: model.targets.map((t) => benchFeeds(t, SEED, BATCH)), samples: model.targets.map(() => []), calls: 0 };
      for (let w = harnessWarmup; w < warmup; w++) for (let i = 0; i < sessions.length; i++) await runTarget(r, i);
      return r;
    },
    run: async (r) => {
      const recorded = r.calls - harnessWarmup;
      r.calls++;
      const n = r.sessions.length;
      // Rotate who goes first: round k starts with graph k mod n.
      const start = recorded >= 0 ? recorded % n : 0;
      const outputs: Tensor[][] = [];
      for (let j = 0; j < n; j++) {
        const i = (start + j) % n;
        const { ms, outputs: out } = await runTarget(r, i);
        outputs[i] = out;
        if (recorded >= 0) r.samples[i]!.push(ms);
      }
      return outputs;
    },
    check: (_r, outputs) => outputs.every((o) => sameOutputs(outputs[0]!, o)),
    teardown: (r) => {
      results.set(name, {
        requested: backend,
        used: r.sessions[0]!.backend,
        stats: r.model.targets.map((t, i) => latencyStats(t.label, r.samples[i]!)),
        nodes: r.model.targets.map((t) => t.graph.nodes.length),
      });
      for (const s of r.sessions) s.dispose();
      if (backend === BACKENDS[BACKENDS.length - 1]!.backend) removeTempDir();
    },
  });
}

/** The `latency` group: one case per backend. */
export const latencyCases: readonly BenchCase[] = BACKENDS.map((b) => caseFor(b.backend, b.rounds, b.warmup));

/** Per backend: each graph's median, p10, p90 and MAD per batch, and the speedups. */
export function latencySummary(measured: ReadonlyMap<string, Measurement>): string {
  const lines: string[] = [`latency: MNIST CNN (examples/mnist-cnn.ts), batch ${BATCH}, seed ${SEED}, rounds interleaved with the order rotating`, `  pipeline: ${OPTIMIZE_PIPELINE}`];
  for (const [name, r] of results) {
    if (!measured.has(name)) continue;
    const fallback = r.used !== r.requested ? ` (asked for ${r.requested}: fell back)` : '';
    lines.push('', `backend ${r.used}${fallback}, ${r.stats[0]?.runs ?? 0} timed runs per graph`);
    const rows = [['graph', 'nodes', 'median', 'p10', 'p90', 'MAD', 'runs']];
    r.stats.forEach((s, i) => rows.push([s.label, String(r.nodes[i]), formatMs(s.median), formatMs(s.p10), formatMs(s.p90), formatMs(s.mad), String(s.runs)]));
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
    for (const row of rows) lines.push(`  ${row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}`);
    const [original, frozen, optimized] = r.stats;
    if (original && frozen && optimized) {
      const speedup = (a: LatencyStats, b: LatencyStats): string => formatSpeedup(b.median > 0 ? a.median / b.median : undefined);
      lines.push(
        `  speedup original/optimized ${speedup(original, optimized)}, original/frozen ${speedup(original, frozen)}, frozen/optimized ${speedup(frozen, optimized)} (ratios of medians)`,
      );
    }
  }
  return lines.join('\n');
}
