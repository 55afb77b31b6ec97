/**
 * `optimize` as named stages over one state: load, freeze, transform, convert back, verify,
 * measure, bench, report. Each stage takes the state the previous ones built and returns it with
 * its own part added, so a stage can be read at once and run alone (a test builds the state up to
 * the stage it wants). `runStages` runs them in order; `optimize.ts` reads and writes the files.
 *
 * Library code: errors name options as the API spells them (`maxDiff`, `inputs`), never CLI
 * flags; the CLI adds its flag names when it reports.
 */
import { GraftError, isGraftError } from '../errors';
import { baseDType } from '../ir/dtype';
import type { Graph } from '../ir/graph';
import { graphIndex } from '../ir/graph';
import { inputNodeName, shortTensorName, tensorName } from '../ir/node';
import type { Tensor } from '../ir/tensor';
import { makeStringTensor } from '../ir/tensor';
import { type Checkpoint, readCheckpoint } from '../io/checkpoint';
import { type Chunks, chunksLength } from '../io/chunks';
import { encodeGraphDefChunks, printGraphDefText } from '../io/graphdef';
import type { LoadedModel } from '../io/loaded-model';
import { type MetaGraph, type SavedModelProto, type Signature, type TensorInfo, encodeMetaGraphChunks, encodeSavedModelChunks, findMetaGraph } from '../io/saved-model';
import { savedModelInit } from '../io/saved-model-init';
import { type FreezeResult, readTableAssets } from '../freeze/freeze';
import { freezeMetaGraphNow } from '../freeze/freeze-meta-graph';
import { VARIABLE_OPS } from '../freeze/tf1';
import { remapSignatures } from '../freeze/to-saved-model';
// the stages load lazily (optimize-in-memory.ts, optimize-files.ts): they call the bodies of the async exports directly
import { defaultOutputs, toSavedModelNow } from '../freeze/saved-model-build';
import { type SaverDef, addSaver } from '../freeze/add-saver';
import type { SignatureOpsWithoutKernel } from '../inspect/summarize';
import type { RuntimeOptions } from '../runtime/index';
import type { Diagnostic } from '../transform/define';
import type { Pipeline } from '../transform/pipeline';
import { type Registry, createRegistry } from '../transform/registry';
import type { PipelineReport } from '../transform/report';
import { runPipeline } from '../transform/runner';
import { nearestNames } from '../suggest';
import { parseFeedSpec, readFeeds } from '../verify/feeds';
import { type StateUpdate, opsWithoutKernel, signatureTensorNames, stateUpdates, unsupportedOps } from '../verify/support';
import { DEFAULT_ATOL, DEFAULT_RTOL } from '../verify/tolerance';
import { type BenchOptions, type BenchReport, type BenchTarget, bench } from './bench';
import { checkThresholds, constPayloadBytes, isFloatOutput, lossySteps, measureSignatures, thresholdFailures } from './cost';
import { ARTICLE_TRANSFORMS, DEFAULT_AGREEMENT_BATCH, DEFAULT_VERIFY_BATCH, type OptimizeOptions, type OptimizeProgress, type OptimizeResult } from './optimize-options';
import type { CostReport, CostThresholds, ModelStats, OptimizeReport, SignatureVerdict, VerificationReport } from './report';
import { modelStats, opCountRows } from './report';
import { mismatchError, tensorInfoComponents, verifySignatures } from './verify-result';

const INIT_SIGNATURE = '__saved_model_init_op';

/** A model to optimize, however it was read. */
export interface Source {
  /**
   * What was read: a SavedModel (its signatures are kept), or a GraphDef or MetaGraphDef (one
   * meta graph, kept by its outputs: named, or inferred).
   */
  readonly kind: 'saved-model' | 'graph-def' | 'meta-graph';
  readonly label: string;
  readonly savedModel: SavedModelProto;
  readonly modelFile: string;
  readonly format: 'binary' | 'text';
  readonly graphBytes: number;
  readonly variableBytes: number;
  readonly variablesState: 'present' | 'index-only' | 'missing';
  readCheckpoint(): Promise<Checkpoint>;
  /** The checkpoint's index file, for messages. Default `<label>/variables/variables.index`. */
  readonly checkpointFile?: string;
  /** Reads a file under the model's `assets/` by its name there (undefined when absent). */
  readAsset(name: string): Promise<Uint8Array | undefined>;
}

/** A signature that is not kept, and why. */
export interface Dropped {
  readonly key: string;
  readonly reason: string;
}

/** A kept signature before (in the original) and after (in the result). */
export interface SignaturePair {
  readonly key: string;
  readonly before: Signature;
  readonly after: Signature;
}

/** What every stage sees: the source, the options, and what the run collects as it goes. */
export interface RunState {
  readonly src: Source;
  readonly opts: OptimizeOptions;
  readonly started: number;
  readonly registry: Registry;
  /** Freezing's and the pipeline's diagnostics, and optimize's own notes (appended to). */
  readonly diagnostics: Diagnostic[];
  /** Signatures not kept, with the reason (appended to). */
  readonly dropped: Dropped[];
  progress(stage: OptimizeProgress['stage'], message: string): void;
}

/** After `load`: the meta graph, the signatures to keep, and the checks made before any work. */
export interface Loaded extends RunState {
  readonly mg: MetaGraph;
  /** The signatures kept (none when kept by outputs). */
  readonly keys: readonly string[];
  /**
   * Kept by outputs instead of signatures: the output node names (`outputs`, or inferred for a
   * GraphDef or MetaGraphDef). Null: by signatures.
   */
  readonly outputNodes: readonly string[] | null;
  /** With `outputNodes`: the graph's inputs as given (`inputNodes`); null: its Placeholders. */
  readonly inputNodes: readonly string[] | null;
  /** What is written: a SavedModel, or a GraphDef (binary or text). */
  readonly output: { readonly kind: 'saved-model' } | { readonly kind: 'meta-graph' } | { readonly kind: 'graph-def'; readonly text: boolean };
  readonly thresholds: CostThresholds;
  /** True when `maxDiff` or `minAgreement` is set. */
  readonly gated: boolean;
  readonly agreementBatch: number;
  readonly unsupported: readonly SignatureOpsWithoutKernel[];
  /** The user's verification inputs, by tensor name in the original graph. */
  readonly given: Readonly<Record<string, Tensor>>;
  /** Kept signatures that write variables: verified over calls in a row (`verifyCallSequence`). */
  readonly stateful: ReadonlySet<string>;
  /** Where each given input came from (`x:0` from `x.npy`), for the report. */
  readonly givenFrom: readonly { readonly input: string; readonly source: string }[];
}

