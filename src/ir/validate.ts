/**
 * Graph validation: what must hold after every transform step.
 */
import type { Graph } from './graph';
import { builtConsumers, graphIndex } from './graph';
import type { Node } from './node';
import { inputNodeName } from './node';
import { hasNoOutputs, knownOutputCount } from './op-outputs';
import { consumerRows, executionDepths, executionOrder, hasExecutionOrder } from './topo';
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
 * - Names: no duplicate (the name index has one entry per node); required names present.
 * - Edges: a node that is not an object of `previous` is checked like every node in the full
 *   check. An unchanged node keeps its inputs, so it can only lose its producer (a name that is
 *   gone) or see it change op or attributes (its output count may differ): those readers are
 *   checked, through `previous`'s consumers when something built them, else by looking at every
 *   unchanged node's inputs (no per-edge objects either way).
 * - Cycles: every input of a changed node is shallower than it in depths computed for
 *   `previous` (or inherited by it; see `executionDepths`). Unchanged nodes keep their edges, each
 *   shallower except a loop's back edge into a `Merge`, so a cycle would have to pass through a
 *   back edge that was already there. Changed loop nodes (`Merge`, `NextIteration`, or a node that
 *   replaced one), new names and inputs not in the depths are not judged here.
 */
function validChange(graph: Graph | readonly Node[], nodes: readonly Node[], previous: Graph | readonly Node[], required: readonly string[], cycles: boolean): boolean {
  const before = 'nodes' in previous ? previous.nodes : previous;
  const depths = cycles ? depthsOf(previous) : undefined;
  if (cycles && !depths) return false;
  const byName = graphIndex(graph).byName;
  if (byName.size !== nodes.length) return false;
  for (const name of required) if (!byName.has(name.replace(/^\^/, '').split(':')[0]!)) return false;
  const old = new Set<Node>(before);
  const prevByName = graphIndex(previous).byName;
  /** Names whose readers must be looked at again: gone, or now a node with another op or attributes. */
  let recheck: Set<string> | undefined;
  for (const n of nodes) {
    if (old.has(n)) continue;
    const replaced = prevByName.get(n.name);
    if (replaced && (replaced.op !== n.op || replaced.attrs !== n.attrs)) (recheck ??= new Set()).add(n.name);
    for (const input of n.inputs) {
      const producer = byName.get(inputNodeName(input));
      if (!producer || edgeProblem(n, input, producer)) return false;
    }
    if (!depths) continue;
    if (LOOP_OPS.has(n.op) || (replaced && LOOP_OPS.has(replaced.op))) return false;
    const at = depths.position.get(n.name);
    if (at === undefined) return false;
    const d = depths.depth[at]!;
    for (const input of n.inputs) {
      const from = depths.position.get(inputNodeName(input));
      if (from === undefined || depths.depth[from]! >= d) return false;
    }
  }
  // Names that are gone: among the previous nodes that are not in the new list, found by walking
  // both lists in order (transforms keep the order), else by looking every previous name up.
  const goneIfAbsent = (p: Node): void => {
    if (!byName.has(p.name)) (recheck ??= new Set()).add(p.name);
  };
  let i = 0;
  let inOrder = true;
  for (const n of nodes) {
    if (!old.has(n)) continue;
    while (i < before.length && before[i] !== n) goneIfAbsent(before[i++]!);
    if (i === before.length) {
      inOrder = false;
      break;
    }
    i++;
  }
  if (inOrder) while (i < before.length) goneIfAbsent(before[i++]!);
  else for (const p of before) goneIfAbsent(p);
  if (recheck) {
    const readers = (n: Node): boolean => {
      for (const input of n.inputs) {
        const name = inputNodeName(input);
        if (!recheck!.has(name)) continue;
        const producer = byName.get(name);
        if (!producer || edgeProblem(n, input, producer)) return false;
      }
      return true;
    };
    const consumers = builtConsumers(previous);
    if (consumers) {
      for (const name of recheck) for (const c of consumers.get(name) ?? []) if (byName.get(c.node.name) === c.node && !readers(c.node)) return false;
    } else {
      for (const n of nodes) if (old.has(n) && !readers(n)) return false;
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
  // Merges joining two data inputs that are not a loop's back edge: the strict cycle pass is needed.
  let joiningMerges = false;
  for (const n of nodes) {
    const merge = MERGE_OPS.has(n.op);
    let forward = 0;
    for (const input of n.inputs) {
      const name = inputNodeName(input);
      const j = index.get(name);
      if (j === undefined) {
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
