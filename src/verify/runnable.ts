/**
 * A model on disk made ready to run: its graph, its inputs and outputs (a SavedModel's
 * signature, or a GraphDef's placeholders and unconsumed nodes, TensorFlow's rule), and its
 * variables when a checkpoint sits beside it. Used by `graft run` and `graft compare`.
 */
import { GraftError } from '../errors';
import type { Graph } from '../ir/graph';
import { parseInput } from '../ir/node';
import type { Tensor } from '../ir/tensor';
import type { FileSystem } from '../io/fs';
import { type LoadedModel, loadModel, readModelVariables } from '../io/model-files';
import { type MetaGraph, type TensorInfo, findMetaGraph } from '../io/saved-model';
import { assetPaths, savedModelInit } from '../io/saved-model-init';
import { nodeFileSystem } from '../io/fs';
import { makeStringTensor } from '../ir/tensor';
import { summarizeModel } from '../inspect/summarize';
import type { Backend, RuntimeLimits, RuntimeOptions } from '../runtime/index';
import { type CompareReport, type FeedInfo, compare } from './compare';
import { buildFeeds } from './compare-graphs';
import { COO_PARTS, coerceFeed, cooSparseTensors, parseFeedSpec, placeholderSpecs, readFeeds, seededSparseInput } from './feeds';
import { checkFields, checkOptions } from '../ir/check';

/** A model ready for the runtime. */
export interface RunnableModel {
  readonly path: string;
  readonly model: LoadedModel;
  readonly graph: Graph;
  /**
   * Input tensor names, with the signature key when there is one. A COO sparse signature input
   * is its three tensors, each with `sparse` (the input's key, which tensor it is, the input's
   * `TensorInfo`) and no `key`: they are fed by name, all three or none (then seeded together).
   */
  readonly inputs: readonly { readonly name: string; readonly key?: string; readonly sparse?: SparseInputPart }[];
  /** Output tensor names, with the signature key when there is one. */
  readonly outputs: readonly { readonly name: string; readonly key?: string }[];
  /** Variable values, when the model has variable ops and a checkpoint. */
  readonly variables?: ReadonlyMap<string, Tensor>;
  /**
   * What a session of this model needs besides feeds: a SavedModel's init op (run at load, as
   * TF Serving does) with its asset tensors fed, and a reader for those assets.
   */
  readonly runtime?: Pick<RuntimeOptions, 'init' | 'readFile'>;
}

/** One of the three tensors of a COO sparse signature input. */
export interface SparseInputPart {
  /** The signature input's key. */
  readonly key: string;
  readonly part: (typeof COO_PARTS)[number];
  readonly info: TensorInfo;
}

export interface LoadRunnableOptions {
  /** Comma-separated tags of the meta graph (default `serve`, else the first). */
  readonly tagSet?: string;
  /** Signature key (default `serving_default`, else the first). */
  readonly signature?: string;
  readonly fs?: FileSystem;
}

const VARIABLE_OPS = new Set(['VariableV2', 'Variable', 'VarHandleOp']);

/**
 * Loads a model for running.
 *
 * @example
 * ```ts
 * const m = await loadRunnable('mnist.pb');
 * const [y] = await runGraph(m.graph, feeds, m.outputs.map((o) => o.name), { variables: m.variables });
 * ```
 */
export async function loadRunnable(path: string, opts: LoadRunnableOptions = {}): Promise<RunnableModel> {
  const model = await loadModel(path, opts.fs ? { fs: opts.fs } : {});
  return runnableOf(path, model, opts);
}

/**
 * What `graft run` runs: one model (a signature key, a method one signature has, or the default),
 * or, when `opts.signature` is a method name several signatures share, their keys (sorted) and a
 * loader for each that reuses one read of the model and its variables.
 */
export type RunnableSelection =
  | { readonly kind: 'one'; readonly model: RunnableModel }
  | { readonly kind: 'method'; readonly method: string; readonly keys: readonly string[]; load(key: string): Promise<RunnableModel> };

export async function selectRunnable(path: string, opts: LoadRunnableOptions = {}): Promise<RunnableSelection> {
  const model = await loadModel(path, opts.fs ? { fs: opts.fs } : {});
  const method = opts.signature;
  const keys = method === undefined ? [] : (await import('../inspect/summarize-model')).signaturesOfMethod(model, opts.tagSet, method);
  if (method === undefined || keys.length === 0) return { kind: 'one', model: await runnableOf(path, model, opts) };
  const cache: VariablesCache = {};
  return { kind: 'method', method, keys, load: (key) => runnableOf(path, model, { ...opts, signature: key }, cache) };
}

