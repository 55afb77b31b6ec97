/**
 * Node attribute values: TensorFlow's `AttrValue` as a discriminated union whose `kind` is the
 * name of the `AttrValue` field that holds it (`s`, `i`, `f`, `b`, `type`, `shape`, `tensor`,
 * `list`, `func`, `placeholder`).
 */
import type { DType } from './dtype';
import type { Tensor } from './tensor';
import { checkArray, checkString } from './check';
import { badArgument } from '../errors';

/** A tensor shape as attributes hold it: -1 is an unknown dimension. */
export interface Shape {
  readonly dims: readonly number[];
  /** True when even the rank is unknown (then `dims` is empty). */
  readonly unknownRank: boolean;
}

/** A function reference with attributes (`NameAttrList`). */
export interface FuncRef {
  readonly name: string;
  readonly attrs: Readonly<Record<string, AttrValue>>;
}

/** An int64 attribute: a number where exact, a bigint beyond 2^53. */
export type Int = number | bigint;

/** `s` is a string when the bytes are valid UTF-8, else the bytes. */
export type AttrBytes = string | Uint8Array;

export interface AttrList {
  readonly s?: readonly AttrBytes[];
  readonly i?: readonly Int[];
  readonly f?: readonly number[];
  readonly b?: readonly boolean[];
  readonly type?: readonly DType[];
  readonly shape?: readonly Shape[];
  readonly tensor?: readonly Tensor[];
  readonly func?: readonly FuncRef[];
}

export type AttrValue =
  | { readonly kind: 's'; readonly value: AttrBytes }
  | { readonly kind: 'i'; readonly value: Int }
  | { readonly kind: 'f'; readonly value: number }
  | { readonly kind: 'b'; readonly value: boolean }
  | { readonly kind: 'type'; readonly value: DType }
  | { readonly kind: 'shape'; readonly value: Shape }
  | { readonly kind: 'tensor'; readonly value: Tensor }
  | { readonly kind: 'list'; readonly value: AttrList }
  | { readonly kind: 'func'; readonly value: FuncRef }
  | { readonly kind: 'placeholder'; readonly value: string }
  /** An `AttrValue` with no field set. */
  | { readonly kind: 'none' };

export type AttrKind = AttrValue['kind'];

/** Attribute constructors, for building nodes in code. */
export const attr = {
  s: (value: AttrBytes): AttrValue => ({ kind: 's', value }),
  i: (value: Int): AttrValue => ({ kind: 'i', value }),
  f: (value: number): AttrValue => ({ kind: 'f', value }),
  b: (value: boolean): AttrValue => ({ kind: 'b', value }),
  type: (value: DType): AttrValue => ({ kind: 'type', value }),
  shape: (dims: readonly number[] | null): AttrValue => ({ kind: 'shape', value: shapeOf(dims) }),
  tensor: (value: Tensor): AttrValue => ({ kind: 'tensor', value }),
  list: (value: AttrList): AttrValue => ({ kind: 'list', value }),
  func: (name: string, attrs: Record<string, AttrValue> = {}): AttrValue => ({ kind: 'func', value: { name, attrs } }),
};

/** A shape from dims (`null`: unknown rank). */
export function shapeOf(dims: readonly number[] | null): Shape {
  if (dims !== null) checkArray('shapeOf', 'dims', dims, 'an array of dimensions (or null: unknown rank)');
  return dims === null ? { dims: [], unknownRank: true } : { dims: [...dims], unknownRank: false };
}

/** `[1,?,3]`-style text for a shape; `<unknown>` for unknown rank. */
export function formatShape(s: Shape): string {
  if (typeof s !== 'object' || s === null || !Array.isArray(s.dims)) throw badArgument('formatShape', 's', 'a Shape ({ dims, unknownRank })', s);
  if (s.unknownRank) return '<unknown>';
  return `[${s.dims.map((d) => (d < 0 ? '?' : String(d))).join(',')}]`;
}

/** Decodes `s` bytes to text (UTF-8, replacing invalid sequences). */
export function attrText(v: AttrBytes): string {
  if (typeof v !== 'string' && !(v instanceof Uint8Array)) checkString('attrText', 'v', v);
  return typeof v === 'string' ? v : new TextDecoder().decode(v);
}

/** Structural equality of attribute values (tensors compared by their stored bytes). */
export function attrEquals(a: AttrValue, b: AttrValue): boolean {
  return a === b || stableAttrKey(a) === stableAttrKey(b);
}

/** A canonical string for an attribute value, for hashing and equality. */
export function stableAttrKey(v: AttrValue): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (typeof x === 'bigint') return `${x}n`;
    if (x instanceof Uint8Array) return `bytes:${bytesKey(x)}`;
    if (typeof x === 'number' && !Number.isFinite(x)) return `num:${x}`;
    if (x && typeof x === 'object' && !Array.isArray(x)) {
      const o = x as Record<string, unknown>;
      return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
    }
    return x;
  });
}

/** A string that is equal for equal byte arrays (latin1, built in chunks). */
export function bytesKey(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    out += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192) as unknown as number[]);
  }
  return out;
}
