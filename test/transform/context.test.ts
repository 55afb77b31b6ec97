import { describe, expect, it } from 'vitest';
import { withNodes } from '../../src/ir/graph';
import { makeNode } from '../../src/ir/node';
import { defineTransform, param } from '../../src/transform/define';
import { pipeline } from '../../src/transform/pipeline';
import { formatReport } from '../../src/transform/report';
import { runPipeline } from '../../src/transform/runner';
import { generateTransformDocs } from '../../src/transform/docs';
import { createRegistry } from '../../src/transform/registry';
import { smallGraph } from './helpers';

const io = { inputs: ['x'], outputs: ['y'] };

/** Appends `count` NoOps; declares what it reports. */
const inner = defineTransform({
  name: 'test_inner',
  summary: 'Appends NoOps.',
  params: { count: param.int({ doc: 'How many.', default: 1 }) },
  counters: { added: 'NoOps appended.' },
  codes: { appended: { severity: 'info', doc: 'One NoOp appended.' } },
  apply(graph, { count }, ctx) {
    const nodes = Array.from({ length: count }, (_, i) => makeNode({ name: `noop_${graph.nodes.length + i}`, op: 'NoOp' }));
    for (const n of nodes) ctx.report({ code: 'appended', node: n.name, message: `appended ${n.name}` });
    ctx.count('added', count);
    return withNodes(graph, [...graph.nodes, ...nodes]);
  },
});

const outer = defineTransform({
  name: 'test_outer',
  summary: 'Runs test_inner as a sub-step.',
  params: {},
  counters: { runs: 'Sub-steps run.' },
  codes: { ran: { severity: 'warning', doc: 'Ran the inner transform.' } },
  apply(graph, _params, ctx) {
    ctx.count('runs');
    ctx.report({ code: 'ran', message: 'ran test_inner' });
    return ctx.run(inner, graph, { count: 2 });
  },
});

describe('transform context: declared counters and codes, sub-steps', () => {
  it('prefixes declared codes with the transform name and takes the declared severity', async () => {
    const { report } = await runPipeline(smallGraph(), pipeline().use(inner), io);
    expect(report.steps[0]!.diagnostics.map((d) => [d.code, d.severity, d.transform])).toEqual([['test_inner/appended', 'info', 'test_inner']]);
    expect(report.steps[0]!.counters).toEqual({ added: 1 });
  });

  it('fails the step on an undeclared counter or code', async () => {
    const sloppy = defineTransform({
      name: 'test_sloppy',
      summary: 's',
      params: {},
      counters: { one: 'one' },
      codes: {},
      apply(graph, _p, ctx) {
        ctx.count('tow' as 'one');
        return graph;
      },
    });
    await expect(runPipeline(smallGraph(), pipeline().use(sloppy), io)).rejects.toMatchObject({ code: 'transform/failed', message: expect.stringContaining("counted 'tow', which it does not declare") });
    const noisy = defineTransform({
      name: 'test_noisy',
      summary: 's',
      params: {},
      codes: { known: { severity: 'info', doc: 'k' } },
      apply(graph, _p, ctx) {
        ctx.report({ code: 'unknown' as 'known', message: 'm' });
        return graph;
      },
    });
    await expect(runPipeline(smallGraph(), pipeline().use(noisy), io)).rejects.toMatchObject({ message: expect.stringContaining("reported the code 'unknown'") });
  });

  it('ctx.run reports the inner transform as a sub-step, its diagnostics in the pipeline report', async () => {
    const { graph, report } = await runPipeline(smallGraph(), pipeline().use(outer), io);
    expect(graph.nodes.map((n) => n.op)).toEqual(['Placeholder', 'Identity', 'NoOp', 'NoOp']);
    const step = report.steps[0]!;
    expect(step.counters).toEqual({ runs: 1 });
    expect(step.diagnostics.map((d) => d.code)).toEqual(['test_outer/ran']);
    expect(step.substeps).toHaveLength(1);
    const sub = step.substeps![0]!;
    expect([sub.transform, sub.call, sub.changed, sub.nodesBefore, sub.nodesAfter]).toEqual(['test_inner', 'test_inner(count=2)', true, 2, 4]);
    expect(sub.counters).toEqual({ added: 2 });
    expect(sub.diagnostics.map((d) => [d.code, d.transform])).toEqual([
      ['test_inner/appended', 'test_inner'],
      ['test_inner/appended', 'test_inner'],
    ]);
    expect(report.diagnostics.map((d) => d.code)).toEqual(['test_outer/ran', 'test_inner/appended', 'test_inner/appended']);
    expect(formatReport(report)).toContain('sub-step test_inner(count=2): changed');
  });

  it('ctx.run refuses an asynchronous inner transform', async () => {
    const later = defineTransform({ name: 'test_later', summary: 's', params: {}, apply: async (g) => g });
    const caller = defineTransform({ name: 'test_caller', summary: 's', params: {}, apply: (g, _p, ctx) => ctx.run(later, g) });
    await expect(runPipeline(smallGraph(), pipeline().use(caller), io)).rejects.toMatchObject({ message: expect.stringContaining('test_later is asynchronous') });
  });

  it('the generated reference lists counters and codes', () => {
    const docs = generateTransformDocs(createRegistry({ builtins: false }).register(outer));
    expect(docs).toContain('| `runs` | Sub-steps run. |');
    expect(docs).toContain('| `test_outer/ran` | warning | Ran the inner transform. |');
  });

  it('every built-in declares its counters and codes', () => {
    const missing = createRegistry()
      .list()
      .filter((t) => t.counters === undefined || t.codes === undefined)
      .map((t) => t.name);
    expect(missing).toEqual([]);
    expect(generateTransformDocs(createRegistry())).toContain('`fold_constants/unsupported-op`');
  });
});
