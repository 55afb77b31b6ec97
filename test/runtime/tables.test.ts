/**
 * Lookup tables: creation, initialization from constants and from a vocabulary file with each of
 * TensorFlow's key_index/value_index modes (tensorflow/core/kernels/lookup_util.cc), lookups,
 * mutable tables, and the session's init handling. Expected values are worked out by hand from
 * the file contents in each test.
 */
import { describe, expect, it } from 'vitest';
import { attr, type AttrValue } from '../../src/ir/attr';
import type { DType } from '../../src/ir/dtype';
import type { Graph } from '../../src/ir/graph';
import { type Tensor, makeStringTensor, makeTensor, tensorStrings, tensorToArray } from '../../src/ir/tensor';
import { createSession, runGraph } from '../../src/runtime';
import { graphBuilder } from '../helpers/graph-builder';
import { failure } from '../helpers/failure';

const text = (t: Tensor) => tensorStrings(t).map((b) => new TextDecoder().decode(b));
const ints = (t: Tensor) => Array.from(tensorToArray(t) as ArrayLike<number | bigint>, Number);
const files = (m: Record<string, string>) => async (p: string) => {
  const v = m[p];
  if (v === undefined) throw new Error(`no such file: ${p}`);
  return new TextEncoder().encode(v);
};

interface TextInit {
  keyDType: DType;
  valueDType: DType;
  keyIndex: number;
  valueIndex: number;
  vocabSize?: number;
  delimiter?: string;
  offset?: number;
}

/** table = HashTableV2; init = InitializeTableFromTextFileV2(table, 'vocab.txt'); out = Find(table, keys, default). */
function textTableGraph(o: TextInit, keys: Tensor, fallback: Tensor): Graph {
  const b = graphBuilder();
  b.op('HashTableV2', [], { key_dtype: attr.type(o.keyDType), value_dtype: attr.type(o.valueDType), shared_name: attr.s('vocab_table') }, 'table');
  b.const('filename', makeStringTensor([], ['vocab.txt']));
  const attrs: Record<string, AttrValue> = { key_index: attr.i(o.keyIndex), value_index: attr.i(o.valueIndex) };
  if (o.vocabSize !== undefined) attrs.vocab_size = attr.i(o.vocabSize);
  if (o.delimiter !== undefined) attrs.delimiter = attr.s(o.delimiter);
  if (o.offset !== undefined) attrs.offset = attr.i(o.offset);
  b.op('InitializeTableFromTextFileV2', ['table', 'filename'], attrs, 'init');
  b.const('keys', keys);
  b.const('default', fallback);
  b.op('LookupTableFindV2', ['table', 'keys', 'default'], { Tin: attr.type(o.keyDType), Tout: attr.type(o.valueDType) }, 'out');
  b.op('LookupTableSizeV2', ['table'], {}, 'size');
  return b.graph();
}

const VOCAB = 'apple\t10\t0.5\nbanana\t20\t1.5\r\ncherry\t30\t2.5\n';
const strs = (v: string[]) => makeStringTensor([v.length], v);
const i64 = (v: number[]) => makeTensor('int64', [v.length], v);

