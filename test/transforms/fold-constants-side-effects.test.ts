/**
 * fold_constants never folds a lookup table, its initializer or its reads, nor Assert/Print side
 * effects, even when every input is constant; pure string ops on constants do fold, to
 * TensorFlow's values (Fingerprint64('a') % 10 = 9, string_to_hash_bucket_op_test.py).
 */
import { describe, expect, it } from 'vitest';
import { attr } from '../../src/ir/attr';
import { makeStringTensor, makeTensor, tensorToArray } from '../../src/ir/tensor';
import { runGraph } from '../../src/runtime';
import { foldConstants } from '../../src/transforms/fold-constants';
import { runAsync } from '../helpers/context';
import { graphBuilder, nodeOf } from '../helpers/graph-builder';

describe('fold_constants and stateful string-side ops', () => {
  const b = graphBuilder();
  b.op('HashTableV2', [], { key_dtype: attr.type('string'), value_dtype: attr.type('int64') }, 'table');
  b.const('k', makeStringTensor([2], ['x', 'y']));
  b.const('v', makeTensor('int64', [2], [1, 2]));
  b.op('InitializeTableV2', ['table', 'k', 'v'], { Tkey: attr.type('string'), Tval: attr.type('int64') }, 'init');
  b.const('q', makeStringTensor([2], ['y', 'a']));
  b.const('d', makeTensor('int64', [], [-1]));
  b.op('LookupTableFindV2', ['table', 'q', 'd', '^init'], { Tin: attr.type('string'), Tout: attr.type('int64') }, 'find');
  b.const('ok', makeTensor('bool', [], [1]));
  b.op('Assert', ['ok', 'q'], { T: attr.list({ type: ['string'] }) }, 'assert');
  b.op('Print', ['d', 'd'], { T: attr.type('int64'), U: attr.list({ type: ['int64'] }) }, 'print');
  b.op('StringToHashBucketFast', ['q'], { num_buckets: attr.i(10) }, 'bucket');
  b.op('Identity', ['find', '^assert'], {}, 'out');
  b.op('Identity', ['print'], {}, 'out2');
  b.op('Identity', ['bucket'], {}, 'out3');
  const g = b.graph();

  it('keeps tables, Assert and Print; folds the hash bucket; the result still runs', async () => {
    const { graph } = await runAsync(foldConstants, g, {}, { outputs: ['out', 'out2', 'out3'] });
    for (const n of ['table', 'init', 'find', 'assert', 'print']) expect(nodeOf(graph, n).op).toBe(nodeOf(g, n).op);
    expect(graph.nodes.some((n) => n.op === 'StringToHashBucketFast')).toBe(false);
    const [out, bucket] = await runGraph(graph, {}, ['out', 'out3'], { backend: 'cpu' });
    expect(Array.from(tensorToArray(out!) as BigInt64Array, Number)).toEqual([2, -1]);
    // q = ['y', 'a']: Fingerprint64('a') % 10 = 9
    expect(Number((tensorToArray(bucket!) as BigInt64Array)[1])).toBe(9);
  });
});
