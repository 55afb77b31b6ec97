/**
 * Kernels the real models in ../shared/models needed and graft lacked (see
 * test/workflow/all-models-kernels.test.ts), against the values of TensorFlow's documentation and
 * kernel tests: each expected value is written from TensorFlow's docs or tests, or computed in the
 * test from the op's definition, never by graft's runtime.
 */
import { describe, expect, it } from 'vitest';
import { type AttrValue, attr } from '../../src/ir/attr';
import { makeNode } from '../../src/ir/node';
import { type Tensor, makeStringTensor, makeTensor, tensorStrings, tensorToArray, tensorToNumbers } from '../../src/ir/tensor';
import { evaluateNode } from '../../src/runtime';

const i32 = (shape: number[], v: number[]) => makeTensor('int32', shape, v);
const i64 = (shape: number[], v: (number | bigint)[]) => makeTensor('int64', shape, v.map((x) => BigInt(x)));
const f32 = (shape: number[], v: number[]) => makeTensor('float', shape, v);
const nums = (t: Tensor) => tensorToNumbers(t);
const big = (t: Tensor) => Array.from(tensorToArray(t) as BigInt64Array);
const text = (t: Tensor) => tensorStrings(t).map((b) => new TextDecoder().decode(b));

function run(op: string, inputs: Tensor[], attrs: Record<string, AttrValue> = {}): Promise<Tensor[]> {
  return evaluateNode(makeNode({ name: 'n', op, inputs: inputs.map((_, i) => `in${i}`), attrs }), inputs, { backend: 'cpu' });
}

describe('DynamicStitch', () => {
  it('merges the example of tf.dynamic_stitch\'s documentation', async () => {
    const indices = [i32([], [6]), i32([2], [4, 1]), i32([2, 2], [5, 2, 0, 3])];
    const data = [f32([2], [61, 62]), f32([2, 2], [41, 42, 11, 12]), f32([2, 2, 2], [51, 52, 21, 22, 1, 2, 31, 32])];
    const [m] = await run('DynamicStitch', [...indices, ...data], { N: attr.i(3), T: attr.type('float') });
    expect(m!.shape).toEqual([7, 2]);
    expect(nums(m!)).toEqual([1, 2, 11, 12, 21, 22, 31, 32, 41, 42, 51, 52, 61, 62]);
  });

  it('stitches one-dimensional int32 (dynamic_stitch_op_test testSimpleOneDimensional), later inputs winning on repeats', async () => {
    const [m] = await run('DynamicStitch', [i32([3], [0, 4, 7]), i32([5], [1, 6, 2, 3, 5]), i32([3], [0, 40, 70]), i32([5], [10, 60, 20, 30, 50])], { N: attr.i(2) });
    expect(nums(m!)).toEqual([0, 10, 20, 30, 40, 50, 60, 70]);
    // The documentation: "merged[indices[m][i]] = data[m][i]" in order, so a repeated index takes the last value.
    const [r] = await run('ParallelDynamicStitch', [i32([2], [0, 1]), i32([1], [1]), i32([2], [5, 6]), i32([1], [9])], { N: attr.i(2) });
    expect(nums(r!)).toEqual([5, 9]);
  });

  it('keeps int64 beyond 2^53 and strings exact', async () => {
    const v = 9007199254740993n;
    const [m] = await run('DynamicStitch', [i32([1], [1]), i32([1], [0]), i64([1], [v]), i64([1], [-3])], { N: attr.i(2) });
    expect(big(m!)).toEqual([-3n, v]);
    const [s] = await run('DynamicStitch', [i32([2], [2, 0]), i32([1], [1]), makeStringTensor([2], ['c', 'a']), makeStringTensor([1], ['b'])], { N: attr.i(2) });
    expect(text(s!)).toEqual(['a', 'b', 'c']);
  });

  it('refuses mismatched shapes with TensorFlow\'s messages (testErrorIndicesMultiDimensional, testErrorDataNumDimsMismatch)', async () => {
    await expect(run('DynamicStitch', [i32([3], [0, 1, 2]), i32([2], [3, 4]), f32([2], [1, 2]), f32([2], [3, 4])], { N: attr.i(2) })).rejects.toThrow(
      'data[0].shape = [2] does not start with indices[0].shape = [3]',
    );
    await expect(run('DynamicStitch', [i32([2], [0, 1]), i32([1], [2]), f32([2, 1], [1, 2]), f32([1, 2], [3, 4])], { N: attr.i(2) })).rejects.toThrow(
      'Need data[0].shape[1:] = data[1].shape[1:], got data[0].shape = [2,1], data[1].shape = [1,2], indices[0].shape = [2], indices[1].shape = [1]',
    );
    await expect(run('DynamicStitch', [i32([2], [0, -1]), f32([2], [1, 2])], { N: attr.i(1) })).rejects.toThrow('indices[1] is out of range');
  });
});

