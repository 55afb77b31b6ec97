/**
 * DecodeWav, AudioSpectrogram and Mfcc: WAV parsing checked on hand-built files and the shared
 * silence.wav; the spectrogram and MFCC checked against slow, direct reference implementations
 * written here (O(n²) DFT, textbook triangular mel filters, explicit DCT-II sums).
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isGraftError } from '../../src/errors';
import { attr, type AttrValue } from '../../src/ir/attr';
import { makeNode } from '../../src/ir/node';
import { makeStringTensor, makeTensor, tensorToNumbers, type Tensor } from '../../src/ir/tensor';
import { evaluateNode } from '../../src/runtime';
import { decodeWav, mfcc, spectrogram } from '../../src/runtime/kernels/audio';
import { modelPath } from '../helpers/models';

const SILENCE = modelPath('kws_ds_cnn_s/silence.wav');

async function evalOp(op: string, inputs: Tensor[], attrs: Record<string, AttrValue> = {}): Promise<Tensor[]> {
  return evaluateNode(makeNode({ name: 'n', op, inputs: inputs.map((_, i) => `in${i}`), attrs }), inputs, { backend: 'cpu' });
}

/** The error a promise rejects with. */
async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

interface WavSpec {
  rate?: number;
  channels?: number;
  bits?: number;
  /** Raw PCM sample values (ints in the sample width), interleaved. */
  samples: number[];
  /** Chunks to put before `fmt ` and after `data`. */
  before?: [string, number][];
  after?: [string, number][];
  formatSize?: 16 | 18;
  /** Override header fields to make bad files. */
  bytesPerSecond?: number;
  dataSizeOverride?: number;
}

/** Builds a WAV file byte by byte (PCM, little-endian), as a recorder would write it. */
function buildWav(s: WavSpec): Uint8Array {
  const rate = s.rate ?? 16000;
  const channels = s.channels ?? 1;
  const bits = s.bits ?? 16;
  const width = bits / 8;
  const bytes: number[] = [];
  const u8 = (v: number) => bytes.push(v & 0xff);
  const u16 = (v: number) => (u8(v), u8(v >> 8));
  const u32 = (v: number) => (u16(v & 0xffff), u16(v >>> 16));
  const text = (t: string) => [...t].forEach((c) => u8(c.charCodeAt(0)));
  const chunk = ([id, size]: [string, number]) => {
    text(id);
    u32(size);
    for (let i = 0; i < size; i++) u8(0x5a);
  };
  text('RIFF');
  u32(0); // patched below
  text('WAVE');
  (s.before ?? []).forEach(chunk);
  text('fmt ');
  const formatSize = s.formatSize ?? 16;
  u32(formatSize);
  u16(1);
  u16(channels);
  u32(rate);
  u32(s.bytesPerSecond ?? rate * channels * width);
  u16(channels * width);
  u16(bits);
  if (formatSize === 18) u16(0);
  text('data');
  u32(s.dataSizeOverride ?? s.samples.length * width);
  for (const v of s.samples) (bits === 16 ? u16(v) : u8(v));
  (s.after ?? []).forEach(chunk);
  const out = Uint8Array.from(bytes);
  new DataView(out.buffer).setUint32(4, out.length - 8, true);
  return out;
}

const wavTensor = (bytes: Uint8Array) => makeStringTensor([], [bytes]);
const decodeAttrs = (samples: number, channels: number) => ({ desired_samples: attr.i(samples), desired_channels: attr.i(channels) });