/** After `freeze`. */
export interface Frozen extends Loaded {
  readonly ckpt: Checkpoint | null;
  readonly frozen: FreezeResult;
}

/** After `transform`. */
export interface Transformed extends Frozen {
  readonly transforms: string | Pipeline;
  /** Steps of the default pipeline this registry lacks. */
  readonly skippedSteps: readonly string[];
  readonly graph: Graph;
  readonly pipelineReport: PipelineReport;
}

/** After `convertBack`: the SavedModel to write and the signature pairs to compare. */
export interface Converted extends Transformed {
  readonly savedModel: SavedModelProto;
  readonly outGraph: Graph;
  readonly chunks: Chunks;
  readonly pairs: readonly SignaturePair[];
  /**
   * The checkpoint of the variables kept as variables (written by a kept signature), by path in
   * the SavedModel (`variables/variables.index`, `variables/variables.data-00000-of-00001`); empty
   * when every variable was frozen.
   */
  readonly variableFiles: ReadonlyMap<string, Uint8Array>;
}

/** After `verify`. */
export interface Verified extends Converted {
  /** The original's variables (for running it unfrozen), when verifying or benchmarking. */
  readonly variables: ReadonlyMap<string, Tensor> | undefined;
  /** What running the original needs besides feeds (SavedModel init, assets). */
  readonly runtimeA: Pick<RuntimeOptions, 'init' | 'readFile'> | undefined;
  /** The result's kept variables, read back from `variableFiles` (undefined when it has none). */
  readonly variablesB: ReadonlyMap<string, Tensor> | undefined;
  /** Steps declared lossy: their cost is measured instead of checked strictly. */
  readonly lossy: readonly string[];
  readonly verification: VerificationReport | null;
}

/** After `measure`. */
export interface Measured extends Verified {
  readonly measured: Awaited<ReturnType<typeof measureSignatures>> | null;
  readonly failures: readonly string[];
}

/** After `benchStage`. */
export interface Benched extends Measured {
  readonly benchReport: BenchReport | null;
}

/** What `report` returns: the result and the bytes to write. */
export type StagesResult = OptimizeResult & { chunks: Chunks; variableFiles: ReadonlyMap<string, Uint8Array> };

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const wantsBench = (opts: OptimizeOptions) => opts.bench !== undefined && opts.bench !== false;
const verifies = (opts: OptimizeOptions) => opts.verify !== false;
const placeholders = (g: Graph) => g.nodes.filter((n) => n.op === 'Placeholder').map((n) => n.name);

/** Runs every stage in order. */
export async function runStages(src: Source, opts: OptimizeOptions): Promise<StagesResult> {
  const loaded = await load(src, opts);
  const converted = convertBack(await transform(await freeze(loaded)));
  return report(await ranOn(await benchStage(await measure(await verify(converted)))));
}

/** After `ranOn`. */
export interface RanOn extends Benched {
  readonly backend: 'wasm' | 'cpu' | null;
  readonly backendReason: string | null;
}

/** The backend the runtime ran on, when anything ran on it (folding, verification, measuring, bench). */
export async function ranOn(s: Benched): Promise<RanOn> {
  const folded = s.pipelineReport.steps.some((st) => st.transform === 'fold_constants');
  if (!folded && s.verification === null && s.measured === null && s.benchReport === null) return { ...s, backend: null, backendReason: null };
  const rt = await import('../runtime/index');
  const asked = s.opts.backend ?? 'wasm';
  const backend = await rt.activeBackend(asked);
  const reason = backend === 'wasm' ? null : asked === 'cpu' ? 'asked for' : `the wasm backend could not start: ${rt.wasmStartFailure() ?? 'no reason given'}`;
  return { ...s, backend, backendReason: reason };
}

// ---------------------------------------------------------------------------------------------
// load: the meta graph, the options, the signatures to keep, and what graft cannot run.

/** The state every stage shares, before any work. */
export function startRun(src: Source, opts: OptimizeOptions): RunState {
  return {
    src,
    opts,
    started: performance.now(),
    registry: opts.registry ?? createRegistry(),
    diagnostics: [],
    dropped: [],
    progress: (stage, message) => opts.onProgress?.({ stage, message }),
  };
}

/** Stage 1: everything decided and checked before any work. */
export async function load(src: Source, opts: OptimizeOptions): Promise<Loaded> {
  const run = startRun(src, opts);
  const mg = src.kind === 'saved-model' ? serveMetaGraph(run) : onlyMetaGraph(run);
  const { thresholds, gated, agreementBatch } = checkOptions(opts);
  const outputNodes = keptOutputs(run, mg);
  const inputNodes = outputNodes && opts.inputNodes?.length ? [...opts.inputNodes] : null;
  const keys = outputNodes ? [] : chooseSignatures(run, mg);
  const stateful = statefulSignatures(run, mg, keys);
  const ends = { keys, outputNodes, inputNodes };
  const unsupported = await listUnsupported(run, mg, ends);
  const { given, givenFrom } = await givenInputs(mg, ends, opts);
  return { ...run, mg, ...ends, output: outputKind(src, opts), thresholds, gated, agreementBatch, unsupported, given, givenFrom, stateful };
}

/** What is written: as asked, else the kind read (a MetaGraphDef and its checkpoint give a MetaGraphDef). */
function outputKind(src: Source, opts: OptimizeOptions): Loaded['output'] {
  const format = opts.outputFormat ?? (src.kind === 'saved-model' ? 'savedmodel' : src.kind === 'meta-graph' ? 'metagraph' : 'graphdef');
  if (format === 'savedmodel') return { kind: 'saved-model' };
  if (format === 'metagraph') return { kind: 'meta-graph' };
  return { kind: 'graph-def', text: opts.outputText ?? (src.kind === 'graph-def' && src.format === 'text') };
}

/** The one meta graph of a GraphDef or MetaGraphDef source; options that choose among a SavedModel's are refused. */
function onlyMetaGraph(run: RunState): MetaGraph {
  const { src, opts } = run;
  const what = src.kind === 'graph-def' ? 'a GraphDef' : 'a MetaGraphDef';
  for (const [param, given] of [['tags', opts.tags !== undefined], ['signature', opts.signature !== undefined]] as const) {
    if (given) throw new GraftError('optimize/bad-option', `\`${param}\` chooses within a SavedModel; ${src.label} is ${what}: name its outputs with \`outputs\``, { param, file: src.label });
  }
  return src.savedModel.metaGraphs[0]!;
}

