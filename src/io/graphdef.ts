/**
 * GraphDef files: binary `.pb` and text `.pbtxt`.
 *
 * Writing is chunked: each node is encoded on its own, and a node holding a large tensor is
 * framed by hand around its `tensor_content`, so the payload bytes are never copied before
 * they reach the file (protobufjs' writer would move a 50 MB tensor about five times).
 */
import { GraftError, badArgument, isGraftError } from '../errors';
import type { Graph } from '../ir/graph';
import { decodeMessage, encodeMessage, parseTextMessage, printTextMessage } from '../proto';
import { type Chunks, joinChunks, lengthDelimited } from './chunks';
import { graphFromProto, graphRestToProto, graphToProto, nodeFromProto, nodeToProto } from './graph-proto';
import { type NodeSource, lazyNodeSource, loadedAttrFields, registerLoadedNodes, scanGraphDef } from './graph-lazy';
import type { Node } from '../ir/node';
import { checkBytesArgument, checkGraphShallow } from '../ir/check';

type Msg = Record<string, unknown>;

/** Tensors at least this big are framed by hand instead of encoded by protobufjs. */
const SPLICE_THRESHOLD = 64 * 1024;

/** Graphs decoded from bytes, and those bytes: an unchanged graph is written back as them. */
const sourceBytes = new WeakMap<Graph, Uint8Array>();

/**
 * Decodes a binary GraphDef. Nodes are loaded lazily (`graph-lazy.ts`): names, ops, inputs and
 * devices now, attributes when first read. Bytes the scan does not expect are decoded whole by
 * protobufjs, which names what is wrong with them.
 */
export function decodeGraphDef(bytes: Uint8Array, file?: string): Graph {
  checkBytesArgument('decodeGraphDef', 'bytes', bytes);
  const scanned = scanGraphDef(bytes, file, (payload) => nodeFromProto(decodeMessage<Msg>('tensorflow.NodeDef', payload, file)));
  let graph: Graph;
  if (scanned) {
    const rest = scanned.rest.length === 0 ? {} : decodeMessage<Msg>('tensorflow.GraphDef', joinChunks(scanned.rest), file);
    graph = graphFromProto(rest, scanned.nodes);
    registerLoadedNodes(graph.nodes, scanned.source);
  } else {
    graph = graphFromProto(decodeMessage<Msg>('tensorflow.GraphDef', bytes, file));
  }
  sourceBytes.set(graph, bytes);
  return graph;
}

/** Parses a text GraphDef. */
export function parseGraphDefText(text: string, file?: string): Graph {
  if (typeof text !== 'string') throw badArgument('parseGraphDefText', 'text', 'a string', text);
  return graphFromProto(parseTextMessage<Msg>('tensorflow.GraphDef', text, file));
}

/**
 * Reads GraphDef bytes that may be binary or text (TensorFlow's tools try binary, then text).
 * `.pbtxt`/`.txt` names are parsed as text first.
 */
export function readGraphDefBytes(bytes: Uint8Array, file?: string): Graph {
  checkBytesArgument('readGraphDefBytes', 'bytes', bytes);
  const textFirst = file !== undefined && /\.(pbtxt|txt|prototxt)$/i.test(file);
  if (textFirst) return parseGraphDefText(new TextDecoder().decode(bytes), file);
  try {
    return decodeGraphDef(bytes, file);
  } catch (binaryError) {
    if (!looksLikeText(bytes)) throw binaryError;
    try {
      return parseGraphDefText(new TextDecoder().decode(bytes), file);
    } catch {
      throw binaryError;
    }
  }
}

function looksLikeText(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 512);
  for (let i = 0; i < n; i++) {
    const c = bytes[i]!;
    if (c < 9 || (c > 13 && c < 32)) return false;
  }
  return n > 0;
}

/** The graph as a text GraphDef. */
export function printGraphDefText(graph: Graph): string {
  checkGraphShallow('printGraphDefText', 'graph', graph);
  return printTextMessage('tensorflow.GraphDef', graphToProto(graph));
}

/** Nodes encoded together in one protobufjs call (same bytes as one by one, far fewer buffers). */
const BATCH = 512;

/** Size of the blocks edited nodes are written into by hand. */
const BLOCK = 256 * 1024;

/**
 * Writes nodes whose attributes are still the loaded bytes (`loadedAttrFields`): name, op,
 * inputs and device encoded here, the attribute fields copied, the whole framed as a GraphDef
 * `node` field — byte for byte what protobufjs writes for the same node. Output goes into
 * blocks; `take()` returns what was written since the last call, as one view.
 */
class NodeWriter {
  private block = new Uint8Array(0);
  private pos = 0;
  private from = 0;

