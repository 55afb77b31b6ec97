/**
 * Op-type pattern matching and match replacement: TensorFlow's `OpTypePattern`, `GraphMatcher`
 * and `ReplaceMatchingOpTypes` (spec §1.8, §1.9).
 *
 * A pattern is `{ op, inputs? }`. `op` is `*` (any op), one op name, or alternatives `A|B|C`
 * (exact names, no regex). A pattern without inputs matches the node whatever its inputs are; a
 * pattern with inputs requires exactly that many data inputs (control inputs are ignored), each
 * matching the corresponding sub-pattern (ports are ignored: `x:1` matches as node `x`).
 *
 * Matches never overlap: nodes are tried as heads in execution order (`executionOrder`, TF's LIFO
 * sort), and every node of an accepted match (leaves matched by `*` included) is claimed. Nodes on
 * a cycle that no loop `Merge` breaks, or with a dangling input, never match (TensorFlow's sort
 * fails on them too). Within one match a node may appear more than once (a DAG).
 *
 * Differences from TensorFlow: `replaceMatchingOpTypes` keeps the graph's library, versions and
 * extras (TF's rebuilt graph drops them), returns the input graph itself when nothing matched, and
 * keeps every node it copies as the same object. An input naming a missing node makes the match
 * fail instead of crashing.
 */
import type { Graph, GraphIndex } from './graph';
import { graphIndex } from './graph';
import type { Node } from './node';
import { dataInputs, parseInput } from './node';
import type { Tensor } from './tensor';
import { executionOrder } from './topo';
import { withNodesIfChanged } from './edit';
import { checkFunction, checkGraphShallow, checkNodeShallow, checkObject, checkString } from './check';
import { badArgument } from '../errors';

/** A pattern over op types. */
export interface OpTypePattern {
  /** `*`, an op name, or `A|B|C`. */
  readonly op: string;
  readonly inputs?: readonly OpTypePattern[];
}

/** Throws `api/bad-argument` unless `p` is an OpTypePattern (op strings all the way down; patterns are small). */
function checkPattern(fn: string, param: string, p: unknown): void {
  const q = p as { op?: unknown; inputs?: unknown } | null;
  if (typeof q !== 'object' || q === null || typeof q.op !== 'string') throw badArgument(fn, param, "an OpTypePattern ({ op: 'Conv2D|MatMul', inputs: [...] })", p);
  if (q!.inputs === undefined) return;
  if (!Array.isArray(q!.inputs)) throw badArgument(fn, `${param}.inputs`, 'an array of OpTypePatterns', q!.inputs);
  (q!.inputs as unknown[]).forEach((x, i) => checkPattern(fn, `${param}.inputs[${i}]`, x));
}

/** A matched subgraph: the node matched by the pattern's head, and its matched inputs. */
export interface NodeMatch {
  readonly node: Node;
  readonly inputs: readonly NodeMatch[];
}

/**
 * Finds non-overlapping matches of `pattern`, heads in execution order.
 *
 * @example
 * findMatches(graph, { op: 'Mul', inputs: [{ op: 'Add', inputs: [{ op: 'Const' }, { op: 'Const' }] }, { op: '*' }] })
 */
export function findMatches(graph: Graph, pattern: OpTypePattern): NodeMatch[] {
  checkGraphShallow('findMatches', 'graph', graph);
  checkPattern('findMatches', 'pattern', pattern);
  const { byName } = graphIndex(graph);
  const claimed = new Set<string>();
  const matches: NodeMatch[] = [];
  const opSets = new WeakMap<OpTypePattern, ReadonlySet<string> | null>();
  const opMatches = (p: OpTypePattern, op: string): boolean => {
    let set = opSets.get(p);
    if (set === undefined) {
      set = p.op === '*' ? null : new Set(p.op.split('|'));
      opSets.set(p, set);
    }
    return set === null || set.has(op);
  };

  const match = (node: Node, p: OpTypePattern): NodeMatch | undefined => {
    if (claimed.has(node.name) || !opMatches(p, node.op)) return undefined;
    const subs = p.inputs ?? [];
    if (subs.length === 0) return { node, inputs: [] };
    const data = dataInputs(node);
    if (data.length !== subs.length) return undefined;
    const inputs: NodeMatch[] = [];
    for (let i = 0; i < subs.length; i++) {
      const input = byName.get(parseInput(data[i]!).node);
      if (!input) return undefined;
      const m = match(input, subs[i]!);
      if (!m) return undefined;
      inputs.push(m);
    }
    return { node, inputs };
  };

  for (const node of executionOrder(graph).order) {
    if (claimed.has(node.name)) continue;
    const m = match(node, pattern);
    if (!m) continue;
    for (const n of matchedNodes(m)) claimed.add(n.name);
    matches.push(m);
  }
  return matches;
}

