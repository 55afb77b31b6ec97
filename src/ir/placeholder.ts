/**
 * The shape a `Placeholder` declares, as TensorFlow reads it.
 *
 * TensorFlow's Placeholder shape function keeps a legacy rule: in a graph whose
 * `versions.producer` is 21 or lower, a `shape` attribute with no dimensions means "unknown
 * shape", not "scalar" (early GraphDefs could not tell the two apart). TF 1.0-era SavedModels
 * export their `tf.Example` input that way and are fed a batch of records. graft applies the rule
 * wherever it reads a placeholder's shape (feeds, feed checks, summaries, shape-dependent
 * transforms), through this one function.
 *
 * A graph built in code with no `versions` (graft's `makeGraph` default) is read as current:
 * the rule needs a producer stamp to apply.
 */
import { type Shape, shapeOf } from './attr';
import type { Graph } from './graph';
import type { Node } from './node';
import { attrWithDefault } from './op-facts';

/** The last GraphDef producer version for which an empty placeholder shape means "unknown". */
export const LEGACY_SCALAR_SHAPE_PRODUCER = 21;

/**
 * A placeholder's declared shape (`unknownRank` when the attribute says so, is absent, or is the
 * legacy empty shape of a producer ≤ 21 graph).
 *
 * @example
 * ```ts
 * placeholderShape(node, graph); // { dims: [-1, 784], unknownRank: false }
 * ```
 */
export function placeholderShape(node: Node, graph: Pick<Graph, 'versions'> | null): Shape {
  const a = attrWithDefault(node, 'shape');
  if (a?.kind !== 'shape') return shapeOf(null);
  const s = a.value;
  if (!s.unknownRank && s.dims.length === 0 && node.op === 'Placeholder' && isLegacyProducer(graph)) return shapeOf(null);
  return s;
}

/** `placeholderShape` as dims, or null for an unknown rank. */
export function placeholderDims(node: Node, graph: Pick<Graph, 'versions'> | null): readonly number[] | null {
  const s = placeholderShape(node, graph);
  return s.unknownRank ? null : s.dims;
}

function isLegacyProducer(graph: Pick<Graph, 'versions'> | null): boolean {
  const v = graph?.versions;
  return v !== null && v !== undefined && v.producer <= LEGACY_SCALAR_SHAPE_PRODUCER;
}
