/**
 * NumPy `.npy` files: read versions 1.0, 2.0 and 3.0, write what `numpy.save` writes.
 *
 * Layout: `\x93NUMPY`, major and minor version bytes, a little-endian header length (uint16 in
 * 1.0, uint32 in 2.0 and 3.0), then a Python dict literal such as
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (100,), }` (latin1 in 1.0/2.0, UTF-8 in
 * 3.0) padded with spaces to a 64-byte boundary and ended by `\n`, then the raw elements.
 *
 * Choices:
 * - Big-endian data (`>f4`) is byte-swapped on read: IR tensors are always little-endian.
 * - `fortran_order: True` data is transposed on read into C order, so the returned tensor has
 *   the file's shape and TensorFlow's (row-major) layout. Writing is always C order.
 * - Only plain numeric and bool dtypes are supported; strings (`<U5`, `|S5`), objects (`|O`),
 *   structured dtypes, datetimes and void are `io/unsupported`. TensorFlow dtypes numpy has no
 *   native type for (bfloat16, the quantized and float8 types, int4, string, resource, variant)
 *   cannot be written.
 * - A file must hold exactly the bytes its header describes: fewer is `io/truncated`, more is
 *   `io/corrupt` (numpy itself ignores trailing bytes; a file like that is not what it claims).
 */
import { GraftError, type ErrorCode } from '../errors';
import { type DType, baseDType, dtypeSize } from '../ir/dtype';
import { type Tensor, numElements, tensorBytes } from '../ir/tensor';
import { checkBytesArgument, checkTensorArgument } from '../ir/check';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** numpy's ARRAY_ALIGN: the data starts on this boundary. */
const ALIGN = 64;
/** numpy's GROWTH_AXIS_MAX_DIGITS: spare spaces so the first dimension can grow in place. */
const GROWTH_DIGITS = 21;

/** numpy type characters (kind + itemsize) to TensorFlow dtypes. */
const FROM_NUMPY: Record<string, DType> = {
  f2: 'half', f4: 'float', f8: 'double', c8: 'complex64', c16: 'complex128',
  i1: 'int8', i2: 'int16', i4: 'int32', i8: 'int64',
  u1: 'uint8', u2: 'uint16', u4: 'uint32', u8: 'uint64', b1: 'bool',
};

const TO_NUMPY: Partial<Record<string, string>> = Object.fromEntries(
  Object.entries(FROM_NUMPY).map(([code, dtype]) => [dtype, code]),
);

/**
 * Reads a `.npy` file into a little-endian, C-order tensor.
 *
 * @param file named in errors.
 * @throws GraftError `io/bad-magic`, `io/truncated`, `io/corrupt` or `io/unsupported`.
 * @example
 * const t = readNpy(await fs.readFile('kernel1.npy'), 'kernel1.npy'); // t.dtype 'float', t.shape [100, 10]
 */
