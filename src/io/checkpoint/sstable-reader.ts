/**
 * Reads a LevelDB-format SSTable (the `.index` file of a TensorFlow tensor bundle) from bytes.
 * Every block trailer's crc32c is checked (unless `verify: false`), every length is checked
 * against what is left before anything is taken, and keys must be strictly increasing.
 * Values are views into the input (or into a decompressed snappy block).
 */
import snappy from 'snappyjs';
import { GraftError } from '../../errors';
import { crc32c, unmaskCrc32c } from './crc32c';
import { ByteReader } from './varint';
import {
  BLOCK_TRAILER_LENGTH,
  type BlockHandle,
  compareBytes,
  FOOTER_LENGTH,
  NO_COMPRESSION,
  readBlockHandle,
  SNAPPY_COMPRESSION,
  TABLE_MAGIC_HI,
  TABLE_MAGIC_LO,
  type TableEntry,
} from './sstable-format';

export interface TableReadOptions {
  /** Named in errors. */
  file?: string;
  /** Check block trailers' crc32c (default true). */
  verify?: boolean;
}

/** The two handles in a table's footer. */
export interface TableFooter {
  metaindex: BlockHandle;
  index: BlockHandle;
}

function fileDetails(file: string | undefined): { file?: string } {
  return file === undefined ? {} : { file };
}

/**
 * Decodes the 48-byte footer at the end of `bytes`.
 *
 * @example const { index } = readTableFooter(bytes, 'variables.index')
 */
export function readTableFooter(bytes: Uint8Array, file?: string): TableFooter {
  if (bytes.length < FOOTER_LENGTH) {
    throw new GraftError('io/truncated', `table is ${bytes.length} bytes, shorter than its ${FOOTER_LENGTH}-byte footer`, fileDetails(file));
  }
  const start = bytes.length - FOOTER_LENGTH;
  const magic = new ByteReader(bytes, file, bytes.length - 8, bytes.length, 'table footer');
  const lo = magic.uint32();
  const hi = magic.uint32();
  if (lo !== TABLE_MAGIC_LO || hi !== TABLE_MAGIC_HI) {
    throw new GraftError(
      'io/bad-magic',
      `table footer magic is 0x${hi.toString(16).padStart(8, '0')}${lo.toString(16).padStart(8, '0')}, expected 0xdb4775248b80fb57 (not an SSTable, or truncated)`,
      fileDetails(file),
    );
  }
  const r = new ByteReader(bytes, file, start, bytes.length - 8, 'table footer');
  const metaindex = readBlockHandle(r);
  const index = readBlockHandle(r);
  return { metaindex, index };
}

/**
 * The contents of the block at `handle`, its trailer checked and snappy undone.
 * The result is a view into `bytes` for uncompressed blocks.
 */
export function readBlockContents(bytes: Uint8Array, handle: BlockHandle, opts: TableReadOptions & { what?: string } = {}): Uint8Array {
  const what = opts.what ?? 'block';
  // Blocks never overlap the footer.
  const limit = bytes.length - FOOTER_LENGTH;
  if (handle.offset > limit || handle.size > limit - handle.offset || BLOCK_TRAILER_LENGTH > limit - handle.offset - handle.size) {
    throw new GraftError(
      'io/bad-length',
      `${what} at offset ${handle.offset} size ${handle.size} runs past the end of the table (${limit} bytes before the footer)`,
      fileDetails(opts.file),
    );
  }
  const contents = bytes.subarray(handle.offset, handle.offset + handle.size);
  const trailer = new ByteReader(bytes, opts.file, handle.offset + handle.size, handle.offset + handle.size + BLOCK_TRAILER_LENGTH, `${what} trailer`);
  const type = trailer.bytes[trailer.pos++]!;
  const storedMasked = trailer.uint32();
  if (opts.verify !== false) {
    const actual = crc32c(bytes.subarray(handle.offset + handle.size, handle.offset + handle.size + 1), crc32c(contents));
    if (actual !== unmaskCrc32c(storedMasked)) {
      throw new GraftError('io/checksum', `${what} at offset ${handle.offset}: crc32c mismatch (stored 0x${unmaskCrc32c(storedMasked).toString(16)}, computed 0x${actual.toString(16)})`, fileDetails(opts.file));
    }
  }
  if (type === NO_COMPRESSION) return contents;
  if (type === SNAPPY_COMPRESSION) return uncompressSnappy(contents, what, opts.file);
  throw new GraftError('io/unsupported', `${what} at offset ${handle.offset}: unknown compression type ${type}`, fileDetails(opts.file));
}

