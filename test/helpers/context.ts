/**
 * Running transforms directly in tests: a context that collects diagnostics and counters, and
 * parameter defaults filled from the transform's schema.
 */
import type { ParamInput, ParamSchema, Transform } from '../../src/transform/define';
import type { Graph } from '../../src/ir/graph';
import { loadTransform } from '../../src/transform/define';
import { type RecordingContext, paramsWithDefaults, recordingContext } from '../../src/testing/index';
import { builtinTransforms } from '../../src/transforms/index';

// The built-ins load their `apply` on first use; `run` calls it synchronously, so load them all first.
await Promise.all(builtinTransforms.map(loadTransform));

export type TestContext = RecordingContext;

/** A context with the given graph inputs and outputs that records what the transform reports (tf-graft/testing's). */
export const testContext = recordingContext;

/** The camelCase parameter values `apply` receives, with the schema's defaults filled in (tf-graft/testing's). */
export const withDefaults = paramsWithDefaults;

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
