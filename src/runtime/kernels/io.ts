/**
 * Checkpoint ops a graph runs: `RestoreV2` reads tensors from a TensorFlow checkpoint (the
 * `<prefix>.index` table and its `<prefix>.data-NNNNN-of-NNNNN` shards, through the session's
 * `readFile`), as the restore function of every SavedModel and TF1 `Saver` does. Whole tensors
 * only: a non-empty `shape_and_slices` (a partitioned variable's slice) is refused.
 *
 * `SaveV2` and `MergeV2Checkpoints` have no kernel: they write files, and graft writes
 * checkpoints itself (src/io/checkpoint), never from inside a graph run.
 */
import { dtypeFromEnum } from '../../ir/dtype';
import { type Tensor, makeStringTensor, tensorStrings } from '../../ir/tensor';
import { readCheckpointIndex, readEntryData } from '../../io/checkpoint/bundle-reader';
import { shardFileName } from '../../io/checkpoint/bundle-format';
import type { Kernel, KernelContext } from '../kernel';

const utf8 = new TextDecoder();

function stringList(ctx: KernelContext, i: number): { values: string[]; shape: readonly number[] } {
  const t = ctx.host(i);
  if (t.dtype !== 'string') throw ctx.fail(`input ${i} must be a string tensor, not ${t.dtype}`);
  return { values: tensorStrings(t).map((b) => utf8.decode(b)), shape: t.shape };
}

const restoreV2: Kernel = async (ctx) => {
  const prefix = stringList(ctx, 0);
  const names = stringList(ctx, 1);
  const slices = stringList(ctx, 2);
  const dtypes = ctx.attrTypes('dtypes');
  if (prefix.values.length !== 1) throw ctx.fail(`Input prefix should have a single element, got ${prefix.values.length} instead.`);
  if (names.shape.length !== 1 || slices.shape.length !== 1) {
    throw ctx.fail(`Input tensor_names and shape_and_slices should be an 1-D tensors, got [${names.shape.join(',')}] and [${slices.shape.join(',')}] instead.`);
  }
  if (names.values.length !== slices.values.length) {
    throw ctx.fail(`tensor_names and shape_and_slices have different number of elements: ${names.values.length} vs. ${slices.values.length}`);
  }
  if (names.values.length !== dtypes.length) throw ctx.fail(`Got ${names.values.length} tensor names, but ${dtypes.length} expected dtypes.`);
  const base = prefix.values[0]!;
  const indexFile = `${base}.index`;
  const { header, entries } = readCheckpointIndex(await ctx.readFile(indexFile), indexFile);
  const byName = new Map(entries.map((e) => [e.name, e]));
  const shards = new Map<number, Uint8Array>();
  const out: Tensor[] = [];
  for (let i = 0; i < names.values.length; i++) {
    const name = names.values[i]!;
    if (slices.values[i] !== '') throw ctx.fail(`restoring a slice ('${slices.values[i]}') of '${name}' is not supported: graft restores whole tensors`, 'runtime/unsupported-op');
    const info = byName.get(name);
    if (!info) throw ctx.fail(`Key ${name} not found in checkpoint`);
    const dtype = dtypeFromEnum(info.dtype);
    if (dtype !== dtypes[i]) throw ctx.fail(`tensor_name = ${name}; expected dtype ${dtypes[i]} does not equal restored dtype ${dtype}`);
    const shardFile = shardFileName(base, info.shardId, header.numShards);
    let shard = shards.get(info.shardId);
    if (!shard) {
      shard = await ctx.readFile(shardFile);
      shards.set(info.shardId, shard);
    }
    const entry = readEntryData(info, shard, shardFile);
    if (entry.strings) out.push(makeStringTensor(entry.shape, entry.strings.map((s) => s.slice())));
    else if (entry.data) out.push({ dtype, shape: Object.freeze([...entry.shape]), data: { kind: 'content', bytes: entry.data.slice() } });
    else throw ctx.fail(`'${name}' holds no data of its own (a partitioned variable's slices), which graft does not restore`, 'runtime/unsupported-op');
  }
  return out;
};

export const IO_KERNELS: Record<string, Kernel> = {
  RestoreV2: restoreV2,
};
