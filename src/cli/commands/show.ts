import { GraftError } from '../../errors';
import { loadModel } from '../../io/model-files';
import { showSavedModel } from '../../inspect/show';
import { showSavedModelData } from '../../inspect/show-json';
import { toJson } from '../json-flag';
import { parseFlags } from '../args';
import type { Io } from '../output';

export const usage = `Usage: graft show --dir <saved_model_dir> [--tag_set serve] [--signature_def NAME] [--all] [--list_ops] [--json]
  The output of saved_model_cli show, in its format; --json prints it as data (docs/json-output.md).`;

export async function showCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(args, { dir: { type: 'string' }, tag_set: { type: 'string' }, signature_def: { type: 'string' }, all: { type: 'boolean' }, list_ops: { type: 'boolean' }, json: { type: 'boolean' } }, usage);
  if (values.help) return io.out(usage), 0;
  const dir = values.dir ?? positionals[0];
  if (!dir) throw new GraftError('cli/usage', `show needs --dir\n${usage}`);
  const model = await loadModel(dir);
  if (model.kind !== 'saved-model') throw new GraftError('io/not-saved-model', `${dir} is not a SavedModel directory`, { file: dir });
  const showOpts = { tagSet: values.tag_set, signatureDef: values.signature_def, all: values.all, listOps: values.list_ops };
  io.out(values.json ? toJson(showSavedModelData(model.savedModel, showOpts, model.path)) : await showSavedModel(model.savedModel, showOpts, model.modelFile));
  return 0;
}
