/**
 * The body of `bench` (bench.ts declares it, its options and its report), loaded with `import()`
 * on its first call; and `benchFeeds`, the inputs it generates.
 */
import { GraftError, isGraftError } from '../errors';
import { baseDType } from '../ir/dtype';
import { parseInput } from '../ir/node';
import type { Tensor } from '../ir/tensor';
import type { Session } from '../runtime/index';
import { generateInput, placeholderSpecs } from '../verify/feeds';
import { checkArray, checkFields, checkOptions } from '../ir/check';
import { type BenchOptions, type BenchReport, type BenchTarget, DEFAULT_BENCH_BATCH, DEFAULT_BENCH_RUNS, DEFAULT_BENCH_WARMUP, latencyStats } from './bench';

function checkCount(name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new GraftError('api/bad-argument', `\`${name}\` must be an integer >= ${min}, not ${v}`, { param: name });
}

/**
 * The fixed inputs of a target: each input generated from the seed under its key (so two models
 * whose inputs share keys are fed identical values), unknown dimensions set to `batch`.
 */
export function benchFeeds(target: BenchTarget, seed: number, batch: number): Record<string, Tensor> {
  const specs = new Map(placeholderSpecs(target.graph).map((p) => [p.name, p]));
  const feeds: Record<string, Tensor> = {};
  for (const input of target.inputs) {
    const node = parseInput(input.tensor).node;
    const spec = specs.get(node);
    const dtype = baseDType(input.dtype ?? spec?.dtype ?? 'float');
    const shape = input.shape !== undefined ? input.shape : (spec?.shape ?? null);
    // A string input read by a tf.Example parse op gets seeded records (verify/examples).
    feeds[input.tensor] = generateInput(target.graph, node, dtype, shape, seed, batch, batch, input.key ?? node);
  }
  return feeds;
}

function now(): number {
  return performance.now();
}

/** `bench`, loaded. */
export async function runBench(targets: readonly BenchTarget[], opts: BenchOptions): Promise<BenchReport> {
  checkArray('bench', 'targets', targets, 'an array of one or two BenchTargets');
  targets.forEach((t, i) => checkFields('bench', `targets[${i}]`, t, { label: 'string', graph: 'object', inputs: 'array', outputs: 'array' }, 'a BenchTarget'));
  checkOptions('bench', 'opts', opts);
  if (targets.length < 1 || targets.length > 2) throw new GraftError('api/bad-argument', `bench takes one or two models (\`targets\`), not ${targets.length}`, { param: 'targets' });
  const batch = opts.batch ?? DEFAULT_BENCH_BATCH;
  const runs = opts.runs ?? DEFAULT_BENCH_RUNS;
  const warmup = opts.warmup ?? DEFAULT_BENCH_WARMUP;
  const seed = opts.seed ?? 1;
  checkCount('batch', batch, 1);
  checkCount('runs', runs, 1);
  checkCount('warmup', warmup, 0);
  const { createSession, memoryFiles } = await import('../runtime/index');
  const sessions: Session[] = [];
  try {
    for (const t of targets) {
      // What a graph writes (a Saver's save path among the outputs) is kept in memory, never on disk.
      const sink = memoryFiles();
      sessions.push(await createSession(t.graph, { ...(opts.backend ? { backend: opts.backend } : {}), ...(t.variables ? { variables: t.variables } : {}), ...sink }));
    }
    const feeds = targets.map((t) => benchFeeds(t, seed, batch));
    const runOnce = async (i: number): Promise<number> => {
      const start = now();
      await sessions[i]!.run(feeds[i]!, targets[i]!.outputs);
      return now() - start;
    };
    // Every model runs at least once before timing starts, so an unsupported op fails fast.
    for (let w = 0; w < Math.max(warmup, 1); w++) {
      for (let i = 0; i < targets.length; i++) {
        try {
          await runOnce(i);
        } catch (e) {
          if (isGraftError(e)) throw new GraftError(e.code, `${targets[i]!.label}: ${e.message}`, { ...(e.node ? { node: e.node } : {}), ...(e.op ? { op: e.op } : {}), ...(e.hint ? { hint: e.hint } : {}), cause: e });
          throw e;
        }
      }
    }
    const samples: number[][] = targets.map(() => []);
    for (let r = 0; r < runs; r++) {
      // Alternate the order each round: neither model always runs right after the other.
      const order = r % 2 === 0 ? targets.map((_, i) => i) : targets.map((_, i) => targets.length - 1 - i);
      for (const i of order) samples[i]!.push(await runOnce(i));
      opts.onRound?.(r + 1, runs);
    }
    const models = targets.map((t, i) => latencyStats(t.label, samples[i]!));
    const speedup = models.length === 2 && models[1]!.median > 0 ? models[0]!.median / models[1]!.median : undefined;
    return {
      batch,
      runs,
      warmup,
      seed,
      backend: sessions[0]!.backend,
      feeds: targets.map((t, i) => ({ label: t.label, inputs: Object.entries(feeds[i]!).map(([tensor, v]) => ({ tensor, dtype: v.dtype, shape: [...v.shape] })) })),
      models,
      ...(speedup !== undefined ? { speedup } : {}),
    };
  } finally {
    for (const s of sessions) s.dispose();
  }
}
