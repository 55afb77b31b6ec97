/**
 * String ops, on the host, with TensorFlow's semantics (`tensorflow/core/kernels/*string*`,
 * `as_string_op.cc`, `regex_*_op.cc`, `substr_op.cc`, `string_split_op.cc`):
 *
 * - `AsString`: printf formats built from `precision`, `scientific`, `shortest`, `width` and
 *   `fill` (a printf flag: `0`, ` `, `-`, `+`, `#`), for integers, floats, bools and complex.
 * - `StringToHashBucketFast` (`Fingerprint64`), `StringToHashBucketStrong` (SipHash-2-4 with the
 *   `key` attribute), legacy `StringToHashBucket` (TensorFlow's `Hash64`): the hash mod
 *   `num_buckets`, bit-exact.
 * - `StringJoin`, `StringSplitV2` (Python's `str.split`), `Substr` (BYTE and UTF8_CHAR, negative
 *   positions), `StringLength`, `StringLower`/`StringUpper` (ASCII, or Unicode with
 *   `encoding=utf-8`), `StringStrip`.
 * - `StaticRegexFullMatch`, `RegexFullMatch`, `StaticRegexReplace`, `RegexReplace`: RE2 patterns
 *   translated by `re2.ts` (refused with a clear error where JS would differ).
 * - `Where` (indices of true / non-zero elements, row-major, int64).
 */
import { baseDType } from '../../ir/dtype';
import { type Tensor, halfToNumber, bfloat16ToNumber, makeStringTensor, numElements, tensorStrings, tensorToArray } from '../../ir/tensor';
import type { Kernel, KernelContext } from '../kernel';
import { tensorFromArray } from '../values';
import { fingerprint64, legacyHash64, sipHash24 } from './hashes';
import { type PrintfSpec, formatFloat, formatInteger } from './printf';
import { fullMatcher, groupCount, rewriter, searchMatcher } from './re2';

const enc = new TextEncoder();
const utf8 = new TextDecoder('utf-8', { fatal: true });

function stringsOf(ctx: KernelContext, i: number): { values: Uint8Array[]; shape: number[] } {
  const t = ctx.host(i);
  if (baseDType(t.dtype) !== 'string') throw ctx.fail(`input ${i} must be a string tensor, not ${t.dtype}`);
  return { values: tensorStrings(t), shape: [...t.shape] };
}

function scalarString(ctx: KernelContext, i: number, what: string): string {
  const { values, shape } = stringsOf(ctx, i);
  if (shape.length !== 0) throw ctx.fail(`${what} must be a scalar, got shape [${shape.join(',')}]`);
  return decode(ctx, values[0]!);
}

function decode(ctx: KernelContext, b: Uint8Array): string {
  try {
    return utf8.decode(b);
  } catch {
    throw ctx.fail('a string is not valid UTF-8, which the regex ops need (RE2 matches UTF-8 text)');
  }
}

const strTensor = (shape: readonly number[], values: Uint8Array[]): Tensor => makeStringTensor(shape, values);
const int64Tensor = (shape: readonly number[], values: bigint[]): Tensor => tensorFromArray('int64', shape, BigInt64Array.from(values));

// ---- AsString