describe('UnsortedSegmentSum', () => {
  it('sums the example of tf.math.unsorted_segment_sum\'s documentation', async () => {
    const c = i32([3, 4], [1, 2, 3, 4, 5, 6, 7, 8, 4, 3, 2, 1]);
    const [s] = await run('UnsortedSegmentSum', [c, i32([3], [0, 1, 0]), i32([], [2])]);
    expect(s!.shape).toEqual([2, 4]);
    expect(nums(s!)).toEqual([5, 5, 5, 5, 5, 6, 7, 8]);
  });

  it('drops negative ids, leaves unnamed segments 0, takes multi-dimensional ids and int64 exactly', async () => {
    const [s] = await run('UnsortedSegmentSum', [f32([2, 2], [1, 2, 3, 4]), i32([2, 2], [2, -1, 2, 0]), i64([], [4])]);
    expect(nums(s!)).toEqual([4, 0, 4, 0]);
    const [b] = await run('UnsortedSegmentSum', [i64([2], [2n ** 53n, 1n]), i32([2], [0, 0]), i32([], [1])]);
    expect(big(b!)).toEqual([2n ** 53n + 1n]);
  });

  it('refuses an id past num_segments and mismatched shapes with TensorFlow\'s messages', async () => {
    await expect(run('UnsortedSegmentSum', [f32([3], [1, 2, 3]), i32([3], [0, 5, 1]), i32([], [2])])).rejects.toThrow('segment_ids[1] = 5 is out of range [0, 2)');
    await expect(run('UnsortedSegmentSum', [f32([3], [1, 2, 3]), i32([2], [0, 1]), i32([], [2])])).rejects.toThrow('data.shape = [3] does not start with segment_ids.shape = [2]');
  });
});