  /** Writes `node` (as GraphDef field 1); false, writing nothing, when its attributes are not plain loaded bytes. */
  write(node: Node, lazy: { readonly source: NodeSource; readonly index: number }, chunks: Chunks): boolean {
    // Strings other than ASCII go through protobufjs (its UTF-8 is the reference).
    let size = stringField(node.name) + stringField(node.op) + stringField(node.device);
    for (const input of node.inputs) {
      const n = asciiLength(input);
      if (n < 0) return false;
      size += 1 + varintSize(n) + n;
    }
    if (size < 0) return false;
    const attrs = loadedAttrFields(lazy);
    if (attrs === undefined) return false;
    const { bytes, ranges } = attrs;
    let big = false;
    for (let j = 0; j < ranges.length; j += 2) {
      const n = ranges[j + 1]! - ranges[j]!;
      size += n;
      if (n >= SPLICE_THRESHOLD) big = true;
    }
    this.reserve(1 + varintSize(size) + (big ? size - attrBytes(ranges) : size));
    this.byte(0x0a);
    this.varint(size);
    if (node.name !== '') this.string(0x0a, node.name);
    if (node.op !== '') this.string(0x12, node.op);
    for (const input of node.inputs) this.string(0x1a, input);
    if (node.device !== '') this.string(0x22, node.device);
    for (let j = 0; j < ranges.length; j += 2) {
      const field = bytes.subarray(ranges[j]!, ranges[j + 1]!);
      if (field.length >= SPLICE_THRESHOLD) {
        // A large tensor goes out as a view of the loaded bytes, not copied.
        this.flush(chunks);
        chunks.push(field);
      } else {
        this.reserve(field.length);
        this.block.set(field, this.pos);
        this.pos += field.length;
      }
    }
    return true;
  }

