/**
 * Tensor values as text, the way two TensorFlow tools print them:
 *
 * - `numpyStr`: what `print('%s' % array)` shows for the numpy array `session.run` returns
 *   (`saved_model_cli run`'s "Result for output key" blocks). numpy's defaults: precision 8,
 *   `floatmode='maxprec'`, line width 75, summarization beyond 1000 elements with 3 edge items.
 *   Floats print positionally (`[1.  1.5]`, every element padded to the same integer and fraction
 *   widths) unless the largest magnitude reaches 1e6 for float32 (1e8 for float64, 1e3 for
 *   float16: numpy 2.3's rule; older numpy used 1e8 throughout), or the smallest non-zero one is
 *   below 1e-4, or their ratio exceeds 1000: then in scientific form (`[1.0e-05 1.5e+00]`). The
 *   digits are the shortest that identify the value in its own precision (float32 values as
 *   float32), rounded half to even.
 *   Integers are right-aligned, bools `' True'`/`'False'`, strings `b'...'` (TF returns bytes).
 * - `tfSummarizeValue`: `Tensor::SummarizeValue(max)`, which `summarize_graph --print_structure`
 *   prints inside `Tensor<type: float shape: [2] values: 1 2>`: at most `max` values, `%g`-style.
 *
 * bfloat16 values print with float32 digits (numpy has no bfloat16);
 * complex values as `re+imj` without numpy's column alignment.
 */
import { baseDType } from '../ir/dtype';
import { type Tensor, numElements, tensorStrings, tensorToArray, tensorToNumbers } from '../ir/tensor';

const LINE_WIDTH = 75;
const THRESHOLD = 1000;
const EDGE_ITEMS = 3;
const PRECISION = 8;

type Element = number | bigint | boolean | Uint8Array | readonly [number, number];

/** The precision a float prints in: numpy's float16, float32 or float64. */
type Prec = 'half' | 'single' | 'double';

/** The float16 value nearest `x` (ties to even), as a number. */
function roundToHalf(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const a = Math.abs(x);
  if (a >= 65520) return Math.sign(x) * Infinity;
  const e = Math.max(-14, Math.floor(Math.log2(a)));
  const ulp = 2 ** (e - 10);
  const q = a / ulp;
  const f = Math.floor(q);
  const r = q - f > 0.5 || (q - f === 0.5 && f % 2 === 1) ? f + 1 : f;
  return Math.sign(x) * r * ulp;
}

/** Shortest decimal digits and exponent that identify `x` (finite, non-zero) in its precision. */
function shortestDigits(x: number, prec: Prec): { digits: string; exp: number } {
  const a = Math.abs(x);
  let text = a.toExponential();
  if (prec !== 'double') {
    const round = prec === 'half' ? roundToHalf : Math.fround;
    for (let p = 1; p <= 9; p++) {
      const t = roundHalfEven(a, p - 1, 'exp');
      if (round(Number(t)) === round(a)) {
        text = t;
        break;
      }
    }
  }
  const [mant, e] = text.split('e') as [string, string];
  return { digits: mant.replace('.', '').replace(/0+$/, '') || '0', exp: Number(e) };
}

/**
 * `a.toExponential(digits)` / `a.toFixed(digits)` (a >= 0) with ties rounded to even, as numpy's
 * Dragon4 rounds; JavaScript rounds ties up.
 */
function roundHalfEven(a: number, digits: number, form: 'exp' | 'fixed'): string {
  const text = form === 'exp' ? a.toExponential(digits) : a.toFixed(digits);
  const more = form === 'exp' ? a.toExponential(Math.min(100, digits + 20)) : a.toFixed(Math.min(100, digits + 20));
  const tail = more.split('e')[0]!.slice(text.split('e')[0]!.length);
  if (!/^50*$/.test(tail)) return text;
  // An exact tie: JavaScript rounded up; step back down when the kept digit would then be odd.
  const down = (form === 'exp' ? more.split('e')[0]! : more).slice(0, text.split('e')[0]!.length);
  const lastDown = Number(down[down.length - 1]);
  if (lastDown % 2 !== 0) return text;
  return form === 'exp' ? `${down}e${more.split('e')[1]}` : down;
}

/** Positional text of `x` with the shortest unique digits, at most `precision` fraction digits. */
function positional(x: number, prec: Prec, precision: number): string {
  if (x === 0) return Object.is(x, -0) ? '-0.' : '0.';
  const sign = x < 0 ? '-' : '';
  const { digits, exp } = shortestDigits(x, prec);
  let int: string;
  let frac: string;
  if (exp >= 0) {
    int = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
    frac = digits.slice(exp + 1);
  } else {
    int = '0';
    frac = '0'.repeat(-exp - 1) + digits;
  }
  if (frac.length > precision) {
    // Rounded from the exact value, as dragon4 does with a cutoff.
    const fixed = roundHalfEven(Math.abs(x), precision, 'fixed');
    [int, frac] = fixed.split('.') as [string, string];
    frac = frac.replace(/0+$/, '');
  }
  return `${sign}${int}.${frac}`;
}

