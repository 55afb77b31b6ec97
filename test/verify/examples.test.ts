/**
 * tf.Example inputs: finding the parse ops that read a string input (directly, through Identity,
 * and inside function calls), synthesizing records that satisfy them, and reading user JSON.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { attr, shapeOf } from '../../src/ir/attr';
import { makeGraph } from '../../src/ir/graph';
import { makeNode } from '../../src/ir/node';
import { makeStringTensor, makeTensor, tensorStrings, tensorToNumbers } from '../../src/ir/tensor';
import { loadModel } from '../../src/io/model-files';
import { findMetaGraph } from '../../src/io/saved-model';
import { readExample } from '../../src/io/tf-example';
import { runGraph } from '../../src/runtime';
import { exampleParsers, examplesFromJson, synthesizeExamples } from '../../src/verify/examples';
import { generateFeeds } from '../../src/verify/feeds';
import { HAVE_MODELS, SKIP_REASON, modelPath } from '../helpers/models';

const konst = (name: string, t: ReturnType<typeof makeTensor>) => makeNode({ name, op: 'Const', attrs: { dtype: attr.type(t.dtype), value: attr.tensor(t) } });

/** tf_example → Identity → ParseExample(dense x float [1] default none, dense n int64 [-1] pad 0, sparse s string). */
function parseGraph(producer = 26) {
  return makeGraph([
    makeNode({ name: 'tf_example', op: 'Placeholder', attrs: { dtype: attr.type('string'), shape: attr.shape(null) } }),
    makeNode({ name: 'id', op: 'Identity', inputs: ['tf_example'], attrs: { T: attr.type('string') } }),
    konst('names', makeStringTensor([0], [])),
    konst('k_s', makeStringTensor([], ['s'])),
    konst('k_x', makeStringTensor([], ['x'])),
    konst('k_n', makeStringTensor([], ['n'])),
    konst('d_x', makeTensor('float', [0], [])),
    konst('d_n', makeTensor('int64', [], [0n])),
    makeNode({
      name: 'parse', op: 'ParseExample', inputs: ['id', 'names', 'k_s', 'k_x', 'k_n', 'd_x', 'd_n'],
      attrs: {
        Nsparse: attr.i(1), Ndense: attr.i(2), sparse_types: attr.list({ type: ['string'] }),
        Tdense: attr.list({ type: ['float', 'int64'] }), dense_shapes: attr.list({ shape: [shapeOf([1]), shapeOf([-1])] }),
      },
    }),
  ], { versions: { producer, minConsumer: 0, badConsumers: [] } });
}

describe('exampleParsers', () => {
  it('finds the parse op through Identity and reads its declared features', () => {
    const [p] = exampleParsers(parseGraph(), 'tf_example');
    expect(p!.op).toBe('ParseExample');
    expect(p!.features).toEqual([
      { key: 'x', form: 'dense', dtype: 'float', shape: [1] },
      { key: 'n', form: 'dense', dtype: 'int64', shape: [-1] },
      { key: 's', form: 'sparse', dtype: 'string' },
    ]);
    expect(exampleParsers(parseGraph(), 'names')).toEqual([]);
  });

  it.skipIf(!HAVE_MODELS)(`follows a TF2 signature into the function holding ParseExampleV2 (tfx_keras_serving)${HAVE_MODELS ? '' : `: ${SKIP_REASON}`}`, async (ctx) => {
    if (!existsSync(modelPath('tfx_keras_serving'))) return ctx.skip('tfx_keras_serving is not in the shared models');
    const m = await loadModel(modelPath('tfx_keras_serving'));
    if (m.kind !== 'saved-model') throw new Error('expected a SavedModel');
    const [p] = exampleParsers(findMetaGraph(m.savedModel, ['serve']).graph, 'serving_default_examples');
    expect(p!.op).toBe('ParseExampleV2');
    expect(p!.node).toMatch(/\/ParseExample\/ParseExampleV2$/);
    // The Penguin model's four float features, each a dense [1].
    expect(p!.features.map((f) => [f.form, f.dtype, f.shape])).toEqual(Array(4).fill(['dense', 'float', [1]]));
  });
});

describe('synthesizeExamples', () => {
  it('writes every declared key with its kind and a valid count, deterministically', () => {
    const parsers = exampleParsers(parseGraph(), 'tf_example');
    const t = synthesizeExamples(parsers, [4], 7, 'tf_example');
    expect(t.shape).toEqual([4]);
    for (const rec of tensorStrings(t)) {
      const f = readExample(rec);
      expect(f.get('x')!.kind).toBe('float');
      expect(f.get('x')!.values.length).toBe(1);
      expect(f.get('n')!.kind).toBe('int64');
      expect(f.get('n')!.values.length).toBeGreaterThanOrEqual(1);
      expect(f.get('s')!.kind).toBe('bytes');
      for (const v of f.get('x')!.values as number[]) expect(v >= 0.05 && v < 1.05).toBe(true);
    }
    expect(tensorStrings(synthesizeExamples(parsers, [4], 7, 'tf_example'))).toEqual(tensorStrings(t));
    expect(tensorStrings(synthesizeExamples(parsers, [4], 8, 'tf_example'))).not.toEqual(tensorStrings(t));
  });

  it('is what generated feeds give a string input read by a parse op: a batch the op parses', async () => {
    const graph = parseGraph();
    const feeds = generateFeeds(graph, { batch: 3 });
    expect(feeds.tf_example!.shape).toEqual([3]);
    const [x, n] = await runGraph(graph, feeds, ['parse:3', 'parse:4'], { backend: 'cpu' });
    expect(x!.shape).toEqual([3, 1]);
    expect(n!.shape[0]).toBe(3);
  });
});

describe('examplesFromJson', () => {
  const parsers = exampleParsers(parseGraph(), 'tf_example');
  it('serializes each object with the kinds the parse op declares', async () => {
    const t = examplesFromJson([{ x: 1, n: [1, 2], s: 'a' }, { x: [2.5], n: 3 }], parsers, 'ex.json');
    expect(t.shape).toEqual([2]);
    const first = readExample(tensorStrings(t)[0]!);
    expect(first.get('x')).toEqual({ kind: 'float', values: [1] });
    expect(first.get('n')).toEqual({ kind: 'int64', values: [1n, 2n] });
    const [x, n] = await runGraph(parseGraph(), { tf_example: t }, ['parse:3', 'parse:4'], { backend: 'cpu' });
    expect(tensorToNumbers(x!)).toEqual([1, 2.5]);
    expect(tensorToNumbers(n!)).toEqual([1, 2, 3, 0]);
  });

  it('refuses what is not a list of feature objects, naming the record', () => {
    expect(() => examplesFromJson([{ x: 1 }, 5], parsers, 'ex.json')).toThrow(/ex\.json\[1\]: each example is an object/);
    expect(() => examplesFromJson([{ n: 1.5 }], parsers, 'ex.json')).toThrow(/ex\.json\[0\]: feature 'n' is int64 but value 1\.5 is not an integer/);
    expect(() => examplesFromJson([{ y: 1 }], parsers, 'ex.json')).toThrow(/ex\.json\[0\]: none of its features \(y\) is parsed by the model; it reads x, n, s/);
    expect(() => examplesFromJson('x', parsers, 'ex.json')).toThrow(/tf_example= takes a JSON list/);
  });
});
