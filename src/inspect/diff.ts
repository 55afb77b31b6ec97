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
import { formatShape } from '../ir/attr';
import type { Graph } from '../ir/graph';
import type { LoadOptions } from '../io/model-files';
import type { LoadedModel } from '../io/loaded-model';
import type { Signature } from '../io/saved-model';
import { checkFields, checkObject } from '../ir/check';

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

/**
 * Which nodes `b` removed, added and changed relative to `a`, main graph and library functions.
 * Async: the comparison loads on the first call (diff-graphs.ts), so that it stays out of what the
 * core loads on import.
 *
 * @throws GraftError `api/bad-argument` (as a rejection) when `a` or `b` is not a graph.
 * @example
 * ```ts
 * const d = await diffGraphs(before, after);
 * console.log(d.summary); // { removed: 22, added: 2, changed: 14, unchanged: 40, nodesBefore: 78, nodesAfter: 56 }
 * ```
 */
export async function diffGraphs(a: Graph, b: Graph): Promise<GraphDiff> {
  const { diffGraphsNow } = await import('./diff-graphs');
  return diffGraphsNow(a, b);
}

/**
 * `diffModels` on two models already loaded (the loading is in diff-files.ts, tf-graft/node): the
 * graphs (for SavedModels, those of the meta graph `opts.tagSet` names) and the signatures. Async,
 * as `diffGraphs` is.
 */
export async function diffLoadedModels(a: LoadedModel, b: LoadedModel, opts: { readonly tagSet?: string } = {}): Promise<ModelDiff> {
  const { diffModelsNow } = await import('./diff-graphs');
  return diffModelsNow(a, b, opts);
}

// ---------------------------------------------------------------- models

export interface DiffModelsOptions extends LoadOptions {
  /** For SavedModels: the meta graph to compare (comma-separated tags); default `serve`, else the first. */
  readonly tagSet?: string;
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
