/**
 * The bodies of `diffGraphs` and `diffLoadedModels` (src/inspect/diff.ts declares them and says
 * how nodes are compared): loaded on the first call, so that they stay out of what the core loads
 * on import (test/package/browser.test.ts).
 */
import { type AttrValue, type AttrList, attrText, bytesKey, formatShape, stableAttrKey } from '../ir/attr';
import type { FunctionDef, Graph } from '../ir/graph';
import { type Node, formatInput, isControlInput, parseInput } from '../ir/node';
import { type Tensor, numElements, tensorBytes, tensorStrings, tensorToNumbers } from '../ir/tensor';
import type { LoadedModel } from '../io/loaded-model';
import { findMetaGraph, type MetaGraph, type Signature } from '../io/saved-model';
import { encodeMessage } from '../proto';
import { checkGraphShallow, checkLoadedModel, checkOptions } from '../ir/check';
import { type AttrChange, type DiffNode, type DiffSide, type FunctionChanges, type GraphDiff, type InputChanges, type ModelDiff, type NodeChange, diffSignatures } from './diff';

// ---------------------------------------------------------------- comparing

/** The data inputs of a node in TensorFlow's short form (`a:0` → `a`). */
function dataOf(n: Node): string[] {
  const out: string[] = [];
  for (const s of n.inputs) if (s !== '' && !isControlInput(s)) out.push(formatInput(parseInput(s)));
  return out;
}

