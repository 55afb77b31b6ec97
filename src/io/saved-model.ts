/**
 * MetaGraphDef (`.meta`) and SavedModel (`saved_model.pb` / `saved_model.pbtxt`) messages as IR.
 *
 * A meta graph holds its graph as an immutable `Graph` and its signatures as plain values; every
 * other part (meta info, collections, saver, assets, object graph) is carried as the decoded
 * message. Unchanged parts are written back from the message they came from.
 */
import { GraftError } from '../errors';
import { type Shape } from '../ir/attr';
import { type DType, dtypeFromEnum, dtypeToEnum } from '../ir/dtype';
import type { Graph } from '../ir/graph';
import { decodeMessage, encodeMessage, parseTextMessage, printTextMessage } from '../proto';
import { type Chunks, joinChunks, lengthDelimited } from './chunks';
import { encodeGraphDefChunks } from './graphdef';
import { graphFromProto, graphToProto, shapeFromProto, shapeToProto } from './graph-proto';
import { type WireField, fieldPayload, splitFields } from './wire';
import { checkBytesArgument, checkMetaGraph, checkSavedModel, checkStringsArgument } from '../ir/check';

type Msg = Record<string, unknown>;

/** A tensor named by a signature (`TensorInfo`). */
export interface TensorInfo {
  /** `node:port` for dense tensors; null for sparse or composite ones (see `encoding`). */
  readonly name: string | null;
  readonly dtype: DType;
  /** null when the signature gives no shape. */
  readonly shape: Shape | null;
  /** How the tensor is encoded: a dense name, a COO sparse triple, or a composite. */
  readonly encoding: 'name' | 'coo_sparse' | 'composite_tensor' | 'none';
  /** The decoded `TensorInfo`, for sparse and composite encodings. */
  readonly raw?: Readonly<Msg>;
}

/** A `SignatureDef`. */
export interface Signature {
  readonly methodName: string;
  readonly inputs: Readonly<Record<string, TensorInfo>>;
  readonly outputs: Readonly<Record<string, TensorInfo>>;
  /** Other fields (`defaults`, unknown fields), carried through. */
  readonly extras?: Readonly<Msg>;
}

/** One meta graph of a SavedModel, or a `.meta` file. */
export interface MetaGraph {
  readonly tags: readonly string[];
  readonly graph: Graph;
  readonly signatures: Readonly<Record<string, Signature>>;
  /**
   * The decoded `MetaGraphDef` without its graph: `meta_info_def`, `saver_def`, `collection_def`,
   * `asset_file_defs`, `object_graph_def`. Read-only; make a new object to change it.
   */
  readonly proto: Readonly<Msg>;
}

/** A `SavedModel` message. */
export interface SavedModelProto {
  readonly schemaVersion: number;
  readonly metaGraphs: readonly MetaGraph[];
}

const signatureOrigins = new WeakMap<object, Msg>();
/** The wire fields a meta graph's `proto` was decoded from, in file order. */
const wireOrigins = new WeakMap<object, WireField[]>();
/** The `graph_def` field a graph was decoded from: an unchanged graph is written back as those bytes. */
const graphWire = new WeakMap<Graph, WireField>();

function rememberWire(mg: MetaGraph, fields: WireField[]): void {
  wireOrigins.set(mg.proto, fields);
  const graphFields = fields.filter((f) => f.number === 2);
  if (graphFields.length === 1) graphWire.set(mg.graph, graphFields[0]!);
}

// ---------------------------------------------------------------- decoding

function tensorInfoFromProto(m: Msg): TensorInfo {
  const own = (k: string) => Object.prototype.hasOwnProperty.call(m, k);
  const encoding = own('name') ? 'name' : own('coo_sparse') ? 'coo_sparse' : own('composite_tensor') ? 'composite_tensor' : 'none';
  return {
    name: own('name') ? (m.name as string) : null,
    dtype: dtypeFromEnum(Number(m.dtype ?? 0)),
    shape: own('tensor_shape') ? shapeFromProto(m.tensor_shape as Msg) : null,
    encoding,
    ...(encoding === 'coo_sparse' || encoding === 'composite_tensor' ? { raw: m } : {}),
  };
}

function signaturesFromProto(m: Msg | undefined): Record<string, Signature> {
  const out: Record<string, Signature> = {};
  for (const [key, s] of Object.entries((m ?? {}) as Record<string, Msg>)) {
    const inputs = Object.fromEntries(Object.entries((s.inputs ?? {}) as Record<string, Msg>).map(([k, v]) => [k, tensorInfoFromProto(v)]));
    const outputs = Object.fromEntries(Object.entries((s.outputs ?? {}) as Record<string, Msg>).map(([k, v]) => [k, tensorInfoFromProto(v)]));
    const extras: Msg = {};
    if (Object.prototype.hasOwnProperty.call(s, 'defaults')) extras.defaults = s.defaults;
    out[key] = { methodName: (s.method_name as string) ?? '', inputs, outputs, ...(Object.keys(extras).length ? { extras } : {}) };
  }
  if (m) signatureOrigins.set(out, m);
  return out;
}