export function readNpy(bytes: Uint8Array, file?: string): Tensor {
  checkBytesArgument('readNpy', 'bytes', bytes);
  const fail = (code: ErrorCode, message: string): GraftError =>
    new GraftError(code, file === undefined ? message : `${file}: ${message}`, file === undefined ? {} : { file });

  if (bytes.length < 8) {
    if (startsWithMagic(bytes, Math.min(bytes.length, MAGIC.length))) throw fail('io/truncated', `.npy file ends after ${bytes.length} bytes, inside its preamble`);
    throw fail('io/bad-magic', 'Not a .npy file: it does not start with \\x93NUMPY');
  }
  if (!startsWithMagic(bytes, MAGIC.length)) throw fail('io/bad-magic', 'Not a .npy file: it does not start with \\x93NUMPY');
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (![1, 2, 3].includes(major) || minor !== 0) {
    throw fail('io/unsupported', `.npy format version ${major}.${minor} is not supported (1.0, 2.0 and 3.0 are)`);
  }
  const lenSize = major === 1 ? 2 : 4;
  const headerStart = 8 + lenSize;
  if (bytes.length < headerStart) throw fail('io/truncated', `.npy file ends after ${bytes.length} bytes, inside its header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (headerLen > bytes.length - headerStart) {
    throw fail('io/truncated', `.npy header claims ${headerLen} bytes but only ${bytes.length - headerStart} follow`);
  }
  const headerBytes = bytes.subarray(headerStart, headerStart + headerLen);
  const headerText = major === 3 ? decodeUtf8(headerBytes, fail) : latin1(headerBytes);
  const header = parseHeader(headerText, fail);

  const dtype = dtypeOfDescr(header.descr, fail);
  const size = dtypeSize(dtype)!;
  const n = countElements(header.shape, fail);
  const dataStart = headerStart + headerLen;
  const available = bytes.length - dataStart;
  // Compare before allocating anything: the shape came from the file.
  if (n * size > available) {
    throw fail('io/truncated', `.npy data holds ${available} bytes, but a ${header.descr}[${header.shape.join(',')}] array needs ${n * size}`);
  }
  if (n * size < available) {
    throw fail('io/corrupt', `.npy file has ${available - n * size} bytes after its ${header.descr}[${header.shape.join(',')}] data`);
  }
  let data: Uint8Array = bytes.slice(dataStart, dataStart + n * size);
  const order = header.descr[0];
  if (order === '>' && size > 1) swapBytes(data, baseDType(dtype).startsWith('complex') ? size / 2 : size);
  if (header.fortranOrder && header.shape.length > 1) data = fortranToC(data, header.shape, size);
  return { dtype, shape: Object.freeze([...header.shape]), data: { kind: 'content', bytes: data } };
}

/**
 * Writes a tensor as `numpy.save` would: format 1.0 (2.0 only if the header needs it), C order,
 * header padded with spaces to a 64-byte boundary and ended by `\n`, including numpy's spare
 * room for growing the first dimension.
 *
 * @throws GraftError `io/unsupported` for dtypes numpy has no native type for.
 * @example
 * await fs.writeFile('w.npy', writeNpy(makeTensor('float', [2], [1, 2])));
 */
export function writeNpy(t: Tensor): Uint8Array {
  checkTensorArgument('writeNpy', 't', t);
  const code = TO_NUMPY[t.dtype];
  if (code === undefined) {
    throw new GraftError('io/unsupported', `Cannot write a ${t.dtype} tensor as .npy: numpy has no native type for it`);
  }
  const descr = `${code.endsWith('1') ? '|' : '<'}${code}`;
  const data = tensorBytes(t);
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${pythonTuple(t.shape)}, }`;
  if (t.shape.length > 0) header += ' '.repeat(Math.max(0, GROWTH_DIGITS - String(t.shape[0]).length));
  // Header text is ASCII here, so latin1 length is the byte length.
  let major = 1;
  let lenSize = 2;
  let hlen = header.length + 1; // + '\n'
  let pad = ALIGN - ((MAGIC.length + 2 + lenSize + hlen) % ALIGN);
  if (hlen + pad > 0xffff) {
    major = 2;
    lenSize = 4;
    pad = ALIGN - ((MAGIC.length + 2 + lenSize + hlen) % ALIGN);
  }
  hlen += pad;
  const prefix = MAGIC.length + 2 + lenSize;
  const out = new Uint8Array(prefix + hlen + data.length);
  out.set(MAGIC, 0);
  out[6] = major;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, hlen, true);
  else view.setUint32(8, hlen, true);
  for (let i = 0; i < header.length; i++) out[prefix + i] = header.charCodeAt(i);
  out.fill(0x20, prefix + header.length, prefix + hlen - 1);
  out[prefix + hlen - 1] = 0x0a;
  out.set(data, prefix + hlen);
  return out;
}

