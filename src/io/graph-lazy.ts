/**
 * Lazy GraphDef loading: a scan of the wire format that finds each node's bytes and decodes only
 * what nearly every caller reads (name, op, inputs, device). Attributes stay encoded until first
 * read; then the node's `NodeDef` is decoded once by protobufjs (the schema and decoder of record)
 * and cached. Tensor payloads come back as views into the file's bytes.
 *
 * A loaded node is an ordinary frozen `Node` whose `attrs` is a read-only proxy: reading any key,
 * listing keys or spreading it decodes the attributes the first time. The proxy also tells
 * `lazyNodeSource` where the node's bytes are, so an unchanged node (the very object loaded) is
 * written back as its original byte range, and nothing else about it is encoded.
 *
 * Anything the scan does not expect (a node with fields graft does not model, a wire type that
 * does not fit, a length past the end) makes `scanGraphDef` return undefined, and the caller
 * decodes the whole GraphDef with protobufjs as before, which reports bad bytes precisely.
 */
import { GraftError, isGraftError } from '../errors';
import type { AttrValue } from '../ir/attr';
import type { Node } from '../ir/node';
import { type EncodedAttrs, type LoadedAttrReader, type TensorHeader, setAttrKeysProvider, setEncodedAttrsProvider, setHasAnyAttrProvider, setLoadedAttrReaderProvider, setTensorHeaderProvider } from '../ir/encoded-attrs';
import { type DType, dtypeFromEnum } from '../ir/dtype';
import { decodeMessage } from '../proto';

type Msg = Record<string, unknown>;

/**
 * The bytes a graph was scanned from, and where each node sits in them. It holds no node: each
 * node's attributes know their own node, so nodes a transform dropped (and the versions it
 * replaced) are freed while the rest of the graph lives on.
 */
export interface NodeSource {
  readonly bytes: Uint8Array;
  readonly file: string | undefined;
  /** Start of node i's `node` field (its tag), start of its payload, and its end. */
  readonly fieldStart: Uint32Array;
  readonly payloadStart: Uint32Array;
  readonly end: Uint32Array;
}

/** A key only the lazy attribute proxies answer: their target. */
const LAZY = Symbol('graft.lazyAttrs');

type AttrRecord = Record<string, AttrValue>;
let decodeAttrs: (m: Msg | undefined, into: AttrRecord) => AttrRecord;

/** Set by graph-proto (which owns the message → IR conversion) to avoid an import cycle. */
export function setAttrDecoder(f: (m: Msg | undefined, into: AttrRecord) => AttrRecord): void {
  decodeAttrs = f;
}

/**
 * A node's `attr` map as protobufjs decodes it, each value decoded by protobufjs as an
 * `AttrValue`, without decoding the node's other fields again; undefined when an entry is not the
 * plain `key, value` pair TensorFlow writes (or a key is not ASCII), so the caller decodes the
 * whole `NodeDef` instead and gets protobufjs' own answer for anything unusual.
 */
function attrMap(b: Uint8Array, start: number, end: number): Msg | undefined {
  const entries = plainAttrEntries(b, start, end);
  if (entries === undefined) return undefined;
  let m: Msg | undefined;
  for (const entry of entries) {
    if (entry.key === '__proto__') return undefined;
    m ??= {};
    m[entry.key] = decodeMessage<Msg>('tensorflow.AttrValue', b.subarray(entry.start, entry.end));
  }
  return m;
}

let attrDecodes = 0;

/** How many nodes have had their attributes decoded since the process started (a test hook). */
export function lazyAttrDecodeCount(): number {
  return attrDecodes;
}

const ABSENT = -1;
const UNSURE = -2;

let at = 0;
/** A varint at `at` (advanced), or -1 when it runs past `end` or is too long. */
function varintAt(b: Uint8Array, end: number): number {
  let v = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    if (at >= end) return -1;
    const x = b[at++]!;
    v += (x & 0x7f) * 2 ** shift;
    if (x < 0x80) return v;
  }
  return -1;
}

/** Recently read attribute keys, by a hash of their bytes (a collision just makes a new string). */
const keyTable: (string | undefined)[] = new Array<string | undefined>(512).fill(undefined);
const keyDecoder = new TextDecoder();

/**
 * The ASCII key at `b[at, at + len)`, undefined when a byte is not ASCII. Keys repeat across a
 * graph's nodes (`T`, `dtype`, `_output_shapes`): equal bytes give the same string object while it
 * stays in the table, so a graph holds one copy of each key, and comparing keys is cheap.
 */
function asciiKey(b: Uint8Array, at: number, len: number): string | undefined {
  let h = len;
  for (let i = at, end = at + len; i < end; i++) {
    const c = b[i]!;
    if (c >= 0x80) return undefined;
    h = Math.imul(h ^ c, 0x01000193);
  }
  const slot = (h ^ (h >>> 15)) & 511;
  const known = keyTable[slot];
  if (known !== undefined && known.length === len) {
    let i = 0;
    while (i < len && known.charCodeAt(i) === b[at + i]) i++;
    if (i === len) return known;
  }
  const key = len <= 64 ? String.fromCharCode.apply(null, b.subarray(at, at + len) as unknown as number[]) : keyDecoder.decode(b.subarray(at, at + len));
  keyTable[slot] = key;
  return key;
}