/** Scientific text `d.ddde±XX` with the shortest unique digits (at most `precision` after the point). */
function scientific(x: number, prec: Prec, precision: number): { mant: string; exp: number } {
  if (x === 0) return { mant: Object.is(x, -0) ? '-0.' : '0.', exp: 0 };
  const sign = x < 0 ? '-' : '';
  let { digits, exp } = shortestDigits(x, prec);
  if (digits.length - 1 > precision) {
    const [m, e] = roundHalfEven(Math.abs(x), precision, 'exp').split('e') as [string, string];
    digits = m.replace('.', '').replace(/0+$/, '') || '0';
    exp = Number(e);
  }
  return { mant: `${sign}${digits[0]}.${digits.slice(1)}`, exp };
}

/**
 * The largest of `xs` (-Infinity when empty), in a loop: `Math.max(...xs)` passes every value as
 * an argument and overflows the stack past about 100,000 of them (numpy shows every element of a
 * tensor whose dimensions are all at most 6, so 6^8 = 1.7M values can be shown).
 */
function maxOf(xs: readonly number[]): number {
  let m = -Infinity;
  for (const x of xs) if (x > m) m = x;
  return m;
}

/** numpy's FloatingFormat for the values shown. */
function floatFormatter(values: readonly number[], prec: Prec): (x: number) => string {
  const finite = values.filter((v) => Number.isFinite(v));
  const nonZero = finite.map(Math.abs).filter((v) => v !== 0);
  let expFormat = false;
  if (nonZero.length > 0) {
    const max = maxOf(nonZero);
    const min = -maxOf(nonZero.map((v) => -v));
    // numpy >= 2.3: 10 ** min(8, finfo(dtype).precision), i.e. 1e3 (float16), 1e6 (float32), 1e8 (float64).
    const cutoff = prec === 'half' ? 1e3 : prec === 'single' ? 1e6 : 1e8;
    if (max >= cutoff || min < 0.0001 || max / min > 1000) expFormat = true;
  }
  let padLeft = 0;
  let padRight = 0;
  let format: (x: number) => string;
  if (finite.length === 0) {
    format = () => '';
  } else if (expFormat) {
    const parts = finite.map((v) => scientific(v, prec, PRECISION));
    const fracLen = maxOf(parts.map((p) => p.mant.split('.')[1]!.length));
    const expDigits = Math.max(2, maxOf(parts.map((p) => String(Math.abs(p.exp)).length)));
    padLeft = maxOf(parts.map((p) => p.mant.split('.')[0]!.length));
    padRight = expDigits + 2 + fracLen;
    // Every value with fracLen digits: numpy's min_digits prints further digits of the exact
    // value (rounded), not zeros, past the shortest ones.
    format = (x) => {
      const [m, e] = roundHalfEven(Math.abs(x), fracLen, 'exp').split('e') as [string, string];
      const [i, f = ''] = `${x < 0 || Object.is(x, -0) ? '-' : ''}${m}`.split('.');
      const exp = Number(e);
      return `${i!.padStart(padLeft)}.${f}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(expDigits, '0')}`;
    };
  } else {
    const parts = finite.map((v) => positional(v, prec, PRECISION).split('.') as [string, string]);
    padLeft = maxOf(parts.map((p) => p[0].length));
    padRight = maxOf(parts.map((p) => p[1].length));
    format = (x) => {
      const [i, f] = positional(x, prec, PRECISION).split('.') as [string, string];
      return `${i.padStart(padLeft)}.${f.padEnd(padRight)}`;
    };
  }
  if (finite.length !== values.length) {
    const negInf = values.some((v) => v === -Infinity);
    const offset = padRight + 1;
    padLeft = Math.max(padLeft, 3 - offset, 3 + (negInf ? 1 : 0) - offset);
  }
  return (x) => {
    if (Number.isFinite(x)) return format(x);
    const s = Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
    return s.padStart(padLeft + padRight + 1);
  };
}

/** Python's `repr(bytes)`. */
export function pyBytesRepr(b: Uint8Array): string {
  const hasSingle = b.includes(0x27);
  const q = hasSingle && !b.includes(0x22) ? '"' : "'";
  let out = `b${q}`;
  for (const c of b) {
    if (c === 0x5c) out += '\\\\';
    else if (String.fromCharCode(c) === q) out += `\\${q}`;
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c < 0x20 || c >= 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += String.fromCharCode(c);
  }
  return out + q;
}

