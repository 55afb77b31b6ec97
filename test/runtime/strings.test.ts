/**
 * String ops against TensorFlow's own values. Every expected value below is copied from the
 * TensorFlow (or farmhash reference) source named in the comment above it, not computed by graft.
 */
import { describe, expect, it } from 'vitest';
import { attr, type AttrValue } from '../../src/ir/attr';
import type { DType } from '../../src/ir/dtype';
import { makeNode } from '../../src/ir/node';
import { type Tensor, makeStringTensor, makeTensor, tensorStrings, tensorToArray } from '../../src/ir/tensor';
import { evaluateNode } from '../../src/runtime';
import { fingerprint64, legacyHash64, sipHash24 } from '../../src/runtime/kernels/hashes';
import { re2ToJs } from '../../src/runtime/kernels/re2';
import { failure } from '../helpers/failure';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (t: Tensor) => tensorStrings(t).map((b) => new TextDecoder().decode(b));
const ints = (t: Tensor) => Array.from(tensorToArray(t) as ArrayLike<number | bigint>, Number);
const strs = (values: string[], shape = [values.length]) => makeStringTensor(shape, values);

async function run(op: string, inputs: Tensor[], attrs: Record<string, AttrValue> = {}): Promise<Tensor[]> {
  return evaluateNode(makeNode({ name: 'op', op, inputs: inputs.map((_, i) => `in${i}`), attrs }), inputs, { backend: 'cpu' });
}

describe('Fingerprint64 (farmhash na Hash64), bit-exact', () => {
  // [input, Fingerprint64 as unsigned 64-bit, source]
  const table: [string, bigint, string][] = [
    // tensorflow/core/platform/fingerprint_test.cc, TEST(Fingerprint64, IsForeverFrozen)
    ['Hello', 15404698994557526151n, 'fingerprint_test.cc'],
    ['World', 18308117990299812472n, 'fingerprint_test.cc'],
    // tensorflow/python/kernel_tests/strings_ops/string_to_hash_bucket_op_test.py (comments of testStringToHashBucketsFast)
    ['a', 12917804110809363939n, 'string_to_hash_bucket_op_test.py'],
    ['b', 11795596070477164822n, 'string_to_hash_bucket_op_test.py'],
    ['c', 11430444447143000872n, 'string_to_hash_bucket_op_test.py'],
    ['d', 4470636696479570465n, 'string_to_hash_bucket_op_test.py'],
    // farmhash's empty-string value is k2 (farmhash.cc, HashLen0to16)
    ['', 0x9ae16a3b2f90404fn, 'farmhash.cc'],
    // guava FarmHashFingerprint64Test.testReallySimpleFingerprints (signed longs there): 4, 32 and 256 bytes
    ['test', 8581389452482819506n, 'guava FarmHashFingerprint64Test'],
    ['test'.repeat(8), BigInt.asUintN(64, -4196240717365766262n), 'guava FarmHashFingerprint64Test'],
    ['test'.repeat(64), 3500507768004279527n, 'guava FarmHashFingerprint64Test'],
    // BigQuery's FARM_FINGERPRINT documentation example (FARM_FINGERPRINT is farmhash Fingerprint64): CONCAT('1', 'foo', 'true')
    ['1footrue', BigInt.asUintN(64, -1541654101129638711n), 'BigQuery FARM_FINGERPRINT docs'],
  ];
  it.each(table)('Fingerprint64(%j) = %s (%s)', (s, want) => {
    expect(fingerprint64(bytes(s))).toBe(want);
  });

  it("TensorFlow's legacy Hash64 and SipHash (StrongKeyedHash) values", () => {
    // string_to_hash_bucket_op_test.py, testStringToHashBucketsLegacyHash comments
    expect(['a', 'b', 'c'].map((s) => legacyHash64(bytes(s)))).toEqual([2996632905371535868n, 5795986006276551370n, 14899841994519054197n]);
    // string_to_hash_bucket_op_test.py, testStringToHashBucketsStrong comments (key = [98765, 132])
    expect(['a', 'b', 'c'].map((s) => sipHash24(98765n, 132n, bytes(s)))).toEqual([7157389809176466784n, 15805638358933211562n, 18100027895074076528n]);
  });
});

