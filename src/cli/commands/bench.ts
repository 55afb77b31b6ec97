import { GraftError, isGraftError } from '../../errors';
import { DEFAULT_BENCH_BATCH, DEFAULT_BENCH_RUNS, DEFAULT_BENCH_WARMUP, formatBench } from '../../workflow/bench';
import { benchModels } from '../../workflow/bench-files';
import { parseFlags } from '../args';
import { type FlagNames, flagError } from '../flag-names';
import { JSON_FLAGS, reportMode as outputMode, toJson } from '../json-flag';
import type { Io } from '../output';
import { backendFlag } from './optimize';

export const usage = `Usage: graft bench MODEL [--vs OTHER] [--batch ${DEFAULT_BENCH_BATCH}] [--runs ${DEFAULT_BENCH_RUNS}] [--warmup ${DEFAULT_BENCH_WARMUP}] [--backend wasm|cpu]
                   [--signature_def NAME] [--tag_set serve] [--seed 1] [--json]
  Times a model (SavedModel directory, .meta or GraphDef) in-process: fixed seeded inputs with unknown
  dimensions set to --batch, warm-up runs, then timed runs (A/B interleaved with --vs), reported as
  median, p10/p90 and MAD. The speedup is median MODEL / median OTHER (above 1: OTHER is faster).`;

/** The library's option names and this command's flags. */
const FLAGS: FlagNames = { batch: '--batch', runs: '--runs', warmup: '--warmup', seed: '--seed', signature: '--signature_def', tagSet: '--tag_set' };

function int(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n)) throw new GraftError('cli/usage', `--${name} takes an integer, not '${v}'`);
  return n;
}

export async function benchCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(
    args,
    {
      vs: { type: 'string' },
      batch: { type: 'string' },
      runs: { type: 'string' },
      warmup: { type: 'string' },
      backend: { type: 'string' },
      signature_def: { type: 'string' },
      tag_set: { type: 'string' },
      seed: { type: 'string' },
      ...JSON_FLAGS,
    },
    usage,
  );
  if (values.help) return io.out(usage), 0;
  const [model, ...extra] = positionals;
  if (model === undefined) throw new GraftError('cli/usage', `bench needs a MODEL\n${usage}`);
  if (extra.length > 0) throw new GraftError('cli/usage', `Unexpected argument '${extra[0]}' (compare two models with --vs)\n${usage}`);
  const reportMode = outputMode(values, io);
  const backend = backendFlag(values.backend);
  const opts = {
    batch: int('batch', values.batch) ?? DEFAULT_BENCH_BATCH,
    runs: int('runs', values.runs) ?? DEFAULT_BENCH_RUNS,
    warmup: int('warmup', values.warmup) ?? DEFAULT_BENCH_WARMUP,
    ...(backend ? { backend } : {}),
    ...(values.signature_def !== undefined ? { signature: values.signature_def } : {}),
    ...(values.tag_set !== undefined ? { tagSet: values.tag_set } : {}),
    ...(values.seed !== undefined ? { seed: int('seed', values.seed)! } : {}),
  };
  io.err(`graft bench: batch ${opts.batch}, ${opts.warmup} warm-up + ${opts.runs} timed runs per model${values.vs !== undefined ? ', interleaved' : ''}`);
  const report = await benchModels(model, values.vs, opts).catch((e: unknown) => {
    if (isGraftError(e) && e.code === 'runtime/too-large' && e.param === 'maxInputBytes') {
      throw new GraftError(e.code, e.message, { ...(e.node !== undefined ? { node: e.node } : {}), cause: e, param: e.param, hint: 'Lower --batch: unknown dimensions of generated inputs take that size.' });
    }
    throw flagError(e, FLAGS);
  });
  if (reportMode === 'json') io.out(toJson(report));
  else io.out(formatBench(report));
  return 0;
}