interface PlainEntry {
  readonly key: string;
  /** Where the entry's encoded AttrValue starts and ends in the bytes. */
  readonly start: number;
  readonly end: number;
}

/** Set by `nodeField` for an `attr` entry: where its key's bytes start, and their length; -1 for another field. */
let keyAt = 0;
let keyLen = -1;

/**
 * Reads the NodeDef field at `p` of `b` (which ends at `end`) and returns where it ends, or -1 when
 * the bytes are unusual: a field that is not length-delimited, a length past the end, an `attr`
 * entry whose key is not its first field or runs past the entry. For an `attr` entry `keyAt` and
 * `keyLen` give its key and `at` is just past it; for any other field `keyLen` is -1. Every
 * walker of a node's attribute entries below reads the bytes through this one framing.
 */
function nodeField(b: Uint8Array, p: number, end: number): number {
  const tag = b[p++]!;
  if (tag >= 0x80 || (tag & 7) !== 2) return -1;
  at = p;
  const l = varintAt(b, end);
  if (l < 0 || l > end - at) return -1;
  const e = at + l;
  keyLen = -1;
  if (tag === 0x2a) {
    // A map entry: key (field 1) first.
    if (b[at] !== 0x0a) return -1;
    at++;
    const kl = varintAt(b, e);
    if (kl < 0 || kl > e - at) return -1;
    keyAt = at;
    keyLen = kl;
    at += kl;
  }
  return e;
}

/**
 * After `nodeField` read an `attr` entry ending at `e`: where its value starts when the value
 * (field 2) is all that follows the key, as TensorFlow writes it; else -1.
 */
function plainValueStart(b: Uint8Array, e: number): number {
  if (at >= e || b[at] !== 0x12) return -1;
  at++;
  const vl = varintAt(b, e);
  return vl >= 0 && at + vl === e ? at : -1;
}

/**
 * The `attr` map entries of a NodeDef's bytes, in file order, when every one is the plain
 * `key, value` pair TensorFlow writes with an ASCII key; undefined when any is not, or a field is
 * not length-delimited, or a length runs past the end (the caller then lets protobufjs decode).
 */
function plainAttrEntries(b: Uint8Array, from: number, end: number): PlainEntry[] | undefined {
  const entries: PlainEntry[] = [];
  for (let p = from; p < end; ) {
    const e = nodeField(b, p, end);
    if (e < 0) return undefined;
    if (keyLen >= 0) {
      const key = asciiKey(b, keyAt, keyLen);
      if (key === undefined) return undefined;
      const start = plainValueStart(b, e);
      if (start < 0) return undefined;
      entries.push({ key, start, end: e });
    }
    p = e;
  }
  return entries;
}

/**
 * A node's attribute keys in file order, each once, read from its bytes without decoding a value.
 * Null when the bytes hold anything unusual (an entry without its key first, a non-ASCII key, a
 * field that is not length-delimited, a length past the end): a full decode then says.
 */
function scanKeys(b: Uint8Array, from: number, end: number): string[] | null {
  const out: string[] = [];
  for (let p = from; p < end; ) {
    const e = nodeField(b, p, end);
    if (e < 0) return null;
    if (keyLen >= 0) {
      const key = asciiKey(b, keyAt, keyLen);
      if (key === undefined) return null;
      if (!out.includes(key)) out.push(key);
    }
    p = e;
  }
  return out;
}

/**
 * The key `nodeField` just read against `k`, in place, in one pass: 1 when it is `k`, 0 when not,
 * -1 when a key byte is not ASCII (checked only when `ascii` is asked for).
 */
function keyMatch(b: Uint8Array, k: string, ascii: boolean): number {
  let same = k.length === keyLen;
  if (!ascii && !same) return 0;
  for (let i = 0; i < keyLen; i++) {
    const c = b[keyAt + i]!;
    if (ascii && c >= 0x80) return -1;
    if (same && c !== k.charCodeAt(i)) {
      same = false;
      if (!ascii) return 0;
    }
  }
  return same ? 1 : 0;
}

/**
 * Whether a NodeDef's bytes hold an `attr` entry with one of `keys` (ASCII), comparing key bytes
 * in place; undefined when a field is not length-delimited or a length runs past the end.
 */
function bytesHaveKey(b: Uint8Array, from: number, end: number, keys: readonly string[]): boolean | undefined {
  for (let p = from; p < end; ) {
    const e = nodeField(b, p, end);
    if (e < 0) return undefined;
    if (keyLen >= 0) for (const k of keys) if (keyMatch(b, k, false) === 1) return true;
    p = e;
  }
  return false;
}

