/**
 * `graft transform`: TensorFlow's `transform_graph`, for GraphDefs and SavedModels.
 *
 * A SavedModel in gives a SavedModel out that TensorFlow can still load: the chosen meta graph is
 * transformed with every signature's tensors, the saver's nodes and the init ops protected (as
 * pipeline outputs), so `strip_unused_nodes` keeps what restores the variables; every signature,
 * tag, asset and the checkpoint are carried over. Other meta graphs are copied unchanged.
 */
import * as nodePath from 'node:path';
import { GraftError, badArgument } from '../errors';
import { checkStringArgument } from '../ir/check';
import type { Graph } from '../ir/graph';
import { graphIndex } from '../ir/graph';
import { inputNodeName, shortTensorName } from '../ir/node';
import { checkOutput, nodeFileSystem } from '../io/fs';
import { type LoadedModel, loadModel, modelInputPaths, saveGraph, saveSavedModel } from '../io/model-files';
import { type MetaGraph, findMetaGraph } from '../io/saved-model';
import { decodeMessage } from '../proto';
import type { Pipeline } from '../transform/pipeline';
import type { Registry } from '../transform/registry';
import type { PipelineHooks } from '../transform/runner';
import { runPipeline, type RunOptions } from '../transform/runner';
import type { PipelineReport } from '../transform/report';
import { type VerifiedReport, type VerifyOptions, runPipelineVerified } from '../verify/verify-pipeline';
import { checkMetaGraph } from '../ir/check';

export interface TransformModelOptions {
  /** `--inputs`; for a SavedModel, defaults to the signatures' inputs. */
  readonly inputs?: readonly string[];
  /** `--outputs`; for a SavedModel, defaults to the signatures' outputs. */
  readonly outputs?: readonly string[];
  readonly transforms: string | Pipeline;
  readonly registry?: Registry;
  readonly hooks?: PipelineHooks;
  /** Tags of the meta graph to transform (default `serve`, else the first). */
  readonly tags?: readonly string[];
  /** Write text (`--output_as_text`). */
  readonly outputAsText?: boolean;
  /**
   * Run the graph after every step that changed it and compare with the step before (seeded
   * inputs unless given); the report names the first step whose outputs moved. Frozen graphs
   * only: a SavedModel's variables are not fed.
   */
  readonly verify?: VerifyOptions;
  /** Replace an existing output (a file, or a non-empty directory); refused otherwise (`io/exists`). */
  readonly overwrite?: boolean;
}

export interface TransformModelResult {
  /** With `verify`, a `VerifiedReport` (per-step comparisons, `firstMoved`). */
  readonly report: PipelineReport | VerifiedReport;
  readonly graph: Graph;
  /** The inputs and outputs the pipeline ran with. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Nodes protected because the SavedModel needs them (saver, init ops, other signatures). */
  readonly protectedForSavedModel: readonly string[];
  readonly wrote: 'graph-def' | 'saved-model';
}


/** Node names a SavedModel needs besides the chosen inputs and outputs. */
export function savedModelKeepers(mg: MetaGraph): string[] {
  checkMetaGraph('savedModelKeepers', 'mg', mg);
  const keep: string[] = [];
  for (const sig of Object.values(mg.signatures)) {
    for (const t of [...Object.values(sig.inputs), ...Object.values(sig.outputs)]) if (t.name) keep.push(shortTensorName(t.name));
  }
  const saver = mg.proto.saver_def as Record<string, unknown> | undefined;
  if (saver) {
    for (const key of ['filename_tensor_name', 'save_tensor_name', 'restore_op_name']) {
      const v = saver[key];
      if (typeof v === 'string' && v) keep.push(shortTensorName(v));
    }
  }
  const collections = (mg.proto.collection_def ?? {}) as Record<string, Record<string, unknown>>;
  for (const [key, c] of Object.entries(collections)) {
    const nodeList = (c.node_list as { value?: string[] } | undefined)?.value ?? [];
    if (/init_op|main_op|table_initializer|train_op|asset_filepaths/.test(key)) keep.push(...nodeList.map(shortTensorName));
    if (key === 'variables' || key === 'trainable_variables' || key === 'model_variables' || key === 'local_variables') {
      for (const bytes of ((c.bytes_list as { value?: Uint8Array[] } | undefined)?.value ?? [])) {
        const def = decodeMessage<Record<string, string>>('tensorflow.VariableDef', bytes);
        for (const f of ['variable_name', 'initializer_name', 'snapshot_name', 'initial_value_name']) if (def[f]) keep.push(shortTensorName(def[f]!));
      }
    }
  }
  return [...new Set(keep)];
}

/** The runner, or the verifying runner when `verify` is asked for. */
function runSteps(graph: Graph, opts: TransformModelOptions, given: RunOptions) {
  // Files a transform's parameter names (min_max_log_file) are read from the disk.
  const run: RunOptions = { readFile: (p) => nodeFileSystem.readFile(p), ...given };
  return opts.verify ? runPipelineVerified(graph, opts.transforms, { ...run, verify: opts.verify }) : runPipeline(graph, opts.transforms, run);
}

function isDirectoryTarget(path: string): boolean {
  return !/\.(pb|pbtxt|txt|meta)$/i.test(path);
}

