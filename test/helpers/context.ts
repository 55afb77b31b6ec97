/**
 * Running transforms directly in tests: a context that collects diagnostics and counters, and
 * parameter defaults filled from the transform's schema.
 */
import type { Diagnostic, ParamInput, ParamSchema, ParamValues, Transform, TransformContext } from '../../src/transform/define';
import { camelCase, defineTransform } from '../../src/transform/define';
import { createTransformContext } from '../../src/transform/context';
import type { SubstepReport } from '../../src/transform/report';
import type { Graph } from '../../src/ir/graph';
import { protectedNodeNames } from '../../src/ir/edit';

export interface TestContext extends TransformContext {
  readonly reports: Diagnostic[];
  readonly counters: Map<string, number>;
  readonly substeps: SubstepReport[];
}

/** Stands in for the transform when a test calls a transform's internals directly. */
const ANY = defineTransform({ name: 'test_context', summary: 'A context without a transform', params: {}, apply: (g) => g });

/** A context with the given graph inputs and outputs that records what the transform reports. */
export function testContext(o: { inputs?: readonly string[]; outputs?: readonly string[]; transform?: Transform } = {}): TestContext {
  const inputs = o.inputs ?? [];
  const outputs = o.outputs ?? [];
  const reports: Diagnostic[] = [];
  const counters = new Map<string, number>();
  const substeps: SubstepReport[] = [];
  const ctx = createTransformContext(o.transform ?? ANY, { inputs, outputs, protectedNodes: protectedNodeNames(inputs, outputs) }, {
    report: (d) => reports.push(o.transform ? d : { ...d, transform: undefined as never }),
    count: (c, by) => counters.set(c, (counters.get(c) ?? 0) + by),
    substep: (s) => substeps.push(s),
  });
  return { ...ctx, reports, counters, substeps };
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
  const c = testContext({ ...ctx, transform: t as unknown as Transform });
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
  const c = testContext({ ...ctx, transform: t as unknown as Transform });
  return { graph: await t.apply(graph, withDefaults(t, params), c), ctx: c };
}
