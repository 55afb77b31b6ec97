/**
 * TF1 summary ops, producing the serialized `Summary` protos TensorFlow's writers take
 * (`summary_op.cc`, `lib/histogram/histogram.cc`):
 *
 * - `ScalarSummary`: one `Summary.Value {tag, simple_value}` per tag, the value cast to float.
 * - `HistogramSummary`: one `Summary.Value {tag, histo}` over all values, with TensorFlow's
 *   default buckets (limits growing by 10% from 1e-12 to 1e20, mirrored for negatives, 0 and
 *   ±DBL_MAX at the ends) and its encoding (runs of empty buckets collapsed into one); NaN and
 *   infinities fail as in TensorFlow.
 * - `MergeSummary`: the values of every input `Summary` in order, refusing a repeated tag.
 *
 * The protos are written in field-number order with proto3's rules (a zero double field is left
 * out, oneof members are always written), which is how TensorFlow's C++ protobuf serializes them.
 */
import { type Tensor, makeStringTensor, tensorStrings, tensorToNumbers } from '../../ir/tensor';
import { fieldPayload, splitFields } from '../../io/wire';
import type { Kernel, KernelContext } from '../kernel';

function shapeText(s: readonly number[]): string {
  return `[${s.join(',')}]`;
}

// ---------------------------------------------------------------- a minimal protobuf writer