/**
 * `LazyAttrs.locate` in a NodeDef's bytes: the start of the value of attribute `key` (its end in
 * `foundEnd`) when the bytes hold exactly one plain `key, value` entry for it; ABSENT when no
 * entry has that key; UNSURE when it is there in another form or twice, or the bytes are unusual
 * (a field not length-delimited, a length past the end, an entry without a key first, a key not
 * ASCII: what makes `scanKeys` give up). Nothing is allocated.
 */
function findValue(b: Uint8Array, from: number, end: number, key: string): number {
  let found = ABSENT;
  let foundAt = 0;
  for (let p = from; p < end; ) {
    const e = nodeField(b, p, end);
    if (e < 0) return UNSURE;
    const match = keyLen >= 0 ? keyMatch(b, key, true) : 0;
    if (match < 0) return UNSURE;
    if (match === 1) {
      // A second entry of the key is unsure, as is one in another form.
      const start = found === ABSENT ? plainValueStart(b, e) : -1;
      found = start >= 0 ? start : UNSURE;
      foundAt = e;
    }
    p = e;
  }
  if (found >= 0) foundEnd = foundAt;
  return found;
}

/** Attribute key lists by their keys joined (`T\0_output_shapes\0`), shared by the nodes that have them. */
const keyLists = new Map<string, readonly string[]>();

/**
 * An AttrValue that is one `type` or `b` field whose value fits in one byte (how TensorFlow writes
 * dtypes and flags), as `attrsFromProto` makes it from protobufjs' message, without calling
 * protobufjs; undefined for anything else.
 */
function smallAttr(b: Uint8Array, start: number, end: number): AttrValue | undefined {
  if (end !== start + 2) return undefined;
  const v = b[start + 1]!;
  if (v >= 0x80) return undefined;
  const tag = b[start];
  // Frozen values, so nodes share them.
  if (tag === 0x30) return (TYPE_VALUES[v] ??= Object.freeze({ kind: 'type', value: dtypeFromEnum(v) }));
  if (tag === 0x28) return v === 0 ? FALSE_VALUE : TRUE_VALUE;
  return undefined;
}

/** A varint of at most 31 bits at `at` (advanced), or -1 (longer, or past `end`). */
function smallVarintAt(b: Uint8Array, end: number): number {
  let v = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    if (at >= end) return -1;
    const x = b[at++]!;
    v |= (x & 0x7f) << shift;
    if (x < 0x80) return v;
  }
  if (at >= end) return -1;
  const x = b[at++]!;
  return x < 0x08 ? v + x * 2 ** 28 : -1;
}

const NOT_CONTENT = new Set(['resource', 'variant', 'string', 'string_ref']);

/** What `contentTensor` reads: the dtype, the dims, and where the content is. */
interface ContentTensor {
  readonly dtype: DType;
  readonly dims: number[];
  readonly contentStart: number;
  readonly contentEnd: number;
}

/**
 * An AttrValue holding a TensorProto of exactly `dtype`, a shape of plain dims and a non-empty
 * `tensor_content` (how TensorFlow writes a constant's values), read in place; undefined for
 * anything else, which protobufjs decodes.
 */
function contentTensor(b: Uint8Array, start: number, end: number): ContentTensor | undefined {
  at = start;
  if (b[at++] !== 0x42) return undefined;
  const l = smallVarintAt(b, end);
  if (l < 0 || at + l !== end) return undefined;
  let dtype: string | undefined;
  let dims: number[] | undefined;
  let contentStart = -1;
  let contentEnd = -1;
  while (at < end) {
    const tag = b[at++]!;
    if (tag === 0x08 && dtype === undefined) {
      const v = smallVarintAt(b, end);
      if (v < 0) return undefined;
      dtype = dtypeFromEnum(v);
      if (dtype.startsWith('dtype(') || NOT_CONTENT.has(dtype)) return undefined;
    } else if (tag === 0x12 && dims === undefined) {
      const sl = smallVarintAt(b, end);
      if (sl < 0 || sl > end - at) return undefined;
      const shapeEnd = at + sl;
      dims = [];
      while (at < shapeEnd) {
        if (b[at++] !== 0x12) return undefined;
        const dl = smallVarintAt(b, shapeEnd);
        if (dl < 0 || dl > shapeEnd - at) return undefined;
        const dimEnd = at + dl;
        let size = 0;
        if (at < dimEnd) {
          if (b[at++] !== 0x08) return undefined;
          size = smallVarintAt(b, dimEnd);
          if (size < 0 || at !== dimEnd) return undefined;
        }
        dims.push(size);
      }
    } else if (tag === 0x22 && contentStart < 0) {
      const cl = smallVarintAt(b, end);
      if (cl <= 0 || cl > end - at) return undefined;
      contentStart = at;
      contentEnd = at += cl;
    } else {
      return undefined;
    }
  }
  if (dtype === undefined || contentStart < 0) return undefined;
  return { dtype: dtype as DType, dims: dims ? dims.slice() : [], contentStart, contentEnd };
}

/**
 * `contentTensor` as the attribute `attrsFromProto` makes from protobufjs' message (frozen; the
 * content a view of the bytes, as protobufjs gives it).
 */
