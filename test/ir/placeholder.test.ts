/**
 * TensorFlow's legacy Placeholder rule (tensorflow/core/ops/array_ops.cc, Placeholder's shape
 * function): in a graph whose producer is <= 21, an empty `shape` means unknown, not scalar.
 */
import { describe, expect, it } from 'vitest';
import { attr, shapeOf } from '../../src/ir/attr';
import { makeGraph } from '../../src/ir/graph';
import { makeNode } from '../../src/ir/node';
import { placeholderDims, placeholderShape } from '../../src/ir/placeholder';
import { makeStringTensor, tensorStrings } from '../../src/ir/tensor';
import { summarizeModel } from '../../src/inspect/summarize';
import type { Graph } from '../../src/ir/graph';
import { runGraph } from '../../src/runtime';
import { generateFeeds, placeholderSpecs } from '../../src/verify/feeds';

const summarize = (graph: Graph) => summarizeModel({ kind: 'graph-def', path: 'g.pb', format: 'binary', graph, fileBytes: 0 });
const versions = (producer: number) => ({ producer, minConsumer: 0, badConsumers: [] });
const ph = (shape: number[] | null, op = 'Placeholder') => makeNode({ name: 'in', op, attrs: { dtype: attr.type('string'), shape: attr.shape(shape) } });
const graphAt = (producer: number | null, shape: number[] | null = []) =>
  makeGraph([ph(shape), makeNode({ name: 'out', op: 'Identity', inputs: ['in'], attrs: { T: attr.type('string') } })], producer === null ? {} : { versions: versions(producer) });

describe('placeholderShape', () => {
  it('reads an empty shape as unknown at producer 21 and below, as a scalar after', () => {
    expect(placeholderShape(ph([]), { versions: versions(21) })).toEqual(shapeOf(null));
    expect(placeholderShape(ph([]), { versions: versions(0) }).unknownRank).toBe(true);
    expect(placeholderShape(ph([]), { versions: versions(22) })).toEqual(shapeOf([]));
    // Dimensions are dimensions at any producer; only the empty shape is ambiguous.
    expect(placeholderDims(ph([-1, 3]), { versions: versions(21) })).toEqual([-1, 3]);
    // The rule is Placeholder's own: PlaceholderWithDefault keeps its scalar.
    expect(placeholderShape(ph([], 'PlaceholderWithDefault'), { versions: versions(21) })).toEqual(shapeOf([]));
  });

  it('reads a graph with no version stamp (built in code) as current', () => {
    expect(placeholderDims(ph([]), makeGraph([]))).toEqual([]);
    expect(placeholderDims(ph([]), null)).toEqual([]);
  });

  it('lets the runtime take a batch fed to a legacy empty-shape placeholder, and refuses it at producer 22', async () => {
    const batch = makeStringTensor([3], ['a', 'b', 'c']);
    const [out] = await runGraph(graphAt(21), { in: batch }, ['out'], { backend: 'cpu' });
    expect(tensorStrings(out!).length).toBe(3);
    await expect(runGraph(graphAt(22), { in: batch }, ['out'], { backend: 'cpu' })).rejects.toThrow("Placeholder 'in' takes shape [], was fed [3]");
  });

  it('is what feeds and summaries see', async () => {
    expect(placeholderSpecs(graphAt(21))[0]!.shape).toBeNull();
    expect(placeholderSpecs(graphAt(26))[0]!.shape).toEqual([]);
    expect((await summarize(graphAt(21))).placeholders[0]!.shape).toBeNull();
    expect((await summarize(graphAt(26))).placeholders[0]!.shape).toEqual([]);
    expect(generateFeeds(graphAt(21)).in!.shape).toEqual([]);
  });
});
