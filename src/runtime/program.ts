/**
 * Programs: a graph prepared for running. The main graph is used as it is; a library function's
 * body becomes a node list whose function-body edge names (`node:out_arg:index`) are rewritten to
 * flat ports (`node:port`), with one `_Arg` node per input argument and its outputs as `node:port`.
 */
import { GraftError } from '../errors';
import type { Consumer, FunctionDef, FunctionLibrary, Graph } from '../ir/graph';
import { graphIndex } from '../ir/graph';
import { type InputRef, type Node, makeNode, parseInput } from '../ir/node';
import { attr } from '../ir/attr';
import { flatOutputIndex } from '../ir/op-outputs';
import { isStatefulOp } from '../ir/op-facts';
import { executionOrder } from '../ir/topo';

/** A graph or function body ready to run. */
export interface Program {
  /** '' for a graph, else the function's name. */
  readonly name: string;
  readonly nodes: readonly Node[];
  readonly byName: ReadonlyMap<string, Node>;
  readonly inputs: ReadonlyMap<string, readonly InputRef[]>;
  readonly consumers: ReadonlyMap<string, readonly Consumer[]>;
  readonly library: FunctionLibrary;
  /** For functions: the `_Arg` node of each input argument, in order. */
  readonly args: readonly string[];
  /** For functions: each output argument's tensor, in order. */
  readonly rets: readonly InputRef[];
  /** For functions: the nodes of its control outputs (`control_ret`), which run with every call. */
  readonly controlRets: readonly string[];
  /**
   * Nodes whose outputs are the same on every run: constants, and pure ops computed only from
   * them (a `Dequantize` of quantized weights, a `Cast` of half weights). A session computes them
   * once, as TensorFlow's own graph optimizer would fold them.
   */
  readonly constantNodes: ReadonlySet<string>;
}

/** Ops whose value can change between runs even with constant inputs, or that feeds may replace. */
const NEVER_CONSTANT = /^(Placeholder|PlaceholderWithDefault|_Arg|Enter|RefEnter|Exit|RefExit|Merge|RefMerge|Switch|RefSwitch|NextIteration|RefNextIteration|LoopCond|NoOp|PartitionedCall|StatefulPartitionedCall|If|StatelessIf|While|StatelessWhile|Case|StatelessCase)$|Random|Variable|VarHandle|Assign|Print|Assert/;

function constantNodeSet(nodes: readonly Node[], inputs: ReadonlyMap<string, readonly InputRef[]>): Set<string> {
  const constant = new Set<string>();
  for (const n of executionOrder(nodes).order) {
    if (NEVER_CONSTANT.test(n.op) || isStatefulOp(n.op)) continue;
    const refs = inputs.get(n.name) ?? [];
    if (n.op === 'Const' ? refs.length === 0 : refs.length > 0 && refs.every((r) => constant.has(r.node))) constant.add(n.name);
  }
  return constant;
}

const graphPrograms = new WeakMap<Graph, Program>();
const functionPrograms = new WeakMap<FunctionDef, Program>();
const libraryIndex = new WeakMap<FunctionLibrary, Map<string, FunctionDef>>();

function makeProgram(name: string, nodes: readonly Node[], library: FunctionLibrary, args: string[], rets: InputRef[], controlRets: string[] = []): Program {
  const idx = graphIndex(nodes);
  return { name, nodes, byName: idx.byName, inputs: idx.inputs, consumers: idx.consumers, library, args, rets, controlRets, constantNodes: constantNodeSet(nodes, idx.inputs) };
}

/** The program of a whole graph. */
export function graphProgram(graph: Graph): Program {
  let p = graphPrograms.get(graph);
  if (!p) {
    p = makeProgram('', graph.nodes, graph.library, [], []);
    graphPrograms.set(graph, p);
  }
  return p;
}

/** The function called `name` in the library, or undefined. */
export function findFunction(library: FunctionLibrary, name: string): FunctionDef | undefined {
  let m = libraryIndex.get(library);
  if (!m) {
    m = new Map(library.functions.map((f) => [f.signature.name, f]));
    libraryIndex.set(library, m);
  }
  return m.get(name);
}

interface ArgDef {
  readonly name?: string;
}

/** The program of a library function (cached per FunctionDef). */
export function functionProgram(fn: FunctionDef, library: FunctionLibrary): Program {
  let p = functionPrograms.get(fn);
  if (p) return p;
  const fname = fn.signature.name;
  const inArgs = ((fn.signature.input_arg as ArgDef[] | undefined) ?? []).map((a) => a.name ?? '');
  const outArgs = ((fn.signature.output_arg as ArgDef[] | undefined) ?? []).map((a) => a.name ?? '');
  const bodyByName = new Map(fn.nodes.map((n) => [n.name, n]));
  const argSet = new Set(inArgs);
  const flat = (input: string, where: string): string => {
    const ref = parseInput(input);
    if (ref.control) return `^${ref.node}`;
    if (ref.outputArg === undefined) {
      if (argSet.has(ref.node) || bodyByName.has(ref.node)) return ref.port === 0 ? ref.node : `${ref.node}:${ref.port}`;
      throw new GraftError('graph/dangling-input', `Function '${fname}', node '${where}': unknown input '${input}'`, { node: where });
    }
    const producer = bodyByName.get(ref.node);
    if (!producer) throw new GraftError('graph/dangling-input', `Function '${fname}', node '${where}': unknown input '${input}'`, { node: where });
    const port = flatOutputIndex(producer, ref.outputArg, ref.port);
    if (port === undefined) {
      throw new GraftError('runtime/unsupported-op', `Function '${fname}': cannot map output '${ref.outputArg}' of ${producer.op} node '${producer.name}' to a port`, {
        node: producer.name,
        op: producer.op,
      });
    }
    return port === 0 ? ref.node : `${ref.node}:${port}`;
  };
  const nodes: Node[] = inArgs.map((name, i) => makeNode({ name, op: '_Arg', attrs: { index: attr.i(i) } }));
  for (const n of fn.nodes) {
    nodes.push(makeNode({ name: n.name, op: n.op, inputs: n.inputs.map((i) => flat(i, n.name)), device: n.device, attrs: { ...n.attrs } }));
  }
  const rets = outArgs.map((o) => {
    const r = fn.ret[o];
    if (r === undefined) throw new GraftError('graph/missing-node', `Function '${fname}': output '${o}' has no ret entry`);
    return parseInput(flat(r, `ret ${o}`));
  });
  const controlRets = [...new Set(Object.values(fn.controlRet ?? {}).map((n) => parseInput(n).node))].filter((n) => bodyByName.has(n));
  p = makeProgram(fname, nodes, library, inArgs, rets, controlRets);
  functionPrograms.set(fn, p);
  return p;
}
