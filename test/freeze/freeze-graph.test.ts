import { describe, expect, it } from 'vitest';
import { attr } from '../../src/ir/attr';
import type { FunctionDef } from '../../src/ir/graph';
import { makeNode } from '../../src/ir/node';
import { makeTensor, tensorToNumbers } from '../../src/ir/tensor';
import { extractSubGraph } from '../../src/freeze/extract';
import { inlineFunctionCalls } from '../../src/ir/inline';
import { freezeGraph } from '../../src/freeze/tf1';
import { graphBuilder } from '../helpers/graph-builder';

const f32 = attr.type('float');
const VARIABLE_OPS = ['Variable', 'VariableV2', 'VarHandleOp', 'ReadVariableOp'];

async function err(f: () => unknown): Promise<{ code?: string; message: string }> {
  try {
    await f();
  } catch (e) {
    return e as { code?: string; message: string };
  }
  throw new Error('expected an error');
}

describe('extract_sub_graph (spec §12.1)', () => {
  it('X1: keeps what n3 needs, in original order', () => {
    const b = graphBuilder();
    b.op('NoOp', ['n5'], {}, 'n1');
    b.op('NoOp', ['n1:0'], {}, 'n2');
    b.op('NoOp', ['^n2'], {}, 'n3');
    b.op('NoOp', [], {}, 'n4');
    b.op('NoOp', ['n1'], {}, 'n5');
    expect(extractSubGraph(b.graph(), ['n3']).nodes.map((n) => n.name)).toEqual(['n1', 'n2', 'n3', 'n5']);
  });
  it('follows colocation constraints and normalises names', () => {
    const b = graphBuilder();
    b.op('NoOp', [], {}, 'a');
    b.op('NoOp', [], { _class: attr.list({ s: ['loc:@a'] }) }, 'b');
    b.op('NoOp', [], {}, 'c');
    expect(extractSubGraph(b.graph(), ['b:0']).nodes.map((n) => n.name)).toEqual(['a', 'b']);
    expect(extractSubGraph(b.graph(), ['^c']).nodes.map((n) => n.name)).toEqual(['c']);
  });
  it('an unknown destination is a freeze/missing-output error with near names', async () => {
    const b = graphBuilder();
    b.op('NoOp', [], {}, 'output_node');
    const e = await err(() => extractSubGraph(b.graph(), ['output_nod']));
    expect(e.code).toBe('freeze/missing-output');
    expect(e.message).toMatch(/Output 'output_nod'.*output_node/);
  });
});

/** TF's testConvertVariablesToConsts graph, ref flavour, with initializers and a saver. */
function refGraph() {
  const b = graphBuilder();
  b.op('VariableV2', [], { dtype: f32, shape: attr.shape([]), container: attr.s(''), shared_name: attr.s('') }, 'variable_node', { device: '/cpu:0' });
  b.const('variable_node/initial_value', 1);
  b.op('Assign', ['variable_node', 'variable_node/initial_value'], { T: f32, _class: attr.list({ s: ['loc:@variable_node'] }) }, 'variable_node/Assign');
  b.op('Identity', ['variable_node'], { T: f32, _class: attr.list({ s: ['loc:@variable_node'] }) }, 'variable_node/read');
  b.op('VariableV2', [], { dtype: f32, shape: attr.shape([]) }, 'unused_variable_node');
  b.const('output_node/y', 2);
  b.op('Mul', ['variable_node/read', 'output_node/y'], { T: f32 }, 'output_node');
  b.op('NoOp', ['^variable_node/Assign'], {}, 'init');
  return b.graph();
}