/** Ops whose nodes are training, saving or bookkeeping, never a served output. */
const NOT_AN_OUTPUT = /^(Assign\w*|Apply\w+|ResourceApply\w+|Scatter\w+|VarIsInitializedOp|IsVariableInitialized|SaveV2|Save|SaveSlices|RestoreV2|Restore|RestoreSlice|MergeV2Checkpoints|\w*Summary\w*|\w*Dataset\w*|Iterator\w*|MakeIterator|VariableV2|Variable|VarHandleOp|DestroyResourceOp)$/;
const NOT_AN_OUTPUT_SCOPE = /^(save(_\d+)?|gradients(_\d+)?|report_uninitialized_variables|init(_\d+)?)\//;

/**
 * The output node names kept when not by signatures: `outputs` as given, else for a GraphDef or
 * MetaGraphDef the nodes nothing consumes (TensorFlow's rule: not Const, Assign, NoOp or
 * Placeholder), leaving out training, saving and initialization nodes; the inference is said.
 */
function keptOutputs(run: RunState, mg: MetaGraph): string[] | null {
  const { opts, src } = run;
  if (opts.outputs?.length) return [...opts.outputs];
  if (src.kind === 'saved-model') return null;
  const byName = graphIndex(mg.graph).byName;
  const inferred = defaultOutputs(mg.graph)
    .map((t) => inputNodeName(t))
    .filter((n) => !NOT_AN_OUTPUT.test(byName.get(n)?.op ?? '') && !NOT_AN_OUTPUT_SCOPE.test(n));
  if (inferred.length === 0) {
    throw new GraftError('freeze/missing-output', `No output could be inferred for ${src.label}: every node is consumed, or is a training, saving or initialization node`, {
      file: src.label,
      hint: 'Name the outputs to keep with `outputs`.',
    });
  }
  const ins = opts.inputNodes?.length ? `inputs given: ${opts.inputNodes.join(', ')}` : `inputs: ${placeholders(mg.graph).join(', ') || 'none'} (its Placeholders)`;
  const message = `outputs inferred: ${inferred.join(', ')} (nodes nothing consumes); ${ins}`;
  run.progress('load', message);
  run.diagnostics.push({ severity: 'info', code: 'optimize/inferred-outputs', message, hint: 'Name the outputs with `outputs` (and the inputs with `inputNodes`) to choose others.' });
  return inferred;
}

/** The `serve` meta graph, or the only one of a SavedModel that has no `serve` (with a note). */
function serveMetaGraph(run: RunState): MetaGraph {
  const { src, opts } = run;
  const tags = opts.tags ?? ['serve'];
  try {
    return findMetaGraph(src.savedModel, tags, src.modelFile);
  } catch (e) {
    // No `serve` meta graph, but only one meta graph (TF Transform's `transform`): that is the model.
    const only = src.savedModel.metaGraphs.length === 1 ? src.savedModel.metaGraphs[0]! : undefined;
    if (opts.tags !== undefined || !only || !isGraftError(e) || e.code !== 'model/unknown-tag-set') throw noServeHint(e, tags);
    const message = `no meta graph tagged 'serve': using the only one, tagged '${only.tags.join(',')}'`;
    run.progress('load', message);
    run.diagnostics.push({ severity: 'info', code: 'optimize/tag-set', message, hint: 'Name it with `tags` to silence this note.' });
    return only;
  }
}

function noServeHint(e: unknown, tags: readonly string[]): unknown {
  if (isGraftError(e) && e.code === 'model/unknown-tag-set') {
    return new GraftError(e.code, e.message, {
      ...(e.file ? { file: e.file } : {}),
      hint: `graft optimize serves the meta graph tagged '${tags.join(',')}'; choose another with \`tags\``,
      param: 'tags',
    });
  }
  return e;
}

/** The lossy gates and the measuring batch, checked. */
function checkOptions(opts: OptimizeOptions): Pick<Loaded, 'thresholds' | 'gated' | 'agreementBatch'> {
  const thresholds: CostThresholds = {
    ...(opts.maxDiff !== undefined ? { maxDiff: opts.maxDiff } : {}),
    ...(opts.minAgreement !== undefined ? { minAgreement: opts.minAgreement } : {}),
  };
  checkThresholds(thresholds);
  const gated = thresholds.maxDiff !== undefined || thresholds.minAgreement !== undefined;
  if (gated && opts.verify === false) {
    throw new GraftError('optimize/bad-option', '`maxDiff` and `minAgreement` are checked by verification: leave out `verify: false`', { param: 'verify' });
  }
  const agreementBatch = opts.agreementBatch ?? DEFAULT_AGREEMENT_BATCH;
  if (!Number.isInteger(agreementBatch) || agreementBatch < 1) {
    throw new GraftError('optimize/bad-option', `\`agreementBatch\` must be an integer >= 1, not ${agreementBatch}`, { param: 'agreementBatch' });
  }
  return { thresholds, gated, agreementBatch };
}

function shownWrites(writes: readonly StateUpdate[]): string {
  const shown = writes.slice(0, 2).map((w) => `${w.op} '${w.node}'`).join(', ');
  return `${shown}${writes.length > 2 ? `, ${writes.length - 2} more` : ''}`;
}

/**
 * The kept signatures that write variables (a counter's increment, a training step): the variables
 * they write stay variables in the result (saved with it), the others are frozen, and each such
 * signature is verified over calls in a row. Said up front, as progress.
 */
function statefulSignatures(run: RunState, mg: MetaGraph, keys: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const k of keys) {
    const writes = stateUpdates(mg.graph, mg.signatures[k]!);
    if (writes.length === 0) continue;
    out.add(k);
    run.progress('check', `'${k}' updates variables (${shownWrites(writes)}): the variables it writes stay variables in the result, and it is verified over calls in a row`);
  }
  return out;
}

/** Dense (named) tensors and COO sparse ones (their three tensors) can be frozen; composite ones cannot. */
function isFreezable(sig: Signature): boolean {
  return [...Object.values(sig.inputs), ...Object.values(sig.outputs)].every((t) => (t.encoding === 'name' && !!t.name) || t.encoding === 'coo_sparse');
}

function hasSparse(sig: Signature): boolean {
  return [...Object.values(sig.inputs), ...Object.values(sig.outputs)].some((t) => t.encoding === 'coo_sparse');
}

/**
 * The signatures to keep: the one asked for, or every one that can be frozen (composite ones go
 * to `run.dropped`). None when outputs are named instead.
 */
function chooseSignatures(run: RunState, mg: MetaGraph): string[] {
  const { opts, src } = run;
  if (opts.signature !== undefined) return [chosenSignature(mg, opts.signature, src.modelFile)];
  const keys: string[] = [];
  for (const [k, s] of Object.entries(mg.signatures)) {
    if (k === INIT_SIGNATURE) continue;
    if (isFreezable(s)) keys.push(k);
    else run.dropped.push({ key: k, reason: 'composite tensors cannot be frozen' });
  }
  return keys;
}