  /** Moves what was written since the last flush to `chunks`. */
  flush(chunks: Chunks): void {
    if (this.pos > this.from) chunks.push(this.block.subarray(this.from, this.pos));
    this.from = this.pos;
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.block.length) return;
    // Written bytes stay where they are (views of them may be in `chunks` already).
    const pending = this.block.subarray(this.from, this.pos);
    const next = new Uint8Array(Math.max(BLOCK, n + pending.length));
    next.set(pending, 0);
    this.block = next;
    this.pos = pending.length;
    this.from = 0;
  }

  private byte(x: number): void {
    this.block[this.pos++] = x;
  }

  private varint(v: number): void {
    while (v >= 0x80) {
      this.block[this.pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.block[this.pos++] = v;
  }

  /** An ASCII string field (checked by `write`). */
  private string(tag: number, s: string): void {
    const n = s.length;
    const b = this.block;
    let p = this.pos;
    b[p++] = tag;
    this.pos = p;
    this.varint(n);
    p = this.pos;
    for (let i = 0; i < n; i++) b[p + i] = s.charCodeAt(i);
    this.pos = p + n;
  }
}

function attrBytes(ranges: readonly number[]): number {
  let n = 0;
  for (let j = 0; j < ranges.length; j += 2) {
    const l = ranges[j + 1]! - ranges[j]!;
    if (l >= SPLICE_THRESHOLD) n += l;
  }
  return n;
}

function varintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/** Bytes of an optional ASCII string field (tag, length, bytes): 0 when empty (not written); a large negative number when not ASCII. */
function stringField(s: string): number {
  if (s === '') return 0;
  const n = asciiLength(s);
  return n < 0 ? -(2 ** 40) : 1 + varintSize(n) + n;
}

/** The length of `s` when it is ASCII, else -1. */
function asciiLength(s: string): number {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return -1;
  return s.length;
}

/** The graph as binary GraphDef chunks (join them, or hand them to `writev`). */
export function encodeGraphDefChunks(graph: Graph): Chunks {
  checkGraphShallow('encodeGraphDef', 'graph', graph);
  const original = sourceBytes.get(graph);
  if (original) return [original];
  const chunks: Chunks = [];
  // Runs of ordinary nodes are encoded as one `GraphDef { node: [...] }`, whose bytes are exactly
  // the framed nodes; a node holding a large tensor is framed by hand around its payload.
  let batch: Msg[] = [];
  // A run of unchanged loaded nodes that sit next to each other in their source bytes.
  let runBytes: Uint8Array | undefined;
  let runStart = 0;
  let runEnd = 0;
  // Edited loaded nodes that kept their attributes: written by hand around their attribute bytes.
  const writer = new NodeWriter();
  const flush = () => {
    writer.flush(chunks);
    if (runBytes) chunks.push(runBytes.subarray(runStart, runEnd));
    runBytes = undefined;
    if (batch.length > 0) chunks.push(encodeMessage('tensorflow.GraphDef', { node: batch }));
    batch = [];
  };
  for (const node of graph.nodes) {
    const lazy = lazyNodeSource(node);
    if (lazy && lazy.node === node) {
      // Unchanged since it was loaded: written back as its own bytes.
      const s = lazy.source;
      const start = s.fieldStart[lazy.index]!;
      if (runBytes === s.bytes && runEnd === start) {
        runEnd = s.end[lazy.index]!;
        continue;
      }
      flush();
      runBytes = s.bytes;
      runStart = start;
      runEnd = s.end[lazy.index]!;
      continue;
    }
    if (lazy && node.extras === undefined) {
      // Edited, attributes kept (rewired inputs, a new device or name): no attribute is decoded.
      if (runBytes || batch.length > 0) flush();
      if (writer.write(node, lazy, chunks)) continue;
    }
    if (runBytes) flush();
    writer.flush(chunks);
    const msg = nodeToProto(node);
    if (hasBigTensor(msg)) {
      flush();
      for (const item of lengthDelimited(1, encodeNodeChunks(msg))) chunks.push(item);
    } else {
      batch.push(msg);
      if (batch.length >= BATCH) flush();
    }
  }
  flush();
  const rest = graphRestToProto(graph);
  if (Object.keys(rest).length > 0 || '$unknowns' in rest) chunks.push(encodeMessage('tensorflow.GraphDef', rest));
  return chunks;
}

/** The graph as binary GraphDef bytes. */
export function encodeGraphDef(graph: Graph): Uint8Array {
  return joinChunks(encodeGraphDefChunks(graph));
}

/** Encodes a NodeDef, splicing in large tensor payloads without copying them. */
export function encodeNodeChunks(node: Msg): Chunks {
  const attr = node.attr as Record<string, Msg> | undefined;
  const bigKeys = attr ? Object.keys(attr).filter((k) => bigTensorContent(attr[k]!) !== undefined) : [];
  if (bigKeys.length === 0) return [encodeMessage('tensorflow.NodeDef', node)];
  // NodeDef fields in number order: name 1, op 2, input 3, device 4, attr 5, then 6, 7, unknown.
  const head: Msg = {};
  const tail: Msg = {};
  for (const k of Object.keys(node)) {
    if (k === 'attr') continue;
    if (k === 'name' || k === 'op' || k === 'input' || k === 'device') head[k] = node[k];
    else tail[k] = node[k];
  }
  if (Object.prototype.hasOwnProperty.call(node, '$unknowns')) tail.$unknowns = node.$unknowns;
  const chunks: Chunks = [encodeMessage('tensorflow.NodeDef', head)];
  for (const key of Object.keys(attr!)) {
    const value = attr![key]!;
    const keyBytes = new TextEncoder().encode(key);
    const valueChunks = bigKeys.includes(key) ? encodeAttrWithBigTensor(value) : [encodeMessage('tensorflow.AttrValue', value)];
    const entry = [...lengthDelimited(1, [keyBytes]), ...lengthDelimited(2, valueChunks)];
    for (const item of lengthDelimited(5, entry)) chunks.push(item);
  }
  chunks.push(encodeMessage('tensorflow.NodeDef', tail));
  return chunks;
}

function hasBigTensor(node: Msg): boolean {
  const attr = node.attr as Record<string, Msg> | undefined;
  if (!attr) return false;
  for (const k of Object.keys(attr)) if (bigTensorContent(attr[k]!) !== undefined) return true;
  return false;
}

function bigTensorContent(attr: Msg): Uint8Array | undefined {
  const t = attr.tensor as Msg | undefined;
  const c = t?.tensor_content as Uint8Array | undefined;
  return c && c.length >= SPLICE_THRESHOLD ? c : undefined;
}

function encodeAttrWithBigTensor(attr: Msg): Chunks {
  const t = attr.tensor as Msg;
  // TensorProto: dtype 1, tensor_shape 2, version_number 3, tensor_content 4, then the rest.
  const head: Msg = {};
  const tail: Msg = {};
  for (const k of Object.keys(t)) {
    if (k === 'tensor_content') continue;
    if (k === 'dtype' || k === 'tensor_shape' || k === 'version_number') head[k] = t[k];
    else tail[k] = t[k];
  }
  if (Object.prototype.hasOwnProperty.call(t, '$unknowns')) tail.$unknowns = t.$unknowns;
  const tensorChunks = [
    encodeMessage('tensorflow.TensorProto', head),
    ...lengthDelimited(4, [t.tensor_content as Uint8Array]),
    encodeMessage('tensorflow.TensorProto', tail),
  ];
  // AttrValue.tensor is field 8.
  return lengthDelimited(8, tensorChunks);
}

/** Wraps any failure while reading `file` into a GraftError naming it. */
export function inFile<T>(file: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (isGraftError(e)) throw e.inFile(file);
    throw new GraftError('io/corrupt', `${file}: ${(e as Error).message}`, { file, cause: e });
  }
}
