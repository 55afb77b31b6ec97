/**
 * Audio kernels: `DecodeWav`, `AudioSpectrogram` and `Mfcc`, following TensorFlow's CPU kernels
 * (decode_wav_op.cc with lib/wav/wav_io.cc, spectrogram_op.cc with spectrogram.cc, mfcc_op.cc
 * with mfcc.cc, mfcc_mel_filterbank.cc and mfcc_dct.cc), computed on the host in float64 and
 * stored as float32 where TensorFlow stores floats.
 *
 * - DecodeWav reads RIFF/WAVE, 16-bit PCM only (TensorFlow refuses every other sample width),
 *   skipping the chunks TensorFlow skips before `fmt `; samples are int16 / 32768; the output
 *   is padded with zeros or truncated to `desired_samples`, and extra `desired_channels` repeat
 *   the last decoded channel.
 * - AudioSpectrogram: periodic Hann window, FFT length = the next power of two of the window,
 *   frames at every `stride` while a whole window fits, |X|² (or |X| without
 *   `magnitude_squared`), `[channels, frames, fft/2 + 1]`.
 * - Mfcc: square root of each bin, HTK-style triangular mel filterbank on TensorFlow's edges and
 *   weights (DC excluded), log with a 1e-12 floor, then TensorFlow's DCT-II (scaled by
 *   sqrt(2/N) for every coefficient, the first included).
 *
 * Not handled: `EncodeWav` and the newer audio ops (no model here uses them).
 */
import { GraftError } from '../../errors';
import type { Tensor } from '../../ir/tensor';
import { tensorStrings, tensorToArray } from '../../ir/tensor';
import type { Kernel, KernelContext } from '../kernel';
import { tensorFromArray } from '../values';

/** A decoded WAV file, as TensorFlow's `DecodeLin16WaveAsFloatVector` returns it. */
export interface DecodedWav {
  /** Interleaved samples (frame-major), each int16 / 32768. */
  readonly samples: Float32Array;
  /** Frames (samples per channel). */
  readonly sampleCount: number;
  readonly channelCount: number;
  readonly sampleRate: number;
}

/** Chunks TensorFlow skips between `WAVE` and `fmt `. */
const SKIPPABLE_BEFORE_FMT = new Set(['JUNK', 'bext', 'iXML', 'qlty', 'mext', 'levl', 'link', 'axml']);

/** A little-endian reader that checks every read against what is left, as wav_io does. */
class WavReader {
  offset = 0;
  private readonly view: DataView;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly where: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  get size(): number {
    return this.bytes.length;
  }
  fail(message: string): GraftError {
    return new GraftError('runtime/failed', `${this.where}: ${message}`);
  }
  /** Moves on by `n` bytes, refusing to pass the end. */
  advance(n: number): number {
    const start = this.offset;
    if (start > this.size || n < 0 || start + n > this.size) throw this.fail(`the WAV data is too short: needs ${n} bytes at offset ${start}, ${Math.max(0, this.size - start)} left`);
    this.offset = start + n;
    return start;
  }
  text(n: number): string {
    const at = this.advance(n);
    return String.fromCharCode(...this.bytes.subarray(at, at + n));
  }
  expect(text: string): void {
    const found = this.text(text.length);
    if (found !== text) throw this.fail(`header mismatch: expected '${text}' but found '${printable(found)}'`);
  }
  u16(): number {
    return this.view.getUint16(this.advance(2), true);
  }
  u32(): number {
    return this.view.getUint32(this.advance(4), true);
  }
  i16(): number {
    return this.view.getInt16(this.advance(2), true);
  }
}

function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * Decodes a 16-bit PCM WAV file exactly as TensorFlow's `DecodeWav` kernel does (and refuses
 * what it refuses, with `runtime/failed`).
 *
 * @example
 * ```ts
 * const wav = decodeWav(readFileSync('silence.wav'));
 * wav.sampleRate; // 16000
 * ```
 */