/** The signature asked for by key, checked before the checkpoint is read (the message names the model file). */
function chosenSignature(mg: MetaGraph, key: string, file: string): string {
  if (!mg.signatures[key] || key === INIT_SIGNATURE) {
    const have = Object.keys(mg.signatures).filter((k) => k !== INIT_SIGNATURE);
    const near = nearestNames(key, have);
    throw new GraftError(
      'model/unknown-signature',
      `No signature '${key}'; the model has ${have.length ? have.map((k) => `'${k}'`).join(', ') : 'none'}${near.length ? ` (did you mean '${near[0]}'?)` : ''}`,
      { file },
    );
  }
  return key;
}

/** What the run keeps: signatures, or outputs (and the inputs given). */
type Ends = Pick<Loaded, 'keys' | 'outputNodes' | 'inputNodes'>;

/** What graft cannot run, said before any work: those signatures cannot be verified. */
async function listUnsupported(run: RunState, mg: MetaGraph, { keys, outputNodes, inputNodes }: Ends): Promise<SignatureOpsWithoutKernel[]> {
  const { opts } = run;
  const unsupported: SignatureOpsWithoutKernel[] = outputNodes
    ? [{ signature: null, ops: await opsWithoutKernel(mg.graph, outputNodes, inputNodes ?? placeholders(mg.graph)) }]
    : await unsupportedOps(mg, { signatures: [...keys] });
  const unverified = verifies(opts) ? '; it will be NOT VERIFIED' : '';
  for (const d of run.dropped) run.progress('check', `'${d.key}' is not kept: ${d.reason}${unverified}`);
  for (const u of unsupported) {
    if (u.ops.length === 0) continue;
    const ops = u.ops.map((o) => `${o.op} (${plural(o.nodes.length, 'node')})`).join(', ');
    run.progress('check', `graft cannot run ${u.signature === null ? 'the outputs' : `'${u.signature}'`}: no kernel for ${ops}${unverified}`);
  }
  return unsupported;
}

/**
 * The user's verification inputs (`inputs` specs, `feeds`), by tensor name in the original
 * graph. A name is a signature input key (of any kept signature) or a tensor or node name that a
 * kept signature takes as input; anything else is refused, naming the inputs there are.
 */
async function givenInputs(mg: MetaGraph, ends: Ends, opts: OptimizeOptions): Promise<Pick<Loaded, 'given' | 'givenFrom'>> {
  const specs = opts.inputs ?? [];
  const made = Object.entries(opts.feeds ?? {});
  if (specs.length === 0 && made.length === 0) return { given: {}, givenFrom: [] };
  const { byKey, tensors, sparse } = verifiedInputNames(mg, ends);
  const sparseParts = (parts: readonly string[]) => SPARSE_PARTS.map((p, i) => `${p} ${parts[i]}`).join(', ');
  const resolve = (name: string): string[] => {
    const viaKey = byKey.get(name);
    if (viaKey) return [...viaKey];
    const t = tensorName(name);
    if (tensors.has(t)) return [t];
    const parts = sparse.get(name);
    if (parts) throw new GraftError('optimize/bad-input', `\`inputs\` '${name}' is a COO sparse input: give its three tensors by name (${sparseParts(parts)})`, { param: 'inputs' });
    const known = [...byKey.keys()].map((k) => `${k} (${[...byKey.get(k)!].join(', ')})`);
    for (const [k, parts] of sparse) known.push(`${k} (COO sparse: ${sparseParts(parts)})`);
    const theirs = known.length ? known.join(', ') : [...tensors].join(', ') || 'none';
    throw new GraftError('optimize/bad-input', `\`inputs\` '${name}' names no input of the signatures verified; their inputs: ${theirs}`, { param: 'inputs' });
  };
  const out: Record<string, Tensor> = {};
  const set = (t: string, v: Tensor, name: string) => {
    if (Object.hasOwn(out, t)) throw new GraftError('optimize/bad-input', `Input ${t} is given twice (the last time as '${name}')`, { param: 'inputs' });
    out[t] = v;
  };
  const resolvedSpecs: string[] = [];
  const givenFrom: { input: string; source: string }[] = [];
  for (const spec of specs) {
    const { name, source } = parseFeedSpec(spec);
    for (const t of resolve(name)) resolvedSpecs.push(`${t}=${source}`), givenFrom.push({ input: t, source });
  }
  const read = await readFeeds(resolvedSpecs, mg.graph, opts.fs);
  for (const [t, v] of Object.entries(read)) set(tensorName(t), v, t);
  for (const [name, v] of made) for (const t of resolve(name)) set(t, v, name), givenFrom.push({ input: t, source: `feeds.${name}` });
  // A COO sparse input is its three tensors together: all given, or none (then all seeded).
  for (const [k, parts] of sparse) {
    const missing = parts.filter((t) => !Object.hasOwn(out, t));
    if (missing.length > 0 && missing.length < parts.length) {
      const names = missing.map((t) => `${SPARSE_PARTS[parts.indexOf(t)]} ${t}`).join(', ');
      throw new GraftError('optimize/bad-input', `COO sparse input '${k}' is given in part: give its ${names} too (its indices, values and dense_shape go together)`, { param: 'inputs' });
    }
  }
  return { given: out, givenFrom };
}

/** The three tensors of a COO sparse signature input, in `tensorInfoComponents`' order. */
const SPARSE_PARTS = ['indices', 'values', 'dense_shape'] as const;

/**
 * The inputs verification feeds: by signature input key, and every tensor name; a COO sparse
 * input's three tensors (indices, values, dense_shape) by its key, given by their names.
 */
function verifiedInputNames(mg: MetaGraph, { keys, outputNodes, inputNodes }: Ends): { byKey: Map<string, Set<string>>; tensors: Set<string>; sparse: Map<string, string[]> } {
  const byKey = new Map<string, Set<string>>();
  const tensors = new Set<string>();
  const sparse = new Map<string, string[]>();
  if (outputNodes) {
    for (const n of inputNodes ?? placeholders(mg.graph)) tensors.add(tensorName(n));
    return { byKey, tensors, sparse };
  }
  for (const k of keys) {
    for (const [key, t] of Object.entries(mg.signatures[k]!.inputs)) {
      if (t.encoding === 'coo_sparse') {
        const parts = tensorInfoComponents(t);
        if (parts.length !== SPARSE_PARTS.length) continue;
        for (const p of parts) tensors.add(p);
        sparse.set(key, parts);
        continue;
      }
      if (!t.name) continue;
      const set = byKey.get(key) ?? new Set<string>();
      set.add(tensorName(t.name));
      byKey.set(key, set);
      tensors.add(tensorName(t.name));
    }
  }
  return { byKey, tensors, sparse };
}

