/**
 * Issue 10, item 6 (a library that checks its callers): misuse gets a GraftError
 * (`api/bad-argument`, naming the parameter), never a raw TypeError.
 */
import { describe, expect, it } from 'vitest';
import { attr } from '../../src/ir/attr';
import type { FunctionDef, Graph } from '../../src/ir/graph';
import type { Node } from '../../src/ir/node';
import { RAW_JS, checkInProcessPeak } from './cli-checks';
import { makeGraph } from '../../src/ir/graph';
import { makeNode } from '../../src/ir/node';
import { makeStringTensor, makeTensor, tensorToNumbers } from '../../src/ir/tensor';
import { listCheckpointEntries, readCheckpoint } from '../../src/io/checkpoint';
import { decodeGraphDef, encodeGraphDef, parseGraphDefText, printGraphDefText, readGraphDefBytes } from '../../src/io/graphdef';
import { loadModel } from '../../src/io/model-files';
import { readNpy } from '../../src/io/npy';
import { decodeMetaGraph, decodeSavedModel } from '../../src/io/saved-model';
import { createSession, evaluateNode, missingKernels, runGraph } from '../../src/runtime/session';
import { defineTransform } from '../../src/transform/define';
import { Pipeline } from '../../src/transform/pipeline';
import { createRegistry } from '../../src/transform/registry';
import { runPipeline } from '../../src/transform/runner';
import { parseFeedSpec, tensorFromJson } from '../../src/verify/feeds';
import { compare } from '../../src/verify/compare';
import { diffGraphs } from '../../src/inspect/diff';
import { extractSubGraph } from '../../src/freeze/extract';
import { executionOrder, topologicalOrder } from '../../src/ir/topo';
import { graphIndex } from '../../src/ir/graph';
import { generateFeeds } from '../../src/ir/seeded-inputs';
import { inferShapes } from '../../src/ir/infer-shapes';
import { parsePipeline } from '../../src/transform/pipeline';
import { optimizeInMemory } from '../../src/workflow/optimize';
import { optimize } from '../../src/workflow/optimize-files';
import { transformModel } from '../../src/workflow/transform-model';
import { graphBuilder } from '../helpers/graph-builder';

const bad = (param: string) => expect.objectContaining({ name: 'GraftError', code: 'api/bad-argument', param });

checkInProcessPeak();

describe('runPipeline checks its arguments', () => {
  it('runPipeline(null) and a graph whose nodes is a string (findings)', async () => {
    await expect(runPipeline(null as never, 'remove_device')).rejects.toEqual(bad('graph'));
    await expect(runPipeline({ nodes: 'x' } as never, 'remove_device')).rejects.toEqual(bad('graph'));
  });
  it('a pipeline that is neither a string nor a Pipeline; options that are not an object (new)', async () => {
    const g = graphBuilder().graph();
    await expect(runPipeline(g, 42 as never)).rejects.toEqual(bad('pipeline'));
    await expect(runPipeline(g, null as never)).rejects.toEqual(bad('pipeline'));
    await expect(runPipeline(g, 'remove_device', null as never)).rejects.toEqual(bad('options'));
  });
});

describe('defineTransform errors are GraftErrors', () => {
  const apply = (g: never) => g;
  it('a bad name (finding), a bad parameter name, no apply, no params, not an object (new)', () => {
    expect(() => defineTransform({ name: 'bad name!', summary: '', params: {}, apply })).toThrow(bad('def.name'));
    expect(() => defineTransform({ name: 'ok', summary: '', params: { 'bad-key': {} as never }, apply })).toThrow(bad('def.params'));
    expect(() => defineTransform({ name: 'ok', summary: '', params: {} } as never)).toThrow(bad('def.apply'));
    expect(() => defineTransform({ name: 'ok', summary: '', apply } as never)).toThrow(bad('def.params'));
    expect(() => defineTransform(null as never)).toThrow(bad('def'));
  });
});

