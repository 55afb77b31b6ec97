import { describe, expect, it } from 'vitest';
import { readTable, readTableFooter, parseBlock, readBlockContents } from '../../../src/io/checkpoint/sstable-reader';
import { TableBuilder, writeTable, shortestSeparator, shortSuccessor } from '../../../src/io/checkpoint/sstable-writer';
import { crc32c, maskCrc32c } from '../../../src/io/checkpoint/crc32c';
import { ByteReader, ByteWriter } from '../../../src/io/checkpoint/varint';
import { GraftError } from '../../../src/errors';
import type { TableEntry } from '../../../src/io/checkpoint/sstable-format';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof GraftError) return e.code;
    throw e;
  }
  return 'no error';
}

function manyEntries(n: number): TableEntry[] {
  const out: TableEntry[] = [];
  for (let i = 0; i < n; i++) out.push({ key: enc(`layer/${String(i).padStart(5, '0')}/kernel`), value: enc(`value-${i}`.repeat((i % 7) + 1)) });
  return out;
}

/** Data block handles listed in the index block. */
function dataHandles(table: Uint8Array) {
  const f = readTableFooter(table);
  return parseBlock(readBlockContents(table, f.index)).map((e) => {
    const r = new ByteReader(e.value);
    return { key: e.key, offset: r.varint(), size: r.varint() };
  });
}