// ---------------------------------------------------------------------------------------------
// freeze

/** Stage 2: the meta graph frozen with its checkpoint's values (and table vocabularies). */
export async function freeze(s: Loaded): Promise<Frozen> {
  const { src, mg } = s;
  const needsCheckpoint = mg.graph.nodes.some((n) => VARIABLE_OPS.has(n.op));
  const ckpt = needsCheckpoint ? await src.readCheckpoint() : null;
  s.progress('freeze', `freezing ${src.label}${mg.tags.length ? ` [${mg.tags.join(',')}]` : ''}${ckpt ? ` with ${ckpt.entries.size} checkpoint entries` : ''}`);
  const ckptFile = src.checkpointFile ?? `${src.label.replace(/[\\/]+$/, '')}/variables/variables.index`;
  const outputNodeNames = freezeOutputs(s);
  // Vocabulary files of tables fold into the frozen graph, which then needs no asset at run time.
  const assets = await readTableAssets(mg, (f) => src.readAsset(f));
  const frozen = freezeMetaGraphNow(mg, ckpt, {
    ...(outputNodeNames ? { outputNodeNames } : s.keys.length === 1 ? { signature: s.keys[0]! } : {}),
    file: ckptFile,
    ...(assets.size ? { assets } : {}),
    // A signature that writes variables keeps them (as variables, saved with the result).
    keepWrittenVariables: true,
  });
  for (const item of frozen.diagnostics) s.diagnostics.push(item);
  const keys = s.keys.length === 0 && !s.outputNodes && frozen.signature ? [frozen.signature.key] : s.keys;
  return { ...s, keys, ckpt, frozen };
}

