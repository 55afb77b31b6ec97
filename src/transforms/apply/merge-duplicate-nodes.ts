/**
 * The body of `mergeDuplicateNodes` (merge-duplicate-nodes.ts declares it and says what it does, and where it
 * differs from TensorFlow), loaded with `import()` the first time the transform runs.
 */
import { type AttrValue, stableAttrKey } from '../../ir/attr';
import type { Graph } from '../../ir/graph';
import { graphIndex } from '../../ir/graph';
import type { Node } from '../../ir/node';
import { inputNodeName, parseInput } from '../../ir/node';
import { encodedAttrs } from '../../ir/encoded-attrs';
import { isStatefulOp } from '../../ir/op-facts';
import { executionOrderPositions } from '../../ir/topo';
import { CONTROL_PORT, graphEdges } from '../../ir/edges';
import { retargetColocation, withNodesIfChanged } from '../../ir/edit';
import { replaceInputs } from '../../ir/edit';
import { inputRenamer } from '../../ir/rename';
import type { ApplyOf } from '../../transform/define';
import type { mergeDuplicateNodes } from '../merge-duplicate-nodes';

const FEED_OPS = new Set(['Placeholder', 'PlaceholderV2', 'PlaceholderWithDefault', '_Arg', '_Retval']);

/** Safety bound on passes; each pass after the first only serves loop back edges. */
const MAX_PASSES = 64;

export const apply: ApplyOf<typeof mergeDuplicateNodes> = (graph, _params, ctx) => {
  let current = graph;
  let merged = 0;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const r = mergePass(current, ctx.protectedNodes);
    merged += r.merged;
    current = r.graph;
    if (!r.again) break;
  }
  if (merged > 0) ctx.count('merged', merged);
  return current;
};

/** A string that differs whenever one of `parts` does (each part prefixed by its length). */
function joinKey(parts: readonly string[]): string {
  let k = '';
  for (const p of parts) k += `${p.length}:${p}`;
  return k;
}

/**
 * The classes whose nodes share op, device and input classes: attributes are looked at only when
 * a second node joins (most nodes share their inputs with no other node, and so are never
 * decoded). Attributes that are still a loaded node's encoded bytes are compared as bytes (map
 * entries in key order): equal bytes are equal values, and TensorFlow writes equal values as equal
 * bytes. As soon as one member's attributes are not encoded bytes (made or edited in code), the
 * group compares values (`shallowAttrKey`, then `sameAttrs`), as for every node before.
 */
interface Group {
  /** Class ids in creation order. */
  readonly ids: number[];
  /** The node standing for a class (its first), by class id. */
  readonly repOf: (id: number) => Node;
  /** Keyed classes: built when the second node arrives. */
  byKey?: Map<string | number, number[]>;
  bytes?: boolean;
}

/**
 * A key that equal attributes share (confirmed by `sameEncodedAttrs` or `sameAttrs`): for encoded
 * attributes a number hashed from the keys, value lengths and sampled value bytes (nothing made
 * per node); else a string of the keys and `shallowAttrKey`s.
 */
function attrKeyOf(node: Node, bytes: boolean): string | number {
  if (!bytes) {
    const attrs = node.attrs;
    return joinKey(Object.keys(attrs).sort().map((k) => `${k}=${shallowAttrKey(attrs[k]!)}`));
  }
  const e = encodedAttrs(node)!;
  let h = 0x811c9dc5;
  for (let i = 0; i < e.keys.length; i++) {
    const key = e.keys[i]!;
    for (let c = 0; c < key.length; c++) h = Math.imul(h ^ key.charCodeAt(c), 0x01000193);
    h = Math.imul(h ^ (e.end[i]! - e.start[i]!), 0x01000193);
    h = Math.imul(h ^ sampleHashRange(e.bytes, e.start[i]!, e.end[i]!), 0x01000193);
  }
  return h >>> 0;
}

