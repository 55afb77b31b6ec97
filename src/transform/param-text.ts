/**
 * The parameter-value converters of TensorFlow's transforms (its `TransformFuncContext` getters,
 * spec §2.4): the text of one value in a transform string to an int, a float, a bool, a shape, a
 * dtype name, or the universal `ignore_errors` flag.
 *
 * Deliberate deviations from TensorFlow:
 *
 * 1. `parseShapeParam` accepts `?` as an unknown dimension (our extension, read as -1) and rejects
 *    dimensions below -1 (TensorFlow would abort the process on them).
 * 2. `parseIntParam` rejects integers beyond ±(2^53 − 1), which a JS number cannot hold exactly.
 * 3. `parseFloatParam` returns the double nearest to the text; TensorFlow parses into a float32
 *    (round with `Math.fround` where float32 math matters) and refuses strings of 32 characters or
 *    more, which we do not reproduce.
 */
import { GraftError } from '../errors';

/** TensorFlow's C-locale whitespace (`isspace`), shared with the transform-string parser. */
export function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';
}

function badParam(message: string): GraftError {
  return new GraftError('transform/bad-param', message);
}

/** Strips C-locale whitespace from both ends (JS `trim` also strips Unicode spaces, which TF does not). */
function trimAscii(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isSpace(s[a])) a++;
  while (b > a && isSpace(s[b - 1])) b--;
  return s.slice(a, b);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Parses an integer parameter like TensorFlow's `GetOneInt64Parameter`: base 10, surrounding
 * ASCII whitespace allowed, an optional leading `-` (no `+`), no fraction, no overflow.
 * Integers TensorFlow accepts but a JS number cannot hold exactly (beyond ±(2^53 − 1)) are
 * refused too.
 *
 * @throws GraftError `transform/bad-param`: `Couldn't interpret the <name> argument as a number:<value>`
 * @example
 * ```ts
 * parseIntParam('bar', ' -23 ') // -23
 * ```
 */
export function parseIntParam(name: string, value: string): number {
  const text = trimAscii(value);
  if (!/^-?[0-9]+$/.test(text)) throw badParam(`Couldn't interpret the ${name} argument as a number:${value}`);
  const big = BigInt(text);
  if (big < INT64_MIN || big > INT64_MAX) throw badParam(`Couldn't interpret the ${name} argument as a number:${value}`);
  if (big < BigInt(Number.MIN_SAFE_INTEGER) || big > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw badParam(`The ${name} argument ${text} is beyond ±(2^53 - 1), the largest integer graft can hold exactly`);
  }
  const n = Number(big);
  return n === 0 ? 0 : n; // never -0
}

/**
 * Parses a float parameter like TensorFlow's `GetOneFloatParameter` (double-conversion with
 * leading/trailing spaces, case-insensitive `inf`/`nan`, hex integers): `-23.2323`, `1e-3`, `.5`,
 * `5.`, `+2`, ` 3 `, `-inf`, `0x10`.
 *
 * @throws GraftError `transform/bad-param`: `Couldn't interpret the <name> argument as a float number:<value>`
 * @example
 * ```ts
 * parseFloatParam('bar', '-23.2323') // -23.2323
 * ```
 */