describe('StringToHashBucket ops', () => {
  it('StringToHashBucketFast', async () => {
    // tf.strings.to_hash_bucket_fast docs: (["Hello", "TensorFlow", "2.x"], 3) -> [0 2 2]
    const [a] = await run('StringToHashBucketFast', [strs(['Hello', 'TensorFlow', '2.x'])], { num_buckets: attr.i(3) });
    expect(a!.dtype).toBe('int64');
    expect(ints(a!)).toEqual([0, 2, 2]);
    // string_to_hash_bucket_op_test.py: ['a','b','c','d'] into 10 buckets -> [9, 2, 2, 5]; into 1 -> zeros
    const [b] = await run('StringToHashBucketFast', [strs(['a', 'b', 'c', 'd'], [2, 2])], { num_buckets: attr.i(10) });
    expect(b!.shape).toEqual([2, 2]);
    expect(ints(b!)).toEqual([9, 2, 2, 5]);
    const [c] = await run('StringToHashBucketFast', [strs(['a', 'b', 'c'])], { num_buckets: attr.i(1) });
    expect(ints(c!)).toEqual([0, 0, 0]);
  });

  it('StringToHashBucketStrong and the legacy StringToHashBucket', async () => {
    // tf.strings.to_hash_bucket_strong docs: (["Hello", "TF"], 3, [1, 2]) -> [2 0]
    const [a] = await run('StringToHashBucketStrong', [strs(['Hello', 'TF'])], { num_buckets: attr.i(3), key: attr.list({ i: [1, 2] }) });
    expect(ints(a!)).toEqual([2, 0]);
    // string_to_hash_bucket_op_test.py: key [98765, 132], 10 buckets -> [4, 2, 8]
    const [b] = await run('StringToHashBucketStrong', [strs(['a', 'b', 'c'])], { num_buckets: attr.i(10), key: attr.list({ i: [98765, 132] }) });
    expect(ints(b!)).toEqual([4, 2, 8]);
    expect(await failure(run('StringToHashBucketStrong', [strs(['a'])], { num_buckets: attr.i(10), key: attr.list({ i: [98765] }) }))).toContain('Key must have 2 elements');
    // testStringToHashBucketsLegacyHash: ['a','b','c'] into 10 -> [8, 0, 7]
    const [c] = await run('StringToHashBucket', [strs(['a', 'b', 'c'])], { num_buckets: attr.i(10) });
    expect(ints(c!)).toEqual([8, 0, 7]);
  });
});

describe('AsString (tensorflow/core/kernels/as_string_op_test.cc)', () => {
  const f = [-42, 0, 3.14159, 42];
  const cases: [string, DType, number[], Record<string, AttrValue>, string[]][] = [
    ['Int8', 'int8', [-42, 0, 42], {}, ['-42', '0', '42']],
    ['Int64', 'int64', [-42, 0, 42], {}, ['-42', '0', '42']],
    ['FloatDefault', 'float', f, {}, ['-42.000000', '0.000000', '3.141590', '42.000000']],
    ['FloatScientific', 'float', f, { scientific: attr.b(true) }, ['-4.200000e+01', '0.000000e+00', '3.141590e+00', '4.200000e+01']],
    ['FloatShortest', 'float', f, { shortest: attr.b(true) }, ['-42', '0', '3.14159', '42']],
    ['FloatPrecisionOnly', 'float', f, { precision: attr.i(2) }, ['-42.00', '0.00', '3.14', '42.00']],
    ['FloatWidthOnly', 'float', f, { width: attr.i(5) }, ['-42.000000', '0.000000', '3.141590', '42.000000']],
    ['Float_5_2_Format', 'float', f, { width: attr.i(5), precision: attr.i(2) }, ['-42.00', ' 0.00', ' 3.14', '42.00']],
    ['FillWithZero', 'int64', [-42, 0, 42], { fill: attr.s('0'), width: attr.i(4) }, ['-042', '0000', '0042']],
    ['FillWithSpace', 'int64', [-42, 0, 42], { fill: attr.s(' '), width: attr.i(4) }, [' -42', '   0', '  42']],
    ['FillWithChar1', 'int64', [-42, 0, 42], { fill: attr.s('-'), width: attr.i(4) }, ['-42 ', '0   ', '42  ']],
    ['Bool', 'bool', [1, 0], {}, ['true', 'false']],
    ['Complex', 'complex64', [-4, 2, 0, 0, 3.14159, -1], { width: attr.i(5), precision: attr.i(2) }, ['(-4.00, 2.00)', '( 0.00, 0.00)', '( 3.14,-1.00)']],
  ];
  it.each(cases)('%s', async (_name, dtype, values, attrs, want) => {
    const n = dtype.startsWith('complex') ? values.length / 2 : values.length;
    const [y] = await run('AsString', [makeTensor(dtype, [n], values)], attrs);
    expect(text(y!)).toEqual(want);
  });

  it("refuses what TensorFlow refuses, with TensorFlow's message", async () => {
    const i32 = makeTensor('int32', [1], [1]);
    expect(await failure(run('AsString', [makeTensor('float', [1], [1])], { scientific: attr.b(true), shortest: attr.b(true) }))).toContain('Cannot select both scientific and shortest notation');
    expect(await failure(run('AsString', [i32], { shortest: attr.b(true) }))).toContain('scientific and shortest format not supported for datatype');
    expect(await failure(run('AsString', [i32], { precision: attr.i(5) }))).toContain('precision not supported for datatype');
    expect(await failure(run('AsString', [i32], { fill: attr.s('asdf') }))).toContain('Fill string must be one or fewer characters');
    expect(await failure(run('AsString', [i32], { fill: attr.s('s') }))).toContain('Fill argument not supported: "s"');
  });

  it('rounds the exact binary value half to even, as C printf does', async () => {
    // 0.125 and 0.375 are exact in binary: %.2f gives 0.12 and 0.38 in glibc (JS toFixed says 0.13).
    const [y] = await run('AsString', [makeTensor('double', [3], [0.125, 0.375, 2.5])], { precision: attr.i(2) });
    expect(text(y!)).toEqual(['0.12', '0.38', '2.50']);
    const [z] = await run('AsString', [makeTensor('double', [2], [2.5, 1e-5])], { shortest: attr.b(true), precision: attr.i(1) });
    expect(text(z!)).toEqual(['2', '1e-05']);
  });
});

