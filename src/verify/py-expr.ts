/**
 * The Python expressions `saved_model_cli run --input_exprs` and `--input_examples` take, read
 * without running Python: a small evaluator for literals and the numpy calls people write there.
 *
 * Accepted:
 * - literals: ints, floats (`1e-3`, `.5`, `inf` via `float('inf')`), `True`/`False`/`None`,
 *   strings and bytes (`'a'`, `"a"`, `b'a'`, adjacent ones joined), lists, tuples, dicts;
 * - `np.array(obj, dtype=)`, `np.asarray`, `np.ones(shape, dtype=)`, `np.zeros`, `np.full(shape,
 *   value, dtype=)`, `np.arange([start,] stop[, step], dtype=)`, `np.linspace(start, stop,
 *   num=50)`, `np.eye(n[, m])`, scalar constructors (`np.float32(1.5)`), `np.random.rand(*dims)`
 *   and `np.random.randint(low[, high], size=)` (values from graft's seeded generator, not
 *   numpy's: said on stderr by the caller), dtypes as `np.float32`, `'float32'`, `float`, `int`;
 * - methods `.astype(dtype)` and `.reshape(shape)`; unary `-`/`+`, binary `+ - * /` with numpy
 *   broadcasting of a scalar or equal shapes.
 *
 * Anything else (other names, attribute access, indexing, comprehensions) is a `cli/usage` error
 * naming what was not understood: nothing is ever executed.
 */
import { GraftError } from '../errors';
import type { DType } from '../ir/dtype';
import { seededRandom } from '../ir/random';
import { type Tensor, makeStringTensor, makeTensor, numElements } from '../ir/tensor';

/** numpy dtypes the evaluator knows. */
type NpDType = 'float16' | 'float32' | 'float64' | 'int8' | 'int16' | 'int32' | 'int64' | 'uint8' | 'uint16' | 'uint32' | 'uint64' | 'bool' | 'str' | 'bytes';

type Scalar = number | boolean | string | Uint8Array;

/** A Python value. */
export type PyValue =
  | { readonly t: 'int'; readonly v: number }
  | { readonly t: 'float'; readonly v: number }
  | { readonly t: 'bool'; readonly v: boolean }
  | { readonly t: 'str'; readonly v: string }
  | { readonly t: 'bytes'; readonly v: Uint8Array }
  | { readonly t: 'none' }
  | { readonly t: 'list' | 'tuple'; readonly items: readonly PyValue[] }
  | { readonly t: 'dict'; readonly entries: readonly (readonly [PyValue, PyValue])[] }
  | { readonly t: 'nd'; readonly dtype: NpDType; readonly shape: readonly number[]; readonly data: readonly Scalar[] }
  | { readonly t: 'dtype'; readonly dtype: NpDType }
  | { readonly t: 'fn'; readonly name: string; readonly self?: PyValue }
  | { readonly t: 'module'; readonly name: string };

const NP_DTYPES: Readonly<Record<string, NpDType>> = {
  float16: 'float16', half: 'float16', float32: 'float32', single: 'float32', float64: 'float64', double: 'float64', float_: 'float64',
  int8: 'int8', int16: 'int16', int32: 'int32', int64: 'int64', int_: 'int64', intc: 'int32',
  uint8: 'uint8', uint16: 'uint16', uint32: 'uint32', uint64: 'uint64', bool_: 'bool', bool: 'bool',
  str_: 'str', bytes_: 'bytes', object_: 'str',
};
const FUNCTIONS = new Set(['array', 'asarray', 'ones', 'zeros', 'full', 'arange', 'linspace', 'eye']);
const RANDOM = new Set(['rand', 'randint']);

interface Token {
  readonly kind: 'num' | 'str' | 'name' | 'op' | 'end';
  readonly text: string;
  readonly pos: number;
  readonly value?: PyValue;
}

/** Options of {@link evalPyExpr}. */
export interface PyExprOptions {
  /** Seed of `np.random.*` values. Default 1. */
  readonly seed?: number;
  /** Called once when `np.random.*` is used (the caller says the values are graft's). */
  readonly onRandom?: () => void;
}