/** The output node names to freeze for, when not one signature's. */
function freezeOutputs({ outputNodes, keys, mg }: Loaded): string[] | undefined {
  if (outputNodes) return [...outputNodes];
  if (keys.length > 1 || keys.some((k) => hasSparse(mg.signatures[k]!))) {
    // Several signatures (or sparse tensors): keep every tensor they name (inputs too, so an input no output needs stays).
    const names = keys.flatMap((k) => [...signatureTensorNames(mg.signatures[k]!.outputs), ...signatureTensorNames(mg.signatures[k]!.inputs)]);
    return [...new Set(names.map((t) => tensorName(t)))];
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// transform

/** Stage 3: the pipeline (by default the article's) run on the frozen graph. */
export async function transform(s: Frozen): Promise<Transformed> {
  const { inputs, outputs } = pipelineEnds(s);
  const { transforms, skippedSteps } = chooseTransforms(s);
  const { graph, report: pipelineReport } = await runPipeline(s.frozen.graph, transforms, {
    inputs,
    outputs,
    registry: s.registry,
    // A file a step's parameter names (min_max_log_file) is read through the caller's file system.
    ...(s.opts.fs ? { readFile: (p: string) => s.opts.fs!.readFile(p) } : {}),
    // Constants are folded on the backend verification runs on.
    ...(s.opts.backend ? { backend: s.opts.backend } : {}),
    hooks: {
      beforeStep: (info) => s.progress('transform', `[${info.index + 1}/${info.count}] ${info.call} (${info.graph.nodes.length} nodes)`),
    },
  });
  for (const item of pipelineReport.diagnostics) s.diagnostics.push(item);
  return { ...s, transforms, skippedSteps, graph, pipelineReport };
}

/**
 * The pipeline's inputs and outputs. Signature inputs that are graph sources are the pipeline's
 * inputs; inputs that a node computes (x = f(tf_example)) stay computed and are protected as
 * outputs instead.
 */
function pipelineEnds({ frozen, keys, mg, outputNodes, inputNodes }: Frozen): { inputs: string[]; outputs: string[] } {
  if (outputNodes) return { inputs: inputNodes ? [...inputNodes] : placeholders(frozen.graph), outputs: frozen.outputs.map(shortTensorName) };
  const byName = graphIndex(frozen.graph).byName;
  const sigTensors = (side: 'inputs' | 'outputs') => [...new Set(keys.flatMap((k) => signatureTensorNames(mg.signatures[k]![side]).map((t) => shortTensorName(t))))];
  const isSource = (t: string) => (byName.get(inputNodeName(t))?.inputs.length ?? 0) === 0;
  return {
    inputs: sigTensors('inputs').filter(isSource),
    outputs: [...new Set([...sigTensors('outputs'), ...sigTensors('inputs').filter((t) => !isSource(t))])],
  };
}

/** The default pipeline, without the steps this registry does not have (with them listed). */
export function defaultTransforms(registry: Registry): { transforms: string; skipped: string[] } {
  const names = new Set(registry.names());
  const kept = ARTICLE_TRANSFORMS.filter((s) => names.has(s.replace(/\(.*$/, '')));
  return { transforms: kept.join(' '), skipped: ARTICLE_TRANSFORMS.filter((s) => !kept.includes(s)) };
}

function chooseTransforms(s: RunState): { transforms: string | Pipeline; skippedSteps: string[] } {
  if (s.opts.transforms !== undefined) return { transforms: s.opts.transforms, skippedSteps: [] };
  const d = defaultTransforms(s.registry);
  if (d.skipped.length) {
    s.diagnostics.push({ severity: 'warning', code: 'optimize/step-not-registered', message: `Left out of the default pipeline (not registered in this build): ${d.skipped.join(' ')}` });
  }
  return { transforms: d.transforms, skippedSteps: d.skipped };
}

// ---------------------------------------------------------------------------------------------
// convert back

/**
 * Stage 4: the transformed graph as a SavedModel, with the kept signatures remapped onto it; for
 * a GraphDef output, the transformed graph itself (the signatures only say what to compare).
 */
export function convertBack(s: Transformed): Converted {
  const out = s.output;
  s.progress('convert', out.kind === 'saved-model' ? 'converting back to a SavedModel' : out.kind === 'meta-graph' ? 'converting back to a MetaGraphDef' : `converting back to a ${out.text ? 'text' : 'binary'} GraphDef`);
  const saver = writtenVariablesSaver(s);
  if (saver && out.kind === 'graph-def') {
    throw new GraftError('optimize/bad-option', `A kept signature writes variables (${[...s.stateful].join(', ') || 'the outputs'}): a GraphDef cannot hold them; write a SavedModel (\`outputFormat: 'savedmodel'\`)`, { param: 'outputFormat', file: s.src.label });
  }
  const withSaver: Transformed & { saverDef?: SaverDef } = saver ? { ...s, graph: saver.graph, saverDef: saver.saverDef } : s;
  const { savedModel, pairs } = s.outputNodes ? outputsSavedModel(withSaver, s.outputNodes) : signaturesSavedModel(withSaver);
  const variableFiles = saver?.files ?? new Map<string, Uint8Array>();
  if (out.kind === 'saved-model') return { ...s, savedModel, pairs, outGraph: savedModel.metaGraphs[0]!.graph, chunks: encodeSavedModelChunks(savedModel), variableFiles };
  // A MetaGraphDef: the SavedModel's one meta graph (graph, signature, saver_def when variables stay).
  if (out.kind === 'meta-graph') return { ...s, savedModel, pairs, outGraph: savedModel.metaGraphs[0]!.graph, chunks: encodeMetaGraphChunks(savedModel.metaGraphs[0]!), variableFiles };
  const chunks = out.text ? [new TextEncoder().encode(printGraphDefText(s.graph))] : encodeGraphDefChunks(s.graph);
  return { ...s, savedModel, pairs, outGraph: s.graph, chunks, variableFiles };
}

/** Variables the kept signatures write stay variables: a saver restores them from a checkpoint (said as a note). */
function writtenVariablesSaver(s: Transformed): ReturnType<typeof addSaver> | undefined {
  const present = new Set(s.graph.nodes.map((n) => n.name));
  const kept = s.frozen.kept.filter((v) => present.has(v.node));
  if (kept.length === 0) return undefined;
  const sigs = [...s.stateful];
  s.diagnostics.push({
    severity: 'info',
    code: 'optimize/state-update',
    message: `${sigs.length ? `Signature${sigs.length === 1 ? '' : 's'} ${sigs.map((k) => `'${k}'`).join(', ')} update${sigs.length === 1 ? 's' : ''} variables: ` : ''}${plural(kept.length, 'variable')} stay variables in the result (${kept.map((v) => v.key).join(', ')}), saved in its variables/ with a saver that restores them; the ${plural(s.frozen.converted.length, 'variable')} only read are frozen`,
  });
  return addSaver(s.graph, kept);
}

/** With outputs: one `serving_default` over the inputs (given, else the placeholders) and those outputs. */
function outputsSavedModel(s: Transformed & { saverDef?: SaverDef }, outputs: readonly string[]): { savedModel: SavedModelProto; pairs: SignaturePair[] } {
  const tags = s.mg.tags.length ? s.mg.tags : ['serve'];
  const savedModel = toSavedModelNow(s.graph, { outputs, tags, ...(s.inputNodes ? { inputs: s.inputNodes } : {}), ...(s.saverDef ? { saverDef: s.saverDef } : {}) });
  const sig = savedModel.metaGraphs[0]!.signatures.serving_default!;
  return { savedModel, pairs: [{ key: 'serving_default', before: sig, after: sig }] };
}

/** The kept signatures remapped onto the result; those whose tensors the pipeline removed are dropped. */
function signaturesSavedModel(s: Transformed & { saverDef?: SaverDef }): { savedModel: SavedModelProto; pairs: SignaturePair[] } {
  const { mg, keys, graph, src } = s;
  const remapped = remapSignatures(Object.fromEntries(keys.map((k) => [k, mg.signatures[k]!])), graph);
  for (const d of remapped.dropped) s.dropped.push({ key: d.key, reason: `the pipeline removed ${d.missing.join(', ')}` });
  // Frozen tensors are no longer references: DT_FLOAT_REF becomes DT_FLOAT. A kept ref variable
  // and the writes through it (VariableV2, Assign*) still output references, and keep the dtype.
  const refs = new Set(graph.nodes.filter((n) => /^(VariableV2|Variable|Assign|AssignAdd|AssignSub|ApplyGradientDescent)$/.test(n.op)).map((n) => n.name));
  const deref = (side: Readonly<Record<string, TensorInfo>>) =>
    Object.fromEntries(Object.entries(side).map(([n, t]) => [n, t.name && refs.has(inputNodeName(t.name)) ? t : { ...t, dtype: baseDType(t.dtype) }]));
  const signatures: Record<string, Signature> = {};
  const pairs: SignaturePair[] = [];
  for (const [k, sig] of Object.entries(remapped.signatures)) {
    signatures[k] = { ...sig, inputs: deref(sig.inputs), outputs: deref(sig.outputs) };
    pairs.push({ key: k, before: mg.signatures[k]!, after: signatures[k]! });
  }
  if (pairs.length === 0) {
    throw new GraftError('freeze/missing-output', `No signature of ${src.label} survives: ${s.dropped.map((d) => `'${d.key}' (${d.reason})`).join(', ') || 'it has none'}`, {
      file: src.modelFile,
      hint: 'Name the outputs to keep with `outputs`.',
    });
  }
  return { savedModel: toSavedModelNow(graph, { signatures, tags: mg.tags, ...(s.saverDef ? { saverDef: s.saverDef } : {}) }), pairs };
}

// ---------------------------------------------------------------------------------------------
// verify: the original runs unfrozen, with its checkpoint's values.

/** Stage 5: the strict comparison with the original (lossless pipelines); a difference throws. */
export async function verify(s: Converted): Promise<Verified> {
  const variables = await originalVariables(s);
  const variablesB = await keptVariables(s);
  const runtimeA = originalRuntime(s.mg, s.src);
  // A lossy step moves the outputs on purpose: measure what it costs instead of failing on it.
  const lossy = lossySteps(s.transforms, s.registry, s.pipelineReport.steps);
  const base = { ...s, variables, variablesB, runtimeA, lossy };
  if (!verifies(s.opts) || lossy.length > 0) return { ...base, verification: null };
  s.progress('verify', `verifying ${plural(s.pairs.length, 'signature')} against the original`);
  // Signatures that write variables (with named outputs too: the one signature over them).
  const stateful = new Set([...s.stateful, ...s.pairs.filter((p) => stateUpdates(s.mg.graph, p.before).length > 0).map((p) => p.key)]);
  const verification = await verifySignatures(s.mg.graph, s.outGraph, [...s.pairs], variables, {
    rtol: s.opts.rtol ?? DEFAULT_RTOL,
    atol: s.opts.atol ?? DEFAULT_ATOL,
    seed: s.opts.seed ?? 1,
    batch: s.opts.verifyBatch ?? DEFAULT_VERIFY_BATCH,
    ...(s.opts.backend ? { backend: s.opts.backend } : {}),
    ...(Object.keys(s.given).length ? { given: s.given } : {}),
    ...(runtimeA ? { runtimeA } : {}),
    ...(variablesB ? { variablesB } : {}),
    ...(stateful.size ? { stateful } : {}),
  });
  if (verification.status === 'fail') throw mismatchError(verification, s.src.label);
  return { ...base, verification };
}

/** The original's variables, keyed as the runtime looks them up (only when something runs it). */
async function originalVariables(s: Converted): Promise<ReadonlyMap<string, Tensor> | undefined> {
  if (!s.ckpt || !(verifies(s.opts) || wantsBench(s.opts))) return undefined;
  const { savedModelVariables } = await import('../runtime/index');
  return savedModelVariables(loadedFor(s.src, s.mg), s.ckpt);
}

/**
 * The result's variables as the runtime looks them up, read back from the checkpoint written with
 * it through its own restore op (what a loader does): the result is verified as it is written.
 */
async function keptVariables(s: Converted): Promise<ReadonlyMap<string, Tensor> | undefined> {
  if (s.variableFiles.size === 0 || !(verifies(s.opts) || wantsBench(s.opts))) return undefined;
  const { savedModelVariables } = await import('../runtime/index');
  const index = s.variableFiles.get('variables/variables.index')!;
  const ckpt = readCheckpoint(index, [s.variableFiles.get('variables/variables.data-00000-of-00001')], { file: 'variables/variables.index' });
  const out: LoadedModel = {
    kind: 'saved-model',
    path: '<result>',
    modelFile: 'saved_model.pb',
    format: 'binary',
    savedModel: s.savedModel,
    fileBytes: chunksLength(s.chunks),
    variables: { prefix: null, state: 'present', bytes: index.length },
    assets: [],
  };
  return savedModelVariables(out, ckpt);
}

/** A LoadedModel whose first meta graph is `mg` (what `savedModelVariables` reads). */
function loadedFor(src: Source, mg: MetaGraph): Extract<LoadedModel, { kind: 'saved-model' }> {
  return {
    kind: 'saved-model',
    path: src.label,
    modelFile: src.modelFile,
    format: src.format,
    savedModel: { ...src.savedModel, metaGraphs: [mg, ...src.savedModel.metaGraphs.filter((m) => m !== mg)] },
    fileBytes: src.graphBytes,
    variables: { prefix: null, state: src.variablesState, bytes: src.variableBytes },
    assets: [],
  };
}

/**
 * What running the original needs besides feeds: its SavedModel init (the init op and table
 * initializers, run at load as TF Serving does) with each asset tensor fed the path of its file,
 * read back through `src.readAsset`.
 */
function originalRuntime(mg: MetaGraph, src: Source): Pick<RuntimeOptions, 'init' | 'readFile'> | undefined {
  const init = savedModelInit(mg);
  const tableInits = mg.graph.nodes.some((n) => n.op.startsWith('InitializeTable') || n.op.startsWith('LookupTableImport'));
  if (init.targets.length === 0 && init.assets.length === 0 && !tableInits) return undefined;
  const prefix = '/__graft_model__/assets/';
  const feeds = Object.fromEntries(init.assets.map((a) => [a.tensor, makeStringTensor([], [`${prefix}${a.filename}`])]));
  return {
    init: { targets: init.targets, feeds },
    readFile: async (p) => {
      const bytes = p.startsWith(prefix) ? await src.readAsset(p.slice(prefix.length)) : undefined;
      if (!bytes) throw new GraftError('io/not-found', `${p}: no such asset of ${src.label}`, { file: p });
      return bytes;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// measure

/**
 * Stage 6: for a lossy pipeline (or one gated by `maxDiff`/`minAgreement`), what it costs over
 * `agreementBatch` seeded inputs; past the gates it throws and nothing is written.
 */
export async function measure(s: Verified): Promise<Measured> {
  if (!verifies(s.opts) || !(s.lossy.length > 0 || s.gated)) return { ...s, measured: null, failures: [] };
  const what = s.lossy.length ? `what ${s.lossy.join(' ')} costs` : 'the result';
  const on = s.givenFrom.length ? `your inputs (${s.givenFrom.map((g) => g.input).join(', ')}) where a signature takes them, else` : '';
  s.progress('verify', `measuring ${what} on ${on ? `${on} ` : ''}${s.agreementBatch} seeded inputs per signature (${plural(s.pairs.length, 'signature')})`);
  const measured = await measureSignatures(s.mg.graph, s.outGraph, [...s.pairs], s.variables, {
    seed: s.opts.seed ?? 1,
    batch: s.agreementBatch,
    otherDims: s.opts.verifyBatch ?? DEFAULT_VERIFY_BATCH,
    file: s.src.label,
    ...(s.opts.backend ? { backend: s.opts.backend } : {}),
    ...(s.runtimeA ? { runtimeA: s.runtimeA } : {}),
    ...(s.variablesB ? { variablesB: s.variablesB } : {}),
    ...(Object.keys(s.given).length ? { given: s.given } : {}),
  });
  const failures = thresholdFailures(measured, measured.pooled, s.thresholds, measured.pooled.length > 0);
  if (failures.length) {
    const lossy = s.lossy.length ? ` (lossy steps: ${s.lossy.join(' ')})` : '';
    throw new GraftError('verify/mismatch', `The optimized model costs more than allowed${lossy}: ${failures.slice(0, 4).join('; ')}${failures.length > 4 ? '; ...' : ''}; nothing was written`, {
      file: s.src.label,
      hint: 'Loosen `maxDiff`/`minAgreement`, keep sensitive layers in float (quantize_weights(exclude=...), quantize_nodes(ignore_op=...)), or try quantize_weights(mode=float16).',
    });
  }
  return { ...s, measured, failures };
}

// ---------------------------------------------------------------------------------------------
// bench

/** Stage 7: with `bench`, the original against the result (`serving_default`, else the first pair). */
export async function benchStage(s: Measured): Promise<Benched> {
  if (!wantsBench(s.opts)) return { ...s, benchReport: null };
  const pair = s.pairs.find((p) => p.key === 'serving_default') ?? s.pairs[0]!;
  const bo: BenchOptions = typeof s.opts.bench === 'object' ? s.opts.bench : {};
  s.progress('bench', `benchmarking '${pair.key}': batch ${bo.batch ?? 100}, ${bo.runs ?? 30} interleaved runs`);
  const benchReport = await bench([benchTarget('original', s.mg.graph, pair.before, s.variables), benchTarget('optimized', s.outGraph, pair.after, s.variablesB)], {
    seed: s.opts.seed ?? 1,
    ...(s.opts.backend ? { backend: s.opts.backend } : {}),
    ...bo,
  });
  return { ...s, benchReport };
}

function benchTarget(label: string, graph: Graph, sig: Signature, variables?: ReadonlyMap<string, Tensor>): BenchTarget {
  return {
    label,
    graph,
    inputs: Object.entries(sig.inputs).map(([k, t]) => ({
      tensor: tensorName(t.name!),
      key: k,
      dtype: baseDType(t.dtype === 'invalid' ? 'float' : t.dtype),
      shape: t.shape && !t.shape.unknownRank ? t.shape.dims : null,
    })),
    outputs: Object.values(sig.outputs).map((t) => tensorName(t.name!)),
    ...(variables ? { variables } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// report

/** Stage 8: sizes per stage, the cost of a lossy run, one verdict per signature, the report. */
export function report(s: RanOn): StagesResult {
  const stages = stageStats(s);
  const cost = costReport(s, stages);
  const verdicts = signatureVerdicts(s);
  const keptKeys = Object.keys(s.savedModel.metaGraphs[0]!.signatures);
  const r: OptimizeReport = {
    input: s.src.label,
    inputKind: s.src.kind,
    output: null,
    outputKind: s.output,
    inputsFrom: s.givenFrom,
    tags: s.mg.tags,
    transforms: typeof s.transforms === 'string' ? s.transforms : s.transforms.toString(),
    skippedSteps: s.skippedSteps,
    signatures: { kept: keptKeys, dropped: s.dropped },
    unsupportedOps: s.unsupported,
    verdicts,
    frozenVariables: s.frozen.converted.length,
    keptVariables: s.frozen.kept.map((v) => v.key),
    stages,
    ops: opCountRows(stages),
    pipeline: s.pipelineReport,
    verification: s.verification,
    cost,
    bench: s.benchReport,
    backend: s.backend,
    backendReason: s.backendReason,
    diagnostics: s.diagnostics,
    ms: performance.now() - s.started,
  };
  return { report: r, savedModel: s.savedModel, graph: s.outGraph, chunks: s.chunks, variableFiles: s.variableFiles };
}

type StageStats = OptimizeReport['stages'];

function stageStats(s: Benched): StageStats {
  const frozenBytes = chunksLength(encodeGraphDefChunks(s.frozen.graph));
  const stats: { original: ModelStats; frozen: ModelStats; optimized: ModelStats } = {
    original: modelStats(s.mg.graph, s.src.graphBytes, s.src.variableBytes),
    frozen: modelStats(s.frozen.graph, frozenBytes, 0),
    optimized: modelStats(s.outGraph, chunksLength(s.chunks), [...s.variableFiles.values()].reduce((n, b) => n + b.length, 0)),
  };
  return stats;
}

/** What a lossy (or gated) run saves and costs; null for a lossless, ungated one. */
function costReport(s: Benched, stages: StageStats): CostReport | null {
  if (!(s.lossy.length > 0 || s.gated)) return null;
  const pooled = s.measured?.pooled ?? [];
  const floats = pooled.filter(isFloatOutput);
  const classes = pooled.filter((o) => o.agreement);
  const agree = classes.reduce((n, o) => n + o.agreement!.agree, 0);
  const total = classes.reduce((n, o) => n + o.agreement!.total, 0);
  const distinct = classes.reduce((n, o) => Math.max(n, o.agreement!.classes), 0);
  const elements = floats.reduce((n, o) => n + o.elements, 0);
  const weightBytes = { frozen: constPayloadBytes(s.frozen.graph), optimized: constPayloadBytes(s.outGraph) };
  const b = s.benchReport;
  const ms = b?.models;
  return {
    lossySteps: [...s.lossy],
    sizeRatio: stages.optimized.totalBytes > 0 ? stages.original.totalBytes / stages.optimized.totalBytes : Infinity,
    originalBytes: stages.original.totalBytes,
    optimizedBytes: stages.optimized.totalBytes,
    weightBytes,
    weightRatio: weightBytes.optimized > 0 ? weightBytes.frozen / weightBytes.optimized : weightBytes.frozen > 0 ? Infinity : 1,
    status: pooled.length === 0 ? 'skipped' : s.gated ? 'pass' : 'measured',
    thresholds: s.thresholds,
    failures: [...s.failures],
    seed: s.opts.seed ?? 1,
    batch: s.agreementBatch,
    maxAbsDiff: floats.reduce((m, o) => Math.max(m, o.maxAbsDiff), 0),
    meanAbsDiff: elements > 0 ? floats.reduce((n, o) => n + o.meanAbsDiff * o.elements, 0) / elements : 0,
    agreement: total > 0 ? { agree, total, rate: agree / total, classes: distinct } : null,
    minAgreement: classes.length ? Math.min(...classes.map((o) => o.agreement!.rate)) : null,
    outputs: s.measured?.outputs ?? [],
    skipped: s.measured?.skipped ?? [],
    latency: b && ms && ms.length === 2 ? { batch: b.batch, before: ms[0]!.median, after: ms[1]!.median, speedup: b.speedup ?? ms[0]!.median / ms[1]!.median } : null,
  };
}

/** One verdict per requested signature: verified, or why not; a warning when any is not. */
function signatureVerdicts(s: Benched): SignatureVerdict[] {
  const verdicts: SignatureVerdict[] = [];
  for (const k of Object.keys(s.savedModel.metaGraphs[0]!.signatures)) {
    const v = s.verification?.signatures.find((x) => x.key === k);
    const m = s.measured?.skipped.find((x) => x.key === k);
    if (!verifies(s.opts)) verdicts.push({ key: k, verified: false, reason: 'verification turned off (`verify: false`)' });
    else if (v) verdicts.push(v.verified ? { key: k, verified: true } : { key: k, verified: false, reason: v.reason ?? v.status });
    else if (m) verdicts.push({ key: k, verified: false, reason: m.reason });
    else if (s.measured) verdicts.push({ key: k, verified: true });
    else verdicts.push({ key: k, verified: false, reason: 'not run' });
  }
  for (const d of s.dropped) verdicts.push({ key: d.key, verified: false, reason: `not kept: ${d.reason}` });
  const unverified = verdicts.filter((v) => !v.verified);
  if (verifies(s.opts) && unverified.length > 0) {
    s.diagnostics.push({
      severity: 'warning',
      code: 'optimize/not-verified',
      message: `${unverified.length} of ${plural(verdicts.length, 'signature')} NOT VERIFIED: ${unverified.map((v) => `${v.key} (${v.reason})`).join('; ')}`,
      hint: 'graft summarize lists the ops graft cannot run; the result is complete all the same, and `verdicts` says which signatures were verified.',
    });
  }
  return verdicts;
}