/**
 * Loads `inPath`, runs the transforms and writes `outPath` (atomically). `inPath` and `outPath`
 * may be `.pb`, `.pbtxt` or SavedModel directories.
 */
export async function transformModel(inPath: string, outPath: string, opts: TransformModelOptions): Promise<TransformModelResult> {
  checkStringArgument('transformModel', 'inPath', inPath);
  checkStringArgument('transformModel', 'outPath', outPath);
  if (opts === null || typeof opts !== 'object') throw badArgument('transformModel', 'opts', 'an options object', opts);
  // Before any work: the output may not touch the input, and an existing one needs overwrite.
  const out = { inputs: await modelInputPaths(inPath), overwrite: opts.overwrite };
  await checkOutput(outPath, { ...out, kind: isDirectoryTarget(outPath) ? 'dir' : 'file' });
  let model: LoadedModel | undefined = await loadModel(inPath);
  if (model.kind === 'graph-def') {
    if (isDirectoryTarget(outPath)) {
      throw new GraftError('api/bad-argument', `${inPath} is a GraphDef; \`outPath\` must be a .pb or .pbtxt file (a GraphDef has no signatures to make a SavedModel from)`, { param: 'outPath' });
    }
    const inputs = opts.inputs ?? [];
    const outputs = opts.outputs ?? [];
    const running = runSteps(model.graph, opts, { inputs, outputs, registry: opts.registry, hooks: opts.hooks });
    // The loaded graph is the runner's now: held here, it (its nodes and indexes) would stay in
    // memory through every step and the save.
    model = undefined;
    const { graph, report } = await running;
    await saveGraph(graph, outPath, { format: opts.outputAsText ? 'text' : undefined, ...out });
    return { report, graph, inputs, outputs, protectedForSavedModel: [], wrote: 'graph-def' };
  }
  const mg = model.kind === 'meta-graph' ? model.metaGraph : pickMeta(model, opts.tags);
  const sigs = Object.values(mg.signatures);
  // A signature input that some node computes (x = ParseExample(tf_example) in a model that also
  // has a classify signature) is not a graph input: treating it as one would cut off its producer
  // and break the other signatures. Those are protected as outputs instead.
  const present = graphIndex(mg.graph).byName;
  const sigInputs = [...new Set(sigs.flatMap((s) => Object.values(s.inputs).map((t) => t.name)).filter((n): n is string => !!n).map(shortTensorName))];
  const isSource = (t: string) => (present.get(inputNodeName(t))?.inputs.length ?? 0) === 0;
  const inputs = opts.inputs ?? sigInputs.filter(isSource);
  const outputs = opts.outputs ?? [...new Set(sigs.flatMap((s) => Object.values(s.outputs).map((t) => t.name)).filter((n): n is string => !!n).map(shortTensorName))];
  const writeSavedModel = model.kind === 'saved-model' && isDirectoryTarget(outPath);
  const keepers = writeSavedModel ? savedModelKeepers(mg).filter((k) => !outputs.includes(k) && !inputs.includes(k)) : [];
  const extraOutputs = keepers.filter((k) => present.has(inputNodeName(k)));
  const { graph, report } = await runSteps(mg.graph, opts, {
    inputs,
    outputs: [...outputs, ...extraOutputs],
    registry: opts.registry,
    hooks: opts.hooks,
  });
  // (writeSavedModel implies a SavedModel; the second test tells the type checker.)
  if (!writeSavedModel || model.kind !== 'saved-model') {
    await saveGraph(graph, outPath, { format: opts.outputAsText ? 'text' : undefined, ...out });
    return { report, graph, inputs, outputs, protectedForSavedModel: [], wrote: 'graph-def' };
  }
  // Every signature must still name existing tensors.
  const after = graphIndex(graph).byName;
  for (const [key, sig] of Object.entries(mg.signatures)) {
    for (const t of [...Object.values(sig.inputs), ...Object.values(sig.outputs)]) {
      if (t.name && !after.has(inputNodeName(t.name))) {
        throw new GraftError('graph/missing-node', `The pipeline removed or renamed '${t.name}', which signature '${key}' needs`, { node: inputNodeName(t.name) });
      }
    }
  }
  const metaGraphs = model.savedModel.metaGraphs.map((m) => (m === mg ? { ...m, graph } : m));
  await saveSavedModel(outPath, { ...model.savedModel, metaGraphs }, {
    format: opts.outputAsText ? 'text' : model.format,
    variablesFrom: model.variables.prefix,
    assetsFrom: nodePath.join(model.path, 'assets'),
    assetsRoot: model.path,
    assets: model.assets,
    ...out,
  });
  return { report, graph, inputs, outputs, protectedForSavedModel: extraOutputs, wrote: 'saved-model' };
}

function pickMeta(model: Extract<LoadedModel, { kind: 'saved-model' }>, tags: readonly string[] | undefined): MetaGraph {
  if (tags) return findMetaGraph(model.savedModel, tags, model.modelFile);
  const metas = model.savedModel.metaGraphs;
  return metas.find((m) => m.tags.length === 1 && m.tags[0] === 'serve') ?? metas[0]!;
}
