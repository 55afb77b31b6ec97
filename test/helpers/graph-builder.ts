/**
 * Test helpers around graft's graph builder (`src/ir/builder.ts`), which builds graphs that read
 * like the graph:
 *
 * ```ts
 * const b = graphBuilder();
 * const x = b.placeholder('x', 'float', [1, 3]);
 * const w = b.const('w', makeTensor('float', [3], [1, 2, 3]));
 * b.op('Add', [x, w], { T: attr.type('float') }, 'add');
 * const graph = b.graph();
 * ```
 */
import { attr } from '../../src/ir/attr';
import type { DType } from '../../src/ir/dtype';
import type { Graph } from '../../src/ir/graph';
import type { Node } from '../../src/ir/node';
import { type Tensor, makeTensor } from '../../src/ir/tensor';
import { graphBuilder } from '../../src/ir/builder';

export { graphBuilder, type GraphBuilder, type NodeOptions } from '../../src/ir/builder';

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