/** A decoded `MetaGraphDef` message as a meta graph. */
export function metaGraphFromProto(m: Msg): MetaGraph {
  const proto: Msg = {};
  for (const k of Object.keys(m)) if (k !== 'graph_def') proto[k] = m[k];
  if (Object.prototype.hasOwnProperty.call(m, '$unknowns')) proto.$unknowns = m.$unknowns;
  const info = m.meta_info_def as Msg | undefined;
  return {
    tags: ((info?.tags as string[] | undefined) ?? []).slice(),
    graph: graphFromProto((m.graph_def as Msg | undefined) ?? {}),
    signatures: signaturesFromProto(m.signature_def as Msg | undefined),
    proto,
  };
}

/** Decodes a binary `.meta` file. */
export function decodeMetaGraph(bytes: Uint8Array, file?: string): MetaGraph {
  checkBytesArgument('decodeMetaGraph', 'bytes', bytes);
  const mg = metaGraphFromProto(decodeMessage<Msg>('tensorflow.MetaGraphDef', bytes, file));
  rememberWire(mg, splitFields(bytes, file));
  return mg;
}

/** Parses a text MetaGraphDef. */
export function parseMetaGraphText(text: string, file?: string): MetaGraph {
  return metaGraphFromProto(parseTextMessage<Msg>('tensorflow.MetaGraphDef', text, file));
}

function savedModelFromProto(m: Msg): SavedModelProto {
  const metas = (m.meta_graphs as Msg[] | undefined) ?? [];
  return { schemaVersion: toNumber(m.saved_model_schema_version), metaGraphs: metas.map(metaGraphFromProto) };
}

function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v && typeof (v as { toNumber?: unknown }).toNumber === 'function') return (v as { toNumber(): number }).toNumber();
  return 0;
}

/** Decodes `saved_model.pb`. */
export function decodeSavedModel(bytes: Uint8Array, file?: string): SavedModelProto {
  checkBytesArgument('decodeSavedModel', 'bytes', bytes);
  const sm = savedModelFromProto(decodeMessage<Msg>('tensorflow.SavedModel', bytes, file));
  const metaFields = splitFields(bytes, file).filter((f) => f.number === 2);
  sm.metaGraphs.forEach((mg, i) => {
    const f = metaFields[i];
    if (f) rememberWire(mg, splitFields(fieldPayload(f), file));
  });
  return sm;
}

/** Parses `saved_model.pbtxt`. */
export function parseSavedModelText(text: string, file?: string): SavedModelProto {
  return savedModelFromProto(parseTextMessage<Msg>('tensorflow.SavedModel', text, file));
}

// ---------------------------------------------------------------- encoding

function tensorInfoToProto(t: TensorInfo): Msg {
  if (t.raw) return t.raw as Msg;
  const m: Msg = {};
  if (t.name !== null) m.name = t.name;
  if (t.dtype !== 'invalid') m.dtype = dtypeToEnum(t.dtype);
  if (t.shape) m.tensor_shape = shapeToProto(t.shape);
  return m;
}

function signaturesToProto(sigs: Readonly<Record<string, Signature>>): Msg {
  const o = signatureOrigins.get(sigs);
  if (o) return o;
  const out: Msg = {};
  for (const [key, s] of Object.entries(sigs)) {
    const m: Msg = {};
    if (Object.keys(s.inputs).length) m.inputs = Object.fromEntries(Object.entries(s.inputs).map(([k, v]) => [k, tensorInfoToProto(v)]));
    if (Object.keys(s.outputs).length) m.outputs = Object.fromEntries(Object.entries(s.outputs).map(([k, v]) => [k, tensorInfoToProto(v)]));
    if (s.methodName) m.method_name = s.methodName;
    if (s.extras) Object.assign(m, s.extras);
    out[key] = m;
  }
  return out;
}

function metaProtoWithout(mg: MetaGraph): { head: Msg; tail: Msg } {
  // MetaGraphDef: meta_info_def 1, graph_def 2, then saver_def 3 ... object_graph_def 7.
  const head: Msg = {};
  const tail: Msg = {};
  for (const k of Object.keys(mg.proto)) {
    if (k === 'meta_info_def') head[k] = mg.proto[k];
    else if (k !== 'signature_def') tail[k] = mg.proto[k];
  }
  if (Object.prototype.hasOwnProperty.call(mg.proto, '$unknowns')) tail.$unknowns = mg.proto.$unknowns;
  const info = head.meta_info_def as Msg | undefined;
  const infoTags = (info?.tags as string[] | undefined) ?? [];
  if (infoTags.length !== mg.tags.length || infoTags.some((t, i) => t !== mg.tags[i])) {
    head.meta_info_def = { ...(info ?? {}), tags: [...mg.tags] };
  }
  const sigs = signaturesToProto(mg.signatures);
  if (Object.keys(sigs).length > 0 || Object.prototype.hasOwnProperty.call(mg.proto, 'signature_def')) tail.signature_def = sigs;
  return { head, tail };
}

