/**
 * The one file-system adapter. Everything else in graft works on bytes; the functions that touch
 * files take a `FileSystem` (Node's by default), so a bundler plugin or a browser can supply its own.
 *
 * Output is written to a temporary path beside the target and renamed into place, so a failed
 * run leaves no partial output.
 */
import * as fsp from 'node:fs/promises';
import * as nodePath from 'node:path';
import { GraftError } from '../errors';

export interface FileSystem {
  readFile(path: string): Promise<Uint8Array>;
  /** Writes all chunks in order (Node: `writev`, so payloads are not joined first). */
  writeFile(path: string, chunks: readonly Uint8Array[]): Promise<void>;
  /** 'file', 'dir', or null when absent. */
  kind(path: string): Promise<'file' | 'dir' | null>;
  size(path: string): Promise<number>;
  readdir(path: string): Promise<string[]>;
  mkdir(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  remove(path: string): Promise<void>;
  copyFile(from: string, to: string): Promise<void>;
}

export const nodeFileSystem: FileSystem = {
  async readFile(path) {
    try {
      return await fsp.readFile(path);
    } catch (e) {
      throw fsError(e, path);
    }
  },
  async writeFile(path, chunks) {
    const handle = await fsp.open(path, 'w');
    try {
      // writev has a per-call limit on the number of buffers.
      for (let i = 0; i < chunks.length; i += 1024) await handle.writev(chunks.slice(i, i + 1024) as Uint8Array[]);
    } finally {
      await handle.close();
    }
  },
  async kind(path) {
    try {
      const s = await fsp.stat(path);
      return s.isDirectory() ? 'dir' : 'file';
    } catch {
      return null;
    }
  },
  async size(path) {
    return (await fsp.stat(path)).size;
  },
  async readdir(path) {
    return (await fsp.readdir(path)).sort();
  },
  async mkdir(path) {
    await fsp.mkdir(path, { recursive: true });
  },
  async rename(from, to) {
    await fsp.rename(from, to);
  },
  async remove(path) {
    await fsp.rm(path, { recursive: true, force: true });
  },
  async copyFile(from, to) {
    await fsp.copyFile(from, to);
  },
};

function fsError(e: unknown, path: string): GraftError {
  const code = (e as { code?: string }).code;
  if (code === 'ENOENT') return new GraftError('io/not-found', `${path}: no such file or directory`, { file: path, cause: e });
  if (code === 'EISDIR') return new GraftError('io/unknown-format', `${path} is a directory, not a file`, { file: path, cause: e });
  return new GraftError('io/corrupt', `${path}: ${(e as Error).message}`, { file: path, cause: e });
}

function tempName(target: string): string {
  const dir = nodePath.dirname(target);
  return nodePath.join(dir, `.${nodePath.basename(target)}.graft-tmp-${process.pid}-${Date.now().toString(36)}`);
}

/** Writes a file atomically: to a temporary name, then renamed into place. */
export async function writeFileAtomic(path: string, chunks: readonly Uint8Array[], fs: FileSystem = nodeFileSystem): Promise<void> {
  const tmp = tempName(path);
  try {
    await fs.writeFile(tmp, chunks);
    await fs.rename(tmp, path);
  } catch (e) {
    await fs.remove(tmp).catch(() => undefined);
    throw new GraftError('io/write-failed', `Could not write ${path}: ${(e as Error).message}`, { file: path, cause: e });
  }
}

/**
 * Builds a directory atomically: `build` fills a temporary directory, which then replaces
 * `path` (an existing directory at `path` is replaced only once the new one is complete).
 */
export async function writeDirAtomic(path: string, build: (tmpDir: string) => Promise<void>, fs: FileSystem = nodeFileSystem): Promise<void> {
  const tmp = tempName(path.replace(/[\\/]+$/, ''));
  try {
    await fs.mkdir(tmp);
    await build(tmp);
    if ((await fs.kind(path)) !== null) {
      const old = `${tmp}-old`;
      await fs.rename(path, old);
      await fs.rename(tmp, path);
      await fs.remove(old);
    } else {
      await fs.rename(tmp, path);
    }
  } catch (e) {
    await fs.remove(tmp).catch(() => undefined);
    if (e instanceof GraftError) throw e;
    throw new GraftError('io/write-failed', `Could not write ${path}: ${(e as Error).message}`, { file: path, cause: e });
  }
}
