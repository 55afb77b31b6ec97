/**
 * What the browser test runs, once in headless Chromium (bundled for the browser) and once in
 * Node (in the test process), so that both sides run the very same code on the very same bytes.
 * It imports only graft's public entries (the core and tf-graft/runtime), as a browser app would.
 *
 * 1. The serving article's pipeline on a real frozen GraphDef (kws_cnn_s: batch norms to fold,
 *    Identity nodes to remove, constant sub-graphs to fold), written back to GraphDef bytes.
 * 2. One run of the optimized graph on the wasm backend: the model's own audio front end
 *    (DecodeWav, AudioSpectrogram, Mfcc) and CNN on the WAV file shipped with kws_ds_cnn_s.
 * 3. `optimizeInMemory` on a real SavedModel with variables and an asset
 *    (serving_half_plus_two_cpu): freeze, the pipeline, convert back, verify against the original.
 */
import {
  DEFAULT_OPTIMIZE_TRANSFORMS,
  encodeGraphDef,
  makeStringTensor,
  optimizeInMemory,
  readGraphDefBytes,
  runPipeline,
  tensorBytes,
} from '../../../src/index';
// Running graphs is tf-graft/runtime's (the core loads it only when verification runs).
import { createSession } from '../../../src/runtime-entry';

/** The model files the scenario reads, relative to the models folder (the server serves these only). */
export const SCENARIO_FILES = [
  'kws_cnn_s/CNN_S.pb',
  'kws_ds_cnn_s/silence.wav',
  'serving_half_plus_two_cpu/saved_model.pb',
  'serving_half_plus_two_cpu/variables/variables.index',
  'serving_half_plus_two_cpu/variables/variables.data-00000-of-00001',
  'serving_half_plus_two_cpu/assets/foo.txt',
] as const;

export interface ScenarioResult {
  /** The article's pipeline applied to kws_cnn_s, as GraphDef bytes. */
  readonly pipelineGraphDef: Uint8Array;
  readonly nodesBefore: number;
  readonly nodesAfter: number;
  /** The backend the run used (the test requires wasm on both sides). */
  readonly backend: string;
  /** `labels_softmax` of the optimized graph on silence.wav: dtype, shape and raw bytes. */
  readonly output: { readonly dtype: string; readonly shape: readonly number[]; readonly bytes: Uint8Array };
  /** `optimizeInMemory`'s saved_model.pb, and its verification verdict. */
  readonly savedModelPb: Uint8Array;
  readonly verification: string;
}

export async function runScenario(read: (file: (typeof SCENARIO_FILES)[number]) => Promise<Uint8Array>): Promise<ScenarioResult> {
  // 1. the pipeline on a frozen GraphDef
  const graph = readGraphDefBytes(await read('kws_cnn_s/CNN_S.pb'));
  const { graph: optimized } = await runPipeline(graph, DEFAULT_OPTIMIZE_TRANSFORMS, { inputs: ['wav_data'], outputs: ['labels_softmax'] });

  // 2. one run of the result on the wasm backend
  const session = await createSession(optimized, { backend: 'wasm' });
  let output: ScenarioResult['output'];
  try {
    const [probs] = await session.run({ wav_data: makeStringTensor([], [await read('kws_ds_cnn_s/silence.wav')]) }, ['labels_softmax']);
    output = { dtype: probs!.dtype, shape: [...probs!.shape], bytes: tensorBytes(probs!) };
  } finally {
    session.dispose();
  }

  // 3. optimizeInMemory on a SavedModel's bytes
  const dir = 'serving_half_plus_two_cpu/';
  const files = new Map<string, Uint8Array>();
  for (const f of SCENARIO_FILES) if (f.startsWith(dir)) files.set(f.slice(dir.length), await read(f));
  const { files: out, report } = await optimizeInMemory(files, { backend: 'wasm' });

  return {
    pipelineGraphDef: encodeGraphDef(optimized),
    nodesBefore: graph.nodes.length,
    nodesAfter: optimized.nodes.length,
    backend: session.backend,
    output,
    savedModelPb: out.get('saved_model.pb')!,
    verification: report.verification?.status ?? 'none',
  };
}
