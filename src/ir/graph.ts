/**
 * The immutable graph: TensorFlow's `GraphDef` as a value.
 *
 * Nodes sit in one array in file order, so an untouched graph writes back to the same bytes.
 * Derived indexes (by name, consumers) are computed on first use and memoized per graph instance
 * in a WeakMap; they are never stored in the graph. Change a graph with `updateGraph` (one immer
 * `produce`), or build a new node array and call `withNodes`.
 */
import { freeze, produce, type Draft } from 'immer';
import type { AttrValue } from './attr';
import { type Node, type InputRef, parseInput } from './node';
import { checkFunction, checkGraphShallow, graphProblem } from './check';
import { GraftError, badArgument } from '../errors';

/** `VersionDef`. */
export interface Versions {
  readonly producer: number;
  readonly minConsumer: number;
  readonly badConsumers: readonly number[];
  readonly extras?: Readonly<Record<string, unknown>>;
}

/** A library function (`FunctionDef`): its signature and body. */
export interface FunctionDef {
  /** The `OpDef` signature as decoded (`name`, `input_arg`, `output_arg`, `attr`, ...). */
  readonly signature: Readonly<Record<string, unknown>> & { readonly name: string };
  readonly attrs: Readonly<Record<string, AttrValue>>;
  readonly nodes: readonly Node[];
  /** Output arg name → the body tensor that produces it (`node:out:0` or an input arg name). */
  readonly ret: Readonly<Record<string, string>>;
  /** Control output name → node name. */
  readonly controlRet: Readonly<Record<string, string>>;
  /** Other fields (`arg_attr`, `resource_arg_unique_id`, unknown fields), carried through. */
  readonly extras?: Readonly<Record<string, unknown>>;
}

/** `FunctionDefLibrary`. */
export interface FunctionLibrary {
  readonly functions: readonly FunctionDef[];
  /** `gradient` and `registered_gradients`, carried through as decoded. */
  readonly extras?: Readonly<Record<string, unknown>>;
}

/** An immutable graph. */
export interface Graph {
  readonly nodes: readonly Node[];
  readonly library: FunctionLibrary;
  /** `versions`, or null when the file had none. */
  readonly versions: Versions | null;
  /** Other `GraphDef` fields (`debug_info`, the deprecated `version`, unknown fields). */
  readonly extras?: Readonly<Record<string, unknown>>;
}

export const EMPTY_LIBRARY: FunctionLibrary = Object.freeze({ functions: Object.freeze([]) });

/** Creates a frozen graph. */
export function makeGraph(nodes: readonly Node[], rest: Partial<Omit<Graph, 'nodes'>> = {}): Graph {
  const problem = graphProblem({ nodes }, 'makeGraph');
  if (problem) throw new GraftError('api/bad-argument', problem.replace('makeGraph.nodes', 'makeGraph: nodes'), { param: 'nodes' });
  if (rest === null || typeof rest !== 'object') throw new GraftError('api/bad-argument', 'makeGraph: rest must be an object', { param: 'rest' });
  const g: Graph = {
    nodes: Object.freeze([...nodes]),
    library: rest.library ?? EMPTY_LIBRARY,
    versions: rest.versions ?? null,
    ...(rest.extras ? { extras: rest.extras } : {}),
  };
  return freeze(g, true);
}

/** The same graph with a new node list (library, versions and extras kept). */
export function withNodes(graph: Graph, nodes: readonly Node[]): Graph {
  return makeGraph(nodes, graph);
}

/**
 * Applies an immer recipe to the graph: one `produce` per pass. Returns the same instance when
 * the recipe changes nothing. Read through `graphIndex(graph)`, not by scanning the draft.
 */
export function updateGraph(graph: Graph, recipe: (draft: Draft<Graph>) => void): Graph {
  checkGraphShallow('updateGraph', 'graph', graph);
  checkFunction('updateGraph', 'recipe', recipe);
  return produce(graph, recipe);
}

// ---------------------------------------------------------------- indexes

/** A consumer of a node output: which node, and which of its inputs. */
export interface Consumer {
  readonly node: Node;
  readonly inputIndex: number;
  readonly ref: InputRef;
}

export interface GraphIndex {
  /** name → node */
  readonly byName: ReadonlyMap<string, Node>;
  /** name → position in `graph.nodes` */
  readonly position: ReadonlyMap<string, number>;
  /** node name → its parsed inputs */
  readonly inputs: ReadonlyMap<string, readonly InputRef[]>;
  /** node name → every input (data or control) that refers to it */
  readonly consumers: ReadonlyMap<string, readonly Consumer[]>;
}

const indexes = new WeakMap<Graph | readonly Node[], GraphIndex>();

/**
 * Name → node, read through the position index (one hash map per graph version, not two): a
 * read-only map view that answers like a `Map` of the first node of each name.
 */