/** Python's repr of a tuple of ints: `()`, `(3,)`, `(2, 3)`. */
function pythonTuple(shape: readonly number[]): string {
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(', ')})`;
}

function startsWithMagic(bytes: Uint8Array, n: number): boolean {
  for (let i = 0; i < n; i++) if (bytes[i] !== MAGIC[i]) return false;
  return true;
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

type Fail = (code: ErrorCode, message: string) => GraftError;

function decodeUtf8(bytes: Uint8Array, fail: Fail): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw fail('io/corrupt', '.npy 3.0 header is not valid UTF-8');
  }
}

interface NpyHeader {
  readonly descr: string;
  readonly fortranOrder: boolean;
  readonly shape: readonly number[];
}

/** A value of the header's Python literal subset. */
type PyValue = string | boolean | number | PyValue[] | { tuple: PyValue[] } | { dict: Map<string, PyValue> };

/**
 * Parses the header dict. Only literals are accepted (numpy uses `ast.literal_eval`); anything
 * else is `io/corrupt`.
 */
function parseHeader(text: string, fail: Fail): NpyHeader {
  let pos = 0;
  const ws = (): void => {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
  };
  const bad = (what: string): GraftError => fail('io/corrupt', `.npy header does not parse (${what} at offset ${pos}): ${JSON.stringify(text.slice(0, 120))}`);
  const value = (depth: number): PyValue => {
    if (depth > 16) throw bad('nesting too deep');
    ws();
    const c = text[pos];
    if (c === undefined) throw bad('unexpected end');
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, pos + 1);
      if (end < 0) throw bad('unterminated string');
      const s = text.slice(pos + 1, end);
      if (s.includes('\\')) throw bad('escape in string');
      pos = end + 1;
      return s;
    }
    if (c === '(' || c === '[') {
      const close = c === '(' ? ')' : ']';
      pos++;
      const items: PyValue[] = [];
      ws();
      while (text[pos] !== close) {
        items.push(value(depth + 1));
        ws();
        if (text[pos] === ',') {
          pos++;
          ws();
        } else if (text[pos] !== close) throw bad(`expected ',' or '${close}'`);
      }
      pos++;
      return c === '(' ? { tuple: items } : items;
    }
    if (c === '{') {
      pos++;
      const dict = new Map<string, PyValue>();
      ws();
      while (text[pos] !== '}') {
        const key = value(depth + 1);
        if (typeof key !== 'string') throw bad('non-string key');
        ws();
        if (text[pos] !== ':') throw bad("expected ':'");
        pos++;
        dict.set(key, value(depth + 1));
        ws();
        if (text[pos] === ',') {
          pos++;
          ws();
        } else if (text[pos] !== '}') throw bad("expected ',' or '}'");
      }
      pos++;
      return { dict };
    }
    const m = /^(True|False|-?\d+L?)/.exec(text.slice(pos, pos + 32));
    if (!m) throw bad('unexpected character');
    pos += m[0].length;
    if (m[0] === 'True') return true;
    if (m[0] === 'False') return false;
    // Python 2 numpy wrote long dimensions as `3L`.
    return Number(m[0].replace('L', ''));
  };

  const root = value(0);
  ws();
  if (pos !== text.length) throw bad('text after the dict');
  if (typeof root !== 'object' || !('dict' in root)) throw bad('header is not a dict');
  const d = root.dict;
  for (const key of ['descr', 'fortran_order', 'shape']) {
    if (!d.has(key)) throw fail('io/corrupt', `.npy header lacks '${key}'`);
  }
  const extra = [...d.keys()].filter((k) => k !== 'descr' && k !== 'fortran_order' && k !== 'shape');
  if (extra.length) throw fail('io/corrupt', `.npy header has unexpected keys: ${extra.join(', ')}`);
  const descr = d.get('descr')!;
  if (typeof descr !== 'string') {
    throw fail('io/unsupported', '.npy structured dtypes (a list descr) are not supported');
  }
  const fortran = d.get('fortran_order')!;
  if (typeof fortran !== 'boolean') throw fail('io/corrupt', `.npy header's fortran_order is not True or False`);
  const shape = d.get('shape')!;
  if (typeof shape !== 'object' || !('tuple' in shape)) throw fail('io/corrupt', `.npy header's shape is not a tuple`);
  const dims = shape.tuple.map((x) => {
    if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0) throw fail('io/corrupt', `.npy header's shape has a bad dimension ${JSON.stringify(x)}`);
    return x;
  });
  return { descr, fortranOrder: fortran, shape: dims };
}

function dtypeOfDescr(descr: string, fail: Fail): DType {
  const m = /^([<>|=])([a-zA-Z])(\d+)$/.exec(descr);
  const code = m ? `${m[2]}${m[3]}` : undefined;
  const dtype = code === undefined ? undefined : FROM_NUMPY[code];
  if (!m || dtype === undefined) {
    throw fail('io/unsupported', `.npy dtype '${descr}' is not supported (numeric and bool dtypes are: ${Object.keys(FROM_NUMPY).join(', ')})`);
  }
  // '=' is native order; every platform numpy writes .npy on in practice is little-endian, and
  // numpy itself writes '<' or '|', never '='.
  return dtype;
}

function countElements(shape: readonly number[], fail: Fail): number {
  let n = 1;
  for (const d of shape) {
    n *= d;
    if (!Number.isSafeInteger(n)) throw fail('io/corrupt', `.npy shape (${shape.join(', ')}) is too large`);
  }
  return n;
}

/** Reverses each `width`-byte group in place (big- to little-endian). */
function swapBytes(data: Uint8Array, width: number): void {
  for (let at = 0; at < data.length; at += width) {
    for (let i = 0, j = width - 1; i < j; i++, j--) {
      const t = data[at + i]!;
      data[at + i] = data[at + j]!;
      data[at + j] = t;
    }
  }
}

/** Reorders column-major elements into row-major ones, element by element. */
function fortranToC(src: Uint8Array, shape: readonly number[], size: number): Uint8Array {
  const rank = shape.length;
  const n = numElements(shape);
  const out = new Uint8Array(src.length);
  // Fortran strides in elements: the first axis varies fastest.
  const fStride = new Array<number>(rank);
  let s = 1;
  for (let k = 0; k < rank; k++) {
    fStride[k] = s;
    s *= shape[k]!;
  }
  const idx = new Array<number>(rank).fill(0);
  let from = 0; // Fortran offset of the C-order element `idx`
  for (let c = 0; c < n; c++) {
    out.set(src.subarray(from * size, from * size + size), c * size);
    // Advance idx in C order (last axis fastest), keeping `from` in step.
    for (let k = rank - 1; k >= 0; k--) {
      idx[k]!++;
      from += fStride[k]!;
      if (idx[k]! < shape[k]!) break;
      from -= fStride[k]! * shape[k]!;
      idx[k] = 0;
    }
  }
  return out;
}
