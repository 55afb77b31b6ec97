/**
 * fold_constants leaves the saver's filename ops alone: a TF1 Saver feeds its filename `Const`
 * (`save/Const:0`) with the checkpoint path, so `ShardedFilename`/`ShardedFilespec`/`RestoreV2`
 * must keep reading it even though every input is a constant. Pure string ops on constants still
 * fold (ReduceJoin here).
 */
import { describe, expect, it } from 'vitest';
import { attr } from '../../src/ir/attr';
import { makeStringTensor, makeTensor } from '../../src/ir/tensor';
import { foldConstants } from '../../src/transforms/fold-constants';
import { runAsync } from '../helpers/context';
import { graphBuilder, nodeOf } from '../helpers/graph-builder';

describe('fold_constants and the saver', () => {
  const b = graphBuilder();
  b.const('save/Const', makeStringTensor([], ['model']));
  b.const('shard', makeTensor('int32', [], [0]));
  b.const('num', makeTensor('int32', [], [1]));
  b.op('ShardedFilename', ['save/Const', 'shard', 'num'], {}, 'save/ShardedFilename');
  b.op('ShardedFilespec', ['save/Const', 'num'], {}, 'save/ShardedFilespec');
  b.const('names', makeStringTensor([1], ['a']));
  b.const('slices', makeStringTensor([1], ['']));
  b.op('RestoreV2', ['save/Const', 'names', 'slices'], { dtypes: attr.list({ type: ['float'] }) }, 'save/RestoreV2');
  b.const('parts', makeStringTensor([2], ['a', 'b']));
  b.const('axes', makeTensor('int32', [1], [0]));
  b.op('ReduceJoin', ['parts', 'axes'], {}, 'joined');
  for (const n of ['save/ShardedFilename', 'save/ShardedFilespec', 'save/RestoreV2', 'joined']) b.op('Identity', [n], {}, `${n}/out`);
  const g = b.graph();

  it('keeps ShardedFilename, ShardedFilespec and RestoreV2 reading save/Const; folds ReduceJoin', async () => {
    const { graph } = await runAsync(foldConstants, g, {}, { outputs: ['save/ShardedFilename/out', 'save/ShardedFilespec/out', 'save/RestoreV2/out', 'joined/out'] });
    for (const n of ['save/ShardedFilename', 'save/ShardedFilespec', 'save/RestoreV2']) {
      expect(nodeOf(graph, n).op).toBe(nodeOf(g, n).op);
      expect(nodeOf(graph, n).inputs[0]).toBe('save/Const');
    }
    expect(graph.nodes.some((n) => n.op === 'ReduceJoin')).toBe(false);
  });
});