function asStringKernel(ctx: KernelContext): Tensor[] {
  const t = ctx.host(0);
  const dtype = baseDType(t.dtype);
  const precision = ctx.attrInt('precision', -1);
  const scientific = ctx.attrBool('scientific', false);
  const shortest = ctx.attrBool('shortest', false);
  const width = ctx.attrInt('width', -1);
  const fill = ctx.attrString('fill', '');
  const floating = ['float', 'double', 'half', 'bfloat16', 'complex64', 'complex128'].includes(dtype);
  if (dtype !== 'string' && !floating) {
    if (scientific || shortest) throw ctx.fail(`scientific and shortest format not supported for datatype ${dtype}`);
    if (precision >= 0) throw ctx.fail(`precision not supported for datatype ${dtype}`);
  }
  if (fill.length > 1) throw ctx.fail('Fill string must be one or fewer characters');
  if (scientific && shortest) throw ctx.fail('Cannot select both scientific and shortest notation');
  if (fill && !' +-0#'.includes(fill)) throw ctx.fail(`Fill argument not supported: "${fill}"`);
  const spec: PrintfSpec = { flags: fill, width: Math.max(width, 0), precision };
  const n = numElements(t.shape);
  const out: string[] = new Array<string>(n);
  if (dtype === 'bool') {
    const a = tensorToArray(t) as Uint8Array;
    for (let i = 0; i < n; i++) out[i] = a[i] ? 'true' : 'false';
  } else if (dtype === 'string') {
    const vals = tensorStrings(t);
    if (width <= 0) return [t];
    return [strTensor(t.shape, vals.map((v) => {
      const s = decode(ctx, v);
      const cut = precision >= 0 ? s.slice(0, precision) : s;
      const padding = ' '.repeat(Math.max(0, width - enc.encode(cut).length));
      return enc.encode(fill === '-' ? cut + padding : padding + cut);
    }))];
  } else if (floating) {
    const conv = shortest ? 'g' : scientific ? 'e' : 'f';
    const a = tensorToArray(t);
    const num = (x: number | bigint) => (dtype === 'half' ? halfToNumber(Number(x)) : dtype === 'bfloat16' ? bfloat16ToNumber(Number(x)) : Number(x));
    if (dtype.startsWith('complex')) {
      for (let i = 0; i < n; i++) out[i] = `(${formatFloat(num(a[2 * i]!), conv, spec)},${formatFloat(num(a[2 * i + 1]!), conv, spec)})`;
    } else {
      for (let i = 0; i < n; i++) out[i] = formatFloat(num(a[i]!), conv, spec);
    }
  } else if (['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64'].includes(dtype)) {
    const a = tensorToArray(t);
    for (let i = 0; i < n; i++) out[i] = formatInteger(a[i]!, spec);
  } else {
    throw ctx.fail(`Cannot encode input of type ${dtype}`);
  }
  return [makeStringTensor(t.shape, out)];
}

// ---- hash buckets

function hashBucket(hash: (ctx: KernelContext, s: Uint8Array) => bigint): Kernel {
  return (ctx) => {
    const buckets = BigInt(ctx.attrInt('num_buckets'));
    if (buckets < 1n) throw ctx.fail(`num_buckets must be >= 1, got ${buckets}`);
    const { values, shape } = stringsOf(ctx, 0);
    return [int64Tensor(shape, values.map((s) => hash(ctx, s) % buckets))];
  };
}

function strongKey(ctx: KernelContext): [bigint, bigint] {
  const a = ctx.attr('key');
  const key = a?.kind === 'list' ? (a.value.i ?? []) : [];
  if (key.length !== 2) throw ctx.fail('Key must have 2 elements');
  return [BigInt.asUintN(64, BigInt(key[0]!)), BigInt.asUintN(64, BigInt(key[1]!))];
}

// ---- join, split, substr, length, case, strip

/** The shape all non-scalar inputs share (StringJoin broadcasts scalars only). */
function commonShape(ctx: KernelContext, shapes: number[][]): number[] {
  let shape: number[] | undefined;
  for (const s of shapes) {
    if (s.length === 0) continue;
    if (!shape) shape = s;
    else if (s.length !== shape.length || s.some((d, i) => d !== shape![i])) {
      throw ctx.fail(`Input shapes do not match: [${shape.join(',')}] vs. [${s.join(',')}]`);
    }
  }
  return shape ?? [];
}

const stringJoin: Kernel = (ctx) => {
  const sep = enc.encode(ctx.attrString('separator', ''));
  const inputs = ctx.inputs.map((_, i) => stringsOf(ctx, i));
  const shape = commonShape(ctx, inputs.map((x) => x.shape));
  const n = numElements(shape);
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const parts = inputs.map((x) => (x.shape.length === 0 ? x.values[0]! : x.values[i]!));
    out.push(concatBytes(parts, sep));
  }
  return [strTensor(shape, out)];
};

function concatBytes(parts: Uint8Array[], sep: Uint8Array): Uint8Array {
  const total = parts.reduce((s, p) => s + p.length, 0) + sep.length * Math.max(0, parts.length - 1);
  const out = new Uint8Array(total);
  let o = 0;
  parts.forEach((p, k) => {
    if (k > 0) {
      out.set(sep, o);
      o += sep.length;
    }
    out.set(p, o);
    o += p.length;
  });
  return out;
}

const isAsciiSpace = (b: number) => b === 0x20 || (b >= 0x09 && b <= 0x0d);

function indexOfBytes(s: Uint8Array, sep: Uint8Array, from: number): number {
  outer: for (let i = from; i + sep.length <= s.length; i++) {
    for (let k = 0; k < sep.length; k++) if (s[i + k] !== sep[k]) continue outer;
    return i;
  }
  return -1;
}