function sameEncodedAttrs(a: Node, b: Node): boolean {
  const x = encodedAttrs(a)!;
  const y = encodedAttrs(b)!;
  if (x.keys.length !== y.keys.length) return false;
  for (let i = 0; i < x.keys.length; i++) {
    if (x.keys[i] !== y.keys[i]) return false;
    const l = x.end[i]! - x.start[i]!;
    if (l !== y.end[i]! - y.start[i]!) return false;
    const xs = x.start[i]!;
    const ys = y.start[i]!;
    for (let j = 0; j < l; j++) if (x.bytes[xs + j] !== y.bytes[ys + j]) return false;
  }
  return true;
}

/** The class among `group`'s whose attributes equal `node`'s (the first made), or undefined; adds `node`'s key. */
function findInGroup(group: Group, node: Node): number | undefined {
  const encoded = encodedAttrs(node) !== undefined;
  if (group.byKey === undefined || (group.bytes && !encoded)) {
    // Key (or re-key, by value) the classes so far.
    let bytes = encoded;
    for (let k = 0; bytes && k < group.ids.length; k++) bytes = encodedAttrs(group.repOf(group.ids[k]!)) !== undefined;
    group.bytes = bytes;
    group.byKey = new Map();
    for (const id of group.ids) {
      const k = attrKeyOf(group.repOf(id), group.bytes);
      const list = group.byKey.get(k);
      if (list) list.push(id);
      else group.byKey.set(k, [id]);
    }
  }
  const candidates = group.byKey.get(attrKeyOf(node, group.bytes!));
  if (!candidates) return undefined;
  for (const id of candidates) {
    const rep = group.repOf(id);
    if (group.bytes ? sameEncodedAttrs(rep, node) : sameAttrs(rep.attrs, node.attrs)) return id;
  }
  return undefined;
}

function addToGroup(group: Group, id: number, node: Node): void {
  group.ids.push(id);
  if (group.byKey) {
    const k = attrKeyOf(node, group.bytes!);
    const list = group.byKey.get(k);
    if (list) list.push(id);
    else group.byKey.set(k, [id]);
  }
}

/** Small ids for strings (ops, devices, named ports): one lookup per distinct string. */
class Interner {
  private readonly ids = new Map<string, number>();
  id(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) this.ids.set(s, (id = this.ids.size));
    return id;
  }
}

/**
 * An input's port as a number: the port for `x`/`x:N` (`x` is `x:0`), else a negative id of
 * `out_arg:N` (or of a port too large for an int32). `port` is the edge's entry in `graphEdges`.
 */
function portToken(input: string, port: number, named: Interner): number {
  if (port >= 0) return port;
  const r = parseInput(input);
  return r.outputArg === undefined && r.port <= 0x7fffffff ? r.port : -1 - named.id(`${r.outputArg ?? ''}:${r.port}`);
}

/** What an input edge reads, as a number: a class id (>= 0), a node not classified yet, or a name no node has. */
const UNCLASSIFIED = -1;
const UNKNOWN = -2;

/**
 * One pass in execution order. `again` is true when something merged and some input was keyed
 * before its producer was classified (a loop back edge), so another pass may find more.
 *
 * Flat: each node's class is an entry of an array by position, its inputs' producers come from
 * the graph's flat edges (no name lookups), and the key of op, device and input classes is a
 * number (a hash of the signature, which is kept in one pool and compared on a hit), so no key
 * strings are built and no object is made per node.
 */
