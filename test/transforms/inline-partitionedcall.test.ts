/**
 * inline_partitionedcall: TensorFlow's inline_partitionedcall_test (a PartitionedCall into
 * `__inference_simple_add_14(x, y) = x * y + c`, result 9 nodes, no call left, graph valid), then
 * the cases where graft does better than TensorFlow (documented in the transform's file).
 */
import { describe, expect, it } from 'vitest';
import { attr } from '../../src/ir/attr';
import type { FunctionDef, Graph } from '../../src/ir/graph';
import { makeNode } from '../../src/ir/node';
import { makeTensor, tensorToNumbers } from '../../src/ir/tensor';
import { validateGraph } from '../../src/ir/validate';
import { inlinePartitionedCall } from '../../src/transforms/inline-partitionedcall';
import { graphBuilder, nodeOf, snapshot } from '../helpers/graph-builder';
import { run } from '../helpers/context';
import { expectSameOutputs } from '../helpers/numeric';

const F = attr.type('float');
const ERR = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('expected an error');
};

// x * y + 1.5, written as TensorFlow writes function bodies (`node:out_arg:i` inputs).
const simpleAdd: FunctionDef = {
  signature: { name: '__inference_simple_add_14', input_arg: [{ name: 'x', type: 1 }, { name: 'y', type: 1 }], output_arg: [{ name: 'identity', type: 1 }] },
  attrs: {},
  nodes: [
    makeNode({ name: 'mul', op: 'Mul', inputs: ['x', 'y'], attrs: { T: F } }),
    makeNode({ name: 'add/y', op: 'Const', attrs: { dtype: F, value: attr.tensor(makeTensor('float', [], [1.5])) } }),
    makeNode({ name: 'add', op: 'AddV2', inputs: ['mul:z:0', 'add/y:output:0'], attrs: { T: F } }),
    makeNode({ name: 'Identity', op: 'Identity', inputs: ['add:z:0'], attrs: { T: F } }),
  ],
  ret: { identity: 'Identity:output:0' },
  controlRet: {},
};

/** TensorFlow's test graph: y, sub/y, PartitionedCall(y, sub/y), add/y, add, Identity. */
function tfGraph(op = 'PartitionedCall', callControls: string[] = []): Graph {
  const b = graphBuilder();
  b.placeholder('y', 'float', [2]);
  b.const('sub/y', makeTensor('float', [], [3]));
  b.op('NoOp', [], {}, 'dep');
  b.op(op, ['y', 'sub/y', ...callControls], { f: attr.func('__inference_simple_add_14'), Tin: attr.list({ type: ['float', 'float'] }), Tout: attr.list({ type: ['float'] }) }, 'PartitionedCall');
  b.const('add/y', makeTensor('float', [], [10]));
  b.op('AddV2', ['PartitionedCall', 'add/y'], { T: F }, 'add');
  b.op('Identity', ['add'], { T: F }, 'Identity');
  return b.graph({ library: { functions: [simpleAdd] } });
}

