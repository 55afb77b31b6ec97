/**
 * The evaluator behind `--input_exprs`/`--input_examples`: Python literals and numpy calls read,
 * never executed. Expected dtypes, shapes and values are numpy's (checked with numpy 2.4; the
 * printed forms in comments are `'%s' % value`).
 */
import { describe, expect, it } from 'vitest';
import { numpyStr } from '../../src/inspect/array-text';
import { tensorStrings, tensorToNumbers } from '../../src/ir/tensor';
import { evalPyExpr, pyValueToTensor } from '../../src/verify/py-expr';
import { parseExprsArg, parseInputsArg, savedModelCliFeeds } from '../../src/verify/saved-model-cli-inputs';
import { readExample } from '../../src/io/tf-example';
import { deflateRawSync } from 'node:zlib';
import { npzEntries } from '../../src/io/npz';

const t = (src: string) => pyValueToTensor(evalPyExpr(src));

describe('evalPyExpr', () => {
  it.each([
    ['np.ones((3,1))', 'double', [3, 1], '[[1.]\n [1.]\n [1.]]'],
    ['[[1],[2],[3]]', 'int64', [3, 1], '[[1]\n [2]\n [3]]'],
    ['np.arange(6).reshape(2,3)', 'int64', [2, 3], '[[0 1 2]\n [3 4 5]]'],
    ['np.linspace(0,1,5)', 'double', [5], '[0.   0.25 0.5  0.75 1.  ]'],
    ['np.array([1,2], dtype=np.float32)*2', 'float', [2], '[2. 4.]'],
    ['np.eye(2, 3, dtype=np.int32)', 'int32', [2, 3], '[[1 0 0]\n [0 1 0]]'],
    ["np.zeros(2, dtype='int32')", 'int32', [2], '[0 0]'],
    ['np.full((2,), 7)', 'int64', [2], '[7 7]'],
    ['-np.ones(2)', 'double', [2], '[-1. -1.]'],
    ['np.float32(1.5)', 'float', [], '1.5'],
    ['[1.5, 2]', 'double', [2], '[1.5 2. ]'],
    ['np.ones((32,32,3)).astype(np.float32)', 'float', [32, 32, 3], undefined],
    ['(1, 2.5)', 'double', [2], '[1.  2.5]'],
    ['True', 'bool', [], 'True'],
  ] as const)('%s', (src, dtype, shape, printed) => {
    const v = t(src);
    expect(v.dtype).toBe(dtype);
    expect(v.shape).toEqual(shape);
    if (printed !== undefined) expect(numpyStr(v)).toBe(printed);
  });

  it('strings and bytes become string tensors', () => {
    expect(tensorStrings(t("[b'a', b'bc']")).map((b) => new TextDecoder().decode(b))).toEqual(['a', 'bc']);
    expect(tensorStrings(t('["x" "y"]')).map((b) => new TextDecoder().decode(b))).toEqual(['xy']);
  });

  it('np.random values are seeded and said to be graft’s', () => {
    let told = 0;
    const a = pyValueToTensor(evalPyExpr('np.random.rand(2,2)', { seed: 3, onRandom: () => void told++ }));
    const b = pyValueToTensor(evalPyExpr('np.random.rand(2,2)', { seed: 3 }));
    expect(tensorToNumbers(a)).toEqual(tensorToNumbers(b));
    expect(told).toBe(1);
    expect(tensorToNumbers(a).every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it.each(['__import__("os").system("x")', 'open("f")', 'np.load("x.npy")', 'x', '[i for i in range(3)]', 'np.ones(2)[0]', 'np.ones(2).shape', '1 +'])(
    'refuses %s without running anything',
    (src) => {
      expect(() => evalPyExpr(src)).toThrowError(expect.objectContaining({ code: 'cli/usage' }));
    },
  );

  it('refuses sizes and nesting that would exhaust memory or the stack, before building anything', () => {
    expect(() => evalPyExpr('np.ones((100000,100000))')).toThrowError(expect.objectContaining({ code: 'runtime/too-large' }));
    expect(() => evalPyExpr('np.arange(1e12)')).toThrowError(expect.objectContaining({ code: 'runtime/too-large' }));
    expect(() => evalPyExpr(`${'['.repeat(5000)}1${']'.repeat(5000)}`)).toThrowError(/nested more than 200 deep/);
    expect(() => evalPyExpr(`${'-'.repeat(5000)}1`)).toThrowError(/nested more than 200 deep/);
    // The message quotes at most 80 characters of the expression.
    try {
      evalPyExpr(`${'['.repeat(5000)}1${']'.repeat(5000)}`);
    } catch (e) {
      expect((e as Error).message.length).toBeLessThan(400);
    }
  });
});

describe("saved_model_cli's argument forms", () => {
  it('--inputs: ;-separated, optional [name]; a bad form gets TF’s message', () => {
    expect([...parseInputsArg('x1=/tmp/a.npy;x2=/tmp/b.npz[x];')]).toEqual([
      ['x1', ['/tmp/a.npy', undefined]],
      ['x2', ['/tmp/b.npz', 'x']],
    ]);
    expect(() => parseInputsArg('x1=a.npz[x],x2=b.npy')).toThrow('--inputs "x1=a.npz[x],x2=b.npy" format is incorrect.');
  });

  it('--input_exprs: split at ; then at the first =', () => {
    expect([...parseExprsArg("x1=np.ones((3,1));x2='a=b'")]).toEqual([
      ['x1', 'np.ones((3,1))'],
      ['x2', "'a=b'"],
    ]);
    expect(() => parseExprsArg('np.ones(2)')).toThrow('format is incorrect');
  });

  it('--input_examples: a list of dicts, each a tf.Example; list kinds by the first value’s type', async () => {
    const { feeds } = await savedModelCliFeeds({ inputExamples: 'inputs=[{"x":[1.0], "id":[26], "name":["a"]}, {"x":[2.5]}]' });
    const s = feeds.inputs!;
    expect(s.shape).toEqual([2]);
    const first = readExample(tensorStrings(s)[0]!);
    expect(first.get('x')).toEqual({ kind: 'float', values: [1] });
    expect(first.get('id')).toEqual({ kind: 'int64', values: [26n] });
    expect(first.get('name')).toEqual({ kind: 'bytes', values: [new TextEncoder().encode('a')] });
    await expect(savedModelCliFeeds({ inputExamples: 'inputs={"x":[1.0]}' })).rejects.toThrow('tf.Example input must be a list of dictionaries');
    await expect(savedModelCliFeeds({ inputExamples: 'inputs=[{"x":1.0}]' })).rejects.toThrow('feature value must be a list');
  });

  it('later options override earlier ones, with TensorFlow’s warnings', async () => {
    const r = await savedModelCliFeeds({ inputs: 'x=test/cli/fixtures/two.npz[x]', inputExprs: 'x=[[5.0]]' });
    expect(tensorToNumbers(r.feeds.x!)).toEqual([5]);
    expect(r.warnings).toEqual(['input_key x has been specified with both --inputs and --input_exprs options. Value in --input_exprs will be used.']);
  });

  it('.npz inputs (numpy.savez and savez_compressed files) and the npz rules', async () => {
    const two = await savedModelCliFeeds({ inputs: 'a=test/cli/fixtures/two.npz[y];b=test/cli/fixtures/one-compressed.npz' });
    expect(tensorToNumbers(two.feeds.a!)).toEqual([0.5, 0.5, 0.5]);
    expect(two.feeds.b!.shape).toEqual([2, 3]);
    expect(tensorToNumbers(two.feeds.b!)).toEqual([0, 1, 2, 3, 4, 5]);
    await expect(savedModelCliFeeds({ inputs: 'a=test/cli/fixtures/two.npz' })).rejects.toThrow('contains more than one ndarrays');
    await expect(savedModelCliFeeds({ inputs: 'a=test/cli/fixtures/two.npz[z]' })).rejects.toThrow('does not contain variable with name "z"');
  });

  it('an .npz entry that inflates past its declared size is refused (a zip bomb stops there)', () => {
    const comp = deflateRawSync(new Uint8Array(10_000_000));
    const name = new TextEncoder().encode('x.npy');
    const u16 = (v: number) => [v & 0xff, v >> 8];
    const u32 = (v: number) => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24];
    // Local header, then the central directory entry and its end record: method 8, declared size 100.
    const local = [...u32(0x04034b50), ...u16(20), ...u16(0), ...u16(8), ...u16(0), ...u16(0), ...u32(0), ...u32(comp.length), ...u32(100), ...u16(name.length), ...u16(0), ...name, ...comp];
    const central = [...u32(0x02014b50), ...u16(20), ...u16(20), ...u16(0), ...u16(8), ...u16(0), ...u16(0), ...u32(0), ...u32(comp.length), ...u32(100), ...u16(name.length), ...u16(0), ...u16(0), ...u16(0), ...u16(0), ...u32(0), ...u32(0), ...name];
    const end = [...u32(0x06054b50), ...u16(0), ...u16(0), ...u16(1), ...u16(1), ...u32(central.length), ...u32(local.length), ...u16(0)];
    // Inflating stops at the declared 100 bytes: the 10 MB are never produced.
    expect(() => npzEntries(new Uint8Array([...local, ...central, ...end]), 'bomb.npz')).toThrowError(/bomb\.npz: entry 'x\.npy' does not inflate/);
  });
});
