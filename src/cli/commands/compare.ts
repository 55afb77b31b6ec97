import { GraftError } from '../../errors';
import { formatCompareReport } from '../../verify/compare';
import { compareModels, loadRunnable } from '../../verify/runnable';
import { parseFlags, splitList } from '../args';
import type { Io } from '../output';
import { parseBackend, parseNumberFlag } from './run';

export const usage = `Usage: graft compare <modelA> <modelB> [--input name=file.npy ...] [--output name ...]
                     [--rtol 1e-4] [--atol 1e-5] [--seed 1] [--batch 1] [--backend wasm|cpu] [--json]
  Runs both models on the same inputs and compares every output; modelA is the reference.
  An element agrees when |b - a| <= atol + rtol * |a| (NaN only equals NaN); integer, bool and
  string outputs must be equal. Inputs not given are generated from --seed.
  Exit code: 0 when every output agrees, 1 when one differs (or on an error), 2 on bad usage.`;

export async function compareCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(
    args,
    {
      input: { type: 'string', multiple: true },
      output: { type: 'string', multiple: true },
      rtol: { type: 'string' },
      atol: { type: 'string' },
      seed: { type: 'string' },
      batch: { type: 'string' },
      backend: { type: 'string' },
      json: { type: 'boolean' },
      tag_set: { type: 'string' },
      signature_def: { type: 'string' },
    },
    usage,
  );
  if (values.help) return io.out(usage), 0;
  if (positionals.length !== 2) throw new GraftError('cli/usage', `compare takes two model paths\n${usage}`);
  const rtol = parseNumberFlag('rtol', values.rtol);
  const atol = parseNumberFlag('atol', values.atol);
  const seed = parseNumberFlag('seed', values.seed, { integer: true });
  const batch = parseNumberFlag('batch', values.batch, { integer: true });
  const backend = parseBackend(values.backend);
  const load = (p: string) => loadRunnable(p, { tagSet: values.tag_set, signature: values.signature_def });
  const a = await load(positionals[0]!);
  const b = await load(positionals[1]!);
  const report = await compareModels(a, b, {
    inputs: values.input ?? [],
    outputs: (values.output ?? []).flatMap((o) => splitList(o)),
    ...(rtol !== undefined ? { rtol } : {}),
    ...(atol !== undefined ? { atol } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(batch !== undefined ? { batch } : {}),
    ...(backend !== undefined ? { backend } : {}),
  });
  // Infinity is not JSON; print it as the string "inf".
  io.out(values.json ? JSON.stringify(report, (_k, v: unknown) => (v === Infinity ? 'inf' : v), 2) : formatCompareReport(report));
  return report.pass ? 0 : 1;
}
