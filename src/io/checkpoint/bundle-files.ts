/**
 * The file-system side of checkpoints: reads or writes `<prefix>.index` and
 * `<prefix>.data-NNNNN-of-NNNNN` through the file-system adapter. Everything else in this folder
 * works on bytes.
 */
import { GraftError, isGraftError } from '../../errors';
import { type FileSystem, type OutputOptions, nodeFileSystem, writeFilesAtomic } from '../fs';
import { type Checkpoint, type CheckpointEntryInput, shardFileName } from './bundle-format';
import { readCheckpoint, readCheckpointIndex } from './bundle-reader';
import { writeCheckpoint, type WriteCheckpointOptions } from './bundle-writer';

async function readIfPresent(file: string, fs: FileSystem): Promise<Uint8Array | undefined> {
  if ((await fs.kind(file)) === null) return undefined;
  try {
    return await fs.readFile(file);
  } catch (e) {
    if (isGraftError(e) && e.code === 'io/not-found') return undefined;
    throw e;
  }
}

/**
 * Reads the checkpoint at `prefix` (e.g. `model/variables/variables`), verifying every checksum.
 * A missing data file is reported (io/not-found, naming it) when an entry lives in it.
 *
 * @example const ckpt = await readCheckpointFiles('saved/variables/variables');
 */
export async function readCheckpointFiles(prefix: string, opts: { verify?: boolean; fs?: FileSystem } = {}): Promise<Checkpoint> {
  const fs = opts.fs ?? nodeFileSystem;
  const indexFile = `${prefix}.index`;
  const index = await readIfPresent(indexFile, fs);
  if (index === undefined) throw new GraftError('io/not-found', `checkpoint index ${indexFile} does not exist`, { file: indexFile });
  const { header, entries } = named(indexFile, () => readCheckpointIndex(index, indexFile, opts));
  // numShards comes from the file and may be absurd (2^31-1): read only the shards an entry lives
  // in, one at a time, never one file per declared shard.
  const shards: Array<Uint8Array | undefined> = [];
  const used = [...new Set(entries.map((e) => e.shardId))].sort((a, b) => a - b);
  for (const id of used) shards[id] = await readIfPresent(shardFileName(prefix, id, header.numShards), fs);
  return named(indexFile, () => readCheckpoint(index, shards, { file: indexFile, ...opts }));
}

/** Errors name the file they are about (the index, or the data file an entry lives in) in their message. */
function named<T>(file: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (isGraftError(e)) throw e.inFile(e.file ?? file);
    throw e;
  }
}

/**
 * Writes a single-shard checkpoint at `prefix`: both files go to temporary names first and
 * are renamed into place (data, then index) only when both are written; nothing partial is left.
 * An existing checkpoint is replaced only with `overwrite` (`io/exists`).
 *
 * @example await writeCheckpointFiles('out/variables/variables', ckpt.entries.values());
 */
export async function writeCheckpointFiles(
  prefix: string,
  entries: Iterable<CheckpointEntryInput>,
  opts: WriteCheckpointOptions & OutputOptions & { fs?: FileSystem } = {},
): Promise<void> {
  let encoded: ReturnType<typeof writeCheckpoint>;
  try {
    encoded = writeCheckpoint(entries, opts);
  } catch (e) {
    if (isGraftError(e)) throw e;
    throw new GraftError('io/write-failed', `cannot write checkpoint ${prefix}: ${(e as Error).message}`, { file: `${prefix}.index`, cause: e });
  }
  const { index, shards } = encoded;
  const targets: Array<[string, Uint8Array[]]> = shards.map((s, i) => [shardFileName(prefix, i, shards.length), [s]]);
  targets.push([`${prefix}.index`, [index]]);
  await writeFilesAtomic(targets, opts.fs ?? nodeFileSystem, { inputs: opts.inputs, overwrite: opts.overwrite, makeParents: true });
}
