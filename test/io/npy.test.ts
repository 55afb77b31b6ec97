import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GraftError } from '../../src/errors';
import { readNpy, writeNpy } from '../../src/io/npy';
import { makeStringTensor, makeTensor, tensorToArray, tensorToNumbers } from '../../src/ir/tensor';
import { MODELS_DIR } from '../helpers/models';

const MODELS = MODELS_DIR;
const MLP = path.join(MODELS, 'tfnet_keras_mlp_tf211');

/** Builds a .npy file the way numpy lays it out, with any header text and data. */
function npyFile(header: string, data: ArrayLike<number>, version = 1): Uint8Array {
  const lenSize = version === 1 ? 2 : 4;
  const hlen0 = header.length + 1;
  const pad = 64 - ((8 + lenSize + hlen0) % 64);
  const text = header + ' '.repeat(pad) + '\n';
  const out = new Uint8Array(8 + lenSize + text.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, text.length, true);
  else view.setUint32(8, text.length, true);
  out.set(new TextEncoder().encode(text), 8 + lenSize);
  out.set(data, 8 + lenSize + text.length);
  return out;
}

function bytesOf(arr: ArrayBufferView): number[] {
  return [...new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength)];
}

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof GraftError) return e.code;
    throw e;
  }
  return undefined;
}

describe.skipIf(!existsSync(MLP))('real .npy files (tfnet_keras_mlp_tf211)', () => {
  it('reads bias0.npy as float[100]', () => {
    const t = readNpy(readFileSync(path.join(MLP, 'bias0.npy')), 'bias0.npy');
    expect(t.dtype).toBe('float');
    expect(t.shape).toEqual([100]);
    const v = tensorToNumbers(t);
    // Values numpy prints for this file.
    expect(v[0]).toBeCloseTo(0.08347001671791077, 7);
    expect(v[1]).toBeCloseTo(0.07402898371219635, 7);
    expect(v[99]).toBeCloseTo(0.04364849627017975, 7);
    expect(v.reduce((a, b) => a + b, 0)).toBeCloseTo(2.2120213508605957, 4);
  });

  it('reads kernel1.npy as float[100,10]', () => {
    const t = readNpy(readFileSync(path.join(MLP, 'kernel1.npy')), 'kernel1.npy');
    expect(t.dtype).toBe('float');
    expect(t.shape).toEqual([100, 10]);
    const v = tensorToNumbers(t);
    expect(v.slice(0, 3).map((x) => Number(x.toFixed(6)))).toEqual([-0.176669, 0.187131, -0.019352]);
    expect(v[999]).toBeCloseTo(-0.13068222999572754, 7);
    expect(v.reduce((a, b) => a + b, 0)).toBeCloseTo(-19.055614471435547, 3);
  });

  it.each(['bias0.npy', 'kernel1.npy'])('writes %s back byte for byte', (name) => {
    const original = new Uint8Array(readFileSync(path.join(MLP, name)));
    const again = writeNpy(readNpy(original, name));
    expect(again.length).toBe(original.length);
    expect(Buffer.from(again).equals(Buffer.from(original))).toBe(true);
  });
});

