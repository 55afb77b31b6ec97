import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { attr, type AttrValue } from '../../src/ir/attr';
import type { DType } from '../../src/ir/dtype';
import { type Graph, withNodes } from '../../src/ir/graph';
import { type Node, makeNode, parseInput } from '../../src/ir/node';
import { type Tensor, makeTensor, tensorToNumbers } from '../../src/ir/tensor';
import { readGraphDefBytes } from '../../src/io/graphdef';
import { createKernelRegistry, type KernelRegistry, missingKernels, runGraph } from '../../src/runtime/index';
import { seededFeeds, seededTensor } from '../../src/runtime/feeds';
import type { ParamInput } from '../../src/transform/define';
import { DEFAULT_MAX_CONSTANT_SIZE_IN_BYTES, foldConstants } from '../../src/transforms/fold-constants';
import { type TestContext, runAsync, withDefaults } from '../helpers/context';
import { checkNameOracle, graphBuilder, iota, nodeNames, nodeOf, snapshot, tf1WhileLoop } from '../helpers/graph-builder';
import { HAVE_MODELS, SKIP_REASON, modelPath } from '../helpers/models';

type Params = ParamInput<typeof foldConstants.params>;

const F = { T: attr.type('float') };
const T = (dtype: DType): Record<string, AttrValue> => ({ T: attr.type(dtype) });

/** Runs fold_constants (it is async: it evaluates nodes with the runtime). */
const fold = (graph: Graph, params: Params = {}, io: { inputs?: string[]; outputs?: string[] } = {}): Promise<{ graph: Graph; ctx: TestContext }> =>
  runAsync(foldConstants, graph, params, io);

/** TF's TestConstantFolding: run before and after with the same feeds, compare within 1e-5. */
async function expectSameOutputs(before: Graph, after: Graph, feeds: Record<string, Tensor>, fetches: string[], kernels?: KernelRegistry): Promise<void> {
  const opts = kernels ? { kernels } : {};
  const a = await runGraph(before, feeds, fetches, opts);
  const b = await runGraph(after, feeds, fetches, opts);
  expect(b.length).toBe(a.length);
  a.forEach((t, i) => {
    expect(b[i]!.shape).toEqual(t.shape);
    const x = tensorToNumbers(t);
    const y = tensorToNumbers(b[i]!);
    expect(y.length).toBe(x.length);
    x.forEach((v, j) => expect(Math.abs(y[j]! - v)).toBeLessThanOrEqual(1e-5));
  });
}

const newConsts = (g: Graph): Node[] => g.nodes.filter((n) => n.name.includes('__cf__'));
const valueOf = (n: Node): Tensor => (n.attrs['value'] as { value: Tensor }).value;
const codes = (ctx: TestContext): string[] => ctx.reports.map((d) => d.code);

/** F1's graph: output = (a + b) * placeholder, with a = b = 1..100. */
function simpleAdd(suffix: (base: string, removed: boolean) => string = (b, r) => `${b}_expect_${r ? 'removed' : 'remains'}`) {
  const b = graphBuilder();
  const a = b.const(suffix('a', true), iota(100));
  const c = b.const(suffix('b', true), iota(100));
  const add = b.op('Add', [a, c], F, suffix('add', true));
  const p = b.placeholder(suffix('placeholder', false), 'float');
  const out = b.op('Mul', [add, p], F, suffix('output', false));
  return { graph: b.graph(), add, placeholder: p, output: out };
}

