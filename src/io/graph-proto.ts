/**
 * Converts between decoded protobuf messages and the immutable IR.
 *
 * Fidelity: every node, function, library and version record made from a message remembers that
 * message (in a WeakMap keyed by the object). IR objects are immutable, so an object that still
 * has its message is unchanged, and writing it back reuses the message: untouched nodes
 * re-encode to exactly the bytes they came from. Objects a transform creates have no message and
 * are encoded from their fields, in canonical order (for every model in the test corpus that
 * gives the original bytes too; the round-trip test checks both paths).
 */
import { Long } from '../proto';
import { freeze } from 'immer';
import { GraftError } from '../errors';
import type { AttrList, AttrValue, FuncRef, Int, Shape } from '../ir/attr';
import { dtypeFromEnum, dtypeToEnum } from '../ir/dtype';
import type { FunctionDef, FunctionLibrary, Graph, Versions } from '../ir/graph';
import type { Node } from '../ir/node';
import type { Tensor, TensorData, ValueField } from '../ir/tensor';
import { valueFieldFor } from '../ir/tensor';
import { decodeMessage } from '../proto';
import { lazyNodeSource, setAttrDecoder } from './graph-lazy';

type Msg = Record<string, unknown>;

const origins = new WeakMap<object, Msg>();

/** The message an IR object was decoded from, if it is unchanged since. */
export function originOf(obj: object): Msg | undefined {
  return origins.get(obj);
}

function remember<T extends object>(obj: T, msg: Msg): T {
  origins.set(obj, msg);
  return obj;
}

function own(m: Msg, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(m, key);
}

/** int64 from a decoded message: number when exact, bigint beyond 2^53. */
export function toInt(v: unknown): Int {
  if (typeof v === 'number') return v;
  if (Long.isLong(v)) {
    const l = v as Long;
    const n = l.toNumber();
    if (Number.isSafeInteger(n)) return n;
    return BigInt(l.toString());
  }
  if (typeof v === 'bigint') return v;
  if (typeof v === 'string') return Number.isSafeInteger(Number(v)) ? Number(v) : BigInt(v);
  return 0;
}

/** int64 for protobufjs: never a bigint (protobufjs writes 0 for those). */
export function fromInt(v: Int, unsigned = false): number | Long {
  if (typeof v === 'bigint') return Long.fromString(v.toString(), unsigned);
  return v;
}