describe('convert_variables_to_constants (spec §12.2)', () => {
  const value = new Map([['variable_node', makeTensor('float', [], [1])]]);

  it('C1 (ref): 4 nodes, the variable a Const with only dtype and value', async () => {
    const r = await freezeGraph(refGraph(), value, ['output_node']);
    expect(r.graph.nodes.map((n) => n.name)).toEqual(['variable_node', 'variable_node/read', 'output_node/y', 'output_node']);
    const v = r.graph.nodes[0]!;
    expect(v.op).toBe('Const');
    expect(Object.keys(v.attrs).sort()).toEqual(['dtype', 'value']);
    expect(v.attrs.value?.kind === 'tensor' && tensorToNumbers(v.attrs.value.value)).toEqual([1]);
    expect(r.graph.nodes.some((n) => VARIABLE_OPS.includes(n.op))).toBe(false);
    expect(r.converted).toEqual([{ name: 'variable_node', dtype: 'float', shape: [] }]);
    // the read keeps T=float and its colocation
    expect(r.graph.nodes[1]!.attrs._class).toEqual(attr.list({ s: ['loc:@variable_node'] }));
  });
  it('C1b: an extra (unused) value changes nothing', async () => {
    const a = await freezeGraph(refGraph(), value, ['output_node']);
    const b = await freezeGraph(refGraph(), new Map([...value, ['unused_variable_node', makeTensor('float', [], [5])]]), ['output_node']);
    expect(b.graph).toEqual(a.graph);
  });
  it('C1c: a denied variable stays a VariableV2', async () => {
    const r = await freezeGraph(refGraph(), value, ['output_node'], { denylist: ['variable_node'] });
    expect(r.graph.nodes.find((n) => n.name === 'variable_node')?.op).toBe('VariableV2');
    expect(r.converted).toEqual([]);
  });
  it('clear_devices blanks devices', async () => {
    expect((await freezeGraph(refGraph(), value, ['output_node'])).graph.nodes[0]!.device).toBe('/cpu:0');
    expect((await freezeGraph(refGraph(), value, ['output_node'], { clearDevices: true })).graph.nodes.every((n) => n.device === '')).toBe(true);
  });

  it('C2 (resource): VarHandleOp → Const, ReadVariableOp through an Identity chain → Identity', async () => {
    const b = graphBuilder();
    b.op('VarHandleOp', [], { dtype: f32, shape: attr.shape([]), shared_name: attr.s('variable_node') }, 'variable_node');
    b.op('Identity', ['variable_node'], { T: attr.type('resource'), _output_shapes: attr.list({ shape: [] }) }, 'handle');
    b.op('ReadVariableOp', ['handle'], { dtype: f32 }, 'ReadVariableOp');
    b.const('output_node/y', 2);
    b.op('Mul', ['ReadVariableOp', 'output_node/y'], { T: f32 }, 'output_node');
    b.op('AssignVariableOp', ['variable_node', 'output_node/y'], { dtype: f32 }, 'assign');
    const r = await freezeGraph(b.graph(), value, ['output_node']);
    const by = new Map(r.graph.nodes.map((n) => [n.name, n]));
    expect(r.graph.nodes.length).toBe(5);
    expect(by.get('variable_node')!.op).toBe('Const');
    expect(by.get('handle')!.attrs).toEqual({ T: f32 });
    expect(by.get('ReadVariableOp')!.op).toBe('Identity');
    expect(by.get('ReadVariableOp')!.attrs.T).toEqual(f32);
    expect(by.has('assign')).toBe(false);
  });

  it('ResourceGather becomes GatherV2 with an axis Const', async () => {
    const b = graphBuilder();
    b.op('VarHandleOp', [], { dtype: f32, shape: attr.shape([3, 2]) }, 'emb');
    b.placeholder('ids', 'int32', [-1]);
    b.op('ResourceGather', ['emb', 'ids'], { dtype: f32, Tindices: attr.type('int32') }, 'gather');
    const r = await freezeGraph(b.graph(), new Map([['emb', makeTensor('float', [3, 2], [1, 2, 3, 4, 5, 6])]]), ['gather']);
    const g = r.graph.nodes.find((n) => n.name === 'gather')!;
    expect(g.op).toBe('GatherV2');
    expect(g.inputs).toEqual(['emb', 'ids', 'gather/axis']);
    expect(g.attrs.Tparams).toEqual(f32);
    expect(r.graph.nodes.find((n) => n.name === 'gather/axis')?.op).toBe('Const');
  });

  it('state updates reached by control edges are dropped and listed', async () => {
    const b = graphBuilder();
    b.op('VarHandleOp', [], { dtype: f32, shape: attr.shape([]) }, 'v');
    b.op('ReadVariableOp', ['v'], { dtype: f32 }, 'read');
    b.const('one', 1);
    b.op('AssignAddVariableOp', ['v', 'one'], { dtype: f32 }, 'update');
    b.op('Identity', ['read', '^update'], { T: f32 }, 'out');
    const r = await freezeGraph(b.graph(), new Map([['v', makeTensor('float', [], [3])]]), ['out']);
    expect(r.graph.nodes.map((n) => n.name)).toEqual(['v', 'read', 'out']);
    expect(r.graph.nodes.find((n) => n.name === 'out')!.inputs).toEqual(['read']);
    expect(r.diagnostics.map((d) => d.code)).toContain('freeze/dropped-state-updates');
    expect(r.diagnostics.find((d) => d.code === 'freeze/dropped-state-updates')!.message).toContain('update');
  });

  it('an output that is a state update is freeze/unsupported', async () => {
    const b = graphBuilder();
    b.op('VariableV2', [], { dtype: f32, shape: attr.shape([]) }, 'counter');
    b.const('one', 1);
    b.op('AssignAdd', ['counter', 'one'], { T: f32 }, 'incr');
    expect((await err(() => freezeGraph(b.graph(), new Map([['counter', makeTensor('float', [], [0])]]), ['incr']))).code).toBe('freeze/unsupported');
  });

  it('a variable missing from the checkpoint is runtime/missing-variable naming near keys', async () => {
    const e = await err(() => freezeGraph(refGraph(), new Map([['variable_nod', makeTensor('float', [], [1])]]), ['output_node']));
    expect(e.code).toBe('runtime/missing-variable');
    expect(e.message).toContain("'variable_node'");
    expect(e.message).toContain("'variable_nod'");
  });

  it('a value of the wrong dtype is refused', async () => {
    expect((await err(() => freezeGraph(refGraph(), new Map([['variable_node', makeTensor('int32', [], [1])]]), ['output_node']))).code).toBe('freeze/unsupported');
  });
});