// ---------------------------------------------------------------- more of the library (issue 10 item 6)

describe('the rest of the public API checks its arguments', () => {
  const g = () => {
    const b = graphBuilder();
    b.placeholder('x', 'float', [2]);
    b.op('Identity', ['x'], { T: attr.type('float') }, 'y');
    return b.graph();
  };

  it('optimizeInMemory given a plain object (finding), a Map holding a string, null options', async () => {
    await expect(optimizeInMemory({ 'saved_model.pb': new Uint8Array(1) } as never)).rejects.toEqual(bad('files'));
    await expect(optimizeInMemory(new Map([['saved_model.pb', 'bytes' as never]]))).rejects.toEqual(bad("files.get('saved_model.pb')"));
    await expect(optimizeInMemory(new Map(), null as never)).rejects.toEqual(bad('opts'));
    // The result is a SavedModel's files: a GraphDef or MetaGraphDef output is for optimize on files.
    await expect(optimizeInMemory(new Map([['saved_model.pb', new Uint8Array(1)]]), { outputFormat: 'metagraph' })).rejects.toMatchObject({ code: 'optimize/bad-option', param: 'outputFormat' });
    await expect(optimize(42 as never, 'out')).rejects.toEqual(bad('inputPath'));
  });

  it('runGraph and Session.run: feeds that are a string (finding), hold a string or a plain array, fetches that are a string', async () => {
    await expect(runGraph(g(), 'x=[1,2]' as never, ['y'], { backend: 'cpu' })).rejects.toEqual(bad('feeds'));
    await expect(runGraph(g(), { x: 'abc' } as never, ['y'], { backend: 'cpu' })).rejects.toEqual(bad("feeds['x']"));
    await expect(runGraph(g(), { x: [1, 2] } as never, ['y'], { backend: 'cpu' })).rejects.toEqual(bad("feeds['x']"));
    await expect(runGraph(g(), { x: makeTensor('float', [2], [1, 2]) }, 'y' as never, { backend: 'cpu' })).rejects.toEqual(bad('fetches'));
    const s = await createSession(g(), { backend: 'cpu' });
    try {
      await expect(s.run(null as never, ['y'])).rejects.toEqual(bad('feeds'));
      const [y] = await s.run({ x: makeTensor('float', [2], [1, 2]) }, ['y']);
      expect(tensorToNumbers(y!)).toEqual([1, 2]);
    } finally {
      s.dispose();
    }
  });

  it('createSession given null, a plain object, a node whose inputs hold a number; null options', async () => {
    await expect(createSession(null as never)).rejects.toEqual(bad('graph'));
    await expect(createSession({ nodes: 'x' } as never)).rejects.toEqual(bad('graph'));
    await expect(createSession({ nodes: [{ name: 'a', op: 'Identity', inputs: [7] }] } as never)).rejects.toMatchObject({ code: 'api/bad-argument', param: 'graph', message: expect.stringContaining('graph.nodes[0].inputs[0] must be a string') });
    await expect(createSession(g(), null as never)).rejects.toEqual(bad('opts'));
    await expect(evaluateNode(null as never, [])).rejects.toEqual(bad('node'));
  });

  it('makeNode, makeGraph and the builder: a number among the inputs (finding), nodes that are not an array', () => {
    expect(() => makeNode({ name: 'y', op: 'Identity', inputs: [3 as never] })).toThrow(bad('fields'));
    expect(() => makeNode({ name: 42 as never, op: 'Identity' })).toThrow(bad('fields'));
    expect(() => graphBuilder().op('Add', ['a', 1 as never])).toThrow(bad('fields'));
    expect(() => makeGraph('x' as never)).toThrow(bad('nodes'));
    expect(() => makeGraph([{ name: 'a', op: 'Const', inputs: [1] }] as never)).toThrow(bad('nodes'));
    expect(() => makeGraph([null] as never)).toThrow(bad('nodes'));
  });

  it('loaders and decoders given something other than bytes', async () => {
    expect(() => decodeGraphDef('model.pb' as never)).toThrow(bad('bytes'));
    expect(() => readGraphDefBytes(null as never)).toThrow(bad('bytes'));
    expect(() => parseGraphDefText(new Uint8Array(2) as never)).toThrow(bad('text'));
    expect(() => decodeSavedModel({} as never)).toThrow(bad('bytes'));
    expect(() => decodeMetaGraph([1, 2] as never)).toThrow(bad('bytes'));
    expect(() => readNpy('x.npy' as never)).toThrow(bad('bytes'));
    expect(() => readCheckpoint('ckpt.index' as never, [])).toThrow(bad('index'));
    expect(() => readCheckpoint(new Uint8Array(0), 'shard' as never)).toThrow(bad('shards'));
    expect(() => listCheckpointEntries(42 as never)).toThrow(bad('index'));
    await expect(loadModel(42 as never)).rejects.toEqual(bad('path'));
    await expect(transformModel(null as never, 'out', { pipeline: 'remove_device' } as never)).rejects.toEqual(bad('inPath'));
  });

  it('graph queries, encoders, tensor helpers and parsers given the wrong kind of value', async () => {
    expect(() => executionOrder(null as never)).toThrow(bad('graph'));
    expect(() => topologicalOrder('x' as never)).toThrow(bad('graph'));
    expect(() => graphIndex({} as never)).toThrow(bad('graph'));
    expect(() => encodeGraphDef({} as never)).toThrow(bad('graph'));
    expect(() => printGraphDefText(null as never)).toThrow(bad('graph'));
    expect(() => generateFeeds('x' as never)).toThrow(bad('graph'));
    await expect(inferShapes(42 as never)).rejects.toEqual(bad('graph'));
    expect(() => extractSubGraph(makeGraph([]), 'y' as never)).toThrow(bad('dests'));
    expect(() => makeTensor('float', 'x' as never, [])).toThrow(bad('shape'));
    expect(() => makeTensor(1 as never, [1], [1])).toThrow(bad('dtype'));
    expect(() => tensorToNumbers(null as never)).toThrow(bad('t'));
    expect(() => tensorToNumbers({ dtype: 'float', shape: [-1], data: { kind: 'values', field: 'float_val', values: [] } } as never)).toThrow(bad('t'));
    expect(() => parsePipeline(42 as never)).toThrow(bad('source'));
    expect(() => parseFeedSpec(null as never)).toThrow(bad('spec'));
    await expect(compare(null as never, makeGraph([]), {} as never)).rejects.toEqual(bad('a'));
    await expect(diffGraphs(makeGraph([]), 'b' as never)).rejects.toEqual(bad('b'));
  });

  it('a JSON feed nested 100,000 deep gets runtime/bad-feed, not a stack overflow', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}1${']'.repeat(100_000)}`) as unknown;
    expect(() => tensorFromJson(deep, 'float', 'Feed x')).toThrow(expect.objectContaining({ code: 'runtime/bad-feed', message: expect.stringContaining('254') }));
    expect(tensorFromJson([[1, 2], [3, 4]], 'float', 'Feed x').shape).toEqual([2, 2]);
  });

  it('missingKernels follows 20,000 nested function calls without recursion', () => {
    const depth = 20_000;
    const functions: FunctionDef[] = [];
    for (let i = 0; i < depth; i++) {
      const body = i + 1 < depth ? makeNode({ name: 'c', op: 'PartitionedCall', inputs: ['x'], attrs: { f: attr.func(`f${i + 1}`) } }) : makeNode({ name: 'c', op: 'Weird', inputs: ['x'] });
      functions.push({ signature: { name: `f${i}`, input_arg: [{ name: 'x', type: 1 }], output_arg: [{ name: 'y', type: 1 }] }, attrs: {}, nodes: [body], ret: { y: 'c:output:0' }, controlRet: {} });
    }
    const b = graphBuilder();
    b.placeholder('x', 'float', []);
    b.op('PartitionedCall', ['x'], { f: attr.func('f0') }, 'call');
    const missing = missingKernels(b.graph({ library: { functions } }));
    expect(missing).toEqual([{ op: 'Weird', nodes: [`c (in f${depth - 1})`] }]);
  });
});

describe('transforms are checked by the runner', () => {
  const weights = () => {
    const b = graphBuilder();
    b.placeholder('x', 'float', [2]);
    b.const('w', makeTensor('float', [2], [3, 4]));
    b.op('Mul', ['x', 'w'], { T: attr.type('float') }, 'y');
    return b.graph();
  };
  const run = (t: ReturnType<typeof defineTransform>, graph = weights()) => runPipeline(graph, new Pipeline().use(t), { registry: createRegistry().extend([t]) });

  it('a custom transform that zeroes its input graph\'s weight bytes in place (finding) → transform/mutated-input naming the step', async () => {
    const zero = defineTransform({
      name: 'zero_weights',
      summary: '',
      params: {},
      apply: (graph) => {
        for (const n of graph.nodes) {
          const v = n.attrs.value;
          if (v?.kind === 'tensor' && v.value.data.kind === 'content') v.value.data.bytes.fill(0);
        }
        return graph;
      },
    });
    await expect(run(zero)).rejects.toMatchObject({ code: 'transform/mutated-input', message: expect.stringContaining('zero_weights') });
  });

  it('one that overwrites a string value in place, even when it returns a new graph → transform/mutated-input', async () => {
    const b = graphBuilder();
    b.const('s', makeStringTensor([1], ['secret']));
    b.op('Identity', ['s'], { T: attr.type('string') }, 'y');
    const scrub = defineTransform({
      name: 'scrub',
      summary: '',
      params: {},
      apply: (graph) => {
        const v = graph.nodes[0]!.attrs.value;
        if (v?.kind === 'tensor' && v.value.data.kind === 'strings') v.value.data.values[0]!.fill(42);
        return makeGraph([...graph.nodes]);
      },
    });
    await expect(run(scrub, b.graph())).rejects.toMatchObject({ code: 'transform/mutated-input', message: expect.stringContaining('scrub') });
  });

  it('one that copies before changing is accepted; the caller\'s graph keeps its bytes', async () => {
    const graph = weights();
    const copy = defineTransform({
      name: 'halve',
      summary: '',
      params: {},
      apply: (g) =>
        makeGraph(
          g.nodes.map((n) => (n.op === 'Const' ? makeNode({ name: n.name, op: 'Const', attrs: { dtype: attr.type('float'), value: attr.tensor(makeTensor('float', [2], [1.5, 2])) } }) : n)),
        ),
    });
    const r = await run(copy, graph);
    expect(r.report.steps[0]!.changed).toBe(true);
    const w = graph.nodes.find((n) => n.name === 'w')!.attrs.value!;
    expect(w.kind === 'tensor' && tensorToNumbers(w.value)).toEqual([3, 4]);
  });

  it('a result that is not a graph, or a malformed one → transform/invalid-output naming the step', async () => {
    const returning = (name: string, value: unknown) => defineTransform({ name, summary: '', params: {}, apply: () => value as never });
    await expect(run(returning('gives_number', 42))).rejects.toMatchObject({ code: 'transform/invalid-output', message: expect.stringContaining('gives_number') });
    await expect(run(returning('gives_nothing', undefined))).rejects.toMatchObject({ code: 'transform/invalid-output' });
    await expect(run(returning('gives_bad_nodes', { nodes: [{ name: 'a', op: 'Identity', inputs: [1] }], library: { functions: [] }, versions: null }))).rejects.toMatchObject({
      code: 'transform/invalid-output',
      message: expect.stringContaining('gives_bad_nodes'),
    });
  });

  it('in-place changes inside attributes the constructors do not freeze (a list, a shape\'s dims, a tensor\'s dtype) → transform/mutated-input', async () => {
    const build = () => {
      const b = graphBuilder();
      b.placeholder('x', 'float', [2]);
      b.const('w', makeTensor('float', [2], [3, 4]));
      b.op('Mul', ['x', 'w'], { T: attr.type('float'), strides: attr.list({ i: [1, 2] }), hint: attr.shape([2, 3]) }, 'y');
      return b.graph();
    };
    const edits: Record<string, (g: Graph) => void> = {
      list_i: (g) => void (((g.nodes[2]!.attrs.strides as { value: unknown }).value as { i: number[] }).i[0] = 5),
      shape_dims: (g) => void (((g.nodes[2]!.attrs.hint as { value: unknown }).value as { dims: number[] }).dims[1] = 9),
      tensor_dtype: (g) => void (((g.nodes[1]!.attrs.value as { value: unknown }).value as { dtype: string }).dtype = 'int32'),
    };
    for (const [name, edit] of Object.entries(edits)) {
      const t = defineTransform({ name: `edit_${name}`, summary: '', params: {}, apply: (g) => (edit(g), g) });
      await expect(run(t, build()), name).rejects.toMatchObject({ code: 'transform/mutated-input', message: expect.stringContaining(`edit_${name}`) });
    }
  });

  it('a write that a frozen node, array or graph refuses → transform/mutated-input in graft\'s words, not the TypeError\'s', async () => {
    const edits: Record<string, (g: Graph) => void> = {
      push_input: (g) => void (g.nodes[2]!.inputs as string[]).push('x'),
      rename: (g) => void ((g.nodes[2] as { name: string }).name = 'z'),
      drop_node: (g) => void (g.nodes as Node[]).pop(),
      set_attr: (g) => void ((g.nodes[2]!.attrs as Record<string, unknown>).T = attr.type('int32')),
    };
    for (const [name, edit] of Object.entries(edits)) {
      const t = defineTransform({ name: `frozen_${name}`, summary: '', params: {}, apply: (g) => (edit(g), g) });
      const e = await run(t).then(() => undefined, (x: unknown) => x);
      expect(e, name).toMatchObject({ code: 'transform/mutated-input', message: expect.stringContaining(`frozen_${name} tried to change the graph it was given`) });
      expect((e as Error).message, name).not.toMatch(RAW_JS);
    }
    // The same graph read from bytes (lazily decoded attributes) refuses the same way.
    const loaded = decodeGraphDef(encodeGraphDef(weights()));
    const t = defineTransform({ name: 'frozen_loaded', summary: '', params: {}, apply: (g) => ((g.nodes[1]!.attrs as Record<string, unknown>).dtype = attr.type('int32'), g) });
    await expect(run(t, loaded)).rejects.toMatchObject({ code: 'transform/mutated-input' });
  });

  it('a sub-step of its own (ctx.run) that returns a malformed graph → transform/invalid-output', async () => {
    const inner = defineTransform({ name: 'inner_bad', summary: '', params: {}, apply: () => ({ nodes: [{ name: 'a', op: 'Identity', inputs: [1] }] }) as never });
    const outer = defineTransform({ name: 'outer', summary: '', params: {}, apply: (g, _p, ctx) => ctx.run(inner, g) });
    await expect(runPipeline(weights(), new Pipeline().use(outer), { registry: createRegistry().extend([outer, inner]) })).rejects.toMatchObject({
      code: 'transform/failed',
      cause: expect.objectContaining({ code: 'transform/invalid-output', message: expect.stringContaining('inner_bad') }),
    });
  });

  it('built-in transforms run without the check (trusted) as before', async () => {
    const r = await runPipeline(weights(), 'fold_constants strip_unused_nodes(type=float)');
    expect(r.graph.nodes.length).toBeGreaterThan(0);
  });
});