/**
 * Evaluates one expression.
 *
 * @example
 * ```ts
 * pyValueToTensor(evalPyExpr('np.ones((2,3), dtype=np.float32)')) // float [2,3] of ones
 * ```
 * @throws GraftError `cli/usage` for what the evaluator does not accept, with the column.
 */
export function evalPyExpr(source: string, opts: PyExprOptions = {}): PyValue {
  const tokens = tokenize(source);
  let i = 0;
  const random = seededRandom(opts.seed ?? 1);
  let warned = false;
  const fail = (message: string, at = tokens[i]!.pos): never => {
    throw new GraftError('cli/usage', `Cannot read the expression ${JSON.stringify(clip(source))}: ${message} (at column ${at + 1}). graft accepts Python literals and numpy's array, ones, zeros, full, arange, linspace, eye, random.rand/randint, .astype and .reshape`);
  };
  const peek = () => tokens[i]!;
  const isOp = (text: string) => peek().kind === 'op' && peek().text === text;
  const expect = (text: string) => {
    if (!isOp(text)) fail(`expected '${text}'`);
    i++;
  };

  let depth = 0;
  const expr = (): PyValue => {
    if (++depth > 200) fail('nested more than 200 deep');
    try {
      return sum();
    } finally {
      depth--;
    }
  };
  const sum = (): PyValue => {
    let left = term();
    while (isOp('+') || isOp('-')) {
      const op = tokens[i++]!;
      left = binary(op.text, left, term(), (m) => fail(m, op.pos));
    }
    return left;
  };
  const term = (): PyValue => {
    let left = unary();
    while (isOp('*') || isOp('/')) {
      const op = tokens[i++]!;
      left = binary(op.text, left, unary(), (m) => fail(m, op.pos));
    }
    return left;
  };
  const unary = (): PyValue => {
    if (isOp('-') || isOp('+')) {
      const op = tokens[i++]!;
      if (++depth > 200) fail('nested more than 200 deep');
      const v = unary();
      depth--;
      return op.text === '+' ? v : binary('*', { t: 'int', v: -1 }, v, (m) => fail(m, op.pos));
    }
    return postfix();
  };
  const postfix = (): PyValue => {
    let v = atom();
    for (;;) {
      if (isOp('.')) {
        i++;
        const name = peek();
        if (name.kind !== 'name') fail('expected a name after .');
        i++;
        v = attribute(v, name.text, name.pos);
      } else if (isOp('(')) {
        const at = peek().pos;
        i++;
        const args: PyValue[] = [];
        const kwargs: Record<string, PyValue> = {};
        while (!isOp(')')) {
          if (peek().kind === 'name' && tokens[i + 1]?.kind === 'op' && tokens[i + 1]!.text === '=') {
            const key = peek().text;
            i += 2;
            kwargs[key] = expr();
          } else args.push(expr());
          if (!isOp(')')) expect(',');
        }
        i++;
        v = call(v, args, kwargs, (m) => fail(m, at));
      } else if (isOp('[')) fail('indexing is not supported');
      else return v;
    }
  };
  const atom = (): PyValue => {
    const tok = peek();
    if (tok.kind === 'num') return i++, tok.value!;
    if (tok.kind === 'str') {
      i++;
      let v = tok.value!;
      while (peek().kind === 'str') {
        const next = tokens[i++]!.value!;
        if (v.t === 'str' && next.t === 'str') v = { t: 'str', v: v.v + next.v };
        else if (v.t === 'bytes' && next.t === 'bytes') v = { t: 'bytes', v: new Uint8Array([...v.v, ...next.v]) };
        else fail('cannot mix bytes and str literals', tokens[i - 1]!.pos);
      }
      return v;
    }
    if (tok.kind === 'name') {
      i++;
      switch (tok.text) {
        case 'True': return { t: 'bool', v: true };
        case 'False': return { t: 'bool', v: false };
        case 'None': return { t: 'none' };
        case 'np': case 'numpy': return { t: 'module', name: 'np' };
        case 'float': return { t: 'dtype', dtype: 'float64' };
        case 'int': return { t: 'dtype', dtype: 'int64' };
        case 'bool': return { t: 'dtype', dtype: 'bool' };
        case 'str': return { t: 'dtype', dtype: 'str' };
        case 'bytes': return { t: 'dtype', dtype: 'bytes' };
        default: return fail(`unknown name '${tok.text}'`, tok.pos);
      }
    }
    if (isOp('[')) {
      i++;
      const items: PyValue[] = [];
      while (!isOp(']')) {
        items.push(expr());
        if (!isOp(']')) expect(',');
      }
      i++;
      return { t: 'list', items };
    }
    if (isOp('(')) {
      i++;
      const items: PyValue[] = [];
      let comma = false;
      while (!isOp(')')) {
        items.push(expr());
        if (!isOp(')')) {
          expect(',');
          comma = true;
        }
      }
      i++;
      return items.length === 1 && !comma ? items[0]! : { t: 'tuple', items };
    }
    if (isOp('{')) {
      i++;
      const entries: [PyValue, PyValue][] = [];
      while (!isOp('}')) {
        const k = expr();
        expect(':');
        entries.push([k, expr()]);
        if (!isOp('}')) expect(',');
      }
      i++;
      return { t: 'dict', entries };
    }
    return fail(tok.kind === 'end' ? 'unexpected end' : `unexpected '${tok.text}'`);
  };

  const attribute = (v: PyValue, name: string, at: number): PyValue => {
    if (v.t === 'module' && v.name === 'np') {
      if (name === 'random') return { t: 'module', name: 'np.random' };
      if (NP_DTYPES[name]) return { t: 'dtype', dtype: NP_DTYPES[name]! };
      if (FUNCTIONS.has(name)) return { t: 'fn', name };
      if (name === 'inf') return { t: 'float', v: Infinity };
      if (name === 'nan') return { t: 'float', v: NaN };
      if (name === 'pi') return { t: 'float', v: Math.PI };
      return fail(`np.${name} is not supported`, at);
    }
    if (v.t === 'module' && v.name === 'np.random' && RANDOM.has(name)) return { t: 'fn', name: `random.${name}` };
    if ((name === 'astype' || name === 'reshape') && v.t !== 'module' && v.t !== 'fn' && v.t !== 'dtype') return { t: 'fn', name, self: v };
    return fail(`.${name} is not supported`, at);
  };

  const call = (f: PyValue, args: PyValue[], kw: Record<string, PyValue>, err: (m: string) => never): PyValue => {
    const dtypeArg = (v: PyValue | undefined): NpDType | undefined => (v === undefined || v.t === 'none' ? undefined : toDType(v, err));
    if (f.t === 'dtype') {
      if (args.length !== 1) err(`${f.dtype}() takes one value`);
      if (f.dtype === 'float64' && args[0]!.t === 'str') {
        const s = (args[0] as { v: string }).v.trim().toLowerCase();
        const v = s === 'inf' || s === '+inf' ? Infinity : s === '-inf' ? -Infinity : s === 'nan' ? NaN : Number(s);
        if (Number.isNaN(v) && s !== 'nan') err(`float(${JSON.stringify(s)}) is not a number`);
        return { t: 'float', v };
      }
      return cast(asArray(args[0]!, err), f.dtype, err);
    }
    if (f.t !== 'fn') return err('this is not callable');
    const name = f.name;
    if (name === 'astype') return cast(asArray(f.self!, err), dtypeArg(args[0] ?? kw.dtype) ?? err('astype needs a dtype'), err);
    if (name === 'reshape') {
      const a = asArray(f.self!, err);
      const dims = args.length === 1 ? shapeArg(args[0]!, err) : args.map((x) => intOf(x, err));
      return reshape(a, dims, err);
    }
    if (name === 'array' || name === 'asarray') {
      if (args.length < 1) err(`np.${name} needs a value`);
      const a = asArray(args[0]!, err);
      const dt = dtypeArg(args[1] ?? kw.dtype);
      return dt ? cast(a, dt, err) : a;
    }
    if (name === 'ones' || name === 'zeros' || name === 'full') {
      const shape = shapeArg(args[0] ?? kw.shape ?? err(`np.${name} needs a shape`), err);
      let fill: PyValue = { t: 'float', v: name === 'ones' ? 1 : 0 };
      if (name === 'full') fill = args[1] ?? kw.fill_value ?? err('np.full needs a fill value');
      const f0 = asArray(fill, err);
      const dt = dtypeArg(name === 'full' ? (args[2] ?? kw.dtype) : (args[1] ?? kw.dtype)) ?? f0.dtype;
      return cast({ t: 'nd', dtype: f0.dtype, shape, data: new Array<Scalar>(sized(numElements(shape), `np.${name}`)).fill(f0.data[0]!) }, dt, err);
    }
    if (name === 'arange') {
      const nums = args.map((a) => asArray(a, err));
      if (nums.length < 1 || nums.length > 3 || nums.some((n) => n.shape.length !== 0)) err('np.arange takes 1 to 3 numbers');
      const vals = nums.map((n) => Number(n.data[0]));
      const [start, stop, step] = vals.length === 1 ? [0, vals[0]!, 1] : [vals[0]!, vals[1]!, vals[2] ?? 1];
      if (step === 0) err('np.arange: step is zero');
      const count = sized(Math.max(0, Math.ceil((stop - start) / step)), 'np.arange');
      const allInt = nums.every((n) => isIntDType(n.dtype));
      const dt = dtypeArg(kw.dtype) ?? (allInt ? 'int64' : 'float64');
      return cast({ t: 'nd', dtype: allInt ? 'int64' : 'float64', shape: [count], data: Array.from({ length: count }, (_, k) => start + k * step) }, dt, err);
    }
    if (name === 'linspace') {
      const start = Number(asArray(args[0] ?? err('np.linspace needs start and stop'), err).data[0]);
      const stop = Number(asArray(args[1] ?? err('np.linspace needs start and stop'), err).data[0]);
      const num = sized(intOf(args[2] ?? kw.num ?? { t: 'int', v: 50 }, err), 'np.linspace');
      const step = num > 1 ? (stop - start) / (num - 1) : 0;
      const data = Array.from({ length: num }, (_, k) => (k === num - 1 && num > 1 ? stop : start + k * step));
      return cast({ t: 'nd', dtype: 'float64', shape: [num], data }, dtypeArg(kw.dtype) ?? 'float64', err);
    }
    if (name === 'eye') {
      const n = intOf(args[0] ?? err('np.eye needs N'), err);
      const m = args[1] && args[1].t !== 'none' ? intOf(args[1], err) : kw.M ? intOf(kw.M, err) : n;
      const data = Array.from({ length: sized(n * m, 'np.eye') }, (_, k) => (Math.floor(k / m) === k % m ? 1 : 0));
      return cast({ t: 'nd', dtype: 'float64', shape: [n, m], data }, dtypeArg(kw.dtype) ?? 'float64', err);
    }
    if (name === 'random.rand' || name === 'random.randint') {
      if (!warned) {
        warned = true;
        opts.onRandom?.();
      }
      if (name === 'random.rand') {
        const shape = args.map((a) => intOf(a, err));
        return { t: 'nd', dtype: 'float64', shape, data: Array.from({ length: sized(numElements(shape), 'np.random.rand') }, () => random()) };
      }
      let low = intOf(args[0] ?? kw.low ?? err('np.random.randint needs low'), err);
      let high = args[1] && args[1].t !== 'none' ? intOf(args[1], err) : kw.high ? intOf(kw.high, err) : undefined;
      if (high === undefined) [low, high] = [0, low];
      const size = args[2] ?? kw.size;
      const shape = size === undefined || size.t === 'none' ? [] : shapeArg(size, err);
      const data = Array.from({ length: sized(numElements(shape), 'np.random.randint') }, () => low + Math.floor(random() * (high! - low)));
      return cast({ t: 'nd', dtype: 'int64', shape, data }, dtypeArg(kw.dtype) ?? 'int64', err);
    }
    return err(`${name} is not supported`);
  };

  const result = expr();
  if (peek().kind !== 'end') fail(`unexpected '${peek().text}'`);
  return result;
}

