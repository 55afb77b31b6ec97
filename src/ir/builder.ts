/**
 * Building graphs in code, so that the code reads like the graph:
 *
 * ```ts
 * const b = graphBuilder();
 * const x = b.placeholder('x', 'float', [-1, 3]);
 * const w = b.const('w', makeTensor('float', [3, 2], [1, 2, 3, 4, 5, 6]));
 * b.op('MatMul', [x, w], { T: attr.type('float') }, 'y');
 * const graph = b.graph();
 * ```
 *
 * Every method returns the new node's name, usable as an input (`${name}:1`, `^${name}` too).
 */
import { attr, type AttrValue } from './attr';
import type { DType } from './dtype';
import { type FunctionLibrary, type Graph, type Versions, makeGraph } from './graph';
import { type Node, makeNode } from './node';
import { type Tensor, makeTensor } from './tensor';

export interface NodeOptions {
  readonly device?: string;
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
  /** The graph built so far. */
  graph(rest?: { library?: FunctionLibrary; versions?: Versions | null }): Graph;
}

/** A new graph builder. */
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
