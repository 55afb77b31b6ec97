/**
 * A checksum of what a transform could change in place in a graph. Nodes, attribute values and
 * graphs are frozen, but typed arrays cannot be: a `Const`'s tensor bytes, string values and
 * byte-string attributes can be overwritten by a careless transform, changing the caller's graph
 * silently. The runner takes this checksum before and after each step of a transform that is
 * not built in and reports `transform/mutated-input` when it moved.
 *
 * FNV-1a over 32-bit words where the bytes are aligned (bytes otherwise), mixing in the node
 * count, each node's input count and every byte payload reachable from the nodes' attributes
 * (also in library functions). It reads every attribute, so a lazily loaded graph gets decoded.
 */
import type { AttrValue } from './attr';
import type { Graph } from './graph';
import type { Node } from './node';
import type { Tensor } from './tensor';

const PRIME = 0x01000193;

function mixBytes(h: number, b: Uint8Array): number {
  h = Math.imul(h ^ b.length, PRIME);
  let i = 0;
  if (b.byteOffset % 4 === 0 && b.length >= 16) {
    const words = new Int32Array(b.buffer, b.byteOffset, b.length >>> 2);
    for (let k = 0; k < words.length; k++) h = Math.imul(h ^ words[k]!, PRIME);
    i = words.length << 2;
  }
  for (; i < b.length; i++) h = Math.imul(h ^ b[i]!, PRIME);
  return h;
}

function mixTensor(h: number, t: Tensor): number {
  const d = t.data;
  if (d.kind === 'content') return mixBytes(h, d.bytes);
  if (d.kind === 'strings') {
    for (const s of d.values) h = mixBytes(h, s);
    return h;
  }
  if (d.kind === 'values') return Math.imul(h ^ d.values.length, PRIME);
  return h;
}

function mixAttr(h: number, a: AttrValue): number {
  switch (a.kind) {
    case 'tensor':
      return mixTensor(h, a.value);
    case 's':
      return typeof a.value === 'string' ? h : mixBytes(h, a.value);
    case 'list': {
      for (const t of a.value.tensor ?? []) h = mixTensor(h, t);
      for (const s of a.value.s ?? []) if (typeof s !== 'string') h = mixBytes(h, s);
      return h;
    }
    case 'func': {
      for (const v of Object.values(a.value.attrs)) h = mixAttr(h, v);
      return h;
    }
    default:
      return h;
  }
}

function mixNodes(h: number, nodes: readonly Node[]): number {
  h = Math.imul(h ^ nodes.length, PRIME);
  for (const n of nodes) {
    h = Math.imul(h ^ n.inputs.length, PRIME);
    for (const a of Object.values(n.attrs)) h = mixAttr(h, a);
  }
  return h;
}

/** The checksum of `graph`'s in-place-changeable content (see the module comment). */
export function payloadChecksum(graph: Graph): number {
  let h = mixNodes(0x811c9dc5, graph.nodes);
  for (const f of graph.library.functions) {
    h = mixNodes(h, f.nodes);
    for (const a of Object.values(f.attrs)) h = mixAttr(h, a);
  }
  return h >>> 0;
}
