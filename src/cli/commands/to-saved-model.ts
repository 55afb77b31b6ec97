import * as nodePath from 'node:path';
import { GraftError } from '../../errors';
import { remapSignatures } from '../../freeze/to-saved-model';
import { exportSavedModel } from '../../freeze/export-saved-model';
import { checkOutput } from '../../io/fs';
import { type LoadedModel, loadModel, mainGraph, modelInputPaths } from '../../io/model-files';
import { type MetaGraph, type Signature, findMetaGraph } from '../../io/saved-model';
import { parseFlags, splitList } from '../args';
import { toJson } from '../json-flag';
import { flagError } from '../flag-names';
import type { Io } from '../output';

export const usage = `Usage: graft to-saved-model --in_graph=frozen.pb --export_dir=DIR [--inputs=x:0,...] [--outputs=y:0,...]
                           [--tag_set=serve] [--signatures_from=ORIGINAL_SAVED_MODEL] [--overwrite] [--as_text] [--json]
  Converts a frozen (and optimized) GraphDef back to a SavedModel, as simple_save does: tag serve and
  one serving_default predict signature. Inputs default to every Placeholder, outputs to the nodes
  nothing consumes; name a signature key with key=tensor (--outputs=scores=softmax:0).
  --signatures_from keeps the original SavedModel's signatures instead (those whose tensors the graph
  still has; the others are reported) and copies its assets.
  Like TensorFlow's SavedModelBuilder, an existing non-empty --export_dir is refused (--overwrite replaces it,
  once the new one is complete); --export_dir may never be, contain or lie inside an input.`;

function pickMeta(model: Extract<LoadedModel, { kind: 'saved-model' }>, tags: readonly string[] | undefined): MetaGraph {
  if (tags) return findMetaGraph(model.savedModel, tags, model.modelFile);
  const metas = model.savedModel.metaGraphs;
  return metas.find((m) => m.tags.length === 1 && m.tags[0] === 'serve') ?? metas[0]!;
}

/** `graft to-saved-model`: a GraphDef back to a SavedModel (simple_save). */
export async function toSavedModelCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(
    args,
    {
      in_graph: { type: 'string' },
      export_dir: { type: 'string' },
      inputs: { type: 'string' },
      outputs: { type: 'string' },
      tag_set: { type: 'string' },
      signatures_from: { type: 'string' },
      overwrite: { type: 'boolean' },
      as_text: { type: 'boolean' },
      json: { type: 'boolean' },
    },
    usage,
  );
  if (values.help) return io.out(usage), 0;
  if (positionals.length > 0) throw new GraftError('cli/usage', `Unknown argument ${positionals[0]}.\n${usage}`);
  if (!values.in_graph) throw new GraftError('cli/usage', `--in_graph is required.\n${usage}`);
  if (!values.export_dir) throw new GraftError('cli/usage', `--export_dir is required.\n${usage}`);
  // Before any work: the export directory may not touch an input; an existing one needs --overwrite.
  const sources = [...(await modelInputPaths(values.in_graph)), values.signatures_from];
  await checkOutput(values.export_dir, { inputs: sources, overwrite: values.overwrite === true, kind: 'dir' });
  const tags = values.tag_set !== undefined ? splitList(values.tag_set).map((t) => t.trim()).filter(Boolean) : undefined;
  const inputs = values.inputs !== undefined ? splitList(values.inputs).map((s) => s.trim()).filter(Boolean) : undefined;
  const outputs = values.outputs !== undefined ? splitList(values.outputs).map((s) => s.trim()).filter(Boolean) : undefined;

  const model = await loadModel(values.in_graph);
  const graph = mainGraph(model);

  // The original signatures: from --signatures_from, or from the input when it is a SavedModel.
  let original: Readonly<Record<string, Signature>> | undefined;
  let assetsFrom: string | undefined;
  let assets: readonly string[] = [];
  const source = values.signatures_from !== undefined ? await loadModel(values.signatures_from) : model.kind === 'saved-model' ? model : undefined;
  if (source) {
    if (source.kind !== 'saved-model') throw new GraftError('io/not-saved-model', `${source.path} is not a SavedModel directory: --signatures_from needs one`, { file: source.path });
    original = pickMeta(source, tags).signatures;
    assetsFrom = nodePath.join(source.path, 'assets');
    assets = source.assets;
  }
  if (original && (inputs || outputs)) throw new GraftError('cli/usage', `--inputs/--outputs build a new serving_default signature; they cannot be combined with the original signatures.\n${usage}`);

  let signatures: Record<string, Signature> | undefined;
  let dropped: { key: string; missing: string[] }[] = [];
  if (original) {
    ({ signatures, dropped } = remapSignatures(original, graph));
    if (Object.keys(signatures).length === 0) {
      throw new GraftError('graph/missing-node', `None of the original signatures fits the graph (${dropped.map((d) => `'${d.key}' misses ${d.missing.join(', ')}`).join('; ')})`, {
        hint: 'Leave out --signatures_from to build a serving_default signature from the placeholders, or name --inputs/--outputs.',
      });
    }
  }

  await exportSavedModel(graph, values.export_dir, {
    ...(inputs ? { inputs } : {}),
    ...(outputs ? { outputs } : {}),
    ...(signatures ? { signatures } : {}),
    ...(tags ? { tags } : {}),
    ...(assetsFrom !== undefined && assets.length > 0 ? { assetsFrom, assetsRoot: nodePath.dirname(assetsFrom), assets } : {}),
    ...(values.overwrite ? { overwrite: true } : {}),
    sources,
    ...(values.as_text ? { format: 'text' as const } : {}),
  }).catch((e: unknown) => {
    throw flagError(e, { inputs: '--inputs', outputs: '--outputs' });
  });

  const written = await loadModel(values.export_dir);
  const sigs = written.kind === 'saved-model' ? written.savedModel.metaGraphs[0]!.signatures : {};
  if (values.json) {
    io.out(toJson({ export_dir: values.export_dir, nodes: graph.nodes.length, signatures: sigs, dropped, assets }));
    return 0;
  }
  for (const d of dropped) io.err(`warning: signature '${d.key}' dropped: the graph has no ${d.missing.join(', ')}`);
  for (const [key, s] of Object.entries(sigs)) {
    const names = (r: Readonly<Record<string, { name: string | null }>>) => Object.entries(r).map(([k, t]) => `${k}=${t.name ?? '?'}`).join(', ');
    io.out(`signature '${key}' (${s.methodName}): inputs ${names(s.inputs) || '(none)'}; outputs ${names(s.outputs) || '(none)'}`);
  }
  io.out(`wrote ${values.export_dir} (${graph.nodes.length} nodes${assets.length ? `, ${assets.length} asset(s)` : ''})`);
  return 0;
}
