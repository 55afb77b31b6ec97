import { describe, expect, it } from 'vitest';
import { GraftError } from '../../src/errors';
import { makeGraph, type Graph } from '../../src/ir/graph';
import { makeNode } from '../../src/ir/node';
import { defineTransform, param, type TransformContext } from '../../src/transform/define';
import { pipeline } from '../../src/transform/pipeline';
import { createRegistry } from '../../src/transform/registry';
import { runPipeline, type StepInfo, type StepResult } from '../../src/transform/runner';
import { addConst, failing, kinds, noop, rebuild, rejected, seen, smallGraph, testRegistry } from './helpers';

const registry = testRegistry();
const io = { inputs: ['x'], outputs: ['y:0'], registry };

describe('TensorFlow driver tests', () => {
  it('P4: a registered transform returning an empty graph yields 0 nodes; an unknown one is "not recognized"', async () => {
    const graph = makeGraph([makeNode({ name: 'placeholder_expect_remains', op: 'Placeholder' })]);
    const { graph: out } = await runPipeline(graph, 'test_empty_graph_transform', { registry });
    expect(out.nodes).toHaveLength(0);
    const e = await rejected(runPipeline(graph, 'test_no_such_transform', { registry }));
    expect(e.code).toBe('transform/unknown');
    expect(e.message).toContain('not recognized');
  });

  it('P3: ignore_errors true / false / missing / foo', async () => {
    const g = smallGraph();
    const ignored = await runPipeline(g, 'test_fail(ignore_errors=true)', io);
    expect(ignored.graph).toBe(g);
    expect(ignored.report.steps[0]!.skipped).toBe(true);
    for (const s of ['test_fail(ignore_errors=false)', 'test_fail']) {
      expect((await rejected(runPipeline(g, s, io))).code).toBe('transform/failed');
    }
    const bad = await rejected(runPipeline(g, 'test_fail(ignore_errors=foo)', io));
    expect(bad.code).toBe('transform/bad-param');
    expect(bad.message).toContain('ignore_errors should be true or false, found foo');
  });
});

