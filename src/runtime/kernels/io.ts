/**
 * Checkpoint ops a graph runs, with TensorFlow's semantics (save_restore_v2_ops.cc,
 * tensor_bundle.cc):
 * - `RestoreV2` reads tensors from a TensorFlow checkpoint (the `<prefix>.index` table and its
 *   `<prefix>.data-NNNNN-of-NNNNN` shards, through the session's `readFile`), as the restore
 *   function of every SavedModel and TF1 `Saver` does. Whole tensors only: a non-empty
 *   `shape_and_slices` (a partitioned variable's slice) is refused.
 * - `SaveV2` writes its tensors as a single-shard V2 checkpoint at its prefix
 *   (`<prefix>.data-00000-of-00001`, then `<prefix>.index`), as TensorFlow's BundleWriter does:
 *   data in the order the names are given, index entries sorted by key. Whole tensors only (a
 *   `shape_and_slices` entry naming the full tensor is a whole tensor; a part of one is refused).
 * - `MergeV2Checkpoints` merges the shard prefixes a sharded Saver wrote into the destination
 *   prefix: each shard's data file moved to `<dest>.data-<i>-of-<n>`, one index listing every
 *   entry with its new shard id, the shards' index files deleted. `delete_old_dirs` deletes the
 *   shards' directories, which TensorFlow does only when they are empty: in a sink without
 *   directories (`memoryFiles`) a directory is gone once its last file is, so there is nothing
 *   more to delete.
 *
 * Files are written only into the session's sink (`RuntimeOptions.writeFile`), never to disk
 * (a graph's filename could name the user's own checkpoint): without one, `SaveV2` and
 * `MergeV2Checkpoints` fail with `runtime/no-file-sink`, naming the node.
 */
import { isGraftError } from '../../errors';
import { baseDType, dtypeFromEnum, dtypeToEnum } from '../../ir/dtype';
import { type Tensor, makeStringTensor, tensorBytes, tensorStrings } from '../../ir/tensor';
import { readCheckpointIndex, readEntryData } from '../../io/checkpoint/bundle-reader';
import { type CheckpointEntryInfo, type CheckpointHeader, encodeEntry, encodeHeader, shardFileName } from '../../io/checkpoint/bundle-format';
import { writeCheckpoint } from '../../io/checkpoint/bundle-writer';
import { compareBytes } from '../../io/checkpoint/sstable-format';
import { TableBuilder } from '../../io/checkpoint/sstable-writer';
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

/**
 * A `shape_and_slices` entry ("d0 d1 ... slice", slice "-" or "start,length" per dimension,
 * joined by ':'): the full shape, and whether the slice covers the whole tensor.
 */
function parseShapeAndSlice(ctx: KernelContext, spec: string): { shape: number[]; full: boolean; sliceShape: number[] } {
  const parts = spec.split(' ');
  const bad = () => ctx.fail(`This is not a valid shape and slice spec: "${spec}"`);
  if (parts.length < 2) throw bad();
  const shape = parts.slice(0, -1).map((d) => (/^\d+$/.test(d) ? Number(d) : Number.NaN));
  if (shape.some((d) => !Number.isSafeInteger(d))) throw bad();
  const dims = parts[parts.length - 1]!.split(':');
  if (dims.length !== shape.length) throw bad();
  let full = true;
  const sliceShape: number[] = [];
  dims.forEach((d, i) => {
    if (d === '-') {
      sliceShape.push(shape[i]!);
      return;
    }
    const m = /^(\d+),(\d+)$/.exec(d);
    if (!m) throw bad();
    const start = Number(m[1]);
    const length = Number(m[2]);
    if (start + length > shape[i]!) throw bad();
    if (start !== 0 || length !== shape[i]) full = false;
    sliceShape.push(length);
  });
  return { shape, full, sliceShape };
}

/** SaveV2(prefix, tensor_names, shape_and_slices, tensors...): a V2 checkpoint at `prefix`, into the sink. */
const saveV2: Kernel = async (ctx) => {
  const prefix = stringList(ctx, 0);
  const names = stringList(ctx, 1);
  const slices = stringList(ctx, 2);
  if (prefix.values.length !== 1) throw ctx.fail(`Input prefix should have a single element, got ${prefix.values.length} instead.`);
  if (names.shape.length !== 1 || slices.shape.length !== 1) {
    throw ctx.fail(`Input tensor_names and shape_and_slices should be an 1-D tensors, got [${names.shape.join(',')}] and [${slices.shape.join(',')}] instead.`);
  }
  if (names.values.length !== slices.values.length) {
    throw ctx.fail(`tensor_names and shape_and_slices have different number of elements: ${names.values.length} vs. ${slices.values.length}`);
  }
  const count = ctx.inputs.length - 3;
  if (count !== names.values.length) throw ctx.fail(`Got ${names.values.length} tensor names but ${count} tensors.`);
  const seen = new Set<string>();
  const entries = names.values.map((name, i) => {
    // BundleWriter::Add's check, in its words.
    if (seen.has(name)) throw ctx.fail(`Adding duplicate key: ${name}`);
    seen.add(name);
    const t = ctx.host(i + 3);
    if (slices.values[i] !== '') {
      const spec = parseShapeAndSlice(ctx, slices.values[i]!);
      if (spec.sliceShape.length !== t.shape.length || spec.sliceShape.some((d, k) => d !== t.shape[k])) {
        throw ctx.fail(`Slice in shape_and_slice specification does not match the shape of the tensor to  save: ${slices.values[i]}, tensor: [${t.shape.join(',')}]`);
      }
      if (!spec.full) throw ctx.fail(`saving a slice ('${slices.values[i]}') of '${name}' is not supported: graft saves whole tensors`, 'runtime/unsupported-op');
    }
    const dtype = baseDType(t.dtype);
    if (dtype === 'resource' || dtype === 'variant') throw ctx.fail(`saving a ${dtype} tensor ('${name}') is not supported`, 'runtime/unsupported-dtype');
    return dtype === 'string'
      ? { name, dtype: dtypeToEnum(dtype), shape: [...t.shape], strings: tensorStrings(t) }
      : { name, dtype: dtypeToEnum(dtype), shape: [...t.shape], data: tensorBytes(t) };
  });
  const { index, shards } = writeCheckpoint(entries);
  const base = prefix.values[0]!;
  // BundleWriter's order: the data file, then the index that makes the checkpoint whole.
  await ctx.writeFile(shardFileName(base, 0, 1), shards[0]!);
  await ctx.writeFile(`${base}.index`, index);
  return [];
};

