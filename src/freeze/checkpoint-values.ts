/** Checkpoint entries as graph tensors, for the `Const` nodes that replace variables. */
import { GraftError } from '../errors';
import { dtypeFromEnum } from '../ir/dtype';
import type { Tensor } from '../ir/tensor';
import type { Checkpoint, CheckpointEntry } from '../io/checkpoint';

/** The key TF2 checkpoints keep their object graph under (not a variable). */
export const OBJECT_GRAPH_KEY = '_CHECKPOINTABLE_OBJECT_GRAPH';

/**
 * A checkpoint entry as an immutable tensor. The bytes are copied: the entry's view points into
 * the shard file and may be unaligned.
 */
export function tensorFromEntry(entry: CheckpointEntry, file?: string): Tensor {
  const dtype = dtypeFromEnum(entry.dtype);
  const shape = Object.freeze([...entry.shape]);
  if (entry.strings) return { dtype, shape, data: { kind: 'strings', values: Object.freeze(entry.strings.map((s) => new Uint8Array(s))) } };
  if (entry.data) return { dtype, shape, data: { kind: 'content', bytes: new Uint8Array(entry.data) } };
  if (entry.slices && entry.slices.length) {
    throw new GraftError(
      'freeze/unsupported',
      `Variable '${entry.name}' is partitioned (stored as slices); partitioned variables cannot be frozen from checkpoint files`,
      { node: entry.name, ...(file ? { file } : {}), hint: 'TensorFlow says the same: pass a SavedModel instead, or re-save the variable unpartitioned.' },
    );
  }
  throw new GraftError('freeze/unsupported', `Checkpoint entry '${entry.name}' holds no data`, { node: entry.name, ...(file ? { file } : {}) });
}

/** Every entry of a checkpoint (the object graph excluded) as tensors keyed by checkpoint key. */
export function checkpointTensors(ckpt: Checkpoint, file?: string): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const [name, e] of ckpt.entries) if (name !== OBJECT_GRAPH_KEY && (e.data || e.strings)) out.set(name, tensorFromEntry(e, file));
  return out;
}
