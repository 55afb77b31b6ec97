/**
 * C's printf conversions for numbers (`%d`, `%u`, `%e`, `%f`, `%g`), as glibc and absl::StrFormat
 * print them: the exact binary value of the double is expanded to decimal (BigInt arithmetic) and
 * rounded half to even, so `0.125` with `%.2f` is `0.12`, where JS's `toFixed` says `0.13`.
 * TensorFlow's AsString and its tensor summaries (`Tensor::SummarizeValue`, whose floats go
 * through `%.*g`) are built on these.
 */

/** printf flags and field: `-` left-justify, `+` sign, ` ` space for sign, `0` zero-pad, `#` alternate form. */
export interface PrintfSpec {
  readonly flags?: string;
  /** Minimum field width (0: none). */
  readonly width?: number;
  /** Precision; negative or undefined means the conversion's default (6 for e/f/g, none for d). */
  readonly precision?: number;
}

/** The exact decimal digits of a finite non-negative double: value = 0.d1d2d3... × 10^point. */
function exactDigits(x: number): { digits: string; point: number } {
  if (x === 0) return { digits: '0', point: 1 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (biased === 0) exp = -1074;
  else {
    mant |= 1n << 52n;
    exp = biased - 1075;
  }
  if (exp >= 0) {
    const s = (mant << BigInt(exp)).toString();
    return { digits: s, point: s.length };
  }
  // mant × 2^exp = mant × 5^-exp / 10^-exp
  const s = (mant * 5n ** BigInt(-exp)).toString();
  return { digits: s, point: s.length + exp };
}

/**
 * Rounds the digit string to keep `keep` digits (half to even on the exact tail). Returns the
 * new digits (length `keep`, or `keep + 1` when rounding carried into a new leading digit).
 */
function roundDigits(digits: string, keep: number): { digits: string; carried: boolean } {
  if (keep < 0) return { digits: '', carried: false };
  if (digits.length <= keep) return { digits: digits.padEnd(keep, '0'), carried: false };
  const head = digits.slice(0, keep);
  const tail = digits.slice(keep);
  const first = tail.charCodeAt(0) - 48;
  let up = false;
  if (first > 5) up = true;
  else if (first === 5) {
    const rest = /[1-9]/.test(tail.slice(1));
    if (rest) up = true;
    else {
      const last = keep > 0 ? head.charCodeAt(keep - 1) - 48 : 0;
      up = last % 2 === 1;
    }
  }
  if (!up) return { digits: head, carried: false };
  if (keep === 0) return { digits: '1', carried: true };
  const n = (BigInt(head) + 1n).toString().padStart(keep, '0');
  return n.length > keep ? { digits: n, carried: true } : { digits: n, carried: false };
}

/** `%.<p>f` of a finite non-negative value, without sign. */
function fixed(x: number, p: number): string {
  const { digits, point } = exactDigits(x);
  // Digits before the point: `point` (may be <= 0); keep point + p digits.
  let ds = digits;
  let pt = point;
  if (pt < 1) {
    ds = '0'.repeat(1 - pt) + ds;
    pt = 1;
  }
  const r = roundDigits(ds, pt + p);
  let out = r.digits;
  if (r.carried) pt += 1;
  const intPart = out.slice(0, pt).replace(/^0+(?=\d)/, '');
  const frac = out.slice(pt);
  out = p > 0 ? `${intPart}.${frac}` : intPart;
  return out;
}

/** `%.<p>e` of a finite non-negative value, without sign: mantissa digits and decimal exponent. */
function scientificParts(x: number, p: number): { mant: string; exp: number } {
  if (x === 0) return { mant: '0'.repeat(p + 1), exp: 0 };
  const { digits, point } = exactDigits(x);
  const lead = digits.replace(/^0+/, '');
  const pointAdj = point - (digits.length - lead.length);
  const r = roundDigits(lead, p + 1);
  let mant = r.digits;
  let exp = pointAdj - 1;
  if (r.carried) {
    mant = mant.slice(0, p + 1);
    exp += 1;
  }
  return { mant, exp };
}

function expText(exp: number): string {
  const a = Math.abs(exp);
  return `e${exp < 0 ? '-' : '+'}${a < 10 ? `0${a}` : a}`;
}

function scientific(x: number, p: number, alt: boolean): string {
  const { mant, exp } = scientificParts(x, p);
  const body = p > 0 || alt ? `${mant[0]}.${mant.slice(1)}` : mant;
  return `${body}${expText(exp)}`;
}

function general(x: number, p: number, alt: boolean): string {
  const P = p === 0 ? 1 : p;
  const X = x === 0 ? 0 : scientificParts(x, P - 1).exp;
  let s: string;
  if (P > X && X >= -4) s = fixed(x, P - 1 - X);
  else s = scientific(x, P - 1, alt);
  if (!alt) {
    // Trailing zeros of the fraction, and a bare point, go.
    const e = s.indexOf('e');
    let m = e >= 0 ? s.slice(0, e) : s;
    const tail = e >= 0 ? s.slice(e) : '';
    if (m.includes('.')) m = m.replace(/0+$/, '').replace(/\.$/, '');
    s = m + tail;
  } else if (!s.includes('.')) {
    const e = s.indexOf('e');
    s = e >= 0 ? `${s.slice(0, e)}.${s.slice(e)}` : `${s}.`;
  }
  return s;
}

function pad(sign: string, body: string, spec: PrintfSpec, zeroAllowed: boolean): string {
  const flags = spec.flags ?? '';
  const width = spec.width ?? 0;
  const len = sign.length + body.length;
  if (len >= width) return sign + body;
  if (flags.includes('-')) return sign + body + ' '.repeat(width - len);
  if (flags.includes('0') && zeroAllowed) return sign + '0'.repeat(width - len) + body;
  return ' '.repeat(width - len) + sign + body;
}

function signOf(negative: boolean, flags: string): string {
  if (negative) return '-';
  if (flags.includes('+')) return '+';
  if (flags.includes(' ')) return ' ';
  return '';
}

/** A floating conversion (`e`, `f` or `g`) of a double, as printf prints it. */
export function formatFloat(x: number, conv: 'e' | 'f' | 'g', spec: PrintfSpec = {}): string {
  const flags = spec.flags ?? '';
  const negative = x < 0 || Object.is(x, -0) || (Number.isNaN(x) && isNegativeNaN(x));
  const sign = signOf(negative, flags);
  if (!Number.isFinite(x)) return pad(sign, Number.isNaN(x) ? 'nan' : 'inf', spec, false);
  const p = spec.precision === undefined || spec.precision < 0 ? 6 : spec.precision;
  const a = Math.abs(x);
  const alt = flags.includes('#');
  let body: string;
  if (conv === 'f') {
    body = fixed(a, p);
    if (alt && p === 0) body += '.';
  } else if (conv === 'e') body = scientific(a, p, alt);
  else body = general(a, p, alt);
  return pad(sign, body, spec, true);
}

function isNegativeNaN(x: number): boolean {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, x);
  return (v.getUint8(0) & 0x80) !== 0;
}

