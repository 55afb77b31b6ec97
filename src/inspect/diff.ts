/**
 * `graft diff`: which nodes a pipeline removed, added and changed between two graphs.
 *
 * Nodes are matched by name, per scope: the main graph, and each library function present on
 * both sides (a function present on one side only is listed whole, with its node count, and its
 * nodes are not listed one by one). A node present on both sides is "changed" when its op, its
 * device, its data inputs (in order; `a` and `a:0` are the same input), its control inputs (as a
 * set) or any attribute differ. Attributes are compared by value: a tensor by dtype, shape and
 * elements (so a `Const` re-encoded from `float_val` to `tensor_content` with the same values is
 * unchanged), everything else structurally. Each change names the attribute and summarizes the
 * value before and after in a few characters: tensors by dtype, shape and a hash of their
 * elements (small ones by their values), never element by element.
 *
 * `diffGraphs` is pure (two `Graph`s in, plain JSON-serialisable data out); `diffModels` loads two
 * model files first, and for SavedModels also compares their signatures.
 */
import { type AttrValue, type AttrList, attrText, bytesKey, formatShape, stableAttrKey } from '../ir/attr';
import type { FunctionDef, Graph } from '../ir/graph';
import { type Node, formatInput, isControlInput, parseInput } from '../ir/node';
import { type Tensor, numElements, tensorBytes, tensorStrings, tensorToNumbers } from '../ir/tensor';
import type { LoadOptions } from '../io/model-files';
import type { LoadedModel } from '../io/loaded-model';
import { findMetaGraph, type MetaGraph, type Signature } from '../io/saved-model';
import { encodeMessage } from '../proto';
import { checkGraphShallow } from '../ir/check';
import { checkFields, checkLoadedModel, checkObject, checkOptions } from '../ir/check';

/** A node present on one side only. */
export interface DiffNode {
  readonly name: string;
  readonly op: string;
  /** The library function holding the node; absent for the main graph. */
  readonly function?: string;
}

/** One attribute that differs: `removed` and `added` have only one side. */
export interface AttrChange {
  readonly key: string;
  readonly change: 'added' | 'removed' | 'changed';
  /** A short summary of the value before (`float[3,3,1,32] #1a2b3c4d`, `"SAME"`, `[1,2,2,1]`). */
  readonly before?: string;
  readonly after?: string;
}

/** How a node's inputs changed. */
export interface InputChanges {
  /** The data inputs before and after, in order (present only when they differ). */
  readonly data?: { readonly before: readonly string[]; readonly after: readonly string[] };
  /** Control inputs (`^x`) dropped and gained (present only when the sets differ). */
  readonly control?: { readonly removed: readonly string[]; readonly added: readonly string[] };
}

/** A node present on both sides that differs. */
export interface NodeChange {
  readonly name: string;
  /** The op after (and before, unless `opBefore` says otherwise). */
  readonly op: string;
  readonly function?: string;
  readonly opBefore?: string;
  readonly device?: { readonly before: string; readonly after: string };
  readonly inputs?: InputChanges;
  readonly attrs?: readonly AttrChange[];
}

/** Library functions present on one side only, or present on both with a different interface. */
export interface FunctionChanges {
  readonly removed: readonly { readonly name: string; readonly nodes: number }[];
  readonly added: readonly { readonly name: string; readonly nodes: number }[];
  /** Functions on both sides whose signature (`OpDef`) or returned tensors differ. */
  readonly changed: readonly { readonly name: string; readonly signature: boolean; readonly ret: readonly string[] }[];
}

/** Signature keys of two SavedModels (or `.meta` files) that differ. */
export interface SignatureChanges {
  readonly removed: readonly string[];
  readonly added: readonly string[];
  /** Keys on both sides whose inputs, outputs or method differ, with one line per difference. */
  readonly changed: readonly { readonly key: string; readonly changes: readonly string[] }[];
}

export interface GraphDiff {
  readonly summary: {
    readonly removed: number;
    readonly added: number;
    readonly changed: number;
    readonly unchanged: number;
    /** Nodes of the main graph plus every library function, on each side. */
    readonly nodesBefore: number;
    readonly nodesAfter: number;
  };
  /** In the first graph's order (main graph first, then functions in library order). */
  readonly removed: readonly DiffNode[];
  /** In the second graph's order. */
  readonly added: readonly DiffNode[];
  /** In the second graph's order. */
  readonly changed: readonly NodeChange[];
  readonly functions: FunctionChanges;
}