function mergePass(graph: Graph, protectedNodes: ReadonlySet<string>): { graph: Graph; merged: number; again: boolean } {
  const nodes = graph.nodes;
  const count = nodes.length;
  const idx = graphIndex(graph);
  const { offsets: edgeStart, producer, port: ports, uniqueNames } = graphEdges(graph);
  // Execution order, then the nodes on a cycle (in graph order).
  const ordered = executionOrderPositions(graph);
  let visitOrder = ordered;
  if (ordered.length < count) {
    const seen = new Uint8Array(count);
    for (let k = 0; k < ordered.length; k++) seen[ordered[k]!] = 1;
    visitOrder = new Int32Array(count);
    visitOrder.set(ordered);
    let k = ordered.length;
    for (let i = 0; i < count; i++) if (!seen[i]) visitOrder[k++] = i;
  }
  // Where names repeat, an edge reads the first node of its name that is visited (which keeps the
  // name; later ones are left alone); `canon` maps each position to that node.
  let canon: Int32Array | undefined;
  if (!uniqueNames) {
    const first = new Map<string, number>();
    canon = new Int32Array(count);
    for (let k = 0; k < count; k++) {
      const i = visitOrder[k]!;
      const name = nodes[i]!.name;
      const f = first.get(name);
      if (f === undefined) first.set(name, i);
      canon[i] = f ?? i;
    }
  }
  /** Class id by position; -1 until classified. Equal ids compute the same values. */
  const cls = new Int32Array(count).fill(-1);
  /** By class id: the position of its first node (the one attributes are compared with). */
  const classFirst = new Int32Array(count);
  let classes = 0;
  const repOf = (id: number): Node => nodes[classFirst[id]!]!;
  let sawBackEdge = false;
  const ops = new Interner();
  const devices = new Interner();
  const named = new Interner();
  const unknownNames = new Interner();
  /** By op id: whether nodes of the op are never merged (feed points, stateful or unknown ops). */
  const neverMerged: boolean[] = [];
  /**
   * Signatures (op, device, input count, then per input: what it reads, an id, control, port),
   * end to end; the one being keyed is written after the last and kept only for a new group.
   * Sized for every node's signature, so it never grows.
   */
  const pool = new Int32Array(3 * count + 4 * edgeStart[count]!);
  let used = 0;
  let sigLength = 0;
  /** By group id: where its signature starts in the pool, its hash and its first class. */
  const sigStart = new Int32Array(count + 1);
  const groupHash = new Int32Array(count);
  const groupFirst = new Int32Array(count);
  let groups = 0;
  /** Groups a second node reached: attributes keyed. */
  const extended = new Map<number, Group>();
  /**
   * Groups by signature hash: an open-addressing table of group ids + 1 (0 empty), at most half
   * full (sized for every node), probed linearly; a group's own hash skips most comparisons.
   */
  const slots = new Int32Array(1 << Math.max(4, 32 - Math.clz32(2 * count + 1)));
  const mask = slots.length - 1;
  const sameSignature = (g: number): boolean => {
    const start = sigStart[g]!;
    if (sigStart[g + 1]! - start !== sigLength) return false;
    for (let k = 0; k < sigLength; k++) if (pool[start + k] !== pool[used + k]) return false;
    return true;
  };
  const newClass = (i: number): number => {
    cls[i] = classes;
    classFirst[classes] = i;
    return classes++;
  };
  const visit = (i: number): void => {
    if (canon !== undefined && canon[i] !== i) return; // a repeated name; the first visited keeps it
    const node = nodes[i]!;
    const op = ops.id(node.op);
    let never = neverMerged[op];
    if (never === undefined) neverMerged[op] = never = FEED_OPS.has(node.op) || isStatefulOp(node.op);
    if (never || protectedNodes.has(node.name)) {
      newClass(i);
      return;
    }
    const inputs = node.inputs;
    const device = devices.id(node.device);
    let w = used;
    pool[w++] = op;
    pool[w++] = device;
    pool[w++] = inputs.length;
    let h = Math.imul(op + 1, 0x9e3779b1) ^ device ^ (inputs.length << 24);
    const e0 = edgeStart[i]!;
    for (let k = 0; k < inputs.length; k++) {
      let j = producer[e0 + k]!;
      if (j >= 0 && canon !== undefined) j = canon[j]!;
      let what: number;
      let id: number;
      if (j < 0) {
        // A name no node has (only in graphs not validated): equal only to itself.
        sawBackEdge = true;
        what = UNKNOWN;
        id = unknownNames.id(inputNodeName(inputs[k]!));
      } else if (cls[j] === -1) {
        // A node not classified yet (behind a loop back edge) is only equal to itself.
        sawBackEdge = true;
        what = UNCLASSIFIED;
        id = j;
      } else {
        what = cls[j]!;
        id = 0;
      }
      const p = ports[e0 + k]!;
      const control = p === CONTROL_PORT;
      const port = control ? 0 : portToken(inputs[k]!, p, named);
      pool[w++] = what;
      pool[w++] = id;
      pool[w++] = control ? 1 : 0;
      pool[w++] = port;
      h = Math.imul(h ^ what, 0x85ebca6b) ^ Math.imul(id + 0x632be5ab, 0xc2b2ae35) ^ (control ? 0x27d4eb2f : 0) ^ Math.imul(port, 0x165667b1);
      h = (h << 13) | (h >>> 19);
    }
    sigLength = w - used;
    // Final avalanche (murmur3's), so the low bits that pick a slot depend on every input.
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    let slot = h & mask;
    let group = -1;
    for (; slots[slot] !== 0; slot = (slot + 1) & mask) {
      const g = slots[slot]! - 1;
      if (groupHash[g] === h && sameSignature(g)) {
        group = g;
        break;
      }
    }
    if (group < 0) {
      // A new group: keep its signature, take the empty slot the probe stopped at.
      const g = groups++;
      groupFirst[g] = newClass(i);
      groupHash[g] = h;
      sigStart[g] = used;
      used = w;
      sigStart[g + 1] = used;
      slots[slot] = g + 1;
      return;
    }
    let ext = extended.get(group);
    if (ext === undefined) extended.set(group, (ext = { ids: [groupFirst[group]!], repOf }));
    const c = findInGroup(ext, node);
    if (c === undefined) addToGroup(ext, newClass(i), node);
    else cls[i] = c;
  };
  for (let k = 0; k < count; k++) visit(visitOrder[k]!);

  // Each class's survivor: its first node in graph order, as in TF.
  const rank = (i: number): number => (uniqueNames ? i : idx.position.get(nodes[i]!.name)!);
  const survivor = new Int32Array(classes).fill(-1);
  let multi = false;
  for (let i = 0; i < count; i++) {
    const c = cls[i]!;
    if (c < 0) continue;
    const s = survivor[c]!;
    if (s < 0) survivor[c] = i;
    else {
      multi = true;
      if (rank(i) < rank(s)) survivor[c] = i;
    }
  }
  if (!multi) return { graph, merged: 0, again: false };
  const survivorOf = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    const c = cls[i]!;
    if (c >= 0 && survivor[c] !== i) survivorOf.set(nodes[i]!.name, nodes[survivor[c]!]!.name);
  }
  if (survivorOf.size === 0) return { graph, merged: 0, again: false };
  /** By position: the survivor a merged node's readers read instead (-1 for a node that stays). */
  if (!uniqueNames) return { graph: rewireByName(graph, survivorOf), merged: survivorOf.size, again: sawBackEdge };
  const into = new Int32Array(count).fill(-1);
  for (let i = 0; i < count; i++) {
    const c = cls[i]!;
    if (c >= 0 && survivor[c] !== i) into[i] = survivor[c]!;
  }
  // An input of a merged node names its survivor instead, port and `^` kept (the name is the
  // input's prefix, so the rest is carried over as it is).
  const renamed = (input: string, e: number, to: number): string => {
    const control = ports[e] === CONTROL_PORT;
    const rest = input.slice((control ? 1 : 0) + nodes[producer[e]!]!.name.length);
    return `${control ? '^' : ''}${nodes[to]!.name}${rest}`;
  };
  const out: Node[] = [];
  for (let i = 0; i < count; i++) {
    if (into[i]! >= 0) continue;
    const node = nodes[i]!;
    let n = node;
    const e0 = edgeStart[i]!;
    const e1 = edgeStart[i + 1]!;
    for (let e = e0; e < e1; e++) {
      const j = producer[e]!;
      if (j >= 0 && into[j]! >= 0) {
        const inputs = node.inputs.slice();
        for (let f = e; f < e1; f++) {
          const k = producer[f]!;
          if (k >= 0 && into[k]! >= 0) inputs[f - e0] = renamed(inputs[f - e0]!, f, into[k]!);
        }
        n = replaceInputs(node, inputs);
        break;
      }
    }
    out.push(retargetColocation(n, (name) => survivorOf.get(name)));
  }
  return { graph: withNodesIfChanged(graph, out), merged: survivorOf.size, again: sawBackEdge };
}

