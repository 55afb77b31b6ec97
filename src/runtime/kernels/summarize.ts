/**
 * TensorFlow's `Tensor::SummarizeValue(max_entries, print_v2)`: the text Assert, Print, PrintV2
 * and StringFormat show for a tensor.
 *
 * - v1 (Assert, Print): the first `max_entries` elements in row-major order, rows bracketed as far
 *   as they were printed (`[1 2][3...]...`); a scalar or 1-D tensor has no brackets.
 * - v2 (StringFormat, hence tf.print): numpy-like, the first and last `max_entries` of every
 *   dimension, `...` between, rows on new lines; strings quoted.
 * - Floats print as `strings::StrCat` does (`%.6g`, `%.9g` when needed), bools as 1/0, strings
 *   with `absl::Utf8SafeCEscape`. Complex and quantized types print `?`, as TensorFlow does.
 */
import { baseDType } from '../../ir/dtype';
import { type Tensor, numElements, tensorStrings, tensorToArray, tensorToNumbers } from '../../ir/tensor';
import { float32Text, float64Text } from './printf';

/** absl::Utf8SafeCEscape: C escapes for control bytes, quotes and backslash; bytes >= 0x80 kept. */
export function utf8SafeCEscape(bytes: Uint8Array): string {
  const out: number[] = [];
  const push = (s: string) => {
    for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
  };
  for (const b of bytes) {
    switch (b) {
      case 0x0a: push('\\n'); break;
      case 0x0d: push('\\r'); break;
      case 0x09: push('\\t'); break;
      case 0x22: push('\\"'); break;
      case 0x27: push("\\'"); break;
      case 0x5c: push('\\\\'); break;
      default:
        if (b < 0x20 || b === 0x7f) push(`\\${b.toString(8).padStart(3, '0')}`);
        else out.push(b);
    }
  }
  return new TextDecoder().decode(Uint8Array.from(out));
}

/** Each element's text, or undefined for the dtypes TensorFlow prints as `?`. */
function elementTexts(t: Tensor, printV2: boolean): string[] | undefined {
  const b = baseDType(t.dtype);
  switch (b) {
    case 'string':
      return tensorStrings(t).map((s) => (printV2 ? `"${utf8SafeCEscape(s)}"` : utf8SafeCEscape(s)));
    case 'float': case 'half': case 'bfloat16':
      return tensorToNumbers(t).map(float32Text);
    case 'double':
      return tensorToNumbers(t).map(float64Text);
    case 'bool':
      return Array.from(tensorToArray(t) as Uint8Array, (v) => (v ? '1' : '0'));
    case 'int8': case 'uint8': case 'int16': case 'uint16': case 'int32': case 'uint32': case 'int64': case 'uint64':
    case 'qint8': case 'quint8': case 'qint16': case 'quint16':
      return Array.from(tensorToArray(t) as ArrayLike<number | bigint>, (v) => String(v));
    default:
      return undefined;
  }
}

function printDimV1(dim: number, shape: readonly number[], limit: number, els: string[], index: { i: number }, out: string[]): void {
  if (index.i >= limit) return;
  const count = shape[dim]!;
  if (dim === shape.length - 1) {
    for (let k = 0; k < count; k++) {
      if (index.i >= limit) {
        if (dim !== 0) out.push('...');
        return;
      }
      if (k > 0) out.push(' ');
      out.push(els[index.i++]!);
    }
    return;
  }
  for (let k = 0; k < count; k++) {
    let opened = false;
    if (index.i < limit) {
      out.push('[');
      opened = true;
    }
    printDimV1(dim + 1, shape, limit, els, index, out);
    if (index.i < limit || opened) out.push(']');
  }
}

function dimSpacing(dim: number, dims: number, out: string[]): void {
  if (dim === dims - 1) {
    out.push(' ');
    return;
  }
  out.push('\n'.repeat(dims - dim - 1), ' '.repeat(dim + 1));
}

function printDimV2(dim: number, shape: readonly number[], ends: number, els: string[], offset: number, out: string[]): void {
  if (dim === shape.length) {
    out.push(els[offset]!);
    return;
  }
  out.push('[');
  const count = shape[dim]!;
  const startOfEnd = Math.max(ends, count - ends);
  let per = 1;
  for (let i = dim + 1; i < shape.length; i++) per *= shape[i]!;
  for (let k = 0; k < ends && k < count; k++) {
    if (k > 0) dimSpacing(dim, shape.length, out);
    printDimV2(dim + 1, shape, ends, els, offset + per * k, out);
  }
  if (count > 2 * ends) {
    dimSpacing(dim, shape.length, out);
    out.push('...');
  }
  for (let k = startOfEnd; k < count; k++) {
    dimSpacing(dim, shape.length, out);
    printDimV2(dim + 1, shape, ends, els, offset + per * k, out);
  }
  out.push(']');
}

/**
 * The summary of a tensor as TensorFlow writes it. `maxEntries < 0` prints every element.
 *
 * @example summarizeValue(makeTensor('int32', [5], [1, 2, 3, 4, 5]), 3) // '1 2 3...'
 */
export function summarizeValue(t: Tensor, maxEntries: number, printV2 = false): string {
  const n = numElements(t.shape);
  const max = maxEntries < 0 ? n : maxEntries;
  const limit = Math.min(max, n);
  const els = elementTexts(t, printV2);
  if (!els) {
    const parts: string[] = [];
    const bracket = printV2 && t.shape.length > 0;
    if (bracket) parts.push('[');
    for (let i = 0; i < limit; i++) parts.push(i > 0 ? ' ?' : '?');
    if (max < n) parts.push('...');
    if (bracket) parts.push(']');
    return parts.join('');
  }
  const out: string[] = [];
  if (t.shape.length === 0) {
    for (let i = 0; i < limit; i++) {
      if (i > 0) out.push(' ');
      out.push(els[i]!);
    }
    if (n > limit) out.push('...');
    return out.join('');
  }
  if (printV2) {
    printDimV2(0, t.shape, limit, els, 0, out);
  } else {
    printDimV1(0, t.shape, limit, els, { i: 0 }, out);
    if (n > limit) out.push('...');
  }
  return out.join('');
}
