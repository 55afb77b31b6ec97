/**
 * Converting back: a (frozen, optimized) GraphDef becomes a SavedModel again, the third step of the
 * serving article's workflow, where TensorFlow's `simple_save` is used.
 *
 * What `simple_save` writes, and what graft writes:
 * - one meta graph tagged `serve`, with one `serving_default` signature of method
 *   `tensorflow/serving/predict` whose TensorInfos carry the tensor name (`x:0`), its dtype and
 *   its static shape (-1 for an unknown dimension, `unknown_rank` when even the rank is unknown);
 * - `saved_model_schema_version: 1`; `meta_info_def` with the tags; devices cleared
 *   (`clear_devices=True`); the graph's own `versions`;
 * - for a frozen graph (no variables) no `saver_def` and an empty `variables/` directory: TF's
 *   builder creates the directory, and its empty saver writes nothing into it.
 *
 * Where graft differs, and why:
 * - simple_save needs the caller to name every input and output; graft defaults to every
 *   `Placeholder` and to the nodes nothing consumes (TensorFlow's summarize_graph rule), and
 *   makes the signature keys from the tensor names (`x:0` → `x`, `y:1` kept as `y:1`). A key can
 *   be chosen with `key=tensor`.
 * - The shape is what the graph records (`shape` of placeholders and variables, a Const's value,
 *   `_output_shapes`), else the shape graft infers (`ir/shape-inference.ts`, TensorFlow's shape
 *   functions), so an ArgMax over `[-1,10]` is written `(-1)` as TensorFlow writes it; what
 *   inference cannot tell stays -1 or `unknown_rank`. Never no `tensor_shape` at all: readers
 *   take a missing shape for a scalar.
 * - No `stripped_op_list` and no `tensorflow_version` in `meta_info_def`: graft has no OpDefs to
 *   strip and is not TensorFlow. TensorFlow's loaders and TF Serving need neither.
 * - Signatures of an original SavedModel can be carried over instead (`remapSignatures`), which
 *   simple_save cannot do.
 */
import { outputDType } from '../ir/output-dtype';
import { type Graph, graphIndex } from '../ir/graph';
import { parseInput } from '../ir/node';
import type { SavedModelProto, Signature, TensorInfo } from '../io/saved-model';
import type { SaverDef } from './add-saver';
import { checkGraphShallow, checkObject } from '../ir/check';
import { badArgument } from '../errors';

export { outputDType };

/** The signature key `simple_save` writes and TF Serving calls by default. */
export const DEFAULT_SIGNATURE_KEY = 'serving_default';
/** `signature_constants.PREDICT_METHOD_NAME`. */
export const PREDICT_METHOD_NAME = 'tensorflow/serving/predict';

export interface ToSavedModelOptions {
  /**
   * Input tensors (`x:0`, `x`, or `key=x:0` to choose the signature key).
   * Default: every `Placeholder`, in graph order.
   */
  readonly inputs?: readonly string[];
  /**
   * Output tensors, same forms. Default: the nodes nothing consumes, except `Const`, `Assign`,
   * `NoOp` and `Placeholder` (TensorFlow's summarize_graph rule), in graph order.
   */
  readonly outputs?: readonly string[];
  /**
   * The signatures to write instead of one `serving_default` built from `inputs`/`outputs`
   * (typically the original model's, through `remapSignatures`).
   */
  readonly signatures?: Readonly<Record<string, Signature>>;
  /** The meta graph's tags (default `['serve']`). */
  readonly tags?: readonly string[];
  /** Blank every node's device, as `simple_save` does (default true). */
  readonly clearDevices?: boolean;
  /**
   * The meta graph's `saver_def`, for a graph that keeps variables (`addSaver` makes the graph's
   * save and restore ops, this and the checkpoint). Default none: a frozen graph has no variables.
   */
  readonly saverDef?: SaverDef;
}


/**
 * The signature `simple_save` writes: `predict_signature_def(inputs, outputs)`. Async, as
 * `toSavedModel` is.
 * @throws GraftError (as rejections) `api/bad-argument` for bad arguments; `graph/missing-node` / `freeze/missing-output` for names that are not in the
 *   graph, and when there are no inputs or no outputs (TensorFlow: "Prediction inputs cannot be
 *   None or empty.").
 */
export async function predictSignature(graph: Graph, inputs: readonly string[], outputs: readonly string[]): Promise<Signature> {
  const { predictSignatureNow } = await import('./saved-model-build');
  return predictSignatureNow(graph, inputs, outputs);
}

