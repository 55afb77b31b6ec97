/**
 * Deterministic inputs for a graph's placeholders, for tests and benchmarks: shapes from the
 * `shape` attribute (unknown dims become 1, unknown rank a scalar), values from a seeded
 * generator in a NaN-safe range (floats in [0.05, 1.05): positive, so Log/Sqrt/Rsqrt stay finite;
 * integers in [0, 10); bools alternating; strings empty).
 */
import { attrWithDefault } from '../ir/op-facts';
import { type DType, baseDType } from '../ir/dtype';
import type { Graph } from '../ir/graph';
import { type Tensor, makeStringTensor, numElements } from '../ir/tensor';
import { tensorFromArray } from './values';

import { seededRandom } from '../ir/random';

export { seededRandom };

/** A tensor of `dtype`/`shape` with seeded values (see the module comment for the ranges). */
export function seededTensor(dtype: DType, shape: readonly number[], seed = 1): Tensor {
  const b = baseDType(dtype);
  const n = numElements(shape);
  const rnd = seededRandom(seed);
  if (b === 'string') return makeStringTensor(shape, Array.from({ length: n }, () => ''));
  if (b === 'bool') return tensorFromArray('bool', shape, Array.from({ length: n }, (_, i) => i % 2));
  if (b === 'float' || b === 'double' || b === 'half' || b === 'bfloat16') {
    return tensorFromArray(b === 'double' ? 'double' : 'float', shape, Array.from({ length: n }, () => 0.05 + rnd()));
  }
  return tensorFromArray(b, shape, Array.from({ length: n }, () => Math.floor(rnd() * 10)));
}

/**
 * Seeded feeds for every `Placeholder` of `graph` (or those named in `only`), keyed by node name.
 *
 * @example
 * ```ts
 * const feeds = seededFeeds(graph);
 * const outs = await runGraph(graph, feeds, ['Softmax']);
 * ```
 */
export function seededFeeds(graph: Graph, opts: { seed?: number; only?: readonly string[] } = {}): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  const only = opts.only ? new Set(opts.only) : undefined;
  let seed = opts.seed ?? 1;
  for (const node of graph.nodes) {
    if (node.op !== 'Placeholder' && node.op !== 'PlaceholderV2') continue;
    if (only && !only.has(node.name)) continue;
    const dt = attrWithDefault(node, 'dtype');
    const dtype: DType = dt?.kind === 'type' ? dt.value : 'float';
    const sh = attrWithDefault(node, 'shape');
    const shape = sh?.kind === 'shape' && !sh.value.unknownRank ? sh.value.dims.map((d) => (d < 0 ? 1 : d)) : [];
    out[node.name] = seededTensor(dtype, shape, seed++);
  }
  return out;
}
