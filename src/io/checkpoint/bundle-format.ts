/**
 * Tensor-bundle facts shared by the checkpoint reader and writer: entry and header types,
 * the BundleEntryProto / BundleHeaderProto codecs (through src/proto), dtype widths and
 * shard file names.
 */
import { GraftError } from '../../errors';
import { decodeMessage, encodeMessage } from '../../proto';

/** TensorFlow's DataType enum value for DT_STRING. */
export const DT_STRING = 7;

/** The version this writer stamps (TensorFlow's kTensorBundleVersion) and accepts as a reader. */
export const TENSOR_BUNDLE_VERSION = 1;

/** One tensor of a checkpoint. */
export interface CheckpointEntry {
  name: string;
  /** TensorFlow DataType enum value (1 = DT_FLOAT, 7 = DT_STRING, ...). */
  dtype: number;
  shape: number[];
  /**
   * Raw little-endian bytes for every dtype but DT_STRING; null for DT_STRING and for
   * slice-only entries. A view into the shard bytes given to the reader: not copied, and
   * possibly unaligned (copy before making a Float32Array etc. from it).
   */
  data: Uint8Array | null;
  /** The elements of a DT_STRING tensor (views into the shard bytes), else null. */
  strings: Uint8Array[] | null;
  /** TensorSliceProto messages of a partitioned variable's full-tensor entry, as decoded. */
  slices?: unknown[];
}

/** What {@link writeCheckpoint} takes: an entry without the read-side nulls. */
export interface CheckpointEntryInput {
  name: string;
  dtype: number;
  shape: readonly number[];
  data?: Uint8Array | null;
  strings?: readonly Uint8Array[] | null;
  slices?: readonly unknown[];
}

/** The bundle header stored under the empty key. */
export interface CheckpointHeader {
  numShards: number;
  /** 0 = little-endian (the only kind graft reads), 1 = big-endian. */
  endianness: number;
  version: { producer: number; min_consumer: number; bad_consumers: number[] };
}

/** A whole checkpoint. */
export interface Checkpoint {
  header: CheckpointHeader;
  /** In key order (bytewise on the UTF-8 names, as stored). */
  entries: Map<string, CheckpointEntry>;
  /**
   * Entry names in the order their bytes sit in the data files (shard, then offset): the order
   * TensorFlow added them. Writing entries in this order reproduces the original data files
   * (TF2 saves the object graph last, so this differs from key order).
   */
  dataOrder: string[];
}

/** What the index says about one tensor, without reading its data. */
export interface CheckpointEntryInfo {
  name: string;
  dtype: number;
  shape: number[];
  shardId: number;
  offset: number;
  size: number;
  /** Masked crc32c, as stored. */
  crc32c: number;
  slices: unknown[];
}

/** Bytes per element of fixed-width dtypes; DT_STRING, resources, variants and packed types are absent. */
const DTYPE_SIZE: Record<number, number> = {
  1: 4, 2: 8, 3: 4, 4: 1, 5: 2, 6: 1, 8: 8, 9: 8, 10: 1, 11: 1, 12: 1, 13: 4, 14: 2, 15: 2,
  16: 2, 17: 2, 18: 16, 19: 2, 22: 4, 23: 8, 24: 1, 25: 1,
};

/** Bytes per element of `dtype`, or undefined when it is not a fixed-width type. */
export function dtypeSize(dtype: number): number | undefined {
  return DTYPE_SIZE[dtype];
}

/** The element count of `shape`, or undefined if a dimension is unknown or not an integer. */
export function numElements(shape: readonly number[]): number | undefined {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) return undefined;
    n *= d;
  }
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * The name of shard `id` of `numShards` for a checkpoint prefix, as TensorFlow names it.
 *
 * @example shardFileName('variables/variables', 0, 1) // 'variables/variables.data-00000-of-00001'
 */
export function shardFileName(prefix: string, id: number, numShards: number): string {
  return `${prefix}.data-${String(id).padStart(5, '0')}-of-${String(numShards).padStart(5, '0')}`;
}

/** The prefix of an index file name (`x/variables.index` → `x/variables`), for naming shards in errors. */
export function prefixOfIndexFile(file: string): string {
  return file.endsWith('.index') ? file.slice(0, -'.index'.length) : file;
}