export function decodeWav(bytes: Uint8Array, where = 'DecodeWav'): DecodedWav {
  const r = new WavReader(bytes, where);
  r.expect('RIFF');
  r.u32(); // total file size: TensorFlow reads it and ignores it
  r.expect('WAVE');
  let id = r.text(4);
  while (id !== 'fmt ') {
    if (!SKIPPABLE_BEFORE_FMT.has(id)) throw r.fail(`unexpected chunk '${printable(id)}' before the format chunk`);
    const size = r.u32();
    r.advance(size);
    id = r.text(4);
  }
  const formatSize = r.u32();
  if (formatSize !== 16 && formatSize !== 18) throw r.fail(`bad format chunk size: expected 16 or 18, got ${formatSize}`);
  const audioFormat = r.u16();
  if (audioFormat !== 1) throw r.fail(`bad audio format: expected 1 (PCM), got ${audioFormat}`);
  const channelCount = r.u16();
  if (channelCount < 1) throw r.fail(`bad number of channels: expected at least 1, got ${channelCount}`);
  const sampleRate = r.u32();
  const bytesPerSecond = r.u32();
  const bytesPerFrame = r.u16();
  const bitsPerSample = r.u16();
  if (bitsPerSample !== 16) throw r.fail(`only 16-bit PCM WAV files can be read (as in TensorFlow), got ${bitsPerSample}-bit`);
  const expectedFrame = Math.floor((bitsPerSample * channelCount + 7) / 8);
  if (bytesPerFrame !== expectedFrame) throw r.fail(`bad bytes per sample in the header: expected ${expectedFrame}, got ${bytesPerFrame}`);
  // TensorFlow computes this in uint32 arithmetic.
  const expectedPerSecond = (bytesPerFrame * sampleRate) >>> 0;
  if (bytesPerSecond !== expectedPerSecond) throw r.fail(`bad bytes per second in the header: expected ${expectedPerSecond}, got ${bytesPerSecond}`);
  // The 2-byte extension size of an 18-byte format chunk is skipped unchecked, as TensorFlow
  // does; the next read checks the bounds.
  if (formatSize === 18) r.offset += 2;

  let samples: Float32Array | undefined;
  let sampleCount = 0;
  while (r.offset < r.size) {
    const chunkId = r.text(4);
    const chunkSize = r.u32();
    if (chunkSize > 0x7fffffff) throw r.fail(`chunk '${printable(chunkId)}' is too large: ${chunkSize} bytes`);
    if (chunkId === 'data') {
      if (samples) throw r.fail('more than one data chunk');
      sampleCount = Math.floor(chunkSize / bytesPerFrame);
      const count = sampleCount * channelCount;
      // Check the data is there before allocating (TensorFlow does the same).
      if (r.offset + 2 * count > r.size) throw r.fail(`the data chunk needs ${2 * count} bytes, ${r.size - r.offset} left`);
      samples = new Float32Array(count);
      // Exact in float32: an int16 times 2^-15.
      for (let i = 0; i < count; i++) samples[i] = r.i16() / 32768;
    } else {
      // Unpadded, and unchecked: past the end simply ends the loop (TensorFlow's behaviour).
      r.offset += chunkSize;
    }
  }
  if (!samples) throw r.fail('no data chunk found');
  return { samples, sampleCount, channelCount, sampleRate };
}

/**
 * The `[desired_samples, desired_channels]` float matrix `DecodeWav` outputs (-1 keeps the
 * file's count): frames beyond the file are zero, channels beyond it repeat the last one.
 */
export function wavToMatrix(wav: DecodedWav, desiredSamples = -1, desiredChannels = -1): { data: Float32Array; shape: [number, number] } {
  const n = desiredSamples === -1 ? wav.sampleCount : desiredSamples;
  const c = desiredChannels === -1 ? wav.channelCount : desiredChannels;
  const data = new Float32Array(n * c);
  const frames = Math.min(n, wav.sampleCount);
  for (let s = 0; s < frames; s++) {
    for (let ch = 0; ch < c; ch++) {
      const src = Math.min(ch, wav.channelCount - 1);
      data[s * c + ch] = wav.samples[s * wav.channelCount + src]!;
    }
  }
  return { data, shape: [n, c] };
}

/** The smallest power of two at least `n` (TensorFlow's NextPowerOfTwo; 1 for 0). */
function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** The periodic Hann window TensorFlow's spectrogram uses: 0.5 - 0.5 cos(2πi/N). */
export function periodicHann(length: number): Float64Array {
  const w = new Float64Array(length);
  for (let i = 0; i < length; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / length);
  return w;
}

