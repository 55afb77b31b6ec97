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
import { executionOrder } from '../../ir/topo';
import { retargetColocation, withNodesIfChanged } from '../../ir/edit';
import { inputRenamer } from '../../ir/rename';
import { replaceInputs } from '../../ir/edit';
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
  /** The node standing for each class (its first), by class id (shared by all groups). */
  readonly reps: Node[];
  /** Keyed classes: built when the second node arrives. */
  byKey?: Map<string, number[]>;
  bytes?: boolean;
}

function attrKeyOf(node: Node, bytes: boolean): string {
  if (!bytes) {
    const attrs = node.attrs;
    return joinKey(Object.keys(attrs).sort().map((k) => `${k}=${shallowAttrKey(attrs[k]!)}`));
  }
  const e = encodedAttrs(node)!;
  const parts: string[] = [];
  for (let i = 0; i < e.keys.length; i++) parts.push(e.keys[i]!, `${e.end[i]! - e.start[i]!}:${sampleHash(e.bytes.subarray(e.start[i]!, e.end[i]!))}`);
  return joinKey(parts);
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
    group.bytes = encoded && group.ids.every((id) => encodedAttrs(group.reps[id]!) !== undefined);
    group.byKey = new Map();
    for (const id of group.ids) {
      const k = attrKeyOf(group.reps[id]!, group.bytes);
      const list = group.byKey.get(k);
      if (list) list.push(id);
      else group.byKey.set(k, [id]);
    }
  }
  const candidates = group.byKey.get(attrKeyOf(node, group.bytes!));
  if (!candidates) return undefined;
  for (const id of candidates) {
    const rep = group.reps[id]!;
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

/**
 * One pass in execution order. `again` is true when something merged and some input was keyed
 * before its producer was classified (a loop back edge), so another pass may find more.
 */
function mergePass(graph: Graph, protectedNodes: ReadonlySet<string>): { graph: Graph; merged: number; again: boolean } {
  const idx = graphIndex(graph);
  const { order, inCycle } = executionOrder(graph);
  /** node name → class id; equal ids compute the same values. */
  const classOf = new Map<string, number>();
  const members: string[][] = [];
  let sawBackEdge = false;
  /** op, device and input classes → the classes with them. */
  const groups = new Map<string, Group>();
  /** The first node of each class, by class id. */
  const reps: Node[] = [];
  const newClass = (name: string, node?: Node): number => {
    members.push([name]);
    if (node) reps[members.length - 1] = node;
    return members.length - 1;
  };
  const parts: string[] = [];
  const visit = (node: Node): void => {
    if (classOf.has(node.name)) return; // a duplicate name; the first keeps it
    if (protectedNodes.has(node.name) || FEED_OPS.has(node.op) || isStatefulOp(node.op)) {
      classOf.set(node.name, newClass(node.name));
      return;
    }
    parts.length = 0;
    parts.push(node.op, node.device);
    for (const s of node.inputs) {
      const name = inputNodeName(s);
      const c = classOf.get(name);
      // A node not classified yet (behind a loop back edge) is only equal to itself.
      if (c === undefined) sawBackEdge = true;
      const who = c === undefined ? `n:${name}` : `c${c}`;
      if (s.charCodeAt(0) === 94 /* ^ */) {
        parts.push(`^${who}`);
        continue;
      }
      let port = '0';
      if (s.length !== name.length) {
        const r = parseInput(s);
        port = r.outputArg === undefined ? `${r.port}` : `${r.outputArg}:${r.port}`;
      }
      parts.push(`${who}:${port}`);
    }
    const key = joinKey(parts);
    const group = groups.get(key);
    if (group === undefined) {
      const id = newClass(node.name, node);
      groups.set(key, { ids: [id], reps });
      classOf.set(node.name, id);
      return;
    }
    const c = findInGroup(group, node);
    if (c === undefined) {
      const id = newClass(node.name, node);
      addToGroup(group, id, node);
      classOf.set(node.name, id);
    } else {
      members[c]!.push(node.name);
      classOf.set(node.name, c);
    }
  };
  for (const node of order) visit(node);
  for (const node of inCycle) visit(node);

  const renames = new Map<string, string>();
  const survivorOf = new Map<string, string>();
  for (const group of members) {
    if (group.length < 2) continue;
    // The survivor is the first in graph order, as in TF.
    const survivor = group.reduce((a, b) => (idx.position.get(b)! < idx.position.get(a)! ? b : a));
    for (const name of group) {
      if (name === survivor) continue;
      renames.set(`${name}:*`, survivor);
      survivorOf.set(name, survivor);
    }
  }
  if (survivorOf.size === 0) return { graph, merged: 0, again: false };

  const rename = inputRenamer(renames);
  const out: Node[] = [];
  for (const node of graph.nodes) {
    if (survivorOf.has(node.name)) continue;
    let n = node;
    if (node.inputs.some((s) => survivorOf.has(inputNodeName(s)))) n = replaceInputs(node, node.inputs.map(rename));
    out.push(retargetColocation(n, (name) => survivorOf.get(name)));
  }
  return { graph: withNodesIfChanged(graph, out), merged: survivorOf.size, again: sawBackEdge };
}

/**
 * A key for an attribute that stands in for a tensor's payload by its size, so keying a graph
 * never stringifies its weights; equal keys are then confirmed by `sameAttrs`.
 */
function shallowAttrKey(v: AttrValue): string {
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
  const step = Math.max(1, Math.floor(bytes.length / 64));
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i += step) h = Math.imul(h ^ bytes[i]!, 0x01000193);
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
