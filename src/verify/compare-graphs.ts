/**
 * The body of `compare` (compare.ts declares it, its options and its report), loaded with
 * `import()` on its first call; and `buildFeeds`, the inputs both graphs run on.
 */
import { GraftError } from '../errors';
import type { Graph } from '../ir/graph';
import { parseInput } from '../ir/node';
import type { Tensor } from '../ir/tensor';
import { generateFeeds, placeholderSpecs } from './feeds';
import { checkGraphShallow } from '../ir/check';
import { type CompareOptions, type CompareReport, type FeedInfo, compareOutputs, feedsFor, resolveTolerance } from './compare';

/**
 * The inputs to run both graphs on: the given feeds, plus generated values for every other
 * placeholder (of either graph) that `inputs` allows.
 */
export function buildFeeds(
  graphs: readonly Graph[],
  opts: { inputs?: readonly string[]; feeds?: Readonly<Record<string, Tensor>>; seed?: number; batch?: number; maxInputBytes?: number },
): { feeds: Record<string, Tensor>; info: FeedInfo[] } {
  const feeds: Record<string, Tensor> = { ...(opts.feeds ?? {}) };
  const info: FeedInfo[] = Object.entries(feeds).map(([name, t]) => ({ name, dtype: t.dtype, shape: t.shape, generated: false }));
  const fedNodes = new Set(Object.keys(feeds).map((k) => parseInput(k).node));
  const wanted = opts.inputs ? new Set(opts.inputs.map((i) => parseInput(i).node)) : undefined;
  for (const g of graphs) {
    const names = new Set(placeholderSpecs(g).map((p) => p.name));
    const only = [...names].filter((n) => !fedNodes.has(n) && (!wanted || wanted.has(n)));
    const gen = generateFeeds(g, {
      only,
      ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
      ...(opts.batch !== undefined ? { batch: opts.batch } : {}),
      ...(opts.maxInputBytes !== undefined ? { maxInputBytes: opts.maxInputBytes } : {}),
    });
    for (const [name, t] of Object.entries(gen)) {
      feeds[name] = t;
      fedNodes.add(name);
      info.push({ name, dtype: t.dtype, shape: t.shape, generated: true });
    }
  }
  if (wanted) {
    for (const w of wanted) {
      if (!fedNodes.has(w)) {
        throw new GraftError('runtime/missing-feed', `Input '${w}' is not a Placeholder of either graph and has no given value`, {
          node: w,
          hint: 'Give its value in feeds (name=file.npy), or name a Placeholder.',
        });
      }
    }
  }
  return { feeds, info };
}

/** `compare`, loaded. */
export async function compareGraphs(a: Graph, b: Graph, opts: CompareOptions): Promise<CompareReport> {
  checkGraphShallow('compare', 'a', a);
  checkGraphShallow('compare', 'b', b);
  if (opts.outputs.length === 0) throw new GraftError('api/bad-argument', 'compare needs at least one output (`outputs`)', { param: 'outputs' });
  const tol = resolveTolerance(opts);
  const seed = opts.seed ?? 1;
  // Placeholders of B that are A's inputs under another name are not generated twice.
  const { feeds, info } = buildFeeds(opts.inputNamesB ? [a] : [a, b], { ...opts, seed });
  const { runGraph } = await import('../runtime/index');
  const common = {
    ...(opts.backend !== undefined ? { backend: opts.backend } : {}),
    ...(opts.kernels !== undefined ? { kernels: opts.kernels } : {}),
    ...(opts.limits !== undefined ? { limits: opts.limits } : {}),
  };
  const varsA = opts.variablesA;
  const varsB = opts.variablesB ?? opts.variablesA;
  const outA = await runGraph(a, feedsFor(a, feeds), opts.outputs, { ...common, ...opts.runtimeA, ...(varsA ? { variables: varsA } : {}) });
  const outputsB = opts.outputsB ?? opts.outputs;
  if (outputsB.length !== opts.outputs.length) throw new GraftError('api/bad-argument', `\`outputsB\` names ${outputsB.length} outputs, \`outputs\` ${opts.outputs.length}`, { param: 'outputsB' });
  const renamed = opts.inputNamesB ? Object.fromEntries(Object.entries(feeds).map(([k, t]) => [opts.inputNamesB![k] ?? k, t])) : feeds;
  const outB = await runGraph(b, feedsFor(b, renamed), outputsB, { ...common, ...opts.runtimeB, ...(varsB ? { variables: varsB } : {}) });
  const outputs = compareOutputs(opts.outputs, outA, outB, tol);
  return { outputs, pass: outputs.every((o) => o.pass), feeds: info, rtol: tol.rtol, atol: tol.atol, seed };
}
