/**
 * `graft optimize`: the serving article's whole workflow in one call. Freeze the SavedModel's
 * `serve` meta graph, run the pipeline (by default the article's), convert back to a SavedModel,
 * verify the result against the original, optionally benchmark both, and report the numbers.
 *
 * What it keeps: every signature of the meta graph (not just `serving_default`, which is all that
 * freeze_graph + simple_save kept in the article), unless one is chosen with `signature` or the
 * outputs are named with `outputs`. Signatures whose tensors are not dense names (sparse inputs)
 * cannot be frozen and are dropped, with the reason in the report.
 *
 * What it proves: each kept signature is run on the original (unfrozen, with its checkpoint) and
 * on the result, on the same seeded inputs, and compared (`|b - a| <= atol + rtol * |a|`, rtol
 * 1e-4, atol 1e-5 by default). A difference fails the run (`verify/mismatch`) and nothing is
 * written. A signature the runtime cannot run (an op without a kernel, string inputs) is reported
 * as skipped, with the reason.
 *
 * Lossy pipelines: when a step's transform is declared `lossy` (quantize_weights, quantize_nodes,
 * round_weights), moving the outputs is the point, so the strict check would only ever fail.
 * Instead each signature is run on `agreementBatch` (256) seeded inputs and the report's `cost`
 * says what the pipeline saves and costs: size ratio, max and mean |diff| per output, top-1
 * agreement of class-score outputs (float, rank 2, last dimension > 1) with the original, and
 * latency before and after with `bench`. It fails (`verify/mismatch`, nothing written) only past
 * the thresholds the caller sets (`maxDiff`, `minAgreement`).
 *
 * Output is written atomically: a failed run (bad signature, missing output, incomplete
 * checkpoint, no `serve` meta graph, a mismatch) leaves no output directory behind.
 *
 * Two faces: `optimize(inDir, outDir)` on directories, and `optimizeInMemory(files)` on a map of
 * relative paths to bytes (no file system), for build tools and browsers.
 */
import * as nodePath from 'node:path';
import { GraftError, isGraftError } from '../errors';
import { baseDType } from '../ir/dtype';
import type { Graph } from '../ir/graph';
import { graphIndex } from '../ir/graph';
import { inputNodeName } from '../ir/node';
import type { Tensor } from '../ir/tensor';
import { type Checkpoint, readCheckpoint, readCheckpointIndex } from '../io/checkpoint';
import { shardFileName } from '../io/checkpoint/bundle-format';
import { type Chunks, chunksLength, joinChunks } from '../io/chunks';
import { type FileSystem, checkOutput, nodeFileSystem, writeDirAtomic } from '../io/fs';
import { encodeGraphDefChunks } from '../io/graphdef';
import { type LoadedModel, checkInsideModel, loadModel, readModelVariables } from '../io/model-files';
import {
  type MetaGraph,
  type SavedModelProto,
  type Signature,
  type TensorInfo,
  decodeSavedModel,
  encodeSavedModelChunks,
  findMetaGraph,
  parseSavedModelText,
} from '../io/saved-model';
import { freezeMetaGraph, readTableAssets } from '../freeze/freeze';
import { savedModelInit } from '../io/saved-model-init';
import { makeStringTensor } from '../ir/tensor';
import { VARIABLE_OPS } from '../freeze/tf1';
import { remapSignatures, toSavedModel } from '../freeze/to-saved-model';
import type { Backend, RuntimeOptions } from '../runtime/index';
import type { Diagnostic } from '../transform/define';
import type { Pipeline } from '../transform/pipeline';
import { type Registry, createRegistry } from '../transform/registry';
import { runPipeline } from '../transform/runner';
import { nearestNames } from '../suggest';
import { DEFAULT_ATOL, DEFAULT_RTOL } from '../verify/tolerance';
import { type BenchOptions, type BenchReport, type BenchTarget, bench } from './bench';
import { checkThresholds, constPayloadBytes, isFloatOutput, lossySteps, measureSignatures, thresholdFailures } from './cost';
import { type CostReport, type CostThresholds, type ModelStats, type OptimizeReport, type VerificationReport, modelStats } from './report';
import { shortTensorName, tensorName } from '../ir/node';
import { mismatchError, verifySignatures } from './verify-result';
import type { SignatureOpsWithoutKernel } from '../inspect/summarize';
import { type StateUpdate, opsWithoutKernel, signatureTensorNames, stateUpdates, unsupportedOps } from '../verify/support';
import { parseFeedSpec, readFeeds } from '../verify/feeds';
import type { SignatureVerdict } from './report';

const STATE_UPDATE_REASON = 'updates variables';

function stateUpdateReason(writes: readonly StateUpdate[]): string {
  const shown = writes.slice(0, 2).map((w) => `${w.op} '${w.node}'`).join(', ');
  return `${STATE_UPDATE_REASON} (${shown}${writes.length > 2 ? `, ${writes.length - 2} more` : ''}): a frozen model has no variables to update`;
}

