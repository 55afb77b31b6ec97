/**
 * Parameters: from what a user wrote to what `apply` receives, values converted and checked
 * against the transform's schema, defaults applied, and printed back in canonical syntax.
 *
 * Two inputs, one result. A transform string gives every value as text (`shape="1,28,28"`);
 * the builder gives typed values (`{ shape: [1, 28, 28] }`, camelCase or snake_case keys).
 * Both end as the same camelCase values, so a string and a builder that say the same thing
 * print the same and run the same.
 *
 * Stricter than TensorFlow, on purpose: TensorFlow ignores a misspelled key and only complains
 * about a repeated key when the transform reads it; here an unknown key, a repeated key on a
 * non-repeated parameter and a bad value are errors before anything runs, with a line, a
 * column and a caret for strings. `ignore_errors` is accepted on every transform, as in
 * TensorFlow, and handled by the runner.
 */
import { GraftError } from '../errors';
import { parseDType, type DType } from '../ir/dtype';
import { camelCase, type ParamSpec, type Transform } from './define';
import { nearestNames } from '../suggest';
import { parseBoolParam, parseDTypeParam, parseFloatParam, parseIgnoreErrors, parseIntParam, parseShapeParam } from './param-text';
import { formatCaret, printTransforms, type ParamNode, type SourcePos, type TransformCall } from './syntax';

/** The key every transform accepts (TensorFlow's driver reads it, not the transform). */
export const IGNORE_ERRORS = 'ignore_errors';

/** Given parameters after conversion, and the universal flag. */
export interface ConvertedParams {
  readonly given: Readonly<Record<string, unknown>>;
  readonly ignoreErrors: boolean;
}

// ---------------------------------------------------------------------------------------------
// Single values.

function badParam(message: string, hint?: string): GraftError {
  return new GraftError('transform/bad-param', message, hint === undefined ? {} : { hint });
}

function checkBounds(spec: ParamSpec, key: string, n: number): number {
  if (spec.min !== undefined && !(n >= spec.min)) throw badParam(`The ${key} argument must be at least ${spec.min}, found ${n}`);
  if (spec.max !== undefined && !(n <= spec.max)) throw badParam(`The ${key} argument must be at most ${spec.max}, found ${n}`);
  return n;
}

function checkEnum(spec: ParamSpec, key: string, value: string): string {
  const values = spec.values ?? [];
  if (values.includes(value)) return value;
  const near = nearestNames(value, values, 1);
  throw badParam(
    `Invalid value '${value}' for the ${key} argument: expected one of ${values.join(', ')}${near.length > 0 ? ` (did you mean '${near[0]}'?)` : ''}`,
  );
}

function toDType(key: string, value: string): DType {
  const name = parseDTypeParam(key, value);
  const dtype = parseDType(name);
  if (dtype === undefined) throw badParam(`Couldn't interpret the ${key} argument as a data type:${value}`);
  return dtype;
}

/** Converts one value written in a transform string, with TensorFlow's rules for each kind. */
export function convertStringValue(spec: ParamSpec, key: string, value: string): unknown {
  switch (spec.kind) {
    case 'bool':
      return parseBoolParam(key, value);
    case 'int':
      return checkBounds(spec, key, parseIntParam(key, value));
    case 'float':
      return checkBounds(spec, key, parseFloatParam(key, value));
    case 'string':
      return value;
    case 'dtype':
      return toDType(key, value);
    case 'shape':
      return Object.freeze(parseShapeParam(key, value));
    case 'enum':
      return checkEnum(spec, key, value);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'bigint') return `${value}n`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Converts one typed value given to the builder. Strings are accepted for every kind and go
 * through the string rules, so values read from JSON or a CLI work too.
 */
export function convertTypedValue(spec: ParamSpec, key: string, value: unknown): unknown {
  if (typeof value === 'string' && spec.kind !== 'string') return convertStringValue(spec, key, value);
  const wrong = (expected: string): GraftError => badParam(`The ${key} argument must be ${expected}, found ${describe(value)}`);
  switch (spec.kind) {
    case 'bool':
      if (typeof value !== 'boolean') throw wrong('a boolean');
      return value;
    case 'int':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw wrong('an integer (within ±(2^53 - 1))');
      return checkBounds(spec, key, value === 0 ? 0 : value);
    case 'float':
      if (typeof value !== 'number') throw wrong('a number');
      return checkBounds(spec, key, value);
    case 'string':
      if (typeof value !== 'string') throw wrong('a string');
      return value;
    case 'dtype':
      throw wrong('a data type name such as float or int32');
    case 'shape': {
      if (!Array.isArray(value)) throw wrong('a shape: an array of dimensions or a string like "1,28,28"');
      if (value.length === 0) throw badParam('Specified shape is empty.');
      for (const d of value) {
        if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < -1) throw wrong('a shape whose dimensions are integers >= -1 (-1 is unknown)');
      }
      return Object.freeze(value.map((d: number) => (d === 0 ? 0 : d)));
    }
    case 'enum':
      throw wrong(`one of ${(spec.values ?? []).join(', ')}`);
  }
}

