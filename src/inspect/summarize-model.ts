/**
 * `summarizeModel`'s body (src/inspect/summarize.ts declares it): loaded on the first call, so that
 * it stays out of what the core loads on import (test/package/browser.test.ts).
 */
import { placeholderDims } from '../ir/placeholder';
import { formatShape, type Shape } from '../ir/attr';
import { type DType, dtypeSize, dtypeToEnum } from '../ir/dtype';
import { loadedAttrReader, tensorHeader } from '../ir/encoded-attrs';
import { inferShapesOf } from '../ir/shape-inference';
import { executionOrder } from '../ir/topo';
import { validateGraph } from '../ir/validate';
import { tfSummarizeValue } from './array-text';
import type { Graph } from '../ir/graph';
import { graphIndex } from '../ir/graph';
import type { Node } from '../ir/node';
import { parseInput } from '../ir/node';
import { CONTROL_PORT, ancestorMask, graphEdges } from '../ir/edges';
import { numElements, tensorByteSize } from '../ir/tensor';
import type { LoadedModel } from '../io/loaded-model';
import { findMetaGraph, type MetaGraph, type Signature } from '../io/saved-model';
import { GraftError } from '../errors';
import { checkLoadedModel, checkOptions } from '../ir/check';
import { FIRST_INFERRED, type FirstInferred, type ModelSummary, type SummarizeGraphFacts, type SummarizeGraphNode, type SummarizeOptions, type TensorSummary } from './summarize';

const OP_CONST = 1;
const OP_PLACEHOLDER = 2;
/** `Variable`/`VariableV2`: what summarize_graph lists. */
const OP_TF_VARIABLE = 4;
/** Those and `VarHandleOp`: the variables listed. */
const OP_VARIABLE = 8;
/** An op whose name contains "Variable" (the article's count). */
const OP_NAMED_VARIABLE = 16;
const OP_QUANTIZED = 32;

/** What summarize lists an op's nodes under, as OP_* bits. */
function opKind(op: string): number {
  let k = 0;
  if (op === 'Const') k |= OP_CONST;
  if (op === 'Placeholder') k |= OP_PLACEHOLDER;
  if (op === 'Variable' || op === 'VariableV2') k |= OP_TF_VARIABLE;
  if (op === 'Variable' || op === 'VariableV2' || op === 'VarHandleOp') k |= OP_VARIABLE;
  if (op.includes('Variable')) k |= OP_NAMED_VARIABLE;
  if (QUANTIZED.test(op)) k |= OP_QUANTIZED;
  return k;
}

/** Ops never taken as outputs by `summarize_graph`. */
const NOT_OUTPUTS: ReadonlySet<string> = new Set(['Const', 'Assign', 'NoOp', 'Placeholder']);

const QUANTIZED = /^(Quantize|Dequantize|Quantized|Requantize|RequantizationRange|FakeQuant)/;

function attrDType(n: Node, key: string): DType | null {
  const a = n.attrs[key];
  return a?.kind === 'type' ? a.value : null;
}

function attrShape(n: Node, key: string): readonly number[] | null {
  const a = n.attrs[key];
  if (a?.kind !== 'shape' || a.value.unknownRank) return null;
  return a.value.dims;
}

function pickMetaGraph(model: Extract<LoadedModel, { kind: 'saved-model' }>, tagSet?: string): MetaGraph {
  if (tagSet !== undefined) return findMetaGraph(model.savedModel, tagSet.split(',').filter(Boolean), model.modelFile);
  const metas = model.savedModel.metaGraphs;
  return metas.find((m) => m.tags.length === 1 && m.tags[0] === 'serve') ?? metas[0]!;
}

/**
 * The keys, sorted, of the signatures `name` names as a method when it is no signature's key and
 * several signatures of the meta graph (chosen as `summarizeModel` chooses it) have it as their
 * method; empty otherwise (a key, a method one signature has, or nothing: the usual rules apply).
 */
export function signaturesOfMethod(model: LoadedModel, tagSet: string | undefined, name: string): string[] {
  if (model.kind === 'graph-def') return [];
  const mg = model.kind === 'meta-graph' ? model.metaGraph : pickMetaGraph(model, tagSet);
  if (Object.hasOwn(mg.signatures, name)) return [];
  const keys = Object.keys(mg.signatures).filter((k) => mg.signatures[k]!.methodName === name);
  return keys.length > 1 ? keys.sort() : [];
}