function stateUpdateError(key: string, writes: readonly StateUpdate[], file: string): GraftError {
  return new GraftError('freeze/unsupported', `Signature '${key}' ${stateUpdateReason(writes)}`, {
    file,
    hint: 'Keep serving the original model for it; graft optimize keeps the signatures that only read.',
  });
}

/**
 * The user's verification inputs (`--input name=source`, `feeds`), by tensor name in the original
 * graph. A name is a signature input key (of any kept signature) or a tensor or node name that a
 * kept signature takes as input; anything else is refused, naming the inputs there are.
 */
async function givenInputs(mg: MetaGraph, keys: readonly string[], opts: OptimizeOptions): Promise<Record<string, Tensor>> {
  const specs = opts.inputs ?? [];
  const made = Object.entries(opts.feeds ?? {});
  if (specs.length === 0 && made.length === 0) return {};
  const byKey = new Map<string, Set<string>>();
  const tensors = new Set<string>();
  if (opts.outputs?.length) {
    for (const n of mg.graph.nodes) if (n.op === 'Placeholder') tensors.add(tensorName(n.name));
  } else {
    for (const k of keys) {
      for (const [key, t] of Object.entries(mg.signatures[k]!.inputs)) {
        if (!t.name) continue;
        const set = byKey.get(key) ?? new Set<string>();
        set.add(tensorName(t.name));
        byKey.set(key, set);
        tensors.add(tensorName(t.name));
      }
    }
  }
  const resolve = (name: string): string[] => {
    const viaKey = byKey.get(name);
    if (viaKey) return [...viaKey];
    const t = tensorName(name);
    if (tensors.has(t)) return [t];
    const known = [...byKey.keys()].map((k) => `${k} (${[...byKey.get(k)!].join(', ')})`);
    throw new GraftError('cli/usage', `--input '${name}' names no input of the signatures verified; their inputs: ${known.length ? known.join(', ') : [...tensors].join(', ') || 'none'}`);
  };
  const out: Record<string, Tensor> = {};
  const set = (t: string, v: Tensor, name: string) => {
    if (Object.hasOwn(out, t)) throw new GraftError('cli/usage', `Input ${t} is given twice (the last time as '${name}')`);
    out[t] = v;
  };
  const resolvedSpecs: string[] = [];
  for (const spec of specs) {
    const { name, source } = parseFeedSpec(spec);
    for (const t of resolve(name)) resolvedSpecs.push(`${t}=${source}`);
  }
  const read = await readFeeds(resolvedSpecs, mg.graph, opts.fs ?? nodeFileSystem);
  for (const [t, v] of Object.entries(read)) set(tensorName(t), v, t);
  for (const [name, v] of made) for (const t of resolve(name)) set(t, v, name);
  return out;
}

/** The serving article's pipeline, plus `fold_old_batch_norms` (the older batch-norm ops). */
export const ARTICLE_TRANSFORMS: readonly string[] = [
  'remove_nodes(op=Identity)',
  'merge_duplicate_nodes',
  'strip_unused_nodes',
  'fold_constants(ignore_errors=true)',
  'fold_batch_norms',
  'fold_old_batch_norms',
];

/** The default pipeline as one transform string. */
export const DEFAULT_OPTIMIZE_TRANSFORMS = ARTICLE_TRANSFORMS.join(' ');

/** Default size of unknown dimensions in verification inputs: 2, so a graph that bakes in batch 1 shows up. */
export const DEFAULT_VERIFY_BATCH = 2;

/** Default number of seeded inputs a lossy pipeline's top-1 agreement is measured over. */
export const DEFAULT_AGREEMENT_BATCH = 256;

const INIT_SIGNATURE = '__saved_model_init_op';

/** A progress event, for a CLI's stderr. */
export interface OptimizeProgress {
  readonly stage: 'load' | 'check' | 'freeze' | 'transform' | 'convert' | 'verify' | 'bench' | 'write';
  readonly message: string;
}

