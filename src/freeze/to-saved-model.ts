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
import { placeholderShape } from '../ir/placeholder';
import { GraftError } from '../errors';
import { type AttrValue, type Shape, shapeOf } from '../ir/attr';
import { outputDType } from '../ir/output-dtype';
import { type InferredTensor, inferShapes } from '../ir/shape-inference';
import { type Graph, graphIndex, withNodes } from '../ir/graph';
import { type Node, parseInput, tensorName } from '../ir/node';
import type { MetaGraph, SavedModelProto, Signature, TensorInfo } from '../io/saved-model';
import { nearestNames } from '../suggest';
import type { SaverDef } from './add-saver';
import { checkGraphShallow } from '../ir/check';
import { checkObject, checkStringsArgument } from '../ir/check';
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


/** The default signature key of a tensor: `x:0` → `x`; other ports keep their suffix. */
function defaultKey(tensor: string): string {
  return tensor.endsWith(':0') ? tensor.slice(0, -2) : tensor;
}

/** The static shape of output `port`, as far as the node's attributes record it; null when they don't. */
export function outputShape(node: Node, port: number, graph: Pick<Graph, 'versions'> | null = null): Shape | null {
  const shapes = node.attrs._output_shapes;
  if (shapes?.kind === 'list' && shapes.value.shape?.[port]) return shapes.value.shape[port]!;
  if (port !== 0) return null;
  // A producer <= 21 graph's empty Placeholder shape is TensorFlow's "unknown" (ir/placeholder).
  if (node.op === 'Placeholder' && node.attrs.shape?.kind === 'shape') return placeholderShape(node, graph);
  const shape: AttrValue | undefined = node.attrs.shape;
  if (shape?.kind === 'shape' && (node.op === 'Placeholder' || node.op === 'PlaceholderWithDefault' || node.op.startsWith('Variable'))) return shape.value;
  const value = node.attrs.value;
  if (node.op === 'Const' && value?.kind === 'tensor') return { dims: [...value.value.shape], unknownRank: false };
  return null;
}

interface TensorSpec {
  readonly key: string;
  readonly tensor: string;
}

function parseSpecs(specs: readonly string[], what: 'input' | 'output', graph: Graph): TensorSpec[] {
  const byName = graphIndex(graph).byName;
  const out: TensorSpec[] = [];
  const keys = new Set<string>();
  for (const raw of specs) {
    const eq = raw.indexOf('=');
    const name = (eq >= 0 ? raw.slice(eq + 1) : raw).trim();
    const ref = parseInput(name);
    if (!name || ref.control || ref.outputArg !== undefined) {
      throw new GraftError('graph/bad-edge', `'${raw}' is not a tensor name: give the ${what} as node, node:port or key=node:port`);
    }
    const tensor = tensorName(name);
    const key = eq >= 0 ? raw.slice(0, eq).trim() : defaultKey(tensor);
    if (!key) throw new GraftError('graph/bad-edge', `'${raw}' has an empty signature key`);
    if (!byName.has(ref.node)) {
      const near = nearestNames(ref.node, byName.keys());
      throw new GraftError(
        what === 'output' ? 'freeze/missing-output' : 'graph/missing-node',
        `The ${what} '${name}' names no node of the graph${near.length ? ` (did you mean '${near[0]}'?)` : ''}`,
        { node: ref.node },
      );
    }
    if (keys.has(key)) throw new GraftError('graph/bad-edge', `Two ${what}s share the signature key '${key}'; choose keys with key=tensor`);
    keys.add(key);
    out.push({ key, tensor });
  }
  return out;
}

/** The `Placeholder` nodes, as `x:0` tensor names: `simple_save`'s inputs as the article found them. */
export function defaultInputs(graph: Graph): string[] {
  return graph.nodes.filter((n) => n.op === 'Placeholder').map((n) => `${n.name}:0`);
}

/** Nodes nothing consumes (control inputs count as use), except Const, Assign, NoOp and Placeholder. */
export function defaultOutputs(graph: Graph): string[] {
  const consumers = graphIndex(graph).consumers;
  const skip = new Set(['Const', 'Assign', 'NoOp', 'Placeholder']);
  return graph.nodes.filter((n) => !skip.has(n.op) && !(consumers.get(n.name)?.length)).map((n) => `${n.name}:0`);
}

const inferredCache = new WeakMap<Graph, Map<string, InferredTensor>>();
function inferredShapes(graph: Graph): Map<string, InferredTensor> {
  let m = inferredCache.get(graph);
  if (!m) inferredCache.set(graph, (m = inferShapes(graph)));
  return m;
}

