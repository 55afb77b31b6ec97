import { GraftError } from '../../errors';
import { loadModel } from '../../io/model-files';
import { formatSummary } from '../../inspect/summarize';
import { structureLines, summarizedGraph } from '../../inspect/summarize-model';
import { summarize } from '../../inspect/summarize-files';
import { flagBool, parseFlags } from '../args';
import { toJson } from '../json-flag';
import type { Io } from '../output';

export const usage = `Usage: graft summarize <model> [--json] [--tag_set serve] [--signature_def NAME]
       graft summarize --in_graph=<model> [--print_structure]      (summarize_graph's flags)
  <model> is a .pb or .pbtxt GraphDef, a .meta MetaGraphDef, or a SavedModel directory.
  Lists first the ops graft cannot run (no kernel), per signature: those signatures cannot be
  verified by graft optimize. Prints summarize_graph's "Found N possible inputs/outputs" lines,
  the output shapes shape inference finds, and for a GraphDef summarize_graph's suggested
  benchmark_model command line.
  --print_structure  also every node in execution order, with its inputs and constant values.`;

export const SUMMARIZE_FLAGS = {
  in_graph: { type: 'string' },
  print_structure: { type: 'string', bare: true },
  json: { type: 'boolean' },
  tag_set: { type: 'string' },
  signature_def: { type: 'string' },
} as const;

export async function summarizeCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(args, SUMMARIZE_FLAGS, usage);
  if (values.help) return io.out(usage), 0;
  if (values.in_graph !== undefined && positionals.length > 0) throw new GraftError('cli/usage', `Unknown argument ${positionals[0]}.\n${usage}`);
  const path = values.in_graph ?? positionals[0];
  if (values.in_graph === '') throw new GraftError('cli/usage', `in_graph graph can't be empty.\n${usage}`);
  if (path === undefined || positionals.length > 1) throw new GraftError('cli/usage', `summarize takes one model path\n${usage}`);
  const printStructure = flagBool('print_structure', values.print_structure, false);
  // The kernel registry (what graft can run) lives with the runtime: loaded only when used.
  const { modelUnsupportedOps } = await import('../../verify/support');
  const s = await summarize(path, { tagSet: values.tag_set, signature: values.signature_def, unsupportedOps: (m, sum) => modelUnsupportedOps(m, sum) });
  const structure = printStructure ? structureLines(summarizedGraph(await loadModel(path), { tagSet: values.tag_set })) : undefined;
  if (values.json) io.out(toJson(structure ? { ...s, structure } : s));
  else io.out(structure ? `${formatSummary(s)}\n${structure.join('\n')}` : formatSummary(s));
  return 0;
}
