/**
 * Constants and small codecs shared by the SSTable reader and writer. The table format is
 * LevelDB's (TensorFlow's `tensorflow/core/lib/io/table` keeps it): data blocks of
 * prefix-compressed keys with restart points, each followed by a 5-byte trailer, a metaindex
 * block, an index block, and a 48-byte footer.
 */
import { ByteReader, ByteWriter } from './varint';

/** Where a block sits in the file: its contents, without the 5-byte trailer. */
export interface BlockHandle {
  offset: number;
  size: number;
}

/** One key/value pair of a table. Both are byte strings; keys sort bytewise. */
export interface TableEntry {
  key: Uint8Array;
  value: Uint8Array;
}

/** The footer: two block handles padded to 40 bytes, then the 8-byte magic. */
export const FOOTER_LENGTH = 48;
/** After each block: 1 byte compression type, 4 bytes masked crc32c of contents + type. */
export const BLOCK_TRAILER_LENGTH = 5;
/** Table magic 0xdb4775248b80fb57, stored little-endian: low word first. */
export const TABLE_MAGIC_LO = 0x8b80fb57;
export const TABLE_MAGIC_HI = 0xdb477524;

export const NO_COMPRESSION = 0;
export const SNAPPY_COMPRESSION = 1;

export function readBlockHandle(r: ByteReader): BlockHandle {
  const offset = r.varint();
  const size = r.varint();
  return { offset, size };
}

export function writeBlockHandle(w: ByteWriter, h: BlockHandle): void {
  w.varint(h.offset).varint(h.size);
}

/** Bytewise comparison, as LevelDB's default comparator. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}