function contentTensorAttr(b: Uint8Array, start: number, end: number): AttrValue | undefined {
  const c = contentTensor(b, start, end);
  if (!c) return undefined;
  const data = Object.freeze({ kind: 'content' as const, bytes: b.subarray(c.contentStart, c.contentEnd) });
  return Object.freeze({ kind: 'tensor', value: Object.freeze({ dtype: c.dtype, shape: Object.freeze(c.dims), data }) });
}

/**
 * The dtype and dims of tensor attribute `key` of a NodeDef's bytes, read in place, when the bytes
 * hold it once, in the plain form (`findValue`), as a content tensor; else undefined.
 */
function tensorHeaderAt(b: Uint8Array, from: number, end: number, key: string): TensorHeader | undefined {
  const start = findValue(b, from, end, key);
  if (start < 0) return undefined;
  const c = contentTensor(b, start, foundEnd);
  return c && { dtype: c.dtype, shape: c.dims };
}

const TYPE_VALUES: (AttrValue | undefined)[] = [];
const FALSE_VALUE: AttrValue = Object.freeze({ kind: 'b', value: false });
const TRUE_VALUE: AttrValue = Object.freeze({ kind: 'b', value: true });

/** Set by `LazyAttrs.locate`: the end of the value it found (read right after). */
let foundEnd = 0;

/** Flag bits in `LazyAttrs.#slot` (below the node's index, times 4). */
const LOADED = 1;
const COUNTED = 2;

/** A base class whose constructor returns the object it is given: a subclass stamps its private fields on that object. */
class Stamped {
  constructor(o: object) {
    return o;
  }
}

/**
 * A loaded node's attributes: the target of its proxy, a plain object, with the node's lazy state
 * stamped on it as private fields (invisible to reflection, spreads, JSON and freezing), so the
 * proxies of a graph share one handler and a node costs no handler object of its own.
 *
 * Decodes on first use, then forwards everything to the frozen result. Reading a single key that
 * the node's bytes hold once, in the plain form TensorFlow writes, decodes that attribute only
 * (cached in the target); listing keys, spreading or anything unusual decodes the whole map,
 * keeping the values already decoded (same objects, file order).
 */
class LazyAttrs extends Stamped {
  readonly #source: NodeSource;
  /** The node's index times 4, plus LOADED and COUNTED. */
  #slot: number;
  /**
   * The node as loaded (set right after it is made): a node is unchanged exactly when it is this
   * object. Edits of it that keep its attributes share these attributes, and keep the node alive.
   */
  #node: Node | undefined = undefined;
  /** The keys, once asked for. */
  #keys: readonly string[] | undefined = undefined;

  private constructor(t: AttrRecord, source: NodeSource, index: number) {
    super(t);
    this.#source = source;
    this.#slot = index * 4;
  }

  /** A new proxy target for node `index` of `source`. */
  static target(source: NodeSource, index: number): LazyAttrs & AttrRecord {
    const t: AttrRecord = {};
    new LazyAttrs(t, source, index);
    return t as LazyAttrs & AttrRecord;
  }

  static is(t: object): t is LazyAttrs & AttrRecord {
    return #source in t;
  }

  static setNode(t: LazyAttrs, node: Node): void {
    t.#node = node;
  }

  static where(t: LazyAttrs): { readonly source: NodeSource; readonly index: number; readonly node: Node } {
    return { source: t.#source, index: t.#slot >>> 2, node: t.#node! };
  }

  static #fail(t: LazyAttrs, e: unknown): GraftError {
    const s = t.#source;
    const name = t.#node!.name;
    const where = s.file === undefined ? '' : ` in ${s.file}`;
    const message = e instanceof Error ? e.message : String(e);
    return new GraftError(isGraftError(e) ? e.code : 'io/corrupt', `The attributes of node '${name}'${where} do not decode: ${message}`, {
      ...(s.file !== undefined ? { file: s.file } : {}),
      node: name,
      cause: e,
    });
  }

  static #count(t: LazyAttrs): void {
    if (t.#slot & COUNTED) return;
    t.#slot |= COUNTED;
    attrDecodes++;
  }

