/**
 * The transform-string syntax of TensorFlow's Graph Transform Tool (`--transforms=...`):
 * a parser into an AST with source positions and a canonical printer. The parameter-value
 * converters TensorFlow's transforms use (int, float, bool, shape, dtype, ignore_errors) are in
 * `param-text.ts`.
 *
 * Grammar (TensorFlow's state machine, spec/tf-tools-behaviour.md §2.2), as EBNF:
 *
 * ```ebnf
 * transforms = { SPACE } , { call , { SPACE } } ;
 * call       = NAME , [ "(" , { param } , ")" ] ;           (* no space before "(" *)
 * param      = [ "," ] , { SPACE } , NAME , "=" , value , [ '"' ] , [ "'" ] ;
 * value      = BAREVALUE | '"' , { ( CHAR - '"' - "\" ) | "\" , CHAR } , '"' ;
 * NAME       = { "A".."Z" | "a".."z" | "0".."9" | "_" }- ;
 * BAREVALUE  = { "A".."Z" | "a".."z" | "0".."9" | "_" | "." | "/" | "-" }- ;
 * SPACE      = " " | "\t" | "\n" | "\v" | "\f" | "\r" ;
 * ```
 *
 * So: transforms are separated by whitespace (or nothing, after a `)`), parameters by one
 * optional comma plus whitespace *before* the name, there is no whitespace around `=` or before
 * `)`, a quoted value keeps its backslashes (escapes are not decoded: `"a\"b"` is the four
 * characters `a\"b`), single quotes do not quote, and one stray `"` and then one stray `'` after
 * a value are swallowed. Repeated keys accumulate in order. Values are strings; each transform
 * converts them with the `parse*Param` functions of `param-text.ts`.
 *
 * Deliberate deviations from TensorFlow (everything else is TensorFlow's behaviour exactly):
 *
 * 1. Input that ends inside a parameter list (`foo(a=1`, `foo(`, `foo(a=`) is an error,
 *    `Unterminated parameter list for 'foo'`. TensorFlow reports success and silently drops the
 *    unfinished transform.
 * 2. Errors throw {@link TransformParseError} (a `GraftError` with code `transform/parse`)
 *    instead of returning a status and a partially filled list; the transforms parsed before the
 *    error are still available as `error.calls`.
 * 3. Error messages keep TensorFlow's text (`Looking for transform name, but found <rest>`,
 *    `Looking for parameter name, but found <rest>`, `Looking for =, but found <rest>`) as their
 *    core, but are prefixed with `line L, column C:`, followed by a caret display, and may carry a
 *    parenthesised hint (e.g. that single quotes do not quote). `<rest>` is cut at the first line
 *    break (TensorFlow prints the whole remaining input); an empty rest reads `end of input`, a
 *    rest starting with a line break reads `end of line`.
 * 4. Backslash-newline (a shell line continuation pasted into the string) stays an error, as in
 *    TensorFlow, but the message says that line continuation backslashes belong to the shell.
 *
 * The value converters' own deviations are listed in `param-text.ts`.
 */
import { GraftError, badArgument } from '../errors';
import { isSpace } from './param-text';

/** A place in the transform string. `line` and `column` are 1-based; columns count code points. */
export interface SourcePos {
  /** UTF-16 offset into the source string. */
  offset: number;
  line: number;
  column: number;
}

/** One `key=value` inside a call's parentheses. */
export interface ParamNode {
  name: string;
  /** The value as written (between the quotes when quoted; backslash escapes are kept raw). */
  value: string;
  /** Whether the value was written in double quotes. The printer ignores this (see printTransforms). */
  quoted: boolean;
  namePos: SourcePos;
  /** Where the value token starts: its opening quote when quoted. */
  valuePos: SourcePos;
}

/** One transform invocation, `name` or `name(k=v, ...)`. */
export interface TransformCall {
  name: string;
  namePos: SourcePos;
  params: ParamNode[];
  /** Whether the call was written with parentheses (`foo()` as opposed to `foo`). */
  hasParens: boolean;
}

/** A parsed transform string. */
export interface TransformList {
  calls: TransformCall[];
  source: string;
}