/** The variables read once for the signatures of one meta graph. */
interface VariablesCache {
  variables?: Promise<ReadonlyMap<string, Tensor>>;
}

async function runnableOf(path: string, model: LoadedModel, opts: LoadRunnableOptions, cache: VariablesCache = {}): Promise<RunnableModel> {
  const summary = await summarizeModel(model, { ...(opts.tagSet !== undefined ? { tagSet: opts.tagSet } : {}), ...(opts.signature !== undefined ? { signature: opts.signature } : {}) });
  let graph: Graph;
  let mg: MetaGraph | undefined;
  if (model.kind === 'graph-def') graph = model.graph;
  else {
    if (model.kind === 'meta-graph') mg = model.metaGraph;
    else if (summary.tags) mg = findMetaGraph(model.savedModel, summary.tags, model.modelFile);
    else mg = model.savedModel.metaGraphs[0]!;
    graph = mg.graph;
  }

  const sig = summary.signature;
  const sigInputs = sig && mg ? mg.signatures[sig.key]?.inputs : undefined;
  const inputs: RunnableModel['inputs'] = sig && sig.inputs.length > 0
    ? sig.inputs.flatMap((t): RunnableModel['inputs'] => {
        const info = sigInputs?.[t.key];
        const coo = info ? cooSparseTensors(info) : null;
        if (!info || !coo) return [{ name: t.name, key: t.key }];
        return coo.map((name, i) => ({ name, sparse: { key: t.key, part: COO_PARTS[i]!, info } }));
      })
    : summary.placeholders.map((p) => ({ name: p.name }));
  const outputs = sig && sig.outputs.length > 0 ? sig.outputs.map((t) => ({ name: t.name, key: t.key })) : summary.outputs.map((o) => ({ name: o.name }));

  let variables: ReadonlyMap<string, Tensor> | undefined;
  if (model.kind !== 'graph-def' && model.variables.state === 'present' && graph.nodes.some((n) => VARIABLE_OPS.has(n.op))) {
    cache.variables ??= (async () => {
      const ckpt = await readModelVariables(model);
      const { savedModelVariables } = await import('../runtime/index');
      return savedModelVariables(model, ckpt);
    })();
    variables = await cache.variables;
  }
  const runtime = mg ? runtimeForMetaGraph(mg, model.kind === 'saved-model' ? model.path : undefined, opts.fs ?? nodeFileSystem) : undefined;
  return { path, model, graph, inputs, outputs, ...(variables ? { variables } : {}), ...(runtime ? { runtime } : {}) };
}

/**
 * The init op and asset reader of a meta graph: the init targets, each asset tensor fed with its
 * file's path under `<dir>/assets/`, and file reads through `fs`. Undefined when there is no init.
 */
export function runtimeForMetaGraph(mg: MetaGraph, dir: string | undefined, fs: FileSystem): Pick<RuntimeOptions, 'init' | 'readFile'> | undefined {
  const init = savedModelInit(mg);
  const tableInits = mg.graph.nodes.some((n) => n.op.startsWith('InitializeTable') || n.op.startsWith('LookupTableImport'));
  if (init.targets.length === 0 && init.assets.length === 0 && !tableInits) return undefined;
  const paths = dir !== undefined ? assetPaths(init, dir) : {};
  const feeds = Object.fromEntries(Object.entries(paths).map(([tensor, p]) => [tensor, makeStringTensor([], [p])]));
  return { init: { targets: init.targets, feeds }, readFile: (p) => fs.readFile(p) };
}

/**
 * Maps a name given by the user (a signature key, a tensor name or a node name) to the tensor
 * name the runtime takes.
 */
export function resolveTensorName(m: RunnableModel, given: string, kind: 'input' | 'output'): string {
  const list = kind === 'input' ? m.inputs : m.outputs;
  const byKey = list.find((t) => t.key === given);
  if (byKey) return byKey.name;
  const parts = m.inputs.filter((t) => kind === 'input' && t.sparse?.key === given);
  if (parts.length > 0) {
    throw new GraftError('verify/bad-input', `'${given}' is a COO sparse input of ${m.path}: give its three tensors by name (${parts.map((t) => `${t.sparse!.part} ${t.name}`).join(', ')})`, { file: m.path });
  }
  const node = parseInput(given).node;
  if (!m.graph.nodes.some((n) => n.name === node)) {
    const known = list.map((t) => (t.key ? `${t.key} (${t.name})` : t.name)).join(', ');
    throw new GraftError('graph/missing-node', `No ${kind} or node '${given}' in ${m.path}${known ? `; its ${kind}s: ${known}` : ''}`, { node, file: m.path });
  }
  return given;
}