describe('fold_constants: TensorFlow tests (fold_constants_test.cc)', () => {
  for (const withPorts of [false, true]) {
    it(`F1 TestSimpleAdd${withPorts ? ' (inputs and outputs with :0)' : ''}`, async () => {
      const { graph, placeholder, output } = simpleAdd();
      const before = snapshot(graph);
      const port = withPorts ? ':0' : '';
      const { graph: out, ctx } = await fold(graph, {}, { inputs: [placeholder + port], outputs: [output + port] });
      expect(snapshot(graph)).toBe(before);
      expect(checkNameOracle(graph, out)).toEqual([]);
      const [c] = newConsts(out);
      expect(newConsts(out)).toHaveLength(1);
      expect(c!.name).toMatch(/^add_expect_removed\/.*__cf__/);
      expect(c!.op).toBe('Const');
      expect(tensorToNumbers(valueOf(c!))).toEqual(Array.from({ length: 100 }, (_, i) => 2 * (i + 1)));
      expect(nodeOf(out, output).inputs[0]).toBe(c!.name);
      expect(nodeNames(out).sort()).toEqual([c!.name, 'output_expect_remains', 'placeholder_expect_remains'].sort());
      await expectSameOutputs(graph, out, { [placeholder]: iota(100) }, [output + port]);
      // 800 bytes of a and b dropped, 400 bytes of folded sum added.
      expect(Object.fromEntries(ctx.counters)).toEqual({ folded: 1, removed: 3, constants: 1, bytes_saved: 400 });
    });
  }

  it('F2 TestOpExclusionAdd: exclude_op=Add folds nothing', async () => {
    const { graph, placeholder, output } = simpleAdd((b) => `${b}_expect_remains`);
    const { graph: out, ctx } = await fold(graph, { excludeOp: ['Add'] }, { inputs: [placeholder], outputs: [output] });
    expect(out).toBe(graph);
    expect(checkNameOracle(graph, out)).toEqual([]);
    expect(ctx.counters.size).toBe(0);
  });

  it('F3 TestShapePropagation: Shape of an int32 constant, then Cast', async () => {
    const b = graphBuilder();
    const p = b.placeholder('placeholder_expect_remains', 'float');
    b.const('a_expect_removed', makeTensor('int32', [1, 1, 3], [1, 1, 1]));
    b.op('Shape', ['a_expect_removed'], { ...T('int32'), out_type: attr.type('int32') }, 'shape_expect_removed');
    b.op('Cast', ['shape_expect_removed'], { SrcT: attr.type('int32'), DstT: attr.type('float') }, 'cast_expect_removed');
    const output = b.op('Mul', ['cast_expect_removed', p], F, 'output_expect_remains');
    const graph = b.graph();
    const { graph: out } = await fold(graph, {}, { inputs: [p], outputs: [output] });
    expect(checkNameOracle(graph, out)).toEqual([]);
    const c = nodeOf(out, nodeOf(out, output).inputs[0]!);
    expect(c.op).toBe('Const');
    expect(valueOf(c).dtype).toBe('float');
    expect(valueOf(c).shape).toEqual([3]);
    expect(tensorToNumbers(valueOf(c))).toEqual([1, 1, 3]);
    await expectSameOutputs(graph, out, { [p]: makeTensor('float', [3], [1, 2, 3]) }, [output]);
  });

  /** F4's graph: Shape of a placeholder whose shape only `_output_shapes` knows. */
  function preserveOutputShapes(): Graph {
    const b = graphBuilder();
    b.op('Placeholder', [], { dtype: attr.type('float'), _output_shapes: attr.list({ shape: [{ dims: [1, 1, 3], unknownRank: false }] }) }, 'placeholder_expect_remains');
    b.op('Shape', ['placeholder_expect_remains'], { ...T('float'), out_type: attr.type('int32') }, 'shape_expect_removed');
    b.op('Cast', ['shape_expect_removed'], { SrcT: attr.type('int32'), DstT: attr.type('float') }, 'cast_expect_removed');
    b.op('Mul', ['cast_expect_removed', 'placeholder_expect_remains'], F, 'output_expect_remains');
    return b.graph();
  }

  it('F4 TestPreserveOutputShapes: clear_output_shapes=false uses _output_shapes as a shape hint', async () => {
    const graph = preserveOutputShapes();
    const io = { inputs: ['placeholder_expect_remains'], outputs: ['output_expect_remains'] };
    const { graph: out } = await fold(graph, { clearOutputShapes: false }, io);
    expect(checkNameOracle(graph, out)).toEqual([]);
    const c = nodeOf(out, nodeOf(out, 'output_expect_remains').inputs[0]!);
    expect(c.op).toBe('Const');
    expect(tensorToNumbers(valueOf(c))).toEqual([1, 1, 3]);
    // The placeholder's value is not needed, but the Const still waits for it, as in TF.
    expect(c.inputs).toEqual(['^placeholder_expect_remains']);
    expect(nodeOf(out, 'placeholder_expect_remains').attrs['_output_shapes']).toBeDefined();
    await expectSameOutputs(graph, out, { placeholder_expect_remains: makeTensor('float', [1, 1, 3], [1, 2, 3]) }, ['output_expect_remains']);
  });

  it('F4 (default clear_output_shapes=true): the hint is dropped, Shape and Cast remain, _output_shapes are removed', async () => {
    const graph = preserveOutputShapes();
    const { graph: out } = await fold(graph, {}, { inputs: ['placeholder_expect_remains'], outputs: ['output_expect_remains'] });
    expect(nodeNames(out)).toEqual(nodeNames(graph));
    expect(out).not.toBe(graph);
    expect(out.nodes.some((n) => '_output_shapes' in n.attrs)).toBe(false);
  });

  it('F5 TestReplaceSendRecvs: existing _Send/_Recv nodes and the fed placeholder come out as they went in', async () => {
    const b = graphBuilder();
    b.op('_Recv', [], { tensor_type: attr.type('float') }, 'original_recv');
    b.const('a_const', iota(100));
    b.placeholder('placeholder', 'float');
    b.op('_Send', ['a_const'], F, 'original_send');
    const graph = b.graph();
    const { graph: out } = await fold(graph, {}, { inputs: ['placeholder'], outputs: ['a_const'] });
    expect(out).toBe(graph);
    expect(nodeNames(out)).toEqual(['original_recv', 'a_const', 'placeholder', 'original_send']);
  });

  it('F6 TestReplaceSendRecvsPrefixNames: inputs that prefix each other keep their names and edges', async () => {
    const b = graphBuilder();
    b.placeholder('placeholder', 'float');
    b.placeholder('placeholder_1', 'float');
    b.op('Add', ['placeholder', 'placeholder_1'], F, 'add');
    const graph = b.graph();
    const { graph: out } = await fold(graph, {}, { inputs: ['placeholder', 'placeholder_1'], outputs: ['add'] });
    expect(out).toBe(graph);
    expect(nodeOf(out, 'add').inputs).toEqual(['placeholder', 'placeholder_1']);
  });

  it('F7 TestRemoveUnusedNodes: what folding makes unused goes; an unrelated unused Const stays (not pruned, unlike TF)', async () => {
    const b = graphBuilder();
    b.const('a', iota(100));
    b.const('b', iota(100));
    b.op('Add', ['a', 'b'], F, 'add');
    b.placeholder('placeholder', 'float');
    b.op('Mul', ['add', 'placeholder'], F, 'output');
    b.const('unused', iota(100));
    const graph = b.graph();
    const { graph: out } = await fold(graph, {}, { inputs: ['placeholder'], outputs: ['output'] });
    const names = nodeNames(out);
    expect(names).toContain('placeholder');
    expect(names).toContain('output');
    expect(names).toContain('unused');
    for (const gone of ['a', 'b', 'add']) expect(names).not.toContain(gone);
  });

  it('F8 TestMaxConstantSizeInBytes: a 400-byte sum over a 10-byte budget is not folded', async () => {
    const { graph, placeholder, output } = simpleAdd((b) => `${b}_expect_remains`);
    const { graph: out, ctx } = await fold(graph, { maxConstantSizeInBytes: 10 }, { inputs: [placeholder], outputs: [output] });
    expect(out).toBe(graph);
    expect(checkNameOracle(graph, out)).toEqual([]);
    expect(ctx.reports).toEqual([expect.objectContaining({ code: 'fold_constants/over-budget', node: 'add_expect_remains' })]);
  });
});