/** A meta graph as `MetaGraphDef` chunks. */
export function encodeMetaGraphChunks(mg: MetaGraph): Chunks {
  const wire = wireOrigins.get(mg.proto);
  if (wire) return encodeInWireOrder(mg, wire);
  const { head, tail } = metaProtoWithout(mg);
  return [
    encodeMessage('tensorflow.MetaGraphDef', head),
    ...lengthDelimited(2, encodeGraphDefChunks(mg.graph)),
    encodeMessage('tensorflow.MetaGraphDef', tail),
  ];
}

/**
 * Writes the meta graph's fields in the order the file had them: unchanged parts as their
 * original bytes, the graph (and changed signatures or tags) re-encoded in place.
 */
function encodeInWireOrder(mg: MetaGraph, wire: readonly WireField[]): Chunks {
  const { head, tail } = metaProtoWithout(mg);
  const sigsChanged = !signatureOrigins.has(mg.signatures);
  const infoChanged = head.meta_info_def !== mg.proto.meta_info_def;
  const chunks: Chunks = [];
  let wroteGraph = false;
  let wroteSigs = false;
  const writeSigs = () => {
    wroteSigs = true;
    if (tail.signature_def) chunks.push(encodeMessage('tensorflow.MetaGraphDef', { signature_def: tail.signature_def }));
  };
  for (const f of wire) {
    if (f.number === 2) {
      if (!wroteGraph) for (const item of (graphWire.get(mg.graph) === f ? [f.bytes] : lengthDelimited(2, encodeGraphDefChunks(mg.graph)))) chunks.push(item);
      wroteGraph = true;
    } else if (f.number === 5 && sigsChanged) {
      if (!wroteSigs) writeSigs();
    } else if (f.number === 1 && infoChanged) {
      chunks.push(encodeMessage('tensorflow.MetaGraphDef', { meta_info_def: head.meta_info_def }));
    } else {
      chunks.push(f.bytes);
    }
  }
  if (!wroteGraph) for (const item of lengthDelimited(2, encodeGraphDefChunks(mg.graph))) chunks.push(item);
  if (sigsChanged && !wroteSigs) writeSigs();
  return chunks;
}

/** A meta graph as `.meta` bytes. */
export function encodeMetaGraph(mg: MetaGraph): Uint8Array {
  checkMetaGraph('encodeMetaGraph', 'mg', mg);
  return joinChunks(encodeMetaGraphChunks(mg));
}

/** The whole `MetaGraphDef` message (for text output). */
export function metaGraphToProto(mg: MetaGraph): Msg {
  const { head, tail } = metaProtoWithout(mg);
  return { ...head, graph_def: graphToProto(mg.graph), ...tail };
}

/** A SavedModel as the bytes of `saved_model.pb`. */
export function encodeSavedModel(sm: SavedModelProto): Uint8Array {
  checkSavedModel('encodeSavedModel', 'sm', sm);
  return joinChunks(encodeSavedModelChunks(sm));
}

/** A SavedModel as `saved_model.pb` chunks. */
export function encodeSavedModelChunks(sm: SavedModelProto): Chunks {
  const chunks: Chunks = [];
  if (sm.schemaVersion) chunks.push(encodeMessage('tensorflow.SavedModel', { saved_model_schema_version: sm.schemaVersion }));
  for (const mg of sm.metaGraphs) for (const item of lengthDelimited(2, encodeMetaGraphChunks(mg))) chunks.push(item);
  return chunks;
}

/** `saved_model.pbtxt` text. */
export function printSavedModelText(sm: SavedModelProto): string {
  checkSavedModel('printSavedModelText', 'sm', sm);
  const m: Msg = { meta_graphs: sm.metaGraphs.map(metaGraphToProto) };
  if (sm.schemaVersion) m.saved_model_schema_version = sm.schemaVersion;
  return printTextMessage('tensorflow.SavedModel', m);
}

/** The meta graph whose tags are exactly `tags` (order ignored). */
export function findMetaGraph(sm: SavedModelProto, tags: readonly string[], file?: string): MetaGraph {
  checkSavedModel('findMetaGraph', 'sm', sm);
  checkStringsArgument('findMetaGraph', 'tags', tags);
  const want = [...tags].sort().join(',');
  const mg = sm.metaGraphs.find((m) => [...m.tags].sort().join(',') === want);
  if (!mg) {
    const have = sm.metaGraphs.map((m) => `'${m.tags.join(',')}'`).join(', ');
    throw new GraftError('model/unknown-tag-set', `No meta graph with tags '${tags.join(',')}'; the model has ${have || 'none'}`, { file });
  }
  return mg;
}