function tensorInfo(graph: Graph, tensor: string): TensorInfo {
  const ref = parseInput(tensor);
  const node = graphIndex(graph).byName.get(ref.node)!;
  // An unknown shape is written as unknown_rank, as simple_save does: a TensorInfo without
  // tensor_shape reads as a scalar (saved_model_cli prints `shape: ()`).
  // What the graph records first (`_output_shapes`, a placeholder's shape); else the inferred
  // shape, as TensorFlow writes its shape refiner's result.
  const inferred = inferredShapes(graph).get(`${ref.node}:${ref.port}`);
  const shape = outputShape(node, ref.port, graph) ?? (inferred ? shapeOf(inferred.shape) : shapeOf(null));
  const dtype = outputDType(node, ref.port);
  return { name: tensor, dtype: dtype === 'invalid' && inferred ? inferred.dtype : dtype, shape, encoding: 'name' };
}

/**
 * The signature `simple_save` writes: `predict_signature_def(inputs, outputs)`.
 * @throws GraftError `graph/missing-node` / `freeze/missing-output` for names that are not in the
 *   graph, and when there are no inputs or no outputs (TensorFlow: "Prediction inputs cannot be
 *   None or empty.").
 */
export function predictSignature(graph: Graph, inputs: readonly string[], outputs: readonly string[]): Signature {
  checkGraphShallow('predictSignature', 'graph', graph);
  checkStringsArgument('predictSignature', 'inputs', inputs);
  checkStringsArgument('predictSignature', 'outputs', outputs);
  const ins = parseSpecs(inputs, 'input', graph);
  const outs = parseSpecs(outputs, 'output', graph);
  if (ins.length === 0) {
    throw new GraftError('graph/missing-node', 'Prediction inputs cannot be empty: the graph has no Placeholder', { hint: 'Name the input tensors (`inputs`, e.g. x:0).' });
  }
  if (outs.length === 0) {
    throw new GraftError('freeze/missing-output', 'Prediction outputs cannot be empty: every node of the graph is consumed', { hint: 'Name the output tensors (`outputs`, e.g. y:0).' });
  }
  return {
    methodName: PREDICT_METHOD_NAME,
    inputs: Object.fromEntries(ins.map((s) => [s.key, tensorInfo(graph, s.tensor)])),
    outputs: Object.fromEntries(outs.map((s) => [s.key, tensorInfo(graph, s.tensor)])),
  };
}

/**
 * A SavedModel message for `graph`: one meta graph (tags `serve`) with a `serving_default`
 * predict signature, or the given signatures. Pure: nothing is read or written.
 *
 * @example
 * ```ts
 * const m = await loadModel('frozen.pb');
 * const sm = toSavedModel(mainGraph(m), { outputs: ['softmax'] });
 * await saveSavedModel('export/1', sm);
 * ```
 */
export function toSavedModel(graph: Graph, opts: ToSavedModelOptions = {}): SavedModelProto {
  checkGraphShallow('toSavedModel', 'graph', graph);
  const tags = [...(opts.tags ?? ['serve'])];
  const signatures = opts.signatures ?? { [DEFAULT_SIGNATURE_KEY]: predictSignature(graph, opts.inputs ?? defaultInputs(graph), opts.outputs ?? defaultOutputs(graph)) };
  if (opts.signatures) {
    // Given signatures must still name tensors of this graph.
    const { dropped } = remapSignatures(opts.signatures, graph);
    if (dropped.length > 0) {
      const d = dropped[0]!;
      throw new GraftError('graph/missing-node', `Signature '${d.key}' names ${d.missing.map((m) => `'${m}'`).join(', ')}, which the graph does not have`, {
        node: parseInput(d.missing[0]!).node,
        hint: 'Pass the signatures through remapSignatures first: it keeps the ones that still hold and reports the rest.',
      });
    }
  }
  const clear = opts.clearDevices ?? true;
  const g = clear && graph.nodes.some((n) => n.device) ? withNodes(graph, graph.nodes.map((n) => (n.device ? Object.freeze({ ...n, device: '' }) : n))) : graph;
  const metaGraph: MetaGraph = {
    tags,
    graph: g,
    signatures: signatures,
    proto: { meta_info_def: { tags }, ...(opts.saverDef ? { saver_def: { ...opts.saverDef } } : {}) },
  };
  return { schemaVersion: 1, metaGraphs: [metaGraph] };
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
 * const sm = toSavedModel(optimized, { signatures });
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
