/**
 * A node's attributes as the encoded bytes they were loaded from, when they still are: the io
 * layer (the lazy GraphDef loader) registers how to find them, so that passes in the layers above
 * can compare attributes without decoding them (`encodedAttrs`), list a node's keys
 * (`attrKeys`), ask whether it has one of some keys (`hasAnyAttr`), read a constant's dtype and
 * shape (`tensorHeader`), or read a whole loaded node list by position (`loadedAttrReader`).
 * Each answers exactly as reading `node.attrs` would, or says it cannot (undefined).
 */
import type { DType } from './dtype';
import type { Node } from './node';

/** A node's attributes as their encoded bytes: entry `i` has key `keys[i]`, value bytes `bytes[start[i], end[i])`. */
export interface EncodedAttrs {
  readonly bytes: Uint8Array;
  /** Keys in code-unit order (so equal maps list equal keys whatever order the file wrote them in). */
  readonly keys: readonly string[];
  readonly start: readonly number[];
  readonly end: readonly number[];
}

let provider: ((node: Node) => EncodedAttrs | undefined) | undefined;

/** Registers where encoded attributes come from (the lazy loader does, when it is loaded). */
export function setEncodedAttrsProvider(f: (node: Node) => EncodedAttrs | undefined): void {
  provider = f;
}

/**
 * The encoded attributes behind `node.attrs` when they are a loaded node's (the node itself, or an
 * edit of it that kept its attributes object): the same value whether or not they were decoded
 * since, as attributes are immutable. Undefined for attributes made in code, and for a map whose
 * entries are not plain `key, value` pairs with distinct ASCII keys. Nothing is decoded.
 */
export function encodedAttrs(node: Node): EncodedAttrs | undefined {
  return provider?.(node);
}

let keysProvider: ((node: Node) => readonly string[] | undefined) | undefined;

/** Registers how to list a loaded node's attribute keys without decoding them (the lazy loader does). */
export function setAttrKeysProvider(f: (node: Node) => readonly string[] | undefined): void {
  keysProvider = f;
}

/**
 * The keys of `node.attrs`, in no particular order, without decoding any value when they are a
 * loaded node's: passes that try several candidate keys per node (`T`, `dtype`, `out_type`, ...)
 * ask only those present. Call once per node (for attributes made in code it is `Object.keys`).
 */
export function attrKeys(node: Node): readonly string[] {
  return keysProvider?.(node) ?? Object.keys(node.attrs);
}

let anyKeyProvider: ((node: Node, keys: readonly string[]) => boolean | undefined) | undefined;

/** Registers how to tell whether a loaded node has one of some attribute keys without decoding (the lazy loader does). */
export function setHasAnyAttrProvider(f: (node: Node, keys: readonly string[]) => boolean | undefined): void {
  anyKeyProvider = f;
}

/**
 * Whether `node.attrs` has any of `keys` (own keys), read from a loaded node's bytes without
 * decoding or keeping anything: for a pass over every node that wants a rare key (a called
 * function's `f`, `body`, ...).
 */
export function hasAnyAttr(node: Node, keys: readonly string[]): boolean {
  const known = anyKeyProvider?.(node, keys);
  if (known !== undefined) return known;
  for (const k of keys) if (Object.prototype.hasOwnProperty.call(node.attrs, k)) return true;
  return false;
}

/** A tensor attribute's dtype and shape. */
export interface TensorHeader {
  readonly dtype: DType;
  readonly shape: readonly number[];
}

let headerProvider: ((node: Node, key: string) => TensorHeader | undefined) | undefined;

/** Registers how to read a loaded node's tensor attribute header in place (the lazy loader does). */
export function setTensorHeaderProvider(f: (node: Node, key: string) => TensorHeader | undefined): void {
  headerProvider = f;
}

/**
 * The dtype and shape of tensor attribute `key` of a loaded node, read from its bytes without
 * decoding or keeping the tensor, when they hold it as TensorFlow writes a constant's values
 * (`tensor_content`); undefined otherwise (read `node.attrs[key]`). For passes that only count.
 */
export function tensorHeader(node: Node, key: string): TensorHeader | undefined {
  return headerProvider?.(node, key);
}

/**
 * Reads the attributes of a loaded node list's nodes by position, from the bytes they were loaded
 * from, without touching the nodes (no per-node attribute proxy is asked): for passes over every
 * node of a graph just loaded. Answers as `hasAnyAttr` and `tensorHeader` do; undefined where
 * those would be (then ask them, or the node).
 */
export interface LoadedAttrReader {
  hasAny(position: number, keys: readonly string[]): boolean | undefined;
  tensorHeader(position: number, key: string): TensorHeader | undefined;
}

let readerProvider: ((nodes: readonly Node[]) => LoadedAttrReader | undefined) | undefined;

/** Registers how to read a loaded node list by position (the lazy loader does). */
export function setLoadedAttrReaderProvider(f: (nodes: readonly Node[]) => LoadedAttrReader | undefined): void {
  readerProvider = f;
}

/** A reader of `nodes` by position when they are exactly a graph's nodes as loaded from bytes; else undefined. */
export function loadedAttrReader(nodes: readonly Node[]): LoadedAttrReader | undefined {
  return readerProvider?.(nodes);
}
