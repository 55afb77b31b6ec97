/**
 * `saved_model_cli show` as text: `showSavedModel` is declared here and its body, show-text.ts,
 * loads on the first call.
 */
import type { SavedModelProto } from '../io/saved-model';

/** Options of `saved_model_cli show`, by the same names. */
export interface ShowOptions {
  /** `--tag_set`: comma-separated tags naming one meta graph (order does not matter). */
  tagSet?: string;
  /** `--signature_def`: a SignatureDef key; only used together with `tagSet`. */
  signatureDef?: string;
  /** `--all`: everything, for every meta graph; the other options are then ignored. */
  all?: boolean;
  /** `--list_ops`: the ops the meta graph uses (with `tagSet`), printed before the rest. */
  listOps?: boolean;
}

/**
 * The text `saved_model_cli show` prints for a SavedModel, given its options. Async: the printing
 * loads on the first call (show-text.ts, with the file comment on how closely it follows
 * TensorFlow), so that it stays out of what the core loads on import.
 *
 * @example
 * ```ts
 * const m = await loadModel('model/');
 * if (m.kind === 'saved-model') process.stdout.write(await showSavedModel(m.savedModel, { all: true }, m.path));
 * ```
 * @throws GraftError (as rejections) `api/bad-argument` for a bad `model` or `opts`;
 *   `model/unknown-tag-set` when no meta graph has the tags of `tagSet`;
 *   `model/unknown-signature` when that meta graph has no signature `signatureDef`.
 */
export async function showSavedModel(model: SavedModelProto, opts: ShowOptions, file?: string): Promise<string> {
  const { showSavedModelText } = await import('./show-text');
  return showSavedModelText(model, opts, file);
}
