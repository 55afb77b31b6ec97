/**
 * Built-in transforms load their `apply` on first use (`lazyApply`, src/transform/define.ts), so
 * that importing the core does not load every transform's body. Checked here: the wrapper's own
 * contract, and, in a fresh copy of the modules (nothing loaded yet, as right after import), that
 * the runner loads what a pipeline needs, including a built-in that a transform of the caller's
 * own runs with `ctx.run`.
 */
import { describe, expect, it, vi } from 'vitest';
import { isGraftError } from '../../src/errors';
import { attr } from '../../src/ir/attr';
import type { Graph } from '../../src/ir/graph';
import { defineTransform, lazyApply, loadTransform, transformLoaded } from '../../src/transform/define';
import { graphBuilder } from '../helpers/graph-builder';

const graph = (): Graph => {
  const b = graphBuilder();
  const x = b.placeholder('x', 'float', [2]);
  b.op('Identity', [x], { T: attr.type('float') }, 'unused');
  b.op('Identity', [x], { T: attr.type('float') }, 'y');
  return b.graph();
};

describe('lazyApply', () => {
  it('answers with a promise until its module has loaded, then calls it directly; the module loads once', async () => {
    let loads = 0;
    const t = defineTransform({
      name: 'lazy_probe',
      summary: 'probe',
      params: {},
      apply: lazyApply(async () => {
        loads++;
        return { apply: (g: Graph) => g };
      }),
    });
    const g = graph();
    expect(transformLoaded(t)).toBe(false);
    const first = t.apply(g, {}, undefined as never);
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toBe(g);
    expect(transformLoaded(t)).toBe(true);
    expect(t.apply(g, {}, undefined as never)).toBe(g);
    await loadTransform(t);
    expect(loads).toBe(1);
  });

  it('loads the transforms named in `runs` with it', async () => {
    const inner = defineTransform({ name: 'lazy_inner', summary: 'inner', params: {}, apply: lazyApply(async () => ({ apply: (g: Graph) => g })) });
    const outer = defineTransform({ name: 'lazy_outer', summary: 'outer', params: {}, apply: lazyApply(async () => ({ apply: (g: Graph) => g }), [inner]) });
    await loadTransform(outer);
    expect(transformLoaded(inner)).toBe(true);
  });

  it('a failed load is tried again on the next call; a module without apply is a GraftError', async () => {
    let fail = true;
    const t = defineTransform({
      name: 'lazy_flaky',
      summary: 'flaky',
      params: {},
      apply: lazyApply(async () => {
        if (fail) throw new Error('chunk lost');
        return { apply: (g: Graph) => g };
      }),
    });
    await expect(loadTransform(t)).rejects.toThrow('chunk lost');
    fail = false;
    await loadTransform(t);
    expect(transformLoaded(t)).toBe(true);
    const broken = defineTransform({ name: 'lazy_broken', summary: 'broken', params: {}, apply: lazyApply(async () => ({})) });
    const e = await loadTransform(broken).catch((x: unknown) => x);
    expect(isGraftError(e) && e.code).toBe('transform/failed');
  });
});

describe('the built-ins, right after import', () => {
  it('have not loaded their bodies; a pipeline loads them, and a custom step can ctx.run a built-in', async () => {
    vi.resetModules();
    const core = await import('../../src/index');
    const define = await import('../../src/transform/define');
    expect(core.builtinTransforms.filter((t) => define.transformLoaded(t)).map((t) => t.name)).toEqual([]);

    // A transform of one's own that runs strip_unused_nodes as a sub-step.
    const mine = core.defineTransform({ name: 'my_strip', summary: 'strips', params: {}, apply: (g, _p, ctx) => ctx.run(core.stripUnusedNodes, g) });
    const g = graph();
    // Called directly, before anything loaded: a clear GraftError, not a promise where a graph belongs.
    const ctx = (await import('../../src/testing/index')).recordingContext({ outputs: ['y'], transform: mine });
    const direct = (() => {
      try {
        return mine.apply(g, {}, ctx);
      } catch (e) {
        return e;
      }
    })();
    expect(isGraftError(direct) && direct.code).toBe('transform/failed');
    expect((direct as Error).message).toContain('before strip_unused_nodes was loaded');

    const { graph: out, report } = await core.runPipeline(g, core.pipeline().use(mine), { inputs: ['x'], outputs: ['y'] });
    expect(out.nodes.map((n) => n.name)).toEqual(['x', 'y']);
    expect(report.steps[0]!.substeps?.[0]?.transform).toBe('strip_unused_nodes');
  });

  it('quantize_nodes loads merge_duplicate_nodes, which it runs with ctx.run, along with its own body', async () => {
    vi.resetModules();
    const core = await import('../../src/index');
    const define = await import('../../src/transform/define');
    expect(define.transformLoaded(core.mergeDuplicateNodes)).toBe(false);
    await define.loadTransform(core.quantizeNodes);
    expect(define.transformLoaded(core.quantizeNodes)).toBe(true);
    expect(define.transformLoaded(core.mergeDuplicateNodes)).toBe(true);
  });
});
