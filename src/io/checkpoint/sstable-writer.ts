/**
 * Writes a LevelDB-format SSTable the way TensorFlow's table builder does: uncompressed data
 * blocks cut once they reach `blockSize` (256 KiB, TensorFlow's default) bytes, a restart point every 16 keys, index
 * keys shortened to the shortest separator between neighbouring blocks, an empty metaindex
 * block, then the index block (restart interval 1) and the footer.
 */
import { GraftError } from '../../errors';
import { crc32c, maskCrc32c } from './crc32c';
import {
  type BlockHandle,
  compareBytes,
  FOOTER_LENGTH,
  NO_COMPRESSION,
  TABLE_MAGIC_HI,
  TABLE_MAGIC_LO,
  type TableEntry,
  writeBlockHandle,
} from './sstable-format';
import { ByteWriter } from './varint';

/**
 * TensorFlow's table options default to 256 KiB blocks (LevelDB's are 4 KiB). Measured on the
 * shipped checkpoints: kotlindl_keras_bn_cnn_graphonly holds one 4554-byte data block, which a
 * 4096-byte limit would have split.
 */
export const DEFAULT_BLOCK_SIZE = 262144;

export interface TableWriteOptions {
  /** Target uncompressed size of a data block (default {@link DEFAULT_BLOCK_SIZE}). */
  blockSize?: number;
  /** Keys between restart points in data blocks (default 16). */
  restartInterval?: number;
}

/** Builds one block: prefix-compressed entries, then the restart array and its count. */
class BlockBuilder {
  private buf = new ByteWriter(1024);
  private restarts: number[] = [0];
  private counter = 0;
  private lastKey: Uint8Array = new Uint8Array(0);
  entries = 0;

  constructor(private readonly restartInterval: number) {}

  add(key: Uint8Array, value: Uint8Array): void {
    let shared = 0;
    if (this.counter < this.restartInterval) {
      const n = Math.min(key.length, this.lastKey.length);
      while (shared < n && key[shared] === this.lastKey[shared]) shared++;
    } else {
      this.restarts.push(this.buf.length);
      this.counter = 0;
    }
    this.buf.varint(shared).varint(key.length - shared).varint(value.length);
    this.buf.bytes(key.subarray(shared)).bytes(value);
    this.lastKey = key;
    this.counter++;
    this.entries++;
  }

  /** Size of the finished block if it were finished now (what LevelDB compares to blockSize). */
  sizeEstimate(): number {
    return this.buf.length + this.restarts.length * 4 + 4;
  }

  finish(): Uint8Array {
    for (const r of this.restarts) this.buf.uint32(r);
    this.buf.uint32(this.restarts.length);
    return this.buf.view();
  }
}

/**
 * The shortest key `k` with `start <= k < limit` that LevelDB's bytewise comparator picks:
 * the common prefix plus the first differing byte of `start` incremented, when that stays
 * below `limit`; otherwise `start` itself.
 */
export function shortestSeparator(start: Uint8Array, limit: Uint8Array): Uint8Array {
  const n = Math.min(start.length, limit.length);
  let i = 0;
  while (i < n && start[i] === limit[i]) i++;
  if (i >= n) return start; // one is a prefix of the other
  const b = start[i]!;
  if (b < 0xff && b + 1 < limit[i]!) {
    const out = start.slice(0, i + 1);
    out[i] = b + 1;
    return out;
  }
  return start;
}

/** The shortest key `>= key`: the first byte that is not 0xff, incremented, and nothing after. */
export function shortSuccessor(key: Uint8Array): Uint8Array {
  for (let i = 0; i < key.length; i++) {
    if (key[i] !== 0xff) {
      const out = key.slice(0, i + 1);
      out[i] = key[i]! + 1;
      return out;
    }
  }
  return key;
}

/**
 * Incremental table writer. Keys must be added in strictly increasing bytewise order.
 *
 * @example
 * const t = new TableBuilder(); t.add(key, value); const bytes = t.finish();
 */
export class TableBuilder {
  private out = new ByteWriter(4096);
  private readonly blockSize: number;
  private readonly restartInterval: number;
  private data: BlockBuilder;
  private index = new BlockBuilder(1);
  private lastKey: Uint8Array | null = null;
  private pending: BlockHandle | null = null;
  private finished = false;

  constructor(opts: TableWriteOptions = {}) {
    this.blockSize = opts.blockSize ?? DEFAULT_BLOCK_SIZE;
    this.restartInterval = opts.restartInterval ?? 16;
    this.data = new BlockBuilder(this.restartInterval);
  }

  add(key: Uint8Array, value: Uint8Array): void {
    if (this.finished) throw new GraftError('io/write-failed', 'table already finished');
    if (this.lastKey !== null && compareBytes(this.lastKey, key) >= 0) {
      throw new GraftError('io/write-failed', 'table keys must be added in strictly increasing order');
    }
    if (this.pending !== null) {
      // The index key for the finished block only has to separate it from the next one.
      this.addIndexEntry(shortestSeparator(this.lastKey!, key), this.pending);
      this.pending = null;
    }
    this.data.add(key, value);
    this.lastKey = key;
    if (this.data.sizeEstimate() >= this.blockSize) this.flush();
  }

  /** The whole table: data blocks, metaindex, index, footer. */
  finish(): Uint8Array {
    if (this.finished) throw new GraftError('io/write-failed', 'table already finished');
    this.flush();
    this.finished = true;
    const metaindex = this.writeBlock(new BlockBuilder(this.restartInterval));
    if (this.pending !== null) {
      this.addIndexEntry(shortSuccessor(this.lastKey!), this.pending);
      this.pending = null;
    }
    const index = this.writeBlock(this.index);
    const footer = new ByteWriter(FOOTER_LENGTH);
    writeBlockHandle(footer, metaindex);
    writeBlockHandle(footer, index);
    while (footer.length < FOOTER_LENGTH - 8) footer.byte(0);
    footer.uint32(TABLE_MAGIC_LO).uint32(TABLE_MAGIC_HI);
    this.out.bytes(footer.view());
    return this.out.toBytes();
  }

  private addIndexEntry(key: Uint8Array, handle: BlockHandle): void {
    const v = new ByteWriter(20);
    writeBlockHandle(v, handle);
    this.index.add(key, v.toBytes());
  }

  private flush(): void {
    if (this.data.entries === 0) return;
    this.pending = this.writeBlock(this.data);
    this.data = new BlockBuilder(this.restartInterval);
  }

  private writeBlock(block: BlockBuilder): BlockHandle {
    const contents = block.finish();
    const handle = { offset: this.out.length, size: contents.length };
    this.out.bytes(contents);
    const type = Uint8Array.of(NO_COMPRESSION);
    this.out.bytes(type).uint32(maskCrc32c(crc32c(type, crc32c(contents))));
    return handle;
  }
}

/**
 * A whole table from entries already in strictly increasing key order.
 *
 * @example writeTable([{ key: enc(''), value: header }, { key: enc('a'), value: entry }])
 */
export function writeTable(entries: Iterable<TableEntry>, opts: TableWriteOptions = {}): Uint8Array {
  const t = new TableBuilder(opts);
  for (const e of entries) t.add(e.key, e.value);
  return t.finish();
}
