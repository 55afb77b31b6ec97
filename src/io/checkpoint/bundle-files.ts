/**
 * The file-system side of checkpoints: reads or writes `<prefix>.index` and
 * `<prefix>.data-NNNNN-of-NNNNN` with node:fs. Everything else in this folder works on bytes.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { GraftError, isGraftError } from '../../errors';
import { type Checkpoint, type CheckpointEntryInput, shardFileName } from './bundle-format';
import { readCheckpoint, readCheckpointIndex } from './bundle-reader';
import { writeCheckpoint, type WriteCheckpointOptions } from './bundle-writer';

async function readIfPresent(file: string): Promise<Uint8Array | undefined> {
  try {
    const b = await readFile(file);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new GraftError('io/corrupt', `cannot read ${file}: ${(e as Error).message}`, { file, cause: e });
  }
}

/**
 * Reads the checkpoint at `prefix` (e.g. `model/variables/variables`), verifying every checksum.
 * A missing data file is reported (io/not-found, naming it) when an entry lives in it.
 *
 * @example const ckpt = await readCheckpointFiles('saved/variables/variables');
 */
export async function readCheckpointFiles(prefix: string, opts: { verify?: boolean } = {}): Promise<Checkpoint> {
  const indexFile = `${prefix}.index`;
  const index = await readIfPresent(indexFile);
  if (index === undefined) throw new GraftError('io/not-found', `checkpoint index ${indexFile} does not exist`, { file: indexFile });
  const { header } = named(indexFile, () => readCheckpointIndex(index, indexFile, opts));
  const shards: Array<Uint8Array | undefined> = [];
  // numShards comes from the file: read only shards that exist, one at a time.
  for (let i = 0; i < header.numShards; i++) shards.push(await readIfPresent(shardFileName(prefix, i, header.numShards)));
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
 *
 * @example await writeCheckpointFiles('out/variables/variables', ckpt.entries.values());
 */
export async function writeCheckpointFiles(
  prefix: string,
  entries: Iterable<CheckpointEntryInput>,
  opts: WriteCheckpointOptions = {},
): Promise<void> {
  const { index, shards } = writeCheckpoint(entries, opts);
  const targets: Array<[string, Uint8Array]> = shards.map((s, i) => [shardFileName(prefix, i, shards.length), s]);
  targets.push([`${prefix}.index`, index]);
  const tag = `.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  const temps: string[] = [];
  try {
    await mkdir(dirname(prefix), { recursive: true });
    for (const [file, bytes] of targets) {
      const tmp = file + tag;
      temps.push(tmp);
      await writeFile(tmp, bytes);
    }
    for (const [file] of targets) await rename(file + tag, file);
  } catch (e) {
    await Promise.all(temps.map((t) => rm(t, { force: true }).catch(() => undefined)));
    if (isGraftError(e)) throw e;
    throw new GraftError('io/write-failed', `cannot write checkpoint ${prefix}: ${(e as Error).message}`, { file: `${prefix}.index`, cause: e });
  }
}
