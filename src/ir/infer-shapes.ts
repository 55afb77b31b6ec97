/**
 * Shape inference as the core exports it: `inferShapes`, `inferFunctionShapes` and
 * `opsWithShapeFns` are async, and the inference itself (shape-inference.ts, with every op's shape
 * function) loads on the first call, so that it stays out of what the core loads on import
 * (test/package/browser.test.ts). Code that is itself loaded lazily (transforms, summarize,
 * toSavedModel) calls shape-inference.ts directly.
 */
import type { Graph } from './graph';
import type { FunctionShapes, InferShapesOptions, InferredTensor } from './shape-inference';

export type { FunctionShapes, InferShapesOptions, InferredTensor } from './shape-inference';
export type { Dims } from './shape-fns/dims';
export { formatDims } from './shape-fns/dims';

/**
 * Infers the dtype and static shape of every tensor of a graph. It follows TensorFlow's shape
 * refiner; docs/shape-inference.md says what is and is not inferred.
 *
 * Resolves to a map from tensor name (`node:port`) to `{ dtype, shape }`: shape -1 is an unknown
 * dimension, null an unknown rank. A tensor absent from the map is unknown (an op without a
 * shape function).
 *
 * @throws GraftError `api/bad-argument` (as a rejection) when `graph` is not a graph.
 * @example
 * const shapes = await inferShapes(graph, { inputShapes: { x: [1, 28, 28, 1] } });
 * shapes.get('probabilities:0'); // { dtype: 'float', shape: [1, 10] }
 */
export async function inferShapes(graph: Graph, options: InferShapesOptions = {}): Promise<Map<string, InferredTensor>> {
  const m = await import('./shape-inference');
  return m.inferShapes(graph, options);
}

/**
 * Infers a library function's body. Without `args`, the argument shapes TensorFlow recorded in
 * the function (`arg_attr` `_output_shapes`, `_handle_shapes`) are used. Resolves to undefined
 * when the graph has no function `name`.
 */
export async function inferFunctionShapes(graph: Graph, name: string, args?: readonly InferredTensor[]): Promise<FunctionShapes | undefined> {
  const m = await import('./shape-inference');
  return m.inferFunctionShapes(graph, name, args);
}

/** Every op graft has a shape function for, sorted. */
export async function opsWithShapeFns(): Promise<string[]> {
  const m = await import('./shape-inference');
  return m.opsWithShapeFns();
}
