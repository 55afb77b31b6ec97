/**
 * What a SavedModel loader runs at load, before any signature, as TF Serving and
 * `tf.compat.v1.saved_model.load` do: the init op (the `__saved_model_init_op` signature of TF2
 * exports, else the `saved_model_main_op` collection, else `legacy_init_op`), plus the
 * `table_initializer` collection (TF Transform's), with each asset tensor (AssetFileDef: the
 * meta graph's `asset_file_def`, or the TF1 `saved_model_assets` collection) fed with the path of
 * its file under `assets/`.
 */
import { parseInput } from '../ir/node';
import { decodeMessage } from '../proto';
import { joinPath } from './paths';
import type { MetaGraph } from './saved-model';

/** Init targets and asset tensors of a meta graph. */
export interface SavedModelInit {
  /** Node names to run once at load (init op, table initializers). */
  readonly targets: readonly string[];
  /** Asset tensors (`Const_3:0`) and their file names relative to `assets/`. */
  readonly assets: readonly { readonly tensor: string; readonly filename: string }[];
}

type Msg = Record<string, unknown>;

function nodeList(proto: Msg, key: string): string[] {
  const c = (proto.collection_def as Record<string, Msg> | undefined)?.[key];
  const list = (c?.node_list as { value?: string[] } | undefined)?.value ?? [];
  return list.map((n) => parseInput(n).node);
}

/**
 * The init targets and asset tensors of a meta graph.
 *
 * @example
 * ```ts
 * const init = savedModelInit(mg); // { targets: ['init_all_tables'], assets: [{ tensor: 'Const_3:0', filename: 'vocab' }] }
 * ```
 */
export function savedModelInit(mg: MetaGraph): SavedModelInit {
  const proto = mg.proto as Msg;
  const targets: string[] = [];
  const initSig = mg.signatures.__saved_model_init_op;
  if (initSig) for (const t of Object.values(initSig.outputs)) if (t.name) targets.push(parseInput(t.name).node);
  if (targets.length === 0) targets.push(...nodeList(proto, 'saved_model_main_op'));
  if (targets.length === 0) targets.push(...nodeList(proto, 'legacy_init_op'));
  targets.push(...nodeList(proto, 'table_initializer'));
  const names = new Set(mg.graph.nodes.map((n) => n.name));
  const assets = new Map<string, string>();
  const add = (d: Msg | undefined) => {
    const tensor = (d?.tensor_info as { name?: string } | undefined)?.name;
    const filename = d?.filename as string | undefined;
    if (tensor && filename && names.has(parseInput(tensor).node)) assets.set(tensor, filename);
  };
  for (const d of (proto.asset_file_def as Msg[] | undefined) ?? []) add(d);
  const any = ((proto.collection_def as Record<string, Msg> | undefined)?.saved_model_assets?.any_list as { value?: Msg[] } | undefined)?.value ?? [];
  for (const d of any) {
    // Any { type_url, value }: the TF1 collection stores AssetFileDefs packed.
    if (typeof d.type_url === 'string' && d.value instanceof Uint8Array) {
      if (d.type_url.endsWith('/tensorflow.AssetFileDef')) {
        try {
          add(decodeMessage('tensorflow.AssetFileDef', d.value) as Msg);
        } catch {
          // A corrupt entry feeds nothing; the initializer then names the path it cannot read.
        }
      }
    } else add(d);
  }
  return {
    targets: [...new Set(targets)].filter((t) => names.has(t)),
    assets: [...assets].map(([tensor, filename]) => ({ tensor, filename })),
  };
}

/** The asset feeds for a SavedModel directory: each asset tensor → `<dir>/assets/<filename>`. */
export function assetPaths(init: SavedModelInit, dir: string): Record<string, string> {
  return Object.fromEntries(init.assets.map((a) => [a.tensor, joinPath(dir, 'assets', a.filename)]));
}