/** In-place iterative radix-2 complex FFT (forward); `re.length` must be a power of two. */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let len = 2; len <= n; len *= 2) {
    const half = len / 2;
    const step = (-2 * Math.PI) / len;
    for (let k = 0; k < half; k++) {
      // Twiddles computed directly (not by recurrence) to keep float64 accuracy.
      const wr = Math.cos(step * k);
      const wi = Math.sin(step * k);
      for (let s = k; s < n; s += len) {
        const t = s + half;
        const xr = re[t]! * wr - im[t]! * wi;
        const xi = re[t]! * wi + im[t]! * wr;
        re[t] = re[s]! - xr;
        im[t] = im[s]! - xi;
        re[s] = re[s]! + xr;
        im[s] = im[s]! + xi;
      }
    }
  }
}

/** Options of `spectrogram`, named as the op's attributes. */
export interface SpectrogramOptions {
  readonly windowSize: number;
  readonly stride: number;
  readonly magnitudeSquared: boolean;
}

/**
 * TensorFlow's `AudioSpectrogram` on a `[samples, channels]` float matrix: returns
 * `[channels, frames, fft/2 + 1]` float32 values.
 */
export function spectrogram(input: ArrayLike<number>, samples: number, channels: number, opts: SpectrogramOptions): { data: Float32Array; shape: [number, number, number] } {
  const { windowSize, stride } = opts;
  if (!(windowSize > 1)) throw new GraftError('runtime/failed', `AudioSpectrogram: window_size must be > 1, got ${windowSize}`);
  if (!(stride > 0)) throw new GraftError('runtime/failed', `AudioSpectrogram: stride must be > 0, got ${stride}`);
  const fftLength = nextPowerOfTwo(windowSize);
  const bins = 1 + fftLength / 2;
  const frames = samples < windowSize ? 0 : 1 + Math.floor((samples - windowSize) / stride);
  const window = periodicHann(windowSize);
  const out = new Float32Array(channels * frames * bins);
  const re = new Float64Array(fftLength);
  const im = new Float64Array(fftLength);
  for (let ch = 0; ch < channels; ch++) {
    for (let f = 0; f < frames; f++) {
      const start = f * stride;
      re.fill(0);
      im.fill(0);
      // TensorFlow keeps samples as float and multiplies by the double window.
      for (let j = 0; j < windowSize; j++) re[j] = Math.fround(input[(start + j) * channels + ch]!) * window[j]!;
      fft(re, im);
      const base = (ch * frames + f) * bins;
      for (let k = 0; k < bins; k++) {
        // |X|² is rounded to float32 first; the magnitude is the float sqrt of that.
        const power = Math.fround(re[k]! * re[k]! + im[k]! * im[k]!);
        out[base + k] = opts.magnitudeSquared ? power : Math.sqrt(power);
      }
    }
  }
  return { data: out, shape: [channels, frames, bins] };
}

/** Options of `mfcc`, named as the op's attributes. */
export interface MfccOptions {
  readonly upperFrequencyLimit: number;
  readonly lowerFrequencyLimit: number;
  readonly filterbankChannelCount: number;
  readonly dctCoefficientCount: number;
}

const FILTERBANK_FLOOR = 1e-12;

const freqToMel = (hz: number): number => 1127.0 * Math.log1p(hz / 700.0);

/** TensorFlow's mel filterbank layout: which channel each bin's right slope feeds, and its weight. */
interface MelFilterbank {
  readonly start: number;
  readonly end: number;
  readonly bandMapper: Int32Array;
  readonly weights: Float64Array;
  readonly channels: number;
}