describe('function inlining', () => {
  // inner(x, r) = x * read(r); outer(x, r) = inner(x, r) through a nested PartitionedCall
  const inner: FunctionDef = {
    signature: { name: 'inner', input_arg: [{ name: 'x', type: 1 }, { name: 'r', type: 20 }], output_arg: [{ name: 'identity', type: 1 }] },
    attrs: {},
    nodes: [
      makeNode({ name: 'read', op: 'ReadVariableOp', inputs: ['r'], attrs: { dtype: f32 } }),
      makeNode({ name: 'mul', op: 'Mul', inputs: ['x', 'read:value:0'], attrs: { T: f32 } }),
      makeNode({ name: 'Identity', op: 'Identity', inputs: ['mul:z:0', '^read'], attrs: { T: f32 } }),
    ],
    ret: { identity: 'Identity:output:0' },
    controlRet: {},
  };
  const outer: FunctionDef = {
    signature: { name: 'outer', input_arg: [{ name: 'x', type: 1 }, { name: 'r', type: 20 }], output_arg: [{ name: 'a', type: 1 }, { name: 'b', type: 1 }] },
    attrs: {},
    nodes: [makeNode({ name: 'call', op: 'StatefulPartitionedCall', inputs: ['x', 'r'], attrs: { f: attr.func('inner'), Tin: attr.list({ type: ['float', 'resource'] }), Tout: attr.list({ type: ['float'] }) } })],
    ret: { a: 'call:output:0', b: 'x' },
    controlRet: {},
  };
  function model() {
    const b = graphBuilder();
    b.placeholder('x', 'float', []);
    b.op('VarHandleOp', [], { dtype: f32, shape: attr.shape([]) }, 'v');
    b.op('StatefulPartitionedCall', ['x', 'v'], { f: attr.func('outer'), Tin: attr.list({ type: ['float', 'resource'] }), Tout: attr.list({ type: ['float', 'float'] }) }, 'sig');
    b.op('Neg', ['sig:0'], { T: f32 }, 'neg');
    return b.graph({ library: { functions: [inner, outer] } });
  }

  it('inlines nested calls; a protected call stays as IdentityN under its name', () => {
    const { graph, inlined } = inlineFunctionCalls(model(), { protectedNodes: new Set(['sig', 'x']) });
    expect(inlined).toBe(2);
    const by = new Map(graph.nodes.map((n) => [n.name, n]));
    expect(by.get('sig')!.op).toBe('IdentityN');
    expect(by.get('sig')!.inputs).toEqual(['sig/call/Identity', 'x']);
    expect(by.get('sig/call/mul')!.inputs).toEqual(['x', 'sig/call/read']);
    expect(by.get('sig/call/read')!.inputs).toEqual(['v']);
    expect(by.has('sig/call')).toBe(false); // unprotected pass-through spliced out
    expect(by.get('neg')!.inputs).toEqual(['sig:0']);
  });

  it('an unprotected call is spliced: consumers read the body directly', () => {
    const { graph } = inlineFunctionCalls(model(), { protectedNodes: new Set(['neg']) });
    expect(graph.nodes.some((n) => n.name === 'sig')).toBe(false);
    expect(graph.nodes.find((n) => n.name === 'neg')!.inputs).toEqual(['sig/call/Identity']);
  });

  it('freezes after inlining: no variable ops, library emptied', async () => {
    const { graph } = inlineFunctionCalls(model(), { protectedNodes: new Set(['neg']) });
    const r = await freezeGraph(graph, new Map([['v', makeTensor('float', [], [3])]]), ['neg']);
    expect(r.graph.nodes.some((n) => VARIABLE_OPS.includes(n.op) || n.op === 'StatefulPartitionedCall')).toBe(false);
    expect(r.graph.library.functions).toEqual([]);
  });
});