/**
 * A SavedModel message for `graph`: one meta graph (tags `serve`) with a `serving_default`
 * predict signature, or the given signatures. Pure: nothing is read or written. Async: the
 * conversion (with the shape inference it uses) loads on the first call (saved-model-build.ts),
 * so that it stays out of what the core loads on import.
 *
 * @throws GraftError (as rejections) `api/bad-argument` for bad arguments; `graph/missing-node`
 *   or `freeze/missing-output` for inputs or outputs the graph does not have (and for given
 *   `signatures` naming tensors it does not have).
 *
 * @example
 * ```ts
 * const m = await loadModel('frozen.pb');
 * const sm = await toSavedModel(mainGraph(m), { outputs: ['softmax'] });
 * await saveSavedModel('export/1', sm);
 * ```
 */
export async function toSavedModel(graph: Graph, opts: ToSavedModelOptions = {}): Promise<SavedModelProto> {
  const { toSavedModelNow } = await import('./saved-model-build');
  return toSavedModelNow(graph, opts);
}

// ---------------------------------------------------------------- remapping signatures

type Msg = Record<string, unknown>;

/** Tensor names inside a TensorInfo, including those of sparse and composite encodings. */
function namesIn(t: TensorInfo): string[] {
  if (t.encoding === 'name') return t.name ? [t.name] : [];
  const raw = (t.raw ?? {}) as Msg;
  return namesInRaw(raw);
}

function namesInRaw(raw: Msg): string[] {
  if (typeof raw.name === 'string' && raw.name) return [raw.name];
  const coo = raw.coo_sparse as Msg | undefined;
  if (coo) return ['values_tensor_name', 'indices_tensor_name', 'dense_shape_tensor_name'].map((k) => coo[k]).filter((v): v is string => typeof v === 'string' && v !== '');
  const comp = raw.composite_tensor as Msg | undefined;
  if (comp) return ((comp.components as Msg[] | undefined) ?? []).flatMap(namesInRaw);
  return [];
}

function renameRaw(raw: Msg, rename: (t: string) => string): Msg {
  // A decoded sparse TensorInfo carries `name: ''` (proto3's default): not a tensor to rename.
  if (typeof raw.name === 'string' && raw.name) return { ...raw, name: rename(raw.name) };
  const coo = raw.coo_sparse as Msg | undefined;
  if (coo) {
    const c: Msg = { ...coo };
    for (const k of ['values_tensor_name', 'indices_tensor_name', 'dense_shape_tensor_name']) if (typeof c[k] === 'string' && c[k]) c[k] = rename(c[k] as string);
    return { ...raw, coo_sparse: c };
  }
  const comp = raw.composite_tensor as Msg | undefined;
  if (comp) return { ...raw, composite_tensor: { ...comp, components: ((comp.components as Msg[] | undefined) ?? []).map((x) => renameRaw(x, rename)) } };
  return raw;
}

/**
 * Remaps an original model's signatures onto a transformed graph: tensor names follow `renames`
 * (old node name → new node name), every signature whose tensors all still exist is kept, and the
 * others are returned in `dropped` with the tensors they miss (TF2's `__saved_model_init_op`,
 * whose `NoOp` a frozen graph no longer has, is a typical one).
 *
 * @example
 * ```ts
 * const { signatures, dropped } = remapSignatures(original.signatures, optimized);
 * const sm = await toSavedModel(optimized, { signatures });
 * ```
 */
export function remapSignatures(
  original: Readonly<Record<string, Signature>>,
  graph: Graph,
  renames?: ReadonlyMap<string, string>,
): { signatures: Record<string, Signature>; dropped: { key: string; missing: string[] }[] } {
  checkObject('remapSignatures', 'original', original, 'an object of Signatures');
  checkGraphShallow('remapSignatures', 'graph', graph);
  if (renames !== undefined && !(renames instanceof Map)) throw badArgument('remapSignatures', 'renames', 'a Map of renamed tensors (or nothing)', renames);
  const byName = graphIndex(graph).byName;
  const rename = (t: string): string => {
    const ref = parseInput(t);
    const node = renames?.get(ref.node) ?? ref.node;
    return `${node}:${ref.port}`;
  };
  const signatures: Record<string, Signature> = {};
  const dropped: { key: string; missing: string[] }[] = [];
  for (const [key, sig] of Object.entries(original)) {
    const missing: string[] = [];
    const remapInfo = (t: TensorInfo): TensorInfo => {
      for (const n of namesIn(t)) if (!byName.has(parseInput(rename(n)).node)) missing.push(rename(n));
      if (t.encoding === 'name') return t.name ? { ...t, name: rename(t.name) } : t;
      return t.raw ? { ...t, raw: renameRaw(t.raw as Msg, rename) } : t;
    };
    const inputs = Object.fromEntries(Object.entries(sig.inputs).map(([k, t]) => [k, remapInfo(t)]));
    const outputs = Object.fromEntries(Object.entries(sig.outputs).map(([k, t]) => [k, remapInfo(t)]));
    if (missing.length > 0) dropped.push({ key, missing: [...new Set(missing)] });
    else signatures[key] = { ...sig, inputs, outputs };
  }
  return { signatures, dropped };
}
