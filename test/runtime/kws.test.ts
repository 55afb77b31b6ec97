/**
 * The ARM keyword-spotting models (wav bytes → DecodeWav → AudioSpectrogram → Mfcc → CNN / DS-CNN /
 * LSTM → softmax over 12 labels) run end to end, before and after the optimizing pipeline; and
 * the TensorArray kernels the LSTM's `dynamic_rnn` needs, checked on small graphs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isGraftError } from '../../src/errors';
import { attr } from '../../src/ir/attr';
import type { Graph } from '../../src/ir/graph';
import { makeStringTensor, makeTensor, tensorToNumbers, type Tensor } from '../../src/ir/tensor';
import { loadModel, mainGraph } from '../../src/io/model-files';
import { createSession, missingKernels, runGraph } from '../../src/runtime';
import { runPipeline } from '../../src/transform/runner';
import { graphBuilder } from '../helpers/graph-builder';
import { HAVE_MODELS, SKIP_REASON, modelPath } from '../helpers/models';

/** The label order of ARM-software/ML-KWS-for-MCU (`input_data.prepare_words_list`). */
const LABELS = ['_silence_', '_unknown_', 'yes', 'no', 'up', 'down', 'left', 'right', 'on', 'off', 'stop', 'go'];

const MODELS = [
  { name: 'kws_cnn_s', file: 'kws_cnn_s/CNN_S.pb', hasBatchNorm: true },
  { name: 'kws_ds_cnn_s', file: 'kws_ds_cnn_s/DS_CNN_S.pb', hasBatchNorm: true },
  { name: 'kws_lstm_s', file: 'kws_lstm_s/LSTM_S.pb', hasBatchNorm: false },
];

const PIPELINE = 'remove_nodes(op=Identity) merge_duplicate_nodes strip_unused_nodes fold_constants(ignore_errors=true) fold_batch_norms fold_old_batch_norms';
const BN_OPS = /^(FusedBatchNorm(V2|V3)?|BatchNormWithGlobalNormalization)$/;

/** A 1 s, 16 kHz, 16-bit mono WAV: a 700 Hz tone rising to 1900 Hz with a 300 Hz hum. */
function toneWav(): Uint8Array {
  const rate = 16000;
  const n = rate;
  const out = new Uint8Array(44 + 2 * n);
  const v = new DataView(out.buffer);
  const text = (at: number, s: string) => [...s].forEach((c, i) => v.setUint8(at + i, c.charCodeAt(0)));
  text(0, 'RIFF');
  v.setUint32(4, out.length - 8, true);
  text(8, 'WAVEfmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, 1, true);
  v.setUint32(24, rate, true);
  v.setUint32(28, rate * 2, true);
  v.setUint16(32, 2, true);
  v.setUint16(34, 16, true);
  text(36, 'data');
  v.setUint32(40, 2 * n, true);
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    const phase = 2 * Math.PI * (700 * t + 600 * t * t);
    const s = 0.4 * Math.sin(phase) + 0.1 * Math.sin(2 * Math.PI * 300 * t);
    v.setInt16(44 + 2 * i, Math.round(s * 32767), true);
  }
  return out;
}

function isProbabilityVector(t: Tensor): void {
  expect(t.shape).toEqual([1, LABELS.length]);
  const p = tensorToNumbers(t);
  for (const x of p) expect(x >= 0 && x <= 1).toBe(true);
  expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
}

const argmax = (t: Tensor) => {
  const v = tensorToNumbers(t);
  return v.indexOf(Math.max(...v));
};

const SILENCE = modelPath('kws_ds_cnn_s/silence.wav');