/** The transform string does not parse. `pos` is where, `reason` is the message without position or caret. */
export class TransformParseError extends GraftError {
  readonly pos: SourcePos;
  readonly source: string;
  readonly reason: string;
  /** The transforms that parsed before the error (TensorFlow leaves these in its output list). */
  readonly calls: TransformCall[];

  constructor(source: string, pos: SourcePos, reason: string, calls: TransformCall[], hint?: string) {
    super('transform/parse', `line ${pos.line}, column ${pos.column}: ${reason}\n${formatCaret(source, pos)}`, hint === undefined ? {} : { hint });
    this.pos = pos;
    this.source = source;
    this.reason = reason;
    this.calls = calls;
  }
}

// ---------------------------------------------------------------------------------------------
// Character classes (ASCII only, like TensorFlow's Scanner).

function isNameChar(c: string | undefined): boolean {
  if (c === undefined) return false;
  const k = c.charCodeAt(0);
  return (k >= 48 && k <= 57) || (k >= 65 && k <= 90) || (k >= 97 && k <= 122) || k === 95;
}

function isBareChar(c: string | undefined): boolean {
  return isNameChar(c) || c === '.' || c === '/' || c === '-';
}

const NAME_RE = /^[A-Za-z0-9_]+$/;
const BAREVALUE_RE = /^[A-Za-z0-9_./-]+$/;

// ---------------------------------------------------------------------------------------------
// Positions and caret display.