describe('gradient helpers: BiasAddGrad, ReluGrad, L2Loss', () => {
  it('BiasAddGrad sums over every dimension but the channel one (NHWC and NCHW)', async () => {
    const g = f32([2, 3], [1, 2, 3, 10, 20, 30]);
    expect(nums((await run('BiasAddGrad', [g], { T: attr.type('float') }))[0]!)).toEqual([11, 22, 33]);
    // NCHW [1, 2, 2, 2]: channel 0 holds 1..4, channel 1 holds 5..8.
    const x = f32([1, 2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
    expect(nums((await run('BiasAddGrad', [x], { data_format: attr.s('NCHW') }))[0]!)).toEqual([1 + 2 + 3 + 4, 5 + 6 + 7 + 8]);
    await expect(run('BiasAddGrad', [f32([3], [1, 2, 3])])).rejects.toThrow('Input tensor must be at least 2D: [3]');
  });

  it('ReluGrad passes the gradient where the feature is positive, 0 elsewhere (even a NaN gradient)', async () => {
    const [r] = await run('ReluGrad', [f32([5], [1, 2, 3, 4, Number.NaN]), f32([5], [-1, 0, 0.5, 2, -3])]);
    expect(nums(r!)).toEqual([0, 0, 3, 4, 0]);
  });

  it('L2Loss is sum(t ** 2) / 2 (nn_test testL2Loss: 7 for [[1, 0], [3, 2]])', async () => {
    const [l] = await run('L2Loss', [f32([2, 2], [1, 0, 3, 2])]);
    expect(l!.shape).toEqual([]);
    expect(nums(l!)).toEqual([7]);
  });
});

describe('ShardedFilename and ShardedFilespec', () => {
  it('format as TensorFlow\'s %s-%05d-of-%05d', async () => {
    const s = (v: string) => makeStringTensor([], [v]);
    expect(text((await run('ShardedFilename', [s('/tmp/model.ckpt'), i32([], [3]), i32([], [10])]))[0]!)).toEqual(['/tmp/model.ckpt-00003-of-00010']);
    expect(text((await run('ShardedFilename', [s('x'), i32([], [123456]), i32([], [-2])]))[0]!)).toEqual(['x-123456-of--0002']);
    expect(text((await run('ShardedFilespec', [s('/tmp/model.ckpt'), i32([], [2])]))[0]!)).toEqual(['/tmp/model.ckpt-?????-of-00002']);
    await expect(run('ShardedFilename', [makeStringTensor([2], ['a', 'b']), i32([], [0]), i32([], [1])])).rejects.toThrow('basename must be a scalar, got shape [2]');
  });
});

/** A protobuf message's fields (number, wire type, payload or number), decoded here from the wire format's rules. */
function fields(b: Uint8Array): { n: number; w: number; v: Uint8Array | number }[] {
  const out: { n: number; w: number; v: Uint8Array | number }[] = [];
  let at = 0;
  const varint = () => {
    let r = 0;
    let m = 1;
    for (;;) {
      const x = b[at++]!;
      r += (x & 0x7f) * m;
      m *= 128;
      if (x < 0x80) return r;
    }
  };
  while (at < b.length) {
    const key = varint();
    const w = key & 7;
    const n = key >>> 3;
    if (w === 0) out.push({ n, w, v: varint() });
    else if (w === 1) (out.push({ n, w, v: b.slice(at, at + 8) }), (at += 8));
    else if (w === 5) (out.push({ n, w, v: b.slice(at, at + 4) }), (at += 4));
    else {
      const len = varint();
      out.push({ n, w, v: b.slice(at, at + len) });
      at += len;
    }
  }
  return out;
}
const f64 = (b: Uint8Array, i = 0) => new DataView(b.buffer, b.byteOffset).getFloat64(i * 8, true);
const f32le = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset).getFloat32(0, true);
const utf = (b: Uint8Array | number) => new TextDecoder().decode(b as Uint8Array);
const summaryValues = (t: Tensor) => fields(tensorStrings(t)[0]!).filter((f) => f.n === 1).map((f) => fields(f.v as Uint8Array));
const scalarOf = (v: ReturnType<typeof fields>) => ({ tag: utf(v.find((f) => f.n === 1)!.v), simple: f32le(v.find((f) => f.n === 2)!.v as Uint8Array) });

describe('ScalarSummary, HistogramSummary, MergeSummary (summary_op_test.cc)', () => {
  it('ScalarSummary writes value { tag simple_value } per tag (SimpleFloat, SimpleDouble)', async () => {
    for (const values of [f32([3], [1.0, -0.73, 10000.0]), makeTensor('double', [3], [1.0, -0.73, 10000.0])]) {
      const [s] = await run('ScalarSummary', [makeStringTensor([3], ['tag1', 'tag2', 'tag3']), values]);
      expect(s!.shape).toEqual([]);
      expect(summaryValues(s!).map(scalarOf)).toEqual([
        { tag: 'tag1', simple: 1 },
        { tag: 'tag2', simple: Math.fround(-0.73) },
        { tag: 'tag3', simple: 10000 },
      ]);
    }
    // The exact bytes of `value { tag: "c1" simple_value: 10 }`: field 1 (length 9) holding field 1 "c1" and field 2 fixed32 10.0f.
    const [one] = await run('ScalarSummary', [makeStringTensor([], ['c1']), f32([], [10])]);
    expect(Array.from(tensorStrings(one!)[0]!)).toEqual([0x0a, 9, 0x0a, 2, 0x63, 0x31, 0x15, 0, 0, 0x20, 0x41]);
  });

  it('ScalarSummary refuses mismatched shapes (Error_MismatchedSize, Error_WrongDimsTags)', async () => {
    await expect(run('ScalarSummary', [makeStringTensor([2], ['tag1', 'tag2']), f32([3], [1, -0.73, 10000])])).rejects.toThrow('tags and values not the same shape: [2] != [3]');
    await expect(run('ScalarSummary', [makeStringTensor([2, 1], ['tag1', 'tag2']), f32([2], [1, -0.73])])).rejects.toThrow('tags and values not the same shape');
    await expect(run('ScalarSummary', [makeStringTensor([1], ['only']), f32([2], [1, 2])])).rejects.toThrow("tags and values not the same shape: [1] != [2] (tag 'only')");
  });

  it('HistogramSummary buckets as TensorFlow (SimpleFloat: 6 values in [-0.76,-0.69) [0.093,0.1) [3.8,4.2) [4.6,5.1))', async () => {
    const vals = [0.1, -0.7, 4.1, 4, 5, 4];
    const [s] = await run('HistogramSummary', [makeStringTensor([], ['taghisto']), f32([3, 2], vals)]);
    const [value] = summaryValues(s!);
    expect(utf(value!.find((f) => f.n === 1)!.v)).toBe('taghisto');
    const histo = fields(value!.find((f) => f.n === 5)!.v as Uint8Array);
    const d = (n: number) => f64(histo.find((f) => f.n === n)!.v as Uint8Array);
    const asFloat = vals.map(Math.fround);
    expect([d(1), d(2), d(3)]).toEqual([Math.fround(-0.7), 5, 6]);
    expect(d(4)).toBeCloseTo(asFloat.reduce((a, b) => a + b, 0), 12);
    expect(d(5)).toBeCloseTo(asFloat.reduce((a, b) => a + b * b, 0), 10);
    const packed = (n: number) => {
      const b = histo.find((f) => f.n === n)!.v as Uint8Array;
      return Array.from({ length: b.length / 8 }, (_, i) => f64(b, i));
    };
    const limits = packed(6);
    const counts = packed(7);
    // Non-empty buckets, as "[left, right) count" with %.2g limits; empty runs are collapsed between them.
    const rows = counts.flatMap((c, i) => (c > 0 ? [`[${limits[i - 1]!.toPrecision(2)}, ${limits[i]!.toPrecision(2)}) ${c}`] : []));
    expect(rows).toEqual(['[-0.76, -0.69) 1', '[0.093, 0.10) 1', '[3.8, 4.2) 3', '[4.6, 5.1) 1']);
    expect(counts.every((c, i) => c > 0 || i === 0 || counts[i - 1]! > 0)).toBe(true);
    expect(limits[limits.length - 1]).toBe(Number.MAX_VALUE);
  });

  it('HistogramSummary refuses a non-scalar tag and NaN, naming the node', async () => {
    await expect(run('HistogramSummary', [makeStringTensor([2, 1], ['tag1', 'tag2']), f32([2], [1, -0.73])])).rejects.toThrow('tags must be scalar');
    await expect(run('HistogramSummary', [makeStringTensor([], ['h']), f32([2], [1, Number.NaN])])).rejects.toThrow('Nan in summary histogram for: n');
  });

  it('MergeSummary concatenates the values of every input in order and refuses a duplicate tag (Simple, Error_MismatchedSize)', async () => {
    const scalar = async (tags: string[], v: number[]) => tensorStrings((await run('ScalarSummary', [makeStringTensor([tags.length], tags), f32([v.length], v)]))[0]!)[0]!;
    const s1 = await scalar(['tag1', 'tag2'], [1, -0.73]);
    const s2 = await scalar(['tag3'], [10000]);
    const s3 = await scalar(['tag4'], [11]);
    const [m] = await run('MergeSummary', [makeStringTensor([3], [s1, s2, s3])], { N: attr.i(1) });
    expect(summaryValues(m!).map(scalarOf).map((x) => x.tag)).toEqual(['tag1', 'tag2', 'tag3', 'tag4']);
    const [m3] = await run('MergeSummary', [makeStringTensor([], [s1]), makeStringTensor([], [s2]), makeStringTensor([], [s3])], { N: attr.i(3) });
    expect(summaryValues(m3!).map(scalarOf).map((x) => x.simple)).toEqual([1, Math.fround(-0.73), 10000, 11]);
    const dup = await scalar(['tag1'], [1]);
    await expect(run('MergeSummary', [makeStringTensor([2], [s1, dup])], { N: attr.i(1) })).rejects.toThrow('Duplicate tag tag1 found in summary inputs');
  });
});

describe('ReduceJoin (the examples of tf.strings.reduce_join\'s documentation)', () => {
  const a = makeStringTensor([2, 2], ['a', 'b', 'c', 'd']);
  const rj = async (axes: number[], attrs: Record<string, AttrValue> = {}) => (await run('ReduceJoin', [a, i32([axes.length], axes)], attrs))[0]!;
  it('joins along the listed axes, the first listed varying fastest', async () => {
    expect(text(await rj([0]))).toEqual(['ac', 'bd']);
    expect(text(await rj([1]))).toEqual(['ab', 'cd']);
    expect(text(await rj([-2]))).toEqual(['ac', 'bd']);
    expect(text(await rj([-1]))).toEqual(['ab', 'cd']);
    expect((await rj([0], { keep_dims: attr.b(true) })).shape).toEqual([1, 2]);
    expect((await rj([1], { keep_dims: attr.b(true) })).shape).toEqual([2, 1]);
    expect(text(await rj([0], { separator: attr.s('.') }))).toEqual(['a.c', 'b.d']);
    const all = await rj([0, 1]);
    expect(all.shape).toEqual([]);
    expect(text(all)).toEqual(['acbd']);
    expect(text(await rj([1, 0]))).toEqual(['abcd']);
    const none = await rj([]);
    expect(none.shape).toEqual([2, 2]);
    expect(text(none)).toEqual(['a', 'b', 'c', 'd']);
  });
  it('refuses a bad or repeated axis with TensorFlow\'s messages', async () => {
    await expect(rj([2])).rejects.toThrow('Invalid reduction dimension 2 for input with 2 dimension(s)');
    await expect(rj([0, -2])).rejects.toThrow('Duplicate reduction dimension -2');
  });
});

describe('LeftShift and RightShift (the examples of tf.bitwise.left_shift / right_shift)', () => {
  const lhs = [-1, -5, -3, -14];
  const rhs = [5, 0, 7, 11];
  it('shift every integer type, wrapping a left shift and clamping the shift to [0, bits - 1]', async () => {
    const want: Record<string, number[]> = { int8: [-32, -5, -128, 0], int16: [-32, -5, -384, -28672], int32: [-32, -5, -384, -28672], int64: [-32, -5, -384, -28672] };
    for (const [dt, w] of Object.entries(want)) {
      const t = (v: number[]) => makeTensor(dt as 'int8', [4], dt === 'int64' ? v.map(BigInt) : v);
      const [l] = await run('LeftShift', [t(lhs), t(rhs)]);
      expect(nums(l!), dt).toEqual(w);
      const [r] = await run('RightShift', [t(lhs), t(rhs)]);
      expect(nums(r!), dt).toEqual([-1, -5, -1, -1]);
    }
    const n8 = (v: number[]) => makeTensor('int8', [4], v);
    expect(nums((await run('LeftShift', [n8([-2, 64, 101, 32]), n8([-1, -5, -3, -14])]))[0]!)).toEqual([-2, 64, 101, 32]);
    // uint8: 200 << 1 = 400 wraps to 144; a shift of 9 is clamped to 7.
    const u8 = (v: number[]) => makeTensor('uint8', [2], v);
    expect(nums((await run('LeftShift', [u8([200, 1]), u8([1, 9])]))[0]!)).toEqual([144, 128]);
    expect(nums((await run('RightShift', [u8([200, 255]), u8([3, 9])]))[0]!)).toEqual([25, 1]);
  });
});

describe('ResourceGather and TruncatedNormal', () => {
  it('ResourceGather reads rows of the variable a handle names, int64 exact, with TensorFlow\'s out-of-range message', async () => {
    const { makeGraph } = await import('../../src/ir/graph');
    const { runGraph } = await import('../../src/runtime');
    const nodes = [
      makeNode({ name: 'v', op: 'VarHandleOp', attrs: { dtype: attr.type('int64'), shape: attr.shape([3, 2]), shared_name: attr.s('emb') } }),
      makeNode({ name: 'idx', op: 'Placeholder', attrs: { dtype: attr.type('int32') } }),
      makeNode({ name: 'g', op: 'ResourceGather', inputs: ['v', 'idx'], attrs: { dtype: attr.type('int64'), Tindices: attr.type('int32') } }),
    ];
    const big53 = 2n ** 53n + 1n;
    const variables = new Map([['emb', i64([3, 2], [0, 1, 10, 11, big53, 21])]]);
    const [g] = await runGraph(makeGraph(nodes), { idx: i32([2, 2], [2, 0, 1, 2]) }, ['g'], { variables, backend: 'cpu' });
    expect(g!.shape).toEqual([2, 2, 2]);
    expect(big(g!)).toEqual([big53, 21n, 0n, 1n, 10n, 11n, big53, 21n]);
    await expect(runGraph(makeGraph(nodes), { idx: i32([2], [0, 3]) }, ['g'], { variables, backend: 'cpu' })).rejects.toThrow('indices[1] = 3 is not in [0, 3)');
  });

  it('TruncatedNormal draws a standard normal within two standard deviations (not TensorFlow\'s stream)', async () => {
    const [t] = await run('TruncatedNormal', [i32([2], [100, 50])], { dtype: attr.type('float'), seed: attr.i(7) });
    expect(t!.shape).toEqual([100, 50]);
    const v = nums(t!);
    expect(v.every((x) => Math.abs(x) <= 2)).toBe(true);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
    // A standard normal truncated at ±2 has mean 0 and standard deviation 0.8796.
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(sd - 0.8796)).toBeLessThan(0.03);
  });
});

