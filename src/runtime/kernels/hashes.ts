/**
 * The string hashes of TensorFlow's hash-bucket ops, bit-exact (64-bit arithmetic in BigInt):
 *
 * - `fingerprint64`: TensorFlow's `Fingerprint64` (tensorflow/core/platform/fingerprint.h), which
 *   is farmhash's `Fingerprint64`, i.e. `farmhashna::Hash64`. Used by `StringToHashBucketFast`,
 *   feature columns' `categorical_column_with_hash_bucket` and TF Transform.
 * - `legacyHash64`: TensorFlow's own `Hash64` (tensorflow/core/lib/hash/hash.cc, a MurmurHash64A
 *   variant seeded with 0xDECAFCAFFE), used by the legacy `StringToHashBucket`.
 * - `sipHash24`: SipHash-2-4 with a 128-bit key, TensorFlow's `StrongKeyedHash`, used by
 *   `StringToHashBucketStrong`.
 */
const M64 = (1n << 64n) - 1n;
const K0 = 0xc3a5c85c97cb3127n;
const K1 = 0xb492b66fbe98f273n;
const K2 = 0x9ae16a3b2f90404fn;

const mul = (a: bigint, b: bigint) => (a * b) & M64;
const add = (...xs: bigint[]) => xs.reduce((s, x) => s + x, 0n) & M64;
const rotr = (v: bigint, s: number) => (s === 0 ? v : ((v >> BigInt(s)) | (v << BigInt(64 - s))) & M64);
const shiftMix = (v: bigint) => v ^ (v >> 47n);

function fetch64(s: Uint8Array, i: number): bigint {
  let v = 0n;
  for (let k = 7; k >= 0; k--) v = (v << 8n) | BigInt(s[i + k]!);
  return v;
}
function fetch32(s: Uint8Array, i: number): bigint {
  return BigInt((s[i]! | (s[i + 1]! << 8) | (s[i + 2]! << 16) | (s[i + 3]! << 24)) >>> 0);
}

function hashLen16(u: bigint, v: bigint, m: bigint): bigint {
  let a = mul(u ^ v, m);
  a ^= a >> 47n;
  let b = mul(v ^ a, m);
  b ^= b >> 47n;
  return mul(b, m);
}

function hashLen0to16(s: Uint8Array): bigint {
  const len = s.length;
  const n = BigInt(len);
  if (len >= 8) {
    const m = add(K2, n * 2n);
    const a = add(fetch64(s, 0), K2);
    const b = fetch64(s, len - 8);
    const c = add(mul(rotr(b, 37), m), a);
    const d = mul(add(rotr(a, 25), b), m);
    return hashLen16(c, d, m);
  }
  if (len >= 4) {
    const m = add(K2, n * 2n);
    const a = fetch32(s, 0);
    return hashLen16(add(n, (a << 3n) & M64), fetch32(s, len - 4), m);
  }
  if (len > 0) {
    const a = BigInt(s[0]!);
    const b = BigInt(s[len >> 1]!);
    const c = BigInt(s[len - 1]!);
    const y = (a + (b << 8n)) & 0xffffffffn;
    const z = (n + (c << 2n)) & 0xffffffffn;
    return mul(shiftMix(mul(y, K2) ^ mul(z, K0)), K2);
  }
  return K2;
}

function hashLen17to32(s: Uint8Array): bigint {
  const len = s.length;
  const m = add(K2, BigInt(len) * 2n);
  const a = mul(fetch64(s, 0), K1);
  const b = fetch64(s, 8);
  const c = mul(fetch64(s, len - 8), m);
  const d = mul(fetch64(s, len - 16), K2);
  return hashLen16(add(rotr(add(a, b), 43), rotr(c, 30), d), add(a, rotr(add(b, K2), 18), c), m);
}

function hashLen33to64(s: Uint8Array): bigint {
  const len = s.length;
  const m = add(K2, BigInt(len) * 2n);
  const a = mul(fetch64(s, 0), K2);
  const b = fetch64(s, 8);
  const c = mul(fetch64(s, len - 8), m);
  const d = mul(fetch64(s, len - 16), K2);
  const y = add(rotr(add(a, b), 43), rotr(c, 30), d);
  const z = hashLen16(y, add(a, rotr(add(b, K2), 18), c), m);
  const e = mul(fetch64(s, 16), m);
  const f = fetch64(s, 24);
  const g = mul(add(y, fetch64(s, len - 32)), m);
  const h = mul(add(z, fetch64(s, len - 24)), m);
  return hashLen16(add(rotr(add(e, f), 43), rotr(g, 30), h), add(e, rotr(add(f, a), 18), g), m);
}

/** farmhash's WeakHashLen32WithSeeds over s[i..i+32) and seeds a, b. */
function weak32(s: Uint8Array, i: number, a0: bigint, b0: bigint): [bigint, bigint] {
  const w = fetch64(s, i);
  const x = fetch64(s, i + 8);
  const y = fetch64(s, i + 16);
  const z = fetch64(s, i + 24);
  let a = add(a0, w);
  let b = rotr(add(b0, a, z), 21);
  const c = a;
  a = add(a, x, y);
  b = add(b, rotr(a, 44));
  return [add(a, z), add(b, c)];
}