export interface RunModelOptions {
  /** `name=file.npy` / `name=file.json` / `name=[json]` feeds; names may be signature keys. */
  readonly inputs?: readonly string[];
  /**
   * Tensors to feed, by signature key, tensor or node name; each is converted to its
   * placeholder's dtype as `coerceFeed` does. A name given here and in `inputs` is an error.
   */
  readonly feeds?: Readonly<Record<string, Tensor>>;
  /** Outputs to fetch (signature keys, tensor or node names). Default: the model's outputs. */
  readonly outputs?: readonly string[];
  /** Seed of generated values for inputs not given. Default 1. */
  readonly seed?: number;
  /** Size of unknown dimensions in generated inputs. Default 1. */
  readonly batch?: number;
  /** The most bytes one generated input may take (default 512 MiB). */
  readonly maxInputBytes?: number;
  readonly backend?: Backend;
  /** The runtime's limits: the largest tensor a run may create, the most iterations of a loop. */
  readonly limits?: RuntimeLimits;
  readonly fs?: FileSystem;
  /** Where the model's Print/PrintV2 text goes (dropped when absent). */
  readonly print?: (text: string, stream: string) => void;
  /**
   * The sink of the files the graph writes (a Saver's `SaveV2`/`MergeV2Checkpoints`) and its
   * deleter: never the disk unless the caller makes it so (`memoryFiles()` keeps them in a Map).
   * Without one, such a node fails (`runtime/no-file-sink`).
   */
  readonly writeFile?: (path: string, bytes: Uint8Array) => Promise<void> | void;
  readonly deleteFile?: (path: string) => Promise<void> | void;
  /** Reads the files kernels name, instead of the model's own reader (assets): give one that sees the sink's files. */
  readonly readFile?: (path: string) => Promise<Uint8Array>;
}

/** What `runModel` returns. */
export interface ModelRun {
  readonly outputs: readonly { readonly name: string; readonly tensor: Tensor }[];
  readonly feeds: readonly FeedInfo[];
  readonly seed: number;
  /** The backend tfjs ran on. */
  readonly backend: Backend;
}

/**
 * The feeds (`name=source` specs read, names resolved, the model's other inputs generated) and
 * fetches for a model.
 */
export async function modelFeeds(
  m: RunnableModel,
  opts: { inputs?: readonly string[]; feeds?: Readonly<Record<string, Tensor>>; seed?: number; batch?: number; maxInputBytes?: number; fs?: FileSystem },
): Promise<{ feeds: Record<string, Tensor>; info: FeedInfo[] }> {
  const specs = (opts.inputs ?? []).map((s) => {
    const { name, source } = parseFeedSpec(s);
    return `${resolveTensorName(m, name, 'input')}=${source}`;
  });
  const given = await readFeeds(specs, m.graph, opts.fs ?? nodeFileSystem);
  const dtypes = new Map(placeholderSpecs(m.graph).map((p) => [p.name, p.dtype]));
  for (const [name, tensor] of Object.entries(opts.feeds ?? {})) {
    const resolved = resolveTensorName(m, name, 'input');
    if (Object.hasOwn(given, resolved)) throw new GraftError('verify/bad-input', `'${name}' is fed twice (in \`inputs\` and in \`feeds\`)`, { param: 'feeds' });
    const dtype = dtypes.get(parseInput(resolved).node);
    given[resolved] = dtype === undefined ? tensor : coerceFeed(tensor, dtype, `Feed '${name}'`);
  }
  const placeholders = new Set(placeholderSpecs(m.graph).map((p) => p.name));
  // Generate only the model's own inputs that are placeholders (signature inputs may be inner tensors).
  const wanted = m.inputs.map((i) => parseInput(i.name).node).filter((n) => placeholders.has(n));
  const sparse = sparseFeeds(m, given, opts.seed ?? 1, opts.batch ?? 1, opts.maxInputBytes);
  const built = buildFeeds([m.graph], {
    feeds: given,
    inputs: wanted,
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.batch !== undefined ? { batch: opts.batch } : {}),
    ...(opts.maxInputBytes !== undefined ? { maxInputBytes: opts.maxInputBytes } : {}),
  });
  return { feeds: built.feeds, info: built.info.map((f) => (sparse.has(f.name) ? { ...f, generated: true } : f)) };
}