/** The most elements one expression may build (512 MiB of numbers, the default input limit). */
export const MAX_EXPR_ELEMENTS = 2 ** 26;

/** `n` elements, or `runtime/too-large` before anything is allocated. */
function sized(n: number, what: string): number {
  if (!Number.isFinite(n) || n > MAX_EXPR_ELEMENTS) {
    throw new GraftError('runtime/too-large', `${what} would make ${Number.isFinite(n) ? n.toLocaleString('en-US') : 'infinitely many'} elements; an input expression builds at most ${MAX_EXPR_ELEMENTS.toLocaleString('en-US')} (give a large input as a .npy file)`);
  }
  return n;
}

/** An expression as quoted in a message: at most 80 characters. */
function clip(source: string): string {
  return source.length > 80 ? `${source.slice(0, 77)}...` : source;
}

function isIntDType(d: NpDType): boolean {
  return /^u?int/.test(d);
}

function toDType(v: PyValue, err: (m: string) => never): NpDType {
  if (v.t === 'dtype') return v.dtype;
  if (v.t === 'str') {
    const d = NP_DTYPES[v.v] ?? ({ float: 'float64', int: 'int64', f4: 'float32', f8: 'float64', i4: 'int32', i8: 'int64', u1: 'uint8' } as Record<string, NpDType>)[v.v];
    if (d) return d;
  }
  return err('not a dtype');
}

