import { GraftError } from '../../errors';
import { formatSummary, summarize } from '../../inspect/summarize';
import { parseFlags } from '../args';
import type { Io } from '../output';

export const usage = `Usage: graft summarize <model> [--json] [--tag_set serve] [--signature_def NAME]
  <model> is a .pb or .pbtxt GraphDef, a .meta MetaGraphDef, or a SavedModel directory.
  Lists first the ops graft cannot run (no kernel), per signature: those signatures cannot be
  verified by graft optimize.`;

export async function summarizeCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(args, { json: { type: 'boolean' }, tag_set: { type: 'string' }, signature_def: { type: 'string' } }, usage);
  if (values.help) return io.out(usage), 0;
  if (positionals.length !== 1) throw new GraftError('cli/usage', `summarize takes one model path\n${usage}`);
  // The kernel registry (what graft can run) lives with the runtime: loaded only when used.
  const { modelUnsupportedOps } = await import('../../verify/support');
  const s = await summarize(positionals[0]!, { tagSet: values.tag_set, signature: values.signature_def, unsupportedOps: (m, sum) => modelUnsupportedOps(m, sum) });
  io.out(values.json ? JSON.stringify(s, null, 2) : formatSummary(s));
  return 0;
}
