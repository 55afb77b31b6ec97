/**
 * `optimizeInMemory` once its arguments are checked (optimize.ts): the model read from the map of
 * files, the stages run on it, the files of the result. Loaded with `import()` on first use.
 */
import { GraftError } from '../errors';
import { readCheckpoint, readCheckpointIndex } from '../io/checkpoint';
import { shardFileName } from '../io/checkpoint/bundle-format';
import { joinChunks } from '../io/chunks';
import { decodeSavedModel, parseSavedModelText } from '../io/saved-model';
import type { OptimizeOptions, OptimizeResult } from './optimize-options';
import { type Source, runStages } from './optimize-stages';
import { normalizeKey } from './optimize';

/** `byKey`: the files by normalized relative path. */
export async function optimizeFiles(byKey: ReadonlyMap<string, Uint8Array>, opts: OptimizeOptions): Promise<OptimizeResult & { files: Map<string, Uint8Array> }> {
  if (opts.outputFormat !== undefined && opts.outputFormat !== 'savedmodel') {
    // The result is a SavedModel's files (saved_model.pb, variables/, assets/): no other kind fits that map.
    throw new GraftError('optimize/bad-option', `optimizeInMemory returns a SavedModel's files; \`outputFormat: '${opts.outputFormat}'\` is for optimize on files`, { param: 'outputFormat' });
  }
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
    kind: 'saved-model',
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
  const result = await runStages(src, opts);
  const out = new Map<string, Uint8Array>([['saved_model.pb', joinChunks(result.chunks)]]);
  for (const [k, v] of byKey) if (k.startsWith('assets/')) out.set(k, v);
  for (const [k, v] of result.variableFiles) out.set(k, v);
  return { report: result.report, savedModel: result.savedModel, graph: result.graph, files: out };
}