describe('readNpy', () => {
  it('reads every supported little-endian dtype', () => {
    const cases: [string, string, ArrayBufferView, string][] = [
      ['<f4', 'float', new Float32Array([1.5, -2]), 'float'],
      ['<f8', 'double', new Float64Array([1.5, -2]), 'double'],
      ['<f2', 'half', new Uint16Array([0x3c00, 0xc000]), 'half'],
      ['<i1', 'int8', new Int8Array([1, -2]), 'int8'],
      ['<i2', 'int16', new Int16Array([1, -2]), 'int16'],
      ['<i4', 'int32', new Int32Array([1, -2]), 'int32'],
      ['<i8', 'int64', new BigInt64Array([1n, -2n]), 'int64'],
      ['|u1', 'uint8', new Uint8Array([1, 254]), 'uint8'],
      ['<u2', 'uint16', new Uint16Array([1, 65534]), 'uint16'],
      ['<u4', 'uint32', new Uint32Array([1, 4294967294]), 'uint32'],
      ['<u8', 'uint64', new BigUint64Array([1n, 2n ** 64n - 2n]), 'uint64'],
      ['|b1', 'bool', new Uint8Array([1, 0]), 'bool'],
      ['<c8', 'complex64', new Float32Array([1, 2, 3, 4]), 'complex64'],
      ['<c16', 'complex128', new Float64Array([1, 2, 3, 4]), 'complex128'],
    ];
    for (const [descr, dtype, arr] of cases) {
      const t = readNpy(npyFile(`{'descr': '${descr}', 'fortran_order': False, 'shape': (2,), }`, bytesOf(arr)));
      expect(t.dtype, descr).toBe(dtype);
      expect(t.shape).toEqual([2]);
      expect(t.data.kind === 'content' && [...t.data.bytes]).toEqual(bytesOf(arr));
    }
    expect(tensorToNumbers(readNpy(npyFile(`{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }`, bytesOf(new Uint16Array([0x3c00, 0xc000])))))).toEqual([1, -2]);
  });

  it('byte-swaps big-endian data', () => {
    const f4 = readNpy(npyFile(`{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }`, [0x3f, 0xc0, 0, 0, 0xc0, 0, 0, 0]));
    expect([...tensorToArray(f4)]).toEqual([1.5, -2]);
    const i8 = readNpy(npyFile(`{'descr': '>i8', 'fortran_order': False, 'shape': (1,), }`, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]));
    expect([...tensorToArray(i8)]).toEqual([-2n]);
    // complex swaps each 4-byte half, not the whole 8 bytes.
    const c8 = readNpy(npyFile(`{'descr': '>c8', 'fortran_order': False, 'shape': (), }`, [0x3f, 0x80, 0, 0, 0x40, 0, 0, 0]));
    expect([...tensorToArray(c8)]).toEqual([1, 2]);
    const u2 = readNpy(npyFile(`{'descr': '>u2', 'fortran_order': False, 'shape': (1,), }`, [0x01, 0x02]));
    expect([...tensorToArray(u2)]).toEqual([0x0102]);
  });

  it('reads scalars and empty arrays', () => {
    const s = readNpy(npyFile(`{'descr': '<i4', 'fortran_order': False, 'shape': (), }`, bytesOf(new Int32Array([42]))));
    expect(s.shape).toEqual([]);
    expect(tensorToNumbers(s)).toEqual([42]);
    const e = readNpy(npyFile(`{'descr': '<f4', 'fortran_order': False, 'shape': (3, 0), }`, []));
    expect(e.shape).toEqual([3, 0]);
    expect(tensorToNumbers(e)).toEqual([]);
  });

  it('transposes fortran_order data into C order', () => {
    // numpy.asfortranarray(arange(6).reshape(2, 3)) stores 0 3 1 4 2 5.
    const t = readNpy(npyFile(`{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3), }`, bytesOf(new Int32Array([0, 3, 1, 4, 2, 5]))));
    expect(t.shape).toEqual([2, 3]);
    expect(tensorToNumbers(t)).toEqual([0, 1, 2, 3, 4, 5]);
    // Rank 3: element (i, j, k) of a 2x3x4 array sits at i + 2j + 6k in Fortran order.
    const f = new Int32Array(24);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 4; k++) f[i + 2 * j + 6 * k] = i * 12 + j * 4 + k;
    const t3 = readNpy(npyFile(`{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3, 4), }`, bytesOf(f)));
    expect(tensorToNumbers(t3)).toEqual(Array.from({ length: 24 }, (_, i) => i));
  });

  it('reads format 2.0 and 3.0 and Python 2 long dims', () => {
    const data = bytesOf(new Float32Array([1, 2, 3, 4, 5, 6]));
    for (const v of [2, 3]) {
      const t = readNpy(npyFile(`{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`, data, v));
      expect(t.shape).toEqual([2, 3]);
      expect(tensorToNumbers(t)).toEqual([1, 2, 3, 4, 5, 6]);
    }
    const t = readNpy(npyFile(`{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), }`, data));
    expect(t.shape).toEqual([2, 3]);
    // Keys in another order and double quotes are still a valid literal.
    const t2 = readNpy(npyFile(`{"shape": (6,), "fortran_order": False, "descr": "<f4"}`, data));
    expect(t2.shape).toEqual([6]);
  });

  it('reads numpy output with its growth padding (hand-checked against numpy 2.4)', () => {
    // numpy.save(f, numpy.array([[1, 2, 3], [4, 5, 6]], '<i4'))
    const header = `{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }` + ' '.repeat(20);
    const file = npyFile(header, bytesOf(new Int32Array([1, 2, 3, 4, 5, 6])));
    expect(file.length).toBe(128 + 24);
    expect(Buffer.from(writeNpy(readNpy(file))).equals(Buffer.from(file))).toBe(true);
  });
});

