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
import type { Graph } from '../../src/ir/graph';
import { graphBuilder } from '../../src/ir/builder';

// The public testing kit (tf-graft/testing), plus what only graft's own tests use below.
export { checkNameOracle, graphBuilder, iota, nodeNames, nodeOf, snapshot, type GraphBuilder, type NodeOptions } from '../../src/testing/index';

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
