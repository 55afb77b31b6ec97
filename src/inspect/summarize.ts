/**
 * What a model holds, for people deciding how to serve it: what the serving article's
 * `describe_graph` and `get_size` print, plus TensorFlow's `summarize_graph` (inputs with dtype and
 * shape, outputs, op counts, parameters, control edges, devices), plus sizes in bytes.
 *
 * Where the article guessed from node names ("softmax" in the name is an output), graft uses the
 * graph: outputs come from the signature (or, for a bare GraphDef, the nodes nothing consumes),
 * unused nodes are those the outputs do not need, quantization nodes are the quantized ops.
 */
import { formatShape } from '../ir/attr';
import type { DType } from '../ir/dtype';
import type { LoadedModel } from '../io/loaded-model';
import { checkArray, checkFields } from '../ir/check';

export interface TensorSummary {
  readonly name: string;
  readonly dtype: DType | null;
  /** Dimensions with -1 for unknown; null when unknown rank or not given. */
  readonly shape: readonly number[] | null;
}

export interface SignatureTensorSummary extends TensorSummary {
  /** The signature's key for this tensor (`images`). */
  readonly key: string;
}

/** One op graft has no kernel for, with the nodes using it (`node (in function)` inside functions). */
export interface OpsWithoutKernel {
  readonly op: string;
  readonly nodes: readonly string[];
}

/** What one signature needs that graft cannot run (empty `ops`: graft runs all of it). */
export interface SignatureOpsWithoutKernel {
  /** The signature key; null for a GraphDef's outputs (no signatures). */
  readonly signature: string | null;
  readonly ops: readonly OpsWithoutKernel[];
}

export interface ModelSummary {
  readonly path: string;
  readonly kind: LoadedModel['kind'];
  readonly format: 'binary' | 'text';
  /** For SavedModels: every meta graph's tags, and which one is summarized. */
  readonly metaGraphs?: readonly { readonly tags: readonly string[]; readonly signatures: readonly string[] }[];
  readonly tags?: readonly string[];
  /** The signature whose inputs and outputs are used, if any. */
  readonly signature?: { readonly key: string; readonly methodName: string; readonly inputs: readonly SignatureTensorSummary[]; readonly outputs: readonly SignatureTensorSummary[] };
  /** `Placeholder` nodes (the article's "input feature nodes", TF's "possible inputs"). */
  readonly placeholders: readonly TensorSummary[];
  /** Output node names: the signature's, or the nodes nothing consumes (TF's rule). */
  readonly outputs: readonly { readonly name: string; readonly op: string }[];
  /** Nodes the outputs do not need (data or control). */
  readonly unusedNodes: readonly string[];
  /** Quantized ops (`Quantize*`, `Dequantize`, `Quantized*`, `Requantize*`). */
  readonly quantizationNodes: readonly string[];
  /** Variables: `VariableV2`/`Variable` and `VarHandleOp` nodes. */
  readonly variables: readonly (TensorSummary & { readonly op: string })[];
  readonly counts: {
    readonly nodes: number;
    readonly const: number;
    /** Nodes whose op contains "Variable" (the article's count). */
    readonly variable: number;
    readonly identity: number;
    readonly controlEdges: number;
    readonly functions: number;
    readonly functionNodes: number;
  };
  /** Op counts over the graph and its library functions, most frequent first. */
  readonly ops: readonly { readonly op: string; readonly count: number }[];
  readonly parameters: {
    /** Elements held by Const nodes. */
    readonly constElements: number;
    readonly constBytes: number;
    /** Elements of the checkpoint's variables (0 without a checkpoint). */
    readonly variableElements: number;
    /** The largest constants. */
    readonly largestConsts: readonly { readonly name: string; readonly dtype: DType; readonly shape: readonly number[]; readonly bytes: number }[];
  };
  readonly devices: readonly { readonly device: string; readonly nodes: number }[];
  /** Inputs naming nodes that do not exist. */
  readonly invalidInputs: readonly { readonly node: string; readonly input: string }[];
  /**
   * What TensorFlow would refuse when importing the graph (`validateGraph`): duplicate names,
   * outputs a producer does not have, cycles other than a while loop's, dangling inputs.
   */
  readonly problems: readonly { readonly code: string; readonly node: string; readonly message: string }[];
  readonly sizes: {
    /** The GraphDef / saved_model.pb / .meta file. */
    readonly graphBytes: number;
    /** The variables checkpoint files (index + data). */
    readonly variablesBytes: number;
    readonly totalBytes: number;
  };
  /** 'present', 'index-only', 'missing', or 'none' for a GraphDef. */
  readonly variablesState: 'present' | 'index-only' | 'missing' | 'none';
  /**
   * Per signature (`__saved_model_init_op` aside), the ops graft cannot run (no kernel in the
   * runtime's registry) among those its outputs need, functions included. Filled by
   * `summarizeWithSupport` (src/verify), which knows the runtime; absent from `summarize`.
   */
  readonly unsupportedOps?: readonly SignatureOpsWithoutKernel[];
  /** What TensorFlow's `summarize_graph` prints, by its rules (see {@link SummarizeGraphFacts}). */
  readonly summarizeGraph: SummarizeGraphFacts;
  /**
   * The output tensors' dtype and shape as shape inference finds them (`inferShapes`): the
   * signature's output tensors, else `node:0` of each output node. Unknown dims are -1, an unknown
   * rank null, an unknown dtype null.
   */
  readonly inferredOutputs: readonly TensorSummary[];
}