describe('DecodeWav', () => {
  it.skipIf(!existsSync(SILENCE))('reads silence.wav: a 16 kHz mono 16-bit clip of 16000 samples', async () => {
    const bytes = new Uint8Array(readFileSync(SILENCE));
    // The header, read directly: RIFF/WAVE, PCM, 1 channel, 16000 Hz, 16 bits.
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('RIFF');
    expect(new TextDecoder().decode(bytes.subarray(8, 16))).toBe('WAVEfmt ');
    expect(view.getUint16(20, true)).toBe(1);
    expect(view.getUint16(22, true)).toBe(1);
    expect(view.getUint32(24, true)).toBe(16000);
    expect(view.getUint16(34, true)).toBe(16);
    const wav = decodeWav(bytes);
    expect(wav.sampleRate).toBe(16000);
    expect(wav.channelCount).toBe(1);
    expect(wav.sampleCount).toBe(16000);
    // Every sample is int16 / 32768, the first one read straight from the data chunk.
    expect(wav.samples[0]).toBe(view.getInt16(44, true) / 32768);
    expect(wav.samples.every((x) => x >= -1 && x < 1)).toBe(true);
    // Through the kernel (the bytes travel as a tfjs string tensor; they are binary, not UTF-8).
    const [audio, rate] = await evalOp('DecodeWav', [wavTensor(bytes)], decodeAttrs(16000, 1));
    expect(audio!.shape).toEqual([16000, 1]);
    expect(rate!.dtype).toBe('int32');
    expect(tensorToNumbers(rate!)).toEqual([16000]);
    expect(Float32Array.from(tensorToNumbers(audio!))).toEqual(wav.samples);
  });

  it('scales 16-bit samples by 1/32768 and keeps the file shape with the default attributes', async () => {
    const bytes = buildWav({ rate: 8000, samples: [0, 16384, 0x8000, 0x7fff, 1, 0xffff] });
    const [audio, rate] = await evalOp('DecodeWav', [wavTensor(bytes)]);
    expect(audio!.shape).toEqual([6, 1]);
    expect(tensorToNumbers(audio!)).toEqual([0, 0.5, -1, 32767 / 32768, 1 / 32768, -1 / 32768]);
    expect(tensorToNumbers(rate!)).toEqual([8000]);
  });

  it('reads stereo interleaved, drops extra channels and repeats the last one for more', async () => {
    // Frames (L, R): (1, 2), (3, 4), (5, 6) in units of 1/32768.
    const bytes = buildWav({ channels: 2, rate: 44100, samples: [1, 2, 3, 4, 5, 6] });
    const u = (xs: number[]) => xs.map((x) => x / 32768);
    const [both] = await evalOp('DecodeWav', [wavTensor(bytes)], decodeAttrs(-1, -1));
    expect(both!.shape).toEqual([3, 2]);
    expect(tensorToNumbers(both!)).toEqual(u([1, 2, 3, 4, 5, 6]));
    const [left] = await evalOp('DecodeWav', [wavTensor(bytes)], decodeAttrs(-1, 1));
    expect(tensorToNumbers(left!)).toEqual(u([1, 3, 5]));
    const [three] = await evalOp('DecodeWav', [wavTensor(bytes)], decodeAttrs(-1, 3));
    expect(three!.shape).toEqual([3, 3]);
    expect(tensorToNumbers(three!)).toEqual(u([1, 2, 2, 3, 4, 4, 5, 6, 6]));
  });

  it('pads with zeros or truncates to desired_samples', async () => {
    const bytes = buildWav({ samples: [100, 200, 300] });
    const [padded] = await evalOp('DecodeWav', [wavTensor(bytes)], decodeAttrs(5, 1));
    expect(padded!.shape).toEqual([5, 1]);
    expect(tensorToNumbers(padded!)).toEqual([100 / 32768, 200 / 32768, 300 / 32768, 0, 0]);
    const [cut] = await evalOp('DecodeWav', [wavTensor(bytes)], decodeAttrs(2, 1));
    expect(cut!.shape).toEqual([2, 1]);
    expect(tensorToNumbers(cut!)).toEqual([100 / 32768, 200 / 32768]);
  });

  it('skips JUNK before fmt, an 18-byte format chunk, and chunks after data', () => {
    const bytes = buildWav({ samples: [7, 8], before: [['JUNK', 6]], formatSize: 18, after: [['LIST', 4]] });
    const wav = decodeWav(bytes);
    expect(Array.from(wav.samples)).toEqual([7 / 32768, 8 / 32768]);
    expect(wav.sampleCount).toBe(2);
  });

  it('refuses 8-bit PCM, as TensorFlow does (it reads 16-bit only)', async () => {
    const bytes = buildWav({ bits: 8, samples: [0, 128, 255] });
    const e = await rejection(evalOp('DecodeWav', [wavTensor(bytes)]));
    expect(isGraftError(e) && e.code).toBe('runtime/failed');
    expect(e.message).toMatch(/16-bit/);
    expect(e.message).toMatch(/Node 'n' \(DecodeWav\)/);
  });

  it('refuses malformed files with runtime/failed, checking lengths before allocating', () => {
    const good = buildWav({ samples: [1, 2, 3, 4] });
    const fails = (b: Uint8Array, re: RegExp) => expect(() => decodeWav(b)).toThrow(re);
    fails(good.subarray(0, 30), /too short/);
    // A data chunk claiming far more than the file holds.
    fails(buildWav({ samples: [1, 2], dataSizeOverride: 0x7ffffff0 }), /data chunk needs/);
    fails(buildWav({ samples: [1], bytesPerSecond: 12345 }), /bytes per second/);
    // TensorFlow accepts only a fixed list of chunks before fmt.
    fails(buildWav({ samples: [1], before: [['LIST', 2]] }), /unexpected chunk 'LIST'/);
    const notRiff = good.slice();
    notRiff[0] = 0x58;
    fails(notRiff, /expected 'RIFF'/);
    // A chunk header cut in the middle of its size field.
    fails(good.subarray(0, 40), /too short/);
    const noData = good.slice(0, 36);
    fails(noData, /no data chunk/);
  });
});