export function parseFloatParam(name: string, value: string): number {
  const text = trimAscii(value);
  const m = /^([+-]?)(?:([0-9]+\.?[0-9]*(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)|(inf)|(nan)|0x([0-9a-f]+))$/i.exec(text);
  if (m === null) throw badParam(`Couldn't interpret the ${name} argument as a float number:${value}`);
  const sign = m[1] === '-' ? -1 : 1;
  if (m[2] !== undefined) return Number(m[1] + m[2]);
  if (m[3] !== undefined) return sign * Infinity;
  if (m[4] !== undefined) return NaN;
  return sign * Number.parseInt(m[5] as string, 16);
}

/**
 * Parses a boolean parameter like TensorFlow's `GetOneBoolParameter`: exactly `true`, `1`,
 * `false` or `0` (case-sensitive, no whitespace).
 *
 * @throws GraftError `transform/bad-param`: `Couldn't interpret the <name> argument as a boolean:<value> (expected true, false, 0 or 1)`
 * @example
 * ```ts
 * parseBoolParam('clear_output_shapes', '1') // true
 * ```
 */
export function parseBoolParam(name: string, value: string): boolean {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw badParam(`Couldn't interpret the ${name} argument as a boolean:${value} (expected true, false, 0 or 1)`);
}

/**
 * Parses a shape like TensorFlow's `TensorShapeFromString`: comma-separated integers, each with
 * the {@link parseIntParam} rules (so `1, 2, 3` works). An unknown dimension is `-1` or — our
 * extension, not TensorFlow's — `?`; both come back as -1. Dimensions below -1 are refused.
 *
 * @throws GraftError `transform/bad-param`: `Specified shape is empty.` or `Could parse as shape: '<s>'` (sic, TensorFlow's text)
 * @example
 * ```ts
 * parseShapeParam('shape', '?,28, 28') // [-1, 28, 28]
 * ```
 */
export function parseShapeParam(name: string, value: string): number[] {
  if (value === '') throw badParam('Specified shape is empty.');
  return value.split(',').map((token) => {
    if (trimAscii(token) === '?') return -1;
    let dim: number;
    try {
      dim = parseIntParam(name, token);
    } catch (cause) {
      throw new GraftError('transform/bad-param', `Could parse as shape: '${value}'`, { cause });
    }
    if (dim < -1) {
      throw badParam(`Could parse as shape: '${value}' (dimension ${dim} is negative; use -1 or ? for an unknown size)`);
    }
    return dim;
  });
}

/** TensorFlow's `DataTypeString` names, in enum order, and the aliases `DataTypeFromString` also accepts. */
const DTYPE_NAMES: readonly string[] = [
  'float', 'double', 'int32', 'uint8', 'int16', 'int8', 'string', 'complex64', 'int64', 'bool',
  'qint8', 'quint8', 'qint32', 'bfloat16', 'qint16', 'quint16', 'uint16', 'complex128', 'half',
  'resource', 'variant', 'uint32', 'uint64', 'float8_e5m2', 'float8_e4m3fn', 'int4', 'uint4',
];
const DTYPE_ALIASES: ReadonlyMap<string, string> = new Map([
  ['float32', 'float'],
  ['float64', 'double'],
  ['float16', 'half'],
]);

/**
 * Parses a data type name like TensorFlow's `DataTypeFromString` and returns TensorFlow's
 * canonical short name: `float32` → `float`, `float64` → `double`, `float16` → `half`, and any of
 * them with a `_ref` suffix (`float32_ref` → `float_ref`). Case-sensitive.
 *
 * @throws GraftError `transform/bad-param` listing the valid names.
 * @example
 * ```ts
 * parseDTypeParam('type', 'float32') // 'float'
 * ```
 */
export function parseDTypeParam(name: string, value: string): string {
  const isRef = value.endsWith('_ref');
  const base = isRef ? value.slice(0, -4) : value;
  const canonical = DTYPE_ALIASES.get(base) ?? (DTYPE_NAMES.includes(base) ? base : undefined);
  if (canonical === undefined) {
    throw badParam(
      `Couldn't interpret the ${name} argument as a data type:${value} (expected one of ${DTYPE_NAMES.join(', ')}; ` +
        `aliases ${[...DTYPE_ALIASES.keys()].join(', ')}; any of these with a _ref suffix)`,
    );
  }
  return isRef ? `${canonical}_ref` : canonical;
}

/**
 * TensorFlow's `ignore_errors` rule: absent or no values → false; otherwise the *first* value,
 * lower-cased (ASCII), must be `true` or `false`.
 *
 * @throws GraftError `transform/bad-param`: `ignore_errors should be true or false, found <lowercased value>`
 * @example
 * ```ts
 * parseIgnoreErrors(['TRUE']) // true
 * ```
 */
export function parseIgnoreErrors(values: string[] | undefined): boolean {
  if (values === undefined || values.length === 0) return false;
  const v = values[0].replace(/[A-Z]/g, (c) => c.toLowerCase());
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw badParam(`ignore_errors should be true or false, found ${v}`);
}