class Writer {
  private readonly parts: number[] = [];
  varint(n: number): this {
    let v = n;
    while (v >= 0x80) {
      this.parts.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.parts.push(v);
    return this;
  }
  tag(field: number, wire: number): this {
    return this.varint(field * 8 + wire);
  }
  bytes(field: number, b: Uint8Array): this {
    this.tag(field, 2).varint(b.length);
    for (const x of b) this.parts.push(x);
    return this;
  }
  float(field: number, v: number): this {
    const buf = new Uint8Array(4);
    new DataView(buf.buffer).setFloat32(0, v, true);
    this.tag(field, 5);
    for (const x of buf) this.parts.push(x);
    return this;
  }
  /** A proto3 double: left out when its bits are zero (+0.0). */
  double(field: number, v: number): this {
    if (v === 0 && !Object.is(v, -0)) return this;
    this.tag(field, 1);
    for (const x of doubleBytes(v)) this.parts.push(x);
    return this;
  }
  packedDoubles(field: number, vs: readonly number[]): this {
    if (vs.length === 0) return this;
    this.tag(field, 2).varint(vs.length * 8);
    for (const v of vs) for (const x of doubleBytes(v)) this.parts.push(x);
    return this;
  }
  raw(b: Uint8Array): this {
    for (const x of b) this.parts.push(x);
    return this;
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

function doubleBytes(v: number): Uint8Array {
  const buf = new Uint8Array(8);
  new DataView(buf.buffer).setFloat64(0, v, true);
  return buf;
}

// ---------------------------------------------------------------- kernels

/** Real-number inputs as doubles (int64 beyond 2^53 rounds, as TensorFlow's cast to double does). */
function values(ctx: KernelContext, i: number): { t: Tensor; v: number[] } {
  const t = ctx.host(i);
  if (t.dtype === 'string' || t.dtype === 'bool' || t.dtype.startsWith('complex')) throw ctx.fail(`${ctx.node.op} takes real numbers, not ${t.dtype}`);
  return { t, v: tensorToNumbers(t) };
}

const scalarSummary: Kernel = (ctx) => {
  const tagsT = ctx.host(0);
  const { t: valuesT, v } = values(ctx, 1);
  const tags = tensorStrings(tagsT);
  const same = tagsT.shape.length === valuesT.shape.length && tagsT.shape.every((d, i) => d === valuesT.shape[i]);
  if (!same) {
    const single = tags.length === 1 ? ` (tag '${new TextDecoder().decode(tags[0])}')` : '';
    throw ctx.fail(`tags and values not the same shape: ${shapeText(tagsT.shape)} != ${shapeText(valuesT.shape)}${single}`);
  }
  const w = new Writer();
  tags.forEach((tag, i) => {
    const value = new Writer();
    if (tag.length > 0) value.bytes(1, tag);
    value.float(2, v[i]!);
    w.bytes(1, value.finish());
  });
  return [makeStringTensor([], [w.finish()])];
};

let defaultLimits: number[] | undefined;

/** TensorFlow's default histogram bucket limits (histogram.cc, InitDefaultBuckets). */
export function defaultBucketLimits(): readonly number[] {
  if (!defaultLimits) {
    const pos: number[] = [];
    for (let v = 1.0e-12; v < 1.0e20; v *= 1.1) pos.push(v);
    pos.push(Number.MAX_VALUE);
    defaultLimits = [...pos.map((x) => -x).reverse(), 0, ...pos];
  }
  return defaultLimits;
}

/** The `HistogramProto` bytes of `values`, as `Histogram::EncodeToProto(proto, false)` writes them. */
export function encodeHistogram(vals: readonly number[]): Uint8Array {
  const limits = defaultBucketLimits();
  const buckets = new Array<number>(limits.length).fill(0);
  let min = limits[limits.length - 1]!;
  let max = -Number.MAX_VALUE;
  let sum = 0;
  let sumSquares = 0;
  for (const x of vals) {
    // upper_bound: the first limit greater than x.
    let lo = 0;
    let hi = limits.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (limits[mid]! <= x) lo = mid + 1;
      else hi = mid;
    }
    buckets[lo]! += 1;
    if (min > x) min = x;
    if (max < x) max = x;
    sum += x;
    sumSquares += x * x;
  }
  const outLimits: number[] = [];
  const outCounts: number[] = [];
  for (let i = 0; i < buckets.length; ) {
    let end = limits[i]!;
    let count = buckets[i]!;
    i++;
    if (count <= 0) {
      while (i < buckets.length && buckets[i]! <= 0) {
        end = limits[i]!;
        count = buckets[i]!;
        i++;
      }
    }
    outLimits.push(end);
    outCounts.push(count);
  }
  return new Writer().double(1, min).double(2, max).double(3, vals.length).double(4, sum).double(5, sumSquares).packedDoubles(6, outLimits).packedDoubles(7, outCounts).finish();
}

const histogramSummary: Kernel = (ctx) => {
  const tagsT = ctx.host(0);
  if (tagsT.shape.length !== 0) throw ctx.fail('tags must be scalar');
  const { v } = values(ctx, 1);
  for (const x of v) {
    if (Number.isNaN(x)) throw ctx.fail(`Nan in summary histogram for: ${ctx.node.name}`);
    if (!Number.isFinite(x)) throw ctx.fail(`Infinity in summary histogram for: ${ctx.node.name}`);
  }
  const value = new Writer();
  const tag = tensorStrings(tagsT)[0]!;
  if (tag.length > 0) value.bytes(1, tag);
  value.bytes(5, encodeHistogram(v));
  return [makeStringTensor([], [new Writer().bytes(1, value.finish()).finish()])];
};

const mergeSummary: Kernel = (ctx) => {
  const w = new Writer();
  const seen = new Set<string>();
  for (let i = 0; i < ctx.inputs.length; i++) {
    for (const s of tensorStrings(ctx.host(i))) {
      let fields;
      try {
        fields = splitFields(s);
      } catch {
        throw ctx.fail('Could not parse one of the summary inputs');
      }
      for (const f of fields) {
        if (f.number !== 1) continue;
        let tag = '';
        try {
          for (const g of splitFields(fieldPayload(f))) if (g.number === 1) tag = new TextDecoder().decode(fieldPayload(g));
        } catch {
          throw ctx.fail('Could not parse one of the summary inputs');
        }
        if (tag !== '' && seen.has(tag)) throw ctx.fail(`Duplicate tag ${tag} found in summary inputs`);
        seen.add(tag);
        w.raw(f.bytes);
      }
    }
  }
  return [makeStringTensor([], [w.finish()])];
};

export const SUMMARY_KERNELS: Record<string, Kernel> = {
  ScalarSummary: scalarSummary,
  HistogramSummary: histogramSummary,
  MergeSummary: mergeSummary,
};
