/**
 * A small DSL for building test graphs that read like the graph:
 *
 * ```ts
 * const b = graphBuilder();
 * const x = b.placeholder('x', 'float', [1, 3]);
 * const w = b.const('w', makeTensor('float', [3], [1, 2, 3]));
 * b.op('Add', [x, w], { T: attr.type('float') }, 'add');
 * const graph = b.graph();
 * ```
 *
 * Every method returns the new node's name, usable as an input (`${name}:1`, `^${name}` too).
 */
import { attr, type AttrValue } from '../../src/ir/attr';
import type { DType } from '../../src/ir/dtype';
import { type Graph, type FunctionLibrary, type Versions, makeGraph } from '../../src/ir/graph';
import { type Node, makeNode } from '../../src/ir/node';
import { type Tensor, makeTensor } from '../../src/ir/tensor';

export interface NodeOptions {
  device?: string;
}

export interface GraphBuilder {
  /** Adds a node of any op. Without a name, one is made from the op (`Add_1`). */
  op(op: string, inputs?: readonly string[], attrs?: Record<string, AttrValue>, name?: string, options?: NodeOptions): string;
  /** A `Placeholder` with `dtype` and `shape` (`null`: unknown rank; omitted: no shape attr). */
  placeholder(name: string, dtype: DType, shape?: readonly number[] | null): string;
  /** A `Const`; a number makes a float scalar. */
  const(name: string, value: Tensor | number, options?: NodeOptions): string;
  /** Adds a prebuilt node. */
  add(node: Node): string;
  graph(rest?: { library?: FunctionLibrary; versions?: Versions | null }): Graph;
}

export function graphBuilder(): GraphBuilder {
  const nodes: Node[] = [];
  const counts = new Map<string, number>();
  const uniqueName = (op: string): string => {
    const k = (counts.get(op) ?? 0) + 1;
    counts.set(op, k);
    return `${op}_${k}`;
  };
  const b: GraphBuilder = {
    op(op, inputs = [], attrs = {}, name, options = {}) {
      const n = makeNode({ name: name ?? uniqueName(op), op, inputs, attrs, device: options.device ?? '' });
      nodes.push(n);
      return n.name;
    },
    placeholder(name, dtype, shape) {
      const attrs: Record<string, AttrValue> = { dtype: attr.type(dtype) };
      if (shape !== undefined) attrs.shape = attr.shape(shape);
      return b.op('Placeholder', [], attrs, name);
    },
    const(name, value, options) {
      const t = typeof value === 'number' ? makeTensor('float', [], [value]) : value;
      return b.op('Const', [], { dtype: attr.type(t.dtype), value: attr.tensor(t) }, name, options);
    },
    add(node) {
      nodes.push(node);
      return node.name;
    },
    graph(rest = {}) {
      return makeGraph(nodes, rest);
    },
  };
  return b;
}

/** A float tensor 1..n (TF tests' `test::FillIota<float>(&t, 1)`), or from `start`. */
export function iota(n: number, start = 1, dtype: DType = 'float'): Tensor {
  return makeTensor(dtype, [n], Array.from({ length: n }, (_, i) => start + i));
}

/** Names of a graph's nodes, in order. */
export function nodeNames(graph: Graph): string[] {
  return graph.nodes.map((n) => n.name);
}

/** The node called `name` (throws in a test when missing). */
export function nodeOf(graph: Graph, name: string): Node {
  const n = graph.nodes.find((x) => x.name === name);
  if (!n) throw new Error(`test: no node '${name}' in [${nodeNames(graph).join(', ')}]`);
  return n;
}

/** A deterministic text of a whole graph, to check a transform did not mutate its input. */
export function snapshot(graph: Graph): string {
  return JSON.stringify(graph, (_k, v: unknown) => {
    if (typeof v === 'bigint') return `${v}n`;
    if (v instanceof Uint8Array) return `bytes:${Array.from(v).join(',')}`;
    return v;
  });
}

/** TF's name oracle: no `*_expect_removed` survives and each `*_expect_remains` is there once. */
export function checkNameOracle(before: Graph, after: Graph): string[] {
  const problems: string[] = [];
  const names = nodeNames(after);
  for (const n of names) if (n.endsWith('expect_removed')) problems.push(`${n} survived`);
  for (const n of nodeNames(before)) {
    if (n.endsWith('expect_remains') && names.filter((x) => x === n).length !== 1) problems.push(`${n} missing`);
  }
  return problems;
}

/** A TF1 while loop: i = 0; while i < 10: i += 1. */
export function tf1WhileLoop(): Graph {
  const b = graphBuilder();
  b.const('zero', 0);
  b.op('Enter', ['zero'], { frame_name: attr.s('while') }, 'while/Enter');
  b.op('Merge', ['while/Enter', 'while/NextIteration'], { N: attr.i(2) }, 'while/Merge');
  b.op('Const', ['^while/Merge'], {}, 'while/limit');
  b.op('Less', ['while/Merge', 'while/limit'], {}, 'while/Less');
  b.op('LoopCond', ['while/Less'], {}, 'while/LoopCond');
  b.op('Switch', ['while/Merge', 'while/LoopCond'], {}, 'while/Switch');
  b.op('Identity', ['while/Switch:1'], {}, 'while/Identity');
  b.op('Const', ['^while/Identity'], {}, 'while/one');
  b.op('Add', ['while/Identity', 'while/one'], {}, 'while/add');
  b.op('NextIteration', ['while/add'], {}, 'while/NextIteration');
  b.op('Exit', ['while/Switch'], {}, 'exit');
  return b.graph();
}
