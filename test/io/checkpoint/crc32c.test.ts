import { describe, expect, it } from 'vitest';
import { crc32c, maskCrc32c, unmaskCrc32c } from '../../../src/io/checkpoint/crc32c';
import { ByteReader, ByteWriter, varintLength } from '../../../src/io/checkpoint/varint';
import { GraftError } from '../../../src/errors';

const enc = (s: string) => new TextEncoder().encode(s);

describe('crc32c', () => {
  it('matches the standard check value', () => {
    expect(crc32c(enc('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(0))).toBe(0);
    // RFC 3720 B.4: 32 bytes of zeros
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
  });

  it('extends across pieces', () => {
    expect(crc32c(enc('56789'), crc32c(enc('1234')))).toBe(0xe3069283);
  });

  it('masks and unmasks', () => {
    expect(maskCrc32c(0xe3069283)).toBe(0xc78ab0e5);
    expect(unmaskCrc32c(0xc78ab0e5)).toBe(0xe3069283);
    for (const v of [0, 1, 0xffffffff, 0x80000000, 0x12345678]) expect(unmaskCrc32c(maskCrc32c(v))).toBe(v);
    expect(maskCrc32c(0)).toBe(0xa282ead8);
  });
});

describe('varints', () => {
  it('round-trips values up to 2^53', () => {
    const values = [0, 1, 127, 128, 300, 16383, 16384, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1];
    const w = new ByteWriter(4);
    for (const v of values) w.varint(v);
    const r = new ByteReader(w.view());
    for (const v of values) expect(r.varint()).toBe(v);
    expect(r.remaining).toBe(0);
    expect(varintLength(300)).toBe(2);
    expect(new ByteWriter().varint(300).toBytes()).toEqual(Uint8Array.of(0xac, 0x02));
  });

  it('rejects truncated, over-long and absurd varints', () => {
    const code = (bytes: number[]) => {
      try {
        new ByteReader(Uint8Array.from(bytes)).varint();
      } catch (e) {
        return (e as GraftError).code;
      }
      return 'ok';
    };
    expect(code([0x80, 0x80])).toBe('io/truncated');
    expect(code(new Array(11).fill(0xff))).toBe('io/corrupt');
    expect(code([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])).toBe('io/bad-length');
  });

  it('checks lengths before taking bytes', () => {
    const r = new ByteReader(new Uint8Array(4), 'x.index');
    expect(() => r.take(5)).toThrow(expect.objectContaining({ code: 'io/bad-length', file: 'x.index' }));
    expect(() => r.take(-1)).toThrow(expect.objectContaining({ code: 'io/bad-length' }));
    expect(r.take(4).length).toBe(4);
    expect(() => r.uint32()).toThrow(expect.objectContaining({ code: 'io/truncated' }));
  });
});