describe('RestoreV2 on checkpoints TensorFlow wrote (../shared/models)', async () => {
  const { existsSync, readFileSync } = await import('node:fs');
  const { HAVE_MODELS, SKIP_REASON, modelPath } = await import('../helpers/models');
  const { makeGraph } = await import('../../src/ir/graph');
  const { runGraph } = await import('../../src/runtime');
  const restore = async (prefix: string, names: string[], dtypes: string[], slices = names.map(() => '')) => {
    const ph = (name: string) => makeNode({ name, op: 'Placeholder', attrs: { dtype: attr.type('string') } });
    const nodes = [ph('prefix'), ph('names'), ph('slices'), makeNode({ name: 'r', op: 'RestoreV2', inputs: ['prefix', 'names', 'slices'], attrs: { dtypes: attr.list({ type: dtypes as never }) } })];
    const read = (p: string) => {
      if (!existsSync(p)) return Promise.reject(new Error(`no file ${p}`));
      return Promise.resolve(new Uint8Array(readFileSync(p)));
    };
    const feeds = { prefix: makeStringTensor([], [prefix]), names: makeStringTensor([names.length], names), slices: makeStringTensor([slices.length], slices) };
    return runGraph(makeGraph(nodes), feeds, names.map((_, i) => `r:${i}`), { backend: 'cpu', readFile: read });
  };
  const cpu = HAVE_MODELS ? modelPath('serving_half_plus_two_cpu', 'variables', 'variables') : '';
  const tf2 = HAVE_MODELS ? modelPath('serving_half_plus_two_tf2', 'variables', 'variables') : '';

  it.skipIf(!HAVE_MODELS)(`restores half_plus_two's a = 0.5, b = 2, c = 3 (TF Serving's saved_model_half_plus_two.py) (${HAVE_MODELS ? 'models present' : SKIP_REASON})`, async () => {
    const got = await restore(cpu, ['b', 'a', 'c'], ['float', 'float', 'float']);
    expect(got.map((t) => [t.shape, nums(t)])).toEqual([[[], [2]], [[], [0.5]], [[], [3]]]);
    const [a, graph] = await restore(tf2, ['a/.ATTRIBUTES/VARIABLE_VALUE', '_CHECKPOINTABLE_OBJECT_GRAPH'], ['float', 'string']);
    expect(nums(a!)).toEqual([0.5]);
    expect(graph!.dtype).toBe('string');
    expect(tensorStrings(graph!)[0]!.length).toBeGreaterThan(0);
  });

  it.skipIf(!HAVE_MODELS)('refuses a missing key, a wrong dtype and a slice, naming them', async () => {
    await expect(restore(cpu, ['nope'], ['float'])).rejects.toThrow('Key nope not found in checkpoint');
    await expect(restore(cpu, ['a'], ['double'])).rejects.toThrow('tensor_name = a; expected dtype double does not equal restored dtype float');
    await expect(restore(cpu, ['a'], ['float'], ['2 0,1'])).rejects.toThrow("restoring a slice ('2 0,1') of 'a' is not supported");
    await expect(restore(cpu, ['a', 'b'], ['float'])).rejects.toThrow('Got 2 tensor names, but 1 expected dtypes.');
  });
});