function intOf(v: PyValue, err: (m: string) => never): number {
  if (v.t === 'int') return v.v;
  if (v.t === 'nd' && v.shape.length === 0 && isIntDType(v.dtype)) return Number(v.data[0]);
  return err('expected an integer');
}

function shapeArg(v: PyValue, err: (m: string) => never): number[] {
  const dims = v.t === 'list' || v.t === 'tuple' ? v.items.map((x) => intOf(x, err)) : [intOf(v, err)];
  if (dims.some((d) => d < 0)) err('negative dimensions are not allowed');
  return dims;
}

/** `np.asarray(v)`: nested lists to an array, dtype from the leaves (bool < int < float; str; bytes). */
function asArray(v: PyValue, err: (m: string) => never): Extract<PyValue, { t: 'nd' }> {
  if (v.t === 'nd') return v;
  const leaves: PyValue[] = [];
  const shapeOf = (x: PyValue): number[] => {
    if (x.t === 'list' || x.t === 'tuple') {
      if (x.items.length === 0) return [0];
      const inner = x.items.map(shapeOf);
      const first = inner[0]!;
      if (inner.some((s) => s.length !== first.length || s.some((d, k) => d !== first[k]))) err('the nested lists are ragged (numpy: an inhomogeneous shape)');
      return [x.items.length, ...first];
    }
    if (x.t === 'nd') err('arrays inside lists are not supported');
    leaves.push(x);
    return [];
  };
  const shape = shapeOf(v);
  const kinds = new Set(leaves.map((l) => l.t));
  for (const k of kinds) if (!['int', 'float', 'bool', 'str', 'bytes'].includes(k)) err(`a ${k} cannot be an array element`);
  const dtype: NpDType = kinds.has('str') ? 'str' : kinds.has('bytes') ? 'bytes' : kinds.has('float') ? 'float64' : kinds.has('int') ? 'int64' : kinds.size === 0 ? 'float64' : 'bool';
  if ((dtype === 'str' || dtype === 'bytes') && kinds.size > 1) err('mixed strings and numbers');
  const data = leaves.map((l) => (l as { v: Scalar }).v);
  return { t: 'nd', dtype, shape, data };
}

