/**
 * Little-endian varints and fixed-width integers over byte arrays, with every read checked
 * against the bytes that are left (a corrupt length must fail, never allocate or loop).
 */
import { GraftError } from '../../errors';

/** A read cursor over a byte range; every read is bounds-checked and names `file` in errors. */
export class ByteReader {
  pos: number;
  readonly end: number;

  constructor(
    readonly bytes: Uint8Array,
    readonly file?: string,
    start = 0,
    end = bytes.length,
    /** What is being read, for error messages ("index block", "string tensor 'x'"). */
    readonly what = 'data',
  ) {
    this.pos = start;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /**
   * A varint of up to 64 bits, as a number. Values above 2^53 cannot be a length or offset of
   * anything that fits in memory, so they are rejected as 'io/bad-length'.
   */
  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) {
        throw new GraftError('io/truncated', `${this.what} ends inside a varint`, this.details());
      }
      const b = this.bytes[this.pos++]!;
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (result > Number.MAX_SAFE_INTEGER) {
          throw new GraftError('io/bad-length', `${this.what}: varint ${result} is larger than any possible length`, this.details());
        }
        return result;
      }
      scale *= 128;
    }
    throw new GraftError('io/corrupt', `${this.what}: varint longer than 10 bytes`, this.details());
  }

  /** A varint that must fit in 32 bits (LevelDB block entry lengths). */
  varint32(): number {
    const start = this.pos;
    const v = this.varint();
    if (v > 0xffffffff || this.pos - start > 5) {
      throw new GraftError('io/corrupt', `${this.what}: varint32 out of range`, this.details());
    }
    return v;
  }

  uint32(): number {
    this.need(4, false);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 4;
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
  }

  /** A view of the next `n` bytes (no copy); `n` is checked before anything is taken. */
  take(n: number): Uint8Array {
    this.need(n);
    const v = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /**
   * Throws unless `n` bytes are left: 'io/bad-length' when `n` came from a length prefix,
   * 'io/truncated' when a fixed-size field runs past the end.
   */
  need(n: number, fromLengthPrefix = true): void {
    if (!(n >= 0) || n > this.end - this.pos) {
      throw new GraftError(
        fromLengthPrefix ? 'io/bad-length' : 'io/truncated',
        `${this.what}: needs ${n} bytes at offset ${this.pos}, only ${this.end - this.pos} left`,
        this.details(),
      );
    }
  }

  private details(): { file?: string } {
    return this.file === undefined ? {} : { file: this.file };
  }
}

/** A growable byte buffer for writers. */
export class ByteWriter {
  private buf: Uint8Array;
  length = 0;

  constructor(initial = 256) {
    this.buf = new Uint8Array(Math.max(16, initial));
  }

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  byte(b: number): this {
    this.reserve(1);
    this.buf[this.length++] = b & 0xff;
    return this;
  }

  bytes(data: Uint8Array): this {
    this.reserve(data.length);
    this.buf.set(data, this.length);
    this.length += data.length;
    return this;
  }

  uint32(v: number): this {
    this.reserve(4);
    const p = this.length;
    this.buf[p] = v & 0xff;
    this.buf[p + 1] = (v >>> 8) & 0xff;
    this.buf[p + 2] = (v >>> 16) & 0xff;
    this.buf[p + 3] = (v >>> 24) & 0xff;
    this.length += 4;
    return this;
  }

  /** An unsigned varint (up to 2^53; lengths and offsets only). */
  varint(v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`varint out of range: ${v}`);
    while (v >= 0x80) {
      this.byte((v % 128) | 0x80);
      v = Math.floor(v / 128);
    }
    return this.byte(v);
  }

  /** The bytes written so far (a view; copy if you keep writing). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  /** A right-sized copy of the bytes written so far. */
  toBytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** The number of bytes `v` takes as a varint. */
export function varintLength(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}