/** A node as `summarize_graph` describes it: `(name=x, type=float(1), shape=[?,3])`. */
export interface SummarizeGraphNode {
  readonly name: string;
  /** `DataTypeString` of the `dtype` attribute (`float`, `INVALID` when absent). */
  readonly type: string;
  /** The `DataType` enum number. */
  readonly typeEnum: number;
  /** `PartialTensorShape::DebugString` of the `shape` attribute (`[?,3]`, `<unknown>`); `None` when absent. */
  readonly shape: string;
  /** The dims for benchmark_model's `--input_layer_shape` (-1 unknown); null for unknown rank or no shape. */
  readonly dims: readonly number[] | null;
}

/**
 * `summarize_graph`'s findings on the (meta) graph's GraphDef: `Placeholder` nodes as possible
 * inputs, `Variable`/`VariableV2` nodes, nodes nothing consumes (data or control) that are not
 * `Const`/`Assign`/`NoOp`/`Placeholder` as possible outputs, the parameter counts (elements of
 * `Const` values; variables hold no value attribute, so TensorFlow counts 0 for them) and the
 * control edges.
 */
export interface SummarizeGraphFacts {
  readonly inputs: readonly SummarizeGraphNode[];
  readonly variables: readonly SummarizeGraphNode[];
  readonly outputs: readonly { readonly name: string; readonly op: string }[];
  readonly constParameters: number;
  readonly variableParameters: number;
  readonly controlEdges: number;
}

export interface SummarizeOptions {
  /** Comma-separated tags of the meta graph to summarize (default: `serve`, else the first). */
  readonly tagSet?: string;
  /** Signature key (default: `serving_default`, else the first). */
  readonly signature?: string;
  /** Shapes of the checkpoint's variables, for the parameter count (from `listCheckpointEntries`). */
  readonly variableShapes?: readonly (readonly number[])[];
}

/**
 * A summary's output shapes as `formatSummary` prints them (how many, and the first few), without
 * inferring the others: a hidden property of what `summarizeModel` returns, which a copy of the
 * summary does not carry (then `inferredOutputs` is read).
 */
export interface FirstInferred {
  readonly count: number;
  first(n: number): TensorSummary[];
}
export const FIRST_INFERRED = Symbol('graft.firstInferred');

/**
 * Summarizes a loaded model. Async: the work loads on the first call (summarize-model.ts), so that
 * it stays out of what the core loads on import.
 *
 * @throws GraftError `api/bad-argument` (as a rejection) for a bad `model` or `opts`;
 *   `model/unknown-signature` or `model/unknown-tag-set` when `opts` names one the model lacks.
 * @example
 * ```ts
 * console.log(formatSummary(await summarizeModel(model)));
 * ```
 */
export async function summarizeModel(model: LoadedModel, opts: SummarizeOptions = {}): Promise<ModelSummary> {
  const { summarizeLoadedModel } = await import('./summarize-model');
  return summarizeLoadedModel(model, opts);
}

// ---------------------------------------------------------------- text