describe('StringJoin, StringSplitV2, Substr, StringLength, case, strip', () => {
  it('StringJoin broadcasts scalars', async () => {
    const [y] = await run('StringJoin', [strs(['a', 'b']), strs(['-'], []), strs(['x', 'y'])], { separator: attr.s('/'), N: attr.i(3) });
    expect(text(y!)).toEqual(['a/-/x', 'b/-/y']);
  });

  it("StringSplitV2 splits as Python's str.split (string_split_op_test.py values)", async () => {
    // testSplitV2: ["pigs on the wing", "animals"] with sep " " -> indices, values, shape [2, 4]
    const [idx, vals, shape] = await run('StringSplitV2', [strs(['pigs on the wing', 'animals']), strs([' '], [])]);
    expect(ints(idx!)).toEqual([0, 0, 0, 1, 0, 2, 0, 3, 1, 0]);
    expect(text(vals!)).toEqual(['pigs', 'on', 'the', 'wing', 'animals']);
    expect(ints(shape!)).toEqual([2, 4]);
    // testSplitV2MultiCharSeparator: ["1<>2<>3", "<><>4<>5<><>6<>"] sep "<>"
    const [, v2, s2] = await run('StringSplitV2', [strs(['1<>2<>3', '<><>4<>5<><>6<>']), strs(['<>'], [])]);
    expect(text(v2!)).toEqual(['1', '2', '3', '', '', '4', '5', '', '6', '']);
    expect(ints(s2!)).toEqual([2, 7]);
    // testSplitV2SimpleSeparatorMaxSplit: ["1,2,3", "4,5,,6,"] sep "," maxsplit 1
    const [, v3] = await run('StringSplitV2', [strs(['1,2,3', '4,5,,6,']), strs([','], [])], { maxsplit: attr.i(1) });
    expect(text(v3!)).toEqual(['1', '2,3', '4', '5,,6,']);
    // testSplitV2EmptySeparator: ["1 2 3", "  4  5    6  "] -> whitespace runs
    const [, v4, s4] = await run('StringSplitV2', [strs(['1 2 3', '  4  5    6  ']), strs([''], [])]);
    expect(text(v4!)).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(ints(s4!)).toEqual([2, 3]);
    // testSplitV2EmptySeparatorMaxSplit: maxsplit 1 -> ['1', '2 3', '4', '5    6  ']
    const [, v5] = await run('StringSplitV2', [strs(['1 2 3', '  4  5    6  ']), strs([''], [])], { maxsplit: attr.i(1) });
    expect(text(v5!)).toEqual(['1', '2 3', '4', '5    6  ']);
  });

  it('Substr by bytes and by UTF-8 characters (worked out from substr_op.cc)', async () => {
    const i32 = (v: number) => makeTensor('int32', [], [v]);
    const [a] = await run('Substr', [strs(['Hello', 'World']), i32(1), i32(3)]);
    expect(text(a!)).toEqual(['ell', 'orl']);
    const [b] = await run('Substr', [strs(['Hello']), i32(-3), i32(2)]);
    expect(text(b!)).toEqual(['ll']);
    // UTF8_CHAR: "Bj\u00f6rn" chars 1..3 -> "j\u00f6r"; negative pos counts characters from the end
    const [c] = await run('Substr', [strs(['Bj\u00f6rn', '\u00e9t\u00e9']), i32(1), i32(3)], { unit: attr.s('UTF8_CHAR') });
    expect(text(c!)).toEqual(['j\u00f6r', 't\u00e9']);
    const [d] = await run('Substr', [strs(['Bj\u00f6rn']), i32(-3), i32(2)], { unit: attr.s('UTF8_CHAR') });
    expect(text(d!)).toEqual(['\u00f6r']);
    expect(await failure(run('Substr', [strs(['abc']), i32(4), i32(1)]))).toContain("pos 4 out of range for string b'abc' at index 0");
    const [len] = await run('StringLength', [strs(['H\u00e9llo'])], { unit: attr.s('UTF8_CHAR') });
    expect(ints(len!)).toEqual([5]);
    const [blen] = await run('StringLength', [strs(['H\u00e9llo'])]);
    expect(ints(blen!)).toEqual([6]);
  });

  it('StringLower/Upper are ASCII unless encoding is utf-8; StringStrip strips ASCII whitespace', async () => {
    const [a] = await run('StringLower', [strs(['CamelCase \u00c9'])]);
    expect(text(a!)).toEqual(['camelcase \u00c9']);
    const [b] = await run('StringLower', [strs(['CamelCase \u00c9'])], { encoding: attr.s('utf-8') });
    expect(text(b!)).toEqual(['camelcase \u00e9']);
    const [c] = await run('StringUpper', [strs(['abc'])]);
    expect(text(c!)).toEqual(['ABC']);
    const [d] = await run('StringStrip', [strs(['\t hi there \n', ''])]);
    expect(text(d!)).toEqual(['hi there', '']);
  });
});