/** Offsets at which each line starts. Lines end at `\n` (a preceding `\r` belongs to the break). */
function lineStarts(source: string): number[] {
  const starts = [0];
  for (let i = source.indexOf('\n'); i >= 0; i = source.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function countCodePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const k = s.charCodeAt(i);
    // A high surrogate followed by a low one is a single code point.
    if (k >= 0xd800 && k <= 0xdbff && i + 1 < s.length) {
      const l = s.charCodeAt(i + 1);
      if (l >= 0xdc00 && l <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

function makePositioner(source: string): (offset: number) => SourcePos {
  const starts = lineStarts(source);
  return (offset) => {
    // Binary search for the last line start <= offset.
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { offset, line: lo + 1, column: countCodePoints(source.slice(starts[lo], offset)) + 1 };
  };
}

/**
 * The position of `offset` in `source` (1-based line and column).
 *
 * @example
 * ```ts
 * positionAt('a\nbc', 3) // { offset: 3, line: 2, column: 2 }
 * ```
 */
export function positionAt(source: string, offset: number): SourcePos {
  return makePositioner(source)(Math.max(0, Math.min(offset, source.length)));
}

/**
 * The source line holding `pos`, indented by two spaces, and a caret under `pos.column`.
 * Tabs before the caret are repeated in the caret line so the caret lines up in a terminal.
 *
 * @example
 * ```ts
 * formatCaret('f(a =1)', { offset: 3, line: 1, column: 4 }) // "  f(a =1)\n     ^"
 * ```
 */
export function formatCaret(source: string, pos: SourcePos): string {
  const lines = source.split('\n');
  const raw = lines[Math.min(Math.max(pos.line, 1), lines.length) - 1] ?? '';
  const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  let pad = '';
  let col = 1;
  for (const ch of text) {
    if (col >= pos.column) break;
    pad += ch === '\t' ? '\t' : ' ';
    col++;
  }
  // A column past the end of the line (error at a line break or at end of input).
  if (col < pos.column) pad += ' '.repeat(pos.column - col);
  return `  ${text}\n  ${pad}^`;
}

// ---------------------------------------------------------------------------------------------
// Parser.

const CONTINUATION_HINT = 'line continuation backslashes belong to the shell, not the transform string';
const QUOTE_HINT = "a value with characters other than letters, digits and _ . / - must be written in double quotes";

/** `<rest>` for a message: the remaining input up to the first line break. */
function describeRest(rest: string): string {
  if (rest === '') return 'end of input';
  const nl = rest.search(/\r?\n/);
  if (nl === 0) return 'end of line';
  return nl < 0 ? rest : rest.slice(0, nl);
}

/** A backslash, optional blanks, then a line break or the end: a shell line continuation. */
function isContinuation(rest: string): boolean {
  return /^\\[ \t]*(\r?\n|$)/.test(rest);
}

interface OpenCall {
  name: string;
  namePos: SourcePos;
  params: ParamNode[];
  openOffset: number;
}

/**
 * Parses a Graph Transform Tool transform string, exactly as TensorFlow does (see the deviations
 * at the top of this file).
 *
 * @throws {TransformParseError} (`GraftError` code `transform/parse`) naming line and column.
 * @example
 * ```ts
 * const { calls } = parseTransforms('fold_constants(ignore_errors=true) strip_unused_nodes(type=float, shape="1,28,28")');
 * calls[1].params[1] // { name: 'shape', value: '1,28,28', quoted: true, ... }
 * ```
 */
export function parseTransforms(source: string): TransformList {
  if (typeof source !== 'string') throw badArgument('parseTransforms', 'source', 'a transform string', source);
  const at = makePositioner(source);
  const calls: TransformCall[] = [];
  const n = source.length;
  let i = 0;
  let state: 'name' | 'paramName' | 'paramValue' = 'name';
  let open: OpenCall | undefined;
  let paramName = '';
  let paramNameOffset = 0;
  // Where the last bare value ended: a failure right there means the value needed quotes.
  let bareValueEnd = -1;

  const fail = (offset: number, reason: string, hint?: string): never => {
    throw new TransformParseError(source, at(offset), hint === undefined ? reason : `${reason} (${hint})`, calls.slice(), hint);
  };
  const skipSpace = (): void => {
    while (i < n && isSpace(source[i])) i++;
  };
  const scanName = (): string => {
    const start = i;
    while (i < n && isNameChar(source[i])) i++;
    return source.slice(start, i);
  };

  while (i < n) {
    if (state === 'name') {
      skipSpace();
      if (i >= n) break;
      const start = i;
      const name = scanName();
      if (name === '') {
        const rest = source.slice(start);
        let hint: string | undefined;
        if (isContinuation(rest)) hint = CONTINUATION_HINT;
        else if (rest[0] === '(' && calls.length > 0 && isSpace(source[start - 1])) hint = "no space is allowed between a transform name and its '('";
        else if (rest[0] === ',' || rest[0] === ';') hint = 'transforms are separated by spaces';
        fail(start, `Looking for transform name, but found ${describeRest(rest)}`, hint);
      }
      if (source[i] === '(') {
        open = { name, namePos: at(start), params: [], openOffset: i };
        i++;
        state = 'paramName';
      } else {
        calls.push({ name, namePos: at(start), params: [], hasParens: false });
      }
    } else if (state === 'paramName') {
      const call = open as OpenCall;
      if (source[i] === ')') {
        i++;
        calls.push({ name: call.name, namePos: call.namePos, params: call.params, hasParens: true });
        open = undefined;
        state = 'name';
        continue;
      }
      if (source[i] === ',') i++;
      skipSpace();
      const start = i;
      paramName = scanName();
      if (paramName === '') {
        const rest = source.slice(start);
        let hint: string | undefined;
        if (isContinuation(rest)) hint = CONTINUATION_HINT;
        else if (start === bareValueEnd) hint = QUOTE_HINT;
        else if (rest[0] === ')') hint = "no comma or space is allowed before ')'";
        fail(start, `Looking for parameter name, but found ${describeRest(rest)}`, hint);
      }
      paramNameOffset = start;
      if (source[i] !== '=') {
        const rest = source.slice(i);
        fail(i, `Looking for =, but found ${describeRest(rest)}`, isSpace(rest[0]) ? "no space is allowed around '='" : undefined);
      }
      i++;
      state = 'paramValue';
    } else {
      const call = open as OpenCall;
      const valueStart = i;
      let value: string;
      let quoted = false;
      if (source[i] === '"') {
        quoted = true;
        i++;
        const contentStart = i;
        // Scan to the next unescaped quote; a backslash skips the character after it.
        while (i < n && source[i] !== '"') i += source[i] === '\\' ? 2 : 1;
        if (i >= n) {
          fail(contentStart, `Looking for parameter name, but found ${describeRest(source.slice(contentStart))}`, `the double-quoted value opened at column ${at(valueStart).column} is never closed`);
        }
        value = source.slice(contentStart, i);
        i++; // the closing quote
        bareValueEnd = -1;
      } else {
        while (i < n && isBareChar(source[i])) i++;
        value = source.slice(valueStart, i);
        if (value === '') {
          const rest = source.slice(valueStart);
          let hint: string;
          if (rest[0] === "'") hint = 'single quotes do not quote a value; use double quotes';
          else if (isSpace(rest[0])) hint = "no space is allowed around '='";
          else hint = QUOTE_HINT;
          fail(valueStart, `Looking for parameter name, but found ${describeRest(rest)}`, hint);
        }
        bareValueEnd = i;
      }
      call.params.push({ name: paramName, value, quoted, namePos: at(paramNameOffset), valuePos: at(valueStart) });
      // TensorFlow swallows one stray '"' and then one stray "'" after any value.
      if (source[i] === '"') i++;
      if (source[i] === "'") i++;
      if (i !== bareValueEnd) bareValueEnd = -1;
      state = 'paramName';
    }
  }

  if (open !== undefined) {
    fail(open.openOffset, `Unterminated parameter list for '${open.name}'`, "the input ends before the closing ')'");
  }
  return { calls, source };
}

// ---------------------------------------------------------------------------------------------
// Printer.

/** Whether `value`, written between double quotes, parses back to exactly `value`. */
function fitsInQuotes(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '"') return false;
    if (value[i] === '\\') {
      // A trailing backslash would escape the closing quote.
      if (i + 1 >= value.length) return false;
      i++;
    }
  }
  return true;
}

function printValue(call: string, key: string, value: string): string {
  if (BAREVALUE_RE.test(value)) return value;
  if (!fitsInQuotes(value)) {
    throw new GraftError(
      'transform/bad-param',
      `The value of '${key}' in '${call}' cannot be written in the transform syntax: ${JSON.stringify(value)}`,
      { hint: 'quoted values keep backslashes as written, so a value cannot hold an unescaped " or end in an odd backslash' },
    );
  }
  return `"${value}"`;
}

/**
 * Prints transforms in canonical form: `name` when there are no parameters, else
 * `name(key=value, key="quoted value")`, calls joined by single spaces. A value is quoted iff it
 * is empty or not a valid BAREVALUE (`[A-Za-z0-9_./-]+`); how it was written is ignored. The
 * output parses back to the same calls, so `print(parse(s))` is a fixed point.
 *
 * @throws GraftError `transform/parse` for a name or key that is not `[A-Za-z0-9_]+`, and
 *   `transform/bad-param` for a value the syntax cannot express (an unescaped `"`).
 * @example
 * ```ts
 * printTransforms(parseTransforms('foo( a="1",b="x:0")')) // 'foo(a=1, b="x:0")'
 * ```
 */
export function printTransforms(list: TransformList | TransformCall[]): string {
  const calls = Array.isArray(list) ? list : list.calls;
  return calls
    .map((call) => {
      if (!NAME_RE.test(call.name)) {
        throw new GraftError('transform/parse', `'${call.name}' is not a valid transform name (letters, digits and _ only)`);
      }
      if (call.params.length === 0) return call.name;
      const params = call.params.map((p) => {
        if (!NAME_RE.test(p.name)) {
          throw new GraftError('transform/parse', `'${p.name}' is not a valid parameter name for '${call.name}' (letters, digits and _ only)`);
        }
        return `${p.name}=${printValue(call.name, p.name, p.value)}`;
      });
      return `${call.name}(${params.join(', ')})`;
    })
    .join(' ');
}

/**
 * A call's parameters as TensorFlow's `TransformFuncParameters`: key → values, repeated keys
 * accumulating in the order written.
 *
 * @example
 * ```ts
 * paramsToMap(parseTransforms('bar(a=1, b=2, a=3)').calls[0]) // Map { a => ['1','3'], b => ['2'] }
 * ```
 */
export function paramsToMap(call: TransformCall): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const p of call.params) {
    const values = map.get(p.name);
    if (values === undefined) map.set(p.name, [p.value]);
    else values.push(p.value);
  }
  return map;
}
