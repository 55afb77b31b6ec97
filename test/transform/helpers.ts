/** Small test transforms and graphs for the framework tests (independent of the built-ins). */
import { GraftError } from '../../src/errors';
import { makeGraph, withNodes, type Graph } from '../../src/ir/graph';
import { makeNode } from '../../src/ir/node';
import { defineTransform, param } from '../../src/transform/define';
import { createRegistry, type Registry } from '../../src/transform/registry';

/** x (Placeholder) -> y (Identity), with a one-function library and versions. */
export function smallGraph(): Graph {
  return makeGraph(
    [makeNode({ name: 'x', op: 'Placeholder' }), makeNode({ name: 'y', op: 'Identity', inputs: ['x'] })],
    {
      library: { functions: [{ signature: { name: 'f' }, attrs: {}, nodes: [], ret: {}, controlRet: {} }] },
      versions: { producer: 27, minConsumer: 0, badConsumers: [] },
    },
  );
}

/** Appends a Const node named `name` (default `added`). */
export const addConst = defineTransform({
  name: 'test_add_const',
  summary: 'Appends a Const node.',
  params: { name: param.string({ doc: 'Name of the new node.', default: 'added' }) },
  apply(graph, params, ctx) {
    ctx.count('added');
    return withNodes(graph, [...graph.nodes, makeNode({ name: params.name, op: 'Const' })]);
  },
});

/** Returns its input unchanged. */
export const noop = defineTransform({
  name: 'test_noop',
  summary: 'Changes nothing.',
  params: {},
  apply: (graph) => graph,
});

/** Always throws a GraftError naming node `y`. */
export const failing = defineTransform({
  name: 'test_fail',
  summary: 'Always fails.',
  params: {},
  apply() {
    throw new GraftError('graph/bad-attr', 'boom on y', { node: 'y', op: 'Identity' });
  },
});

/** TensorFlow's P4 test transform: returns an empty graph. */
export const emptyGraph = defineTransform({
  name: 'test_empty_graph_transform',
  summary: 'Returns an empty graph.',
  params: {},
  apply: () => makeGraph([]),
});

/** Rebuilds the graph from scratch with makeGraph: library and versions are lost. */
export const rebuild = defineTransform({
  name: 'test_rebuild',
  summary: 'Rebuilds the node list from scratch.',
  params: {},
  apply: (graph) => makeGraph(graph.nodes.map((n) => makeNode({ name: n.name, op: n.op, inputs: n.inputs }))),
});

/** Adds a node whose input does not exist. */
export const dangle = defineTransform({
  name: 'test_dangle',
  summary: 'Produces an invalid graph.',
  params: {},
  apply: (graph) => withNodes(graph, [...graph.nodes, makeNode({ name: 'bad', op: 'Identity', inputs: ['nowhere'] })]),
});

/** Removes node `y` (a protected output in most tests). */
export const dropY = defineTransform({
  name: 'test_drop_y',
  summary: 'Removes y.',
  params: {},
  apply: (graph) => withNodes(graph, graph.nodes.filter((n) => n.name !== 'y')),
});

/** A transform with one parameter of every kind; records what it was given. */
export const seen: Record<string, unknown>[] = [];
export const kinds = defineTransform({
  name: 'test_kinds',
  aliases: [{ name: 'test_kinds_old', deprecated: 'renamed in 0.2' }],
  summary: 'Takes every kind of parameter.',
  description: 'Records its parameters.\nSecond | line.',
  requires: ['test_noop'],
  params: {
    type: param.dtype({ doc: 'A data type.', default: 'float' }),
    shape: param.shape({ doc: 'A shape.' }),
    op: param.repeated(param.string({ doc: 'Op names.' })),
    mode: param.enum(['MIN_COMBINED', 'SCALED'], { doc: 'A mode.', default: 'MIN_COMBINED' }),
    max_inputs: param.int({ doc: 'An int.', default: 10, min: 0, max: 100 }),
    ratio: param.float({ doc: 'A float.' }),
    clear_output_shapes: param.bool({ doc: 'A bool.', default: true }),
    old_knob: param.int({ doc: 'Unused.', deprecated: 'has no effect' }),
  },
  apply(graph, params, ctx) {
    seen.push({ ...params });
    ctx.report({ severity: 'info', code: 'test_kinds/seen', message: `mode ${params.mode}`, node: 'x' });
    return graph;
  },
});

/** A registry without built-ins holding every test transform. */
export function testRegistry(): Registry {
  return createRegistry({ builtins: false }).extend([addConst, noop, failing, emptyGraph, rebuild, dangle, dropY, kinds]);
}

/** Runs `fn` and returns what it threw (failing the test if it did not throw). */
export function thrown(fn: () => unknown): GraftError {
  try {
    fn();
  } catch (e) {
    return e as GraftError;
  }
  throw new Error('expected an error');
}

export async function rejected(p: Promise<unknown>): Promise<GraftError> {
  try {
    await p;
  } catch (e) {
    return e as GraftError;
  }
  throw new Error('expected a rejection');
}