describe('InitializeTableFromTextFileV2 modes', () => {
  const readFile = files({ 'vocab.txt': VOCAB });

  it('key = whole line (-2), value = line number (-1): a vocabulary lookup (TF Transform apply_vocabulary)', async () => {
    const vocab = 'Cash\nCredit Card\nNo Charge\n';
    const g = textTableGraph({ keyDType: 'string', valueDType: 'int64', keyIndex: -2, valueIndex: -1 }, strs(['Credit Card', 'Bitcoin', 'Cash']), i64([-1]));
    const [out, size] = await runGraph(g, {}, ['out', 'size'], { backend: 'cpu', readFile: files({ 'vocab.txt': vocab }) });
    expect(out!.dtype).toBe('int64');
    expect(ints(out!)).toEqual([1, -1, 0]);
    expect(ints(size!)).toEqual([3]);
  });

  it('key and value from delimited columns, a trailing \\r dropped, int32 and float values', async () => {
    const g = textTableGraph({ keyDType: 'string', valueDType: 'int64', keyIndex: 0, valueIndex: 1 }, strs(['banana', 'cherry', 'durian']), i64([0]));
    const [out] = await runGraph(g, {}, ['out'], { backend: 'cpu', readFile });
    expect(ints(out!)).toEqual([20, 30, 0]);
    const f = textTableGraph({ keyDType: 'string', valueDType: 'float', keyIndex: 0, valueIndex: 2 }, strs(['apple', 'cherry']), makeTensor('float', [1], [-1]));
    const [fo] = await runGraph(f, {}, ['out'], { backend: 'cpu', readFile });
    expect(Array.from(tensorToArray(fo!) as Float32Array)).toEqual([0.5, 2.5]);
  });

  it('line-number keys with offset; vocab_size stops early', async () => {
    // key = line number + offset (int64), value = whole line
    const g = textTableGraph({ keyDType: 'int64', valueDType: 'string', keyIndex: -1, valueIndex: -2, offset: 100 }, i64([100, 102, 7]), makeStringTensor([], ['?']));
    const [out] = await runGraph(g, {}, ['out'], { backend: 'cpu', readFile });
    expect(text(out!)).toEqual(['apple\t10\t0.5', 'cherry\t30\t2.5', '?']);
    // vocab_size 2: cherry is not read
    const h = textTableGraph({ keyDType: 'string', valueDType: 'int64', keyIndex: 0, valueIndex: -1, vocabSize: 2 }, strs(['apple', 'banana', 'cherry']), i64([-1]));
    const [o2, size] = await runGraph(h, {}, ['out', 'size'], { backend: 'cpu', readFile });
    expect(ints(o2!)).toEqual([0, 1, -1]);
    expect(ints(size!)).toEqual([2]);
  });

  it('another delimiter; int64 keys parsed from a column', async () => {
    const g = textTableGraph({ keyDType: 'int64', valueDType: 'string', keyIndex: 1, valueIndex: 0, delimiter: ',' }, i64([7, 8]), makeStringTensor([], ['']));
    const [out] = await runGraph(g, {}, ['out'], { backend: 'cpu', readFile: files({ 'vocab.txt': 'seven,7\neight,8' }) });
    expect(text(out!)).toEqual(['seven', 'eight']);
  });

  it("fails with TensorFlow's messages", async () => {
    const run = (o: TextInit, vocab: string, keys: Tensor = strs(['a']), def: Tensor = i64([0])) =>
      runGraph(textTableGraph(o, keys, def), {}, ['out'], { backend: 'cpu', readFile: files({ 'vocab.txt': vocab }) });
    expect(await failure(run({ keyDType: 'string', valueDType: 'int64', keyIndex: -2, valueIndex: -1, vocabSize: 5 }, 'a\nb\n'))).toContain(
      'Invalid vocab_size in vocab.txt: expected 5 but got 2',
    );
    expect(await failure(run({ keyDType: 'string', valueDType: 'int64', keyIndex: -2, valueIndex: -1 }, 'a\n\nb\n'))).toContain('Invalid content in vocab.txt: empty line found at position 3.');
    expect(await failure(run({ keyDType: 'string', valueDType: 'int64', keyIndex: 0, valueIndex: 1 }, 'a\t1\nb\n'))).toContain(
      'Invalid number of columns in vocab.txt line 1 (b) : expected at least 2 got 1',
    );
    expect(await failure(run({ keyDType: 'string', valueDType: 'int64', keyIndex: 0, valueIndex: 1 }, 'a\tx\n'))).toContain('Field x in line 0 is not a valid int64.');
    expect(await failure(run({ keyDType: 'string', valueDType: 'string', keyIndex: 0, valueIndex: -1 }, 'a\n', strs(['a']), makeStringTensor([], [''])))).toContain(
      'Value index for line number requires table value dtype of int64, got string',
    );
    expect(await failure(run({ keyDType: 'string', valueDType: 'int64', keyIndex: -2, valueIndex: -1 }, 'a\na\n'))).toContain('HashTable has different value for same key. Key a has 0 and trying to add value 1');
    // No file reader given: a clear error naming the node
    const g = textTableGraph({ keyDType: 'string', valueDType: 'int64', keyIndex: -2, valueIndex: -1 }, strs(['a']), i64([0]));
    expect(await failure(runGraph(g, {}, ['out'], { backend: 'cpu' }))).toMatch(/Node 'init' \(InitializeTableFromTextFileV2\): cannot read 'vocab.txt'/);
  });
});

