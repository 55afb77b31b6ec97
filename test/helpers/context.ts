/**
 * Running transforms directly in tests: a context that collects diagnostics and counters, and
 * parameter defaults filled from the transform's schema.
 */
import type { Diagnostic, ParamInput, ParamSchema, ParamValues, Transform, TransformContext } from '../../src/transform/define';
import { camelCase } from '../../src/transform/define';
import type { Graph } from '../../src/ir/graph';
import { protectedNodeNames } from '../../src/ir/edit';

export interface TestContext extends TransformContext {
  readonly reports: Diagnostic[];
  readonly counters: Map<string, number>;
}

/** A context with the given graph inputs and outputs that records what the transform reports. */
export function testContext(o: { inputs?: readonly string[]; outputs?: readonly string[]; transform?: string } = {}): TestContext {
  const inputs = o.inputs ?? [];
  const outputs = o.outputs ?? [];
  const reports: Diagnostic[] = [];
  const counters = new Map<string, number>();
  return {
    inputs,
    outputs,
    protectedNodes: protectedNodeNames(inputs, outputs),
    reports,
    counters,
    report(d) {
      reports.push({ ...d, ...(o.transform ? { transform: o.transform } : {}) });
    },
    count(counter, by = 1) {
      counters.set(counter, (counters.get(counter) ?? 0) + by);
    },
  };
}

/** The camelCase parameter values `apply` receives, with the schema's defaults filled in. */
export function withDefaults<P extends ParamSchema>(t: Transform<P>, partial: ParamInput<P> = {}): ParamValues<P> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(t.params)) {
    const k = camelCase(key);
    const given = (partial as Record<string, unknown>)[k];
    if (given !== undefined) out[k] = spec.repeated && !Array.isArray(given) ? [given] : given;
    else if (spec.default !== undefined) out[k] = spec.default;
    else if (spec.repeated) out[k] = [];
  }
  return out as ParamValues<P>;
}

/** Runs a transform with defaults filled and a test context; returns the graph and the context. */
export function run<P extends ParamSchema>(
  t: Transform<P>,
  graph: Graph,
  params: ParamInput<P> = {},
  ctx: { inputs?: readonly string[]; outputs?: readonly string[] } = {},
): { graph: Graph; ctx: TestContext } {
  const c = testContext({ ...ctx, transform: t.name });
  const out = t.apply(graph, withDefaults(t, params), c);
  if (out instanceof Promise) throw new Error(`test: ${t.name} is async; use runAsync`);
  return { graph: out, ctx: c };
}

/** `run` for transforms whose `apply` is async (those that evaluate with the runtime). */
export async function runAsync<P extends ParamSchema>(
  t: Transform<P>,
  graph: Graph,
  params: ParamInput<P> = {},
  ctx: { inputs?: readonly string[]; outputs?: readonly string[] } = {},
): Promise<{ graph: Graph; ctx: TestContext }> {
  const c = testContext({ ...ctx, transform: t.name });
  return { graph: await t.apply(graph, withDefaults(t, params), c), ctx: c };
}