function controlOf(n: Node): string[] {
  const out: string[] = [];
  for (const s of n.inputs) if (isControlInput(s)) out.push(formatInput(parseInput(s)));
  return out;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The elements of a tensor in one canonical form, for equality and hashing; null when it has none to compare. */
function tensorElements(t: Tensor): Uint8Array | readonly Uint8Array[] | null {
  try {
    if (t.data.kind === 'strings') return tensorStrings(t);
    if (t.data.kind === 'opaque') return null;
    return tensorBytes(t);
  } catch {
    return null;
  }
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function tensorEquals(a: Tensor, b: Tensor): boolean {
  if (a === b) return true;
  if (a.dtype !== b.dtype || !sameList(a.shape.map(String), b.shape.map(String))) return false;
  // Stored the same way: compared as stored, without expanding a short value list.
  if (a.data.kind === 'content' && b.data.kind === 'content') return bytesEqual(a.data.bytes, b.data.bytes);
  if (a.data.kind === 'values' && b.data.kind === 'values' && a.data.field === b.data.field && a.data.values.length === b.data.values.length && a.data.values.every((v, i) => Object.is(v, (b.data as { values: readonly unknown[] }).values[i]))) {
    return true;
  }
  const x = tensorElements(a);
  const y = tensorElements(b);
  if (x === null || y === null) return stableAttrKey({ kind: 'tensor', value: a }) === stableAttrKey({ kind: 'tensor', value: b });
  if (x instanceof Uint8Array || y instanceof Uint8Array) return x instanceof Uint8Array && y instanceof Uint8Array && bytesEqual(x, y);
  return x.length === y.length && x.every((s, i) => bytesEqual(s, y[i]!));
}

function attrValueEquals(a: AttrValue, b: AttrValue): boolean {
  if (a === b) return true;
  if (a.kind === 'tensor' && b.kind === 'tensor') return tensorEquals(a.value, b.value);
  return stableAttrKey(a) === stableAttrKey(b);
}

function diffAttrs(a: Node, b: Node): AttrChange[] {
  const out: AttrChange[] = [];
  const keys = [...new Set([...Object.keys(a.attrs), ...Object.keys(b.attrs)])].sort();
  for (const key of keys) {
    const x = a.attrs[key];
    const y = b.attrs[key];
    if (x === undefined) out.push({ key, change: 'added', after: summarizeAttr(y!) });
    else if (y === undefined) out.push({ key, change: 'removed', before: summarizeAttr(x) });
    else if (!attrValueEquals(x, y)) out.push({ key, change: 'changed', before: summarizeAttr(x), after: summarizeAttr(y) });
  }
  return out;
}

function diffNode(a: Node, b: Node, fn: string | undefined): NodeChange | null {
  if (a === b) return null;
  const da = dataOf(a);
  const db = dataOf(b);
  const ca = new Set(controlOf(a));
  const cb = new Set(controlOf(b));
  const inputs: { data?: InputChanges['data']; control?: InputChanges['control'] } = {};
  if (!sameList(da, db)) inputs.data = { before: da, after: db };
  const cRemoved = [...ca].filter((c) => !cb.has(c));
  const cAdded = [...cb].filter((c) => !ca.has(c));
  if (cRemoved.length || cAdded.length) inputs.control = { removed: cRemoved, added: cAdded };
  const attrs = diffAttrs(a, b);
  const opChanged = a.op !== b.op;
  const deviceChanged = a.device !== b.device;
  if (!opChanged && !deviceChanged && !inputs.data && !inputs.control && attrs.length === 0) return null;
  return {
    name: b.name,
    op: b.op,
    ...(fn !== undefined ? { function: fn } : {}),
    ...(opChanged ? { opBefore: a.op } : {}),
    ...(deviceChanged ? { device: { before: a.device, after: b.device } } : {}),
    ...(inputs.data || inputs.control ? { inputs } : {}),
    ...(attrs.length ? { attrs } : {}),
  };
}

interface Acc {
  removed: DiffNode[];
  added: DiffNode[];
  changed: NodeChange[];
  unchanged: number;
}

function diffScope(a: readonly Node[], b: readonly Node[], fn: string | undefined, acc: Acc): void {
  const before = new Map(a.map((n) => [n.name, n]));
  const afterNames = new Set(b.map((n) => n.name));
  const scope = fn !== undefined ? { function: fn } : {};
  for (const n of a) if (!afterNames.has(n.name)) acc.removed.push({ name: n.name, op: n.op, ...scope });
  for (const n of b) {
    const old = before.get(n.name);
    if (!old) {
      acc.added.push({ name: n.name, op: n.op, ...scope });
      continue;
    }
    const change = diffNode(old, n, fn);
    if (change) acc.changed.push(change);
    else acc.unchanged++;
  }
}

function retChanges(a: FunctionDef, b: FunctionDef): string[] {
  const out: string[] = [];
  for (const [kind, x, y] of [['ret', a.ret, b.ret], ['control_ret', a.controlRet, b.controlRet]] as const) {
    for (const k of [...new Set([...Object.keys(x), ...Object.keys(y)])].sort()) {
      if (x[k] !== y[k]) out.push(`${kind} ${k}: ${x[k] ?? '(none)'} -> ${y[k] ?? '(none)'}`);
    }
  }
  return out;
}

/**
 * A function's `OpDef` signature in one canonical form: its encoded bytes (a text-format file
 * decodes enums as numbers, a binary one as names; both encode the same).
 */
function signatureKey(f: FunctionDef): string {
  try {
    return bytesKey(encodeMessage('tensorflow.OpDef', f.signature));
  } catch {
    return JSON.stringify(f.signature, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
  }
}

/** What `diffGraphs` resolves to. */
export function diffGraphsNow(a: Graph, b: Graph): GraphDiff {
  checkGraphShallow('diffGraphs', 'a', a);
  checkGraphShallow('diffGraphs', 'b', b);
  const acc: Acc = { removed: [], added: [], changed: [], unchanged: 0 };
  diffScope(a.nodes, b.nodes, undefined, acc);
  const fa = new Map(a.library.functions.map((f) => [f.signature.name, f]));
  const fb = new Map(b.library.functions.map((f) => [f.signature.name, f]));
  const functions: { removed: FunctionChanges['removed'][number][]; added: FunctionChanges['added'][number][]; changed: FunctionChanges['changed'][number][] } = {
    removed: [],
    added: [],
    changed: [],
  };
  for (const f of a.library.functions) if (!fb.has(f.signature.name)) functions.removed.push({ name: f.signature.name, nodes: f.nodes.length });
  for (const f of b.library.functions) {
    const old = fa.get(f.signature.name);
    if (!old) {
      functions.added.push({ name: f.signature.name, nodes: f.nodes.length });
      continue;
    }
    if (old === f) {
      acc.unchanged += f.nodes.length;
      continue;
    }
    diffScope(old.nodes, f.nodes, f.signature.name, acc);
    const signature = signatureKey(old) !== signatureKey(f);
    const ret = retChanges(old, f);
    if (signature || ret.length) functions.changed.push({ name: f.signature.name, signature, ret });
  }
  const count = (g: Graph) => g.nodes.length + g.library.functions.reduce((n, f) => n + f.nodes.length, 0);
  return {
    summary: {
      removed: acc.removed.length,
      added: acc.added.length,
      changed: acc.changed.length,
      unchanged: acc.unchanged,
      nodesBefore: count(a),
      nodesAfter: count(b),
    },
    removed: acc.removed,
    added: acc.added,
    changed: acc.changed,
    functions,
  };
}

// ---------------------------------------------------------------- summaries of values

const MAX_TEXT = 40;
const MAX_LIST = 8;
/** Tensors with at most this many elements are shown by value. */
const MAX_SHOWN_ELEMENTS = 4;

function clip(s: string, max = MAX_TEXT): string {
  return s.length <= max ? s : `${s.slice(0, max - 3)}...`;
}

function quote(s: string): string {
  return JSON.stringify(clip(s));
}

function num(v: number | bigint | boolean): string {
  if (typeof v === 'number') return Number.isInteger(v) || !Number.isFinite(v) ? String(v) : String(Number(v.toPrecision(6)));
  return String(v);
}

/** FNV-1a, 32 bits, as 8 hex digits: a short fingerprint of a tensor's elements (not a security hash). */
export function fingerprint(parts: Uint8Array | readonly Uint8Array[]): string {
  let h = 0x811c9dc5;
  const feed = (bytes: Uint8Array) => {
    for (let i = 0; i < bytes.length; i++) {
      h ^= bytes[i]!;
      h = Math.imul(h, 0x01000193);
    }
  };
  if (parts instanceof Uint8Array) feed(parts);
  else
    for (const p of parts) {
      // The length first, so that ["ab","c"] and ["a","bc"] differ.
      feed(new Uint8Array([p.length & 0xff, (p.length >>> 8) & 0xff, (p.length >>> 16) & 0xff, p.length >>> 24]));
      feed(p);
    }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** `float[3,3,1,32] #1a2b3c4d`; small tensors by value: `int32[2] [1,2]`, `float[] 0.5`. */
export function summarizeTensor(t: Tensor): string {
  const head = `${t.dtype}[${t.shape.join(',')}]`;
  const n = numElements(t.shape);
  const elements = tensorElements(t);
  if (elements === null) return t.data.kind === 'opaque' ? `${head} (opaque)` : head;
  if (n <= MAX_SHOWN_ELEMENTS) {
    try {
      const shown =
        t.data.kind === 'strings'
          ? (elements as readonly Uint8Array[]).map((s) => quote(attrText(s)))
          : tensorToNumbers(t).map((v) => (t.dtype === 'bool' ? String(v !== 0) : num(v)));
      return `${head} ${t.shape.length === 0 ? shown[0] : `[${shown.join(',')}]`}`;
    } catch {
      // complex and other kinds without a plain number form: the fingerprint below.
    }
  }
  return `${head} #${fingerprint(elements)}`;
}

function listSummary(l: AttrList): string {
  const parts: string[] = [];
  const more = (xs: readonly unknown[], f: (x: never) => string) => {
    const shown = xs.slice(0, MAX_LIST).map((x) => f(x as never));
    return `[${shown.join(',')}${xs.length > MAX_LIST ? `,... (${xs.length})` : ''}]`;
  };
  if (l.s?.length) parts.push(more(l.s, (s: string | Uint8Array) => quote(attrText(s))));
  if (l.i?.length) parts.push(more(l.i, num));
  if (l.f?.length) parts.push(more(l.f, num));
  if (l.b?.length) parts.push(more(l.b, String));
  if (l.type?.length) parts.push(more(l.type, String));
  if (l.shape?.length) parts.push(more(l.shape, formatShape));
  if (l.tensor?.length) parts.push(more(l.tensor, summarizeTensor));
  if (l.func?.length) parts.push(more(l.func, (f: { name: string }) => f.name));
  return parts.length === 0 ? '[]' : parts.join(' ');
}

/** A few characters that say what an attribute value is. */
export function summarizeAttr(v: AttrValue): string {
  switch (v.kind) {
    case 's':
      return typeof v.value === 'string' ? quote(v.value) : `<${v.value.length} bytes>`;
    case 'i':
    case 'f':
    case 'b':
      return num(v.value);
    case 'type':
      return v.value;
    case 'shape':
      return formatShape(v.value);
    case 'tensor':
      return summarizeTensor(v.value);
    case 'list':
      return listSummary(v.value);
    case 'func': {
      const n = Object.keys(v.value.attrs).length;
      return n ? `${v.value.name} (${n} attr${n === 1 ? '' : 's'})` : v.value.name;
    }
    case 'placeholder':
      return `$${v.value}`;
    case 'none':
      return '(none)';
  }
}

function pickMeta(model: Extract<LoadedModel, { kind: 'saved-model' }>, tagSet: string | undefined): MetaGraph {
  if (tagSet !== undefined) return findMetaGraph(model.savedModel, tagSet.split(',').map((t) => t.trim()).filter(Boolean), model.modelFile);
  const metas = model.savedModel.metaGraphs;
  return metas.find((m) => m.tags.length === 1 && m.tags[0] === 'serve') ?? metas[0]!;
}

function sideOf(model: LoadedModel, tagSet: string | undefined): { side: DiffSide; graph: Graph; signatures?: Readonly<Record<string, Signature>> } {
  if (model.kind === 'graph-def') return { side: { path: model.path, kind: model.kind }, graph: model.graph };
  if (model.kind === 'meta-graph') return { side: { path: model.path, kind: model.kind }, graph: model.metaGraph.graph, signatures: model.metaGraph.signatures };
  const mg = pickMeta(model, tagSet);
  return { side: { path: model.path, kind: model.kind, tags: mg.tags }, graph: mg.graph, signatures: mg.signatures };
}


/** What `diffLoadedModels` resolves to. */
export function diffModelsNow(a: LoadedModel, b: LoadedModel, opts: { readonly tagSet?: string } = {}): ModelDiff {
  checkLoadedModel('diffLoadedModels', 'a', a);
  checkLoadedModel('diffLoadedModels', 'b', b);
  checkOptions('diffLoadedModels', 'opts', opts);
  const x = sideOf(a, opts.tagSet);
  const y = sideOf(b, opts.tagSet);
  const d = diffGraphsNow(x.graph, y.graph);
  return { a: x.side, b: y.side, ...d, ...(x.signatures && y.signatures ? { signatures: diffSignatures(x.signatures, y.signatures) } : {}) };
}