function toNumberInt(v: unknown, what: string): number {
  const i = toInt(v);
  if (typeof i === 'bigint') throw new GraftError('io/corrupt', `${what} ${i} is beyond 2^53`);
  return i;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

function bytesToAttrText(b: Uint8Array): string | Uint8Array {
  try {
    return utf8.decode(b);
  } catch {
    return b;
  }
}

function attrTextToBytes(v: string | Uint8Array): Uint8Array {
  return typeof v === 'string' ? utf8Encoder.encode(v) : v;
}

// ---------------------------------------------------------------- shapes

// Everything made from a message here is frozen as it is made (immutable by construction), so no
// recursive freeze runs over a graph afterwards. Byte arrays (Uint8Array views) cannot be frozen.
const fz = Object.freeze;

export function shapeFromProto(m: Msg | undefined | null): Shape {
  if (!m) return remember(fz({ dims: fz([]), unknownRank: false }), {});
  const dims = ((m.dim as Msg[] | undefined) ?? []).map((d) => toNumberInt(d.size, 'A dimension of'));
  // Not remembered on its own: the attribute holding it is (one WeakMap entry per attribute is
  // the cost that matters at 100k nodes).
  return fz({ dims: fz(dims), unknownRank: Boolean(m.unknown_rank) });
}

export function shapeToProto(s: Shape): Msg {
  const m: Msg = {};
  if (s.dims.length > 0) m.dim = s.dims.map((size) => (size === 0 ? {} : { size }));
  if (s.unknownRank) m.unknown_rank = true;
  return m;
}

// ---------------------------------------------------------------- tensors

const VALUE_FIELDS: readonly ValueField[] = [
  'half_val', 'float_val', 'double_val', 'int_val', 'int64_val', 'bool_val', 'scomplex_val', 'dcomplex_val', 'uint32_val', 'uint64_val',
];

export function tensorFromProto(m: Msg): Tensor {
  const dtype = dtypeFromEnum(Number(m.dtype ?? 0));
  const shapeMsg = m.tensor_shape as Msg | undefined;
  const shape = ((shapeMsg?.dim as Msg[] | undefined) ?? []).map((d) => toNumberInt(d.size, 'A tensor dimension of'));
  let data: TensorData;
  const content = m.tensor_content as Uint8Array | undefined;
  if (dtype === 'resource' || dtype === 'variant' || dtype.startsWith('dtype(')) {
    data = { kind: 'opaque' };
  } else if (content && content.length > 0) {
    data = { kind: 'content', bytes: content };
  } else if (dtype === 'string' || dtype === 'string_ref') {
    data = { kind: 'strings', values: fz((m.string_val as Uint8Array[] | undefined) ?? []) };
  } else {
    let field = VALUE_FIELDS.find((f) => own(m, f) && (m[f] as unknown[]).length > 0);
    field ??= (valueFieldFor(dtype) as ValueField | undefined) ?? 'float_val';
    const raw = (m[field] as unknown[] | undefined) ?? [];
    const values = field === 'int64_val' || field === 'uint64_val' ? raw.map(toInt) : (raw as (number | boolean)[]);
    data = { kind: 'values', field, values: fz(values) };
  }
  // Only opaque tensors (resource, variant) need their message to be written again; the rest
  // re-encode from their fields to the same bytes, and a WeakMap entry per attribute is what
  // costs at 100k nodes (the node itself is remembered).
  const t: Tensor = fz({ dtype, shape: fz(shape), data: fz(data) });
  return data.kind === 'opaque' ? remember(t, m) : t;
}

export function tensorToProto(t: Tensor): Msg {
  const o = origins.get(t);
  if (o) return o;
  const m: Msg = { dtype: dtypeToEnum(t.dtype), tensor_shape: { dim: t.shape.map((size) => (size === 0 ? {} : { size })) } };
  if (t.shape.length === 0) m.tensor_shape = {};
  switch (t.data.kind) {
    case 'content':
      if (t.data.bytes.length > 0) m.tensor_content = t.data.bytes;
      break;
    case 'strings':
      if (t.data.values.length > 0) m.string_val = t.data.values;
      break;
    case 'values': {
      const f = t.data.field;
      if (t.data.values.length > 0) {
        m[f] = f === 'int64_val' || f === 'uint64_val' ? t.data.values.map((v) => fromInt(v as Int, f === 'uint64_val')) : t.data.values;
      }
      break;
    }
    case 'opaque':
      throw new GraftError('graph/bad-tensor', `A new ${t.dtype} tensor cannot be written (resource and variant tensors are only carried through)`);
  }
  return m;
}

// ---------------------------------------------------------------- attributes

export function attrFromProto(m: Msg): AttrValue {
  let v: AttrValue;
  if (own(m, 's')) v = { kind: 's', value: bytesToAttrText(m.s as Uint8Array) };
  else if (own(m, 'i')) v = { kind: 'i', value: toInt(m.i) };
  else if (own(m, 'f')) v = { kind: 'f', value: m.f as number };
  else if (own(m, 'b')) v = { kind: 'b', value: m.b as boolean };
  else if (own(m, 'type')) v = { kind: 'type', value: dtypeFromEnum(m.type as number) };
  else if (own(m, 'shape')) v = { kind: 'shape', value: shapeFromProto(m.shape as Msg) };
  else if (own(m, 'tensor')) v = { kind: 'tensor', value: tensorFromProto(m.tensor as Msg) };
  else if (own(m, 'list')) v = { kind: 'list', value: listFromProto(m.list as Msg) };
  else if (own(m, 'func')) v = { kind: 'func', value: funcFromProto(m.func as Msg) };
  else if (own(m, 'placeholder')) v = { kind: 'placeholder', value: m.placeholder as string };
  else v = { kind: 'none' };
  return fz(v);
}

function listFromProto(m: Msg): AttrList {
  const l: { -readonly [K in keyof AttrList]: AttrList[K] } = {};
  const arr = (k: string) => (own(m, k) && (m[k] as unknown[]).length > 0 ? (m[k] as unknown[]) : undefined);
  let a: unknown[] | undefined;
  if ((a = arr('s'))) l.s = (a as Uint8Array[]).map(bytesToAttrText);
  if ((a = arr('i'))) l.i = a.map(toInt);
  if ((a = arr('f'))) l.f = a as number[];
  if ((a = arr('b'))) l.b = a as boolean[];
  if ((a = arr('type'))) l.type = (a as number[]).map(dtypeFromEnum);
  if ((a = arr('shape'))) l.shape = (a as Msg[]).map(shapeFromProto);
  if ((a = arr('tensor'))) l.tensor = (a as Msg[]).map(tensorFromProto);
  if ((a = arr('func'))) l.func = (a as Msg[]).map(funcFromProto);
  for (const k of Object.keys(l)) fz(l[k as keyof AttrList]);
  return fz(l);
}

function funcFromProto(m: Msg): FuncRef {
  return fz({ name: (m.name as string) ?? '', attrs: fz(attrsFromProto(m.attr as Msg | undefined)) });
}

/**
 * The attributes of a decoded `attr` map, each frozen; written into `into` when given (the lazy
 * loader's proxy target), else into a new object. The map itself is left for the caller to freeze.
 */
export function attrsFromProto(m: Msg | undefined, into?: Record<string, AttrValue>): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = into ?? {};
  if (!m) return out;
  for (const k of Object.keys(m)) out[k] = attrFromProto(m[k] as Msg);
  return out;
}

