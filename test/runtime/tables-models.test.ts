/**
 * Lookup tables and hash buckets in a real TF Transform SavedModel (tfx_transform_fn): its two
 * vocabularies are read from the SavedModel's assets/ through the init op and asset feeds that
 * `loadRunnable` derives from the meta graph (the build machine's path in the asset Const is
 * replaced, as TensorFlow's loader does). Expected ids are line numbers in the asset files, read
 * here independently; out-of-vocabulary strings get vocab size + Fingerprint64 % 10, the
 * `compute_and_apply_vocabulary(num_oov_buckets=10)` rule.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeStringTensor, tensorToArray } from '../../src/ir/tensor';
import { createSession } from '../../src/runtime';
import { savedModelInit } from '../../src/io/saved-model-init';
import { loadRunnable } from '../../src/verify/runnable';
import { HAVE_MODELS, SKIP_REASON, modelPath } from '../helpers/models';

const PAYMENT = 'transform/compute_and_apply_vocabulary/apply_vocab';

describe.skipIf(!HAVE_MODELS)(`tfx_transform_fn tables (${HAVE_MODELS ? 'present' : SKIP_REASON})`, () => {
  it('reads the init targets and asset tensors from the meta graph', async () => {
    const m = await loadRunnable(modelPath('tfx_transform_fn'), { tagSet: 'transform' });
    if (m.model.kind !== 'saved-model') throw new Error('expected a SavedModel');
    const init = savedModelInit(m.model.savedModel.metaGraphs[0]!);
    expect(init.targets).toEqual([`${PAYMENT}/text_file_init/InitializeTableFromTextFileV2`, 'transform/compute_and_apply_vocabulary_1/apply_vocab/text_file_init/InitializeTableFromTextFileV2']);
    expect(init.assets).toEqual([
      { tensor: 'Const_3:0', filename: 'vocab_compute_and_apply_vocabulary_vocabulary' },
      { tensor: 'Const_6:0', filename: 'vocab_compute_and_apply_vocabulary_1_vocabulary' },
    ]);
  });

  it('maps payment types to their vocabulary line, out-of-vocabulary ones to hash buckets', async () => {
    const m = await loadRunnable(modelPath('tfx_transform_fn'), { tagSet: 'transform' });
    const vocab = readFileSync(modelPath('tfx_transform_fn/assets/vocab_compute_and_apply_vocabulary_vocabulary'), 'utf8').split('\n').filter((l) => l);
    const words = ['Credit Card', 'Cash', vocab[vocab.length - 1]!, 'a', 'b'];
    const s = await createSession(m.graph, { backend: 'cpu', ...m.runtime });
    try {
      const [ids, size] = await s.run({ 'transform/SparseToDense_3': makeStringTensor([5, 1], words) }, [
        `${PAYMENT}/hash_table_Lookup/SelectV2`,
        `${PAYMENT}/hash_table_Size/hash_table_Size/LookupTableSizeV2`,
      ]);
      expect(Number((tensorToArray(size!) as BigInt64Array)[0])).toBe(vocab.length);
      // Fingerprint64('a') % 10 = 9 and Fingerprint64('b') % 10 = 2 (string_to_hash_bucket_op_test.py)
      expect(Array.from(tensorToArray(ids!) as BigInt64Array, Number)).toEqual([
        vocab.indexOf('Credit Card'), vocab.indexOf('Cash'), vocab.length - 1, vocab.length + 9, vocab.length + 2,
      ]);
    } finally {
      s.dispose();
    }
  });
});