describe('DenseToDenseSetOperation (tf.sets.difference / intersection / union on dense inputs)', () => {
  // The a of tf.sets' documentation, [[[1, 2], [3, 0]], [[4, 5], [6, 7]]] (in a dense set the 0
  // counts as a value), against a dense b; the expected sets are worked out by hand per group.
  const a = i64([2, 2, 2], [1, 2, 3, 0, 4, 5, 6, 7]);
  const b = i64([2, 2, 2], [1, 3, 2, 0, 4, 6, 5, 0]);
  const setop = async (op: string, x = a, y = b) => run('DenseToDenseSetOperation', [x, y], { set_operation: attr.s(op) });
  it('intersection, a-b, b-a and union per group, sorted, with the largest result as the last dimension', async () => {
    const [ii, iv, is] = await setop('intersection');
    expect(big(ii!)).toEqual([0, 0, 0, 0, 1, 0, 1, 0, 0].map(BigInt));
    expect(big(iv!)).toEqual([1n, 0n, 4n]);
    expect(big(is!)).toEqual([2n, 2n, 1n]);
    const [, dv, ds] = await setop('a-b');
    expect(big(dv!)).toEqual([2n, 3n, 5n, 6n, 7n]);
    expect(big(ds!)).toEqual([2n, 2n, 2n]);
    const [, bv] = await setop('b-a');
    expect(big(bv!)).toEqual([3n, 2n, 6n, 0n, 5n]);
    const [ui, uv, us] = await setop('union');
    expect(big(uv!)).toEqual([1n, 2n, 3n, 0n, 2n, 3n, 4n, 5n, 6n, 0n, 5n, 6n, 7n]);
    expect(big(us!)).toEqual([2n, 2n, 4n]);
    expect(ui!.shape).toEqual([13, 3]);
  });
  it('orders strings bytewise and refuses bad arguments with TensorFlow\'s messages', async () => {
    const s = (v: string[]) => makeStringTensor([1, v.length], v);
    const [, v] = await setop('UNION', s(['b', 'a', 'b']), s(['ab', 'B']));
    expect(text(v!)).toEqual(['B', 'a', 'ab', 'b']);
    await expect(setop('xor')).rejects.toThrow('Invalid set_operation xor.');
    await expect(setop('union', i64([2], [1, 2]), i64([2], [1, 2]))).rejects.toThrow('Invalid rank 1.');
    await expect(setop('union', i64([2, 1], [1, 2]), i64([1, 2], [1, 2]))).rejects.toThrow('Mismatched shapes [2] vs [1].');
  });
});