function pickSignature(mg: MetaGraph, key: string | undefined, file: string): [string, Signature] | undefined {
  const keys = Object.keys(mg.signatures);
  if (key !== undefined) {
    const s = mg.signatures[key];
    if (s) return [key, s];
    // A method name (`tensorflow/serving/regress`) picks the one signature that has it.
    const byMethod = keys.filter((k) => mg.signatures[k]!.methodName === key);
    if (byMethod.length === 1) return [byMethod[0]!, mg.signatures[byMethod[0]!]!];
    if (byMethod.length > 1) {
      throw new GraftError('model/unknown-signature', `'${key}' is the method of ${byMethod.length} signatures in meta graph [${mg.tags.join(',')}]: ${byMethod.map((k) => `'${k}'`).join(', ')}; name one of them`, { file });
    }
    throw new GraftError('model/unknown-signature', `No signature '${key}' in meta graph [${mg.tags.join(',')}]; it has ${keys.map((k) => `'${k}'`).join(', ') || 'none'}`, { file });
  }
  const chosen = keys.includes('serving_default') ? 'serving_default' : keys.find((k) => k !== '__saved_model_init_op');
  return chosen === undefined ? undefined : [chosen, mg.signatures[chosen]!];
}

/** The graph `summarizeModel` describes: the GraphDef, the .meta's, or the chosen meta graph's. */
export function summarizedGraph(model: LoadedModel, opts: Pick<SummarizeOptions, 'tagSet'> = {}): Graph {
  if (model.kind === 'graph-def') return model.graph;
  if (model.kind === 'meta-graph') return model.metaGraph.graph;
  return pickMetaGraph(model, opts.tagSet).graph;
}

/**
 * `summarize_graph --print_structure`: every node in execution order as `name (op): [inputs]`,
 * a `Const` followed by `, value=Tensor<type: float shape: [2] values: 1 2>`.
 */
export function structureLines(graph: Graph): string[] {
  return executionOrder(graph).order.map((n) => {
    let line = `${n.name} (${n.op}): [${n.inputs.join(', ')}]`;
    const v = n.attrs['value'];
    if (n.op === 'Const' && v?.kind === 'tensor') {
      line += `, value=Tensor<type: ${dataTypeString(v.value.dtype)} shape: [${v.value.shape.join(',')}] values: ${tfSummarizeValue(v.value)}>`;
    }
    return line;
  });
}