function uncompressSnappy(contents: Uint8Array, what: string, file: string | undefined): Uint8Array {
  // A snappy element expands at most ~22x (a 3-byte copy of 64 bytes), so a declared length
  // beyond that is corrupt; checking it here keeps snappyjs from allocating from it.
  const declared = new ByteReader(contents, file, 0, contents.length, `${what} (snappy)`).varint();
  const max = contents.length * 24 + 64;
  if (declared > max) {
    throw new GraftError('io/bad-length', `${what}: snappy block claims ${declared} bytes from ${contents.length}`, fileDetails(file));
  }
  try {
    return snappy.uncompress(contents, max);
  } catch (e) {
    throw new GraftError('io/corrupt', `${what}: invalid snappy data`, { ...fileDetails(file), cause: e });
  }
}

/**
 * The entries of one block's contents, in order. Keys are fresh arrays; values are views.
 * `budget` bounds the bytes spent rebuilding prefix-compressed keys (a hostile block could
 * otherwise make each key one byte longer than the last).
 */
export function parseBlock(contents: Uint8Array, opts: { file?: string; what?: string; budget?: { left: number } } = {}): TableEntry[] {
  const what = opts.what ?? 'block';
  const file = opts.file;
  if (contents.length < 4) {
    throw new GraftError('io/corrupt', `${what} is ${contents.length} bytes, too short for its restart count`, fileDetails(file));
  }
  const tail = new ByteReader(contents, file, contents.length - 4, contents.length, what);
  const numRestarts = tail.uint32();
  if (numRestarts > (contents.length - 4) / 4) {
    throw new GraftError('io/corrupt', `${what}: ${numRestarts} restart points do not fit in ${contents.length} bytes`, fileDetails(file));
  }
  const dataEnd = contents.length - 4 - numRestarts * 4;
  const r = new ByteReader(contents, file, 0, dataEnd, what);
  const entries: TableEntry[] = [];
  let prev: Uint8Array = new Uint8Array(0);
  while (r.pos < dataEnd) {
    const shared = r.varint32();
    const nonShared = r.varint32();
    const valueLength = r.varint32();
    if (shared > prev.length) {
      throw new GraftError('io/corrupt', `${what}: entry shares ${shared} key bytes with a ${prev.length}-byte previous key`, fileDetails(file));
    }
    const suffix = r.take(nonShared);
    const value = r.take(valueLength);
    let key: Uint8Array;
    if (shared === 0) {
      key = suffix.slice();
    } else {
      if (opts.budget) {
        opts.budget.left -= shared + nonShared;
        if (opts.budget.left < 0) {
          throw new GraftError('io/corrupt', `${what}: prefix-compressed keys expand beyond any plausible size`, fileDetails(file));
        }
      }
      key = new Uint8Array(shared + nonShared);
      key.set(prev.subarray(0, shared));
      key.set(suffix, shared);
    }
    entries.push({ key, value });
    prev = key;
  }
  return entries;
}

/**
 * All data entries of a table, in key order, checking trailers and key order.
 *
 * @example
 * for (const { key, value } of readTable(indexBytes, { file: 'variables.index' })) ...
 */
export function readTable(bytes: Uint8Array, opts: TableReadOptions = {}): TableEntry[] {
  const footer = readTableFooter(bytes, opts.file);
  const budget = { left: bytes.length * 64 + (16 << 20) };
  // The metaindex is read only to check it (TensorFlow writes it empty; LevelDB may list filters).
  parseBlock(readBlockContents(bytes, footer.metaindex, { ...opts, what: 'metaindex block' }), { file: opts.file, what: 'metaindex block', budget });
  const index = parseBlock(readBlockContents(bytes, footer.index, { ...opts, what: 'index block' }), { file: opts.file, what: 'index block', budget });
  const out: TableEntry[] = [];
  for (const ie of index) {
    const hr = new ByteReader(ie.value, opts.file, 0, ie.value.length, 'index entry');
    const handle = readBlockHandle(hr);
    const what = `data block at offset ${handle.offset}`;
    const entries = parseBlock(readBlockContents(bytes, handle, { ...opts, what }), { file: opts.file, what, budget });
    for (const e of entries) {
      const last = out[out.length - 1];
      if (last !== undefined && compareBytes(last.key, e.key) >= 0) {
        throw new GraftError('io/corrupt', `${what}: keys are not in increasing order`, fileDetails(opts.file));
      }
      out.push(e);
    }
  }
  return out;
}
