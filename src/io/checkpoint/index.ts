/**
 * TensorFlow checkpoints (tensor bundles): `<prefix>.index` (an SSTable of BundleEntryProto)
 * and `<prefix>.data-NNNNN-of-NNNNN`. Read and write from bytes; `*Files` helpers use node:fs.
 */
export { crc32c, maskCrc32c, unmaskCrc32c } from './crc32c';
export type { BlockHandle, TableEntry } from './sstable-format';
export { readTable, readTableFooter, readBlockContents, parseBlock, type TableReadOptions, type TableFooter } from './sstable-reader';
export { writeTable, TableBuilder, DEFAULT_BLOCK_SIZE, type TableWriteOptions } from './sstable-writer';
export { decodeStringTensor, encodeStringTensor, type DecodedStrings } from './string-tensor';
export {
  type Checkpoint,
  type CheckpointEntry,
  type CheckpointEntryInput,
  type CheckpointEntryInfo,
  type CheckpointHeader,
  DT_STRING,
  shardFileName,
} from './bundle-format';
export { readCheckpoint, readCheckpointIndex, listCheckpointEntries, readEntryData, type ReadCheckpointOptions } from './bundle-reader';
export { writeCheckpoint, type WriteCheckpointOptions } from './bundle-writer';