function cast(a: Extract<PyValue, { t: 'nd' }>, dtype: NpDType, err: (m: string) => never): Extract<PyValue, { t: 'nd' }> {
  if (a.dtype === dtype) return a;
  const textual = (d: NpDType) => d === 'str' || d === 'bytes';
  if (textual(a.dtype) !== textual(dtype)) err(`cannot convert ${a.dtype} values to ${dtype}`);
  if (textual(dtype)) return { ...a, dtype, data: a.data.map((x) => (dtype === 'str' ? (typeof x === 'string' ? x : new TextDecoder().decode(x as Uint8Array)) : typeof x === 'string' ? new TextEncoder().encode(x) : x)) };
  const num = (x: Scalar) => (typeof x === 'boolean' ? (x ? 1 : 0) : (x as number));
  let f: (x: number) => Scalar;
  if (dtype === 'bool') f = (x) => x !== 0;
  else if (dtype === 'float32' || dtype === 'float16') f = (x) => Math.fround(x);
  else if (dtype === 'float64') f = (x) => x;
  else {
    const bits = Number(/\d+/.exec(dtype)![0]);
    const unsigned = dtype.startsWith('u');
    f = (x) => {
      const t = Math.trunc(x);
      if (!Number.isFinite(t)) err(`cannot convert ${x} to ${dtype}`);
      if (bits === 64) return t;
      const mod = 2 ** bits;
      let w = ((t % mod) + mod) % mod;
      if (!unsigned && w >= mod / 2) w -= mod;
      return w;
    };
  }
  return { ...a, dtype, data: a.data.map((x) => f(num(x))) };
}