describe('regex ops (RE2 syntax)', () => {
  it('StaticRegexFullMatch anchors the whole string; TF Transform\'s vocabulary filter works', async () => {
    const [a] = await run('StaticRegexFullMatch', [strs(['abc', 'abcd', 'xabc'])], { pattern: attr.s('a.c') });
    expect(ints(a!)).toEqual([1, 0, 0]);
    // tfx_transform_fn's pattern: empty strings or ones holding a newline
    const [b] = await run('StaticRegexFullMatch', [strs(['', 'Cash', 'a\nb', 'x\r'])], { pattern: attr.s('^$|\\C*[\\n\\r]\\C*') });
    expect(ints(b!)).toEqual([1, 0, 1, 1]);
    // The saver's sharded-filename check in every TF2 SavedModel
    const [c] = await run('StaticRegexFullMatch', [strs(['s3://bucket/x', '/tmp/x'])], { pattern: attr.s('^s3://.*') });
    expect(ints(c!)).toEqual([1, 0]);
  });

  it('StaticRegexReplace and RegexReplace use RE2 rewrites (\\1, \\0)', async () => {
    const [a] = await run('StaticRegexReplace', [strs(['hello world', 'aaa'])], { pattern: attr.s('(\\w+) (\\w+)'), rewrite: attr.s('\\2 \\1') });
    expect(text(a!)).toEqual(['world hello', 'aaa']);
    const [b] = await run('StaticRegexReplace', [strs(['aaa'])], { pattern: attr.s('a'), rewrite: attr.s('b'), replace_global: attr.b(false) });
    expect(text(b!)).toEqual(['baa']);
    const [c] = await run('RegexReplace', [strs(['a.b.c']), strs(['\\.'], []), strs(['[\\0]$1'], [])]);
    expect(text(c!)).toEqual(['a[.]$1b[.]$1c']);
  });

  it('translates RE2-only syntax and refuses what JS would read differently', () => {
    expect(new RegExp(re2ToJs('[[:digit:]]+').source, 'u').test('42')).toBe(true);
    expect(re2ToJs('(?P<year>\\d{4})').source).toBe('(?<year>\\d{4})');
    expect(re2ToJs('(?i)abc').flags).toContain('i');
    expect(() => re2ToJs('(a)\\1')).toThrow(/backreference/);
    expect(() => re2ToJs('a(?=b)')).toThrow(/lookaround/);
    // RE2's . matches \r and its \s is ASCII only
    expect(new RegExp(`^${re2ToJs('.').source}$`, 'u').test('\r')).toBe(true);
    expect(new RegExp(re2ToJs('\\s').source, 'u').test('\u00a0')).toBe(false);
  });
});

describe('Where', () => {
  it('lists the coordinates of true elements, row-major, as int64', async () => {
    const [y] = await run('Where', [makeTensor('bool', [2, 3], [1, 0, 0, 0, 1, 1])]);
    expect(y!.dtype).toBe('int64');
    expect(y!.shape).toEqual([3, 2]);
    expect(ints(y!)).toEqual([0, 0, 1, 1, 1, 2]);
    const [z] = await run('Where', [makeTensor('float', [3], [0, -2, 0.5])]);
    expect(ints(z!)).toEqual([1, 2]);
  });
});