describe('SparseSegmentSumGrad, MeanGrad, SqrtNGrad (the gradients of tf.sparse.segment_*)', () => {
  // Forward: segment_sum(data, indices=[0, 2, 1, 2], segment_ids=[0, 0, 1, 1]) sums rows 0+2 and
  // 1+2; its gradient sends grad[0] to rows 0 and 2 and grad[1] to rows 1 and 2 (row 2 gets both).
  const grad = f32([2, 2], [1, 2, 10, 20]);
  const args = [grad, i32([4], [0, 2, 1, 2]), i32([4], [0, 0, 1, 1]), i32([], [4])];
  it('scatters the segment gradients back to the rows the indices name', async () => {
    const [s] = await run('SparseSegmentSumGrad', args);
    expect(s!.shape).toEqual([4, 2]);
    expect(nums(s!)).toEqual([1, 2, 10, 20, 11, 22, 0, 0]);
    // Each segment has 2 rows: mean scales by 1/2, sqrtn by 1/sqrt(2) (rounded to float32, as TensorFlow's T).
    expect(nums((await run('SparseSegmentMeanGrad', args))[0]!)).toEqual([0.5, 1, 5, 10, 5.5, 11, 0, 0]);
    const r = Math.fround(1 / Math.sqrt(2));
    const m = (x: number) => Math.fround(x * r);
    expect(nums((await run('SparseSegmentSqrtNGrad', args))[0]!)).toEqual([m(1), m(2), m(10), m(20), Math.fround(m(1) + m(10)), Math.fround(m(2) + m(20)), 0, 0]);
  });
  it('refuses out-of-range indices and segment ids with TensorFlow\'s messages', async () => {
    await expect(run('SparseSegmentSumGrad', [grad, i32([1], [4]), i32([1], [0]), i32([], [4])])).rejects.toThrow('Index 4 out of range [0, 4).');
    await expect(run('SparseSegmentSumGrad', [grad, i32([1], [0]), i32([1], [2]), i32([], [4])])).rejects.toThrow('Segment id 2 out of range [0, 2).');
    await expect(run('SparseSegmentSumGrad', [grad, i32([2], [0, 1]), i32([1], [0]), i32([], [4])])).rejects.toThrow('segment_ids and indices should have same size.');
  });
});