/** TensorFlow's `Fingerprint64` of a byte string (farmhash na Hash64), as an unsigned 64-bit BigInt. */
export function fingerprint64(s: Uint8Array): bigint {
  const len = s.length;
  if (len <= 16) return hashLen0to16(s);
  if (len <= 32) return hashLen17to32(s);
  if (len <= 64) return hashLen33to64(s);
  const seed = 81n;
  let x = seed;
  let y = add(mul(seed, K1), 113n);
  let z = mul(shiftMix(add(mul(y, K2), 113n)), K2);
  let v: [bigint, bigint] = [0n, 0n];
  let w: [bigint, bigint] = [0n, 0n];
  x = add(mul(x, K2), fetch64(s, 0));
  const end = Math.floor((len - 1) / 64) * 64;
  const last64 = len - 64;
  let p = 0;
  do {
    x = mul(rotr(add(x, y, v[0], fetch64(s, p + 8)), 37), K1);
    y = mul(rotr(add(y, v[1], fetch64(s, p + 48)), 42), K1);
    x ^= w[1];
    y = add(y, v[0], fetch64(s, p + 40));
    z = mul(rotr(add(z, w[0]), 33), K1);
    v = weak32(s, p, mul(v[1], K1), add(x, w[0]));
    w = weak32(s, p + 32, add(z, w[1]), add(y, fetch64(s, p + 16)));
    [z, x] = [x, z];
    p += 64;
  } while (p !== end);
  const m = add(K1, (z & 0xffn) << 1n);
  p = last64;
  w[0] = add(w[0], BigInt((len - 1) & 63));
  v[0] = add(v[0], w[0]);
  w[0] = add(w[0], v[0]);
  x = mul(rotr(add(x, y, v[0], fetch64(s, p + 8)), 37), m);
  y = mul(rotr(add(y, v[1], fetch64(s, p + 48)), 42), m);
  x ^= mul(w[1], 9n);
  y = add(y, mul(v[0], 9n), fetch64(s, p + 40));
  z = mul(rotr(add(z, w[0]), 33), m);
  v = weak32(s, p, mul(v[1], m), add(x, w[0]));
  w = weak32(s, p + 32, add(z, w[1]), add(y, fetch64(s, p + 16)));
  [z, x] = [x, z];
  return hashLen16(add(hashLen16(v[0], w[0], m), mul(shiftMix(y), K0), z), add(hashLen16(v[1], w[1], m), x), m);
}

/** TensorFlow's `Hash64(data, n)` (seed 0xDECAFCAFFE), of the legacy `StringToHashBucket`. */
export function legacyHash64(s: Uint8Array, seed = 0xdecafcaffen): bigint {
  const m = 0xc6a4a7935bd1e995n;
  const r = 47n;
  let n = s.length;
  let h = seed ^ mul(BigInt(n), m);
  let i = 0;
  while (n >= 8) {
    let k = fetch64(s, i);
    i += 8;
    n -= 8;
    k = mul(k, m);
    k ^= k >> r;
    k = mul(k, m);
    h ^= k;
    h = mul(h, m);
  }
  if (n > 0) {
    for (let j = n - 1; j >= 0; j--) h ^= BigInt(s[i + j]!) << BigInt(8 * j);
    h = mul(h, m);
  }
  h ^= h >> r;
  h = mul(h, m);
  h ^= h >> r;
  return h;
}

/** SipHash-2-4 of `s` with the 128-bit key (k0, k1): TensorFlow's `StrongKeyedHash`. */
export function sipHash24(k0: bigint, k1: bigint, s: Uint8Array): bigint {
  let v0 = 0x736f6d6570736575n ^ k0;
  let v1 = 0x646f72616e646f6dn ^ k1;
  let v2 = 0x6c7967656e657261n ^ k0;
  let v3 = 0x7465646279746573n ^ k1;
  const rotl = (v: bigint, b: number) => ((v << BigInt(b)) | (v >> BigInt(64 - b))) & M64;
  const round = () => {
    v0 = add(v0, v1); v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32);
    v2 = add(v2, v3); v3 = rotl(v3, 16); v3 ^= v2;
    v0 = add(v0, v3); v3 = rotl(v3, 21); v3 ^= v0;
    v2 = add(v2, v1); v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32);
  };
  const len = s.length;
  const whole = len - (len % 8);
  for (let i = 0; i < whole; i += 8) {
    const m = fetch64(s, i);
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
  let last = BigInt(len & 0xff) << 56n;
  for (let j = 0; j < len % 8; j++) last |= BigInt(s[whole + j]!) << BigInt(8 * j);
  v3 ^= last;
  round();
  round();
  v0 ^= last;
  v2 ^= 0xffn;
  round();
  round();
  round();
  round();
  return v0 ^ v1 ^ v2 ^ v3;
}