describe('runPipeline', () => {
  it('runs steps in order and reports each one', async () => {
    const g = smallGraph();
    const { graph, report } = await runPipeline(g, 'test_add_const(name=a) test_noop test_add_const(name=b)', io);
    expect(graph.nodes.map((n) => n.name)).toEqual(['x', 'y', 'a', 'b']);
    expect(report.steps.map((s) => [s.name, s.changed, s.nodesBefore, s.nodesAfter, s.counters])).toEqual([
      ['test_add_const', true, 2, 3, { added: 1 }],
      ['test_noop', false, 3, 3, {}],
      ['test_add_const', true, 3, 4, { added: 1 }],
    ]);
    expect(report.steps[0]!.params).toEqual({ name: 'a' });
    expect(report.steps[0]!.call).toBe('test_add_const(name=a)');
    expect(report.nodesBefore).toBe(2);
    expect(report.nodesAfter).toBe(4);
    expect(report.steps.every((s) => s.ms >= 0 && !s.skipped)).toBe(true);
    expect(report.ms).toBeGreaterThanOrEqual(0);
    expect(g.nodes).toHaveLength(2); // input untouched
  });

  it('detects "unchanged" by instance identity: same instance back means unchanged', async () => {
    const g = smallGraph();
    const copy = defineTransform({ name: 'test_copy', summary: 's', params: {}, apply: (graph) => makeGraph(graph.nodes, graph) });
    const r = await runPipeline(g, pipeline().use(noop).use(copy), io);
    expect(r.report.steps.map((s) => s.changed)).toEqual([false, true]);
    const same = await runPipeline(g, pipeline().use(noop), io);
    expect(same.graph).toBe(g);
  });

  it('runs a builder pipeline with names resolved against the pipeline registry when added', async () => {
    const p = pipeline(registry).use('test_add_const', { name: 'n1' }).use(addConst, { name: 'n2' });
    const { graph } = await runPipeline(smallGraph(), p, io);
    expect(graph.nodes.map((n) => n.name)).toEqual(['x', 'y', 'n1', 'n2']);
    // The steps are resolved: a run's registry that lacks the name does not matter.
    const again = await runPipeline(smallGraph(), p, { inputs: ['x'], outputs: ['y'], registry: createRegistry({ builtins: false }) });
    expect(again.graph.nodes.map((n) => n.name)).toEqual(['x', 'y', 'n1', 'n2']);
    // A name the pipeline's registry lacks fails at once, before any run.
    expect(() => pipeline().use('test_add_const', { name: 'n1' })).toThrow(/Step 1: Transform 'test_add_const' not recognized/);
  });

  it('passes resolved params (defaults applied) and a context with protected nodes', async () => {
    let ctxSeen: TransformContext | undefined;
    const probe = defineTransform({
      name: 'test_probe',
      summary: 's',
      params: { n: param.int({ doc: 'd', default: 4 }) },
      apply(graph, params, ctx) {
        expect(params).toEqual({ n: 4 });
        ctxSeen = ctx;
        return graph;
      },
    });
    const controller = new AbortController();
    await runPipeline(smallGraph(), pipeline().use(probe), { inputs: ['x:0'], outputs: ['^y', ''], signal: controller.signal });
    expect(ctxSeen!.inputs).toEqual(['x:0']);
    expect(ctxSeen!.outputs).toEqual(['^y', '']);
    expect([...ctxSeen!.protectedNodes].sort()).toEqual(['x', 'y']);
    expect(ctxSeen!.signal).toBe(controller.signal);
  });

  it('a failing step: transform/failed naming the step and those before it, cause and node kept', async () => {
    const e = await rejected(runPipeline(smallGraph(), 'test_noop test_add_const(name=q) test_fail test_noop test_noop', io));
    expect(e).toBeInstanceOf(GraftError);
    expect(e.code).toBe('transform/failed');
    expect(e.message).toBe(
      'step 3 of 5, test_fail failed: boom on y\nSteps that ran before it: 1. test_noop, 2. test_add_const(name=q).',
    );
    expect(e.node).toBe('y');
    expect(e.op).toBe('Identity');
    expect((e.cause as GraftError).code).toBe('graph/bad-attr');
    // A plain Error is wrapped too.
    const plain = defineTransform({ name: 'test_plain', summary: 's', params: {}, apply: () => { throw new TypeError('oops'); } });
    const e2 = await rejected(runPipeline(smallGraph(), pipeline().use(plain), io));
    expect(e2.code).toBe('transform/failed');
    expect(e2.message).toBe('step 1 of 1, test_plain failed: oops\nNo step ran before it.');
    expect(e2.cause).toBeInstanceOf(TypeError);
  });

  it('ignore_errors: the error becomes a diagnostic and the step input continues', async () => {
    const g = smallGraph();
    const { graph, report } = await runPipeline(g, pipeline().use(failing, {}, { ignoreErrors: true }).use(addConst), io);
    expect(graph.nodes.map((n) => n.name)).toEqual(['x', 'y', 'added']);
    const step = report.steps[0]!;
    expect(step).toMatchObject({ skipped: true, changed: false, nodesBefore: 2, nodesAfter: 2, ignoreErrors: true, call: 'test_fail(ignore_errors=true)' });
    expect(step.diagnostics).toEqual([
      { severity: 'error', code: 'pipeline/ignored-error', transform: 'test_fail', node: 'y', message: 'test_fail: Ignoring error boom on y', hint: 'ignore_errors=true kept the graph from before this step' },
    ]);
    expect(report.diagnostics).toEqual(step.diagnostics);
  });

  it('an invalid result throws transform/invalid-output naming the step, even with ignore_errors', async () => {
    const e = await rejected(runPipeline(smallGraph(), 'test_noop test_dangle(ignore_errors=true)', io));
    expect(e.code).toBe('transform/invalid-output');
    expect(e.message).toContain("step 2 of 2, test_dangle(ignore_errors=true) produced an invalid graph: Node 'bad' (Identity) has input 'nowhere'");
    expect(e.node).toBe('bad');
    // Removing a required output is invalid too.
    const e2 = await rejected(runPipeline(smallGraph(), 'test_drop_y', io));
    expect(e2.code).toBe('transform/invalid-output');
    expect(e2.message).toContain("Required node 'y' is missing");
    // validate: false turns the checks off.
    const { graph } = await runPipeline(smallGraph(), 'test_dangle', { ...io, validate: false });
    expect(graph.nodes).toHaveLength(3);
  });

  it('a non-graph result is an invalid output', async () => {
    const wrong = defineTransform({ name: 'test_wrong', summary: 's', params: {}, apply: () => undefined as unknown as Graph });
    const e = await rejected(runPipeline(smallGraph(), pipeline().use(wrong), io));
    expect(e.code).toBe('transform/invalid-output');
    expect(e.message).toContain('returned undefined instead of a graph');
  });

  it('an invalid input graph (a missing output) fails before any step runs', async () => {
    let ran = false;
    const spy = defineTransform({ name: 'test_spy', summary: 's', params: {}, apply: (g) => ((ran = true), g) });
    const e = await rejected(runPipeline(smallGraph(), pipeline().use(spy), { outputs: ['nope'] }));
    expect(e.code).toBe('graph/missing-node');
    expect(e.message).toContain("Required node 'nope' is missing");
    expect(ran).toBe(false);
  });

  it('restores the library and versions a transform lost by rebuilding from scratch', async () => {
    const g = smallGraph();
    const { graph, report } = await runPipeline(g, pipeline().use(rebuild), io);
    expect(report.steps[0]!.changed).toBe(true);
    expect(graph).not.toBe(g);
    expect(graph.library).toBe(g.library);
    expect(graph.versions).toEqual({ producer: 27, minConsumer: 0, badConsumers: [] });
    // A transform that sets its own (empty) library keeps it.
    const clear = defineTransform({ name: 'test_clear_lib', summary: 's', params: {}, apply: (x) => makeGraph(x.nodes, { library: { functions: [] }, versions: x.versions }) });
    const cleared = await runPipeline(g, pipeline().use(clear), io);
    expect(cleared.graph.library.functions).toHaveLength(0);
  });

  it('calls hooks in order with step info', async () => {
    const events: string[] = [];
    const infos: StepInfo[] = [];
    const results: StepResult[] = [];
    const g = smallGraph();
    const { graph } = await runPipeline(g, 'test_add_const(name=h) test_noop', {
      ...io,
      hooks: {
        beforeStep(info) {
          events.push(`before ${info.index} ${info.call} ${info.graph.nodes.length}`);
          infos.push(info);
        },
        async afterStep(info, result) {
          await Promise.resolve();
          events.push(`after ${info.index} ${result.report.changed} ${result.graph.nodes.length}`);
          results.push(result);
        },
      },
    });
    expect(events).toEqual(['before 0 test_add_const(name=h) 2', 'after 0 true 3', 'before 1 test_noop 3', 'after 1 false 3']);
    expect(infos[0]).toMatchObject({ index: 0, count: 2, name: 'test_add_const', transform: 'test_add_const', params: { name: 'h' }, ignoreErrors: false });
    expect(infos[0]!.graph).toBe(g);
    expect(results[1]!.graph).toBe(graph);
  });

  it('transform diagnostics get the transform name; alias use warns; unmet requires is info; deprecated params warn', async () => {
    seen.length = 0;
    const { report } = await runPipeline(smallGraph(), 'test_kinds_old(old_knob=1)', io);
    const codes = report.steps[0]!.diagnostics.map((d) => [d.severity, d.code, d.transform]);
    expect(codes).toEqual([
      ['warning', 'registry/deprecated-alias', 'test_kinds'],
      ['info', 'pipeline/missing-requirement', 'test_kinds'],
      ['warning', 'pipeline/deprecated-param', 'test_kinds'],
      ['info', 'test_kinds/seen', 'test_kinds'],
    ]);
    expect(report.steps[0]!.diagnostics[0]!.message).toBe("'test_kinds_old' is a deprecated alias of 'test_kinds'");
    expect(report.steps[0]!.diagnostics[0]!.hint).toBe('renamed in 0.2');
    expect(report.steps[0]!.diagnostics[3]!.node).toBe('x');
    expect(report.steps[0]!.transform).toBe('test_kinds');
    expect(report.steps[0]!.name).toBe('test_kinds_old');
    expect(seen[0]).toMatchObject({ oldKnob: 1, mode: 'MIN_COMBINED' });
    // With the requirement earlier in the pipeline, no info.
    const ok = await runPipeline(smallGraph(), pipeline(registry).use(noop).use(kinds), io);
    expect(ok.report.diagnostics.map((d) => d.code)).toEqual(['test_kinds/seen']);
  });

  it('an aborted signal stops the run', async () => {
    const controller = new AbortController();
    const stopper = defineTransform({ name: 'test_stop', summary: 's', params: {}, apply: (g) => (controller.abort(new Error('stop')), g) });
    let ranAfter = false;
    const after = defineTransform({ name: 'test_after', summary: 's', params: {}, apply: (g) => ((ranAfter = true), g) });
    await expect(runPipeline(smallGraph(), pipeline().use(stopper).use(after), { ...io, signal: controller.signal })).rejects.toThrow('stop');
    expect(ranAfter).toBe(false);
  });

  it('awaits a transform that returns a promise', async () => {
    const later = defineTransform({
      name: 'test_async',
      summary: 's',
      params: {},
      apply: ((g: Graph) => Promise.resolve(makeGraph([...g.nodes, makeNode({ name: 'z', op: 'NoOp' })], g))) as unknown as (g: Graph) => Graph,
    });
    const { graph } = await runPipeline(smallGraph(), pipeline().use(later), io);
    expect(graph.nodes.map((n) => n.name)).toEqual(['x', 'y', 'z']);
  });

  it('the report is JSON-serialisable as is', async () => {
    const { report } = await runPipeline(smallGraph(), 'test_noop test_kinds(shape="1,2") test_fail(ignore_errors=true)', io);
    const back = JSON.parse(JSON.stringify(report));
    expect(back.steps[1].params.shape).toEqual([1, 2]);
    expect(back.steps).toHaveLength(3);
    expect(back.diagnostics).toEqual(JSON.parse(JSON.stringify(report.diagnostics)));
  });
});
