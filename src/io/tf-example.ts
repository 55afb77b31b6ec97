/**
 * tf.Example records: serialized `tensorflow.Example` messages, what TF Serving's classify and
 * regress signatures take as their string input and what `ParseExample` reads.
 *
 * `serializeExample` builds one from plain values (`{ x: 2.5, tags: ['a', 'b'] }`), choosing each
 * feature's list kind from `kinds` (usually the parse op's declared dtype for that key) or, when
 * the key is not declared, from the values (text → bytes, bigint → int64, numbers → float).
 * `readExample` decodes one into its features, int64 values as exact `bigint`s.
 */
import { GraftError } from '../errors';
import { type ExampleMsg, type FeatureMsg, Long, decodeMessage, encodeMessage } from '../proto/index';

/** The three list kinds of a `tensorflow.Feature`. */
export type FeatureKind = 'bytes' | 'float' | 'int64';

/** One value of a feature as a user writes it. */
export type FeatureScalar = number | bigint | string | boolean | Uint8Array;

/** A feature as a user writes it: one value or a list of values. */
export type FeatureInput = FeatureScalar | readonly FeatureScalar[];

/** A decoded feature. `kind` is undefined for a feature with no list set (TensorFlow skips it). */
export type ExampleFeature =
  | { readonly kind: 'bytes'; readonly values: readonly Uint8Array[] }
  | { readonly kind: 'float'; readonly values: readonly number[] }
  | { readonly kind: 'int64'; readonly values: readonly bigint[] }
  | { readonly kind: undefined; readonly values: readonly [] };

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

function kindOf(values: readonly FeatureScalar[]): FeatureKind {
  if (values.some((v) => typeof v === 'string' || v instanceof Uint8Array)) return 'bytes';
  if (values.length > 0 && values.every((v) => typeof v === 'bigint')) return 'int64';
  return 'float';
}

function describe(v: FeatureScalar): string {
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/** The dtype name TensorFlow prints for a feature kind. */
export function featureKindDType(kind: FeatureKind): 'string' | 'float' | 'int64' {
  return kind === 'bytes' ? 'string' : kind;
}

/**
 * One feature as a `tensorflow.Feature` message of `kind`. Throws `runtime/bad-feed` (naming
 * `where` and the key) when a value cannot be written as that kind: text as a number, a
 * fraction or an out-of-range number as int64.
 */
export function featureMessage(key: string, input: FeatureInput, kind: FeatureKind | undefined, where = 'tf.Example'): FeatureMsg {
  const values: readonly FeatureScalar[] = Array.isArray(input) ? input : [input as FeatureScalar];
  for (const v of values) {
    if (Array.isArray(v)) throw new GraftError('runtime/bad-feed', `${where}: feature '${key}' holds a nested list; a feature is one value or a flat list`);
    if (v === null || (typeof v === 'object' && !(v instanceof Uint8Array))) {
      throw new GraftError('runtime/bad-feed', `${where}: feature '${key}' holds ${v === null ? 'null' : 'an object'}; write numbers, text or lists of them`);
    }
  }
  const k = kind ?? kindOf(values);
  const bad = (v: FeatureScalar, why: string) =>
    new GraftError('runtime/bad-feed', `${where}: feature '${key}' is ${featureKindDType(k)} but value ${describe(v)} ${why}`);
  if (k === 'bytes') {
    const enc = new TextEncoder();
    return { bytes_list: { value: values.map((v) => (v instanceof Uint8Array ? v : enc.encode(typeof v === 'string' ? v : String(v)))) } };
  }
  if (k === 'float') {
    return {
      float_list: {
        value: values.map((v) => {
          if (typeof v === 'number') return v;
          if (typeof v === 'boolean') return v ? 1 : 0;
          if (typeof v === 'bigint') return Number(v);
          throw bad(v, 'is not a number');
        }),
      },
    };
  }
  return {
    int64_list: {
      value: values.map((v) => {
        let n: bigint;
        if (typeof v === 'bigint') n = v;
        else if (typeof v === 'boolean') n = v ? 1n : 0n;
        else if (typeof v === 'number') {
          if (!Number.isInteger(v)) throw bad(v, 'is not an integer');
          if (!Number.isSafeInteger(v)) throw bad(v, 'is beyond 2^53; write it as a string of digits or a bigint');
          n = BigInt(v);
        } else if (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v)) n = BigInt(v.trim());
        else throw bad(v, 'is not an integer');
        if (n < INT64_MIN || n > INT64_MAX) throw bad(v, 'does not fit in int64');
        // Never hand protobufjs a bigint (it writes 0): a Long carries all 64 bits.
        return Long.fromString(n.toString());
      }),
    },
  };
}

/**
 * Serializes one `tensorflow.Example`. Keys are written in sorted order (as TensorFlow's
 * deterministic serialization does), so the same features give the same bytes.
 *
 * @param kinds the list kind per key (e.g. from the parse op's declared dtypes); keys not listed
 *   take theirs from the values: text → bytes, bigint → int64, numbers and bools → float.
 * @example
 * ```ts
 * const bytes = serializeExample({ x: 3, label: 'cat' }, { x: 'float' });
 * ```
 */
export function serializeExample(
  features: Readonly<Record<string, FeatureInput>>,
  kinds: Readonly<Record<string, FeatureKind>> = {},
  where?: string,
): Uint8Array {
  const feature: Record<string, FeatureMsg> = {};
  for (const key of Object.keys(features).sort()) {
    feature[key] = featureMessage(key, features[key]!, Object.hasOwn(kinds, key) ? kinds[key] : undefined, where);
  }
  const msg: ExampleMsg = { features: { feature } };
  return encodeMessage('tensorflow.Example', msg);
}

function longToBigInt(v: unknown): bigint {
  if (typeof v === 'number') return BigInt(v);
  if (typeof v === 'bigint') return v;
  const l = v as { low: number; high: number };
  return BigInt.asIntN(64, (BigInt(l.high >>> 0) << 32n) | BigInt(l.low >>> 0));
}

/** A decoded `tensorflow.Feature` as kind and values (int64 as exact bigints). */
export function decodeFeature(f: FeatureMsg): ExampleFeature {
  switch (f.kind) {
    // protobufjs hands out Node Buffers; plain views compare and print as bytes.
    case 'bytes_list': return { kind: 'bytes', values: (f.bytes_list?.value ?? []).map((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)) };
    case 'float_list': return { kind: 'float', values: f.float_list?.value ?? [] };
    case 'int64_list': return { kind: 'int64', values: (f.int64_list?.value ?? []).map(longToBigInt) };
    default: return { kind: undefined, values: [] };
  }
}

/**
 * Decodes a serialized `tensorflow.Example` into its features by key (a key written twice keeps
 * its last value, as protobuf maps do). Throws `io/corrupt` (or `io/truncated`) when the bytes
 * are not an Example.
 *
 * @example
 * ```ts
 * readExample(serializeExample({ x: 3 })).get('x'); // { kind: 'float', values: [3] }
 * ```
 */
export function readExample(bytes: Uint8Array, file?: string): Map<string, ExampleFeature> {
  const msg = decodeMessage<ExampleMsg>('tensorflow.Example', bytes, file);
  const out = new Map<string, ExampleFeature>();
  const features = msg.features?.feature ?? {};
  for (const key of Object.keys(features)) out.set(key, decodeFeature(features[key]!));
  return out;
}