/**
 * The COO sparse inputs of `m` that nothing in `given` feeds get seeded values (added to
 * `given`; their names returned); one given in part is refused, naming what is missing.
 */
function sparseFeeds(m: RunnableModel, given: Record<string, Tensor>, seed: number, batch: number, maxInputBytes?: number): Set<string> {
  const groups = new Map<string, { name: string; sparse: SparseInputPart }[]>();
  for (const t of m.inputs) if (t.sparse) groups.set(t.sparse.key, [...(groups.get(t.sparse.key) ?? []), { name: t.name, sparse: t.sparse }]);
  const generated = new Set<string>();
  for (const [key, parts] of groups) {
    const fed = parts.filter((p) => Object.hasOwn(given, p.name) || Object.hasOwn(given, parseInput(p.name).node));
    if (fed.length === parts.length) continue;
    if (fed.length > 0) {
      const missing = parts.filter((p) => !fed.includes(p)).map((p) => `${p.sparse.part} ${p.name}`).join(', ');
      throw new GraftError('verify/bad-input', `COO sparse input '${key}' is given in part: give its ${missing} too (its indices, values and dense_shape go together)`, { file: m.path });
    }
    const t = seededSparseInput(m.graph, parts[0]!.sparse.info, seed, batch, key, maxInputBytes);
    if (!t) continue;
    const byPart = { indices: t.indices, values: t.values, dense_shape: t.denseShape };
    for (const p of parts) {
      given[p.name] = byPart[p.sparse.part];
      generated.add(p.name);
    }
  }
  return generated;
}

/**
 * Runs a model on given and generated inputs.
 *
 * @example
 * ```ts
 * const r = await runModel(await loadRunnable('mnist.pb'), { inputs: ['input=nine.npy'] });
 * console.log(r.outputs[0].tensor.shape);
 * ```
 */
export async function runModel(m: RunnableModel, opts: RunModelOptions = {}): Promise<ModelRun> {
  checkFields('runModel', 'm', m, { path: 'string', model: 'object', graph: 'object', inputs: 'array', outputs: 'array' }, 'a RunnableModel (loadRunnable)');
  checkOptions('runModel', 'opts', opts);
  const seed = opts.seed ?? 1;
  const fetches = opts.outputs && opts.outputs.length > 0 ? opts.outputs.map((o) => resolveTensorName(m, o, 'output')) : m.outputs.map((o) => o.name);
  if (fetches.length === 0) throw new GraftError('api/bad-argument', `${m.path} has no outputs to fetch; name them (\`outputs\`)`, { param: 'outputs' });
  const { feeds, info } = await modelFeeds(m, { ...opts, seed });
  const { createSession } = await import('../runtime/index');
  const session = await createSession(m.graph, {
    ...(opts.backend !== undefined ? { backend: opts.backend } : {}),
    ...(m.variables ? { variables: m.variables } : {}),
    ...(opts.print ? { print: opts.print } : {}),
    ...m.runtime,
    ...(opts.readFile ? { readFile: opts.readFile } : {}),
    ...(opts.writeFile ? { writeFile: opts.writeFile } : {}),
    ...(opts.deleteFile ? { deleteFile: opts.deleteFile } : {}),
    ...(opts.limits !== undefined ? { limits: opts.limits } : {}),
  });
  try {
    const tensors = await session.run(feeds, fetches);
    return { outputs: fetches.map((name, i) => ({ name, tensor: tensors[i]! })), feeds: info, seed, backend: session.backend };
  } finally {
    session.dispose();
  }
}

export interface CompareModelsOptions {
  /** `name=source` feeds (names as in the first model, or signature keys). */
  readonly inputs?: readonly string[];
  /** Outputs (signature keys, tensor or node names). Default: the first model's outputs. */
  readonly outputs?: readonly string[];
  readonly seed?: number;
  readonly batch?: number;
  /** The most bytes one generated input may take (default 512 MiB). */
  readonly maxInputBytes?: number;
  readonly rtol?: number;
  readonly atol?: number;
  readonly backend?: Backend;
  /** The runtime's limits for both runs. */
  readonly limits?: RuntimeLimits;
  readonly fs?: FileSystem;
}