/** Python's `str.split(sep, maxsplit)` on bytes (whitespace runs when `sep` is empty). */
export function splitV2(s: Uint8Array, sep: Uint8Array, maxsplit: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  if (sep.length === 0) {
    let i = 0;
    const n = s.length;
    while (i < n) {
      while (i < n && isAsciiSpace(s[i]!)) i++;
      if (i >= n) break;
      if (maxsplit >= 0 && out.length === maxsplit) {
        out.push(s.subarray(i));
        break;
      }
      const start = i;
      while (i < n && !isAsciiSpace(s[i]!)) i++;
      out.push(s.subarray(start, i));
    }
    return out;
  }
  let start = 0;
  for (;;) {
    if (maxsplit >= 0 && out.length === maxsplit) break;
    const at = indexOfBytes(s, sep, start);
    if (at < 0) break;
    out.push(s.subarray(start, at));
    start = at + sep.length;
  }
  out.push(s.subarray(start));
  return out;
}

const stringSplitV2: Kernel = (ctx) => {
  const { values, shape } = stringsOf(ctx, 0);
  if (shape.length !== 1) throw ctx.fail(`input must be a vector, got shape: [${shape.join(',')}]`);
  const sepT = stringsOf(ctx, 1);
  if (sepT.shape.length !== 0) throw ctx.fail(`sep must be a scalar, got shape: [${sepT.shape.join(',')}]`);
  const maxsplit = ctx.attrInt('maxsplit', -1);
  const indices: bigint[] = [];
  const tokens: Uint8Array[] = [];
  let widest = 0;
  values.forEach((s, row) => {
    const parts = splitV2(s, sepT.values[0]!, maxsplit);
    widest = Math.max(widest, parts.length);
    parts.forEach((p, col) => {
      indices.push(BigInt(row), BigInt(col));
      tokens.push(p.slice());
    });
  });
  return [int64Tensor([tokens.length, 2], indices), strTensor([tokens.length], tokens), int64Tensor([2], [BigInt(values.length), BigInt(widest)])];
};

const isTrail = (b: number | undefined) => b !== undefined && (b & 0xc0) === 0x80;

/** Moves `pos` forward over `n` UTF-8 characters; false when the string ends first. */
function forwardChars(s: Uint8Array, n: number, pos: number): [boolean, number] {
  let counted = 0;
  while (counted < n && pos < s.length) {
    do pos++;
    while (pos < s.length && isTrail(s[pos]));
    counted++;
  }
  return [counted === n, pos];
}

function backChars(s: Uint8Array, n: number, pos: number): [boolean, number] {
  let counted = 0;
  while (counted < n && pos > 0) {
    do pos--;
    while (pos > 0 && isTrail(s[pos]));
    counted++;
  }
  return [counted === n, pos];
}

/** Substr's byte range [start, start + len) for one string, or undefined when `pos` is out of range. */
function substrRange(s: Uint8Array, pos: number, len: number, utf8Chars: boolean): [number, number] | undefined {
  if (!utf8Chars) {
    const p = pos < 0 ? s.length + pos : pos;
    if (p < 0 || p > s.length) return undefined;
    return [p, Math.min(s.length, p + Math.max(0, len))];
  }
  if (pos >= 0) {
    const [ok, start] = forwardChars(s, pos, 0);
    if (!ok) return undefined;
    const [, end] = forwardChars(s, len, start);
    return [start, end];
  }
  const skip = Math.max(0, -pos - len);
  const [ok1, end] = backChars(s, skip, s.length);
  if (!ok1) return undefined;
  const [ok2, start] = backChars(s, -pos - skip, end);
  if (!ok2) return undefined;
  return [start, end];
}

const substr: Kernel = (ctx) => {
  const { values, shape } = stringsOf(ctx, 0);
  const pos = ctx.numbers(1);
  const len = ctx.numbers(2);
  const posShape = ctx.host(1).shape;
  const lenShape = ctx.host(2).shape;
  const unit = ctx.attrString('unit', 'BYTE');
  if (unit !== 'BYTE' && unit !== 'UTF8_CHAR') throw ctx.fail(`unit must be BYTE or UTF8_CHAR, not ${unit}`);
  const same = (s: readonly number[]) => s.length === 0 || (s.length === shape.length && s.every((d, i) => d === shape[i]));
  if (!same(posShape) || !same(lenShape)) {
    throw ctx.fail(`pos and len must be scalars or have the input's shape [${shape.join(',')}] (graft does not broadcast other shapes)`);
  }
  const out = values.map((s, i) => {
    const p = posShape.length === 0 ? pos[0]! : pos[i]!;
    const l = lenShape.length === 0 ? len[0]! : len[i]!;
    const r = substrRange(s, p, l, unit === 'UTF8_CHAR');
    if (!r) {
      throw ctx.fail(unit === 'BYTE' ? `pos ${p} out of range for string b'${decodeLoose(s)}' at index ${i}` : `pos ${p} out of range for string at index ${i}`);
    }
    return s.slice(r[0], r[1]);
  });
  return [strTensor(shape, out)];
};

