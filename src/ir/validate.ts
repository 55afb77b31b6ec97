/**
 * Graph validation: what must hold after every transform step.
 */
import type { Graph } from './graph';
import { builtConsumers, graphIndex } from './graph';
import type { Node } from './node';
import { inputNodeName } from './node';
import { hasNoOutputs, knownOutputCount } from './op-outputs';
import { builtConsumerRows, consumerRows, executionDepths, executionOrder, hasExecutionOrder } from './topo';
import { builtGraphEdges, graphEdges } from './edges';
import { type ErrorCode, shortName } from '../errors';
import { nearestNames } from '../suggest';
import { checkGraphShallow, checkOptions } from './check';

export interface ValidationProblem {
  readonly code: Extract<ErrorCode, 'graph/dangling-input' | 'graph/duplicate-name' | 'graph/cycle' | 'graph/missing-node' | 'graph/bad-output-index'>;
  readonly node: string;
  readonly message: string;
}

export interface ValidateOptions {
  /** Tensors or node names that must exist (graph inputs and outputs). */
  readonly required?: readonly string[];
  /** Also check for cycles outside loop frames (costs a sort). Default true. */
  readonly cycles?: boolean;
  /**
   * A valid graph this one was made from (the previous step's), validated with the same
   * `required`. Then only what changed is looked at where that suffices (`validChange`): nodes
   * that are not objects of `previous`, readers of names that are gone or of nodes that changed
   * op or attributes, and the edges of changed nodes against depths of an order already computed.
   * Whatever that cannot show valid is checked in full, so the answer is always the full check's.
   */
  readonly previous?: Graph | readonly Node[];
}

/** True when `nodes` are some of `before`'s node objects, in the same order. */
function onlyRemovals(nodes: readonly Node[], before: readonly Node[]): boolean {
  let j = 0;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    while (j < before.length && before[j] !== n) j++;
    if (j === before.length) return false;
    j++;
  }
  return true;
}

const MERGE_OPS = new Set(['Merge', 'RefMerge', '_XlaMerge']);
const NEXT_ITERATION_OPS = new Set(['NextIteration', 'RefNextIteration']);

/** The output port of a data input (`x` → 0, `x:3` → 3); -1 for a control input. */
function inputPort(input: string): number {
  if (input.charCodeAt(0) === 94 /* ^ */) return -1;
  const colon = input.lastIndexOf(':');
  if (colon < 0) return 0;
  let port = 0;
  for (let i = colon + 1; i < input.length; i++) {
    const d = input.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return 0; // not a port: part of the name
    port = port * 10 + d;
  }
  return colon + 1 === input.length ? 0 : port;
}

/**
 * Nodes on a cycle by TensorFlow's own rule (`ValidateGraphHasNoCycle`): only a data edge from a
 * `NextIteration` into a `Merge` may close a cycle (a while loop's back edge). The execution
 * order lets a `Merge` run after its first data input, which is right for running a loop but
 * also lets through a cycle whose back edge is not a `NextIteration`; this pass catches those.
 */
function strictCycleNodes(nodes: readonly Node[], index: ReadonlyMap<string, number>): Node[] {
  const count = nodes.length;
  const pending = new Int32Array(count);
  const offsets = new Int32Array(count + 1);
  let edges = 0;
  for (let i = 0; i < count; i++) edges += nodes[i]!.inputs.length;
  const producer = new Int32Array(edges);
  let e = 0;
  for (let i = 0; i < count; i++) {
    const n = nodes[i]!;
    const merge = MERGE_OPS.has(n.op);
    for (const input of n.inputs) {
      const j = index.get(inputNodeName(input)) ?? -1;
      const backEdge = merge && j >= 0 && input.charCodeAt(0) !== 94 && NEXT_ITERATION_OPS.has(nodes[j]!.op);
      producer[e++] = backEdge ? -1 : j;
      if (!backEdge && j >= 0) {
        pending[i]!++;
        offsets[j + 1]!++;
      }
    }
  }
  const consumers = consumerRows(nodes, producer, offsets);
  const stack = new Int32Array(count);
  let top = 0;
  for (let i = 0; i < count; i++) if (pending[i] === 0) stack[top++] = i;
  let done = 0;
  while (top > 0) {
    const i = stack[--top]!;
    done++;
    for (let k = offsets[i]!, end = offsets[i + 1]!; k < end; k++) {
      const c = consumers[k]!;
      if (--pending[c]! === 0) stack[top++] = c;
    }
  }
  return done === count ? [] : nodes.filter((_, i) => pending[i]! > 0);
}

