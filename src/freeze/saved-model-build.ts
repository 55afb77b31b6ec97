/**
 * The bodies of `toSavedModel` and `predictSignature` (src/freeze/to-saved-model.ts declares them
 * and says what is written): loaded on the first call, so that they and shape inference's use
 * stay out of what the core loads on import (test/package/browser.test.ts).
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
import { checkGraphShallow, checkStringsArgument } from '../ir/check';
import { DEFAULT_SIGNATURE_KEY, PREDICT_METHOD_NAME, type ToSavedModelOptions, remapSignatures } from './to-saved-model';

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

/** What `predictSignature` resolves to. */
export function predictSignatureNow(graph: Graph, inputs: readonly string[], outputs: readonly string[]): Signature {
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

/** What `toSavedModel` resolves to. */
export function toSavedModelNow(graph: Graph, opts: ToSavedModelOptions = {}): SavedModelProto {
  checkGraphShallow('toSavedModel', 'graph', graph);
  const tags = [...(opts.tags ?? ['serve'])];
  const signatures = opts.signatures ?? { [DEFAULT_SIGNATURE_KEY]: predictSignatureNow(graph, opts.inputs ?? defaultInputs(graph), opts.outputs ?? defaultOutputs(graph)) };
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