const decodeLoose = (b: Uint8Array) => new TextDecoder().decode(b);

const stringLength: Kernel = (ctx) => {
  const { values, shape } = stringsOf(ctx, 0);
  const chars = ctx.attrString('unit', 'BYTE') === 'UTF8_CHAR';
  const out = values.map((s) => (chars ? s.reduce((n, b) => n + (isTrail(b) ? 0 : 1), 0) : s.length));
  return [tensorFromArray('int32', shape, out)];
};

function caseKernel(upper: boolean): Kernel {
  return (ctx) => {
    const { values, shape } = stringsOf(ctx, 0);
    const encoding = ctx.attrString('encoding', '');
    if (encoding !== '' && encoding.toLowerCase() !== 'utf-8') throw ctx.fail(`encoding must be '' or 'utf-8', not '${encoding}'`);
    const out = values.map((s) => {
      if (encoding) return enc.encode(upper ? decode(ctx, s).toUpperCase() : decode(ctx, s).toLowerCase());
      const r = s.slice();
      for (let i = 0; i < r.length; i++) {
        const b = r[i]!;
        if (upper && b >= 0x61 && b <= 0x7a) r[i] = b - 32;
        else if (!upper && b >= 0x41 && b <= 0x5a) r[i] = b + 32;
      }
      return r;
    });
    return [strTensor(shape, out)];
  };
}

const stringStrip: Kernel = (ctx) => {
  const { values, shape } = stringsOf(ctx, 0);
  return [strTensor(shape, values.map((s) => {
    let a = 0;
    let b = s.length;
    while (a < b && isAsciiSpace(s[a]!)) a++;
    while (b > a && isAsciiSpace(s[b - 1]!)) b--;
    return s.slice(a, b);
  }))];
};

// ---- regex

function fullMatchKernel(staticPattern: boolean): Kernel {
  return (ctx) => {
    const pattern = staticPattern ? ctx.attrString('pattern') : scalarString(ctx, 1, 'pattern');
    const re = wrap(ctx, () => fullMatcher(pattern));
    const { values, shape } = stringsOf(ctx, 0);
    return [tensorFromArray('bool', shape, values.map((s) => (re.test(decode(ctx, s)) ? 1 : 0)))];
  };
}

function replaceKernel(staticPattern: boolean): Kernel {
  return (ctx) => {
    const pattern = staticPattern ? ctx.attrString('pattern') : scalarString(ctx, 1, 'pattern');
    const rewrite = staticPattern ? ctx.attrString('rewrite') : scalarString(ctx, 2, 'rewrite');
    const global = ctx.attrBool('replace_global', true);
    const re = wrap(ctx, () => searchMatcher(pattern, global));
    const fn = wrap(ctx, () => rewriter(rewrite, groupCount(re)));
    const { values, shape } = stringsOf(ctx, 0);
    return [strTensor(shape, values.map((s) => enc.encode(decode(ctx, s).replace(re, fn))))];
  };
}

function wrap<T>(ctx: KernelContext, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw ctx.fail((e as Error).message);
  }
}

// ---- Where

const where: Kernel = (ctx) => {
  const t = ctx.host(0);
  const shape = [...t.shape];
  const dtype = baseDType(t.dtype);
  const a = dtype === 'string' ? tensorStrings(t).map((s) => s.length) : tensorToArray(t);
  const rank = shape.length;
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((p, d) => p * d, 1));
  const out: bigint[] = [];
  let count = 0;
  const isComplex = dtype.startsWith('complex');
  const n = numElements(shape);
  for (let i = 0; i < n; i++) {
    const nonzero = isComplex ? Number(a[2 * i]) !== 0 || Number(a[2 * i + 1]) !== 0 : Number(a[i]) !== 0;
    if (!nonzero) continue;
    count++;
    for (let d = 0; d < rank; d++) out.push(BigInt(Math.floor(i / strides[d]!) % shape[d]!));
  }
  return [int64Tensor([count, rank], out)];
};

/** printf's `%05d`: at least five characters, zero-padded after the sign. */
function pad5(n: number): string {
  return n < 0 ? `-${String(-n).padStart(4, '0')}` : String(n).padStart(5, '0');
}