export interface OptimizeOptions {
  /** The pipeline (transform string or builder). Default: the article's (`DEFAULT_OPTIMIZE_TRANSFORMS`). */
  readonly transforms?: string | Pipeline;
  /** Keep only this signature. Default: every signature of the meta graph. */
  readonly signature?: string;
  /**
   * Output node names to keep instead of the signatures (`--output_node_names`); the result gets
   * one `serving_default` signature over the graph's placeholders and these outputs.
   */
  readonly outputs?: readonly string[];
  /**
   * Tags of the meta graph to optimize. Default `['serve']`; a SavedModel without one but with a
   * single meta graph (TF Transform's `transform`) is optimized through that one, and the report
   * says so.
   */
  readonly tags?: readonly string[];
  /**
   * The user's inputs for verification, as `graft run` takes them: `name=file.npy`,
   * `name=file.json`, `name=[json]`, `name=@raw-file`; `name` is a signature input key or a
   * tensor name. They replace the seeded inputs of every signature that has that input. Read
   * with `fs` (default: Node's file system).
   */
  readonly inputs?: readonly string[];
  /** The same, as tensors already made, by signature input key or tensor name. */
  readonly feeds?: Readonly<Record<string, Tensor>>;
  /** Where `inputs` files are read. Default Node's file system. */
  readonly fs?: FileSystem;
  /** Compare the result with the original. Default true. */
  readonly verify?: boolean;
  /** Verification tolerance. Defaults 1e-4 and 1e-5. */
  readonly rtol?: number;
  readonly atol?: number;
  /**
   * Gates for a lossy pipeline (one with a `lossy` step, such as `quantize_weights`): fail
   * (`verify/mismatch`, nothing written) when the largest |optimized - original| of any float
   * output exceeds `maxDiff`, or when the top-1 agreement of any class-score output with the
   * original falls below `minAgreement` (0..1). Unset: measured and reported, never failing.
   * They apply to lossless pipelines too, on top of the strict rtol/atol check.
   */
  readonly maxDiff?: number;
  readonly minAgreement?: number;
  /**
   * Seeded inputs a lossy pipeline is measured on (the size of unknown batch dimensions; a model
   * with a fixed batch runs as many times as it takes). Default 256.
   */
  readonly agreementBatch?: number;
  /** Seed of verification and benchmark inputs. Default 1. */
  readonly seed?: number;
  /** Size of unknown dimensions in verification inputs. Default 2. */
  readonly verifyBatch?: number;
  /** Benchmark original against result (true: the defaults of `bench`). Default false. */
  readonly bench?: boolean | BenchOptions;
  /** Where transform names are looked up. Default `createRegistry()`. */
  readonly registry?: Registry;
  /** tfjs backend for verification and benchmark. Default wasm. */
  readonly backend?: Backend;
  readonly onProgress?: (p: OptimizeProgress) => void;
}

export interface OptimizeDirOptions extends OptimizeOptions {
  /** Replace an existing non-empty output directory. Default false: refused before any work. */
  readonly overwrite?: boolean;
}

/** What `optimize` and `optimizeInMemory` return besides the files. */
export interface OptimizeResult {
  readonly report: OptimizeReport;
  /** The SavedModel written (one meta graph, no variables). */
  readonly savedModel: SavedModelProto;
  /** Its graph. */
  readonly graph: Graph;
}