/** The problem with input `input` of `n` read from `producer` (which exists), if any. Every rule about one edge lives here. */
function edgeProblem(n: Node, input: string, producer: Node): ValidationProblem | undefined {
  const port = inputPort(input);
  if (port < 0) return undefined;
  if (port === 0 && !hasNoOutputs(producer.op)) return undefined;
  const outputs = knownOutputCount(producer);
  if (outputs !== undefined && port >= outputs) {
    return {
      code: 'graph/bad-output-index',
      node: n.name,
      message: `Node '${shortName(n.name)}' (${n.op}) reads output ${port} of '${shortName(producer.name)}' (${producer.op}), which has ${outputs === 0 ? 'no outputs' : outputs === 1 ? 'one output (0)' : `${outputs} outputs (0 to ${outputs - 1})`}`,
    };
  }
  return undefined;
}

/** Where the depths of a graph version come from: an order computed for it or for a graph it was made from. */
interface Depths {
  readonly position: ReadonlyMap<string, number>;
  readonly depth: Int32Array;
}

/** Graph versions shown valid by `validChange` → the depths they were checked against (valid for them too). */
const inheritedDepths = new WeakMap<Graph | readonly Node[], Depths>();

function depthsOf(graph: Graph | readonly Node[]): Depths | undefined {
  const inherited = inheritedDepths.get(graph);
  if (inherited) return inherited;
  // Sorting the previous graph only for this would cost what sorting the new one does.
  if (!hasExecutionOrder(graph)) return undefined;
  return { position: graphIndex(graph).position, depth: executionDepths(graph) };
}

const LOOP_OPS = new Set([...MERGE_OPS, ...NEXT_ITERATION_OPS]);

/**
 * True when `graph`, made from the valid `previous`, is surely valid, looking only at what
 * changed; false when it may not be (the caller then runs the full check, which says what is
 * wrong, so problems are always reported the same way).
 *
 * What changed is found through `previous`'s name index (built once per graph version; the new
 * graph's own index is not built here), walking both node lists in order: a node of the new list
 * that is the very object `previous` holds under its name is unchanged ("kept"); every other node
 * is fresh (new or edited). One flat state per previous position says which; no set of nodes, no
 * per-edge objects.
 *
 * - Names: each previous name claimed at most once (by its kept node or by one fresh node), and
 *   names `previous` lacked at most once, so no duplicate; required names present.
 * - Edges: a fresh node is checked like every node in the full check. A kept node keeps its
 *   inputs, so it can only lose its producer (a name that is gone) or see it change op or
 *   attributes (its output count may differ): those readers are checked, through `previous`'s
 *   consumer rows (built with its execution order), its flat edges or its consumers index when
 *   one is built, else by looking at every kept node's inputs.
 * - Cycles: every input of a fresh node is shallower than it in depths computed for `previous`
 *   (or inherited by it; see `executionDepths`). Kept nodes keep their edges, each shallower
 *   except a loop's back edge into a `Merge`, so a cycle would have to pass through a back edge
 *   that was already there. Fresh loop nodes (`Merge`, `NextIteration`, or a node that replaced
 *   one), new names and inputs not in the depths are not judged here.
 */
