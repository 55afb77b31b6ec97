/**
 * A plan of local rewrites, applied in one linear pass over the node list: how a transform that
 * replaces matched subgraphs edits a graph (the fold and fuse transforms, sparsify_gather, and
 * custom transforms alike).
 *
 * The editing idiom, in order of preference: `mapNodes`/`filterNodes` (ir/edit.ts) for per-node
 * changes, `RewritePlan` for matches that replace, add or orphan nodes, `renameNodeInputs`
 * (ir/rename.ts) for renames. All return the input graph itself when nothing changed, which is
 * how the runner tells "changed". `updateGraph` (an immer recipe, ir/graph.ts) is an escape hatch
 * for whole-graph rebuilds, not the way transforms are written.
 *
 * Each rewrite says what to emit in place of an existing node (possibly several nodes, possibly
 * none). Nodes the plan does not mention are kept as the same objects, in their positions. Const
 * inputs that a rewrite may orphan (a folded batch norm's mean, the Mul's scale) are removed only
 * when no emitted node reads them any more and they are not protected, so a constant shared with
 * the rest of the graph survives (the case that makes TensorFlow's `fold_old_batch_norms` loop).
 * Colocation constraints (`_class: loc:@x`) follow renamed nodes and are dropped for removed ones.
 */
import type { Graph } from './graph';
import type { Node } from './node';
import { parseInput } from './node';
import { retargetColocation, withNodesIfChanged } from './edit';
import { checkGraphShallow } from './check';
import { badArgument } from '../errors';

export class RewritePlan {
  private readonly at = new Map<string, readonly Node[]>();
  private readonly candidates = new Set<string>();
  private readonly renamed = new Map<string, string>();
  private readonly claimedNames = new Set<string>();
  private readonly appended: Node[] = [];
  private readonly taken: Set<string>;

  constructor(
    private readonly graph: Graph,
    private readonly protectedNodes: ReadonlySet<string>,
  ) {
    checkGraphShallow('RewritePlan', 'graph', graph);
    if (typeof (protectedNodes as { has?: unknown } | null)?.has !== 'function') throw badArgument('RewritePlan', 'protectedNodes', 'a Set of node names (ctx.protectedNodes)', protectedNodes);
    this.taken = new Set(graph.nodes.map((n) => n.name));
  }

  /** True when any rewrite was planned. */
  get changed(): boolean {
    return this.at.size > 0 || this.appended.length > 0;
  }

  /**
   * Claims nodes for one match; false (and nothing claimed) when one of them already belongs to
   * another match, so matches never overlap.
   */
  claim(names: Iterable<string>): boolean {
    const list = [...names];
    if (list.some((n) => this.claimedNames.has(n))) return false;
    for (const n of list) this.claimedNames.add(n);
    return true;
  }

  /** A name no node has or will have: `base`, else `base_1`, `base_2`... */
  uniqueName(base: string): string {
    let name = base;
    for (let k = 1; this.taken.has(name); k++) name = `${base}_${k}`;
    this.taken.add(name);
    return name;
  }

  /** Emits `nodes` where the node `name` was (an empty list removes it). */
  replace(name: string, nodes: readonly Node[]): void {
    this.at.set(name, nodes);
  }

  /** Adds nodes at the end of the graph. */
  append(nodes: readonly Node[]): void {
    for (const item of nodes) this.appended.push(item);
  }

  /** Records that references to `from` (colocation) now mean `to`. */
  rename(from: string, to: string): void {
    this.renamed.set(from, to);
  }

  /** Removes the node `name` at the end if nothing emitted reads it and it is not protected. */
  dropIfUnused(name: string): void {
    if (!this.protectedNodes.has(name)) this.candidates.add(name);
  }

  /** The rewritten graph (the same instance when nothing was planned). */
  apply(): Graph {
    if (this.at.size === 0 && this.appended.length === 0) return this.graph;
    const out: Node[] = [];
    for (const n of this.graph.nodes) {
      const r = this.at.get(n.name);
      if (r) for (const item of r) out.push(item);
      else out.push(n);
    }
    for (const item of this.appended) out.push(item);
    let final = out;
    // Repeat while something is dropped: a dropped Identity may orphan the Const it reads.
    for (let dropped = this.candidates.size > 0; dropped; ) {
      const read = new Set<string>();
      for (const n of final) for (const s of n.inputs) read.add(parseInput(s).node);
      const next = final.filter((n) => !(this.candidates.has(n.name) && !this.at.has(n.name) && !read.has(n.name)));
      dropped = next.length !== final.length;
      final = next;
    }
    const present = new Set(final.map((n) => n.name));
    const retarget = (name: string): string | null | undefined => (present.has(name) ? undefined : (this.renamed.get(name) ?? null));
    return withNodesIfChanged(this.graph, final.map((n) => retargetColocation(n, retarget)));
  }
}