/** An int64 as decoded by protobufjs (Long, number or string) to a number; refuses > 2^53. */
export function int64ToNumber(v: unknown, what: string, file?: string): number {
  let n: number;
  if (v === undefined || v === null) n = 0;
  else if (typeof v === 'number') n = v;
  else if (typeof v === 'string') n = Number(v);
  else if (typeof v === 'bigint') n = Number(v);
  else if (typeof v === 'object' && 'toNumber' in v && typeof (v as { toNumber: unknown }).toNumber === 'function') {
    const l = v as { toNumber(): number; toString(): string };
    n = l.toNumber();
    if (!Number.isSafeInteger(n)) n = Number(l.toString());
  } else n = Number.NaN;
  if (!Number.isSafeInteger(n)) {
    throw new GraftError('io/bad-length', `${what} ${String(v)} is out of range`, file === undefined ? {} : { file });
  }
  return n;
}

interface EntryMessage {
  dtype?: number;
  shape?: { dim?: Array<{ size?: unknown }>; unknown_rank?: boolean } | null;
  shard_id?: number;
  offset?: unknown;
  size?: unknown;
  crc32c?: number;
  slices?: unknown[];
}

interface HeaderMessage {
  num_shards?: number;
  endianness?: number;
  version?: { producer?: number; min_consumer?: number; bad_consumers?: number[] } | null;
}

/** Decodes a BundleEntryProto into plain numbers, checking what must be non-negative. */
export function decodeEntry(name: string, bytes: Uint8Array, file?: string): CheckpointEntryInfo {
  const m = decodeMessage<EntryMessage>('tensorflow.BundleEntryProto', bytes, file);
  const where = `tensor '${name}'`;
  const details = { ...(file === undefined ? {} : { file }), node: name };
  const shape = (m.shape?.dim ?? []).map((d) => int64ToNumber(d.size, `${where}: dimension`, file));
  if (m.shape?.unknown_rank === true || shape.some((d) => d < 0)) {
    throw new GraftError('io/corrupt', `${where}: a stored tensor must have a fully known shape`, details);
  }
  const shardId = m.shard_id ?? 0;
  const offset = int64ToNumber(m.offset, `${where}: offset`, file);
  const size = int64ToNumber(m.size, `${where}: size`, file);
  if (shardId < 0 || offset < 0 || size < 0) {
    throw new GraftError('io/corrupt', `${where}: negative shard id, offset or size`, details);
  }
  return {
    name,
    dtype: m.dtype ?? 0,
    shape,
    shardId,
    offset,
    size,
    crc32c: (m.crc32c ?? 0) >>> 0,
    slices: m.slices ?? [],
  };
}

/** Encodes a BundleEntryProto the way TensorFlow's C++ serializer does (proto3: zeros omitted). */
export function encodeEntry(e: Omit<CheckpointEntryInfo, 'name'>): Uint8Array {
  const msg: Record<string, unknown> = {};
  if (e.dtype !== 0) msg.dtype = e.dtype;
  // TensorFlow always sets the shape (an empty message for a scalar), and a zero-sized
  // dimension serializes as an empty Dim.
  msg.shape = { dim: e.shape.map((size) => (size === 0 ? {} : { size })) };
  if (e.shardId !== 0) msg.shard_id = e.shardId;
  if (e.offset !== 0) msg.offset = e.offset;
  if (e.size !== 0) msg.size = e.size;
  if (e.crc32c !== 0) msg.crc32c = e.crc32c >>> 0;
  if (e.slices.length > 0) msg.slices = e.slices;
  return encodeMessage('tensorflow.BundleEntryProto', msg);
}

/** Decodes the BundleHeaderProto stored under the empty key. */
export function decodeHeader(bytes: Uint8Array, file?: string): CheckpointHeader {
  const m = decodeMessage<HeaderMessage>('tensorflow.BundleHeaderProto', bytes, file);
  return {
    numShards: m.num_shards ?? 0,
    endianness: m.endianness ?? 0,
    version: {
      producer: m.version?.producer ?? 0,
      min_consumer: m.version?.min_consumer ?? 0,
      bad_consumers: [...(m.version?.bad_consumers ?? [])],
    },
  };
}

/** Encodes a header as TensorFlow does (the version message is always present). */
export function encodeHeader(h: CheckpointHeader): Uint8Array {
  const version: Record<string, unknown> = {};
  if (h.version.producer !== 0) version.producer = h.version.producer;
  if (h.version.min_consumer !== 0) version.min_consumer = h.version.min_consumer;
  if (h.version.bad_consumers.length > 0) version.bad_consumers = h.version.bad_consumers;
  const msg: Record<string, unknown> = { version };
  if (h.numShards !== 0) msg.num_shards = h.numShards;
  if (h.endianness !== 0) msg.endianness = h.endianness;
  return encodeMessage('tensorflow.BundleHeaderProto', msg);
}