class NodesByName implements ReadonlyMap<string, Node> {
  constructor(
    private readonly position: ReadonlyMap<string, number>,
    private readonly nodes: readonly Node[],
  ) {}
  get size(): number {
    return this.position.size;
  }
  get(name: string): Node | undefined {
    const i = this.position.get(name);
    return i === undefined ? undefined : this.nodes[i];
  }
  has(name: string): boolean {
    return this.position.has(name);
  }
  keys(): MapIterator<string> {
    return this.position.keys();
  }
  values(): MapIterator<Node> {
    const { position, nodes } = this;
    return (function* () {
      for (const i of position.values()) yield nodes[i]!;
    })() as unknown as MapIterator<Node>;
  }
  entries(): MapIterator<[string, Node]> {
    const { position, nodes } = this;
    return (function* () {
      for (const [name, i] of position) yield [name, nodes[i]!] as [string, Node];
    })() as unknown as MapIterator<[string, Node]>;
  }
  [Symbol.iterator](): MapIterator<[string, Node]> {
    return this.entries();
  }
  forEach(fn: (value: Node, key: string, map: ReadonlyMap<string, Node>) => void, thisArg?: unknown): void {
    for (const [name, i] of this.position) fn.call(thisArg, this.nodes[i]!, name, this);
  }
}

/**
 * The indexes of one graph version. Names and positions are built at once; parsed inputs and
 * consumers (one object per edge) only when first asked for, since most readers need only names.
 */
class LazyGraphIndex implements GraphIndex {
  readonly byName: ReadonlyMap<string, Node>;
  readonly position = new Map<string, number>();
  private inputsMap: Map<string, InputRef[]> | undefined;
  private consumersMap: Map<string, Consumer[]> | undefined;

  constructor(private readonly nodes: readonly Node[]) {
    const { position } = this;
    for (let i = 0; i < nodes.length; i++) position.set(nodes[i]!.name, i);
    if (position.size !== nodes.length) {
      // A repeated name (rare): the first node of each name keeps it.
      position.clear();
      for (let i = 0; i < nodes.length; i++) {
        const name = nodes[i]!.name;
        if (!position.has(name)) position.set(name, i);
      }
    }
    this.byName = new NodesByName(position, nodes);
  }

  get inputs(): ReadonlyMap<string, readonly InputRef[]> {
    return this.inputsMap ?? this.buildEdges().inputs;
  }

  get consumers(): ReadonlyMap<string, readonly Consumer[]> {
    return this.consumersMap ?? this.buildEdges().consumers;
  }

  /** The consumers when something already asked for them, else undefined (nothing is built). */
  get builtConsumers(): ReadonlyMap<string, readonly Consumer[]> | undefined {
    return this.consumersMap;
  }

  private buildEdges(): { inputs: Map<string, InputRef[]>; consumers: Map<string, Consumer[]> } {
    const inputs = new Map<string, InputRef[]>();
    const consumers = new Map<string, Consumer[]>();
    for (const n of this.nodes) {
      const refs = n.inputs.map(parseInput);
      inputs.set(n.name, refs);
      refs.forEach((ref, inputIndex) => {
        let list = consumers.get(ref.node);
        if (!list) consumers.set(ref.node, (list = []));
        list.push({ node: n, inputIndex, ref });
      });
    }
    this.inputsMap = inputs;
    this.consumersMap = consumers;
    return { inputs, consumers };
  }
}

/** The derived indexes of a graph (or a node list), memoized per instance. */
export function graphIndex(graph: Graph | readonly Node[]): GraphIndex {
  checkGraphShallow('graphIndex', 'graph', graph, true);
  // Keyed by the node list: a graph and its nodes (as the runtime's programs pass them) share one index.
  const nodes = 'nodes' in graph ? graph.nodes : graph;
  let idx = indexes.get(nodes);
  if (idx) return idx;
  idx = new LazyGraphIndex(nodes);
  indexes.set(nodes, idx);
  return idx;
}

/** The consumers index of `graph` when it is already built (by any reader), else undefined. */
export function builtConsumers(graph: Graph | readonly Node[]): ReadonlyMap<string, readonly Consumer[]> | undefined {
  const idx = indexes.get('nodes' in graph ? graph.nodes : graph);
  return idx instanceof LazyGraphIndex ? idx.builtConsumers : undefined;
}

/** The node called `name`, or undefined. */
export function getNode(graph: Graph, name: string): Node | undefined {
  return graphIndex(graph).byName.get(name);
}

/** Nodes that consume `name` (any output, data or control). */
export function consumersOf(graph: Graph, name: string): readonly Consumer[] {
  return graphIndex(graph).consumers.get(name) ?? [];
}

/** Counts nodes by op. */
export function opCounts(nodes: readonly Node[]): Map<string, number> {
  if (!Array.isArray(nodes)) throw badArgument('opCounts', 'nodes', 'an array of nodes', nodes);
  const m = new Map<string, number>();
  for (const n of nodes) m.set(n.op, (m.get(n.op) ?? 0) + 1);
  return m;
}