describe('fold_constants: TF behaviour the spec lists, and where graft does better', () => {
  it('an output that is itself foldable keeps its name and op (outputs are never replaced)', async () => {
    const b = graphBuilder();
    b.const('a', iota(4));
    b.const('b', iota(4));
    b.op('Add', ['a', 'b'], F, 'out');
    const graph = b.graph();
    const { graph: out } = await fold(graph, {}, { outputs: ['out'] });
    expect(out).toBe(graph);
  });

  it("what an output reads is folded, the output node stays (TF keeps the output's whole constant ancestry)", async () => {
    const b = graphBuilder();
    b.const('a', iota(4));
    b.const('b', iota(4));
    b.op('Mul', ['a', 'b'], F, 'mul');
    b.op('Neg', ['a'], F, 'neg');
    b.op('Add', ['mul', 'neg'], F, 'out');
    const graph = b.graph();
    const { graph: out } = await fold(graph, {}, { outputs: ['out'] });
    const o = nodeOf(out, 'out');
    expect(o.op).toBe('Add');
    expect(o.inputs.map((s) => nodeOf(out, s).op)).toEqual(['Const', 'Const']);
    expect(nodeNames(out)).not.toContain('mul');
    await expectSameOutputs(graph, out, {}, ['out']);
  });

  it('a folded Const inherits the control dependency on a non-constant node (transitively)', async () => {
    const b = graphBuilder();
    b.op('VariableV2', [], { dtype: attr.type('float'), shape: attr.shape([]) }, 'var');
    b.const('c', iota(3));
    b.op('Identity', ['c', '^var'], F, 'id');
    b.op('Neg', ['id'], F, 'neg');
    b.placeholder('x', 'float', [3]);
    b.op('Mul', ['neg', 'x'], F, 'out');
    const graph = b.graph();
    const { graph: out } = await fold(graph, {}, { inputs: ['x'], outputs: ['out'] });
    const c = nodeOf(out, nodeOf(out, 'out').inputs[0]!);
    expect(c.op).toBe('Const');
    expect(c.inputs).toEqual(['^var']);
    expect(tensorToNumbers(valueOf(c))).toEqual([-1, -2, -3]);
    expect(nodeNames(out)).not.toContain('id');
  });

  it('a control consumer of a dropped node depends on what that node carried', async () => {
    const b = graphBuilder();
    b.placeholder('gate', 'float', []);
    b.const('c', 2);
    b.op('Identity', ['c', '^gate'], F, 'id');
    b.op('Square', ['id'], F, 'sq');
    b.placeholder('x', 'float', []);
    b.op('Mul', ['sq', 'x'], F, 'y');
    b.op('Neg', ['x', '^sq'], F, 'out');
    const graph = b.graph();
    const { graph: out } = await fold(graph, {}, { inputs: ['x', 'gate'], outputs: ['y', 'out'] });
    expect(nodeNames(out)).not.toContain('sq');
    expect(nodeOf(out, 'out').inputs).toEqual(['x', '^gate']);
    expect(nodeOf(out, nodeOf(out, 'y').inputs[0]!).inputs).toEqual(['^gate']);
  });

  it('a stateful op (RandomUniform) blocks folding downstream', async () => {
    const b = graphBuilder();
    b.const('shape', makeTensor('int32', [1], [3]));
    b.op('RandomUniform', ['shape'], { dtype: attr.type('float'), T: attr.type('int32') }, 'rnd');
    b.op('Floor', ['rnd'], F, 'floor');
    b.op('Identity', ['floor'], F, 'out');
    const graph = b.graph();
    const { graph: out } = await fold(graph, {}, { outputs: ['out'] });
    expect(out).toBe(graph);
  });

  it('stateless random ops are not folded either (their streams are not reproducible here)', async () => {
    const b = graphBuilder();
    b.const('shape', makeTensor('int32', [1], [3]));
    b.const('seed', makeTensor('int64', [2], [1, 2]));
    b.op('StatelessRandomUniform', ['shape', 'seed'], { dtype: attr.type('float'), T: attr.type('int32'), Tseed: attr.type('int64') }, 'rnd');
    b.op('Identity', ['rnd'], F, 'out');
    const graph = b.graph();
    expect((await fold(graph, {}, { outputs: ['out'] })).graph).toBe(graph);
  });

  it('a placeholder that is not a listed input is never folded (TF evaluates it and fails, TF #19683)', async () => {
    const b = graphBuilder();
    b.placeholder('phase_train', 'bool', []);
    b.op('LogicalNot', ['phase_train'], {}, 'not');
    b.op('Identity', ['not'], T('bool'), 'out');
    const graph = b.graph();
    const { graph: out, ctx } = await fold(graph, {}, { outputs: ['out'] });
    expect(out).toBe(graph);
    expect(ctx.reports).toEqual([]);
  });

  it('PlaceholderWithDefault is never folded, even with a constant default', async () => {
    const b = graphBuilder();
    b.const('c', iota(2));
    b.op('PlaceholderWithDefault', ['c'], { dtype: attr.type('float'), shape: attr.shape([2]) }, 'p');
    b.op('Neg', ['p'], F, 'neg');
    b.op('Identity', ['neg'], F, 'out');
    const graph = b.graph();
    expect((await fold(graph, {}, { outputs: ['out'] })).graph).toBe(graph);
  });

  it('nothing inside a TF1 while-loop frame is folded; constants outside it are', async () => {
    const loop = tf1WhileLoop();
    const b = graphBuilder();
    for (const n of loop.nodes) b.add(n);
    // Constants hanging off the loop body by a control edge, and a sum of them inside the body.
    b.op('Const', ['^while/Identity'], { dtype: attr.type('float'), value: attr.tensor(makeTensor('float', [], [2])) }, 'while/c1');
    b.op('Const', ['^while/Identity'], { dtype: attr.type('float'), value: attr.tensor(makeTensor('float', [], [5])) }, 'while/c2');
    b.op('Add', ['while/c1', 'while/c2'], F, 'while/csum');
    b.op('Mul', ['while/Identity', 'while/csum'], F, 'while/use');
    b.const('k1', 3);
    b.const('k2', 4);
    b.op('Add', ['k1', 'k2'], F, 'k');
    b.op('Mul', ['exit', 'k'], F, 'out');
    const graph = b.graph();
    const { graph: out } = await fold(graph, {}, { outputs: ['out'] });
    for (const n of graph.nodes) if (n.name.startsWith('while/')) expect(nodeOf(out, n.name)).toBe(n);
    expect(nodeNames(out)).not.toContain('k');
    const c = nodeOf(out, nodeOf(out, 'out').inputs[1]!);
    expect(tensorToNumbers(valueOf(c))).toEqual([7]);
  });

  it('exclude_node keeps one node unfolded and reports nothing', async () => {
    const { graph, placeholder, output } = simpleAdd((b) => b);
    const { graph: out, ctx } = await fold(graph, { excludeNode: ['add'] }, { inputs: [placeholder], outputs: [output] });
    expect(out).toBe(graph);
    expect(ctx.reports).toEqual([]);
  });

  it('an Identity of a Const is rewired to that Const, not copied (weights keep their names)', async () => {
    const b = graphBuilder();
    b.const('w', iota(3));
    b.op('Identity', ['w'], F, 'w/read');
    b.placeholder('x', 'float', [3]);
    b.op('Mul', ['x', 'w/read'], F, 'out');
    const graph = b.graph();
    const { graph: out, ctx } = await fold(graph, {}, { inputs: ['x'], outputs: ['out'] });
    expect(nodeNames(out)).toEqual(['w', 'x', 'out']);
    expect(nodeOf(out, 'out').inputs).toEqual(['x', 'w']);
    expect(nodeOf(out, 'w')).toBe(graph.nodes[0]);
    expect(Object.fromEntries(ctx.counters)).toEqual({ folded: 1, removed: 1, bytes_saved: 0 });
  });

  it('new Consts keep the device of the node they replace', async () => {
    const b = graphBuilder();
    b.const('a', iota(2));
    b.op('Neg', ['a'], F, 'neg', { device: '/device:GPU:0' });
    b.placeholder('x', 'float', [2]);
    b.op('Mul', ['neg', 'x'], F, 'out');
    const { graph: out } = await fold(b.graph(), {}, { inputs: ['x'], outputs: ['out'] });
    expect(newConsts(out)[0]!.device).toBe('/device:GPU:0');
  });

  it('returns the same instance when nothing folds, and does not mutate its input', async () => {
    const b = graphBuilder();
    b.placeholder('x', 'float', [2]);
    b.op('Neg', ['x'], F, 'out');
    const graph = b.graph();
    const before = snapshot(graph);
    const { graph: out, ctx } = await fold(graph, {}, { inputs: ['x'], outputs: ['out'] });
    expect(out).toBe(graph);
    expect(snapshot(graph)).toBe(before);
    expect(ctx.counters.size).toBe(0);
  });

  it('works without outputs: folds, prunes nothing else', async () => {
    const b = graphBuilder();
    b.const('a', iota(2));
    b.op('Neg', ['a'], F, 'neg');
    b.placeholder('x', 'float', [2]);
    b.op('Mul', ['neg', 'x'], F, 'y');
    b.op('Neg', ['a'], F, 'dangling');
    const { graph: out } = await fold(b.graph());
    // 'dangling' read nothing before and is left as it was, so 'a' stays for it.
    expect(nodeNames(out)).toEqual(['a', 'neg/__cf__0', 'x', 'y', 'dangling']);
  });

  it('Size and Rank of a statically shaped placeholder are folded, Shape of an unknown one is not', async () => {
    const b = graphBuilder();
    b.placeholder('x', 'float', [2, 3]);
    b.placeholder('u', 'float', [-1, 3]);
    b.op('Size', ['x'], { ...T('float'), out_type: attr.type('int64') }, 'size');
    b.op('Rank', ['u'], T('float'), 'rank');
    b.op('Shape', ['u'], { ...T('float'), out_type: attr.type('int32') }, 'shape');
    b.op('Identity', ['size'], T('int64'), 'o1');
    b.op('Identity', ['rank'], T('int32'), 'o2');
    b.op('Identity', ['shape'], T('int32'), 'o3');
    const graph = b.graph();
    const { graph: out } = await fold(graph, {}, { inputs: ['x', 'u'], outputs: ['o1', 'o2', 'o3'] });
    const size = nodeOf(out, nodeOf(out, 'o1').inputs[0]!);
    expect(valueOf(size).dtype).toBe('int64');
    expect(tensorToNumbers(valueOf(size))).toEqual([6]);
    expect(size.inputs).toEqual(['^x']);
    expect(tensorToNumbers(valueOf(nodeOf(out, nodeOf(out, 'o2').inputs[0]!)))).toEqual([2]);
    expect(nodeOf(out, 'o3').inputs).toEqual(['shape']);
  });
});