function melFilterbank(inputLength: number, sampleRate: number, channels: number, lower: number, upper: number): MelFilterbank {
  const bad = (m: string) => new GraftError('runtime/failed', `Mfcc: ${m} (input length ${inputLength}, sample rate ${sampleRate}, ${channels} channels, ${lower}–${upper} Hz)`);
  if (channels < 1) throw bad('the number of filterbank channels must be positive');
  if (sampleRate <= 0) throw bad('the sample rate must be positive');
  if (inputLength < 2) throw bad('the spectrogram must have at least 2 bins');
  if (lower < 0) throw bad('the lower frequency limit must be nonnegative');
  if (upper <= lower) throw bad('the upper frequency limit must be greater than the lower one');
  // One extra centre at the top gives the last triangle its upper edge.
  const melLow = freqToMel(lower);
  const spacing = (freqToMel(upper) - melLow) / (channels + 1);
  const centers = new Float64Array(channels + 1);
  for (let i = 0; i < channels + 1; i++) centers[i] = melLow + spacing * (i + 1);
  // DC is always excluded (as HTK does): the first bin used is at least 1.
  const hzPerBin = (0.5 * sampleRate) / (inputLength - 1);
  const start = Math.trunc(1.5 + lower / hzPerBin);
  const end = Math.trunc(upper / hzPerBin);
  const bandMapper = new Int32Array(inputLength);
  const weights = new Float64Array(inputLength);
  let channel = 0;
  for (let i = 0; i < inputLength; i++) {
    const mel = freqToMel(i * hzPerBin);
    if (i < start || i > end) {
      bandMapper[i] = -2; // unused bin
      continue;
    }
    while (channel < channels && centers[channel]! < mel) channel++;
    const c = channel - 1; // may be -1: the left slope of the first triangle only
    bandMapper[i] = c;
    weights[i] = c >= 0 ? (centers[c + 1]! - mel) / (centers[c + 1]! - centers[c]!) : (centers[0]! - mel) / (centers[0]! - melLow);
  }
  return { start, end, bandMapper, weights, channels };
}

/** DCT-II rows as TensorFlow's MfccDct builds them: sqrt(2/N) cos(πi(j + ½)/N), no special first row. */
function dctMatrix(inputLength: number, count: number): Float64Array[] {
  if (count < 1) throw new GraftError('runtime/failed', `Mfcc: dct_coefficient_count must be positive, got ${count}`);
  if (count > inputLength) throw new GraftError('runtime/failed', `Mfcc: dct_coefficient_count (${count}) must be at most filterbank_channel_count (${inputLength})`);
  const norm = Math.sqrt(2.0 / inputLength);
  const arg = Math.PI / inputLength;
  return Array.from({ length: count }, (_, i) => {
    const row = new Float64Array(inputLength);
    for (let j = 0; j < inputLength; j++) row[j] = norm * Math.cos(i * arg * (j + 0.5));
    return row;
  });
}

/**
 * TensorFlow's `Mfcc` on a `[channels, frames, bins]` spectrogram (magnitude squared): returns
 * `[channels, frames, dct_coefficient_count]` float32 values.
 */
export function mfcc(spec: ArrayLike<number>, shape: readonly [number, number, number], sampleRate: number, opts: MfccOptions): { data: Float32Array; shape: [number, number, number] } {
  const [audioChannels, frames, bins] = shape;
  const fb = melFilterbank(bins, sampleRate, opts.filterbankChannelCount, opts.lowerFrequencyLimit, opts.upperFrequencyLimit);
  const dct = dctMatrix(opts.filterbankChannelCount, opts.dctCoefficientCount);
  const count = opts.dctCoefficientCount;
  const out = new Float32Array(audioChannels * frames * count);
  const mel = new Float64Array(fb.channels);
  // TensorFlow's filterbank refuses a spectrogram that does not reach end_index (an upper limit
  // above Nyquist) by logging and leaving its output empty, so every coefficient is 0.
  const tooShort = bins <= fb.end;
  for (let a = 0; a < audioChannels; a++) {
    for (let f = 0; f < frames; f++) {
      if (tooShort) continue;
      const base = (a * frames + f) * bins;
      mel.fill(0);
      for (let i = fb.start; i <= fb.end; i++) {
        const v = Math.sqrt(spec[base + i]!);
        const weighted = v * fb.weights[i]!;
        const c = fb.bandMapper[i]!;
        if (c >= 0) mel[c] += weighted; // right side of triangle c (falling)
        if (c + 1 < fb.channels) mel[c + 1] += v - weighted; // left side of triangle c + 1 (rising)
      }
      for (let c = 0; c < fb.channels; c++) mel[c] = Math.log(Math.max(mel[c]!, FILTERBANK_FLOOR));
      const o = (a * frames + f) * count;
      for (let i = 0; i < count; i++) {
        const row = dct[i]!;
        let sum = 0;
        for (let j = 0; j < fb.channels; j++) sum += row[j]! * mel[j]!;
        out[o + i] = sum;
      }
    }
  }
  return { data: out, shape: [audioChannels, frames, count] };
}

