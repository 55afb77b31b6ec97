/**
 * Reads a TensorFlow tensor bundle (checkpoint) from bytes: the `.index` SSTable and the
 * `.data-NNNNN-of-NNNNN` shards. Every entry's checksum is verified by default; offsets and
 * sizes are checked against the shard lengths before anything is sliced.
 */
import { GraftError, badArgument } from '../../errors';
import { crc32c, unmaskCrc32c } from './crc32c';
import {
  type Checkpoint,
  type CheckpointEntry,
  type CheckpointEntryInfo,
  type CheckpointHeader,
  decodeEntry,
  decodeHeader,
  DT_STRING,
  dtypeSize,
  numElements,
  prefixOfIndexFile,
  shardFileName,
  TENSOR_BUNDLE_VERSION,
} from './bundle-format';
import { readTable } from './sstable-reader';
import { decodeStringTensor } from './string-tensor';
import { checkBytesArgument } from '../../ir/check';

export interface ReadCheckpointOptions {
  /** The index file's name, used in errors (shard names are derived from it). */
  file?: string;
  /** Check block trailers and every entry's crc32c (default true). */
  verify?: boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function details(file: string | undefined, node?: string): { file?: string; node?: string } {
  return { ...(file === undefined ? {} : { file }), ...(node === undefined ? {} : { node }) };
}

/**
 * The header and the entries listed by an index file, without reading any tensor data.
 *
 * @example
 * const { header, entries } = readCheckpointIndex(indexBytes, 'variables/variables.index');
 */
export function readCheckpointIndex(
  index: Uint8Array,
  file?: string,
  opts: { verify?: boolean } = {},
): { header: CheckpointHeader; entries: CheckpointEntryInfo[] } {
  const table = readTable(index, { ...(file === undefined ? {} : { file }), verify: opts.verify !== false });
  const first = table[0];
  if (first === undefined || first.key.length !== 0) {
    throw new GraftError('io/corrupt', 'tensor bundle index has no header entry (empty key)', details(file));
  }
  const header = decodeHeader(first.value, file);
  if (header.endianness !== 0) {
    throw new GraftError('io/unsupported', 'big-endian tensor bundles are not supported', details(file));
  }
  if (header.version.min_consumer > TENSOR_BUNDLE_VERSION || header.version.bad_consumers.includes(TENSOR_BUNDLE_VERSION)) {
    throw new GraftError('io/unsupported', `tensor bundle needs reader version >= ${header.version.min_consumer}; graft reads version ${TENSOR_BUNDLE_VERSION}`, details(file));
  }
  if (header.numShards < 1) {
    throw new GraftError('io/corrupt', `tensor bundle header says ${header.numShards} shards`, details(file));
  }
  const entries: CheckpointEntryInfo[] = [];
  for (let i = 1; i < table.length; i++) {
    const { key, value } = table[i]!;
    let name: string;
    try {
      name = utf8.decode(key);
    } catch (e) {
      // Slice keys of partitioned TF1 variables are binary (OrderedCode); graft does not read them.
      throw new GraftError('io/unsupported', 'tensor bundle key is not UTF-8 (partitioned-variable slice keys are not supported)', { ...details(file), cause: e });
    }
    const info = decodeEntry(name, value, file);
    if (info.shardId >= header.numShards) {
      throw new GraftError('io/corrupt', `tensor '${name}' is in shard ${info.shardId} of ${header.numShards}`, details(file, name));
    }
    entries.push(info);
  }
  return { header, entries };
}

/**
 * What the index lists, without reading data: works on an index whose data files are absent.
 *
 * @example listCheckpointEntries(indexBytes).map((e) => e.name)
 */
export function listCheckpointEntries(index: Uint8Array, file?: string): CheckpointEntryInfo[] {
  checkBytesArgument('listCheckpointEntries', 'index', index);
  return readCheckpointIndex(index, file).entries;
}

/**
 * Reads one tensor's payload from its shard, checking bounds, size and checksum.
 * `shardFile` names the data file in errors.
 */
export function readEntryData(info: CheckpointEntryInfo, shard: Uint8Array, shardFile?: string, verify = true): CheckpointEntry {
  const name = info.name;
  const where = details(shardFile, name);
  const base: CheckpointEntry = { name, dtype: info.dtype, shape: info.shape, data: null, strings: null };
  if (info.slices.length > 0) base.slices = info.slices;
  // The full-tensor entry of a partitioned variable holds only its slice list.
  if (info.slices.length > 0 && info.size === 0) return base;
  if (info.offset > shard.length || info.size > shard.length - info.offset) {
    throw new GraftError(
      'io/truncated',
      `tensor '${name}' spans bytes ${info.offset}..${info.offset + info.size} but the data file has ${shard.length}`,
      where,
    );
  }
  const bytes = shard.subarray(info.offset, info.offset + info.size);
  const count = numElements(info.shape);
  if (info.dtype === DT_STRING) {
    if (count === undefined) throw new GraftError('io/corrupt', `tensor '${name}': bad shape [${info.shape.join(',')}]`, where);
    const decoded = decodeStringTensor(bytes, count, { ...where, name, verify });
    if (verify && decoded.crc !== unmaskCrc32c(info.crc32c)) {
      throw new GraftError('io/checksum', `tensor '${name}' in ${shardFile ?? 'its data file'}: crc32c mismatch`, where);
    }
    base.strings = decoded.strings;
    return base;
  }
  const width = dtypeSize(info.dtype);
  if (width !== undefined && count !== undefined && count * width !== info.size) {
    throw new GraftError('io/bad-length', `tensor '${name}': ${info.size} bytes stored for ${count} elements of ${width} bytes`, where);
  }
  if (verify && crc32c(bytes) !== unmaskCrc32c(info.crc32c)) {
    throw new GraftError('io/checksum', `tensor '${name}' in ${shardFile ?? 'its data file'}: crc32c mismatch`, where);
  }
  base.data = bytes;
  return base;
}

/**
 * Reads a whole checkpoint from its index bytes and its shards' bytes (shard i at index i;
 * a missing shard is an error only if an entry lives in it).
 * Tensor payloads are views into `shards` (no copy; possibly unaligned).
 *
 * @example
 * const ckpt = readCheckpoint(indexBytes, [dataBytes], { file: 'variables/variables.index' });
 * ckpt.entries.get('dense/kernel')?.data
 */
export function readCheckpoint(index: Uint8Array, shards: readonly (Uint8Array | undefined)[], opts: ReadCheckpointOptions = {}): Checkpoint {
  checkBytesArgument('readCheckpoint', 'index', index);
  if (!Array.isArray(shards)) throw badArgument('readCheckpoint', 'shards', 'an array of shard bytes (Uint8Array, or undefined for a shard not read)', shards);
  for (let i = 0; i < shards.length; i++) if (shards[i] !== undefined) checkBytesArgument('readCheckpoint', `shards[${i}]`, shards[i]);
  if (opts === null || typeof opts !== 'object') throw badArgument('readCheckpoint', 'opts', 'an options object', opts);
  const verify = opts.verify !== false;
  const { header, entries } = readCheckpointIndex(index, opts.file, { verify });
  const prefix = prefixOfIndexFile(opts.file ?? 'checkpoint');
  const out = new Map<string, CheckpointEntry>();
  for (const info of entries) {
    const shardFile = shardFileName(prefix, info.shardId, header.numShards);
    const shard = shards[info.shardId];
    if (shard === undefined) {
      if (info.slices.length > 0 && info.size === 0) {
        out.set(info.name, readEntryData(info, new Uint8Array(0), shardFile, verify));
        continue;
      }
      throw new GraftError('io/not-found', `data file ${shardFile} (shard ${info.shardId} of ${header.numShards}) is missing; tensor '${info.name}' lives there`, {
        file: shardFile,
        node: info.name,
      });
    }
    out.set(info.name, readEntryData(info, shard, shardFile, verify));
  }
  const dataOrder = entries
    .slice()
    .sort((a, b) => a.shardId - b.shardId || a.offset - b.offset)
    .map((e) => e.name);
  return { header, entries: out, dataOrder };
}