describe('fold_constants: best effort, node by node', () => {
  /** c1 → Identity → MyCustomOp → Add(·, c2) → out1; c3 + c4 → Mul(·, x) → out2. */
  function withCustomOp(): Graph {
    const b = graphBuilder();
    b.const('c1', iota(3));
    b.op('Identity', ['c1'], F, 'id');
    b.op('MyCustomOp', ['id'], F, 'custom');
    b.const('c2', iota(3, 10));
    b.op('Add', ['custom', 'c2'], F, 'after_custom');
    b.op('Identity', ['after_custom'], F, 'out1');
    b.const('c3', iota(3));
    b.const('c4', iota(3, 5));
    b.op('AddV2', ['c3', 'c4'], F, 'sum');
    b.placeholder('x', 'float', [3]);
    b.op('Mul', ['sum', 'x'], F, 'out2');
    return b.graph();
  }

  it('an op the runtime lacks is listed up front, skipped with a diagnostic, and everything else still folds', async () => {
    const graph = withCustomOp();
    expect(missingKernels(graph)).toEqual([{ op: 'MyCustomOp', nodes: ['custom'] }]);
    const { graph: out, ctx } = await fold(graph, {}, { inputs: ['x'], outputs: ['out1', 'out2'] });
    expect(ctx.reports).toHaveLength(1);
    expect(ctx.reports[0]).toMatchObject({ severity: 'info', code: 'fold_constants/unsupported-op', node: 'custom' });
    expect(ctx.reports[0]!.message).toContain('MyCustomOp');
    // The custom op and what reads it stay; its input is the Const again (the Identity folded away).
    expect(nodeOf(out, 'custom').inputs).toEqual(['c1']);
    expect(nodeOf(out, 'after_custom').inputs).toEqual(['custom', 'c2']);
    // The other branch folded.
    expect(nodeNames(out)).not.toContain('sum');
    expect(tensorToNumbers(valueOf(nodeOf(out, nodeOf(out, 'out2').inputs[0]!)))).toEqual([6, 8, 10]);
    const kernels = createKernelRegistry().register('MyCustomOp', (k) => [k.tf.mul(k.input(0), 2)]);
    await expectSameOutputs(graph, out, { x: iota(3) }, ['out1', 'out2'], kernels);
  });

  it('a node whose evaluation fails is skipped with a warning; its sibling still folds', async () => {
    const b = graphBuilder();
    b.const('v', iota(3));
    b.const('bad_shape', makeTensor('int32', [1], [2]));
    b.op('Reshape', ['v', 'bad_shape'], { ...F, Tshape: attr.type('int32') }, 'reshape');
    b.op('Neg', ['v'], F, 'neg');
    b.op('Identity', ['reshape'], F, 'o1');
    b.op('Identity', ['neg'], F, 'o2');
    const graph = b.graph();
    const { graph: out, ctx } = await fold(graph, {}, { outputs: ['o1', 'o2'] });
    const failures = ctx.reports.filter((d) => d.severity === 'warning');
    expect(failures).toEqual([expect.objectContaining({ code: 'fold_constants/cannot-evaluate', node: 'reshape' })]);
    expect(failures[0]!.message).toContain('cannot reshape');
    expect(nodeOf(out, 'o1').inputs).toEqual(['reshape']);
    expect(nodeNames(out)).not.toContain('neg');
  });
});

