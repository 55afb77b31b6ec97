import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MODELS_DIR } from '../../helpers/models';
import { type Checkpoint, DT_STRING, listCheckpointEntries, readCheckpoint, readTable, readTableFooter, writeCheckpoint, crc32c, maskCrc32c, encodeStringTensor, decodeStringTensor, TableBuilder, writeTable } from '../../../src/io/checkpoint';
import { readCheckpointFiles, writeCheckpointFiles } from '../../../src/io/checkpoint/bundle-files';
import { encodeEntry, encodeHeader } from '../../../src/io/checkpoint/bundle-format';
import { GraftError } from '../../../src/errors';

const MODELS = MODELS_DIR;
const GRAPH_ONLY = ['kotlindl_estimator_mnist_cnn_dropout_graphonly', 'kotlindl_estimator_mnist_cnn_graphonly', 'kotlindl_keras_bn_cnn_graphonly'];
// Indexes whose data blocks older TF wrote snappy-compressed; graft writes them uncompressed.
const SNAPPY_INDEXES = ['serving_half_plus_two_cpu', 'serving_half_plus_two_gpu_trt', 'serving_half_plus_two_tf2', 'tfexamples_fake_effdet_lite0'];

function findIndexes(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) findIndexes(p, out);
    else if (name.endsWith('.index')) out.push(p);
  }
  return out;
}

const bytesOf = (file: string) => new Uint8Array(readFileSync(file));
const f32 = (b: Uint8Array) => Array.from(new Float32Array(b.slice().buffer));

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof GraftError) return e.code;
    throw e;
  }
  return 'no error';
}

/** Just enough .npy parsing for the test: version 1/2 header, little-endian float32. */
function readNpyF32(file: string): { shape: number[]; values: number[] } {
  const b = bytesOf(file);
  expect(Array.from(b.subarray(0, 6))).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);
  const dv = new DataView(b.buffer, b.byteOffset);
  const [hlen, hstart] = b[6] === 1 ? [dv.getUint16(8, true), 10] : [dv.getUint32(8, true), 12];
  const header = new TextDecoder().decode(b.subarray(hstart, hstart + hlen));
  expect(header).toContain("'descr': '<f4'");
  expect(header).toContain("'fortran_order': False");
  const shape = /'shape': \(([^)]*)\)/.exec(header)![1]!.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  return { shape, values: f32(b.subarray(hstart + hlen)) };
}