describe('tables from constants, mutable tables, init ops', () => {
  function constTable(withInit: boolean): Graph {
    const b = graphBuilder();
    b.op('HashTableV2', [], { key_dtype: attr.type('string'), value_dtype: attr.type('int64') }, 'table');
    b.const('k', strs(['x', 'y']));
    b.const('v', i64([1, 2]));
    if (withInit) b.op('InitializeTableV2', ['table', 'k', 'v'], { Tkey: attr.type('string'), Tval: attr.type('int64') }, 'init');
    b.placeholder('q', 'string', [-1]);
    b.const('d', i64([-1]));
    b.op('LookupTableFindV2', ['table', 'q', 'd'], { Tin: attr.type('string'), Tout: attr.type('int64') }, 'find');
    return b.graph();
  }

  it('InitializeTableV2 fills the table; the session runs it once, before the first lookup', async () => {
    const s = await createSession(constTable(true), { backend: 'cpu' });
    try {
      const [a] = await s.run({ q: strs(['y', 'z', 'x']) }, ['find']);
      const [b] = await s.run({ q: strs(['x']) }, ['find']);
      expect(ints(a!)).toEqual([2, -1, 1]);
      expect(ints(b!)).toEqual([1]);
    } finally {
      s.dispose();
    }
  });

  it("a table nothing initializes fails with 'Table not initialized.'", async () => {
    expect(await failure(runGraph(constTable(false), { q: strs(['x']) }, ['find'], { backend: 'cpu' }))).toContain('Table not initialized.');
  });

  it('an explicit init op (a NoOp grouping initializers) runs with its feeds', async () => {
    const b = graphBuilder();
    b.op('HashTableV2', [], { key_dtype: attr.type('string'), value_dtype: attr.type('int64') }, 'table');
    b.const('asset_path', makeStringTensor([], ['/build/machine/vocab']));
    b.op('InitializeTableFromTextFileV2', ['table', 'asset_path'], { key_index: attr.i(-2), value_index: attr.i(-1) }, 'init_table');
    b.op('NoOp', ['^init_table'], {}, 'legacy_init_op');
    b.placeholder('q', 'string', [-1]);
    b.const('d', i64([-1]));
    b.op('LookupTableFindV2', ['table', 'q', 'd'], { Tin: attr.type('string'), Tout: attr.type('int64') }, 'find');
    const [out] = await runGraph(b.graph(), { q: strs(['b']) }, ['find'], {
      backend: 'cpu',
      readFile: files({ 'model/assets/vocab': 'a\nb\n' }),
      init: { targets: ['legacy_init_op'], feeds: { 'asset_path:0': makeStringTensor([], ['model/assets/vocab']) } },
    });
    expect(ints(out!)).toEqual([1]);
  });

  it('MutableHashTableV2: import replaces, insert and remove edit, export lists the entries', async () => {
    const b = graphBuilder();
    b.op('MutableHashTableV2', [], { key_dtype: attr.type('int64'), value_dtype: attr.type('float') }, 'table');
    b.const('k', i64([1, 2, 3]));
    b.const('v', makeTensor('float', [3], [0.5, 1.5, 2.5]));
    b.op('LookupTableImportV2', ['table', 'k', 'v'], { Tin: attr.type('int64'), Tout: attr.type('float') }, 'import');
    b.const('k2', i64([4]));
    b.const('v2', makeTensor('float', [1], [9]));
    b.op('LookupTableInsertV2', ['table', 'k2', 'v2', '^import'], { Tin: attr.type('int64'), Tout: attr.type('float') }, 'insert');
    b.const('k3', i64([2]));
    b.op('LookupTableRemoveV2', ['table', 'k3', '^insert'], { Tin: attr.type('int64') }, 'remove');
    b.op('LookupTableExportV2', ['table', '^remove'], { Tkeys: attr.type('int64'), Tvalues: attr.type('float') }, 'export');
    b.op('LookupTableSizeV2', ['table', '^remove'], {}, 'size');
    const [keys, values, size] = await runGraph(b.graph(), {}, ['export:0', 'export:1', 'size'], { backend: 'cpu' });
    expect(ints(keys!)).toEqual([1, 3, 4]);
    expect(Array.from(tensorToArray(values!) as Float32Array)).toEqual([0.5, 2.5, 9]);
    expect(ints(size!)).toEqual([3]);
  });
});