const utf8Encoder = new TextEncoder();

/** MergeV2Checkpoints(checkpoint_prefixes, destination_prefix): tensor_bundle.cc's MergeBundles. */
const mergeV2Checkpoints: Kernel = async (ctx) => {
  const prefixes = stringList(ctx, 0);
  const dest = stringList(ctx, 1);
  if (prefixes.shape.length !== 1) throw ctx.fail(`Input checkpoint_prefixes should be an 1-D tensor, got [${prefixes.shape.join(',')}] instead.`);
  if (dest.shape.length !== 0) throw ctx.fail(`Input destination_prefix should be a scalar tensor, got [${dest.shape.join(',')}] instead.`);
  const allowMissing = ctx.attrBool('allow_missing_files', false);
  const merged = dest.values[0]!;
  let header: CheckpointHeader | undefined;
  let numShards = 0;
  const entries = new Map<string, Omit<CheckpointEntryInfo, 'name'>>();
  /** Old data file name -> new shard id, in the order first met. */
  const shardIds = new Map<string, number>();
  const merging: string[] = [];
  for (const prefix of prefixes.values) {
    const indexFile = `${prefix}.index`;
    let bytes: Uint8Array;
    try {
      bytes = await ctx.readFile(indexFile);
    } catch (e) {
      // TensorFlow skips only a prefix whose index does not exist; a file that exists but cannot
      // be read fails whatever the attribute says.
      const missing = isGraftError(e) && e.code === 'io/not-found';
      if (allowMissing && missing) continue;
      if (!missing) throw e;
      throw ctx.fail(`allow_missing_files was set to false and ${prefix} did not exist. (${(e as Error).message})`);
    }
    merging.push(prefix);
    const read = readCheckpointIndex(bytes, indexFile);
    numShards += read.header.numShards;
    if (!header) header = read.header;
    else if (JSON.stringify(header.version) !== JSON.stringify(read.header.version)) {
      throw ctx.fail(`Merging bundles with different format versions: merged ${JSON.stringify(header.version)} vs. curr ${JSON.stringify(read.header.version)}`);
    }
    for (const e of read.entries) {
      if (entries.has(e.name)) {
        // TensorFlow merges the slice lists of a partitioned variable's entries; graft writes no slices.
        throw ctx.fail(`Duplicate tensor keyed by ${e.name} encountered, when merging prefix: ${prefix}`);
      }
      const old = shardFileName(prefix, e.shardId, read.header.numShards);
      if (!shardIds.has(old)) shardIds.set(old, shardIds.size);
      const { name: _name, ...rest } = e;
      entries.set(e.name, { ...rest, shardId: shardIds.get(old)! });
    }
  }
  if (!header) throw ctx.fail('At least one prefix checkpoint file must exist, but none existed.');
  // Move the data files (read, write under the new name, delete the old one), as RenameFile.
  const written = new Set<string>();
  for (const [old, id] of shardIds) {
    const to = shardFileName(merged, id, shardIds.size);
    if (to === old) continue;
    await ctx.writeFile(to, await ctx.readFile(old));
    written.add(to);
    await ctx.deleteFile(old);
  }
  const rows = [...entries].map(([name, e]) => ({ key: utf8Encoder.encode(name), value: encodeEntry(e) }));
  rows.sort((a, b) => compareBytes(a.key, b.key));
  const table = new TableBuilder();
  table.add(new Uint8Array(0), encodeHeader({ ...header, numShards }));
  for (const r of rows) table.add(r.key, r.value);
  const indexFile = `${merged}.index`;
  await ctx.writeFile(indexFile, table.finish());
  written.add(indexFile);
  // The inputs' index files, best effort (TensorFlow ignores a failed delete).
  for (const prefix of merging) if (!written.has(`${prefix}.index`)) await ctx.deleteFile(`${prefix}.index`);
  // delete_old_dirs: TensorFlow's DeleteDir removes each shard's directory (other than the
  // destination's) only when it is empty; a sink holds no directories, so an empty one is gone.
  return [];
};

export const IO_KERNELS: Record<string, Kernel> = {
  MergeV2Checkpoints: mergeV2Checkpoints,
  RestoreV2: restoreV2,
  SaveV2: saveV2,
};