describe.skipIf(!existsSync(MODELS))('checkpoints from ../shared/models', () => {
  const indexes = existsSync(MODELS) ? findIndexes(MODELS) : [];
  const prefixOf = (f: string) => f.slice(0, -'.index'.length);
  const modelOf = (f: string) => path.relative(MODELS, f).split(path.sep)[0]!;

  it('finds the shipped indexes', () => {
    expect(indexes.length).toBeGreaterThanOrEqual(30);
  });

  for (const file of indexes) {
    const model = modelOf(file);
    it(`${path.relative(MODELS, file)}: lists, reads and verifies every entry`, async () => {
      const listed = listCheckpointEntries(bytesOf(file), file);
      expect(listed.length).toBeGreaterThan(0);
      if (GRAPH_ONLY.includes(model)) {
        const err = await readCheckpointFiles(prefixOf(file)).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(GraftError);
        expect((err as GraftError).code).toBe('io/not-found');
        expect((err as GraftError).message).toContain('variables.data-00000-of-00001');
        expect((err as GraftError).file).toBe(`${prefixOf(file)}.data-00000-of-00001`);
        return;
      }
      const ckpt = await readCheckpointFiles(prefixOf(file));
      expect([...ckpt.entries.keys()]).toEqual(listed.map((e) => e.name));
      expect(ckpt.header.numShards).toBe(1);
      // Independent check of the numeric checksums (the reader verified them already).
      const shard = bytesOf(`${prefixOf(file)}.data-00000-of-00001`);
      for (const info of listed) {
        const e = ckpt.entries.get(info.name)!;
        if (info.dtype === DT_STRING) {
          expect(e.strings).not.toBeNull();
        } else {
          expect(maskCrc32c(crc32c(shard.subarray(info.offset, info.offset + info.size)))).toBe(info.crc32c);
          expect(e.data!.length).toBe(info.size);
        }
      }
    });
  }

  it('serving_half_plus_two_cpu: a = 0.5, b = 2, c = 3', async () => {
    const ckpt = await readCheckpointFiles(path.join(MODELS, 'serving_half_plus_two_cpu/variables/variables'));
    for (const [name, v] of [['a', 0.5], ['b', 2], ['c', 3]] as const) {
      const e = ckpt.entries.get(name)!;
      expect(e.dtype).toBe(1);
      expect(e.shape).toEqual([]);
      expect(f32(e.data!)).toEqual([v]);
    }
  });

  it('tfnet_keras_mlp_tf211: entries equal the .npy dumps', async () => {
    const dir = path.join(MODELS, 'tfnet_keras_mlp_tf211');
    const ckpt = await readCheckpointFiles(path.join(dir, 'variables/variables'));
    for (const [npy, name] of [
      ['kernel1.npy', 'layer_with_weights-1/kernel/.ATTRIBUTES/VARIABLE_VALUE'],
      ['bias0.npy', 'layer_with_weights-0/bias/.ATTRIBUTES/VARIABLE_VALUE'],
    ] as const) {
      const expected = readNpyF32(path.join(dir, npy));
      const e = ckpt.entries.get(name)!;
      expect(e.shape).toEqual(expected.shape);
      expect(f32(e.data!)).toEqual(expected.values);
    }
  });

  it('tfjs_times_two_int: the object graph string entry decodes by the TF checksum rule', async () => {
    const ckpt = await readCheckpointFiles(path.join(MODELS, 'tfjs_times_two_int/variables/variables'));
    const og = ckpt.entries.get('_CHECKPOINTABLE_OBJECT_GRAPH')!;
    expect(og.dtype).toBe(DT_STRING);
    expect(og.shape).toEqual([]);
    expect(og.strings!.length).toBe(1);
    expect(og.strings![0]!.length).toBe(87);
    // re-encoding gives the on-disk bytes and the stored checksum
    const info = listCheckpointEntries(bytesOf(path.join(MODELS, 'tfjs_times_two_int/variables/variables.index'))).find((e) => e.name === og.name)!;
    const shard = bytesOf(path.join(MODELS, 'tfjs_times_two_int/variables/variables.data-00000-of-00001'));
    const enc = encodeStringTensor(og.strings!);
    expect(enc.crc32c).toBe(info.crc32c);
    expect(Buffer.from(enc.bytes).equals(Buffer.from(shard.subarray(info.offset, info.offset + info.size)))).toBe(true);
    // not the crc of the raw bytes
    expect(maskCrc32c(crc32c(enc.bytes))).not.toBe(info.crc32c);
  });

  it('TF cuts index data blocks at 256 KiB, not 4 KiB: a 4.5 KB single-block table re-writes byte for byte', () => {
    const file = path.join(MODELS, 'kotlindl_keras_bn_cnn_graphonly/variables/variables.index');
    const orig = bytesOf(file);
    const footer = readTableFooter(orig);
    expect(footer.metaindex.offset).toBeGreaterThan(4096); // one data block bigger than 4096 bytes
    const rewritten = writeTable(readTable(orig));
    expect(Buffer.from(rewritten).equals(Buffer.from(orig))).toBe(true);
    expect(Buffer.from(writeTable(readTable(orig), { blockSize: 4096 })).equals(Buffer.from(orig))).toBe(false);
  });

  describe('round trip', () => {
    const roundTripModels = ['serving_half_plus_two_cpu', 'tfjs_times_two_int', 'tfnet_keras_mlp_tf211', 'tfx_keras_serving', 'tfexamples_fake_effdet_lite0'];
    const withIndex = indexes.filter((f) => !GRAPH_ONLY.includes(modelOf(f)));

    for (const model of roundTripModels) {
      it(`${model}: write → read gives identical names, dtypes, shapes and bytes`, async () => {
        const prefix = path.join(MODELS, model, 'variables/variables');
        const ckpt = await readCheckpointFiles(prefix);
        const { index, shards } = writeCheckpoint(ckpt.entries.values());
        const back = readCheckpoint(index, shards);
        expectSameEntries(back, ckpt);
        // trailers and footer are valid (readTable verifies each trailer crc)
        expect(readTable(index).length).toBe(ckpt.entries.size + 1);
        expect(readTableFooter(index).index.size).toBeGreaterThan(0);
        // and the graft-written checkpoint re-writes to the same bytes
        const again = writeCheckpoint(back.entries.values());
        expect(Buffer.from(again.index).equals(Buffer.from(index))).toBe(true);
        expect(Buffer.from(again.shards[0]!).equals(Buffer.from(shards[0]!))).toBe(true);
      });
    }

    it('re-writing every real checkpoint in data order reproduces TF\'s data file, and its index byte for byte (uncompressed ones)', async () => {
      for (const file of withIndex) {
        const model = modelOf(file);
        const ckpt = await readCheckpointFiles(prefixOf(file));
        const { index, shards } = writeCheckpoint(ckpt.dataOrder.map((n) => ckpt.entries.get(n)!));
        const origIndex = bytesOf(file);
        const origData = bytesOf(`${prefixOf(file)}.data-00000-of-00001`);
        expect(Buffer.from(shards[0]!).equals(Buffer.from(origData)), model).toBe(true);
        const a = readTable(origIndex);
        const b = readTable(index);
        expect(b.map((e) => Buffer.from(e.key).toString('hex')), model).toEqual(a.map((e) => Buffer.from(e.key).toString('hex')));
        expect(b.map((e) => Buffer.from(e.value).toString('hex')), model).toEqual(a.map((e) => Buffer.from(e.value).toString('hex')));
        expect(Buffer.from(index).equals(Buffer.from(origIndex)), model).toBe(!SNAPPY_INDEXES.includes(model));
      }
    });

    it('writes and reads files, leaving no temporaries', async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'graft-ckpt-'));
      try {
        const ckpt = await readCheckpointFiles(path.join(MODELS, 'tfjs_times_two_int/variables/variables'));
        const prefix = path.join(dir, 'variables', 'variables');
        await writeCheckpointFiles(prefix, ckpt.entries.values());
        expect((await readdir(path.join(dir, 'variables'))).sort()).toEqual(['variables.data-00000-of-00001', 'variables.index']);
        expectSameEntries(await readCheckpointFiles(prefix), ckpt);
        // a failing write (duplicate names) leaves nothing behind
        const prefix2 = path.join(dir, 'other', 'variables');
        const e = [...ckpt.entries.values()];
        await expect(writeCheckpointFiles(prefix2, [...e, e[0]!])).rejects.toMatchObject({ code: 'io/write-failed' });
        expect(existsSync(path.join(dir, 'other'))).toBe(false);
        await expect(readCheckpointFiles(path.join(dir, 'nope'))).rejects.toMatchObject({ code: 'io/not-found' });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  describe('bad input', () => {
    const prefix = path.join(MODELS, 'tfnet_keras_mlp_tf211/variables/variables');
    const file = `${prefix}.index`;
    const index = existsSync(MODELS) ? bytesOf(file) : new Uint8Array(0);
    const data = existsSync(MODELS) ? bytesOf(`${prefix}.data-00000-of-00001`) : new Uint8Array(0);

    it('truncated index', () => {
      expect(codeOf(() => readCheckpoint(index.subarray(0, 30), [data], { file }))).toBe('io/truncated');
      expect(codeOf(() => readCheckpoint(index.subarray(0, index.length - 7), [data], { file }))).toBe('io/bad-magic');
    });

    it('flipped byte in a block fails the trailer crc, naming the file', () => {
      const bad = index.slice();
      bad[40] ^= 0x10;
      let err: unknown;
      try {
        readCheckpoint(bad, [data], { file });
      } catch (e) {
        err = e;
      }
      expect(err).toMatchObject({ code: 'io/checksum', file });
    });

    it('wrong footer magic', () => {
      const bad = index.slice();
      bad[bad.length - 3] ^= 0x01;
      expect(codeOf(() => readCheckpoint(bad, [data], { file }))).toBe('io/bad-magic');
    });

    it('flipped byte in the data file fails that entry\'s checksum, naming file and tensor', () => {
      const target = listCheckpointEntries(index).find((e) => e.name === 'layer_with_weights-1/kernel/.ATTRIBUTES/VARIABLE_VALUE')!;
      const bad = data.slice();
      bad[target.offset + 17] ^= 0x01;
      let err: GraftError | undefined;
      try {
        readCheckpoint(index, [bad], { file });
      } catch (e) {
        err = e as GraftError;
      }
      expect(err?.code).toBe('io/checksum');
      expect(err?.node).toBe(target.name);
      expect(err?.file).toBe(`${prefix}.data-00000-of-00001`);
      // verify: false reads it anyway
      expect(readCheckpoint(index, [bad], { file, verify: false }).entries.get(target.name)!.data![17]).toBe(bad[target.offset + 17]);
    });

    it('a flipped byte in a string tensor fails too', () => {
      const og = listCheckpointEntries(index).find((e) => e.name === '_CHECKPOINTABLE_OBJECT_GRAPH')!;
      const bad = data.slice();
      bad[og.offset + og.size - 1] ^= 0x01; // in the string bytes
      expect(codeOf(() => readCheckpoint(index, [bad], { file }))).toBe('io/checksum');
      const bad2 = data.slice();
      bad2[og.offset] ^= 0x01; // in the length varint: lengths no longer add up, or their crc fails
      expect(['io/checksum', 'io/bad-length']).toContain(codeOf(() => readCheckpoint(index, [bad2], { file })));
    });

    it('shard shorter than an entry needs', () => {
      expect(codeOf(() => readCheckpoint(index, [data.subarray(0, data.length - 1)], { file }))).toBe('io/truncated');
    });

    it('entry offset beyond the shard, and absurd lengths, fail fast', () => {
      // A hand-made index whose one entry points where we say.
      const indexWith = (offset: number, size: number, dtype = 1, shape = [4]) => {
        const t = new TableBuilder();
        t.add(new Uint8Array(0), encodeHeader({ numShards: 1, endianness: 0, version: { producer: 1, min_consumer: 0, bad_consumers: [] } }));
        t.add(new TextEncoder().encode('x'), encodeEntry({ dtype, shape, shardId: 0, offset, size, crc32c: maskCrc32c(0), slices: [] }));
        return t.finish();
      };
      const shard = new Uint8Array(64);
      const start = performance.now();
      expect(readCheckpoint(indexWith(0, 0, 1, [0]), [shard]).entries.get('x')!.data!.length).toBe(0);
      expect(codeOf(() => readCheckpoint(indexWith(1000, 16), [shard]))).toBe('io/truncated');
      expect(codeOf(() => readCheckpoint(indexWith(8, 2 ** 50), [shard]))).toBe('io/truncated');
      // size that does not match dtype x shape
      expect(codeOf(() => readCheckpoint(indexWith(0, 12), [shard]))).toBe('io/bad-length');
      // a string tensor claiming 2^40 elements in 8 bytes: refused before allocating
      expect(codeOf(() => readCheckpoint(indexWith(0, 8, DT_STRING, [2 ** 20, 2 ** 20]), [shard]))).toBe('io/bad-length');
      expect(codeOf(() => decodeStringTensor(new Uint8Array(8), 2 ** 40))).toBe('io/bad-length');
      // an absurd element length varint
      const huge = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0);
      expect(codeOf(() => decodeStringTensor(huge, 1, { verify: false }))).toBe('io/bad-length');
      expect(performance.now() - start).toBeLessThan(1000);
    });

    it('missing shard', () => {
      const err = (() => {
        try {
          readCheckpoint(index, [], { file });
        } catch (e) {
          return e as GraftError;
        }
      })();
      expect(err?.code).toBe('io/not-found');
      expect(err?.message).toContain('variables.data-00000-of-00001');
    });
  });
});

describe('writeCheckpoint (self-contained)', () => {
  const f32bytes = (xs: number[]) => new Uint8Array(Float32Array.from(xs).buffer);

  it('lays data out in the order given and the index sorted, like TF', () => {
    const { index, shards } = writeCheckpoint([
      { name: 'z', dtype: 1, shape: [2], data: f32bytes([1, 2]) },
      { name: 'a', dtype: 1, shape: [], data: f32bytes([3]) },
      { name: 's', dtype: DT_STRING, shape: [2], strings: [new TextEncoder().encode('hi'), new Uint8Array(0)] },
    ]);
    const listed = listCheckpointEntries(index);
    expect(listed.map((e) => e.name)).toEqual(['a', 's', 'z']);
    expect(listed.map((e) => [e.name, e.offset, e.size])).toEqual([['a', 8, 4], ['s', 12, 2 + 4 + 2], ['z', 0, 8]]);
    expect(shards[0]!.length).toBe(20);
    const back = readCheckpoint(index, shards);
    expect(f32(back.entries.get('z')!.data!)).toEqual([1, 2]);
    expect(back.entries.get('s')!.strings!.map((s) => new TextDecoder().decode(s))).toEqual(['hi', '']);
    expect(back.dataOrder).toEqual(['z', 'a', 's']);
    expect(back.header).toEqual({ numShards: 1, endianness: 0, version: { producer: 1, min_consumer: 0, bad_consumers: [] } });
  });

  it('sorts keys bytewise on UTF-8, not by UTF-16 code units', () => {
    // In UTF-16 code units U+1F600 (0xD83D ...) sorts before U+FF5E; in UTF-8 (F0 ... vs EF ...) after it.
    const names = ['\u{1F600}', '\uFF5E', 'a'];
    const { index, shards } = writeCheckpoint(names.map((name) => ({ name, dtype: 4, shape: [1], data: Uint8Array.of(1) })));
    expect([...readCheckpoint(index, shards).entries.keys()]).toEqual(['a', '\uFF5E', '\u{1F600}']);
  });

  it('rejects bad entries', () => {
    expect(codeOf(() => writeCheckpoint([{ name: 'x', dtype: 1, shape: [3], data: new Uint8Array(8) }]))).toBe('graph/bad-tensor');
    expect(codeOf(() => writeCheckpoint([{ name: 'x', dtype: DT_STRING, shape: [2], strings: [new Uint8Array(1)] }]))).toBe('graph/bad-tensor');
    expect(codeOf(() => writeCheckpoint([{ name: 'x', dtype: 1, shape: [], data: new Uint8Array(4) }, { name: 'x', dtype: 1, shape: [], data: new Uint8Array(4) }]))).toBe('io/write-failed');
  });
});

function expectSameEntries(a: Checkpoint, b: Checkpoint): void {
  expect([...a.entries.keys()]).toEqual([...b.entries.keys()]);
  for (const [name, e] of b.entries) {
    const x = a.entries.get(name)!;
    expect(x.dtype).toBe(e.dtype);
    expect(x.shape).toEqual(e.shape);
    if (e.data) expect(Buffer.from(x.data!).equals(Buffer.from(e.data))).toBe(true);
    else expect(x.data).toBeNull();
    if (e.strings) expect(x.strings!.map((s) => Buffer.from(s).toString('hex'))).toEqual(e.strings.map((s) => Buffer.from(s).toString('hex')));
    else expect(x.strings).toBeNull();
  }
}
