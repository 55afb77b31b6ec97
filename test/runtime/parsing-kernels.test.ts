/**
 * ParseExample / ParseExampleV2 / ParseSingleExample against the cases and expected values of
 * TensorFlow's python/kernel_tests/io_ops/parsing_ops_test.py (and TensorFlow's error texts).
 */
import { describe, expect, it } from 'vitest';
import { type AttrValue, attr, shapeOf } from '../../src/ir/attr';
import type { DType } from '../../src/ir/dtype';
import { makeNode } from '../../src/ir/node';
import { type Tensor, makeStringTensor, makeTensor, tensorStrings, tensorToArray, tensorToNumbers } from '../../src/ir/tensor';
import { type FeatureInput, type FeatureKind, serializeExample } from '../../src/io/tf-example';
import { evaluateNode } from '../../src/runtime';

const text = (t: Tensor) => tensorStrings(t).map((b) => new TextDecoder().decode(b));
const big = (t: Tensor) => Array.from(tensorToArray(t) as BigInt64Array);
const records = (xs: Record<string, FeatureInput>[], kinds: Record<string, FeatureKind> = {}) =>
  makeStringTensor([xs.length], xs.map((x) => serializeExample(x, kinds)));
const empty = (dtype: DType) => (dtype === 'string' ? makeStringTensor([0], []) : makeTensor(dtype, [0], []));

interface Spec {
  sparse?: [string, DType][];
  dense?: [string, DType, number[], Tensor?][];
}

/** A ParseExample (v1) node over `serialized` and the given features. */
async function parseV1(serialized: Tensor, spec: Spec, names?: string[]): Promise<Tensor[]> {
  const sparse = spec.sparse ?? [];
  const dense = spec.dense ?? [];
  const inputs: Tensor[] = [
    serialized,
    names ? makeStringTensor([names.length], names) : makeStringTensor([0], []),
    ...sparse.map(([k]) => makeStringTensor([], [k])),
    ...dense.map(([k]) => makeStringTensor([], [k])),
    ...dense.map(([, dt, , def]) => def ?? empty(dt)),
  ];
  const attrs: Record<string, AttrValue> = {
    Nsparse: attr.i(sparse.length),
    Ndense: attr.i(dense.length),
    sparse_types: attr.list({ type: sparse.map(([, t]) => t) }),
    Tdense: attr.list({ type: dense.map(([, t]) => t) }),
    dense_shapes: attr.list({ shape: dense.map(([, , s]) => shapeOf(s)) }),
  };
  return evaluateNode(makeNode({ name: 'ParseExample/ParseExample', op: 'ParseExample', inputs: inputs.map((_, i) => `in${i}`), attrs }), inputs, { backend: 'cpu' });
}