function reshape(a: Extract<PyValue, { t: 'nd' }>, dims: number[], err: (m: string) => never): PyValue {
  const n = a.data.length;
  const unknown = dims.filter((d) => d === -1).length;
  if (unknown > 1) err('can only specify one unknown dimension');
  const known = dims.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
  const shape = dims.map((d) => (d === -1 ? (known === 0 ? 0 : n / known) : d));
  if (numElements(shape) !== n || shape.some((d) => !Number.isInteger(d))) err(`cannot reshape array of size ${n} into shape (${dims.join(', ')})`);
  return { ...a, shape };
}

const FLOAT_RANK: Record<string, number> = { float16: 1, float32: 2, float64: 3 };

function binary(op: string, x: PyValue, y: PyValue, err: (m: string) => never): PyValue {
  // Python scalars stay scalars.
  const isNum = (v: PyValue) => v.t === 'int' || v.t === 'float' || v.t === 'bool';
  if (isNum(x) && isNum(y)) {
    const a = Number((x as { v: number | boolean }).v);
    const b = Number((y as { v: number | boolean }).v);
    const r = op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : a / b;
    return op === '/' || x.t === 'float' || y.t === 'float' ? { t: 'float', v: r } : { t: 'int', v: r };
  }
  const a = asArray(x, err);
  const b = asArray(y, err);
  if (!Object.hasOwn(FLOAT_RANK, a.dtype) && !isIntDType(a.dtype) && a.dtype !== 'bool') err(`cannot compute with ${a.dtype} values`);
  if (!Object.hasOwn(FLOAT_RANK, b.dtype) && !isIntDType(b.dtype) && b.dtype !== 'bool') err(`cannot compute with ${b.dtype} values`);
  const scalarA = a.shape.length === 0 && x.t !== 'nd';
  const scalarB = b.shape.length === 0 && y.t !== 'nd';
  let shape: readonly number[];
  if (a.data.length === 1 && (a.shape.length === 0 || b.shape.length >= a.shape.length)) shape = b.shape;
  else if (b.data.length === 1 && (b.shape.length === 0 || a.shape.length >= b.shape.length)) shape = a.shape;
  else if (a.shape.length === b.shape.length && a.shape.every((d, k) => d === b.shape[k])) shape = a.shape;
  else return err(`shapes (${a.shape.join(', ')}) and (${b.shape.join(', ')}) do not broadcast here (only a scalar or equal shapes)`);
  // numpy 2 promotion: a Python scalar does not widen an array's dtype of its kind.
  const floatOf = (d: NpDType) => FLOAT_RANK[d] ?? 0;
  let dtype: NpDType;
  if (scalarA && !scalarB) dtype = x.t === 'float' && floatOf(b.dtype) === 0 ? 'float64' : b.dtype;
  else if (scalarB && !scalarA) dtype = y.t === 'float' && floatOf(a.dtype) === 0 ? 'float64' : a.dtype;
  else if (floatOf(a.dtype) || floatOf(b.dtype)) dtype = floatOf(a.dtype) >= floatOf(b.dtype) ? (floatOf(a.dtype) ? a.dtype : b.dtype) : b.dtype;
  else dtype = a.dtype === b.dtype ? a.dtype : 'int64';
  if (op === '/' && floatOf(dtype) === 0) dtype = 'float64';
  if (dtype === 'bool') dtype = 'int64';
  const n = numElements(shape);
  const at = (v: typeof a, k: number) => Number(v.data[v.data.length === 1 ? 0 : k]);
  const data = Array.from({ length: n }, (_, k) => {
    const p = at(a, k);
    const q = at(b, k);
    return op === '+' ? p + q : op === '-' ? p - q : op === '*' ? p * q : p / q;
  });
  return cast({ t: 'nd', dtype: 'float64', shape, data }, dtype, err);
}

