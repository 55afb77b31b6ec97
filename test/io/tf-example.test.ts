/** tf.Example records: the wire bytes checked against protobuf's encoding worked out by hand. */
import { describe, expect, it } from 'vitest';
import { GraftError } from '../../src/errors';
import { readExample, serializeExample } from '../../src/io/tf-example';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('serializeExample', () => {
  it('writes Example{features{feature{key:"x" value{float_list{value:3}}}}} as protobuf does', () => {
    // FloatList: field 1 packed (0a 04) + 3.0f LE (00 00 40 40); Feature.float_list: field 2 (12 06);
    // map entry: key field 1 (0a 01 'x'), value field 2 (12 08); Features.feature: field 1 (0a 0d);
    // Example.features: field 1 (0a 0f).
    expect(hex(serializeExample({ x: 3 }))).toBe('0a0f0a0d0a0178120812060a0400004040');
  });

  it('writes int64 lists as packed varints and bytes lists as repeated strings', () => {
    // Int64List [1, 300]: 0a 03 01 ac 02; Feature.int64_list: field 3 (1a 05); entry 0a 01 'n' 12 07.
    expect(hex(serializeExample({ n: [1, 300] }, { n: 'int64' }))).toBe('0a0e0a0c0a016e12071a050a0301ac02');
    expect(hex(serializeExample({ n: [1n, 300n] }))).toBe('0a0e0a0c0a016e12071a050a0301ac02');
    // BytesList ["hi"]: 0a 02 68 69; Feature.bytes_list: field 1 (0a 04); entry 0a 01 's' 12 06.
    expect(hex(serializeExample({ s: 'hi' }))).toBe('0a0d0a0b0a017312060a040a026869');
  });

  it('writes negative and 64-bit int64 values exactly (ten-byte varints)', () => {
    const big = 9007199254740993n; // 2^53 + 1
    const back = readExample(serializeExample({ a: [-1n, big, (1n << 63n) - 1n] }));
    expect(back.get('a')).toEqual({ kind: 'int64', values: [-1n, big, (1n << 63n) - 1n] });
  });

  it('chooses the list kind from the declared kind, else from the values', () => {
    const f = readExample(serializeExample({ a: 2, b: 'z', c: 7, d: [1.5, 2] }, { c: 'int64', a: 'bytes' }));
    expect(f.get('a')).toEqual({ kind: 'bytes', values: [new TextEncoder().encode('2')] });
    expect(f.get('b')!.kind).toBe('bytes');
    expect(f.get('c')).toEqual({ kind: 'int64', values: [7n] });
    expect(f.get('d')).toEqual({ kind: 'float', values: [1.5, 2] });
  });

  it('refuses values that do not fit the declared kind, naming the key', () => {
    expect(() => serializeExample({ n: 1.5 }, { n: 'int64' }, 'ex.json[0]')).toThrow(/ex\.json\[0\]: feature 'n' is int64 but value 1\.5 is not an integer/);
    expect(() => serializeExample({ x: 'abc' }, { x: 'float' })).toThrow(GraftError);
    expect(() => serializeExample({ x: [[1]] as unknown as number[] })).toThrow(/nested list/);
  });
});

describe('readExample', () => {
  it('reads unpacked float lists (TensorFlow accepts both encodings)', () => {
    // FloatList with value 1.0 written unpacked: 0d 00 00 80 3f.
    const floatList = [0x0d, 0x00, 0x00, 0x80, 0x3f];
    const feature = [0x12, floatList.length, ...floatList];
    const entry = [0x0a, 0x01, 0x79, 0x12, feature.length, ...feature];
    const features = [0x0a, entry.length, ...entry];
    const example = new Uint8Array([0x0a, features.length, ...features]);
    expect(readExample(example).get('y')).toEqual({ kind: 'float', values: [1] });
  });

  it('reads a feature with no list as kind undefined, and an empty record as no features', () => {
    // entry key "e", value Feature{} (12 00)
    const entry = [0x0a, 0x01, 0x65, 0x12, 0x00];
    const example = new Uint8Array([0x0a, entry.length + 2, 0x0a, entry.length, ...entry]);
    expect(readExample(example).get('e')).toEqual({ kind: undefined, values: [] });
    expect(readExample(new Uint8Array()).size).toBe(0);
  });

  it('refuses bytes that are not an Example', () => {
    expect(() => readExample(new Uint8Array([0x0a, 0x20, 0x01]), 'bad.bin')).toThrow(/bad\.bin/);
  });
});