describe('inline_partitionedcall (TensorFlow inline_partitionedcall_test)', () => {
  it('inlines the call: no PartitionedCall left, TF node count (+ our NoOp), valid, same values', async (t) => {
    const g = tfGraph();
    const before = snapshot(g);
    const { graph: out, ctx } = run(inlinePartitionedCall, g, {}, { inputs: ['y'], outputs: ['Identity'] });
    expect(out.nodes.some((n) => n.op === 'PartitionedCall')).toBe(false);
    expect(out.nodes.length).toBe(9 + 1); // TensorFlow's 9, plus the test's extra NoOp 'dep'
    expect(validateGraph(out)).toEqual([]);
    expect(nodeOf(out, 'PartitionedCall/mul').inputs).toEqual(['y', 'sub/y']);
    expect(nodeOf(out, 'PartitionedCall/add').inputs).toEqual(['PartitionedCall/mul', 'PartitionedCall/add/y']);
    expect(nodeOf(out, 'add').inputs).toEqual(['PartitionedCall/Identity', 'add/y']);
    expect(ctx.counters.get('inlined')).toBe(1);
    expect(snapshot(g)).toBe(before);
    const [r] = await expectSameOutputs(t, g, out, ['Identity'], { feeds: { y: makeTensor('float', [2], [1, 2]) } });
    expect(tensorToNumbers(r!)).toEqual([1 * 3 + 1.5 + 10, 2 * 3 + 1.5 + 10]);
  });

  it('inlines StatefulPartitionedCall by default; stateful=false leaves it, as TensorFlow', () => {
    const g = tfGraph('StatefulPartitionedCall');
    expect(run(inlinePartitionedCall, g, {}, { outputs: ['Identity'] }).graph.nodes.some((n) => n.op === 'StatefulPartitionedCall')).toBe(false);
    expect(run(inlinePartitionedCall, g, { stateful: false }, { outputs: ['Identity'] }).graph).toBe(g);
  });

  it("errors: no f attribute, a function missing from the library, an argument count that differs", () => {
    const b = graphBuilder();
    b.placeholder('y', 'float', []);
    b.op('PartitionedCall', ['y'], {}, 'call');
    expect(ERR(() => run(inlinePartitionedCall, b.graph())).message).toContain('Node call has no attribute: f');
    const g = tfGraph();
    const noFn = { ...g, library: { functions: [] } } as Graph;
    expect(ERR(() => run(inlinePartitionedCall, noFn)).message).toContain('function __inference_simple_add_14 not found');
    const b2 = graphBuilder();
    b2.placeholder('y', 'float', []);
    b2.op('PartitionedCall', ['y'], { f: attr.func('__inference_simple_add_14') }, 'call');
    const e = ERR(() => run(inlinePartitionedCall, b2.graph({ library: { functions: [simpleAdd] } })));
    expect(e.code).toBe('transform/failed');
    expect(e.message).toContain('passes 1 inputs');
  });

  it("control inputs: the call's go to the body's entry nodes; ^call consumers wait for the results", () => {
    const b = graphBuilder();
    b.placeholder('y', 'float', [2]);
    b.const('sub/y', makeTensor('float', [], [3]));
    b.op('NoOp', [], {}, 'dep');
    b.op('PartitionedCall', ['y', 'sub/y', '^dep'], { f: attr.func('__inference_simple_add_14') }, 'PartitionedCall');
    b.op('NoOp', ['^PartitionedCall'], {}, 'after');
    const { graph: out } = run(inlinePartitionedCall, b.graph({ library: { functions: [simpleAdd] } }), {}, { outputs: ['after'] });
    expect(nodeOf(out, 'PartitionedCall/mul').inputs).toEqual(['y', 'sub/y', '^dep']);
    expect(nodeOf(out, 'PartitionedCall/add/y').inputs).toEqual(['^dep']);
    expect(nodeOf(out, 'after').inputs).toEqual(['^PartitionedCall/Identity']);
    expect(validateGraph(out)).toEqual([]);
  });

  it('a call that is a pipeline output keeps its name (as Identity of the result)', () => {
    const { graph: out } = run(inlinePartitionedCall, tfGraph(), {}, { outputs: ['PartitionedCall'] });
    expect(nodeOf(out, 'PartitionedCall')).toMatchObject({ op: 'Identity', inputs: ['PartitionedCall/Identity'] });
  });

  it('nested calls are inlined too', async (t) => {
    const outer: FunctionDef = {
      signature: { name: 'outer', input_arg: [{ name: 'a', type: 1 }], output_arg: [{ name: 'r', type: 1 }] },
      attrs: {},
      nodes: [
        makeNode({ name: 'two', op: 'Const', attrs: { dtype: F, value: attr.tensor(makeTensor('float', [], [2])) } }),
        makeNode({ name: 'inner', op: 'PartitionedCall', inputs: ['a', 'two:output:0'], attrs: { f: attr.func('__inference_simple_add_14') } }),
      ],
      ret: { r: 'inner:output:0' },
      controlRet: {},
    };
    const b = graphBuilder();
    b.placeholder('x', 'float', [2]);
    b.op('PartitionedCall', ['x'], { f: attr.func('outer') }, 'call');
    b.op('Identity', ['call'], { T: F }, 'out');
    const g = b.graph({ library: { functions: [simpleAdd, outer] } });
    const { graph: out, ctx } = run(inlinePartitionedCall, g, {}, { outputs: ['out'] });
    expect(out.nodes.map((n) => n.op)).not.toContain('PartitionedCall');
    expect(ctx.counters.get('inlined')).toBe(2);
    expect(nodeOf(out, 'out').inputs).toEqual(['call/inner/Identity']);
    const [r] = await expectSameOutputs(t, g, out, ['out'], { feeds: { x: makeTensor('float', [2], [1, 4]) } });
    expect(tensorToNumbers(r!)).toEqual([1 * 2 + 1.5, 4 * 2 + 1.5]);
  });

  it('returns the same graph when there is no call', () => {
    const b = graphBuilder();
    b.const('a', 1);
    const g = b.graph();
    expect(run(inlinePartitionedCall, g).graph).toBe(g);
  });
});