/** B's name for one of A's tensors: the same signature key when both have it, else the same name. */
function counterpart(a: RunnableModel, b: RunnableModel, name: string, kind: 'input' | 'output'): string {
  const la = kind === 'input' ? a.inputs : a.outputs;
  const lb = kind === 'input' ? b.inputs : b.outputs;
  const inA: RunnableModel['inputs'][number] | undefined = la.find((t) => t.name === name);
  const sparse = inA?.sparse;
  if (sparse) {
    const sparseB = (lb as RunnableModel['inputs']).find((t) => t.sparse?.key === sparse.key && t.sparse.part === sparse.part);
    return sparseB ? sparseB.name : name;
  }
  const key = inA?.key;
  const inB = key !== undefined ? lb.find((t) => t.key === key) : undefined;
  return inB ? inB.name : name;
}

/**
 * Runs two models on the same inputs and compares their outputs (the first is the reference).
 * Inputs and outputs are matched by signature key when both models have signatures, else by name.
 *
 * @example
 * ```ts
 * const r = await compareModels(await loadRunnable('a.pb'), await loadRunnable('b.pb'), { rtol: 1e-4 });
 * ```
 */
export async function compareModels(a: RunnableModel, b: RunnableModel, opts: CompareModelsOptions = {}): Promise<CompareReport> {
  checkFields('compareModels', 'a', a, { path: 'string', model: 'object', graph: 'object', inputs: 'array', outputs: 'array' }, 'a RunnableModel (loadRunnable)');
  checkFields('compareModels', 'b', b, { path: 'string', model: 'object', graph: 'object', inputs: 'array', outputs: 'array' }, 'a RunnableModel (loadRunnable)');
  checkOptions('compareModels', 'opts', opts);
  const specs = (opts.inputs ?? []).map((s) => {
    const { name, source } = parseFeedSpec(s);
    return `${resolveTensorName(a, name, 'input')}=${source}`;
  });
  const given = await readFeeds(specs, a.graph, opts.fs ?? nodeFileSystem);
  const seededSparse = sparseFeeds(a, given, opts.seed ?? 1, opts.batch ?? 1, opts.maxInputBytes);
  const outputs = opts.outputs && opts.outputs.length > 0 ? opts.outputs.map((o) => resolveTensorName(a, o, 'output')) : a.outputs.map((o) => o.name);
  const outputsB = outputs.map((o) => counterpart(a, b, o, 'output'));
  const placeholders = new Set(placeholderSpecs(a.graph).map((p) => p.name));
  const inputs = a.inputs.map((i) => parseInput(i.name).node).filter((n) => placeholders.has(n));
  const inputNamesB: Record<string, string> = {};
  for (const name of [...new Set([...Object.keys(given), ...inputs])]) inputNamesB[name] = counterpart(a, b, name, 'input');
  // What a graph writes (a Saver's save path, reached from the nodes nothing consumes) is kept in
  // memory, one sink per model, as graft run keeps it: never the paths the graph names.
  const { memoryFiles } = await import('../runtime/index');
  const withSink = (m: RunnableModel) => {
    const sink = memoryFiles(m.runtime?.readFile ? { readFile: m.runtime.readFile } : {});
    return { ...m.runtime, readFile: sink.readFile, writeFile: sink.writeFile, deleteFile: sink.deleteFile };
  };
  const report = await compare(a.graph, b.graph, {
    outputs,
    outputsB,
    feeds: given,
    inputs,
    inputNamesB,
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.batch !== undefined ? { batch: opts.batch } : {}),
    ...(opts.maxInputBytes !== undefined ? { maxInputBytes: opts.maxInputBytes } : {}),
    ...(opts.rtol !== undefined ? { rtol: opts.rtol } : {}),
    ...(opts.atol !== undefined ? { atol: opts.atol } : {}),
    ...(opts.backend !== undefined ? { backend: opts.backend } : {}),
    ...(opts.limits !== undefined ? { limits: opts.limits } : {}),
    ...(a.variables ? { variablesA: a.variables } : {}),
    ...(b.variables ? { variablesB: b.variables } : {}),
    runtimeA: withSink(a),
    runtimeB: withSink(b),
  });
  return seededSparse.size === 0 ? report : { ...report, feeds: report.feeds.map((f) => (seededSparse.has(f.name) ? { ...f, generated: true } : f)) };
}