/** The flat indices numpy looks at (all, or the edge items of every summarized axis). */
function shownIndices(shape: readonly number[], summarize: boolean): number[] {
  const out: number[] = [];
  const strides = shape.map((_, i) => numElements(shape.slice(i + 1)));
  const walk = (axis: number, base: number) => {
    if (axis === shape.length) {
      out.push(base);
      return;
    }
    const n = shape[axis]!;
    const idx = summarize && n > 2 * EDGE_ITEMS ? [...Array(EDGE_ITEMS).keys(), ...Array.from({ length: EDGE_ITEMS }, (_, i) => n - EDGE_ITEMS + i)] : [...Array(n).keys()];
    for (const i of idx) walk(axis + 1, base + i * strides[axis]!);
  };
  walk(0, 0);
  return out;
}

function elementsOf(t: Tensor): { values: Element[]; kind: 'float' | 'single' | 'half' | 'int' | 'bool' | 'bytes' | 'complex' | 'opaque' } {
  const b = baseDType(t.dtype);
  if (t.data.kind === 'strings' || b === 'string') return { values: tensorStrings(t), kind: 'bytes' };
  if (t.data.kind === 'opaque') return { values: [], kind: 'opaque' };
  if (b === 'bool') return { values: tensorToNumbers(t).map((v) => v !== 0), kind: 'bool' };
  if (b === 'complex64' || b === 'complex128') {
    const arr = tensorToArray(t);
    const vals: Element[] = [];
    for (let i = 0; i < arr.length; i += 2) vals.push([Number(arr[i]), Number(arr[i + 1])] as const);
    return { values: vals, kind: 'complex' };
  }
  if (b === 'double') return { values: tensorToNumbers(t), kind: 'float' };
  if (b === 'half') return { values: tensorToNumbers(t), kind: 'half' };
  if (b === 'float' || b === 'bfloat16') return { values: tensorToNumbers(t), kind: 'single' };
  if (b === 'int64' || b === 'uint64') return { values: Array.from(tensorToArray(t) as ArrayLike<bigint>), kind: 'int' };
  return { values: tensorToNumbers(t), kind: 'int' };
}

/** Python's `str()` of a numpy scalar of this kind. */
function scalarStr(v: Element, kind: string): string {
  if (kind === 'bytes') return pyBytesRepr(v as Uint8Array);
  if (kind === 'bool') return v ? 'True' : 'False';
  if (kind === 'int') return String(v);
  if (kind === 'complex') {
    const [re, im] = v as readonly [number, number];
    return `(${scalarFloat(re, 'single')}${im < 0 || Object.is(im, -0) ? '' : '+'}${scalarFloat(im, 'single')}j)`;
  }
  return scalarFloat(v as number, kind === 'half' ? 'half' : kind === 'single' ? 'single' : 'double');
}