/**
 * The merge by names, for a graph in which some name repeats (only with validation off): every
 * node of a merged name goes, and reads of the name move to its survivor's (renames followed).
 */
function rewireByName(graph: Graph, survivorOf: ReadonlyMap<string, string>): Graph {
  const renames = new Map<string, string>();
  for (const [name, to] of survivorOf) renames.set(`${name}:*`, to);
  const rename = inputRenamer(renames);
  const out: Node[] = [];
  for (const node of graph.nodes) {
    if (survivorOf.has(node.name)) continue;
    let n = node;
    if (node.inputs.some((s) => survivorOf.has(inputNodeName(s)))) n = replaceInputs(node, node.inputs.map(rename));
    out.push(retargetColocation(n, (name) => survivorOf.get(name)));
  }
  return withNodesIfChanged(graph, out);
}

/**
 * A key for an attribute that stands in for a tensor's payload by its size, so keying a graph
 * never stringifies its weights; equal keys are then confirmed by `sameAttrs`.
 */
function shallowAttrKey(v: AttrValue): string {
  // Scalars: a function of the value too (equal values, equal keys), without a JSON pass.
  if (v.kind === 'type' || v.kind === 'b' || v.kind === 'i' || v.kind === 'f') return `${v.kind}:${String(v.value)}`;
  if (v.kind !== 'tensor') return stableAttrKey(v);
  const t = v.value;
  const d = t.data;
  let sample = '';
  if (d.kind === 'content') sample = `${d.bytes.length}:${sampleHash(d.bytes)}`;
  else if (d.kind === 'values') sample = `${d.field}:${d.values.length}:${d.values.slice(0, 4).map(String).join(',')}`;
  else if (d.kind === 'strings') sample = `${d.values.length}`;
  return `tensor:${t.dtype}:[${t.shape.join(',')}]:${d.kind}:${sample}`;
}