/** TensorFlow's HumanReadableNum: 1234 → 1.23k, 23851784 → 23.85M. */
export function humanReadableNum(value: number): string {
  if (Math.abs(value) < 1000) return String(value);
  if (Math.abs(value) >= 1e15) return value.toPrecision(3).replace('e+', 'E+');
  const units = ['k', 'M', 'B', 'T'];
  let v = value;
  let u = 0;
  while (Math.abs(v) >= 1e6 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${(v / 1000).toFixed(2)}${units[u]}`;
}

/**
 * `n.toLocaleString('en-US')` for a safe integer (`51,234`), without starting ICU's number
 * formatting (tens of milliseconds on first use, for a line or two of text).
 */
function groupThousands(n: number): string {
  if (!Number.isSafeInteger(n) || Object.is(n, -0)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n));
  let out = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return n < 0 ? `-${out}` : out;
}

/** Bytes as `51,234 B (50.0 KiB)`. */
export function formatBytes(bytes: number): string {
  const units = ['KiB', 'MiB', 'GiB'];
  let v = bytes;
  let u = -1;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  const exact = `${groupThousands(bytes)} B`;
  return u < 0 ? exact : `${exact} (${v.toFixed(1)} ${units[u]})`;
}

function tensorText(t: TensorSummary): string {
  const shape = t.shape === null ? 'unknown' : formatShape({ dims: t.shape, unknownRank: false });
  return `${t.name} (${t.dtype ?? '?'}, ${shape})`;
}

function list(items: readonly string[], max = 12): string {
  return listFirst(items.slice(0, max), items.length, max);
}

/** `list` of items written by `text` (only the ones shown are written). */
function listOf<T>(items: readonly T[], text: (item: T) => string, max = 12): string {
  return listFirst(items.slice(0, max).map(text), items.length, max);
}

/** `list` given only the first `max` items (`shown`) of `count`. */
function listFirst(shown: readonly string[], count: number, max: number): string {
  if (count === 0) return 'none';
  return count > max ? `${shown.join(', ')}, ... (${count - max} more)` : shown.join(', ');
}

/**
 * What graft cannot run, for people: one line when it runs everything, else a line per
 * signature naming each op without a kernel and its first nodes.
 *
 * @example
 * ```text
 * Ops graft cannot run (no kernel): 1 of 3 signatures affected
 *   'classify_x_to_y': ParseExample (1 node: ParseExample/ParseExample)
 * ```
 */
export function unsupportedLines(u: readonly SignatureOpsWithoutKernel[]): string[] {
  checkArray('unsupportedLines', 'u', u, 'an array of SignatureOpsWithoutKernel (unsupportedOps)');
  const hit = u.filter((x) => x.ops.length > 0);
  const what = (x: SignatureOpsWithoutKernel) => (x.signature === null ? 'graph outputs' : `'${x.signature}'`);
  if (hit.length === 0) return [`Ops graft cannot run (no kernel): none${u.length > 1 ? ` (${u.length} signatures checked)` : ''}`];
  const lines = [`Ops graft cannot run (no kernel): ${hit.length} of ${u.length} signature${u.length === 1 ? '' : 's'} affected`];
  for (const x of hit) {
    const ops = x.ops.map((o) => `${o.op} (${o.nodes.length} node${o.nodes.length === 1 ? '' : 's'}: ${list([...o.nodes], 3)})`);
    lines.push(`  ${what(x)}: ${ops.join('; ')}`);
  }
  return lines;
}

/** The summary as text for people. */
export function formatSummary(s: ModelSummary): string {
  checkFields('formatSummary', 's', s, { kind: 'string' }, 'a ModelSummary (what summarizeModel returns)');
  const lines: string[] = [];
  const kind = s.kind === 'saved-model' ? 'SavedModel' : s.kind === 'meta-graph' ? 'MetaGraphDef' : 'GraphDef';
  lines.push(`${kind}: ${s.path} (${s.format})`);
  if (s.metaGraphs) {
    for (const m of s.metaGraphs) lines.push(`  meta graph [${m.tags.join(', ')}]: signatures ${listOf(m.signatures, (x) => `'${x}'`)}`);
  }
  if (s.unsupportedOps) lines.push(...unsupportedLines(s.unsupportedOps));
  if (s.problems.length > 0) {
    lines.push(`Graph problems (TensorFlow would refuse to load this graph; graft run and graft transform refuse it): ${s.problems.length}`);
    for (const p of s.problems.slice(0, 10)) lines.push(`  [${p.code}] ${p.message}`);
    if (s.problems.length > 10) lines.push(`  ... (${s.problems.length - 10} more)`);
  }
  if (s.signature) {
    lines.push(`Signature '${s.signature.key}' (${s.signature.methodName || 'no method'}):`);
    for (const t of s.signature.inputs) lines.push(`  input  ${t.key}: ${tensorText(t)}`);
    for (const t of s.signature.outputs) lines.push(`  output ${t.key}: ${tensorText(t)}`);
  }
  lines.push('');
  lines.push(`Input feature nodes: ${listOf(s.placeholders, tensorText)}`);
  lines.push(`Output nodes: ${listOf(s.outputs, (o) => `${o.name} (${o.op})`)}`);
  lines.push(`Unused nodes: ${s.unusedNodes.length} of ${s.counts.nodes}${s.unusedNodes.length ? ` (${list(s.unusedNodes, 6)})` : ''}`);
  lines.push(`Quantization nodes: ${list(s.quantizationNodes)}`);
  lines.push(`Variables: ${listOf(s.variables, (v) => `${tensorText(v)} ${v.op}`, 8)}`);
  const inferredText = (t: TensorSummary) => `${t.name} ${t.dtype ?? '?'} ${t.shape === null ? '<unknown>' : formatShape({ dims: t.shape, unknownRank: false })}`;
  const firstInferred = (s as { [FIRST_INFERRED]?: FirstInferred })[FIRST_INFERRED];
  lines.push(`Output shapes (inferred): ${firstInferred ? listFirst(firstInferred.first(8).map(inferredText), firstInferred.count, 8) : listOf(s.inferredOutputs, inferredText, 8)}`);
  lines.push('');
  lines.push(...summarizeGraphLines(s.summarizeGraph));
  lines.push('');
  lines.push(`Constant count: ${s.counts.const}`);
  lines.push(`Variable count: ${s.counts.variable}`);
  lines.push(`Identity count: ${s.counts.identity}`);
  lines.push(`Total nodes: ${s.counts.nodes}${s.counts.functions ? ` (+ ${s.counts.functionNodes} in ${s.counts.functions} library functions)` : ''}`);
  lines.push(`Control edges: ${s.counts.controlEdges}`);
  lines.push(`Op types used: ${s.ops.map((o) => `${o.count} ${o.op}`).join(', ')}`);
  const p = s.parameters;
  lines.push(
    `Parameters: ${p.constElements} (${humanReadableNum(p.constElements)}) const, ${p.variableElements} (${humanReadableNum(p.variableElements)}) in variables`,
  );
  if (p.largestConsts.length) {
    lines.push(`Largest constants: ${p.largestConsts.map((c) => `${c.name} ${c.dtype}[${c.shape.join(',')}] ${formatBytes(c.bytes)}`).join('; ')}`);
  }
  for (const d of s.devices) lines.push(`${d.nodes} nodes assigned to device '${d.device}'`);
  for (const i of s.invalidInputs) lines.push(`Invalid input ${i.input} for node ${i.node}`);
  lines.push('');
  lines.push(`Graph size: ${formatBytes(s.sizes.graphBytes)}`);
  if (s.kind !== 'graph-def') {
    const note = s.variablesState === 'missing' ? ' (no variables checkpoint)' : s.variablesState === 'index-only' ? ' (index only: data files missing)' : '';
    lines.push(`Variables size: ${formatBytes(s.sizes.variablesBytes)}${note}`);
  }
  lines.push(`Total size: ${formatBytes(s.sizes.totalBytes)}`);
  // benchmark_model reads GraphDefs only.
  if (s.kind === 'graph-def') lines.push('', ...benchmarkUsageLines(s.summarizeGraph, s.path));
  return lines.join('\n');
}

/** `(name=x, type=float(1), shape=[?,3]) `, with TensorFlow's trailing space. */
function nodeInfoText(n: SummarizeGraphNode): string {
  return `(name=${n.name}, type=${n.type}(${n.typeEnum}), shape=${n.shape}) `;
}

/**
 * The lines `summarize_graph` prints about inputs, variables, outputs and parameters, in its
 * words (scripts grep them): `Found 1 possible inputs: (name=x, type=float(1), shape=[?,3]) `.
 */
export function summarizeGraphLines(g: SummarizeGraphFacts): string[] {
  return [
    g.inputs.length === 0 ? 'No inputs spotted.' : `Found ${g.inputs.length} possible inputs: ${g.inputs.map(nodeInfoText).join('')}`,
    g.variables.length === 0 ? 'No variables spotted.' : `Found ${g.variables.length} variables: ${g.variables.map(nodeInfoText).join('')}`,
    g.outputs.length === 0 ? 'No outputs spotted.' : `Found ${g.outputs.length} possible outputs: ${g.outputs.map((o) => `(name=${o.name}, op=${o.op}) `).join('')}`,
    `Found ${g.constParameters} (${humanReadableNum(g.constParameters)}) const parameters, ${g.variableParameters} (${humanReadableNum(g.variableParameters)}) variable parameters, and ${g.controlEdges} control_edges`,
  ];
}

/** `summarize_graph`'s suggested benchmark_model command line for the graph at `graphPath`. */
export function benchmarkUsageLines(g: SummarizeGraphFacts, graphPath: string): string[] {
  const all = [...g.inputs, ...g.variables];
  return [
    'To use with tensorflow/tools/benchmark:benchmark_model try these arguments:',
    `bazel run tensorflow/tools/benchmark:benchmark_model -- --graph=${graphPath} --show_flops --input_layer=${all.map((n) => n.name).join(',')} --input_layer_type=${all.map((n) => n.type).join(',')} --input_layer_shape=${all.map((n) => (n.dims === null ? '' : n.dims.join(','))).join(':')} --output_layer=${g.outputs.map((o) => o.name).join(',')}`,
  ];
}
