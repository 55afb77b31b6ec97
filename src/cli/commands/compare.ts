import { GraftError } from '../../errors';
import { formatCompareReport } from '../../verify/compare';
import { compareModels, loadRunnable } from '../../verify/runnable';
import { parseFlags } from '../args';
import { flagError } from '../flag-names';
import { toJson } from '../json-flag';
import type { Io } from '../output';
import { LIMIT_USAGE, RUN_FLAGS, RUN_FLAG_NAMES, loadOptionsFromFlags, parseNumberFlag, runOptionsFromFlags, withLimitFlag } from './run-flags';

export const usage = `Usage: graft compare <modelA> <modelB> [--input name=file.npy ...] [--output name ...]
                     [--rtol 1e-4] [--atol 1e-5] [--seed 1] [--batch 1] [--backend wasm|cpu] [--json]
  Runs both models on the same inputs and compares every output; modelA is the reference.
  An element agrees when |b - a| <= atol + rtol * |a| (NaN only equals NaN); integer, bool and
  string outputs must be equal. Inputs not given are generated from --seed. A string input read
  by a tf.Example parse op takes --input name=examples.json ([{feature: value | [values]}, ...]).
  --signature_def takes a signature key, or a method name one signature has.
  Exit code: 0 when every output agrees, 1 when one differs (or on an error), 2 on bad usage.
${LIMIT_USAGE}`;

export async function compareCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(args, { ...RUN_FLAGS, rtol: { type: 'string' }, atol: { type: 'string' } }, usage);
  if (values.help) return io.out(usage), 0;
  if (positionals.length !== 2) throw new GraftError('cli/usage', `compare takes two model paths\n${usage}`);
  const rtol = parseNumberFlag('rtol', values.rtol);
  const atol = parseNumberFlag('atol', values.atol);
  const runOptions = runOptionsFromFlags(values);
  const load = (p: string) => loadRunnable(p, loadOptionsFromFlags(values));
  const a = await load(positionals[0]!);
  const b = await load(positionals[1]!);
  const report = await compareModels(a, b, {
    ...runOptions,
    ...(rtol !== undefined ? { rtol } : {}),
    ...(atol !== undefined ? { atol } : {}),
  }).catch((e: unknown) => {
    throw flagError(withLimitFlag(e, undefined, 'Lower --batch for unknown dimensions, or give the input as a file. '), RUN_FLAG_NAMES);
  });
  // Infinity is not JSON; toJson prints it as the string "inf".
  io.out(values.json ? toJson(report) : formatCompareReport(report));
  return report.pass ? 0 : 1;
}