describe('ResourceApplyAdagradV2, ResourceApplyFtrl, ResourceSparseApplyFtrl', async () => {
  const { makeGraph } = await import('../../src/ir/graph');
  const { createSession } = await import('../../src/runtime');
  const handle = (name: string) => makeNode({ name, op: 'VarHandleOp', attrs: { dtype: attr.type('float'), shape: attr.shape([2]), shared_name: attr.s(name) } });
  const ph = (name: string, dtype = 'float') => makeNode({ name, op: 'Placeholder', attrs: { dtype: attr.type(dtype as 'float') } });
  const read = (name: string, after: string) => makeNode({ name: `read_${name}`, op: 'ReadVariableOp', inputs: [name, `^${after}`], attrs: { dtype: attr.type('float') } });
  const scalar = (v: number) => f32([], [v]);

  it('Adagrad: accum += grad², var -= lr * grad / (sqrt(accum) + epsilon) (training_ops_test testApplyAdagrad\'s equations)', async () => {
    const nodes = [handle('var'), handle('accum'), ph('lr'), ph('eps'), ph('grad'), makeNode({ name: 'apply', op: 'ResourceApplyAdagradV2', inputs: ['var', 'accum', 'lr', 'eps', 'grad'], attrs: { T: attr.type('float') } }), read('var', 'apply'), read('accum', 'apply')];
    const x = [0, 1, 2, 3];
    const y = [1, 2, 3, 4];
    const g = [0, 1, 2, 3];
    const variables = new Map([['var', f32([4], x)], ['accum', f32([4], y)]]);
    const s = await createSession(makeGraph(nodes), { variables, backend: 'cpu' });
    const [v, a] = await s.run({ lr: scalar(2), eps: scalar(0), grad: f32([4], g) }, ['read_var', 'read_accum']);
    s.dispose();
    const accum = y.map((yi, i) => yi + g[i]! * g[i]!);
    expect(nums(a!)).toEqual(accum);
    nums(v!).forEach((got, i) => expect(got).toBeCloseTo(x[i]! - (2 * g[i]!) / Math.sqrt(accum[i]!), 5));
  });

  const ftrlGraph = (sparse: boolean) => makeGraph([
    handle('var'), handle('accum'), handle('linear'), ph('grad'), ph('indices', 'int32'), ph('lr'), ph('l1'), ph('l2'), ph('lr_power'),
    makeNode({ name: 'apply', op: sparse ? 'ResourceSparseApplyFtrl' : 'ResourceApplyFtrl', inputs: ['var', 'accum', 'linear', 'grad', ...(sparse ? ['indices'] : []), 'lr', 'l1', 'l2', 'lr_power'], attrs: { T: attr.type('float') } }),
    read('var', 'apply'),
  ]);
  const ftrlFeeds = (g: number[]) => ({ grad: f32([2], g), indices: i32([2], [0, 1]), lr: scalar(3), l1: scalar(0), l2: scalar(0), lr_power: scalar(-0.5) });

  it('FTRL without regularization: three steps give ftrl_test.py testFtrlwithoutRegularization\'s values', async () => {
    for (const sparse of [false, true]) {
      for (const [g, want] of [[[0.1, 0.2], [-2.60260963, -4.29698515]], [[0.01, 0.02], [-0.28432083, -0.56694895]]] as const) {
        const variables = new Map([['var', f32([2], [0, 0])], ['accum', f32([2], [0.1, 0.1])], ['linear', f32([2], [0, 0])]]);
        const s = await createSession(ftrlGraph(sparse), { variables, backend: 'cpu' });
        let last: Tensor | undefined;
        for (let step = 0; step < 3; step++) [last] = await s.run(ftrlFeeds([...g]), ['read_var']);
        s.dispose();
        nums(last!).forEach((got, i) => expect(got, `${sparse ? 'sparse' : 'dense'} ${g}`).toBeCloseTo(want[i]!, 5));
      }
    }
  });

  it('sparse FTRL refuses an index out of range', async () => {
    const variables = new Map([['var', f32([2], [0, 0])], ['accum', f32([2], [0.1, 0.1])], ['linear', f32([2], [0, 0])]]);
    const s = await createSession(ftrlGraph(true), { variables, backend: 'cpu' });
    await expect(s.run({ ...ftrlFeeds([0.1, 0.2]), indices: i32([2], [0, 5]) }, ['read_var'])).rejects.toThrow('Index 5 at offset 1 in indices is out of range');
    s.dispose();
  });
});