function validChange(graph: Graph | readonly Node[], nodes: readonly Node[], previous: Graph | readonly Node[], required: readonly string[], cycles: boolean): boolean {
  const before = 'nodes' in previous ? previous.nodes : previous;
  const depths = cycles ? depthsOf(previous) : undefined;
  if (cycles && !depths) return false;
  const prevIndex = graphIndex(previous);
  const prevPos = prevIndex.position;
  // A valid `previous` has unique names; otherwise positions by name say nothing.
  if (prevIndex.byName.size !== before.length) return false;
  /**
   * By previous position, what the new list has under that name: 0 nothing (gone), -1 the same
   * object (kept), i + 1 a fresh node at `nodes[i]`. Fresh nodes with names `previous` does not
   * have are in `added`.
   */
  const state = new Int32Array(before.length);
  const fresh: number[] = [];
  let added: Map<string, Node> | undefined;
  // Transforms keep the order: walk both lists, looking a name up only where they differ.
  let j = 0;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    let p: number | undefined = j;
    if (j >= before.length || before[j] !== n) {
      p = prevPos.get(n.name);
      if (p === undefined) {
        if (added?.has(n.name)) return false;
        (added ??= new Map()).set(n.name, n);
        fresh.push(i);
        continue;
      }
    }
    // Two claims on one name (a node twice, or two nodes of one name): a duplicate.
    if (state[p] !== 0) return false;
    if (before[p] === n) {
      state[p] = -1;
      j = p + 1;
    } else {
      state[p] = i + 1;
      fresh.push(i);
    }
  }
  /** The new graph's node at previous position `p` (which must be a number), or undefined. */
  const at = (p: number): Node | undefined => {
    const s = state[p]!;
    return s === 0 ? undefined : s < 0 ? before[p] : nodes[s - 1];
  };
  /** The new graph's node called `name`. */
  const lookup = (name: string): Node | undefined => {
    const p = prevPos.get(name);
    return p === undefined ? added?.get(name) : at(p);
  };
  for (const name of required) if (lookup(name.replace(/^\^/, '').split(':')[0]!) === undefined) return false;
  // Depths by previous position when they were computed for `previous` itself (the usual case).
  const samePositions = depths !== undefined && depths.position === prevPos;
  // Indexed loops here and below: these run once per step over many nodes, often before they are optimized.
  for (let f = 0; f < fresh.length; f++) {
    const n = nodes[fresh[f]!]!;
    const self = prevPos.get(n.name);
    const replaced = self === undefined ? undefined : before[self]!;
    let d = -1;
    if (depths) {
      if (LOOP_OPS.has(n.op) || (replaced && LOOP_OPS.has(replaced.op))) return false;
      const where = samePositions ? self : depths.position.get(n.name);
      if (where === undefined) return false;
      d = depths.depth[where]!;
    }
    const inputs = n.inputs;
    for (let k = 0; k < inputs.length; k++) {
      const input = inputs[k]!;
      const name = inputNodeName(input);
      const p = prevPos.get(name);
      const producer = p === undefined ? added?.get(name) : at(p);
      if (!producer || edgeProblem(n, input, producer)) return false;
      if (!depths) continue;
      const from = samePositions ? p : depths.position.get(name);
      if (from === undefined || depths.depth[from]! >= d) return false;
    }
  }
  // Previous nodes whose readers must be looked at again: gone, or now a node with another op or attributes.
  const recheck: number[] = [];
  for (let p = 0; p < before.length; p++) {
    const s = state[p]!;
    if (s < 0) continue;
    const old = before[p]!;
    const now = s === 0 ? undefined : nodes[s - 1]!;
    if (now === undefined || now.op !== old.op || now.attrs !== old.attrs) recheck.push(p);
  }
  if (recheck.length > 0) {
    /** Whether kept node `n`'s inputs that name `name` are fine. */
    const reads = (n: Node, name: string): boolean => {
      for (const input of n.inputs) {
        if (inputNodeName(input) !== name) continue;
        const producer = lookup(name);
        if (!producer || edgeProblem(n, input, producer)) return false;
      }
      return true;
    };
    const rows = builtConsumerRows(previous);
    const edges = rows ? undefined : builtGraphEdges(previous);
    const consumers = rows || edges ? undefined : builtConsumers(previous);
    if (rows) {
      const { offsets, consumers: readers } = rows;
      for (const p of recheck) {
        const name = before[p]!.name;
        for (let k = offsets[p]!, end = offsets[p + 1]!; k < end; k++) {
          const c = readers[k]!;
          if (state[c] === -1 && !reads(before[c]!, name)) return false;
        }
      }
    } else if (edges) {
      // Kept nodes' edges into a rechecked node, through `previous`'s flat edges.
      const marked = new Uint8Array(before.length);
      for (let k = 0; k < recheck.length; k++) marked[recheck[k]!] = 1;
      const { offsets, producer } = edges;
      for (let c = 0; c < before.length; c++) {
        if (state[c] !== -1) continue;
        for (let e = offsets[c]!, end = offsets[c + 1]!; e < end; e++) {
          const j = producer[e]!;
          if (j >= 0 && marked[j] === 1 && !reads(before[c]!, before[j]!.name)) return false;
        }
      }
    } else if (consumers) {
      for (const p of recheck) {
        const name = before[p]!.name;
        for (const c of consumers.get(name) ?? []) if (state[prevPos.get(c.node.name)!] === -1 && !reads(c.node, name)) return false;
      }
    } else {
      const names = new Set<string>();
      for (const p of recheck) names.add(before[p]!.name);
      for (let p = 0; p < before.length; p++) {
        if (state[p] !== -1) continue;
        const n = before[p]!;
        for (const input of n.inputs) {
          const name = inputNodeName(input);
          if (names.has(name) && !reads(n, name)) return false;
        }
      }
    }
  }
  if (depths) inheritedDepths.set(graph, depths);
  return true;
}