describe('SSTable writer and reader', () => {
  it('round-trips an empty table and writes the LevelDB footer', () => {
    const t = writeTable([]);
    expect(readTable(t)).toEqual([]);
    const dv = new DataView(t.buffer, t.byteOffset);
    expect(dv.getUint32(t.length - 8, true)).toBe(0x8b80fb57);
    expect(dv.getUint32(t.length - 4, true)).toBe(0xdb477524);
    // empty metaindex block: one restart (0) and the count, 8 bytes, at offset 0
    expect(readTableFooter(t).metaindex).toEqual({ offset: 0, size: 8 });
  });

  it('round-trips many keys across blocks, with restarts every 16 keys', () => {
    const entries = manyEntries(500);
    const t = writeTable(entries, { blockSize: 4096 });
    const back = readTable(t);
    expect(back.map((e) => dec(e.key))).toEqual(entries.map((e) => dec(e.key)));
    expect(back.map((e) => dec(e.value))).toEqual(entries.map((e) => dec(e.value)));
    const handles = dataHandles(t);
    expect(handles.length).toBeGreaterThan(3);
    for (const h of handles) {
      // every block is cut just past blockSize
      expect(h.size).toBeLessThan(4096 + 200);
      const contents = t.subarray(h.offset, h.offset + h.size);
      const nRestarts = new DataView(contents.buffer, contents.byteOffset).getUint32(h.size - 4, true);
      const nEntries = parseBlock(contents).length;
      expect(nRestarts).toBe(Math.ceil(nEntries / 16));
      // trailer: type 0 and masked crc of contents + type
      expect(t[h.offset + h.size]).toBe(0);
      const stored = new DataView(t.buffer, t.byteOffset).getUint32(h.offset + h.size + 1, true);
      expect(stored).toBe(maskCrc32c(crc32c(Uint8Array.of(0), crc32c(contents))));
    }
  });

  it('uses shortened separators as index keys', () => {
    expect(dec(shortestSeparator(enc('abcd'), enc('abzz')))).toBe('abd');
    expect(dec(shortestSeparator(enc('abc'), enc('abd')))).toBe('abc'); // c+1 == d: no room
    expect(dec(shortestSeparator(enc('ab'), enc('abc')))).toBe('ab'); // prefix
    expect(dec(shortSuccessor(enc('layer/9')))).toBe('m');
    expect(shortSuccessor(Uint8Array.of(0xff, 0xff))).toEqual(Uint8Array.of(0xff, 0xff));
    const t = writeTable(manyEntries(500), { blockSize: 4096 });
    const handles = dataHandles(t);
    expect(dec(handles[handles.length - 1]!.key)).toBe('m');
  });

  it('refuses unsorted keys', () => {
    const b = new TableBuilder();
    b.add(enc('b'), enc('1'));
    expect(codeOf(() => b.add(enc('a'), enc('2')))).toBe('io/write-failed');
    expect(codeOf(() => b.add(enc('b'), enc('2')))).toBe('io/write-failed');
  });

  it('reads snappy-compressed blocks', async () => {
    const snappy = (await import('snappyjs')).default;
    // build a one-block table by hand with a snappy data block
    const block = new ByteWriter();
    const keys = ['alpha', 'alphabet', 'beta'];
    let prev = '';
    for (const k of keys) {
      let shared = 0;
      while (shared < Math.min(prev.length, k.length) && prev[shared] === k[shared]) shared++;
      block.varint(shared).varint(k.length - shared).varint(20).bytes(enc(k.slice(shared))).bytes(enc('x'.repeat(20)));
      prev = k;
    }
    block.uint32(0).uint32(1);
    const compressed = snappy.compress(block.toBytes());
    const out = new ByteWriter();
    const put = (contents: Uint8Array, type: number) => {
      const h = { offset: out.length, size: contents.length };
      out.bytes(contents).byte(type).uint32(maskCrc32c(crc32c(Uint8Array.of(type), crc32c(contents))));
      return h;
    };
    const data = put(compressed, 1);
    const meta = put(Uint8Array.of(0, 0, 0, 0, 1, 0, 0, 0), 0);
    const idx = new ByteWriter();
    const hv = new ByteWriter().varint(data.offset).varint(data.size).toBytes();
    idx.varint(0).varint(1).varint(hv.length).bytes(enc('c')).bytes(hv).uint32(0).uint32(1);
    const index = put(idx.toBytes(), 0);
    const footer = new ByteWriter().varint(meta.offset).varint(meta.size).varint(index.offset).varint(index.size);
    while (footer.length < 40) footer.byte(0);
    footer.uint32(0x8b80fb57).uint32(0xdb477524);
    out.bytes(footer.view());
    const back = readTable(out.toBytes());
    expect(back.map((e) => dec(e.key))).toEqual(keys);
    expect(dec(back[2]!.value)).toBe('x'.repeat(20));
  });

  describe('bad input', () => {
    const good = writeTable(manyEntries(200), { blockSize: 1024 });

    it('truncation', () => {
      expect(codeOf(() => readTable(good.subarray(0, 20)))).toBe('io/truncated');
      // cut in the middle: the footer magic is gone
      expect(codeOf(() => readTable(good.subarray(0, good.length - 100)))).toBe('io/bad-magic');
    });

    it('flipped byte in a block fails its trailer crc', () => {
      const bad = good.slice();
      bad[10] ^= 0x01;
      expect(codeOf(() => readTable(bad, { file: 't.index' }))).toBe('io/checksum');
      // flipping the compression type byte is caught too
      const h = dataHandles(good)[0]!;
      const bad2 = good.slice();
      bad2[h.offset + h.size] = 1;
      expect(codeOf(() => readTable(bad2))).toBe('io/checksum');
    });

    it('wrong footer magic', () => {
      const bad = good.slice();
      bad[bad.length - 1] ^= 0xff;
      expect(codeOf(() => readTable(bad))).toBe('io/bad-magic');
    });

    it('handles beyond the file', () => {
      const bad = good.slice();
      const footerStart = bad.length - 48;
      const { metaindex } = readTableFooter(good);
      const w = new ByteWriter().varint(metaindex.offset).varint(metaindex.size).varint(2 ** 40).varint(100);
      bad.set(w.view(), footerStart);
      expect(codeOf(() => readTable(bad))).toBe('io/bad-length');
    });

    it('absurd entry lengths inside a block (with verification off) fail fast', () => {
      // a block whose first entry claims a 2^31-byte value
      const block = new ByteWriter().varint(0).varint(1).varint(2 ** 31).bytes(enc('k')).uint32(0).uint32(1).toBytes();
      expect(codeOf(() => parseBlock(block))).toBe('io/bad-length');
      // restart count larger than the block
      const block2 = new ByteWriter().uint32(0xffffff).toBytes();
      expect(codeOf(() => parseBlock(block2))).toBe('io/corrupt');
      // shared prefix longer than the previous key
      const block3 = new ByteWriter().varint(5).varint(1).varint(0).bytes(enc('k')).uint32(0).uint32(1).toBytes();
      expect(codeOf(() => parseBlock(block3))).toBe('io/corrupt');
    });

    it('keys out of order', () => {
      const block = new ByteWriter();
      block.varint(0).varint(1).varint(0).bytes(enc('b'));
      block.varint(0).varint(1).varint(0).bytes(enc('a'));
      block.uint32(0).uint32(1);
      const contents = block.toBytes();
      const out = new ByteWriter();
      const put = (c: Uint8Array) => {
        const h = { offset: out.length, size: c.length };
        out.bytes(c).byte(0).uint32(maskCrc32c(crc32c(Uint8Array.of(0), crc32c(c))));
        return h;
      };
      const d = put(contents);
      const m = put(Uint8Array.of(0, 0, 0, 0, 1, 0, 0, 0));
      const hv = new ByteWriter().varint(d.offset).varint(d.size).toBytes();
      const i = put(new ByteWriter().varint(0).varint(1).varint(hv.length).bytes(enc('c')).bytes(hv).uint32(0).uint32(1).toBytes());
      const footer = new ByteWriter().varint(m.offset).varint(m.size).varint(i.offset).varint(i.size);
      while (footer.length < 40) footer.byte(0);
      footer.uint32(0x8b80fb57).uint32(0xdb477524);
      out.bytes(footer.view());
      expect(codeOf(() => readTable(out.toBytes()))).toBe('io/corrupt');
    });
  });
});