/** Summarizes a loaded model (what `summarizeModel` resolves to). */
export function summarizeLoadedModel(model: LoadedModel, opts: SummarizeOptions = {}): ModelSummary {
  checkLoadedModel('summarizeModel', 'model', model);
  checkOptions('summarizeModel', 'opts', opts);
  let graph: Graph;
  let mg: MetaGraph | undefined;
  if (model.kind === 'graph-def') graph = model.graph;
  else if (model.kind === 'meta-graph') (mg = model.metaGraph), (graph = mg.graph);
  else (mg = pickMetaGraph(model, opts.tagSet)), (graph = mg.graph);
  const file = model.kind === 'saved-model' ? model.modelFile : model.path;
  const sig = mg ? pickSignature(mg, opts.signature, file) : undefined;

  const idx = graphIndex(graph);
  const nodes = graph.nodes;
  const count = nodes.length;
  // Edges resolved once to node positions (no per-edge strings or objects); with repeated names
  // an edge names the first node of the name, and every node of a name shares its marks below.
  const { offsets, producer, port, uniqueNames } = graphEdges(nodes);
  const first = (i: number): number => (uniqueNames ? i : idx.position.get(nodes[i]!.name)!);
  const consumed = new Uint8Array(count);
  let controlEdges = 0;
  const invalidInputs: { node: string; input: string }[] = [];
  for (let i = 0; i < count; i++) {
    for (let e = offsets[i]!, end = offsets[i + 1]!; e < end; e++) {
      const j = producer[e]!;
      if (port[e] === CONTROL_PORT) controlEdges++;
      if (j >= 0) consumed[j] = 1;
      else invalidInputs.push({ node: nodes[i]!.name, input: nodes[i]!.inputs[e - offsets[i]!]! });
    }
  }

  const tfOutputs: Node[] = [];
  for (let i = 0; i < count; i++) {
    const n = nodes[i]!;
    if (!consumed[first(i)] && !NOT_OUTPUTS.has(n.op)) tfOutputs.push(n);
  }
  const sigOutputs = sig ? Object.values(sig[1].outputs).map((t) => t.name).filter((x): x is string => x !== null) : [];
  const outputNames = sigOutputs.length > 0 ? [...new Set(sigOutputs.map((t) => parseInput(t).node))] : tfOutputs.map((n) => n.name);
  const outputs = outputNames.map((name) => ({ name, op: idx.byName.get(name)?.op ?? '?' }));

  // Unused: not reachable backwards (data and control) from the outputs.
  const needed = ancestorMask(nodes, outputNames, false);
  // One pass over the nodes for everything decided by op, name and device; what an op is decided
  // once per op (a bit set: OP_* below).
  const unusedNodes: string[] = [];
  const constNodes: Node[] = [];
  const constAt: number[] = [];
  const placeholderNodes: Node[] = [];
  const tfVariableNodes: Node[] = [];
  const variableNodes: Node[] = [];
  const quantizationNodes: string[] = [];
  const opKinds = new Map<string, { kind: number; count: number }>();
  const devices = new Map<string, number>();
  let variableCount = 0;
  for (let i = 0; i < count; i++) {
    const n = nodes[i]!;
    if (!needed[first(i)]) unusedNodes.push(n.name);
    const op = n.op;
    let k = opKinds.get(op);
    if (k === undefined) opKinds.set(op, (k = { kind: opKind(op), count: 0 }));
    k.count++;
    const kind = k.kind;
    if (kind !== 0) {
      if (kind & OP_CONST) constNodes.push(n), constAt.push(i);
      if (kind & OP_PLACEHOLDER) placeholderNodes.push(n);
      if (kind & OP_TF_VARIABLE) tfVariableNodes.push(n);
      if (kind & OP_VARIABLE) variableNodes.push(n);
      if (kind & OP_NAMED_VARIABLE) variableCount++;
      if (kind & OP_QUANTIZED) quantizationNodes.push(n.name);
    }
    if (n.device) devices.set(n.device, (devices.get(n.device) ?? 0) + 1);
  }
  const allOps = new Map<string, number>();
  for (const [op, k] of opKinds) allOps.set(op, k.count);
  const constCount = opKinds.get('Const')?.count ?? 0;
  const identityCount = opKinds.get('Identity')?.count ?? 0;
  for (const f of graph.library.functions) for (const n of f.nodes) allOps.set(n.op, (allOps.get(n.op) ?? 0) + 1);
  const ops = [...allOps].map(([op, count]) => ({ op, count })).sort((a, b) => b.count - a.count || (a.op < b.op ? -1 : 1));

  let constElements = 0;
  let constBytes = 0;
  // The five largest, the first of equal sizes first (what a stable sort by size would put first).
  const largestConsts: { name: string; dtype: DType; shape: readonly number[]; bytes: number }[] = [];
  // A loaded constant's dtype and shape are read from its bytes when they say all the size needs
  // (a content tensor: elements times the dtype's size), by position when the graph's nodes are
  // as loaded; else the value is decoded.
  const reader = loadedAttrReader(nodes);
  const sizes = new Map<DType, number>();
  for (let c = 0; c < constNodes.length; c++) {
    const n = constNodes[c]!;
    let dtype: DType;
    let shape: readonly number[];
    let bytes: number;
    const header = reader ? reader.tensorHeader(constAt[c]!, 'value') : tensorHeader(n, 'value');
    if (header) {
      ({ dtype, shape } = header);
      let size = sizes.get(dtype);
      if (size === undefined) sizes.set(dtype, (size = dtypeSize(dtype) ?? 0));
      bytes = numElements(shape) * size;
    } else {
      const v = n.attrs.value;
      if (v?.kind !== 'tensor') continue;
      ({ dtype, shape } = v.value);
      bytes = tensorByteSize(v.value);
    }
    constElements += numElements(shape);
    constBytes += bytes;
    if (largestConsts.length === 5 && bytes <= largestConsts[4]!.bytes) continue;
    let k = largestConsts.length;
    while (k > 0 && largestConsts[k - 1]!.bytes < bytes) k--;
    largestConsts.splice(k, 0, { name: n.name, dtype, shape, bytes });
    if (largestConsts.length > 5) largestConsts.pop();
  }

  const summarizeGraph: SummarizeGraphFacts = {
    inputs: placeholderNodes.map(graphNodeInfo),
    variables: tfVariableNodes.map(graphNodeInfo),
    outputs: tfOutputs.map((n) => ({ name: n.name, op: n.op })),
    constParameters: constElements,
    // TensorFlow reads a `value` attribute, which variable nodes do not have.
    variableParameters: 0,
    controlEdges,
  };
  const outputTensors = sigOutputs.length > 0 ? sigOutputs : outputNames;
  // Shape inference costs a pass over the graph (and its functions): run on first read only, so
  // callers that want the signature alone (loading a model to run it) do not pay for it.
  const tensorNames = outputTensors.map((t) => (t.includes(':') ? t : `${t}:0`));
  const infer = (names: readonly string[]): TensorSummary[] => {
    const shapes = inferShapesOf(graph, names);
    return names.map((name) => {
      const f = shapes.get(name);
      return { name, dtype: f && f.dtype !== 'invalid' ? f.dtype : null, shape: f ? f.shape : null };
    });
  };
  let inferred: TensorSummary[] | undefined;
  const inferredOutputs = (): TensorSummary[] => (inferred ??= infer(tensorNames));
  // The text shows the first few: inferring those needs only what they read (inferShapesOf).
  const firstInferred: FirstInferred = { count: tensorNames.length, first: (n) => (inferred ? inferred.slice(0, n) : infer(tensorNames.slice(0, n))) };

  const variableElements = (opts.variableShapes ?? []).reduce((s, shape) => s + numElements(shape), 0);
  const graphBytes = model.fileBytes;
  const variablesBytes = model.kind === 'graph-def' ? 0 : model.variables.bytes;

  const summary: Omit<ModelSummary, 'inferredOutputs'> = {
    path: model.path,
    kind: model.kind,
    format: model.format,
    ...(model.kind === 'saved-model'
      ? { metaGraphs: model.savedModel.metaGraphs.map((m) => ({ tags: m.tags, signatures: Object.keys(m.signatures) })) }
      : {}),
    ...(mg ? { tags: mg.tags } : {}),
    ...(sig
      ? {
          signature: {
            key: sig[0],
            methodName: sig[1].methodName,
            inputs: Object.entries(sig[1].inputs).map(([key, t]) => ({ key, name: t.name ?? `(${t.encoding})`, dtype: t.dtype, shape: shapeDims(t.shape) })),
            outputs: Object.entries(sig[1].outputs).map(([key, t]) => ({ key, name: t.name ?? `(${t.encoding})`, dtype: t.dtype, shape: shapeDims(t.shape) })),
          },
        }
      : {}),
    placeholders: placeholderNodes.map((n) => ({ name: n.name, dtype: attrDType(n, 'dtype'), shape: n.attrs['shape'] ? placeholderDims(n, graph) : null })),
    outputs,
    unusedNodes,
    quantizationNodes,
    variables: variableNodes.map((n) => ({ name: n.name, op: n.op, dtype: attrDType(n, 'dtype'), shape: attrShape(n, 'shape') })),
    counts: {
      nodes: count,
      const: constCount,
      variable: variableCount,
      identity: identityCount,
      controlEdges,
      functions: graph.library.functions.length,
      functionNodes: graph.library.functions.reduce((s, f) => s + f.nodes.length, 0),
    },
    ops,
    parameters: { constElements, constBytes, variableElements, largestConsts },
    devices: [...devices].sort(([a], [b]) => (a < b ? -1 : 1)).map(([device, nodes]) => ({ device, nodes })),
    invalidInputs,
    problems: validateGraph(graph).map((p) => ({ code: p.code, node: p.node, message: p.message })),
    sizes: { graphBytes, variablesBytes, totalBytes: graphBytes + variablesBytes },
    variablesState: model.kind === 'graph-def' ? 'none' : model.variables.state,
    summarizeGraph,
  };
  // Enumerable, so JSON and spreads include it.
  Object.defineProperty(summary, 'inferredOutputs', { get: inferredOutputs, enumerable: true, configurable: true });
  return Object.defineProperty(summary, FIRST_INFERRED, { value: firstInferred }) as ModelSummary;
}

/** `PrintNodeInfo`'s facts about a node. */
function graphNodeInfo(n: Node): SummarizeGraphNode {
  const dt = n.attrs['dtype'];
  const dtype: DType = dt?.kind === 'type' ? dt.value : 'invalid';
  const sh = n.attrs['shape'];
  const shape = sh?.kind === 'shape' ? formatShape(sh.value) : 'None';
  const dims = sh?.kind === 'shape' && !sh.value.unknownRank ? sh.value.dims : null;
  return { name: n.name, type: dataTypeString(dtype), typeEnum: dtypeToEnum(dtype), shape, dims };
}

/** TensorFlow's `DataTypeString`: `float`, `float_ref`, `INVALID`. */
function dataTypeString(dtype: DType): string {
  return dtype === 'invalid' ? 'INVALID' : dtype;
}

function shapeDims(s: Shape | null): readonly number[] | null {
  return s && !s.unknownRank ? s.dims : null;
}

