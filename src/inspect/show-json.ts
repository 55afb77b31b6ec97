/**
 * `graft show --json`: what `saved_model_cli show` prints, as data. One shape whatever the flags:
 * the meta graphs (all, or the one `tagSet` names), each with its signatures (all, or the one
 * `signatureDef` names) and, with `all` or `listOps`, the ops its graph uses.
 */
import { GraftError } from '../errors';
import type { DType } from '../ir/dtype';
import type { MetaGraph, SavedModelProto, TensorInfo } from '../io/saved-model';
import type { ShowOptions } from './show';
import { opsUsedByGraph } from './ops-used';
import { checkObject, checkSavedModel, checkString } from '../ir/check';

export interface ShowTensor {
  /** `node:port`; null for sparse and composite tensors (see `encoding`). */
  readonly name: string | null;
  readonly dtype: DType;
  /** Dimensions, -1 unknown; null when the rank is unknown or no shape is given. */
  readonly shape: readonly number[] | null;
  readonly encoding: TensorInfo['encoding'];
}

export interface ShowSignature {
  readonly methodName: string;
  readonly inputs: Readonly<Record<string, ShowTensor>>;
  readonly outputs: Readonly<Record<string, ShowTensor>>;
}

export interface ShowMetaGraph {
  readonly tags: readonly string[];
  readonly signatures: Readonly<Record<string, ShowSignature>>;
  /** The ops the graph uses (functions it calls included), sorted; with `all` or `listOps` only. */
  readonly ops?: readonly string[];
}

export interface ShowData {
  readonly path: string;
  readonly metaGraphs: readonly ShowMetaGraph[];
}

function tensor(t: TensorInfo): ShowTensor {
  return { name: t.name, dtype: t.dtype, shape: t.shape && !t.shape.unknownRank ? [...t.shape.dims] : null, encoding: t.encoding };
}

function sortedRecord<T, U>(r: Readonly<Record<string, T>>, f: (v: T) => U): Record<string, U> {
  return Object.fromEntries(Object.keys(r).sort().map((k) => [k, f(r[k]!)]));
}

function sameTags(mg: MetaGraph, tagSet: string): boolean {
  const want = new Set(tagSet.split(',').map((t) => t.trim()).filter((t) => t !== ''));
  const have = new Set(mg.tags);
  return have.size === want.size && [...want].every((t) => have.has(t));
}

/**
 * The SavedModel's meta graphs and signatures as data, narrowed as `saved_model_cli show`'s flags
 * narrow its text (`tagSet`, then `signatureDef`); `all` lists everything with ops.
 *
 * @throws GraftError `model/unknown-tag-set`, `model/unknown-signature` as `showSavedModel` does.
 */
export function showSavedModelData(model: SavedModelProto, opts: ShowOptions, path: string): ShowData {
  checkSavedModel('showSavedModelData', 'model', model);
  checkObject('showSavedModelData', 'opts', opts, 'ShowOptions');
  checkString('showSavedModelData', 'path', path);
  let metas = model.metaGraphs;
  if (!opts.all && opts.tagSet !== undefined) {
    const tagSet = opts.tagSet;
    const mg = metas.find((m) => sameTags(m, tagSet));
    if (!mg) {
      throw new GraftError('model/unknown-tag-set', `MetaGraphDef associated with tag-set '${tagSet}' could not be found in the SavedModel; it has the tag-sets: ${metas.map((m) => `'${m.tags.join(',')}'`).join(', ') || '(none)'}`, {
        file: path,
        hint: 'run `graft show` without --tag_set to list the tag-sets',
      });
    }
    metas = [mg];
  }
  const withOps = opts.all === true || (opts.listOps === true && opts.tagSet !== undefined);
  return {
    path,
    metaGraphs: metas.map((mg) => {
      let sigs = mg.signatures;
      if (!opts.all && opts.tagSet !== undefined && opts.signatureDef !== undefined) {
        const key = opts.signatureDef;
        const sig = Object.prototype.hasOwnProperty.call(sigs, key) ? sigs[key] : undefined;
        if (!sig) {
          throw new GraftError('model/unknown-signature', `Could not find signature "${key}". Please choose from: ${Object.keys(sigs).join(', ')}`, {
            file: path,
            hint: `the meta graph tagged '${mg.tags.join(',')}' has the signatures listed`,
          });
        }
        sigs = { [key]: sig };
      }
      return {
        tags: [...mg.tags],
        signatures: sortedRecord(sigs, (s) => ({ methodName: s.methodName, inputs: sortedRecord(s.inputs, tensor), outputs: sortedRecord(s.outputs, tensor) })),
        ...(withOps ? { ops: opsUsedByGraph(mg.graph) } : {}),
      };
    }),
  };
}