describe('Select and SelectV2 on strings (the TF2 save function picks its temp suffix with Select)', () => {
  const s = (shape: number[], v: string[]) => makeStringTensor(shape, v);
  const b = (shape: number[], v: boolean[]) => makeTensor('bool', shape, v);
  it('picks element-wise, a scalar condition picks a whole tensor, a vector condition picks rows (tf.where v1); SelectV2 broadcasts', async () => {
    expect(text((await run('Select', [b([3], [true, false, true]), s([3], ['a', 'b', 'c']), s([3], ['x', 'y', 'z'])], { T: attr.type('string') }))[0]!)).toEqual(['a', 'y', 'c']);
    expect(text((await run('Select', [b([], [false]), s([], ['_temp/part']), s([], ['.part'])], { T: attr.type('string') }))[0]!)).toEqual(['.part']);
    const [rows] = await run('Select', [b([2], [false, true]), s([2, 2], ['a', 'b', 'c', 'd']), s([2, 2], ['w', 'x', 'y', 'z'])], { T: attr.type('string') });
    expect([rows!.shape, text(rows!)]).toEqual([[2, 2], ['w', 'x', 'c', 'd']]);
    const [bc] = await run('SelectV2', [b([2, 1], [true, false]), s([1, 3], ['a', 'b', 'c']), s([], ['-'])], { T: attr.type('string') });
    expect([bc!.shape, text(bc!)]).toEqual([[2, 3], ['a', 'b', 'c', '-', '-', '-']]);
  });
});
