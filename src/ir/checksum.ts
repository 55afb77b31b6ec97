/**
 * A checksum of everything a transform could change in place in a graph. Nodes and graphs made
 * by `makeNode`/`makeGraph` are frozen, but only as deep as they were built: typed arrays cannot
 * be frozen at all (a `Const`'s tensor bytes, string values, byte-string attributes), and the
 * objects inside an attribute (a list's `i` array, a shape's `dims`, a tensor's `dtype` and
 * `shape`) are frozen only when their constructor froze them. A careless transform could
 * overwrite any of them and so change the caller's graph silently. The runner takes this checksum
 * before and after each step of a transform that is not built in and reports
 * `transform/mutated-input` when it moved.
 *
 * FNV-1a over every value reachable from the graph: each node's name, op, device, inputs,
 * attributes (every field of every value, tensor bytes as 32-bit words where aligned) and extras;
 * the library's functions (signature, attributes, body, returns); the versions and extras. Walked
 * with an explicit stack (no recursion, whatever the nesting); a cyclic structure ends. It reads every attribute, so a
 * lazily loaded graph gets decoded.
 */
import type { Graph } from './graph';

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

function mixString(h: number, s: string): number {
  h = Math.imul(h ^ s.length, PRIME);
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), PRIME);
  return h;
}

const F64 = new Float64Array(1);
const I32 = new Int32Array(F64.buffer);

function mixNumber(h: number, x: number): number {
  F64[0] = x;
  return Math.imul(Math.imul(h ^ I32[0]!, PRIME) ^ I32[1]!, PRIME);
}

// Tags, so that values of different kinds (or a value moved between fields) hash differently.
const T_UNDEFINED = 1;
const T_NULL = 2;
const T_FALSE = 3;
const T_TRUE = 4;
const T_NUMBER = 5;
const T_BIGINT = 6;
const T_STRING = 7;
const T_BYTES = 8;
const T_ARRAY = 9;
const T_OBJECT = 10;
const T_VIEW = 11;
const T_OTHER = 12;

/** Objects (not arrays) hashed before the walk starts remembering them. */
const REMEMBER_AFTER = 1 << 22;

/** The checksum of `graph`'s content (see the module comment). */
export function payloadChecksum(graph: Graph): number {
  let h = 0x811c9dc5;
  // Values still to hash, last first; a string marks an object's key, hashed when popped.
  const stack: unknown[] = [graph.extras, graph.versions, graph.library, graph.nodes];
  let objects = 0;
  let seen: WeakSet<object> | undefined;
  while (stack.length > 0) {
    const v = stack.pop();
    switch (typeof v) {
      case 'undefined':
        h = Math.imul(h ^ T_UNDEFINED, PRIME);
        continue;
      case 'boolean':
        h = Math.imul(h ^ (v ? T_TRUE : T_FALSE), PRIME);
        continue;
      case 'number':
        h = mixNumber(Math.imul(h ^ T_NUMBER, PRIME), v);
        continue;
      case 'bigint':
        h = mixString(Math.imul(h ^ T_BIGINT, PRIME), v.toString(16));
        continue;
      case 'string':
        h = mixString(Math.imul(h ^ T_STRING, PRIME), v);
        continue;
      case 'object':
        break;
      default:
        // functions, symbols: not graph data; their presence is what counts
        h = Math.imul(h ^ T_OTHER, PRIME);
        continue;
    }
    if (v === null) {
      h = Math.imul(h ^ T_NULL, PRIME);
      continue;
    }
    if (v instanceof Uint8Array) {
      h = mixBytes(Math.imul(h ^ T_BYTES, PRIME), v);
      continue;
    }
    if (ArrayBuffer.isView(v)) {
      h = mixBytes(Math.imul(h ^ T_VIEW, PRIME), new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
      continue;
    }
    if (Array.isArray(v)) {
      h = Math.imul(Math.imul(h ^ T_ARRAY, PRIME) ^ v.length, PRIME);
      for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
      continue;
    }
    // Graph data is a tree (shared leaves at most), so objects are not remembered; past a few
    // million of them they are, so that a cycle in hand-made extras ends instead of looping on.
    if (++objects > REMEMBER_AFTER) {
      seen ??= new WeakSet();
      if (seen.has(v)) {
        h = Math.imul(h ^ T_OTHER, PRIME);
        continue;
      }
      seen.add(v);
    }
    const keys = Object.keys(v);
    h = Math.imul(Math.imul(h ^ T_OBJECT, PRIME) ^ keys.length, PRIME);
    for (let i = keys.length - 1; i >= 0; i--) {
      stack.push((v as Record<string, unknown>)[keys[i]!]);
      stack.push(keys[i]);
    }
  }
  return h >>> 0;
}