/**
 * The nodes of a match, each once, breadth first from the head (TF's `MatchedNodesAsArray` and
 * `CopyOriginalMatch`).
 */
export function matchedNodes(match: NodeMatch): Node[] {
  if (typeof match !== 'object' || match === null || typeof match.node !== 'object' || match.node === null || !Array.isArray(match.inputs)) throw badArgument('matchedNodes', 'match', 'a NodeMatch (from findMatches)', match);
  const out: Node[] = [];
  const seen = new Set<string>();
  const queue: NodeMatch[] = [match];
  for (let i = 0; i < queue.length; i++) {
    const m = queue[i]!;
    if (seen.has(m.node.name)) continue;
    seen.add(m.node.name);
    out.push(m.node);
    queue.push(...m.inputs);
  }
  return out;
}

/** What a replacement generator sees besides the match. */
export interface MatchContext {
  /** Names of matched nodes with at least one input from outside the match. */
  readonly inputNodes: ReadonlySet<string>;
  /** Names of matched nodes consumed (data or control) by some node outside the match. */
  readonly outputNodes: ReadonlySet<string>;
}

export interface ReplaceOptions {
  /**
   * When false (the default, as in TF), a replacement that does not define every node in
   * `outputNodes` is rejected and the original matched nodes are kept. `onInconsistent` hears of it.
   */
  readonly allowInconsistencies?: boolean;
  readonly onInconsistent?: (match: NodeMatch, missing: readonly string[]) => void;
}

/**
 * Replaces each match of `pattern` with the nodes `generate` returns, emitted where the match's
 * head was; the match's other nodes are dropped from their own positions. Returns `graph` itself
 * when nothing matched or nothing changed.
 */
export function replaceMatchingOpTypes(
  graph: Graph,
  pattern: OpTypePattern,
  generate: (match: NodeMatch, ctx: MatchContext) => readonly Node[],
  options: ReplaceOptions = {},
): Graph {
  checkGraphShallow('replaceMatchingOpTypes', 'graph', graph);
  checkPattern('replaceMatchingOpTypes', 'pattern', pattern);
  checkFunction('replaceMatchingOpTypes', 'generate', generate);
  checkObject('replaceMatchingOpTypes', 'options', options);
  const matches = findMatches(graph, pattern);
  if (matches.length === 0) return graph;
  const { consumers, inputs: inputRefs } = graphIndex(graph);
  const byHead = new Map<string, NodeMatch>();
  const members = new Set<string>();
  for (const m of matches) {
    byHead.set(m.node.name, m);
    for (const n of matchedNodes(m)) members.add(n.name);
  }
  const out: Node[] = [];
  for (const node of graph.nodes) {
    const m = byHead.get(node.name);
    if (m) {
      const nodes = matchedNodes(m);
      const inMatch = new Set(nodes.map((n) => n.name));
      const inputNodes = new Set<string>();
      const outputNodes = new Set<string>();
      for (const n of nodes) {
        if ((inputRefs.get(n.name) ?? []).some((r) => !inMatch.has(r.node))) inputNodes.add(n.name);
        if ((consumers.get(n.name) ?? []).some((c) => !inMatch.has(c.node.name))) outputNodes.add(n.name);
      }
      const replacement = generate(m, { inputNodes, outputNodes });
      if (!options.allowInconsistencies) {
        const defined = new Set(replacement.map((n) => n.name));
        const missing = [...outputNodes].filter((n) => !defined.has(n));
        if (missing.length > 0) {
          options.onInconsistent?.(m, missing);
          out.push(...nodes);
          continue;
        }
      }
      out.push(...replacement);
    } else if (!members.has(node.name)) {
      out.push(node);
    }
  }
  return withNodesIfChanged(graph, out);
}

/** The node an input names when it reads output 0 of a `Const`, else undefined. */
export function constAt(idx: GraphIndex, input: string): Node | undefined {
  if (typeof idx !== 'object' || idx === null || typeof (idx.byName as { get?: unknown } | null)?.get !== 'function') throw badArgument('constAt', 'idx', 'a GraphIndex (graphIndex(graph))', idx);
  checkString('constAt', 'input', input);
  const ref = parseInput(input);
  if (ref.control || ref.port !== 0) return undefined;
  const n = idx.byName.get(ref.node);
  return n && n.op === 'Const' && n.attrs['value']?.kind === 'tensor' ? n : undefined;
}

/** The tensor value of a `Const` node. */
export function constValue(n: Node): Tensor {
  checkNodeShallow('constValue', 'n', n);
  const v = n.attrs['value'];
  if (!v || v.kind !== 'tensor') throw new Error(`internal: ${n.name} is not a Const with a value`);
  return v.value;
}