describe('fold_constants: TensorLists are never folded', () => {
  it('keeps every list producer (and an Identity of a list); folds what does not read a list; no variant Const', async () => {
    const b = graphBuilder();
    const I = { element_dtype: attr.type('float'), shape_type: attr.type('int32') };
    b.const('rows', makeTensor('float', [3, 2], [1, 2, 3, 4, 5, 6]));
    b.const('es', makeTensor('int32', [1], [2]));
    b.op('TensorListFromTensor', ['rows', 'es'], I, 'list');
    b.op('Identity', ['list'], { T: attr.type('variant') }, 'list_copy');
    b.const('idx', makeTensor('int32', [], [1]));
    b.op('Neg', ['rows'], F, 'neg_rows');
    b.op('TensorListSetItem', ['list_copy', 'idx', 'item'], { element_dtype: attr.type('float') }, 'set');
    b.op('Neg', ['row0'], F, 'item');
    b.const('row0', makeTensor('float', [2], [7, 8]));
    b.const('count', makeTensor('int32', [], [4]));
    b.op('TensorListReserve', ['es', 'count'], I, 'reserved');
    b.op('TensorListLength', ['reserved'], {}, 'length');
    b.const('unknown', makeTensor('int32', [], [-1]));
    b.op('TensorListStack', ['set', 'unknown'], { element_dtype: attr.type('float') }, 'stacked');
    b.op('Identity', ['stacked'], F, 'out');
    b.op('Identity', ['length'], T('int32'), 'out_length');
    b.op('Identity', ['neg_rows'], F, 'out_neg');
    const graph = b.graph();
    const { graph: out, ctx } = await fold(graph, {}, { outputs: ['out', 'out_length', 'out_neg'] });
    expect(codes(ctx).filter((c) => c !== 'fold_constants/grew')).toEqual([]);
    for (const name of ['list', 'list_copy', 'set', 'reserved', 'length', 'stacked']) expect(nodeOf(out, name).op).toBe(nodeOf(graph, name).op);
    for (const n of out.nodes.filter((x) => x.op === 'Const')) expect(valueOf(n).dtype).not.toBe('variant');
    // What reads no list still folds: the Neg feeding SetItem, and the one feeding an output.
    expect(nodeNames(out)).not.toContain('item');
    expect(nodeNames(out)).not.toContain('neg_rows');
    const [stacked, length] = await runGraph(out, {}, ['out', 'out_length']);
    expect(tensorToNumbers(stacked!)).toEqual([1, 2, -7, -8, 5, 6]);
    expect(tensorToNumbers(length!)).toEqual([4]);
    await expectSameOutputs(graph, out, {}, ['out', 'out_length', 'out_neg']);
  });
});