// ---- Reference implementations: direct formulas, no FFT, no precomputed mapping tables.

/** |DFT|² (or |DFT|) of periodic-Hann-windowed frames, by the O(n²) definition. */
function referenceSpectrogram(x: number[][], windowSize: number, stride: number, squared: boolean): number[][][] {
  let n = 1;
  while (n < windowSize) n *= 2;
  const out: number[][][] = [];
  for (const channel of x) {
    const frames: number[][] = [];
    for (let start = 0; start + windowSize <= channel.length; start += stride) {
      const row: number[] = [];
      for (let k = 0; k <= n / 2; k++) {
        let re = 0;
        let im = 0;
        for (let j = 0; j < windowSize; j++) {
          const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * j) / windowSize);
          const v = channel[start + j]! * w;
          re += v * Math.cos((2 * Math.PI * j * k) / n);
          im -= v * Math.sin((2 * Math.PI * j * k) / n);
        }
        const p = re * re + im * im;
        row.push(squared ? p : Math.sqrt(p));
      }
      frames.push(row);
    }
    out.push(frames);
  }
  return out;
}

/**
 * MFCC of one power-spectrum frame: triangular filters on the mel scale (HTK: 1127 ln(1 + f/700)),
 * channel c rising from mel point c to c+1 and falling to c+2, over the bins TensorFlow uses
 * (from floor(1.5 + lower/Δf) to floor(upper/Δf), so DC is never used); magnitudes (sqrt of
 * power) summed; natural log floored at 1e-12; DCT-II with sqrt(2/N) on every row.
 */
function referenceMfcc(power: number[], rate: number, lower: number, upper: number, channels: number, count: number): number[] {
  const mel = (f: number) => 1127 * Math.log(1 + f / 700);
  const points = Array.from({ length: channels + 2 }, (_, i) => mel(lower) + ((mel(upper) - mel(lower)) * i) / (channels + 1));
  const df = rate / 2 / (power.length - 1);
  const first = Math.floor(1.5 + lower / df);
  const last = Math.floor(upper / df);
  const energies: number[] = [];
  for (let c = 0; c < channels; c++) {
    const [a, b, d] = [points[c]!, points[c + 1]!, points[c + 2]!];
    let sum = 0;
    for (let i = first; i <= last; i++) {
      const m = mel(i * df);
      const w = m <= a || m >= d ? 0 : m <= b ? (m - a) / (b - a) : (d - m) / (d - b);
      sum += w * Math.sqrt(power[i]!);
    }
    energies.push(Math.log(Math.max(sum, 1e-12)));
  }
  return Array.from({ length: count }, (_, k) => Math.sqrt(2 / channels) * energies.reduce((s, e, j) => s + e * Math.cos((Math.PI * k * (j + 0.5)) / channels), 0));
}

