/**
 * Writes a TensorFlow tensor bundle as TensorFlow's BundleWriter does: tensor bytes appended
 * to one shard in the order the entries are given (no alignment padding), then an index table
 * holding the header under the empty key and one BundleEntryProto per tensor, sorted bytewise.
 */
import { GraftError, badArgument } from '../../errors';
import { crc32c, maskCrc32c } from './crc32c';
import {
  type CheckpointEntryInput,
  type CheckpointHeader,
  DT_STRING,
  dtypeSize,
  encodeEntry,
  encodeHeader,
  numElements,
  TENSOR_BUNDLE_VERSION,
} from './bundle-format';
import { compareBytes } from './sstable-format';
import { TableBuilder, type TableWriteOptions } from './sstable-writer';
import { encodeStringTensor } from './string-tensor';
import { checkOptions } from '../../ir/check';

export interface WriteCheckpointOptions extends TableWriteOptions {
  /** Only single-shard bundles are written (what SavedModel exports use). */
  numShards?: 1;
}

const utf8 = new TextEncoder();

/**
 * Encodes entries as a checkpoint: the index bytes and the shard bytes.
 *
 * @example
 * const { index, shards } = writeCheckpoint([{ name: 'w', dtype: 1, shape: [2], data: bytes }]);
 */
export function writeCheckpoint(
  entries: Iterable<CheckpointEntryInput>,
  opts: WriteCheckpointOptions = {},
): { index: Uint8Array; shards: Uint8Array[] } {
  if (typeof (entries as { [Symbol.iterator]?: unknown } | null)?.[Symbol.iterator] !== 'function' || typeof entries === 'string') throw badArgument('writeCheckpoint', 'entries', 'an array (or iterable) of checkpoint entries', entries);
  checkOptions('writeCheckpoint', 'opts', opts);
  if (opts.numShards !== undefined && opts.numShards !== 1) {
    throw new GraftError('io/unsupported', 'only single-shard checkpoints can be written');
  }
  const pieces: Uint8Array[] = [];
  let offset = 0;
  const rows: Array<{ key: Uint8Array; value: Uint8Array }> = [];
  const seen = new Set<string>();
  for (const e of entries) {
    const where = { node: e.name };
    if (seen.has(e.name)) throw new GraftError('io/write-failed', `duplicate tensor name '${e.name}'`, where);
    seen.add(e.name);
    const count = numElements(e.shape);
    if (count === undefined) throw new GraftError('graph/bad-tensor', `tensor '${e.name}': shape [${e.shape.join(',')}] is not fully known`, where);
    let bytes: Uint8Array;
    let crc: number;
    const slices = [...(e.slices ?? [])];
    if (e.dtype === DT_STRING && e.strings != null) {
      if (e.strings.length !== count) {
        throw new GraftError('graph/bad-tensor', `tensor '${e.name}': ${e.strings.length} strings for shape [${e.shape.join(',')}]`, where);
      }
      ({ bytes, crc32c: crc } = encodeStringTensor(e.strings));
    } else if (e.data != null) {
      const width = dtypeSize(e.dtype);
      if (e.dtype === DT_STRING || (width !== undefined && width * count !== e.data.length)) {
        throw new GraftError('graph/bad-tensor', `tensor '${e.name}': ${e.data.length} bytes do not fit dtype ${e.dtype} and shape [${e.shape.join(',')}]`, where);
      }
      bytes = e.data;
      crc = maskCrc32c(crc32c(bytes));
    } else if (slices.length > 0) {
      rows.push({ key: utf8.encode(e.name), value: encodeEntry({ dtype: e.dtype, shape: [...e.shape], shardId: 0, offset: 0, size: 0, crc32c: 0, slices }) });
      continue;
    } else {
      throw new GraftError('graph/bad-tensor', `tensor '${e.name}' has no data`, where);
    }
    rows.push({
      key: utf8.encode(e.name),
      value: encodeEntry({ dtype: e.dtype, shape: [...e.shape], shardId: 0, offset, size: bytes.length, crc32c: crc, slices }),
    });
    pieces.push(bytes);
    offset += bytes.length;
  }
  rows.sort((a, b) => compareBytes(a.key, b.key));
  const header: CheckpointHeader = {
    numShards: 1,
    endianness: 0,
    version: { producer: TENSOR_BUNDLE_VERSION, min_consumer: 0, bad_consumers: [] },
  };
  const table = new TableBuilder(opts);
  table.add(new Uint8Array(0), encodeHeader(header));
  for (const r of rows) table.add(r.key, r.value);
  const shard = new Uint8Array(offset);
  let at = 0;
  for (const p of pieces) {
    shard.set(p, at);
    at += p.length;
  }
  return { index: table.finish(), shards: [shard] };
}
