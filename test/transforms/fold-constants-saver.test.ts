/**
 * fold_constants leaves the saver's filename ops alone: a TF1 Saver feeds its filename `Const`
 * (`save/Const:0`) with the checkpoint path, so `ShardedFilename`/`ShardedFilespec`/`RestoreV2`
 * must keep reading it even though every input is a constant. Pure string ops on constants still
 * fold (ReduceJoin here). The saver's writing ops (SaveV2, MergeV2Checkpoints) have side effects:
 * fold_constants never runs them, even when every input is a constant (a frozen graph's saver).
 */
import { describe, expect, it, vi } from 'vitest';
import { attr } from '../../src/ir/attr';
import { makeStringTensor, makeTensor } from '../../src/ir/tensor';
import { foldConstants } from '../../src/transforms/fold-constants';
import { runAsync } from '../helpers/context';
import { graphBuilder, nodeOf } from '../helpers/graph-builder';

/** Every op fold_constants hands to the runtime's evaluateNode, in this file. */
const evaluated = vi.hoisted(() => [] as string[]);
vi.mock('../../src/runtime/index', async (original) => {
  const rt = await original<typeof import('../../src/runtime/index')>();
  return { ...rt, evaluateNode: (node: { op: string }, ...rest: unknown[]) => (evaluated.push(node.op), (rt.evaluateNode as (...a: unknown[]) => unknown)(node, ...rest)) };
});

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

describe('fold_constants never runs the saver\'s writing ops', () => {
  it('SaveV2 and MergeV2Checkpoints on constants only (a frozen saver) are kept, never evaluated; the control edges to them stay', async () => {
    const b = graphBuilder();
    b.const('save/Const', makeStringTensor([], ['model']));
    b.const('names', makeStringTensor([2], ['a', 'b']));
    b.const('slices', makeStringTensor([2], ['', '']));
    b.const('a', makeTensor('float', [2], [1, 2]));
    b.const('b', makeTensor('float', [], [3]));
    b.op('SaveV2', ['save/Const', 'names', 'slices', 'a', 'b'], { dtypes: attr.list({ type: ['float', 'float'] }) }, 'save/SaveV2');
    b.op('Pack', ['save/Const'], { N: attr.i(1), T: attr.type('string'), axis: attr.i(0) }, 'save/prefixes');
    b.op('MergeV2Checkpoints', ['save/prefixes', 'save/Const', '^save/SaveV2'], {}, 'save/MergeV2Checkpoints');
    b.op('Identity', ['a', '^save/MergeV2Checkpoints'], {}, 'save/Identity');
    b.const('x', makeTensor('float', [], [2]));
    b.op('Mul', ['x', 'x'], {}, 'sq');
    const g = b.graph();
    evaluated.length = 0;
    const { graph } = await runAsync(foldConstants, g, {}, { outputs: ['save/Identity', 'sq'] });
    // Folding ran (Pack went through the runtime), but never on a writing op.
    expect(evaluated).toContain('Pack');
    expect(evaluated.filter((op) => op === 'SaveV2' || op === 'MergeV2Checkpoints')).toEqual([]);
    expect(nodeOf(graph, 'save/SaveV2')).toEqual(nodeOf(g, 'save/SaveV2'));
    expect(nodeOf(graph, 'save/MergeV2Checkpoints').op).toBe('MergeV2Checkpoints');
    expect(nodeOf(graph, 'save/MergeV2Checkpoints').inputs).toContain('^save/SaveV2');
    expect(nodeOf(graph, 'save/Identity').inputs).toContain('^save/MergeV2Checkpoints');
  });
});