describe.skipIf(!HAVE_MODELS || !existsSync(SILENCE))(`KWS models (${HAVE_MODELS ? 'present' : SKIP_REASON})`, () => {
  const wavFeed = (bytes: Uint8Array) => ({ wav_data: makeStringTensor([], [bytes]) });
  const load = async (file: string): Promise<Graph> => mainGraph(await loadModel(modelPath(file)));

  for (const m of MODELS) {
    it(`${m.name}: every op has a kernel; silence.wav is classified as _silence_`, async () => {
      const graph = await load(m.file);
      expect(missingKernels(graph, ['labels_softmax'])).toEqual([]);
      const [probs, mfcc] = await runGraph(graph, wavFeed(new Uint8Array(readFileSync(SILENCE))), ['labels_softmax', 'Mfcc']);
      isProbabilityVector(probs!);
      // LSTM_S uses stride 640 (25 frames); the CNNs stride 320 (49 frames); 10 coefficients.
      expect(mfcc!.shape).toEqual([1, m.name === 'kws_lstm_s' ? 25 : 49, 10]);
      expect(LABELS[argmax(probs!)]).toBe('_silence_');
    });

    it(`${m.name}: the optimizing pipeline keeps the outputs within 1e-4 on silence.wav and a tone`, async () => {
      const graph = await load(m.file);
      const { graph: optimized } = await runPipeline(graph, PIPELINE, { inputs: ['wav_data'], outputs: ['labels_softmax'] });
      expect(optimized.nodes.length).toBeLessThan(graph.nodes.length);
      const bnLeft = optimized.nodes.filter((n) => BN_OPS.test(n.op)).map((n) => n.name);
      if (m.hasBatchNorm) {
        expect(graph.nodes.some((n) => BN_OPS.test(n.op))).toBe(true);
        expect(bnLeft).toEqual([]);
      }
      const before = await createSession(graph);
      const after = await createSession(optimized);
      try {
        const outs: number[][] = [];
        for (const wav of [new Uint8Array(readFileSync(SILENCE)), toneWav()]) {
          const [a] = await before.run(wavFeed(wav), ['labels_softmax']);
          const [b] = await after.run(wavFeed(wav), ['labels_softmax']);
          isProbabilityVector(b!);
          const x = tensorToNumbers(a!);
          const y = tensorToNumbers(b!);
          const worst = Math.max(...x.map((v, i) => Math.abs(v - y[i]!)));
          expect(worst).toBeLessThanOrEqual(1e-4);
          outs.push(x);
        }
        // The tone is not silence: the two inputs exercise different outputs.
        expect(Math.max(...outs[0]!.map((v, i) => Math.abs(v - outs[1]![i]!)))).toBeGreaterThan(1e-3);
      } finally {
        before.dispose();
        after.dispose();
      }
    });
  }
});