/** numpy's scalar float str: positional for magnitudes in [1e-4, 1e16), else `1e-05` style. */
function scalarFloat(x: number, prec: Prec): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const a = Math.abs(x);
  if (a >= 1e16 || a < 1e-4) {
    const { digits, exp } = shortestDigits(x, prec);
    const m = digits.length === 1 ? digits : `${digits[0]}.${digits.slice(1)}`;
    return `${x < 0 ? '-' : ''}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const s = positional(x, prec, 64);
  return s.endsWith('.') ? `${s}0` : s;
}

/**
 * `str(numpy_array)` for a tensor, as `saved_model_cli run` prints each output.
 *
 * @example
 * ```ts
 * numpyStr(makeTensor('float', [3, 1], [1.5, 2.5, 3.5])); // '[[1.5]\n [2.5]\n [3.5]]'
 * ```
 */
export function numpyStr(t: Tensor): string {
  const { values, kind } = elementsOf(t);
  const shape = t.shape;
  if (kind === 'opaque') return `<${t.dtype} tensor of shape (${shape.join(', ')})>`;
  if (shape.length === 0) return values.length > 0 ? scalarStr(values[0]!, kind) : '[]';
  const size = numElements(shape);
  if (size === 0) return '[]';
  const summarize = size > THRESHOLD;
  const shown = shownIndices(shape, summarize).map((i) => values[i]!);
  let fmt: (v: Element) => string;
  if (kind === 'float' || kind === 'single' || kind === 'half') {
    const f = floatFormatter(shown as number[], kind === 'half' ? 'half' : kind === 'single' ? 'single' : 'double');
    fmt = (v) => f(v as number);
  } else if (kind === 'int') {
    const width = maxOf(shown.map((v) => String(v).length));
    fmt = (v) => String(v).padStart(width);
  } else if (kind === 'bool') {
    fmt = (v) => (v ? ' True' : 'False');
  } else fmt = (v) => scalarStr(v, kind);

  const strides = shape.map((_, i) => numElements(shape.slice(i + 1)));
  const recurse = (axis: number, base: number, hanging: string, width: number): string => {
    if (axis === shape.length) return fmt(values[base]!);
    const nextHanging = `${hanging} `;
    const nextWidth = width - 1;
    const n = shape[axis]!;
    const showSummary = summarize && 2 * EDGE_ITEMS < n;
    const leading = showSummary ? EDGE_ITEMS : 0;
    const trailing = showSummary ? EDGE_ITEMS : n;
    const item = (i: number) => recurse(axis + 1, base + i * strides[axis]!, nextHanging, nextWidth);
    let s = '';
    if (axis === shape.length - 1) {
      const elemWidth = width - 1;
      let line = hanging;
      const extend = (word: string) => {
        if (line.length + word.length > elemWidth && line.length > hanging.length) {
          s += `${line.trimEnd()}\n`;
          line = hanging;
        }
        line += word;
      };
      for (let i = 0; i < leading; i++) {
        extend(item(i));
        line += ' ';
      }
      if (showSummary) {
        extend('...');
        line += ' ';
      }
      for (let i = trailing; i > 1; i--) {
        extend(item(n - i));
        line += ' ';
      }
      extend(item(n - 1));
      s += line;
    } else {
      const sep = '\n'.repeat(shape.length - axis - 1);
      for (let i = 0; i < leading; i++) s += hanging + item(i) + sep;
      if (showSummary) s += `${hanging}...${sep}`;
      for (let i = trailing; i > 1; i--) s += hanging + item(n - i) + sep;
      s += hanging + item(n - 1);
    }
    return `[${s.slice(hanging.length)}]`;
  };
  return recurse(0, 0, ' ', LINE_WIDTH);
}

/** C's `%.{prec}g`. */
export function formatG(x: number, prec: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const [m, e] = x.toExponential(prec - 1).split('e') as [string, string];
  const exp = Number(e);
  if (exp < -4 || exp >= prec) {
    const mant = m.includes('.') ? m.replace(/0+$/, '').replace(/\.$/, '') : m;
    return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const fixed = x.toFixed(Math.max(0, prec - 1 - exp));
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

/** TensorFlow's `StrCat(float)` / `StrCat(double)`: `%g` with 6 (15) digits, 9 (17) when that does not round-trip. */
function tfNumber(x: number, single: boolean): string {
  const short = formatG(x, single ? 6 : 15);
  const back = Number(short);
  if (Number.isNaN(x) || (single ? Math.fround(back) === Math.fround(x) : back === x)) return short;
  return formatG(x, single ? 9 : 17);
}

/**
 * `Tensor::SummarizeValue(max)`: the first `max` values, nested in brackets by dimension, `...`
 * when more remain.
 */
export function tfSummarizeValue(t: Tensor, max = 3): string {
  const { values, kind } = elementsOf(t);
  if (kind === 'opaque') return '<opaque>';
  const one = (v: Element): string => {
    if (kind === 'bytes') return cEscape(v as Uint8Array);
    if (kind === 'bool') return v ? '1' : '0';
    if (kind === 'int') return String(v);
    if (kind === 'complex') return `(${tfNumber((v as readonly number[])[0]!, true)},${tfNumber((v as readonly number[])[1]!, true)})`;
    return tfNumber(v as number, kind !== 'float');
  };
  const total = values.length;
  const limit = Math.min(max, total);
  if (t.shape.length === 0) return total > 0 ? one(values[0]!) : '';
  let out = '';
  let index = 0;
  const dim = (d: number): void => {
    if (index >= limit) return;
    const count = t.shape[d]!;
    if (d === t.shape.length - 1) {
      for (let i = 0; i < count; i++) {
        if (index >= limit) {
          if (d !== 0) out += '...';
          return;
        }
        if (i > 0) out += ' ';
        out += one(values[index++]!);
      }
      return;
    }
    for (let i = 0; i < count; i++) {
      let open = false;
      if (index < limit) {
        out += '[';
        open = true;
      }
      dim(d + 1);
      if (index < limit || open) out += ']';
    }
  };
  dim(0);
  if (total > limit) out += '...';
  return out;
}

/** absl's `CEscape`. */
function cEscape(b: Uint8Array): string {
  let s = '';
  for (const c of b) {
    if (c === 0x0a) s += '\\n';
    else if (c === 0x0d) s += '\\r';
    else if (c === 0x09) s += '\\t';
    else if (c === 0x22) s += '\\"';
    else if (c === 0x27) s += "\\'";
    else if (c === 0x5c) s += '\\\\';
    else if (c < 0x20 || c >= 0x7f) s += `\\${c.toString(8).padStart(3, '0')}`;
    else s += String.fromCharCode(c);
  }
  return s;
}