/** The list of values a typed repeated parameter was given (one value or an array of them). */
function typedList(spec: ParamSpec, value: unknown): unknown[] {
  if (!Array.isArray(value)) return [value];
  // A single shape is itself an array: `[1, 28]` is one shape, `[[1, 28], "2,3"]` two.
  if (spec.kind === 'shape' && !value.every((v) => Array.isArray(v) || typeof v === 'string')) return [value];
  return value;
}

/** The value in transform syntax: `true`, `3`, `1,28,28`, `float` (quoting is the printer's job). */
export function formatParamValue(spec: ParamSpec, value: unknown): string {
  if (spec.kind === 'shape' && Array.isArray(value)) return value.join(',');
  return formatLooseValue(value);
}

function formatLooseValue(value: unknown): string {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'nan';
    if (value === Infinity) return 'inf';
    if (value === -Infinity) return '-inf';
    return String(value);
  }
  if (Array.isArray(value)) return value.map(formatLooseValue).join(',');
  return String(value);
}

/** `maxConstantSizeInBytes` → `max_constant_size_in_bytes` (only for keys no schema knows). */
export function snakeCase(s: string): string {
  return s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

// ---------------------------------------------------------------------------------------------
// Whole parameter lists.

function at(source: string, pos: SourcePos, message: string, cause: unknown, hint?: string): GraftError {
  return new GraftError('transform/bad-param', `line ${pos.line}, column ${pos.column}: ${message}\n${formatCaret(source, pos)}`, {
    cause,
    ...(hint !== undefined ? { hint } : {}),
  });
}

function hintOf(e: unknown): string | undefined {
  return e instanceof GraftError ? e.hint : undefined;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function unknownParamMessage(transform: Transform, key: string, candidates: string[]): { message: string; hint?: string } {
  const near = nearestNames(key, candidates);
  const known = Object.keys(transform.params);
  const base = `Unknown parameter '${key}' for '${transform.name}'`;
  const accepted = known.length === 0 ? `; it takes no parameters besides ${IGNORE_ERRORS}` : '';
  if (near.length === 0) return { message: `${base}${accepted}` };
  return { message: `${base}. Did you mean ${near.map((n) => `'${n}'`).join(', ')}?`, hint: `did you mean ${near.join(', ')}` };
}

/**
 * Converts the parameters of a call parsed from a transform string (`source` is that string, for
 * positions). Errors are `transform/unknown-param` or `transform/bad-param`, with line, column
 * and caret.
 */
export function convertCallParams(transform: Transform, call: TransformCall, source: string): ConvertedParams {
  const groups = new Map<string, ParamNode[]>();
  for (const p of call.params) {
    const list = groups.get(p.name);
    if (list === undefined) groups.set(p.name, [p]);
    else list.push(p);
  }
  const given: Record<string, unknown> = {};
  let ignoreErrors = false;
  for (const [key, nodes] of groups) {
    const spec = Object.hasOwn(transform.params, key) ? transform.params[key] : undefined;
    if (spec === undefined) {
      if (key === IGNORE_ERRORS) {
        // TensorFlow reads the first value only; repeating the key is not an error there.
        try {
          ignoreErrors = parseIgnoreErrors(nodes.map((n) => n.value));
        } catch (e) {
          throw at(source, nodes[0].valuePos, messageOf(e), e);
        }
        continue;
      }
      const { message, hint } = unknownParamMessage(transform, key, [...Object.keys(transform.params), IGNORE_ERRORS]);
      const e = new GraftError('transform/unknown-param', `line ${nodes[0].namePos.line}, column ${nodes[0].namePos.column}: ${message}\n${formatCaret(source, nodes[0].namePos)}`, hint === undefined ? {} : { hint });
      throw e;
    }
    if (!spec.repeated && nodes.length > 1) {
      throw at(source, nodes[1].namePos, `Expected a single '${key}' parameter, but found ${nodes.length} occurrences`, undefined, 'only parameters documented as repeated may be given more than once');
    }
    const values = nodes.map((n) => {
      try {
        return convertStringValue(spec, key, n.value);
      } catch (e) {
        throw at(source, n.valuePos, messageOf(e), e, hintOf(e));
      }
    });
    given[camelCase(key)] = spec.repeated ? Object.freeze(values) : values[0];
  }
  return { given: Object.freeze(given), ignoreErrors };
}

/** Whether a builder's params key is the universal flag (`ignore_errors` or `ignoreErrors`). */
export function isIgnoreErrorsKey(key: string): boolean {
  return key === IGNORE_ERRORS || key === camelCase(IGNORE_ERRORS);
}

/**
 * Reads the universal flag as a builder gives it: a boolean, or a string with TensorFlow's rules
 * (`true`/`false`, case-insensitive). The one reader of the flag outside the string parser.
 */
export function readIgnoreErrors(value: unknown, where: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    try {
      return parseIgnoreErrors([value]);
    } catch (e) {
      throw new GraftError('transform/bad-param', `${where}: ${messageOf(e)}`, { cause: e });
    }
  }
  throw badParam(`${where}: ignore_errors must be a boolean, found ${describe(value)}`);
}

/**
 * Converts builder parameters (camelCase or snake_case keys) for `transform`. `where` prefixes
 * error messages (`Step 2 (strip_unused_nodes)`). Undefined values count as not given.
 */
export function convertObjectParams(transform: Transform, params: Readonly<Record<string, unknown>>, where: string): ConvertedParams {
  const byKey = new Map<string, string>();
  for (const key of Object.keys(transform.params)) {
    byKey.set(key, key);
    byKey.set(camelCase(key), key);
  }
  const given: Record<string, unknown> = {};
  const seenFrom = new Map<string, string>();
  let ignoreErrors = false;
  for (const [written, value] of Object.entries(params)) {
    if (value === undefined) continue;
    const key = byKey.get(written);
    if (key === undefined) {
      if (isIgnoreErrorsKey(written)) {
        ignoreErrors = readIgnoreErrors(value, where);
        continue;
      }
      // Suggest in the spelling the caller uses.
      const camel = !written.includes('_');
      const candidates = [...Object.keys(transform.params), IGNORE_ERRORS].map((k) => (camel ? camelCase(k) : k));
      const { message, hint } = unknownParamMessage(transform, written, candidates);
      throw new GraftError('transform/unknown-param', `${where}: ${message}`, hint === undefined ? {} : { hint });
    }
    const earlier = seenFrom.get(key);
    if (earlier !== undefined) throw badParam(`${where}: '${earlier}' and '${written}' name the same parameter`);
    seenFrom.set(key, written);
    const spec = transform.params[key] as ParamSpec;
    try {
      given[camelCase(key)] = spec.repeated
        ? Object.freeze(typedList(spec, value).map((v) => convertTypedValue(spec, key, v)))
        : convertTypedValue(spec, key, value);
    } catch (e) {
      throw new GraftError('transform/bad-param', `${where}: ${messageOf(e)}`, { cause: e, ...(hintOf(e) !== undefined ? { hint: hintOf(e) } : {}) });
    }
  }
  return { given: Object.freeze(given), ignoreErrors };
}

/** `given` completed with the schema's defaults: the object `apply` receives. */
export function applyDefaults(transform: Transform, given: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(transform.params)) {
    const camel = camelCase(key);
    if (Object.hasOwn(given, camel)) out[camel] = given[camel];
    else if (spec.repeated) out[camel] = spec.default ?? Object.freeze([]);
    else out[camel] = spec.default;
  }
  return Object.freeze(out);
}

// ---------------------------------------------------------------------------------------------
// Printing.

const NO_POS: SourcePos = Object.freeze({ offset: 0, line: 1, column: 1 });

function paramNode(name: string, value: string): ParamNode {
  return { name, value, quoted: false, namePos: NO_POS, valuePos: NO_POS };
}

/**
 * The call of a step in canonical syntax: parameters that were given, in schema order, repeated
 * ones as repeated keys, then `ignore_errors=true` when set.
 */
export function printStepCall(name: string, transform: Transform, given: Readonly<Record<string, unknown>>, ignoreErrors: boolean): string {
  const params: ParamNode[] = [];
  for (const [key, spec] of Object.entries(transform.params)) {
    const camel = camelCase(key);
    if (!Object.hasOwn(given, camel) || given[camel] === undefined) continue;
    const value = given[camel];
    const values = spec.repeated ? (value as readonly unknown[]) : [value];
    for (const v of values) params.push(paramNode(key, formatParamValue(spec, v)));
  }
  if (ignoreErrors) params.push(paramNode(IGNORE_ERRORS, 'true'));
  return printTransforms([{ name, namePos: NO_POS, params, hasParens: params.length > 0 }]);
}
