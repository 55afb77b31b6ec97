/**
 * Lookup-table facts shared by the runtime and freezing: which ops create and fill tables, and how
 * `InitializeTableFromTextFileV2` reads a vocabulary file (`tensorflow/core/kernels/lookup_util.cc`):
 * `key_index`/`value_index` -1 is the line number (plus `offset`), -2 the whole line, n >= 0 the
 * n-th `delimiter`-separated field; `vocab_size` stops early and fails when the file is shorter;
 * an empty line is an error; a trailing `\r` is dropped (InputBuffer::ReadLine); `offset` is also
 * added to int32 fields, as TensorFlow does. Works on bytes: no file system here.
 */
import { GraftError } from '../errors';
import type { DType } from './dtype';
import { type Tensor, makeStringTensor, makeTensor } from './tensor';

/** One key or value: a number, an int64 as bigint, or a string's bytes. */
export type Scalar = number | bigint | Uint8Array;

/** Ops that fill a table: what a SavedModel's init op runs. */
export const TABLE_INIT_OPS: ReadonlySet<string> = new Set([
  'InitializeTable', 'InitializeTableV2', 'InitializeTableFromTextFile', 'InitializeTableFromTextFileV2', 'LookupTableImportV2', 'LookupTableImport',
]);

/** Ops that create a table resource. */
export const TABLE_CREATE_OPS: ReadonlySet<string> = new Set(['HashTable', 'HashTableV2', 'MutableHashTable', 'MutableHashTableV2']);

const LINE_NUMBER = -1;
const WHOLE_LINE = -2;
const isInteger = (d: DType) => ['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64'].includes(d);

/** The lines of a vocabulary file as TensorFlow's InputBuffer::ReadLine reads them. */
function readLines(bytes: Uint8Array): { line: Uint8Array; end: number }[] {
  const out: { line: Uint8Array; end: number }[] = [];
  let start = 0;
  while (start < bytes.length) {
    let nl = bytes.indexOf(0x0a, start);
    const last = nl < 0;
    if (last) nl = bytes.length;
    let line = bytes.subarray(start, nl);
    if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
    const end = last ? nl : nl + 1;
    if (last && line.length === 0) break;
    out.push({ line, end });
    start = end;
  }
  return out;
}

function splitBytes(line: Uint8Array, delim: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i <= line.length; i++) {
    if (i === line.length || line[i] === delim) {
      out.push(line.subarray(start, i));
      start = i + 1;
    }
  }
  return out;
}

function parseField(fail: (m: string) => Error, token: Uint8Array, dtype: DType, lineNo: number, offset: number): Scalar {
  const s = new TextDecoder().decode(token);
  const t = s.trim();
  if (dtype === 'string') return token.slice();
  if (isInteger(dtype)) {
    if (!/^[+-]?\d+$/.test(t)) throw fail(`Field ${s} in line ${lineNo} is not a valid ${dtype}.`);
    const n = BigInt(t);
    if (dtype === 'int64') return n;
    if (n < -2147483648n || n > 2147483647n) throw fail(`Field ${s} in line ${lineNo} is not a valid ${dtype}.`);
    // TensorFlow adds `offset` to int32 fields (and to line numbers), not to int64 ones.
    return Number(n) + (dtype === 'int32' ? offset : 0);
  }
  if (dtype === 'float' || dtype === 'double') {
    const v = Number(t);
    if (t === '' || (Number.isNaN(v) && !/^[+-]?nan$/i.test(t))) throw fail(`Field ${s} in line ${lineNo} is not a valid ${dtype}.`);
    return dtype === 'float' ? Math.fround(v) : v;
  }
  throw fail(`Data type ${dtype} not supported.`);
}

/** What `InitializeTableFromTextFileV2` reads from its attributes and its table. */
export interface TextFileTableSpec {
  readonly keyDType: DType;
  readonly valueDType: DType;
  readonly keyIndex: number;
  readonly valueIndex: number;
  readonly vocabSize: number;
  readonly delimiter: string;
  readonly offset: number;
}

export function checkTextFileSpec(spec: TextFileTableSpec, fail: (m: string) => Error): void {
  const { keyDType, valueDType, keyIndex, valueIndex, delimiter } = spec;
  if (keyIndex === LINE_NUMBER && keyDType !== 'int64') throw fail(`Key index for line number requires table key dtype of int64, got ${keyDType}`);
  if (keyIndex === WHOLE_LINE && !isInteger(keyDType) && keyDType !== 'string') throw fail(`Key index for whole line requires string or integer table key, got ${keyDType}`);
  if (valueIndex === LINE_NUMBER && valueDType !== 'int64') throw fail(`Value index for line number requires table value dtype of int64, got ${valueDType}`);
  if (valueIndex === WHOLE_LINE && !isInteger(valueDType) && valueDType !== 'string') {
    throw fail(`Value index for whole line requires table value dtype of integer or string, got ${valueDType}`);
  }
  if (delimiter.length !== 1) throw fail(`delimiter should be only 1 char, got '${delimiter}'`);
}

export function parseTextFileEntries(bytes: Uint8Array, filename: string, spec: TextFileTableSpec, fail: (m: string) => Error): [Scalar[], Scalar[]] {
  checkTextFileSpec(spec, fail);
  const { keyDType, valueDType, keyIndex, valueIndex, vocabSize, delimiter, offset } = spec;
  const keys: Scalar[] = [];
  const values: Scalar[] = [];
  const needSplit = Math.max(keyIndex, valueIndex) >= 0;
  let id = 0;
  for (const { line, end } of readLines(bytes)) {
    if (vocabSize !== -1 && id >= vocabSize) break;
    if (line.length === 0) throw fail(`Invalid content in ${filename}: empty line found at position ${end}.`);
    const tokens = needSplit ? splitBytes(line, delimiter.charCodeAt(0)) : [];
    const expected = Math.max(keyIndex, valueIndex) + 1;
    if (needSplit && tokens.length < expected) {
      throw fail(`Invalid number of columns in ${filename} line ${id} (${new TextDecoder().decode(line)}) : expected at least ${expected} got ${tokens.length}`);
    }
    const field = (index: number, dtype: DType): Scalar =>
      index === LINE_NUMBER ? BigInt(id + offset) : parseField(fail, index === WHOLE_LINE ? line : tokens[index]!, dtype, id, offset);
    keys.push(field(keyIndex, keyDType));
    values.push(field(valueIndex, valueDType));
    id++;
  }
  if (vocabSize !== -1 && id !== vocabSize) throw fail(`Invalid vocab_size in ${filename}: expected ${vocabSize} but got ${id}`);
  return [keys, values];
}

/**
 * A vocabulary file's keys and values as `InitializeTableFromTextFileV2` reads them, as two
 * tensors (what freezing folds a text-file initializer into). Throws `runtime/failed` with
 * TensorFlow's message on a malformed file. Duplicate keys are kept (the table refuses them).
 */
export function parseTextFileTable(bytes: Uint8Array, filename: string, spec: TextFileTableSpec): { keys: Tensor; values: Tensor } {
  const [keys, values] = parseTextFileEntries(bytes, filename, spec, (m) => new GraftError('runtime/failed', m, { file: filename }));
  return { keys: scalarTensor(spec.keyDType, keys), values: scalarTensor(spec.valueDType, values) };
}


function scalarTensor(dtype: DType, values: Scalar[]): Tensor {
  if (dtype === 'string') return makeStringTensor([values.length], values as Uint8Array[]);
  return makeTensor(dtype, [values.length], values as (number | bigint)[]);
}