/**
 * Finds dangling inputs, duplicate names, inputs naming an output their producer does not have
 * (for ops whose output count graft knows), cycles other than a while loop's back edge, and
 * missing required nodes. Returns [] for a valid graph. Names in messages are shortened.
 */
export function validateGraph(graph: Graph | readonly Node[], opts: ValidateOptions = {}): ValidationProblem[] {
  checkGraphShallow('validateGraph', 'graph', graph, true);
  checkOptions('validateGraph', 'opts', opts);
  const nodes = 'nodes' in graph ? graph.nodes : graph;
  if (opts.previous && validChange(graph, nodes, opts.previous, opts.required ?? [], opts.cycles !== false)) return [];
  const problems: ValidationProblem[] = [];
  // Names to positions: the graph's own index (shared with transforms) when no name repeats.
  const shared = graphIndex(nodes);
  let index: ReadonlyMap<string, number> = shared.position;
  if (shared.byName.size !== nodes.length) {
    const own = new Map<string, number>();
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i]!;
      if (own.has(n.name)) problems.push({ code: 'graph/duplicate-name', node: n.name, message: `Duplicate node name '${shortName(n.name)}'` });
      else own.set(n.name, i);
    }
    index = own;
  }
  // Producers by edge: the graph's flat edges (shared with the sort) when no name repeats.
  const edges = index === shared.position ? graphEdges(nodes) : undefined;
  // Merges joining two data inputs that are not a loop's back edge: the strict cycle pass is needed.
  let joiningMerges = false;
  let e = 0;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    const merge = MERGE_OPS.has(n.op);
    let forward = 0;
    const inputs = n.inputs;
    for (let k = 0; k < inputs.length; k++) {
      const input = inputs[k]!;
      const j = edges ? edges.producer[e++]! : (index.get(inputNodeName(input)) ?? -1);
      if (j < 0) {
        const name = inputNodeName(input);
        problems.push({ code: 'graph/dangling-input', node: n.name, message: `Node '${shortName(n.name)}' (${n.op}) has input '${shortName(name)}', which does not exist` });
        continue;
      }
      const producer = nodes[j]!;
      if (merge && input.charCodeAt(0) !== 94 && !NEXT_ITERATION_OPS.has(producer.op)) forward++;
      const problem = edgeProblem(n, input, producer);
      if (problem) problems.push(problem);
    }
    if (forward > 1) joiningMerges = true;
  }
  for (const name of opts.required ?? []) {
    const nodeName = name.replace(/^\^/, '').split(':')[0]!;
    if (!index.has(nodeName)) {
      const near = nearestNames(nodeName, index.keys(), 2);
      const also = near.length > 0 ? ` (did you mean ${near.map((x) => `'${x}'`).join(' or ')}?)` : '';
      problems.push({ code: 'graph/missing-node', node: nodeName, message: `Required node '${shortName(nodeName)}' is missing${also}` });
    }
  }
  const previous = opts.previous && ('nodes' in opts.previous ? opts.previous.nodes : opts.previous);
  if (opts.cycles !== false && problems.length === 0 && !(previous && onlyRemovals(nodes, previous))) {
    let { inCycle } = executionOrder(graph);
    if (inCycle.length === 0 && joiningMerges) inCycle = strictCycleNodes(nodes, index);
    if (inCycle.length > 0) {
      const first = inCycle[0]!;
      const merge = inCycle.find((n) => MERGE_OPS.has(n.op));
      problems.push({
        code: 'graph/cycle',
        node: first.name,
        message: `${inCycle.length} nodes sit on a cycle outside any while loop, e.g. '${shortName(first.name)}' (${first.op})${merge ? `; only a NextIteration may feed a Merge back ('${shortName(merge.name)}' is fed back otherwise)` : ''}`,
      });
    }
  }
  return problems;
}