/** An integer conversion (`d` or `u`), as printf prints it (precision: minimum digits). */
export function formatInteger(x: number | bigint, spec: PrintfSpec = {}): string {
  const flags = spec.flags ?? '';
  const n = typeof x === 'bigint' ? x : BigInt(x);
  const negative = n < 0n;
  let digits = (negative ? -n : n).toString();
  const hasPrecision = spec.precision !== undefined && spec.precision >= 0;
  if (hasPrecision) {
    if (spec.precision === 0 && n === 0n) digits = '';
    digits = digits.padStart(spec.precision!, '0');
  }
  return pad(signOf(negative, flags), digits, spec, !hasPrecision);
}

/**
 * A float32 as TensorFlow's `strings::StrCat` writes it (`FloatToBuffer`): `%.6g`, or `%.9g` when
 * six digits do not read back as the same float.
 */
export function float32Text(x: number): string {
  if (Number.isNaN(x)) return isNegativeNaN(x) ? '-nan' : 'nan';
  const short = formatFloat(x, 'g', { precision: 6 });
  if (Math.fround(Number(short)) === x) return short;
  return formatFloat(x, 'g', { precision: 9 });
}

/** A double as `strings::StrCat` writes it (`DoubleToBuffer`): `%.15g`, or `%.17g` when that does not read back. */
export function float64Text(x: number): string {
  if (Number.isNaN(x)) return isNegativeNaN(x) ? '-nan' : 'nan';
  const short = formatFloat(x, 'g', { precision: 15 });
  if (Number(short) === x) return short;
  return formatFloat(x, 'g', { precision: 17 });
}
