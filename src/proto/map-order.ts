/**
 * Keeps the file order of FunctionDef's integer-keyed maps (`arg_attr`,
 * `resource_arg_unique_id`) across decode and encode.
 *
 * Why: protobufjs decodes a map into a plain object, and JavaScript always
 * lists integer-like keys in ascending order. TensorFlow writes these two maps
 * in hash-table order (e.g. 4, 1, 0, 3, 2), so without this an untouched TF2
 * SavedModel would re-encode to different (equivalent) bytes. String-keyed maps
 * keep insertion order and need nothing.
 *
 * How: the FunctionDef type's generated decode/encode are wrapped. Decode
 * notes the key order found on the wire in a non-enumerable `$keyOrder`
 * property, only when it is not already ascending. Encode writes those maps in
 * that order: keys still present first, in file order, then new keys ascending.
 * A copy of the message without `$keyOrder` simply encodes in ascending order.
 */
import protobuf from 'protobufjs/light.js';

type MapOrder = Partial<Record<'arg_attr' | 'resource_arg_unique_id', number[]>>;
type FunctionDefLike = Record<string, unknown> & { $keyOrder?: MapOrder; $unknowns?: Uint8Array[] };

const ARG_ATTR = 7;
const RESOURCE_ARG_UNIQUE_ID = 8;

/** Reads the uint32 key (field 1) of each entry of map fields 7 and 8 in `bytes`. */
function readKeyOrder(bytes: Uint8Array): MapOrder {
  const order: MapOrder = {};
  const r = protobuf.Reader.create(bytes);
  while (r.pos < r.len) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (wire === 2 && (field === ARG_ATTR || field === RESOURCE_ARG_UNIQUE_ID)) {
      const end = r.uint32() + r.pos;
      let key = 0;
      while (r.pos < end) {
        const t = r.uint32();
        if (t === 8) key = r.uint32();
        else r.skipType(t & 7);
      }
      const name = field === ARG_ATTR ? 'arg_attr' : 'resource_arg_unique_id';
      (order[name] ??= []).push(key);
    } else {
      r.skipType(wire);
    }
  }
  return order;
}

function isAscending(keys: number[]): boolean {
  for (let i = 1; i < keys.length; i++) if (keys[i - 1]! >= keys[i]!) return false;
  return true;
}

/** The keys of `map` in recorded order, then any others ascending. */
function orderedKeys(map: Record<string, unknown>, recorded: number[] | undefined): string[] {
  const present = Object.keys(map);
  if (recorded === undefined) return present;
  const left = new Set(present);
  const out: string[] = [];
  for (const k of recorded) {
    const s = String(k);
    if (left.delete(s)) out.push(s);
  }
  for (const s of present) if (left.has(s)) out.push(s);
  return out;
}

type Decode = (r: protobuf.Reader | Uint8Array, l?: number, ...rest: unknown[]) => protobuf.Message;
type Encode = (m: object, w?: protobuf.Writer, q?: number) => protobuf.Writer;

/** Wraps the FunctionDef type of `root` (call once, after the root is resolved). */
export function preserveFunctionDefMapOrder(root: protobuf.Root): void {
  const functionDef = root.lookupType('tensorflow.FunctionDef');
  const argAttrs = root.lookupType('tensorflow.FunctionDef.ArgAttrs');
  functionDef.setup(); // generate the codecs now, so ours are not overwritten later
  const decode = functionDef.decode as unknown as Decode;
  const encode = functionDef.encode as unknown as Encode;

  const wrappedDecode: Decode = function (this: unknown, r, l, ...rest) {
    const reader = r instanceof protobuf.Reader ? r : protobuf.Reader.create(r);
    const start = reader.pos;
    const end = l === undefined ? reader.len : reader.pos + l;
    const m = decode.call(this, reader, l, ...rest) as unknown as FunctionDefLike;
    const argAttr = m.arg_attr as Record<string, unknown> | undefined;
    const uniqueId = m.resource_arg_unique_id as Record<string, unknown> | undefined;
    const many = (o: Record<string, unknown> | undefined): boolean => o !== undefined && Object.keys(o).length > 1;
    if (many(argAttr) || many(uniqueId)) {
      const order = readKeyOrder(reader.buf.subarray(start, end));
      const kept: MapOrder = {};
      if (order.arg_attr && !isAscending(order.arg_attr)) kept.arg_attr = order.arg_attr;
      if (order.resource_arg_unique_id && !isAscending(order.resource_arg_unique_id)) {
        kept.resource_arg_unique_id = order.resource_arg_unique_id;
      }
      if (kept.arg_attr || kept.resource_arg_unique_id) {
        Object.defineProperty(m, '$keyOrder', { value: kept, writable: true, configurable: true, enumerable: false });
      }
    }
    return m as unknown as protobuf.Message;
  };

  const wrappedEncode: Encode = function (this: unknown, message, w, q) {
    const m = message as FunctionDefLike;
    const order = m.$keyOrder;
    if (order === undefined) return encode.call(this, m, w, q);
    const writer = w ?? protobuf.Writer.create();
    const depth = q ?? 0;
    // Fields 1-6 through the generated encoder; 7, 8 and the unknowns by hand,
    // in the same field-number order the generated encoder uses.
    const rest: Record<string, unknown> = { ...m };
    delete rest.arg_attr;
    delete rest.resource_arg_unique_id;
    delete rest.$unknowns;
    encode.call(this, rest, writer, depth);
    const argAttr = m.arg_attr as Record<string, object> | null | undefined;
    if (argAttr != null && Object.hasOwn(m, 'arg_attr')) {
      for (const k of orderedKeys(argAttr, order.arg_attr)) {
        writer.uint32((ARG_ATTR << 3) | 2).fork().uint32(8).uint32(Number(k));
        argAttrs.encode(argAttr[k]!, writer.uint32(18).fork()).ldelim().ldelim();
      }
    }
    const uniqueId = m.resource_arg_unique_id as Record<string, number> | null | undefined;
    if (uniqueId != null && Object.hasOwn(m, 'resource_arg_unique_id')) {
      for (const k of orderedKeys(uniqueId, order.resource_arg_unique_id)) {
        writer.uint32((RESOURCE_ARG_UNIQUE_ID << 3) | 2).fork().uint32(8).uint32(Number(k)).uint32(16).uint32(uniqueId[k]!).ldelim();
      }
    }
    if (m.$unknowns != null && Object.hasOwn(m, '$unknowns')) {
      for (const u of m.$unknowns) (writer as unknown as { raw(b: Uint8Array): protobuf.Writer }).raw(u);
    }
    return writer;
  };

  functionDef.decode = wrappedDecode as unknown as typeof functionDef.decode;
  functionDef.encode = wrappedEncode as unknown as typeof functionDef.encode;
}