/** A two-channel test signal: sines at 1000 Hz and 2750 Hz (plus a little of 440 Hz) at 16 kHz. */
function sineSignal(samples: number, rate = 16000): { matrix: Float32Array; channels: number[][] } {
  const a = Array.from({ length: samples }, (_, i) => Math.fround(0.6 * Math.sin((2 * Math.PI * 1000 * i) / rate)));
  const b = Array.from({ length: samples }, (_, i) => Math.fround(0.3 * Math.sin((2 * Math.PI * 2750 * i) / rate) + 0.05 * Math.cos((2 * Math.PI * 440 * i) / rate)));
  const matrix = new Float32Array(samples * 2);
  for (let i = 0; i < samples; i++) {
    matrix[2 * i] = a[i]!;
    matrix[2 * i + 1] = b[i]!;
  }
  return { matrix, channels: [a, b] };
}

function expectClose(actual: ArrayLike<number>, expected: readonly number[], rel: number, abs: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i]! - expected[i]!) / (abs + rel * Math.abs(expected[i]!));
    if (err > worst) [worst, at] = [err, i];
  }
  // Report the worst element on failure.
  expect({ worst: worst <= 1 ? 'ok' : worst, at, actual: actual[at], expected: expected[at] }).toMatchObject({ worst: 'ok' });
}

describe('AudioSpectrogram', () => {
  // window 100 → FFT 128 (zero padded), stride 37: frames at 0, 37, ..., while a window fits.
  const samples = 420;
  const { matrix, channels } = sineSignal(samples);
  const input = makeTensor('float', [samples, 2], matrix);
  const attrs = (squared: boolean) => ({ window_size: attr.i(100), stride: attr.i(37), magnitude_squared: attr.b(squared) });

  it('equals a direct DFT of Hann-windowed frames (magnitude squared)', async () => {
    const [y] = await evalOp('AudioSpectrogram', [input], attrs(true));
    const frames = 1 + Math.floor((samples - 100) / 37);
    expect(y!.shape).toEqual([2, frames, 65]);
    const ref = referenceSpectrogram(channels, 100, 37, true).flat(2);
    expectClose(tensorToNumbers(y!), ref, 1e-5, 1e-9);
    // The 1000 Hz sine peaks at bin 1000 / (16000 / 128) = 8.
    const row = tensorToNumbers(y!).slice(0, 65);
    expect(row.indexOf(Math.max(...row))).toBe(8);
  });

  it('equals a direct DFT of Hann-windowed frames (magnitude)', async () => {
    const [y] = await evalOp('AudioSpectrogram', [input], attrs(false));
    expectClose(tensorToNumbers(y!), referenceSpectrogram(channels, 100, 37, false).flat(2), 1e-5, 1e-7);
  });

  it('gives no frames when the input is shorter than a window', () => {
    const s = spectrogram(new Float32Array(50), 50, 1, { windowSize: 64, stride: 8, magnitudeSquared: true });
    expect(s.shape).toEqual([1, 0, 33]);
  });

  it('refuses a window of 1 and a non-positive stride', async () => {
    const e = await rejection(evalOp('AudioSpectrogram', [input], { window_size: attr.i(1), stride: attr.i(1) }));
    expect(e.message).toMatch(/window_size must be > 1/);
    expect(() => spectrogram(new Float32Array(8), 8, 1, { windowSize: 4, stride: 0, magnitudeSquared: true })).toThrow(/stride must be > 0/);
  });
});