describe('ParseExample', () => {
  it('parses sparse features (testSerializedContainingSparse)', async () => {
    const serialized = makeStringTensor([4], [
      serializeExample({ st_c: [3, 4] }, { st_c: 'float' }),
      serializeExample({ st_c: [] }, { st_c: 'float' }),
      // st_d written as a Feature with no list: skipped, as if absent.
      buildEmptyFeature('st_d'),
      serializeExample({ st_c: [1, 2, -1], st_d: ['hi'] }, { st_c: 'float' }),
    ]);
    const [ci, di, cv, dv, cs, ds] = await parseV1(serialized, { sparse: [['st_c', 'float'], ['st_d', 'string']] });
    expect(ci!.shape).toEqual([5, 2]);
    expect(big(ci!)).toEqual([0n, 0n, 0n, 1n, 3n, 0n, 3n, 1n, 3n, 2n]);
    expect(tensorToNumbers(cv!)).toEqual([3, 4, 1, 2, -1]);
    expect(big(cs!)).toEqual([4n, 3n]);
    expect(big(di!)).toEqual([3n, 0n]);
    expect(text(dv!)).toEqual(['hi']);
    expect(big(ds!)).toEqual([4n, 1n]);
  });

  it('parses fixed-shape dense features (testSerializedContainingDense)', async () => {
    const b = 'b*has+a:tricky_name';
    const serialized = records([{ a: [1, 1], [b]: ['b0_str'] }, { a: [-1, -1], [b]: [''] }], { a: 'float' });
    const [a, bv] = await parseV1(serialized, { dense: [['a', 'float', [1, 2]], [b, 'string', [1, 1, 1]]] });
    expect(a!.shape).toEqual([2, 1, 2]);
    expect(tensorToNumbers(a!)).toEqual([1, 1, -1, -1]);
    expect(bv!.shape).toEqual([2, 1, 1, 1]);
    expect(text(bv!)).toEqual(['b0_str', '']);
  });

  it('fills missing dense features from their defaults (testSerializedContainingDenseScalar)', async () => {
    const serialized = records([{ a: [1] }, {}], { a: 'float' });
    const [a] = await parseV1(serialized, { dense: [['a', 'float', [1], makeTensor('float', [1], [-1])]] });
    expect(a!.shape).toEqual([2, 1]);
    expect(tensorToNumbers(a!)).toEqual([1, -1]);
  });

  it('parses int64 dense features exactly', async () => {
    const v = 9007199254740993n;
    const [a] = await parseV1(records([{ n: [v, -3n] }]), { dense: [['n', 'int64', [2]]] });
    expect(big(a!)).toEqual([v, -3n]);
  });

  it('fails on a missing dense feature without a default, with TensorFlow\'s message', async () => {
    const serialized = records([{ a: [1, 1, 3] }], { a: 'float' });
    await expect(parseV1(serialized, { dense: [['a', 'float', [1, 3]], ['b', 'string', [1, 1]]] }, ['in1'])).rejects.toThrow(
      'Name: in1, Feature: b (data type: string) is required but could not be found.',
    );
  });

  it('fails on a wrong number of values and on mismatched types', async () => {
    await expect(parseV1(records([{ a: [1, 2, 3] }], { a: 'float' }), { dense: [['a', 'float', [2]]] })).rejects.toThrow(
      'Name: <unknown>, Key: a, Index: 0.  Number of float values != expected.  Values size: 3 but output shape: [2]',
    );
    await expect(parseV1(records([{ a: 1 }], { a: 'int64' }), { dense: [['a', 'float', [1]]] })).rejects.toThrow(
      "Name: <unknown>, Key: a, Index: 0.  Data types don't match. Data type: int64 but expected type: float",
    );
    await expect(parseV1(records([{ a: 1 }], { a: 'int64' }), { sparse: [['a', 'string']] })).rejects.toThrow(
      "Data types don't match. Expected type: string, Actual type: int64",
    );
  });

  it('fails on a record that is not an Example', async () => {
    await expect(parseV1(makeStringTensor([1], [new Uint8Array([0x0a, 0x30])]), { dense: [['a', 'float', [1]]] })).rejects.toThrow(/Could not parse example input, value: '/);
  });

  it('pads variable-length dense features with the default (FixedLenSequenceFeature, allow_missing)', async () => {
    // shape [-1, 2]: values come in pairs; rows are padded to the longest record.
    const serialized = records([{ c: [1, 2, 3, 4] }, {}, { c: [5, 6] }], { c: 'float' });
    const [c] = await parseV1(serialized, { dense: [['c', 'float', [-1, 2], makeTensor('float', [], [-9])]] });
    expect(c!.shape).toEqual([3, 2, 2]);
    expect(tensorToNumbers(c!)).toEqual([1, 2, 3, 4, -9, -9, -9, -9, 5, 6, -9, -9]);
    await expect(parseV1(records([{ c: [1, 2, 3] }], { c: 'float' }), { dense: [['c', 'float', [-1, 2], makeTensor('float', [], [0])]] })).rejects.toThrow(
      'Name: <unknown>, Key: c, Index: 0.  Number of float values is not a multiple of stride length. Saw 3 values but output shape is: [?,2]',
    );
    await expect(parseV1(records([{ c: [1, 2] }], { c: 'float' }), { dense: [['c', 'float', [-1, 2], empty('float')]] })).rejects.toThrow(
      'dense_shape[0] is a variable length shape: [?,2], therefore def_value[0] must contain a single element (the padding element).  But its shape is: [0]',
    );
  });
});

/** An Example whose feature `key` is a Feature message with no list set. */
function buildEmptyFeature(key: string): Uint8Array {
  const k = [...new TextEncoder().encode(key)];
  const entry = [0x0a, k.length, ...k, 0x12, 0x00];
  const features = [0x0a, entry.length, ...entry];
  return new Uint8Array([0x0a, features.length, ...features]);
}

describe('ParseExampleV2', () => {
  async function parseV2(serialized: Tensor, spec: Spec & { ragged?: [string, DType, 'int32' | 'int64'][] }): Promise<Tensor[]> {
    const sparse = spec.sparse ?? [];
    const dense = spec.dense ?? [];
    const ragged = spec.ragged ?? [];
    const keys = (ks: string[]) => makeStringTensor([ks.length], ks);
    const inputs: Tensor[] = [
      serialized,
      makeStringTensor([0], []),
      keys(sparse.map(([k]) => k)),
      keys(dense.map(([k]) => k)),
      keys(ragged.map(([k]) => k)),
      ...dense.map(([, dt, , def]) => def ?? empty(dt)),
    ];
    const attrs: Record<string, AttrValue> = {
      num_sparse: attr.i(sparse.length),
      sparse_types: attr.list({ type: sparse.map(([, t]) => t) }),
      Tdense: attr.list({ type: dense.map(([, t]) => t) }),
      dense_shapes: attr.list({ shape: dense.map(([, , s]) => shapeOf(s)) }),
      ragged_value_types: attr.list({ type: ragged.map(([, t]) => t) }),
      ragged_split_types: attr.list({ type: ragged.map(([, , s]) => s) }),
    };
    return evaluateNode(makeNode({ name: 'p', op: 'ParseExampleV2', inputs: inputs.map((_, i) => `in${i}`), attrs }), inputs, { backend: 'cpu' });
  }

  it('parses ragged features as values and row splits', async () => {
    const serialized = records([{ r: [1, 2, 3] }, {}, { r: [4] }], { r: 'int64' });
    const [values, splits] = await parseV2(serialized, { ragged: [['r', 'int64', 'int32']] });
    expect(big(values!)).toEqual([1n, 2n, 3n, 4n]);
    expect(splits!.dtype).toBe('int32');
    expect(tensorToNumbers(splits!)).toEqual([0, 3, 3, 4]);
  });

  it('parses one record given as a scalar: no batch dimension', async () => {
    const serialized = makeStringTensor([], [serializeExample({ x: [7], s: ['a', 'b'] }, { x: 'float' })]);
    const [si, sv, ss, x] = await parseV2(serialized, { sparse: [['s', 'string']], dense: [['x', 'float', [1]]] });
    expect(si!.shape).toEqual([2, 1]);
    expect(big(si!)).toEqual([0n, 1n]);
    expect(text(sv!)).toEqual(['a', 'b']);
    expect(big(ss!)).toEqual([2n]);
    expect(x!.shape).toEqual([1]);
    expect(tensorToNumbers(x!)).toEqual([7]);
  });

  it('checks the key count against num_sparse', async () => {
    const inputs = [records([{}]), makeStringTensor([0], []), makeStringTensor([1], ['a']), makeStringTensor([0], []), makeStringTensor([0], [])];
    const node = makeNode({ name: 'p', op: 'ParseExampleV2', inputs: inputs.map((_, i) => `in${i}`), attrs: { num_sparse: attr.i(0), sparse_types: attr.list({ type: [] }), Tdense: attr.list({ type: [] }), dense_shapes: attr.list({ shape: [] }), ragged_value_types: attr.list({ type: [] }), ragged_split_types: attr.list({ type: [] }) } });
    await expect(evaluateNode(node, inputs, { backend: 'cpu' })).rejects.toThrow('Expected len(sparse_keys) == num_sparse but got: 1 vs. 0');
  });
});

describe('ParseSingleExample', () => {
  it('takes its keys from attributes and parses one record', async () => {
    const inputs = [makeStringTensor([], [serializeExample({ a: [1, 2], t: [5n] })]), makeTensor('float', [2], [0, 0])];
    const node = makeNode({
      name: 'p', op: 'ParseSingleExample', inputs: ['s', 'd'],
      attrs: {
        num_sparse: attr.i(1), sparse_keys: attr.list({ s: ['t'] }), dense_keys: attr.list({ s: ['a'] }),
        sparse_types: attr.list({ type: ['int64'] }), Tdense: attr.list({ type: ['float'] }), dense_shapes: attr.list({ shape: [shapeOf([2])] }),
      },
    });
    const [ti, tv, ts, a] = await evaluateNode(node, inputs, { backend: 'cpu' });
    expect(big(ti!)).toEqual([0n]);
    expect(big(tv!)).toEqual([5n]);
    expect(big(ts!)).toEqual([1n]);
    expect(tensorToNumbers(a!)).toEqual([1, 2]);
  });
});
