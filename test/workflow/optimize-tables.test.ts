/**
 * graft optimize on a model with a vocabulary table (tfx_transform_fn, its payment-type lookup as
 * the output): the result holds the vocabulary as constants, runs with no assets and no init op,
 * and gives the ids of the asset file's lines (read here independently).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeStringTensor, tensorToArray } from '../../src/ir/tensor';
import { createSession } from '../../src/runtime';
import { loadRunnable } from '../../src/verify/runnable';
import { optimize } from '../../src/workflow/optimize-files';
import { HAVE_MODELS, SKIP_REASON, modelPath } from '../helpers/models';
import { useScratch } from '../helpers/scratch';

const LOOKUP = 'transform/compute_and_apply_vocabulary/apply_vocab/hash_table_Lookup/SelectV2';

describe.skipIf(!HAVE_MODELS)(`optimize with lookup tables (${HAVE_MODELS ? 'present' : SKIP_REASON})`, () => {
  const scratch = useScratch('graft-opt-tables');
  it('folds the vocabulary asset into the optimized graph, which looks words up by itself', async () => {
    const out = path.join(scratch.freshDir('out'), 'model');
    await optimize(modelPath('tfx_transform_fn'), out, { tags: ['transform'], outputs: [LOOKUP] });
    const m = await loadRunnable(out, { tagSet: 'transform' });
    expect(m.graph.nodes.some((n) => n.op === 'InitializeTableFromTextFileV2')).toBe(false);
    expect(m.graph.nodes.filter((n) => n.op === 'InitializeTableV2')).toHaveLength(1);
    const vocab = readFileSync(modelPath('tfx_transform_fn/assets/vocab_compute_and_apply_vocabulary_vocabulary'), 'utf8').split('\n').filter((l) => l);
    const s = await createSession(m.graph, { backend: 'cpu' });
    try {
      const [y] = await s.run({ 'transform/SparseToDense_3': makeStringTensor([3, 1], ['Unknown', 'Cash', 'b']) }, [LOOKUP]);
      // 'b' is out of vocabulary: vocab size + Fingerprint64('b') % 10 (= 2, string_to_hash_bucket_op_test.py)
      expect(Array.from(tensorToArray(y!) as BigInt64Array, Number)).toEqual([vocab.indexOf('Unknown'), vocab.indexOf('Cash'), vocab.length + 2]);
    } finally {
      s.dispose();
    }
  });
});