/** A diff of two model files: the graphs' diff, what was compared, and the signatures' diff. */
export interface ModelDiff extends GraphDiff {
  readonly a: DiffSide;
  readonly b: DiffSide;
  /** Present when both sides carry signatures (SavedModels, `.meta` files). */
  readonly signatures?: SignatureChanges;
}

export interface DiffSide {
  readonly path: string;
  readonly kind: LoadedModel['kind'];
  /** The meta graph compared, for a SavedModel. */
  readonly tags?: readonly string[];
}

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

/**
 * Which nodes `b` removed, added and changed relative to `a`, main graph and library functions.
 *
 * @example
 * ```ts
 * const d = diffGraphs(before, after);
 * console.log(d.summary); // { removed: 22, added: 2, changed: 14, unchanged: 40, nodesBefore: 78, nodesAfter: 56 }
 * ```
 */
export function diffGraphs(a: Graph, b: Graph): GraphDiff {
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

// ---------------------------------------------------------------- models

export interface DiffModelsOptions extends LoadOptions {
  /** For SavedModels: the meta graph to compare (comma-separated tags); default `serve`, else the first. */
  readonly tagSet?: string;
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

function tensorInfoText(t: Signature['inputs'][string]): string {
  return `${t.name ?? ''} ${t.dtype} ${t.shape ? formatShape(t.shape) : '<unknown>'}`;
}

/** Signature keys removed, added and changed (inputs, outputs, method name). */
export function diffSignatures(a: Readonly<Record<string, Signature>>, b: Readonly<Record<string, Signature>>): SignatureChanges {
  checkObject('diffSignatures', 'a', a, 'an object of Signatures');
  checkObject('diffSignatures', 'b', b, 'an object of Signatures');
  for (const [param, sigs] of [['a', a], ['b', b]] as const) {
    for (const [k, sig] of Object.entries(sigs)) checkFields('diffSignatures', `${param}['${k}']`, sig, { inputs: 'object', outputs: 'object' }, 'a Signature');
  }
  const changed: { key: string; changes: string[] }[] = [];
  for (const key of Object.keys(b).sort()) {
    const x = a[key];
    const y = b[key]!;
    if (!x) continue;
    const changes: string[] = [];
    if (x.methodName !== y.methodName) changes.push(`method: ${x.methodName} -> ${y.methodName}`);
    for (const side of ['inputs', 'outputs'] as const) {
      for (const k of [...new Set([...Object.keys(x[side]), ...Object.keys(y[side])])].sort()) {
        const p = x[side][k];
        const q = y[side][k];
        const before = p ? tensorInfoText(p) : '(none)';
        const after = q ? tensorInfoText(q) : '(none)';
        if (before !== after) changes.push(`${side === 'inputs' ? 'input' : 'output'} ${k}: ${before} -> ${after}`);
      }
    }
    if (changes.length) changed.push({ key, changes });
  }
  return {
    removed: Object.keys(a).filter((k) => !(k in b)).sort(),
    added: Object.keys(b).filter((k) => !(k in a)).sort(),
    changed,
  };
}

/** `diffModels` on two models already loaded (the loading is in diff-files.ts, tf-graft/node). */
export function diffLoadedModels(a: LoadedModel, b: LoadedModel, opts: { readonly tagSet?: string } = {}): ModelDiff {
  checkLoadedModel('diffLoadedModels', 'a', a);
  checkLoadedModel('diffLoadedModels', 'b', b);
  checkOptions('diffLoadedModels', 'opts', opts);
  const x = sideOf(a, opts.tagSet);
  const y = sideOf(b, opts.tagSet);
  const d = diffGraphs(x.graph, y.graph);
  return { a: x.side, b: y.side, ...d, ...(x.signatures && y.signatures ? { signatures: diffSignatures(x.signatures, y.signatures) } : {}) };
}

// ---------------------------------------------------------------- text

function scoped(n: { name: string; function?: string }): string {
  return n.function !== undefined ? `${n.function}/${n.name}` : n.name;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function changeLines(c: NodeChange): string[] {
  const out: string[] = [];
  if (c.opBefore !== undefined) out.push(`op: ${c.opBefore} -> ${c.op}`);
  if (c.device) out.push(`device: ${JSON.stringify(c.device.before)} -> ${JSON.stringify(c.device.after)}`);
  const d = c.inputs?.data;
  if (d) {
    const n = Math.max(d.before.length, d.after.length);
    for (let i = 0; i < n; i++) {
      const x = d.before[i];
      const y = d.after[i];
      if (x === y) continue;
      out.push(`input ${i}: ${x ?? '(none)'} -> ${y ?? '(none)'}`);
    }
  }
  const ctl = c.inputs?.control;
  if (ctl) out.push(`control: ${[...ctl.removed.map((x) => `-${x}`), ...ctl.added.map((x) => `+${x}`)].join(' ')}`);
  for (const a of c.attrs ?? []) {
    if (a.change === 'added') out.push(`attr ${a.key}: added ${a.after}`);
    else if (a.change === 'removed') out.push(`attr ${a.key}: removed (was ${a.before})`);
    else out.push(`attr ${a.key}: ${a.before} -> ${a.after}`);
  }
  return out;
}

/** The one-line count summary: `22 removed, 2 added, 14 changed, 40 unchanged (78 -> 56 nodes)`. */
export function formatDiffSummary(d: GraphDiff): string {
  checkFields('formatDiffSummary', 'd', d, { summary: 'object', functions: 'object' }, 'a GraphDiff (what diffGraphs returns)');
  const s = d.summary;
  const f = d.functions;
  const fn = f.removed.length || f.added.length || f.changed.length ? `; functions: ${f.removed.length} removed, ${f.added.length} added, ${f.changed.length} changed` : '';
  return `${s.removed} removed, ${s.added} added, ${s.changed} changed, ${s.unchanged} unchanged (${s.nodesBefore} -> ${s.nodesAfter} nodes)${fn}`;
}

/**
 * The diff as text: removed nodes (`- op name`), added ones (`+ op name`), changed ones (`~ name
 * (op)` with one indented line per difference), functions and signatures, then the count line.
 * Nodes inside library functions are named `function/node`.
 */
export function formatGraphDiff(d: GraphDiff | ModelDiff): string {
  checkFields('formatGraphDiff', 'd', d, { summary: 'object', functions: 'object' }, 'a GraphDiff or ModelDiff (what diffGraphs or diffLoadedModels returns)');
  const lines: string[] = [];
  if ('a' in d) {
    const side = (s: DiffSide) => `${s.path} (${s.kind}${s.tags ? `, tags ${s.tags.join(',')}` : ''})`;
    lines.push(`--- ${side(d.a)}`, `+++ ${side(d.b)}`);
  }
  const opWidth = Math.max(0, ...[...d.removed, ...d.added].map((n) => n.op.length));
  if (d.removed.length) {
    lines.push(`removed (${d.removed.length}):`);
    for (const n of d.removed) lines.push(`  - ${n.op.padEnd(opWidth)}  ${scoped(n)}`);
  }
  if (d.added.length) {
    lines.push(`added (${d.added.length}):`);
    for (const n of d.added) lines.push(`  + ${n.op.padEnd(opWidth)}  ${scoped(n)}`);
  }
  if (d.changed.length) {
    lines.push(`changed (${d.changed.length}):`);
    for (const c of d.changed) {
      lines.push(`  ~ ${scoped(c)} (${c.opBefore !== undefined ? `${c.opBefore} -> ${c.op}` : c.op})`);
      for (const l of changeLines(c)) lines.push(`      ${l}`);
    }
  }
  const f = d.functions;
  for (const x of f.removed) lines.push(`function removed: ${x.name} (${plural(x.nodes, 'node')})`);
  for (const x of f.added) lines.push(`function added: ${x.name} (${plural(x.nodes, 'node')})`);
  for (const x of f.changed) {
    lines.push(`function changed: ${x.name}${x.signature ? ' (signature)' : ''}`);
    for (const r of x.ret) lines.push(`      ${r}`);
  }
  if ('a' in d && d.signatures) {
    const s = d.signatures;
    for (const k of s.removed) lines.push(`signature removed: ${k}`);
    for (const k of s.added) lines.push(`signature added: ${k}`);
    for (const c of s.changed) {
      lines.push(`signature changed: ${c.key}`);
      for (const l of c.changes) lines.push(`      ${l}`);
    }
  }
  lines.push(formatDiffSummary(d));
  return lines.join('\n');
}