/** A model to optimize, however it was read. */
interface Source {
  readonly label: string;
  readonly savedModel: SavedModelProto;
  readonly modelFile: string;
  readonly format: 'binary' | 'text';
  readonly graphBytes: number;
  readonly variableBytes: number;
  readonly variablesState: 'present' | 'index-only' | 'missing';
  readCheckpoint(): Promise<Checkpoint>;
  /** Reads a file under the model's `assets/` by its name there (undefined when absent). */
  readAsset(name: string): Promise<Uint8Array | undefined>;
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

/** Dense (named) tensors and COO sparse ones (their three tensors) can be frozen; composite ones cannot. */
function isFreezable(sig: Signature): boolean {
  return [...Object.values(sig.inputs), ...Object.values(sig.outputs)].every((t) => (t.encoding === 'name' && !!t.name) || t.encoding === 'coo_sparse');
}

function hasSparse(sig: Signature): boolean {
  return [...Object.values(sig.inputs), ...Object.values(sig.outputs)].some((t) => t.encoding === 'coo_sparse');
}

/** The default pipeline, without the steps this registry does not have (with them listed). */
export function defaultTransforms(registry: Registry): { transforms: string; skipped: string[] } {
  const names = new Set(registry.names());
  const kept = ARTICLE_TRANSFORMS.filter((s) => names.has(s.replace(/\(.*$/, '')));
  return { transforms: kept.join(' '), skipped: ARTICLE_TRANSFORMS.filter((s) => !kept.includes(s)) };
}

function noServeHint(e: unknown, tags: readonly string[]): unknown {
  if (isGraftError(e) && e.code === 'model/unknown-tag-set') {
    return new GraftError(e.code, e.message, {
      ...(e.file ? { file: e.file } : {}),
      hint: `graft optimize serves the meta graph tagged '${tags.join(',')}'; choose another with --tag_set`,
    });
  }
  return e;
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

/** The shared middle: everything but reading and writing. */
async function optimizeSource(src: Source, opts: OptimizeOptions): Promise<OptimizeResult & { chunks: Chunks }> {
  const started = performance.now();
  const progress = (stage: OptimizeProgress['stage'], message: string) => opts.onProgress?.({ stage, message });
  const tags = opts.tags ?? ['serve'];
  const diagnostics: Diagnostic[] = [];
  let mg: MetaGraph;
  try {
    mg = findMetaGraph(src.savedModel, tags, src.modelFile);
  } catch (e) {
    // No `serve` meta graph, but only one meta graph (TF Transform's `transform`): that is the model.
    const only = src.savedModel.metaGraphs.length === 1 ? src.savedModel.metaGraphs[0]! : undefined;
    if (opts.tags !== undefined || !only || !isGraftError(e) || e.code !== 'model/unknown-tag-set') throw noServeHint(e, tags);
    mg = only;
    const message = `no meta graph tagged 'serve': using the only one, tagged '${mg.tags.join(',')}'`;
    progress('load', message);
    diagnostics.push({ severity: 'info', code: 'optimize/tag-set', message, hint: 'Name it with --tag_set to silence this note.' });
  }
  const registry = opts.registry ?? createRegistry();
  const thresholds: CostThresholds = {
    ...(opts.maxDiff !== undefined ? { maxDiff: opts.maxDiff } : {}),
    ...(opts.minAgreement !== undefined ? { minAgreement: opts.minAgreement } : {}),
  };
  checkThresholds(thresholds);
  const gated = thresholds.maxDiff !== undefined || thresholds.minAgreement !== undefined;
  if (gated && opts.verify === false) throw new GraftError('cli/usage', '--max_diff and --min_agreement are checked by verification: leave out --no-verify');
  const agreementBatch = opts.agreementBatch ?? DEFAULT_AGREEMENT_BATCH;
  if (!Number.isInteger(agreementBatch) || agreementBatch < 1) throw new GraftError('cli/usage', `agreement_batch must be an integer >= 1, not ${agreementBatch}`);

  // Which signatures to keep.
  const dropped: { key: string; reason: string }[] = [];
  let keys: string[] = [];
  if (!opts.outputs?.length) {
    if (opts.signature !== undefined) {
      // Checked here, before the checkpoint is read, so the message names the model file.
      if (!mg.signatures[opts.signature] || opts.signature === INIT_SIGNATURE) {
        const have = Object.keys(mg.signatures).filter((k) => k !== INIT_SIGNATURE);
        const near = nearestNames(opts.signature, have);
        throw new GraftError(
          'model/unknown-signature',
          `No signature '${opts.signature}'; the model has ${have.length ? have.map((k) => `'${k}'`).join(', ') : 'none'}${near.length ? ` (did you mean '${near[0]}'?)` : ''}`,
          { file: src.modelFile },
        );
      }
      const writes = stateUpdates(mg.graph, mg.signatures[opts.signature]!);
      if (writes.length > 0) throw stateUpdateError(opts.signature, writes, src.modelFile);
      keys = [opts.signature];
    }
    else {
      for (const [k, s] of Object.entries(mg.signatures)) {
        if (k === INIT_SIGNATURE) continue;
        const writes = stateUpdates(mg.graph, s);
        if (writes.length > 0) dropped.push({ key: k, reason: stateUpdateReason(writes) });
        else if (isFreezable(s)) keys.push(k);
        else dropped.push({ key: k, reason: 'composite tensors cannot be frozen' });
      }
      const updating = dropped.filter((d) => d.reason.startsWith(STATE_UPDATE_REASON));
      if (updating.length > 0 && keys.length > 0) {
        diagnostics.push({
          severity: 'warning',
          code: 'optimize/state-update',
          message: `Signature${updating.length === 1 ? '' : 's'} ${updating.map((d) => `'${d.key}'`).join(', ')} update${updating.length === 1 ? 's' : ''} variables and cannot be kept in a frozen model; the kept signatures read the variables' checkpoint values, as constants`,
          hint: 'Keep serving the original for the state-updating signatures.',
        });
      }
    }
  }

  // What graft cannot run, said before any work: those signatures cannot be verified.
  const unsupported: SignatureOpsWithoutKernel[] = opts.outputs?.length
    ? [{ signature: null, ops: await opsWithoutKernel(mg.graph, opts.outputs, mg.graph.nodes.filter((n) => n.op === 'Placeholder').map((n) => n.name)) }]
    : await unsupportedOps(mg, { signatures: keys });
  for (const d of dropped) progress('check', `'${d.key}' is not kept: ${d.reason}${opts.verify === false ? '' : '; it will be NOT VERIFIED'}`);
  for (const u of unsupported) {
    if (u.ops.length === 0) continue;
    progress('check', `graft cannot run ${u.signature === null ? 'the outputs' : `'${u.signature}'`}: no kernel for ${u.ops.map((o) => `${o.op} (${o.nodes.length} node${o.nodes.length === 1 ? '' : 's'})`).join(', ')}${opts.verify === false ? '' : '; it will be NOT VERIFIED'}`);
  }
  const given = await givenInputs(mg, keys, opts);

  // 1. Freeze.
  const needsCheckpoint = mg.graph.nodes.some((n) => VARIABLE_OPS.has(n.op));
  const ckpt = needsCheckpoint ? await src.readCheckpoint() : null;
  progress('freeze', `freezing ${src.label} [${mg.tags.join(',')}]${ckpt ? ` with ${ckpt.entries.size} checkpoint entries` : ''}`);
  const ckptFile = `${src.label.replace(/[\\/]+$/, '')}/variables/variables.index`;
  let outputNodeNames: string[] | undefined;
  if (opts.outputs?.length) outputNodeNames = [...opts.outputs];
  else if (keys.length > 1 || keys.some((k) => hasSparse(mg.signatures[k]!))) {
    // Several signatures (or sparse tensors): keep every tensor they name (inputs too, so an input no output needs stays).
    outputNodeNames = [...new Set(keys.flatMap((k) => [...signatureTensorNames(mg.signatures[k]!.outputs), ...signatureTensorNames(mg.signatures[k]!.inputs)].map((t) => tensorName(t))))];
  }
  // Vocabulary files of tables fold into the frozen graph, which then needs no asset at run time.
  const assets = await readTableAssets(mg, (f) => src.readAsset(f));
  const frozen = freezeMetaGraph(mg, ckpt, {
    ...(outputNodeNames ? { outputNodeNames } : keys.length === 1 ? { signature: keys[0]! } : {}),
    file: ckptFile,
    ...(assets.size ? { assets } : {}),
  });
  for (const item of frozen.diagnostics) diagnostics.push(item);
  if (keys.length === 0 && !opts.outputs?.length && frozen.signature) keys = [frozen.signature.key];

  // 2. Transform. Signature inputs that are graph sources are the pipeline's inputs; inputs that a
  // node computes (x = f(tf_example)) stay computed and are protected as outputs instead.
  const byName = graphIndex(frozen.graph).byName;
  const sigTensors = (side: 'inputs' | 'outputs') => [...new Set(keys.flatMap((k) => signatureTensorNames(mg.signatures[k]![side]).map((t) => shortTensorName(t))))];
  const isSource = (t: string) => (byName.get(inputNodeName(t))?.inputs.length ?? 0) === 0;
  const inputs = opts.outputs?.length ? frozen.graph.nodes.filter((n) => n.op === 'Placeholder').map((n) => n.name) : sigTensors('inputs').filter(isSource);
  const outputs = opts.outputs?.length
    ? frozen.outputs.map(shortTensorName)
    : [...new Set([...sigTensors('outputs'), ...sigTensors('inputs').filter((t) => !isSource(t))])];
  let transforms: string | Pipeline;
  let skippedSteps: string[] = [];
  if (opts.transforms === undefined) {
    const d = defaultTransforms(registry);
    transforms = d.transforms;
    skippedSteps = d.skipped;
    if (skippedSteps.length) {
      diagnostics.push({ severity: 'warning', code: 'optimize/step-not-registered', message: `Left out of the default pipeline (not registered in this build): ${skippedSteps.join(' ')}` });
    }
  } else transforms = opts.transforms;
  const { graph, report: pipelineReport } = await runPipeline(frozen.graph, transforms, {
    inputs,
    outputs,
    registry,
    hooks: {
      beforeStep: (info) => progress('transform', `[${info.index + 1}/${info.count}] ${info.call} (${info.graph.nodes.length} nodes)`),
    },
  });
  for (const item of pipelineReport.diagnostics) diagnostics.push(item);

  // 3. Convert back.
  progress('convert', 'converting back to a SavedModel');
  let savedModel: SavedModelProto;
  const pairs: { key: string; before: Signature; after: Signature }[] = [];
  if (opts.outputs?.length) {
    savedModel = toSavedModel(graph, { outputs: opts.outputs, tags: mg.tags });
  } else {
    const wanted = Object.fromEntries(keys.map((k) => [k, mg.signatures[k]!]));
    const remapped = remapSignatures(wanted, graph);
    for (const d of remapped.dropped) dropped.push({ key: d.key, reason: `the pipeline removed ${d.missing.join(', ')}` });
    // Frozen tensors are no longer references: DT_FLOAT_REF becomes DT_FLOAT.
    const signatures: Record<string, Signature> = {};
    for (const [k, s] of Object.entries(remapped.signatures)) {
      const deref = (side: Readonly<Record<string, TensorInfo>>) => Object.fromEntries(Object.entries(side).map(([n, t]) => [n, { ...t, dtype: baseDType(t.dtype) }]));
      signatures[k] = { ...s, inputs: deref(s.inputs), outputs: deref(s.outputs) };
      pairs.push({ key: k, before: mg.signatures[k]!, after: signatures[k]! });
    }
    if (Object.keys(signatures).length === 0) {
      throw new GraftError('freeze/missing-output', `No signature of ${src.label} survives: ${dropped.map((d) => `'${d.key}' (${d.reason})`).join(', ') || 'it has none'}`, {
        file: src.modelFile,
        hint: 'Name the outputs to keep with --outputs.',
      });
    }
    savedModel = toSavedModel(graph, { signatures, tags: mg.tags });
  }
  const outGraph = savedModel.metaGraphs[0]!.graph;
  const chunks = encodeSavedModelChunks(savedModel);

  // 4. Verify, 5. benchmark: the original runs unfrozen, with its checkpoint's values.
  let variables: ReadonlyMap<string, Tensor> | undefined;
  const wantBench = opts.bench !== undefined && opts.bench !== false;
  if (ckpt && (opts.verify !== false || wantBench)) {
    const { savedModelVariables } = await import('../runtime/index');
    variables = savedModelVariables(loadedFor(src, mg), ckpt);
  }
  if (opts.outputs?.length) {
    const sig = savedModel.metaGraphs[0]!.signatures.serving_default!;
    pairs.push({ key: 'serving_default', before: sig, after: sig });
  }
  let verification: VerificationReport | null = null;
  const runtimeA = originalRuntime(mg, src);
  const seed = opts.seed ?? 1;
  // A lossy step moves the outputs on purpose: measure what it costs instead of failing on it.
  const lossy = lossySteps(transforms, registry, pipelineReport.steps);
  if (opts.verify !== false && lossy.length === 0) {
    progress('verify', `verifying ${pairs.length} signature${pairs.length === 1 ? '' : 's'} against the original`);
    verification = await verifySignatures(mg.graph, outGraph, pairs, variables, {
      rtol: opts.rtol ?? DEFAULT_RTOL,
      atol: opts.atol ?? DEFAULT_ATOL,
      seed,
      batch: opts.verifyBatch ?? DEFAULT_VERIFY_BATCH,
      ...(opts.backend ? { backend: opts.backend } : {}),
      ...(Object.keys(given).length ? { given } : {}),
      ...(runtimeA ? { runtimeA } : {}),
    });
    if (verification.status === 'fail') throw mismatchError(verification, src.label);
  }
  let measured: Awaited<ReturnType<typeof measureSignatures>> | null = null;
  let failures: string[] = [];
  if (opts.verify !== false && (lossy.length > 0 || gated)) {
    progress('verify', `measuring ${lossy.length ? `what ${lossy.join(' ')} costs` : 'the result'} on ${agreementBatch} seeded inputs per signature (${pairs.length} signature${pairs.length === 1 ? '' : 's'})`);
    measured = await measureSignatures(mg.graph, outGraph, pairs, variables, {
      seed,
      batch: agreementBatch,
      otherDims: opts.verifyBatch ?? DEFAULT_VERIFY_BATCH,
      file: src.label,
      ...(opts.backend ? { backend: opts.backend } : {}),
      ...(runtimeA ? { runtimeA } : {}),
    });
    failures = thresholdFailures(measured, measured.pooled, thresholds, measured.pooled.length > 0);
    if (failures.length) {
      throw new GraftError('verify/mismatch', `The optimized model costs more than allowed${lossy.length ? ` (lossy steps: ${lossy.join(' ')})` : ''}: ${failures.slice(0, 4).join('; ')}${failures.length > 4 ? '; ...' : ''}; nothing was written`, {
        file: src.label,
        hint: 'Loosen --max_diff/--min_agreement, keep sensitive layers in float (quantize_weights(exclude=...), quantize_nodes(ignore_op=...)), or try quantize_weights(mode=float16).',
      });
    }
  }
  let benchReport: BenchReport | null = null;
  if (wantBench) {
    const pair = pairs.find((p) => p.key === 'serving_default') ?? pairs[0]!;
    const target = (label: string, g: Graph, s: Signature, vars?: ReadonlyMap<string, Tensor>): BenchTarget => ({
      label,
      graph: g,
      inputs: Object.entries(s.inputs).map(([k, t]) => ({ tensor: tensorName(t.name!), key: k, dtype: baseDType(t.dtype === 'invalid' ? 'float' : t.dtype), shape: t.shape && !t.shape.unknownRank ? t.shape.dims : null })),
      outputs: Object.values(s.outputs).map((t) => tensorName(t.name!)),
      ...(vars ? { variables: vars } : {}),
    });
    const bo: BenchOptions = typeof opts.bench === 'object' ? opts.bench : {};
    progress('bench', `benchmarking '${pair.key}': batch ${bo.batch ?? 100}, ${bo.runs ?? 30} interleaved runs`);
    benchReport = await bench([target('original', mg.graph, pair.before, variables), target('optimized', outGraph, pair.after)], {
      seed,
      ...(opts.backend ? { backend: opts.backend } : {}),
      ...bo,
    });
  }

  const frozenBytes = chunksLength(encodeGraphDefChunks(frozen.graph));
  const stages: { original: ModelStats; frozen: ModelStats; optimized: ModelStats } = {
    original: modelStats(mg.graph, src.graphBytes, src.variableBytes),
    frozen: modelStats(frozen.graph, frozenBytes, 0),
    optimized: modelStats(outGraph, chunksLength(chunks), 0),
  };
  let cost: CostReport | null = null;
  if (lossy.length > 0 || gated) {
    const pooled = measured?.pooled ?? [];
    const floats = pooled.filter(isFloatOutput);
    const classes = pooled.filter((o) => o.agreement);
    const agree = classes.reduce((n, o) => n + o.agreement!.agree, 0);
    const total = classes.reduce((n, o) => n + o.agreement!.total, 0);
    const distinct = classes.reduce((n, o) => Math.max(n, o.agreement!.classes), 0);
    const elements = floats.reduce((n, o) => n + o.elements, 0);
    const weightBytes = { frozen: constPayloadBytes(frozen.graph), optimized: constPayloadBytes(outGraph) };
    const ms = benchReport?.models;
    cost = {
      lossySteps: lossy,
      sizeRatio: stages.optimized.totalBytes > 0 ? stages.original.totalBytes / stages.optimized.totalBytes : Infinity,
      originalBytes: stages.original.totalBytes,
      optimizedBytes: stages.optimized.totalBytes,
      weightBytes,
      weightRatio: weightBytes.optimized > 0 ? weightBytes.frozen / weightBytes.optimized : weightBytes.frozen > 0 ? Infinity : 1,
      status: pooled.length === 0 ? 'skipped' : gated ? 'pass' : 'measured',
      thresholds,
      failures,
      seed,
      batch: agreementBatch,
      maxAbsDiff: floats.reduce((m, o) => Math.max(m, o.maxAbsDiff), 0),
      meanAbsDiff: elements > 0 ? floats.reduce((n, o) => n + o.meanAbsDiff * o.elements, 0) / elements : 0,
      agreement: total > 0 ? { agree, total, rate: agree / total, classes: distinct } : null,
      minAgreement: classes.length ? Math.min(...classes.map((o) => o.agreement!.rate)) : null,
      outputs: measured?.outputs ?? [],
      skipped: measured?.skipped ?? [],
      latency: benchReport && ms && ms.length === 2 ? { batch: benchReport.batch, before: ms[0]!.median, after: ms[1]!.median, speedup: benchReport.speedup ?? ms[0]!.median / ms[1]!.median } : null,
    };
  }
  // One verdict per requested signature: verified, or why not.
  const verdicts: SignatureVerdict[] = [];
  const keptKeys = Object.keys(savedModel.metaGraphs[0]!.signatures);
  for (const k of keptKeys) {
    const v = verification?.signatures.find((x) => x.key === k);
    const m = measured?.skipped.find((x) => x.key === k);
    if (opts.verify === false) verdicts.push({ key: k, verified: false, reason: 'verification turned off (--no-verify)' });
    else if (v) verdicts.push(v.verified ? { key: k, verified: true } : { key: k, verified: false, reason: v.reason ?? v.status });
    else if (m) verdicts.push({ key: k, verified: false, reason: m.reason });
    else if (measured) verdicts.push({ key: k, verified: true });
    else verdicts.push({ key: k, verified: false, reason: 'not run' });
  }
  for (const d of dropped) verdicts.push({ key: d.key, verified: false, reason: `not kept: ${d.reason}` });
  const unverified = verdicts.filter((v) => !v.verified);
  if (opts.verify !== false && unverified.length > 0) {
    diagnostics.push({
      severity: 'warning',
      code: 'optimize/not-verified',
      message: `${unverified.length} of ${verdicts.length} signature${verdicts.length === 1 ? '' : 's'} NOT VERIFIED: ${unverified.map((v) => `${v.key} (${v.reason})`).join('; ')}`,
      hint: 'graft summarize lists the ops graft cannot run; --allow-unverified accepts the result anyway.',
    });
  }
  const report: OptimizeReport = {
    input: src.label,
    output: null,
    tags: mg.tags,
    transforms: typeof transforms === 'string' ? transforms : transforms.toString(),
    skippedSteps,
    signatures: { kept: keptKeys, dropped },
    unsupportedOps: unsupported,
    verdicts,
    frozenVariables: frozen.converted.length,
    stages,
    pipeline: pipelineReport,
    verification,
    cost,
    bench: benchReport,
    diagnostics,
    ms: performance.now() - started,
  };
  return { report, savedModel, graph: outGraph, chunks };
}

/**
 * Optimizes the SavedModel in `inputDir` into a new SavedModel in `outputDir` (frozen: no
 * variables), verified against the original. The output directory appears complete or not at all.
 *
 * @throws GraftError `model/unknown-tag-set` (no `serve` meta graph), `model/unknown-signature`,
 *   `freeze/missing-output` (an output that is not a node, with near names),
 *   `runtime/missing-variable` (a variable the checkpoint lacks), `verify/mismatch`,
 *   `io/overlaps-input` (the output is, contains or lies inside the input), `io/exists` (an
 *   existing non-empty output directory, unless `overwrite`), `io/locked` (another graft writes
 *   the same output), `model/asset-outside` (an asset linking outside the model).
 * @example
 * ```ts
 * const { report } = await optimize('models/mnist/1', 'models/mnist-opt/1', { bench: { batch: 100 } });
 * console.log(formatOptimizeReport(report));
 * ```
 */
export async function optimize(inputDir: string, outputDir: string, opts: OptimizeDirOptions = {}): Promise<OptimizeResult> {
  const fs = opts.fs ?? nodeFileSystem;
  // Before any work: the output may not touch the input, and an existing one needs overwrite.
  await checkOutput(outputDir, { inputs: [inputDir], overwrite: opts.overwrite, kind: 'dir' }, fs);
  opts.onProgress?.({ stage: 'load', message: `loading ${inputDir}` });
  const model = await loadModel(inputDir, { fs });
  if (model.kind !== 'saved-model') {
    throw new GraftError('io/not-saved-model', `${inputDir} is a ${model.kind === 'graph-def' ? 'GraphDef' : 'MetaGraphDef'}, not a SavedModel directory`, {
      file: inputDir,
      hint: 'graft optimize takes a SavedModel; for a GraphDef use graft transform.',
    });
  }
  const src: Source = {
    label: inputDir,
    savedModel: model.savedModel,
    modelFile: model.modelFile,
    format: model.format,
    graphBytes: model.fileBytes,
    variableBytes: model.variables.bytes,
    variablesState: model.variables.state,
    readCheckpoint: () => readModelVariables(model),
    readAsset: async (name) => {
      const p = nodePath.join(inputDir, 'assets', name);
      return (await fs.kind(p)) === 'file' ? fs.readFile(p) : undefined;
    },
  };
  const result = await optimizeSource(src, opts);
  opts.onProgress?.({ stage: 'write', message: `writing ${outputDir}` });
  await writeDirAtomic(
    outputDir,
    async (tmp) => {
      await fs.writeFile(nodePath.join(tmp, 'saved_model.pb'), result.chunks);
      // simple_save leaves an empty variables/ for a graph without variables.
      await fs.mkdir(nodePath.join(tmp, 'variables'));
      const root = model.assets.length > 0 ? await fs.realpath(inputDir) : '';
      for (const rel of model.assets) {
        const target = nodePath.resolve(tmp, 'assets', rel);
        if (!target.startsWith(nodePath.resolve(tmp, 'assets') + nodePath.sep)) throw new GraftError('io/unsafe-path', `Asset path '${rel}' would leave assets/`, { file: rel });
        await fs.mkdir(nodePath.dirname(target));
        // Checked again just before copying: a link that now leads outside the model is refused.
        await fs.copyFile(await checkInsideModel(nodePath.join(inputDir, 'assets', rel), inputDir, root, fs), target);
      }
    },
    fs,
    { inputs: [inputDir], overwrite: opts.overwrite },
  );
  return { report: { ...result.report, output: outputDir }, savedModel: result.savedModel, graph: result.graph };
}

/** Map keys as relative POSIX paths: `./a\\b` → `a/b`. */
function normalizeKey(key: string): string {
  return key.replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/^\/+/, '');
}

/**
 * The same as `optimize`, on bytes: `files` maps paths relative to the SavedModel directory
 * (`saved_model.pb`, `variables/variables.index`, `variables/variables.data-00000-of-00001`,
 * `assets/...`) to their contents. Nothing touches a file system. The result's `files` holds
 * `saved_model.pb` and the assets; the (empty) `variables/` directory has no entry, since a map of
 * files cannot hold an empty directory: whoever writes the files out creates it.
 *
 * @example
 * ```ts
 * const { files: out, report } = await optimizeInMemory(new Map([
 *   ['saved_model.pb', pb], ['variables/variables.index', index], ['variables/variables.data-00000-of-00001', data],
 * ]));
 * emitFile('model/saved_model.pb', out.get('saved_model.pb')!);
 * ```
 */
export async function optimizeInMemory(files: ReadonlyMap<string, Uint8Array>, opts: OptimizeOptions = {}): Promise<OptimizeResult & { files: Map<string, Uint8Array> }> {
  const byKey = new Map<string, Uint8Array>();
  for (const [k, v] of files) byKey.set(normalizeKey(k), v);
  const pb = byKey.get('saved_model.pb');
  const pbtxt = byKey.get('saved_model.pbtxt');
  if (!pb && !pbtxt) {
    throw new GraftError('io/not-saved-model', `Not a SavedModel: no saved_model.pb or saved_model.pbtxt among ${[...byKey.keys()].slice(0, 6).join(', ') || 'no files'}`);
  }
  const modelFile = pb ? 'saved_model.pb' : 'saved_model.pbtxt';
  const bytes = (pb ?? pbtxt)!;
  const savedModel = pb ? decodeSavedModel(pb, modelFile) : parseSavedModelText(new TextDecoder().decode(pbtxt!), modelFile);
  if (savedModel.metaGraphs.length === 0) throw new GraftError('io/corrupt', `${modelFile} holds no meta graphs`, { file: modelFile });
  const indexKey = 'variables/variables.index';
  const index = byKey.get(indexKey);
  let variableBytes = 0;
  let dataFiles = 0;
  for (const [k, v] of byKey) {
    if (k === indexKey) variableBytes += v.length;
    else if (k.startsWith('variables/variables.data-')) (variableBytes += v.length), dataFiles++;
  }
  const src: Source = {
    label: '<memory>',
    savedModel,
    modelFile,
    format: pb ? 'binary' : 'text',
    graphBytes: bytes.length,
    variableBytes,
    variablesState: index ? (dataFiles > 0 ? 'present' : 'index-only') : 'missing',
    readAsset: async (name) => byKey.get(`assets/${normalizeKey(name)}`),
    async readCheckpoint() {
      if (!index) {
        throw new GraftError('io/missing-variables', `${indexKey} is missing: the model's variables cannot be read`, {
          file: indexKey,
          hint: 'Pass variables/variables.index and variables/variables.data-* along with saved_model.pb.',
        });
      }
      const { header, entries } = readCheckpointIndex(index, indexKey);
      // Only the shards entries live in: the header's count may be absurd.
      const shards: (Uint8Array | undefined)[] = [];
      for (const id of new Set(entries.map((e) => e.shardId))) shards[id] = byKey.get(shardFileName('variables/variables', id, header.numShards));
      return readCheckpoint(index, shards, { file: indexKey });
    },
  };
  const result = await optimizeSource(src, opts);
  const out = new Map<string, Uint8Array>([['saved_model.pb', joinChunks(result.chunks)]]);
  for (const [k, v] of byKey) if (k.startsWith('assets/')) out.set(k, v);
  return { report: result.report, savedModel: result.savedModel, graph: result.graph, files: out };
}