setAttrDecoder(attrsFromProto);

export function attrToProto(v: AttrValue): Msg {
  const o = origins.get(v);
  if (o) return o;
  switch (v.kind) {
    case 's': return { s: attrTextToBytes(v.value) };
    case 'i': return { i: fromInt(v.value) };
    case 'f': return { f: v.value };
    case 'b': return { b: v.value };
    case 'type': return { type: dtypeToEnum(v.value) };
    case 'shape': return { shape: shapeToProto(v.value) };
    case 'tensor': return { tensor: tensorToProto(v.value) };
    case 'list': return { list: listToProto(v.value) };
    case 'func': return { func: funcToProto(v.value) };
    case 'placeholder': return { placeholder: v.value };
    case 'none': return {};
  }
}

function listToProto(l: AttrList): Msg {
  const m: Msg = {};
  if (l.s?.length) m.s = l.s.map(attrTextToBytes);
  if (l.i?.length) m.i = l.i.map((x) => fromInt(x));
  if (l.f?.length) m.f = l.f;
  if (l.b?.length) m.b = l.b;
  if (l.type?.length) m.type = l.type.map(dtypeToEnum);
  if (l.shape?.length) m.shape = l.shape.map(shapeToProto);
  if (l.tensor?.length) m.tensor = l.tensor.map(tensorToProto);
  if (l.func?.length) m.func = l.func.map(funcToProto);
  return m;
}

function funcToProto(f: FuncRef): Msg {
  const o = origins.get(f);
  if (o) return o;
  const m: Msg = { name: f.name };
  if (Object.keys(f.attrs).length > 0) m.attr = attrsToProto(f.attrs);
  return m;
}

function attrsToProto(attrs: Readonly<Record<string, AttrValue>>): Msg {
  const m: Msg = {};
  for (const k of Object.keys(attrs)) m[k] = attrToProto(attrs[k]!);
  return m;
}

// ---------------------------------------------------------------- nodes

const NODE_FIELDS = new Set(['name', 'op', 'input', 'device', 'attr']);

export function nodeFromProto(m: Msg): Node {
  const extras = extrasOf(m, NODE_FIELDS);
  const node: Node = {
    name: (m.name as string) ?? '',
    op: (m.op as string) ?? '',
    inputs: (m.input as string[] | undefined) ?? [],
    device: (m.device as string) ?? '',
    attrs: attrsFromProto(m.attr as Msg | undefined),
    ...(extras ? { extras } : {}),
  };
  return remember(node, m);
}

export function nodeToProto(n: Node): Msg {
  const o = origins.get(n);
  if (o) return o;
  const lazy = lazyNodeSource(n);
  if (lazy && lazy.node === n) {
    // An unchanged node loaded lazily: its message is its bytes, decoded (as an eager load made it).
    const s = lazy.source;
    return decodeMessage<Msg>('tensorflow.NodeDef', s.bytes.subarray(s.payloadStart[lazy.index]!, s.end[lazy.index]!), s.file);
  }
  const m: Msg = {};
  if (n.name) m.name = n.name;
  if (n.op) m.op = n.op;
  if (n.inputs.length > 0) m.input = n.inputs;
  if (n.device) m.device = n.device;
  if (Object.keys(n.attrs).length > 0) m.attr = attrsToProto(n.attrs);
  if (n.extras) Object.assign(m, n.extras);
  return m;
}

/** Own fields of a message outside `known`, including preserved unknown fields. */
function extrasOf(m: Msg, known: ReadonlySet<string>): Record<string, unknown> | undefined {
  let out: Record<string, unknown> | undefined;
  for (const k of Object.keys(m)) {
    if (known.has(k)) continue;
    (out ??= {})[k] = m[k];
  }
  // Hidden fields the proto layer keeps: unknown fields, and the wire order of integer-keyed maps.
  if (own(m, '$unknowns')) (out ??= {}).$unknowns = m.$unknowns;
  if (own(m, '$keyOrder')) (out ??= {}).$keyOrder = m.$keyOrder;
  return out;
}