describe('fold_constants: size budget', () => {
  it(`the default budget is TF's 10 MiB`, () => {
    expect(DEFAULT_MAX_CONSTANT_SIZE_IN_BYTES).toBe(10 * 1024 * 1024);
    expect(withDefaults(foldConstants).maxConstantSizeInBytes).toBe(10 * 1024 * 1024);
  });

  for (const [op, build] of [
    ['Fill', (b: ReturnType<typeof graphBuilder>) => {
      b.const('dims', makeTensor('int32', [2], [2048, 2048]));
      b.const('v', 1);
      return b.op('Fill', ['dims', 'v'], { ...F, index_type: attr.type('int32') }, 'big');
    }],
    ['Tile', (b: ReturnType<typeof graphBuilder>) => {
      b.const('v', iota(4));
      b.const('m', makeTensor('int32', [1], [1 << 20]));
      return b.op('Tile', ['v', 'm'], { ...F, Tmultiples: attr.type('int32') }, 'big');
    }],
    ['BroadcastTo', (b: ReturnType<typeof graphBuilder>) => {
      b.const('v', 1);
      b.const('s', makeTensor('int32', [2], [4096, 1024]));
      return b.op('BroadcastTo', ['v', 's'], { ...F, Tidx: attr.type('int32') }, 'big');
    }],
  ] as const) {
    it(`${op} above the default budget stays unfolded and is not even evaluated`, async () => {
      const b = graphBuilder();
      const big = build(b);
      b.op('Sum', [big, 'axes'], { ...F, Tidx: attr.type('int32') }, 'sum');
      b.const('axes', makeTensor('int32', [1], [0]));
      b.op('Identity', ['sum'], F, 'out');
      const graph = b.graph();
      const { graph: out, ctx } = await fold(graph, {}, { outputs: ['out'] });
      expect(out).toBe(graph);
      expect(ctx.reports).toEqual([expect.objectContaining({ code: 'fold_constants/over-budget', node: 'big' })]);
      expect(ctx.reports[0]!.message).toContain(String(16 * 1024 * 1024));
    });
  }

  it('a value over the budget is not even computed, so nothing downstream of it folds (issue 10: bounds before work)', async () => {
    const b = graphBuilder();
    b.const('a', iota(100));
    b.const('b', iota(100));
    b.op('Add', ['a', 'b'], F, 'add');
    b.const('axes', makeTensor('int32', [1], [0]));
    b.op('Sum', ['add', 'axes'], { ...F, Tidx: attr.type('int32') }, 'sum');
    b.placeholder('x', 'float', []);
    b.op('Mul', ['sum', 'x'], F, 'out');
    const graph = b.graph();
    const { graph: out, ctx } = await fold(graph, { maxConstantSizeInBytes: 100 }, { inputs: ['x'], outputs: ['out'] });
    expect(out).toBe(graph);
    expect(ctx.reports).toEqual([expect.objectContaining({ code: 'fold_constants/over-budget', node: 'add', message: expect.stringContaining('would take 400 bytes') })]);
    // With room for the 400-byte sum, the chain folds to one scalar.
    const { graph: folded } = await fold(graph, { maxConstantSizeInBytes: 400 }, { inputs: ['x'], outputs: ['out'] });
    expect(nodeNames(folded)).toEqual(['sum/__cf__0', 'x', 'out']);
    expect(tensorToNumbers(valueOf(nodeOf(folded, 'sum/__cf__0')))).toEqual([10100]);
    await expectSameOutputs(graph, folded, { x: makeTensor('float', [], [2]) }, ['out']);
  });

  it('bytes_saved is negative when folding grows the model, and says so', async () => {
    const b = graphBuilder();
    b.const('dims', makeTensor('int32', [2], [10, 10]));
    b.const('v', 1);
    b.op('Fill', ['dims', 'v'], { ...F, index_type: attr.type('int32') }, 'ones');
    b.placeholder('x', 'float', [10, 10]);
    b.op('Mul', ['ones', 'x'], F, 'out');
    const { graph: out, ctx } = await fold(b.graph(), {}, { inputs: ['x'], outputs: ['out'] });
    expect(nodeNames(out)).toEqual(['ones/__cf__0', 'x', 'out']);
    expect(ctx.counters.get('bytes_saved')).toBe(8 + 4 - 400);
    expect(codes(ctx)).toEqual(['fold_constants/grew']);
  });
});