const NP_TO_TF: Readonly<Record<NpDType, DType>> = {
  float16: 'half', float32: 'float', float64: 'double', int8: 'int8', int16: 'int16', int32: 'int32', int64: 'int64',
  uint8: 'uint8', uint16: 'uint16', uint32: 'uint32', uint64: 'uint64', bool: 'bool', str: 'string', bytes: 'string',
};

/**
 * A value as the tensor numpy would hand to `session.run` (`np.asarray(value)`): Python floats
 * are float64, ints int64, strings and bytes TensorFlow strings.
 *
 * @throws GraftError `cli/usage` for a value that is not an array (a dict, None).
 */
export function pyValueToTensor(v: PyValue, where = 'value'): Tensor {
  const err = (m: string): never => {
    throw new GraftError('cli/usage', `${where}: ${m}`);
  };
  if (v.t === 'dict' || v.t === 'none' || v.t === 'fn' || v.t === 'module' || v.t === 'dtype') err(`a ${v.t === 'fn' ? 'function' : v.t} is not an array`);
  const a = asArray(v, err);
  const dtype = NP_TO_TF[a.dtype];
  if (dtype === 'string') return makeStringTensor(a.shape, a.data.map((x) => (typeof x === 'string' || x instanceof Uint8Array ? x : String(x))));
  if (dtype === 'int64' || dtype === 'uint64') return makeTensor(dtype, a.shape, a.data.map((x) => BigInt(x as number)));
  return makeTensor(dtype, a.shape, a.data as (number | boolean)[]);
}

// ---------------------------------------------------------------- tokens

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let p = 0;
  const fail = (m: string): never => {
    throw new GraftError('cli/usage', `Cannot read the expression ${JSON.stringify(clip(src))}: ${m} (at column ${p + 1})`);
  };
  while (p < src.length) {
    const c = src[p]!;
    if (/\s/.test(c)) {
      p++;
      continue;
    }
    const start = p;
    const num = /^(?:\d[\d_]*\.?[\d_]*(?:[eE][+-]?\d+)?|\.\d[\d_]*(?:[eE][+-]?\d+)?|0[xX][0-9a-fA-F]+)/.exec(src.slice(p));
    if (num) {
      const text = num[0].replace(/_/g, '');
      p += num[0].length;
      const isFloat = /[.eE]/.test(text) && !/^0[xX]/.test(text);
      out.push({ kind: 'num', text, pos: start, value: isFloat ? { t: 'float', v: Number(text) } : { t: 'int', v: Number(text) } });
      continue;
    }
    const str = /^([bBrRuU]{0,2})(['"])/.exec(src.slice(p));
    if (str && (str[1] === '' || /^(b|r|u|br|rb)$/i.test(str[1]!))) {
      const prefix = str[1]!.toLowerCase();
      const quote = str[2]!;
      p += str[0].length;
      let text = '';
      const raw = prefix.includes('r');
      for (;;) {
        if (p >= src.length) fail('unterminated string');
        const ch = src[p]!;
        if (ch === quote) {
          p++;
          break;
        }
        if (ch === '\\' && !raw) {
          const e = src[p + 1] ?? fail('unterminated string');
          p += 2;
          const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', '\\': '\\', "'": "'", '"': '"' };
          if (simple[e] !== undefined) text += simple[e];
          else if (e === 'x') {
            text += String.fromCharCode(parseInt(src.slice(p, p + 2), 16));
            p += 2;
          } else text += `\\${e}`;
          continue;
        }
        text += ch;
        p++;
      }
      const value: PyValue = prefix.includes('b') ? { t: 'bytes', v: Uint8Array.from(text, (ch) => ch.charCodeAt(0) & 0xff) } : { t: 'str', v: text };
      out.push({ kind: 'str', text: src.slice(start, p), pos: start, value });
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(p));
    if (name) {
      p += name[0].length;
      out.push({ kind: 'name', text: name[0], pos: start });
      continue;
    }
    if ('()[]{},:.=+-*/'.includes(c)) {
      p++;
      out.push({ kind: 'op', text: c, pos: start });
      continue;
    }
    fail(`unexpected character '${c}'`);
  }
  out.push({ kind: 'end', text: '', pos: src.length });
  return out;
}