function floatInput(ctx: KernelContext, i: number, rank: number, what: string): { data: Float32Array; shape: number[] } {
  const t = ctx.host(i);
  if (t.dtype !== 'float') throw ctx.fail(`${what} must be float, got ${t.dtype}`);
  if (t.shape.length !== rank) throw ctx.fail(`${what} must be ${rank}-dimensional, got shape [${t.shape.join(',')}]`);
  return { data: tensorToArray(t) as Float32Array, shape: [...t.shape] };
}

function wrapped<T>(ctx: KernelContext, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof GraftError) throw ctx.fail(e.message.replace(/^(DecodeWav|AudioSpectrogram|Mfcc): /, ''));
    throw e;
  }
}

/**
 * The bytes of a scalar string input. Read from tfjs with `bytes()`: `dataSync()` (and so
 * `ctx.host`) decodes tfjs strings as UTF-8, which mangles binary data such as a WAV file.
 */
async function scalarBytes(ctx: KernelContext, i: number): Promise<Uint8Array> {
  const v = ctx.inputs[i];
  if (v?.kind === 'tensor' && v.t.dtype === 'string') {
    if (v.t.rank !== 0) throw ctx.fail(`contents must be a scalar, got shape [${v.t.shape.join(',')}]`);
    const all = (await v.t.bytes()) as Uint8Array[];
    return all[0]!;
  }
  const contents: Tensor = ctx.host(i);
  if (contents.dtype !== 'string' || contents.shape.length !== 0) throw ctx.fail(`contents must be a scalar string, got ${contents.dtype}[${contents.shape.join(',')}]`);
  return tensorStrings(contents)[0]!;
}

const decodeWavKernel: Kernel = async (ctx) => {
  const bytes = await scalarBytes(ctx, 0);
  const desiredChannels = ctx.attrInt('desired_channels', -1);
  const desiredSamples = ctx.attrInt('desired_samples', -1);
  if (desiredChannels < -1) throw ctx.fail(`desired_channels must be >= -1, got ${desiredChannels}`);
  if (desiredSamples < -1) throw ctx.fail(`desired_samples must be >= -1, got ${desiredSamples}`);
  const wav = wrapped(ctx, () => decodeWav(bytes, 'DecodeWav'));
  const m = wavToMatrix(wav, desiredSamples, desiredChannels);
  // The sample rate is a uint32 in the file and an int32 in TensorFlow's output.
  return [tensorFromArray('float', m.shape, m.data), tensorFromArray('int32', [], [wav.sampleRate | 0])];
};

const audioSpectrogramKernel: Kernel = (ctx) => {
  const x = floatInput(ctx, 0, 2, 'input');
  const opts = { windowSize: ctx.attrInt('window_size'), stride: ctx.attrInt('stride'), magnitudeSquared: ctx.attrBool('magnitude_squared', false) };
  const s = wrapped(ctx, () => spectrogram(x.data, x.shape[0]!, x.shape[1]!, opts));
  return [tensorFromArray('float', s.shape, s.data)];
};

const mfccKernel: Kernel = (ctx) => {
  const spec = floatInput(ctx, 0, 3, 'spectrogram');
  const rate = ctx.host(1);
  if (rate.shape.length !== 0) throw ctx.fail(`sample_rate must be a scalar, got shape [${rate.shape.join(',')}]`);
  const sampleRate = ctx.numbers(1)[0]!;
  const opts: MfccOptions = {
    upperFrequencyLimit: ctx.attrFloat('upper_frequency_limit', 4000),
    lowerFrequencyLimit: ctx.attrFloat('lower_frequency_limit', 20),
    filterbankChannelCount: ctx.attrInt('filterbank_channel_count', 40),
    dctCoefficientCount: ctx.attrInt('dct_coefficient_count', 13),
  };
  const out = wrapped(ctx, () => mfcc(spec.data, spec.shape as [number, number, number], sampleRate, opts));
  return [tensorFromArray('float', out.shape, out.data)];
};

export const AUDIO_KERNELS: Record<string, Kernel> = {
  DecodeWav: decodeWavKernel,
  AudioSpectrogram: audioSpectrogramKernel,
  Mfcc: mfccKernel,
};
