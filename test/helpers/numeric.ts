/**
 * Numeric comparison for transform tests: run the graph before and after a transform on the
 * runtime and check that the fetched values agree. The runtime is loaded lazily so that a test
 * file still runs its structural checks when src/runtime cannot load; the numeric part then skips.
 */
import { expect, type TestContext as VitestContext } from 'vitest';
import type { Graph } from '../../src/ir/graph';
import { type Tensor, tensorToNumbers } from '../../src/ir/tensor';

/** The runtime module (src/runtime/index). */
export type Runtime = typeof import('../../src/runtime/index');
/** A kernel registry of the runtime. */
export type Kernels = import('../../src/runtime/index').KernelRegistry;

let runtimePromise: Promise<Runtime | undefined> | undefined;
/** The runtime module, or undefined when it does not load (loaded once per test file). */
export const loadRuntime = (): Promise<Runtime | undefined> => (runtimePromise ??= import('../../src/runtime/index').catch(() => undefined));

/** Options of {@link expectSameOutputs}. */
export interface SameOutputsOptions {
  /** Largest allowed difference per element (default 1e-5, TF's tests use the same). */
  tol?: number;
  /** Scale `tol` by max(1, |expected|) per element: for outputs with large magnitudes. */
  relative?: boolean;
  feeds?: Record<string, Tensor>;
  /** Extra kernels (test kernels for ops the runtime lacks), built from the loaded runtime. */
  kernels?: (rt: Runtime) => Kernels;
}

/**
 * Runs both graphs and compares the fetches element by element within `tol`; skips the test
 * (saying why) when the runtime is unavailable or lacks kernels. Returns the `after` outputs.
 */
export async function expectSameOutputs(t: VitestContext, before: Graph, after: Graph, fetches: string[], o: SameOutputsOptions = {}): Promise<Tensor[]> {
  const rt = await loadRuntime();
  if (!rt) t.skip('the runtime (src/runtime) is not available');
  const kernels = o.kernels?.(rt!);
  const missing = [...rt!.missingKernels(before, fetches, kernels), ...rt!.missingKernels(after, fetches, kernels)];
  if (missing.length > 0) t.skip(`no kernels for ${[...new Set(missing.map((m) => m.op))].join(', ')}`);
  const opts = kernels ? { kernels } : {};
  const a = await rt!.runGraph(before, o.feeds ?? {}, fetches, opts);
  const b = await rt!.runGraph(after, o.feeds ?? {}, fetches, opts);
  const tol = o.tol ?? 1e-5;
  for (let i = 0; i < fetches.length; i++) {
    expect(b[i]!.shape).toEqual(a[i]!.shape);
    const x = tensorToNumbers(a[i]!);
    const y = tensorToNumbers(b[i]!);
    for (let k = 0; k < x.length; k++) {
      const bound = o.relative ? tol * Math.max(1, Math.abs(x[k]!)) : tol;
      expect(Math.abs(x[k]! - y[k]!), `${fetches[i]}[${k}]: ${x[k]} vs ${y[k]}`).toBeLessThanOrEqual(bound);
    }
  }
  return b;
}