// ---------------------------------------------------------------- functions and graphs

const FUNCTION_FIELDS = new Set(['signature', 'attr', 'node_def', 'ret', 'control_ret']);

export function functionFromProto(m: Msg): FunctionDef {
  const extras = extrasOf(m, FUNCTION_FIELDS);
  const signature = (m.signature as Msg | undefined) ?? {};
  const f: FunctionDef = {
    signature: signature as FunctionDef['signature'],
    attrs: attrsFromProto(m.attr as Msg | undefined),
    nodes: ((m.node_def as Msg[] | undefined) ?? []).map(nodeFromProto),
    ret: { ...((m.ret as Record<string, string> | undefined) ?? {}) },
    controlRet: { ...((m.control_ret as Record<string, string> | undefined) ?? {}) },
    ...(extras ? { extras } : {}),
  };
  return remember(f, m);
}

export function functionToProto(f: FunctionDef): Msg {
  const o = origins.get(f);
  if (o) return o;
  const m: Msg = { signature: f.signature };
  if (Object.keys(f.attrs).length > 0) m.attr = attrsToProto(f.attrs);
  if (f.nodes.length > 0) m.node_def = f.nodes.map(nodeToProto);
  if (Object.keys(f.ret).length > 0) m.ret = f.ret;
  if (Object.keys(f.controlRet).length > 0) m.control_ret = f.controlRet;
  if (f.extras) Object.assign(m, f.extras);
  return m;
}

export function libraryFromProto(m: Msg | undefined): FunctionLibrary {
  if (!m) return { functions: [] };
  const extras = extrasOf(m, new Set(['function']));
  const lib: FunctionLibrary = {
    functions: ((m.function as Msg[] | undefined) ?? []).map(functionFromProto),
    ...(extras ? { extras } : {}),
  };
  return remember(lib, m);
}

export function libraryToProto(lib: FunctionLibrary): Msg {
  const o = origins.get(lib);
  if (o) return o;
  const m: Msg = {};
  if (lib.functions.length > 0) m.function = lib.functions.map(functionToProto);
  if (lib.extras) Object.assign(m, lib.extras);
  return m;
}

export function versionsFromProto(m: Msg): Versions {
  const extras = extrasOf(m, new Set(['producer', 'min_consumer', 'bad_consumers']));
  const v: Versions = {
    producer: (m.producer as number) ?? 0,
    minConsumer: (m.min_consumer as number) ?? 0,
    badConsumers: (m.bad_consumers as number[] | undefined) ?? [],
    ...(extras ? { extras } : {}),
  };
  return remember(v, m);
}

export function versionsToProto(v: Versions): Msg {
  const o = origins.get(v);
  if (o) return o;
  const m: Msg = {};
  if (v.producer) m.producer = v.producer;
  if (v.minConsumer) m.min_consumer = v.minConsumer;
  if (v.badConsumers.length > 0) m.bad_consumers = v.badConsumers;
  if (v.extras) Object.assign(m, v.extras);
  return m;
}

const GRAPH_FIELDS = new Set(['node', 'versions', 'library']);

/** A `GraphDef` message as an immutable graph (with `nodes` already made, when given). */
export function graphFromProto(m: Msg, nodes?: readonly Node[]): Graph {
  const extras = extrasOf(m, GRAPH_FIELDS);
  const g: Graph = {
    nodes: nodes ? Object.freeze(nodes) : ((m.node as Msg[] | undefined) ?? []).map(nodeFromProto),
    library: libraryFromProto(own(m, 'library') ? (m.library as Msg) : undefined),
    versions: own(m, 'versions') ? versionsFromProto(m.versions as Msg) : null,
    ...(extras ? { extras } : {}),
  };
  // Pre-freeze so the first immer produce does not deep-freeze the whole graph.
  return freeze(g, true);
}

/** The `GraphDef` fields other than `node`, as a message (library, versions, debug info, unknown fields). */
export function graphRestToProto(g: Graph): Msg {
  const m: Msg = {};
  if (g.library.functions.length > 0 || g.library.extras || origins.has(g.library)) {
    const lib = libraryToProto(g.library);
    if (Object.keys(lib).length > 0 || origins.has(g.library)) m.library = lib;
  }
  if (g.versions) m.versions = versionsToProto(g.versions);
  if (g.extras) Object.assign(m, g.extras);
  return m;
}

/** The whole `GraphDef` message. */
export function graphToProto(g: Graph): Msg {
  const m = graphRestToProto(g);
  return { node: g.nodes.map(nodeToProto), ...m };
}