describe('TensorArray kernels', () => {
  const f32 = (shape: number[], values: number[]) => makeTensor('float', shape, values);
  const i32 = (shape: number[], values: number[]) => makeTensor('int32', shape, values);

  /** TensorArrayV3 of `size`; returns the handle and flow names. */
  function tensorArray(b: ReturnType<typeof graphBuilder>, size: number, extra: Record<string, ReturnType<typeof attr.b>> = {}): [string, string] {
    const n = b.const('size', i32([], [size]));
    const ta = b.op('TensorArrayV3', [n], { dtype: attr.type('float'), element_shape: attr.shape(null), clear_after_read: attr.b(true), dynamic_size: attr.b(false), ...extra }, 'ta');
    return [ta, `${ta}:1`];
  }

  it('scatters rows, reads one, gathers others in any order, and reports its size', async () => {
    const b = graphBuilder();
    const [ta, flow] = tensorArray(b, 3);
    const value = b.const('value', f32([3, 2], [1, 2, 3, 4, 5, 6]));
    const scatter = b.op('TensorArrayScatterV3', [ta, b.const('idx', i32([3], [2, 0, 1])), value, flow], { T: attr.type('float') }, 'scatter');
    b.op('TensorArrayReadV3', [ta, b.const('one', i32([], [1])), scatter], { dtype: attr.type('float') }, 'read');
    b.op('TensorArrayGatherV3', [ta, b.const('two_zero', i32([2], [2, 0])), scatter], { dtype: attr.type('float') }, 'gather');
    b.op('TensorArraySizeV3', [ta, scatter], {}, 'size_out');
    const [r, g, s] = await runGraph(b.graph(), {}, ['read', 'gather', 'size_out'], { backend: 'cpu' });
    // Row 2 went to index 1, row 0 to index 2, row 1 to index 0.
    expect(r!.shape).toEqual([2]);
    expect(tensorToNumbers(r!)).toEqual([5, 6]);
    expect(g!.shape).toEqual([2, 2]);
    expect(tensorToNumbers(g!)).toEqual([1, 2, 3, 4]);
    expect(tensorToNumbers(s!)).toEqual([3]);
  });

  it('writes one element at a time, grows when dynamic_size, concatenates with lengths, and splits', async () => {
    const b = graphBuilder();
    const [ta, flow] = tensorArray(b, 1, { dynamic_size: attr.b(true) });
    const w0 = b.op('TensorArrayWriteV3', [ta, b.const('i0', i32([], [0])), b.const('v0', f32([1, 2], [1, 2])), flow], { T: attr.type('float') }, 'w0');
    const w1 = b.op('TensorArrayWriteV3', [ta, b.const('i2', i32([], [2])), b.const('v2', f32([2, 2], [5, 6, 7, 8])), w0], { T: attr.type('float') }, 'w1');
    const w2 = b.op('TensorArrayWriteV3', [ta, b.const('i1', i32([], [1])), b.const('v1', f32([1, 2], [3, 4])), w1], { T: attr.type('float') }, 'w2');
    b.op('TensorArrayConcatV3', [ta, w2], { dtype: attr.type('float') }, 'concat');
    // A second array, filled by splitting [3, 1] into lengths 2 and 1.
    const s = b.op('TensorArrayV3', [b.const('two', i32([], [2]))], { dtype: attr.type('float'), clear_after_read: attr.b(false) }, 'ta2');
    const split = b.op('TensorArraySplitV3', [s, b.const('sv', f32([3, 1], [10, 20, 30])), b.const('lens', makeTensor('int64', [2], [2, 1])), `${s}:1`], { T: attr.type('float') }, 'split');
    b.op('TensorArrayReadV3', [s, b.const('zero', i32([], [0])), split], { dtype: attr.type('float') }, 'split_read');
    b.op('TensorArrayReadV3', [s, 'zero', split], { dtype: attr.type('float') }, 'split_read_again');
    const [c, lengths, r0, r0again] = await runGraph(b.graph(), {}, ['concat:0', 'concat:1', 'split_read', 'split_read_again'], { backend: 'cpu' });
    expect(c!.shape).toEqual([4, 2]);
    expect(tensorToNumbers(c!)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(lengths!.dtype).toBe('int64');
    expect(tensorToNumbers(lengths!)).toEqual([1, 1, 2]);
    // clear_after_read = false: the same index reads twice.
    expect(tensorToNumbers(r0!)).toEqual([10, 20]);
    expect(tensorToNumbers(r0again!)).toEqual([10, 20]);
  });

  async function failure(build: (b: ReturnType<typeof graphBuilder>, ta: string, flow: string) => string[]): Promise<Error> {
    const b = graphBuilder();
    const [ta, flow] = tensorArray(b, 2);
    const fetches = build(b, ta, flow);
    try {
      await runGraph(b.graph(), {}, fetches, { backend: 'cpu' });
    } catch (e) {
      expect(isGraftError(e) && e.code).toBe('runtime/failed');
      return e as Error;
    }
    throw new Error('expected the run to fail');
  }

  it('refuses what TensorFlow refuses: a second read after clear, an unwritten read, a write past a fixed size, a double write', async () => {
    const row = (b: ReturnType<typeof graphBuilder>, name: string, i: number) => b.const(name, i32([], [i]));
    const write = (b: ReturnType<typeof graphBuilder>, ta: string, idx: string, flow: string, name: string) =>
      b.op('TensorArrayWriteV3', [ta, idx, b.const(`${name}_v`, f32([1], [1])), flow], { T: attr.type('float') }, name);
    const twice = await failure((b, ta, flow) => {
      const w = write(b, ta, row(b, 'i0', 0), flow, 'w');
      b.op('TensorArrayReadV3', [ta, 'i0', w], { dtype: attr.type('float') }, 'r1');
      b.op('TensorArrayReadV3', [ta, 'i0', w, '^r1'], { dtype: attr.type('float') }, 'r2');
      return ['r2'];
    });
    expect(twice.message).toMatch(/twice/);
    const unwritten = await failure((b, ta, flow) => {
      b.op('TensorArrayReadV3', [ta, row(b, 'i1', 1), flow], { dtype: attr.type('float') }, 'r');
      return ['r'];
    });
    expect(unwritten.message).toMatch(/not been written/);
    const past = await failure((b, ta, flow) => [write(b, ta, row(b, 'i5', 5), flow, 'w')]);
    expect(past.message).toMatch(/not resizeable and its size is 2/);
    const double = await failure((b, ta, flow) => {
      const w = write(b, ta, row(b, 'i0', 0), flow, 'w');
      return [write(b, ta, 'i0', w, 'w_again')];
    });
    expect(double.message).toMatch(/already been written/);
    const scatterSize = await failure((b, ta, flow) => [
      b.op('TensorArrayScatterV3', [ta, b.const('idx', i32([2], [0, 1])), b.const('v', f32([3, 1], [1, 2, 3])), flow], { T: attr.type('float') }, 's'),
    ]);
    expect(scatterSize.message).toMatch(/len\(indices\) == values.shape\[0\]/);
  });
});