  static loaded(t: LazyAttrs): boolean {
    return (t.#slot & LOADED) !== 0;
  }

  static load(t: LazyAttrs & AttrRecord): AttrRecord {
    if (t.#slot & LOADED) return t;
    const s = t.#source;
    const i = t.#slot >>> 2;
    const cached = Object.keys(t);
    try {
      let m: Msg | undefined;
      try {
        m = attrMap(s.bytes, s.payloadStart[i]!, s.end[i]!);
      } catch {
        m = undefined;
      }
      m ??= decodeMessage<Msg>('tensorflow.NodeDef', s.bytes.subarray(s.payloadStart[i]!, s.end[i]!), s.file).attr as Msg | undefined;
      if (cached.length === 0) {
        // Written straight into the proxy's target, every value frozen as it is made.
        decodeAttrs(m, t);
      } else {
        // Some values were decoded one by one: keep those objects, in the file's key order.
        const full = decodeAttrs(m, {});
        const keep: AttrRecord = {};
        for (const k of cached) {
          keep[k] = t[k]!;
          delete t[k];
        }
        for (const k of Object.keys(full)) t[k] = Object.prototype.hasOwnProperty.call(keep, k) ? keep[k]! : full[k]!;
      }
    } catch (e) {
      throw LazyAttrs.#fail(t, e);
    }
    LazyAttrs.#count(t);
    Object.freeze(t);
    t.#slot |= LOADED;
    return t;
  }

  /** The node's bytes: the source's bytes, and where the node's payload starts and ends. */
  static #bytes(t: LazyAttrs): [Uint8Array, number, number] {
    const s = t.#source;
    const i = t.#slot >>> 2;
    return [s.bytes, s.payloadStart[i]!, s.end[i]!];
  }

  /**
   * Where attribute `k` is in the node's bytes: ABSENT when they surely hold none, the start of
   * its encoded AttrValue (end in `foundEnd`) when they hold exactly one plain `key, value`
   * entry for it and nothing unusual, else UNSURE. Scanned in place each time, nothing kept: a
   * value read is kept in the target, and a list of entries per node would stay in memory for
   * every node asked about a key it does not have (a whole graph, for `_class`).
   */
  static locate(t: LazyAttrs, k: string): number {
    if (k === '__proto__') return UNSURE;
    const s = t.#source;
    const i = t.#slot >>> 2;
    return findValue(s.bytes, s.payloadStart[i]!, s.end[i]!, k);
  }

  /**
   * The node's attribute keys without decoding them (cached); undefined once the map is decoded
   * (the target then lists them) or when its bytes are unusual (a full decode says).
   */
  static keyList(t: LazyAttrs): readonly string[] | undefined {
    if (t.#slot & LOADED) return undefined;
    if (t.#keys !== undefined) return t.#keys;
    const [b, from, end] = LazyAttrs.#bytes(t);
    const found = scanKeys(b, from, end);
    if (found === null || found.includes('__proto__')) return undefined;
    // Nodes of one op mostly have the same keys: they share one frozen list.
    const sig = found.join('\0');
    let keys = keyLists.get(sig);
    if (keys === undefined) {
      keys = Object.freeze(found);
      if (keyLists.size < 4096) keyLists.set(sig, keys);
    }
    return (t.#keys = keys);
  }

  /**
   * Whether the node's attributes have one of `keys`, from its bytes (nothing decoded or kept);
   * undefined once they are decoded, or when the bytes are unusual.
   */
  static hasAny(t: LazyAttrs, keys: readonly string[]): boolean | undefined {
    if (t.#slot & LOADED) return undefined;
    const [b, from, end] = LazyAttrs.#bytes(t);
    return bytesHaveKey(b, from, end, keys);
  }

  /**
   * The dtype and dims of tensor attribute `k` when its bytes are a plain content tensor, read in
   * place (nothing decoded or kept; the bytes are what any decoded value was made from); else
   * undefined.
   */
  static tensorHeader(t: LazyAttrs, k: string): { readonly dtype: DType; readonly shape: readonly number[] } | undefined {
    const [b, from, end] = LazyAttrs.#bytes(t);
    return tensorHeaderAt(b, from, end, k);
  }

  /** Decodes the one attribute at `start` into the target. */
  static loadOne(t: LazyAttrs & AttrRecord, k: string, start: number): AttrValue | undefined {
    const end = foundEnd;
    const bytes = t.#source.bytes;
    const small = smallAttr(bytes, start, end) ?? contentTensorAttr(bytes, start, end);
    if (small) {
      LazyAttrs.#count(t);
      return (t[k] = small);
    }
    try {
      const m = decodeMessage<Msg>('tensorflow.AttrValue', bytes.subarray(start, end));
      decodeAttrs({ [k]: m }, t);
    } catch (e) {
      throw LazyAttrs.#fail(t, e);
    }
    LazyAttrs.#count(t);
    return t[k];
  }
}

type Target = LazyAttrs & AttrRecord;

/** The one handler of every loaded node's attribute proxy; its state is on the target. */
const LAZY_HANDLER: ProxyHandler<Target> = {
  get(t, k, r) {
    if (k === LAZY) return t;
    if (typeof k === 'string' && !LazyAttrs.loaded(t)) {
      if (Object.prototype.hasOwnProperty.call(t, k)) return t[k];
      const at = LazyAttrs.locate(t, k);
      if (at === ABSENT) return Reflect.get(t, k, r);
      if (at >= 0) return LazyAttrs.loadOne(t, k, at);
    }
    return Reflect.get(LazyAttrs.load(t), k, r);
  },
  has(t, k) {
    if (typeof k === 'string' && !LazyAttrs.loaded(t)) {
      if (Object.prototype.hasOwnProperty.call(t, k)) return true;
      const at = LazyAttrs.locate(t, k);
      if (at === ABSENT) return Reflect.has(t, k);
      if (at >= 0) return true;
    }
    return Reflect.has(LazyAttrs.load(t), k);
  },
  ownKeys: (t) => Reflect.ownKeys(LazyAttrs.load(t)),
  getOwnPropertyDescriptor: (t, k) => Reflect.getOwnPropertyDescriptor(LazyAttrs.load(t), k),
  isExtensible: (t) => Reflect.isExtensible(LazyAttrs.load(t)),
  preventExtensions: (t) => Reflect.preventExtensions(LazyAttrs.load(t)),
  defineProperty: (t, k, d) => Reflect.defineProperty(LazyAttrs.load(t), k, d),
  set: (t, k, v, r) => Reflect.set(LazyAttrs.load(t), k, v, r),
  deleteProperty: (t, k) => Reflect.deleteProperty(LazyAttrs.load(t), k),
};

/** The proxy target behind a loaded node's attributes (only the loader's proxies answer LAZY). */
function lazyTarget(node: Node): Target | undefined {
  const attrs = node.attrs as unknown as Record<symbol, unknown> | undefined;
  const t = attrs?.[LAZY];
  return typeof t === 'object' && t !== null && LazyAttrs.is(t) ? t : undefined;
}

/** Where a loaded node's bytes are; undefined for any node not made by `scanGraphDef`. */
export function lazyNodeSource(node: Node): { readonly source: NodeSource; readonly index: number; readonly node: Node } | undefined {
  const t = lazyTarget(node);
  return t === undefined ? undefined : LazyAttrs.where(t);
}

/** True when `node` is exactly the object loaded from its bytes (so they can be written back). */
export function isUnchangedLoadedNode(node: Node): boolean {
  const h = lazyNodeSource(node);
  return h !== undefined && h.node === node;
}

/**
 * The attributes of a loaded node (`lazyNodeSource` of it, or of an edit of it that kept its
 * attributes) as the bytes they were loaded from, ready to copy into an encoding of the node: the
 * loaded bytes and the [start, end) of each `attr` field in them (tag included), in file order.
 * Given when writing those fields as they are gives what protobufjs writes for the
 * decoded map: every entry the plain `key, value` pair with lengths of minimal size, keys ASCII,
 * distinct and not all digits (JavaScript lists integer-like keys first, so their order would
 * change). Undefined otherwise. Nothing is decoded.
 */
export function loadedAttrFields(h: { readonly source: NodeSource; readonly index: number }): { readonly bytes: Uint8Array; readonly ranges: number[] } | undefined {
  const b = h.source.bytes;
  const end = h.source.end[h.index]!;
  const ranges: number[] = [];
  let p = h.source.payloadStart[h.index]!;
  while (p < end) {
    const fieldAt = p;
    const tag = b[p++]!;
    if (tag >= 0x80 || (tag & 7) !== 2) return undefined;
    at = p;
    const l = varintAt(b, end);
    if (l < 0 || l > end - at) return undefined;
    const payload = at;
    const e = payload + l;
    p = e;
    if (tag !== 0x2a) continue;
    if (!minimalVarint(b, fieldAt + 1, payload) || b[payload] !== 0x0a) return undefined;
    at = payload + 1;
    const kl = varintAt(b, e);
    if (kl < 0 || kl > e - at || !minimalVarint(b, payload + 1, at)) return undefined;
    const key = at;
    let digits = true;
    for (let i = key; i < key + kl; i++) {
      const c = b[i]!;
      if (c >= 0x80) return undefined;
      if (c < 0x30 || c > 0x39) digits = false;
    }
    if (digits) return undefined;
    at = key + kl;
    if (b[at++] !== 0x12) return undefined;
    const vAt = at;
    const vl = varintAt(b, e);
    if (vl < 0 || at + vl !== e || !minimalVarint(b, vAt, at)) return undefined;
    // Distinct keys: the earlier entries' keys start 2 bytes plus their length's size in.
    for (let j = 0; j < ranges.length; j += 2) {
      at = ranges[j]! + 1;
      varintAt(b, end);
      at += 1;
      const ol = varintAt(b, end);
      if (ol === kl && sameBytes(b, at, key, kl)) return undefined;
    }
    ranges.push(fieldAt, e);
  }
  return { bytes: b, ranges };
}

/** True when the varint in b[from, to) has no needless trailing zero group. */
function minimalVarint(b: Uint8Array, from: number, to: number): boolean {
  return to - from === 1 || b[to - 1] !== 0;
}

function sameBytes(b: Uint8Array, x: number, y: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (b[x + i] !== b[y + i]) return false;
  return true;
}

// ---------------------------------------------------------------- strings

interface Utf8Slicer {
  utf8Slice(start: number, end: number): string;
}
const NodeBuffer = (globalThis as unknown as { Buffer?: { from(b: ArrayBufferLike, o: number, l: number): Uint8Array & Utf8Slicer } }).Buffer;
const textDecoder = new TextDecoder();

/** A function that decodes UTF-8 ranges of `bytes` (Buffer's native slice where there is one). */
function stringReader(bytes: Uint8Array): (start: number, end: number) => string {
  if (NodeBuffer) {
    const b = NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return (s, e) => (s === e ? '' : b.utf8Slice(s, e));
  }
  return (s, e) => {
    if (s === e) return '';
    let ascii = true;
    for (let i = s; i < e; i++) if (bytes[i]! >= 0x80) { ascii = false; break; }
    return ascii && e - s < 64
      ? String.fromCharCode.apply(null, bytes.subarray(s, e) as unknown as number[])
      : textDecoder.decode(bytes.subarray(s, e));
  };
}

// ---------------------------------------------------------------- the scan

/**
 * A reader of UTF-8 ranges of `bytes` that returns the same string object for equal bytes while
 * they stay in its table (`size` slots, a power of two; a collision just makes a new string).
 */
function interner(bytes: Uint8Array, str: (start: number, end: number) => string, size: number): (start: number, end: number) => string {
  const strings: (string | undefined)[] = new Array<string | undefined>(size);
  const at = new Uint32Array(size);
  const lengths = new Uint32Array(size);
  const mask = size - 1;
  return (s, e) => {
    const n = e - s;
    if (n === 0) return '';
    if (n > 256) return str(s, e);
    // A hash of the length, the first byte and the last four (names differ most at their ends).
    let h = Math.imul(n ^ (bytes[s]! << 8), 0x01000193);
    for (let i = e > s + 4 ? e - 4 : s; i < e; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
    const slot = (h ^ (h >>> 15)) & mask;
    const known = strings[slot];
    if (known !== undefined && lengths[slot] === n) {
      const o = at[slot]! - s;
      let i = s;
      while (i < e && bytes[i] === bytes[i + o]) i++;
      if (i === e) return known;
    }
    const v = str(s, e);
    strings[slot] = v;
    at[slot] = s;
    lengths[slot] = n;
    return v;
  };
}

/** The first `n` strings of `buf` as a new array of exactly that length. */
function exactInputs(buf: readonly string[], n: number): string[] {
  if (n === 1) return [buf[0]!];
  if (n === 2) return [buf[0]!, buf[1]!];
  return buf.slice(0, n);
}

const EMPTY_INPUTS: readonly string[] = Object.freeze([]);

/** The result of a scan: the nodes, the fields other than `node` (in file order), the source. */
export interface ScannedGraphDef {
  readonly nodes: Node[];
  /** Every top-level field except `node`, as views, in file order. */
  readonly rest: Uint8Array[];
  readonly source: NodeSource;
}

/**
 * Scans a binary GraphDef. `eager(payload)` makes the rare node the scan does not model (fields
 * beyond name/op/input/device/attr); returns undefined when the bytes need the full decoder.
 */
export function scanGraphDef(bytes: Uint8Array, file: string | undefined, eager: (payload: Uint8Array) => Node): ScannedGraphDef | undefined {
  const len = bytes.length;
  const str = stringReader(bytes);
  // Names and inputs through one table (an input naming a node is that node's name string), ops
  // and devices through a small one: a graph repeats them, and each would be a string of its own.
  // At most 2^14 slots (a longer `new Array` is a dictionary in V8): inputs mostly name nodes
  // written shortly before, whose entries are still there.
  let size = 256;
  while (size < 1 << 14 && size < len / 16) size *= 2;
  const names = interner(bytes, str, size);
  const ops = interner(bytes, str, 1 << 10);
  const nodes: Node[] = [];
  const rest: Uint8Array[] = [];
  // One node's inputs, copied into an array of their exact length (pushing into an empty array
  // would reserve 17 slots for the usual one or two).
  const inputBuf: string[] = [];
  let cap = 1024;
  let fieldStart: Uint32Array = new Uint32Array(cap);
  let payloadStart: Uint32Array = new Uint32Array(cap);
  let ends: Uint32Array = new Uint32Array(cap);
  const source = { bytes, file, fieldStart, payloadStart, end: ends } as { -readonly [K in keyof NodeSource]: NodeSource[K] };
  let pos = 0;
  let ok = true;

  // Reads a varint of up to 32 bits (tags and lengths); sets ok = false when it is longer or cut.
  const varint = (): number => {
    let result = 0;
    let shift = 0;
    while (shift < 35) {
      if (pos >= len) {
        ok = false;
        return 0;
      }
      const b = bytes[pos++]!;
      result += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return result;
      shift += 7;
    }
    ok = false;
    return 0;
  };
  // Skips a field's value of wire type `wt` ending no later than `limit`; false when it cannot.
  const skip = (wt: number, limit: number): boolean => {
    switch (wt) {
      case 0: {
        for (let i = 0; i < 10; i++) {
          if (pos >= limit) return false;
          if (bytes[pos++]! < 0x80) return true;
        }
        return false;
      }
      case 1: pos += 8; return pos <= limit;
      case 2: {
        const l = varint();
        if (!ok || l > limit - pos) return false;
        pos += l;
        return true;
      }
      case 5: pos += 4; return pos <= limit;
      default: return false;
    }
  };

  while (pos < len) {
    const tagAt = pos;
    const tag = varint();
    if (!ok) return undefined;
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field !== 1) {
      if (field === 0 || !skip(wt, len)) return undefined;
      rest.push(bytes.subarray(tagAt, pos));
      continue;
    }
    if (wt !== 2) return undefined;
    const l = varint();
    if (!ok || l > len - pos) return undefined;
    const start = pos;
    const end = pos + l;
    // The node's own fields.
    let name = '';
    let op = '';
    let device = '';
    let inputCount = 0;
    let other = false;
    while (pos < end) {
      const t = varint();
      if (!ok) return undefined;
      const f = t >>> 3;
      const w = t & 7;
      if (f >= 1 && f <= 5) {
        if (w !== 2) return undefined;
        const sl = varint();
        if (!ok || sl > end - pos) return undefined;
        const s = pos;
        pos += sl;
        if (f === 1) name = names(s, pos);
        else if (f === 2) op = ops(s, pos);
        else if (f === 3) inputBuf[inputCount++] = names(s, pos);
        else if (f === 4) device = ops(s, pos);
      } else {
        if (f === 0 || !skip(w, end)) return undefined;
        other = true;
      }
    }
    if (pos !== end) return undefined;
    const i = nodes.length;
    if (i === cap) {
      cap *= 2;
      const grow = (a: Uint32Array): Uint32Array => {
        const b = new Uint32Array(cap);
        b.set(a);
        return b;
      };
      source.fieldStart = fieldStart = grow(fieldStart);
      source.payloadStart = payloadStart = grow(payloadStart);
      source.end = ends = grow(ends);
    }
    fieldStart[i] = tagAt;
    payloadStart[i] = start;
    ends[i] = end;
    if (other) {
      nodes.push(eager(bytes.subarray(start, end)));
      continue;
    }
    const target = LazyAttrs.target(source, i);
    const node: Node = {
      name,
      op,
      inputs: inputCount === 0 ? EMPTY_INPUTS : Object.freeze(exactInputs(inputBuf, inputCount)),
      device,
      attrs: new Proxy(target, LAZY_HANDLER) as AttrRecord,
    };
    LazyAttrs.setNode(target, Object.freeze(node));
    nodes.push(node);
  }
  source.fieldStart = fieldStart.subarray(0, nodes.length);
  source.payloadStart = payloadStart.subarray(0, nodes.length);
  source.end = ends.subarray(0, nodes.length);
  return { nodes, rest, source };
}

// ---------------------------------------------------------------- encoded attributes

const encodedCache = new WeakMap<object, EncodedAttrs | null>();

/** `encodedAttrs` (src/ir/encoded-attrs.ts) for nodes this loader made. */
function encodedAttrsOf(node: Node): EncodedAttrs | undefined {
  const t = lazyTarget(node);
  if (t === undefined) return undefined;
  let e = encodedCache.get(t);
  if (e === undefined) {
    const h = LazyAttrs.where(t);
    e = scanEncodedAttrs(h.source.bytes, h.source.payloadStart[h.index]!, h.source.end[h.index]!) ?? null;
    encodedCache.set(t, e);
  }
  return e ?? undefined;
}

function scanEncodedAttrs(b: Uint8Array, from: number, end: number): EncodedAttrs | undefined {
  const entries = plainAttrEntries(b, from, end);
  if (entries === undefined) return undefined;
  entries.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  for (let i = 1; i < entries.length; i++) if (entries[i]!.key === entries[i - 1]!.key) return undefined;
  return { bytes: b, keys: entries.map((x) => x.key), start: entries.map((x) => x.start), end: entries.map((x) => x.end) };
}

setEncodedAttrsProvider(encodedAttrsOf);

/** Node lists that are a scan's nodes, each at its index (registered by decodeGraphDef), and their source. */
const loadedLists = new WeakMap<readonly Node[], NodeSource>();

/**
 * Records that `nodes` are the nodes `scanGraphDef` made from `source`, each at its index (the
 * graph decodeGraphDef returns), so passes over them can read attributes by position.
 */
export function registerLoadedNodes(nodes: readonly Node[], source: NodeSource): void {
  if (nodes.length === source.payloadStart.length) loadedLists.set(nodes, source);
}

class SourceReader implements LoadedAttrReader {
  constructor(private readonly s: NodeSource) {}
  hasAny(i: number, keys: readonly string[]): boolean | undefined {
    return bytesHaveKey(this.s.bytes, this.s.payloadStart[i]!, this.s.end[i]!, keys);
  }
  tensorHeader(i: number, key: string): TensorHeader | undefined {
    return tensorHeaderAt(this.s.bytes, this.s.payloadStart[i]!, this.s.end[i]!, key);
  }
}

setLoadedAttrReaderProvider((nodes) => {
  const s = loadedLists.get(nodes);
  return s && new SourceReader(s);
});

setTensorHeaderProvider((node, key) => {
  const t = lazyTarget(node);
  return t === undefined ? undefined : LazyAttrs.tensorHeader(t, key);
});

setHasAnyAttrProvider((node, keys) => {
  const t = lazyTarget(node);
  return t === undefined ? undefined : LazyAttrs.hasAny(t, keys);
});

setAttrKeysProvider((node) => {
  const t = lazyTarget(node);
  return t === undefined ? undefined : LazyAttrs.keyList(t);
});