describe.skipIf(!HAVE_MODELS)(`fold_constants on real models (${HAVE_MODELS ? 'shared models' : SKIP_REASON})`, () => {
  it('kws_cnn_s with audio ops the runtime lacks: the weights reads and the unfused batch norm still fold; outputs unchanged', async () => {
    // The runtime has kernels for DecodeWav, AudioSpectrogram and Mfcc; renaming those ops plays a
    // model whose front end uses custom ops with no kernel.
    const original = readGraphDefBytes(readFileSync(modelPath('kws_cnn_s/CNN_S.pb')));
    const AUDIO = new Set(['AudioSpectrogram', 'DecodeWav', 'Mfcc']);
    const graph = withNodes(original, original.nodes.map((n) => (AUDIO.has(n.op) ? makeNode({ ...n, op: `Custom${n.op}` }) : n)));
    // The up-front list of what cannot run.
    expect(missingKernels(graph, ['labels_softmax']).map((m) => m.op)).toEqual(['CustomAudioSpectrogram', 'CustomDecodeWav', 'CustomMfcc']);
    const { graph: out, ctx } = await fold(graph, {}, { inputs: ['wav_data'], outputs: ['labels_softmax'] });
    expect(out.nodes.filter((n) => n.op === 'Identity')).toEqual([]);
    for (const name of ['bn3/batchnorm/add', 'bn3/batchnorm/Rsqrt', 'bn3/batchnorm/mul']) expect(nodeNames(out)).not.toContain(name);
    expect(ctx.counters.get('folded')).toBeGreaterThanOrEqual(25);
    expect(out.nodes.length).toBeLessThan(graph.nodes.length - 25);
    // Feed the MFCC features (the audio front end has no kernels here); its fed kernel never runs.
    const kernels = createKernelRegistry().register('CustomMfcc', (k) => {
      throw k.fail('fed, never run');
    });
    await expectSameOutputs(graph, out, { Mfcc: seededTensor('float', [1, 490], 3) }, ['labels_softmax'], kernels);
  }, 60_000);

  it('tf2onnx_lstm: folds around the dropout sub-graph without touching RandomUniform; outputs unchanged', async () => {
    const graph = readGraphDefBytes(readFileSync(modelPath('tf2onnx_lstm/frozen.pb')));
    const { graph: out, ctx } = await fold(graph, {}, { inputs: ['X', 'keep_prob'], outputs: ['output'] });
    expect(ctx.counters.get('folded')).toBeGreaterThan(0);
    expect(nodeOf(out, 'model/dropout/random_uniform/RandomUniform')).toBe(nodeOf(graph, 'model/dropout/random_uniform/RandomUniform'));
    // keep_prob = 1 makes dropout the identity, so the random draw does not change the output.
    const feeds = { ...seededFeeds(graph, { only: ['X'] }), keep_prob: makeTensor('float', [], [1]) };
    await expectSameOutputs(graph, out, feeds, ['output']);
  }, 60_000);

  it('kws_lstm_s: nothing inside the while loop is folded; the loop structure comes out unchanged', async () => {
    const graph = readGraphDefBytes(readFileSync(modelPath('kws_lstm_s/LSTM_S.pb')));
    const { graph: out } = await fold(graph, {}, { inputs: ['wav_data'], outputs: ['labels_softmax'] });
    expect(out.nodes.length).toBeLessThan(graph.nodes.length);
    for (const n of graph.nodes) {
      if (!n.name.includes('/while/')) continue;
      // Enter nodes may now read a folded Const from outside the loop; everything else is untouched.
      if (n.op === 'Enter') expect(nodeOf(out, n.name).inputs.filter((s) => s.startsWith('^'))).toEqual(n.inputs.filter((s) => s.startsWith('^')));
      else expect(nodeOf(out, n.name)).toBe(n);
    }
    expect(nodeOf(out, 'LSTM-Layer/lstm/rnn/while/Enter_2').inputs).toEqual(['LSTM-Layer/lstm/rnn/LSTMCellZeroState/zeros/__cf__0']);
    // Every input names a node that exists.
    const names = new Set(nodeNames(out));
    for (const n of out.nodes) for (const s of n.inputs) expect(names.has(parseInput(s).node)).toBe(true);
  }, 60_000);
});