describe('readNpy errors', () => {
  const good = npyFile(`{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }`, bytesOf(new Float32Array([1, 2])));

  it('rejects a wrong magic, naming the file', () => {
    const bad = good.slice();
    bad[1] = 0x4f;
    try {
      readNpy(bad, 'w.npy');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(GraftError);
      expect((e as GraftError).code).toBe('io/bad-magic');
      expect((e as GraftError).file).toBe('w.npy');
      expect((e as GraftError).message).toContain('w.npy');
    }
    expect(codeOf(() => readNpy(new TextEncoder().encode('PK\x03\x04 not numpy')))).toBe('io/bad-magic');
    // An empty file or a cut-off magic is a truncated .npy, not a different format.
    expect(codeOf(() => readNpy(new Uint8Array(0)))).toBe('io/truncated');
    expect(codeOf(() => readNpy(good.subarray(0, 4)))).toBe('io/truncated');
  });

  it('reports truncation in the preamble, the header and the data', () => {
    expect(codeOf(() => readNpy(good.subarray(0, 7)))).toBe('io/truncated');
    expect(codeOf(() => readNpy(good.subarray(0, 9)))).toBe('io/truncated');
    expect(codeOf(() => readNpy(good.subarray(0, 40)))).toBe('io/truncated');
    expect(codeOf(() => readNpy(good.subarray(0, good.length - 1)))).toBe('io/truncated');
  });

  it('reports a header length beyond the file as truncated', () => {
    const bad = good.slice();
    new DataView(bad.buffer).setUint16(8, 60000, true);
    expect(codeOf(() => readNpy(bad, 'big.npy'))).toBe('io/truncated');
  });

  it('checks the shape against the data before allocating', () => {
    const huge = npyFile(`{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 100000, 100000), }`, []);
    expect(codeOf(() => readNpy(huge))).toBe('io/truncated');
    const absurd = npyFile(`{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }`, []);
    expect(codeOf(() => readNpy(absurd))).toBe('io/corrupt');
  });

  it('rejects trailing bytes after the data', () => {
    const longer = new Uint8Array(good.length + 4);
    longer.set(good);
    expect(codeOf(() => readNpy(longer))).toBe('io/corrupt');
  });

  it('rejects unsupported dtypes and versions', () => {
    for (const descr of ['<U5', '|S5', '|O', '<M8[ns]', '|V4']) {
      expect(codeOf(() => readNpy(npyFile(`{'descr': '${descr}', 'fortran_order': False, 'shape': (1,), }`, [0, 0, 0, 0])))).toBe('io/unsupported');
    }
    expect(codeOf(() => readNpy(npyFile(`{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }`, [0, 0, 0, 0])))).toBe('io/unsupported');
    const v4 = good.slice();
    v4[6] = 4;
    expect(codeOf(() => readNpy(v4))).toBe('io/unsupported');
  });

  it('rejects headers that are not the expected literal', () => {
    const bad = (h: string): string | undefined => codeOf(() => readNpy(npyFile(h, [0, 0, 0, 0])));
    expect(bad(`{'descr': '<f4', 'fortran_order': False}`)).toBe('io/corrupt');
    expect(bad(`{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}`)).toBe('io/corrupt');
    expect(bad(`{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}`)).toBe('io/corrupt');
    expect(bad(`{'descr': '<f4', 'fortran_order': False, 'shape': (1,)`)).toBe('io/corrupt');
    expect(bad(`__import__('os')`)).toBe('io/corrupt');
    expect(bad(`{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}`)).toBe('io/corrupt');
  });
});

describe('writeNpy', () => {
  it('writes the header numpy writes, 64-byte aligned and ending in a newline', () => {
    const out = writeNpy(makeTensor('int32', [2, 3], [1, 2, 3, 4, 5, 6]));
    expect(out.length).toBe(128 + 24);
    const header = Buffer.from(out.subarray(10, 128)).toString('latin1');
    expect(header).toBe(`{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }${' '.repeat(58)}\n`);
    expect([...out.subarray(0, 10)]).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 118, 0]);
  });

  it('writes scalars without growth padding and one-byte types with |', () => {
    const s = writeNpy(makeTensor('bool', [], [true]));
    expect(s.length).toBe(128 + 1);
    expect(Buffer.from(s.subarray(10, 128)).toString('latin1')).toBe(`{'descr': '|b1', 'fortran_order': False, 'shape': (), }`.padEnd(117) + '\n');
    expect(s[128]).toBe(1);
    const u = writeNpy(makeTensor('uint8', [1], [7]));
    expect(Buffer.from(u).toString('latin1')).toContain(`'descr': '|u1'`);
    expect(Buffer.from(u).toString('latin1')).toContain(`'shape': (1,), }`);
  });

  it('round-trips every writable dtype', () => {
    const dtypes = ['float', 'double', 'half', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'bool'] as const;
    for (const dtype of dtypes) {
      const t = makeTensor(dtype, [2, 2], [1, 0, 1, 1]);
      const back = readNpy(writeNpy(t));
      expect(back.dtype).toBe(dtype);
      expect(back.shape).toEqual([2, 2]);
      expect(tensorToArray(back)).toEqual(tensorToArray(t));
    }
    const c = makeTensor('complex128', [1], [1, -1]);
    expect(tensorToNumbers(readNpy(writeNpy(c)))).toEqual([1, -1]);
  });

  it('refuses dtypes numpy cannot hold', () => {
    expect(codeOf(() => writeNpy(makeTensor('bfloat16', [1], [0])))).toBe('io/unsupported');
    expect(codeOf(() => writeNpy(makeTensor('qint8', [1], [0])))).toBe('io/unsupported');
    expect(codeOf(() => writeNpy(makeStringTensor([1], ['a'])))).toBe('io/unsupported');
  });
});