function scalarInt(ctx: KernelContext, i: number, what: string): number {
  const t = ctx.host(i);
  if (t.shape.length !== 0) throw ctx.fail(`${what} must be a scalar, got shape [${t.shape.join(',')}]`);
  return ctx.numbers(i)[0]!;
}

/** `ShardedFilename`: `basename-SSSSS-of-NNNNN`, TensorFlow's `%s-%05d-of-%05d` (save_op.cc). */
const shardedFilename: Kernel = (ctx) => {
  const base = scalarString(ctx, 0, 'basename');
  const shard = scalarInt(ctx, 1, 'shard');
  const num = scalarInt(ctx, 2, 'num_shards');
  return [makeStringTensor([], [`${base}-${pad5(shard)}-of-${pad5(num)}`])];
};

/** `ShardedFilespec`: the glob of every shard, `basename-?????-of-NNNNN`. */
const shardedFilespec: Kernel = (ctx) => {
  const base = scalarString(ctx, 0, 'basename');
  const num = scalarInt(ctx, 1, 'num_shards');
  return [makeStringTensor([], [`${base}-?????-of-${pad5(num)}`])];
};

/**
 * `ReduceJoin`: joins strings along `reduction_indices` with `separator`, in TensorFlow's order (the
 * axis listed first varies fastest: `[0, 1]` over [["a","b"],["c","d"]] gives "acbd", `[1, 0]`
 * "abcd"); no axes is no reduction (reduce_join_op.cc).
 */
const reduceJoin: Kernel = (ctx) => {
  const { values, shape } = stringsOf(ctx, 0);
  const dims = shape.length;
  const listed = ctx.numbers(1);
  const isReduced = new Array<boolean>(dims).fill(false);
  for (const r of listed) {
    if (!(r >= -dims && r < dims)) throw ctx.fail(`Invalid reduction dimension ${r} for input with ${dims} dimension(s)`);
    const t = r < 0 ? r + dims : r;
    if (isReduced[t]) throw ctx.fail(`Duplicate reduction dimension ${r}`);
    isReduced[t] = true;
  }
  const reduced = [...listed].reverse().map((r) => (r < 0 ? r + dims : r));
  const unreduced = [...Array(dims).keys()].filter((d) => !isReduced[d]);
  const strides = new Array<number>(dims).fill(1);
  for (let d = dims - 2; d >= 0; d--) strides[d] = strides[d + 1]! * shape[d + 1]!;
  // A linear index over `list` (its last axis fastest) as an offset into the input.
  const offset = (index: number, list: readonly number[]) => {
    let at = 0;
    let rest = index;
    for (let i = list.length - 1; i >= 0; i--) {
      const d = list[i]!;
      at += (rest % shape[d]!) * strides[d]!;
      rest = Math.floor(rest / shape[d]!);
    }
    return at;
  };
  const keep = ctx.attrBool('keep_dims', false);
  const outShape = shape.flatMap((n, d) => (isReduced[d] ? (keep ? [1] : []) : [n]));
  const outCount = numElements(outShape);
  const iter = reduced.reduce((p, d) => p * shape[d]!, 1);
  const sep = enc.encode(ctx.attrString('separator', ''));
  const out: Uint8Array[] = [];
  for (let o = 0; o < outCount; o++) {
    const base = offset(o, unreduced);
    const parts: Uint8Array[] = [];
    for (let r = 0; r < iter; r++) parts.push(values[base + offset(r, reduced)]!);
    out.push(concatBytes(parts, sep));
  }
  return [makeStringTensor(outShape, out)];
};

export const STRING_KERNELS: Record<string, Kernel> = {
  ReduceJoin: reduceJoin,
  ShardedFilename: shardedFilename,
  ShardedFilespec: shardedFilespec,
  AsString: asStringKernel,
  StringToHashBucketFast: hashBucket((_, s) => fingerprint64(s)),
  StringToHashBucket: hashBucket((_, s) => legacyHash64(s)),
  StringToHashBucketStrong: hashBucket((ctx, s) => {
    const [k0, k1] = strongKey(ctx);
    return sipHash24(k0, k1, s);
  }),
  StringJoin: stringJoin,
  StringSplitV2: stringSplitV2,
  Substr: substr,
  StringLength: stringLength,
  StringLower: caseKernel(false),
  StringUpper: caseKernel(true),
  StringStrip: stringStrip,
  StaticRegexFullMatch: fullMatchKernel(true),
  RegexFullMatch: fullMatchKernel(false),
  StaticRegexReplace: replaceKernel(true),
  RegexReplace: replaceKernel(false),
  Where: where,
};