/** FNV-1a over at most 64 evenly spaced bytes: cheap, and separates most different weights. */
function sampleHash(bytes: Uint8Array): number {
  return sampleHashRange(bytes, 0, bytes.length);
}

/** `sampleHash` of `bytes[start, end)`, without a view of it. */
function sampleHashRange(bytes: Uint8Array, start: number, end: number): number {
  const step = Math.max(1, Math.floor((end - start) / 64));
  let h = 0x811c9dc5;
  for (let i = start; i < end; i += step) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

/** Deep equality of attribute maps (same keys, same values, same tensor encoding and bytes). */
function sameAttrs(a: Readonly<Record<string, AttrValue>>, b: Readonly<Record<string, AttrValue>>): boolean {
  return sameValue(a, b);
}

function sameValue(x: unknown, y: unknown): boolean {
  if (x === y) return true;
  if (typeof x === 'number' && typeof y === 'number') return Number.isNaN(x) && Number.isNaN(y);
  if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
  if (x instanceof Uint8Array || y instanceof Uint8Array) {
    if (!(x instanceof Uint8Array && y instanceof Uint8Array) || x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    return true;
  }
  if (Array.isArray(x) !== Array.isArray(y)) return false;
  const kx = Object.keys(x);
  const ky = Object.keys(y);
  if (kx.length !== ky.length) return false;
  const oy = y as Record<string, unknown>;
  const ox = x as Record<string, unknown>;
  return kx.every((k) => k in oy && sameValue(ox[k], oy[k]));
}
