import { GraftError } from '../../errors';
import { loadModel } from '../../io/model-files';
import { formatScan, scanSavedModel } from '../../inspect/show-text';
import { parseFlags } from '../args';
import { toJson } from '../json-flag';
import type { Io } from '../output';

export const usage = `Usage: graft scan --dir <saved_model_dir> [--tag_set serve] [--op_denylist Op1,Op2] [--json]
  saved_model_cli scan: reports the ops on a denylist that each meta graph uses (its graph and
  the functions it calls), in saved_model_cli's words. The default list is WriteFile, ReadFile,
  PrintV2 (an empty --op_denylist also means the default, as in TensorFlow's code).
  The exit code is 0 either way, as saved_model_cli's; --json gives the findings as data.`;

export const SCAN_FLAGS = {
  dir: { type: 'string' },
  tag_set: { type: 'string' },
  op_denylist: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export async function scanCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(args, SCAN_FLAGS, usage);
  if (values.help) return io.out(usage), 0;
  const dir = values.dir ?? positionals[0];
  if (!dir) throw new GraftError('cli/usage', `scan needs --dir\n${usage}`);
  if (positionals.length > (values.dir === undefined ? 1 : 0)) throw new GraftError('cli/usage', `Unknown argument ${positionals[values.dir === undefined ? 1 : 0]}.\n${usage}`);
  const model = await loadModel(dir);
  if (model.kind !== 'saved-model') throw new GraftError('io/not-saved-model', `${dir} is not a SavedModel directory`, { file: dir });
  const results = scanSavedModel(model.savedModel, { ...(values.tag_set ? { tagSet: values.tag_set } : {}), ...(values.op_denylist !== undefined ? { opDenylist: values.op_denylist } : {}) }, model.modelFile);
  if (values.json) io.out(toJson({ dir, metaGraphs: results }));
  else io.out(formatScan(results).replace(/\n$/, ''));
  return 0;
}