describe('Mfcc', () => {
  const samples = 2000;
  const { matrix } = sineSignal(samples);
  const rate = makeTensor('int32', [], [16000]);

  it('equals textbook mel filters, log and DCT-II on a sine spectrogram (KWS settings)', async () => {
    const [spec] = await evalOp('AudioSpectrogram', [makeTensor('float', [samples, 2], matrix)], { window_size: attr.i(640), stride: attr.i(320), magnitude_squared: attr.b(true) });
    const mfccAttrs = { upper_frequency_limit: attr.f(4000), lower_frequency_limit: attr.f(20), filterbank_channel_count: attr.i(40), dct_coefficient_count: attr.i(10) };
    const [y] = await evalOp('Mfcc', [spec!, rate], mfccAttrs);
    const [ch, frames, bins] = spec!.shape as [number, number, number];
    expect(y!.shape).toEqual([ch, frames, 10]);
    const power = tensorToNumbers(spec!);
    const ref: number[] = [];
    for (let f = 0; f < ch * frames; f++) ref.push(...referenceMfcc(power.slice(f * bins, (f + 1) * bins), 16000, 20, 4000, 40, 10));
    expectClose(tensorToNumbers(y!), ref, 1e-5, 1e-4);
  });

  it('equals the reference with other limits, channel counts and the default 13 coefficients', async () => {
    const [spec] = await evalOp('AudioSpectrogram', [makeTensor('float', [samples, 2], matrix)], { window_size: attr.i(256), stride: attr.i(200), magnitude_squared: attr.b(true) });
    const [y] = await evalOp('Mfcc', [spec!, rate], { upper_frequency_limit: attr.f(7600), lower_frequency_limit: attr.f(125), filterbank_channel_count: attr.i(26) });
    const [ch, frames, bins] = spec!.shape as [number, number, number];
    expect(y!.shape).toEqual([ch, frames, 13]);
    const power = tensorToNumbers(spec!);
    const ref: number[] = [];
    for (let f = 0; f < ch * frames; f++) ref.push(...referenceMfcc(power.slice(f * bins, (f + 1) * bins), 16000, 125, 7600, 26, 13));
    expectClose(tensorToNumbers(y!), ref, 1e-5, 1e-4);
  });

  it('floors silent channels at log(1e-12): c0 = sqrt(2/N)·N·ln(1e-12), the rest 0', () => {
    const out = mfcc(new Float32Array(513), [1, 1, 513], 16000, { upperFrequencyLimit: 4000, lowerFrequencyLimit: 20, filterbankChannelCount: 40, dctCoefficientCount: 5 });
    const c0 = Math.sqrt(2 / 40) * 40 * Math.log(1e-12);
    expect(out.data[0]).toBeCloseTo(c0, 3);
    for (let i = 1; i < 5; i++) expect(Math.abs(out.data[i]!)).toBeLessThan(1e-4);
  });

  it('gives zeros when the upper limit lies above Nyquist (TensorFlow logs and skips the filterbank)', () => {
    const power = new Float32Array(65).fill(1);
    const out = mfcc(power, [1, 1, 65], 8000, { upperFrequencyLimit: 4500, lowerFrequencyLimit: 20, filterbankChannelCount: 10, dctCoefficientCount: 4 });
    expect(Array.from(out.data)).toEqual([0, 0, 0, 0]);
  });

  it('refuses more DCT coefficients than filterbank channels, and a bad sample rate', async () => {
    const spec = makeTensor('float', [1, 1, 65], new Float32Array(65).fill(1));
    const e1 = await rejection(evalOp('Mfcc', [spec, rate], { filterbank_channel_count: attr.i(8), dct_coefficient_count: attr.i(9) }));
    expect(e1.message).toMatch(/dct_coefficient_count \(9\) must be at most/);
    const e2 = await rejection(evalOp('Mfcc', [spec, makeTensor('int32', [], [0])]));
    expect(e2.message).toMatch(/sample rate must be positive/);
  });
});
