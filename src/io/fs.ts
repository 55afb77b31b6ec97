/**
 * The one file-system adapter. Everything else in graft works on bytes; the functions that touch
 * files take a `FileSystem` (Node's by default), so a bundler plugin or a browser can supply its own.
 *
 * Reading: only regular files are opened (a FIFO, device or socket is `io/not-a-file` at once,
 * checked before opening and again on the open handle), and never more than a limit per read
 * (`io/too-large`), so `/dev/zero` or a named pipe cannot hang graft or fill its memory.
 *
 * Writing follows one set of rules for every command and writer (docs/reliability.md):
 * - `checkOutput` refuses, before any work, an output that is an input, contains one or lies
 *   inside one (`io/overlaps-input`; real paths, symbolic links followed, hard links compared),
 *   and an existing output (a file or a non-empty directory) unless `overwrite` (`io/exists`);
 * - the write itself (`writeFileAtomic`, `writeDirAtomic`) takes a lock beside the output
 *   (`<out>.graft-lock`, created exclusively; a second writer gets `io/locked`), checks again,
 *   builds the output under a temporary name beside it (`.<name>.graft-tmp-<pid>-<random>`) and
 *   renames it into place; an existing output is replaced only then (moved aside, the new one
 *   renamed in, the old one removed);
 * - temporary files are removed on error; `removePendingSync` removes them on a signal (the CLI
 *   calls it from its SIGINT/SIGTERM handlers), and after a kill -9 the next write beside them
 *   recognizes them by their dead process id and removes them.
 */
import { existsSync, renameSync, rmSync, constants as fsc } from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as nodePath from 'node:path';
import { GraftError, isGraftError } from '../errors';
import { checkFunction, checkObject, checkOptions, checkStringArgument } from '../ir/check';
import { badArgument } from '../errors';

/** The most graft reads into memory from one file (2 GiB - 1: protobuf's own limit for a message). */
export const MAX_FILE_BYTES = 2 ** 31 - 1;

export interface ReadFileOptions {
  /** Refuse files larger than this (`io/too-large`); default `MAX_FILE_BYTES`. */
  readonly maxBytes?: number;
}

export interface FileSystem {
  /** Reads a regular file (`io/not-a-file` for FIFOs, devices, sockets; `io/too-large` beyond the limit). */
  readFile(path: string, opts?: ReadFileOptions): Promise<Uint8Array>;
  /** Writes all chunks in order (Node: `writev`, so payloads are not joined first). */
  writeFile(path: string, chunks: readonly Uint8Array[]): Promise<void>;
  /** 'file', 'dir', or null when absent (symbolic links followed; a loop is `io/symlink-loop`). */
  kind(path: string): Promise<'file' | 'dir' | null>;
  size(path: string): Promise<number>;
  readdir(path: string): Promise<string[]>;
  mkdir(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  remove(path: string): Promise<void>;
  /** Copies a regular file (`io/not-a-file` otherwise). */
  copyFile(from: string, to: string): Promise<void>;
  /** The canonical absolute path (symbolic links resolved); `io/not-found` when absent. */
  realpath(path: string): Promise<string>;
  /** What identifies the file behind `path` (device and inode: equal for hard links), or null when absent. */
  identity(path: string): Promise<string | null>;
  /** Creates `path` holding `text` only if nothing exists there; false when something does. */
  createExclusive(path: string, text: string): Promise<boolean>;
  /** Whether this process may create entries in the directory `dir` (optional: without it the write itself finds out). */
  writable?(dir: string): Promise<boolean>;
}

function errnoCode(e: unknown): string | undefined {
  return (e as { code?: string } | null)?.code;
}

function checkRegular(s: { isFile(): boolean; isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }, path: string): void {
  if (s.isFile()) return;
  if (s.isDirectory()) throw new GraftError('io/unknown-format', `${path} is a directory, not a file`, { file: path });
  const what = s.isFIFO() ? 'a named pipe (FIFO)' : s.isCharacterDevice() ? 'a character device' : s.isBlockDevice() ? 'a block device' : s.isSocket() ? 'a socket' : 'not a regular file';
  throw new GraftError('io/not-a-file', `${path} is ${what}, not a regular file: graft reads only regular files`, {
    file: path,
    hint: 'Give the path of a regular file (copy the data into one first).',
  });
}

function checkSize(size: number, max: number, path: string): void {
  if (size > max) {
    throw new GraftError('io/too-large', `${path} is ${size} bytes, more than graft reads into memory for one file (${max} bytes)`, {
      file: path,
      hint: max === MAX_FILE_BYTES ? 'Protocol buffers and the other formats graft reads whole are limited to 2 GiB per file.' : undefined,
    });
  }
}

const NONBLOCK = fsc.O_NONBLOCK ?? 0;

// ---------------------------------------------------------------- stopping on a signal

/** Set once a signal asks the process to stop: no new file operation starts after it. */
let stopping = false;
/** File operations of `nodeFileSystem` under way (each may be on libuv's thread pool). */
let inflight = 0;
let onDrained: (() => void) | undefined;

/**
 * Runs one file operation unless the process is stopping. An operation asked for after the stop
 * never starts and never settles (the process exits meanwhile): it cannot create a file after
 * the temporary files were removed. One under way is counted, so the stop can wait for it.
 */
function gated<T>(op: () => Promise<T>): Promise<T> {
  if (stopping) return new Promise<T>(() => undefined);
  inflight++;
  return op().finally(() => {
    inflight--;
    if (inflight === 0) onDrained?.();
  });
}

function gateAll(fs: FileSystem): FileSystem {
  const out: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(fs)) out[name] = (...args: unknown[]) => gated(() => (f as (...a: unknown[]) => Promise<unknown>)(...args));
  return out as unknown as FileSystem;
}

const rawNodeFileSystem: FileSystem = {
  async readFile(path, opts = {}) {
    const max = opts.maxBytes ?? MAX_FILE_BYTES;
    // stat first: opening a FIFO would block until a writer appears.
    const before = await fsp.stat(path).catch((e: unknown) => {
      throw fsError(e, path);
    });
    checkRegular(before, path);
    checkSize(before.size, max, path);
    // O_NONBLOCK: if a FIFO was swapped in since the stat, open returns instead of waiting.
    const handle = await fsp.open(path, fsc.O_RDONLY | NONBLOCK).catch((e: unknown) => {
      throw fsError(e, path);
    });
    try {
      const s = await handle.stat();
      checkRegular(s, path);
      checkSize(s.size, max, path);
      // Read what the file held when opened; a file that grows meanwhile is read up to that size.
      // A plain Uint8Array, not a Buffer: Buffer's slice() is a view, Uint8Array's a copy.
      const buf = new Uint8Array(s.size);
      let off = 0;
      while (off < s.size) {
        const { bytesRead } = await handle.read(buf, off, s.size - off, off);
        if (bytesRead === 0) break;
        off += bytesRead;
      }
      return off === s.size ? buf : buf.subarray(0, off);
    } catch (e) {
      throw isGraftError(e) ? e : fsError(e, path);
    } finally {
      await handle.close();
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
    } catch (e) {
      const code = errnoCode(e);
      if (code === 'ENOENT' || code === 'ENOTDIR') return null;
      throw fsError(e, path);
    }
  },
  async size(path) {
    try {
      return (await fsp.stat(path)).size;
    } catch (e) {
      throw fsError(e, path);
    }
  },
  async readdir(path) {
    try {
      return (await fsp.readdir(path)).sort();
    } catch (e) {
      throw fsError(e, path);
    }
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
    const before = await fsp.stat(from).catch((e: unknown) => {
      throw fsError(e, from);
    });
    checkRegular(before, from);
    const src = await fsp.open(from, fsc.O_RDONLY | NONBLOCK).catch((e: unknown) => {
      throw fsError(e, from);
    });
    try {
      const s = await src.stat();
      checkRegular(s, from);
      const dst = await fsp.open(to, 'w');
      try {
        const buf = Buffer.allocUnsafeSlow(Math.min(Math.max(s.size, 1), 4 << 20));
        let off = 0;
        while (off < s.size) {
          const { bytesRead } = await src.read(buf, 0, Math.min(buf.length, s.size - off), off);
          if (bytesRead === 0) break;
          await dst.write(buf, 0, bytesRead);
          off += bytesRead;
        }
      } finally {
        await dst.close();
      }
    } finally {
      await src.close();
    }
  },
  async realpath(path) {
    try {
      return await fsp.realpath(path);
    } catch (e) {
      throw fsError(e, path);
    }
  },
  async identity(path) {
    try {
      const s = await fsp.stat(path);
      return `${s.dev}:${s.ino}`;
    } catch (e) {
      const code = errnoCode(e);
      if (code === 'ENOENT' || code === 'ENOTDIR') return null;
      throw fsError(e, path);
    }
  },
  async writable(dir) {
    try {
      await fsp.access(dir, fsc.W_OK | fsc.X_OK);
      return true;
    } catch (e) {
      return !['EACCES', 'EPERM', 'EROFS'].includes(errnoCode(e) ?? '');
    }
  },
  async createExclusive(path, text) {
    try {
      await fsp.writeFile(path, text, { flag: 'wx' });
      return true;
    } catch (e) {
      if (errnoCode(e) === 'EEXIST') return false;
      throw e;
    }
  },
};

/** Node's file system, as graft uses it (see `FileSystem`). */
export const nodeFileSystem: FileSystem = gateAll(rawNodeFileSystem);

function fsError(e: unknown, path: string): GraftError {
  if (isGraftError(e)) return e;
  const code = errnoCode(e);
  if (code === 'ENOENT') return new GraftError('io/not-found', `${path}: no such file or directory`, { file: path, cause: e });
  if (code === 'ENOTDIR') return new GraftError('io/not-found', `${path}: a part of the path is not a directory`, { file: path, cause: e });
  if (code === 'EISDIR') return new GraftError('io/unknown-format', `${path} is a directory, not a file`, { file: path, cause: e });
  if (code === 'ELOOP') return new GraftError('io/symlink-loop', `${path}: symbolic links lead back to themselves (a loop)`, { file: path, cause: e, hint: 'Remove or fix the looping link.' });
  if (code === 'EACCES' || code === 'EPERM') return new GraftError('io/permission-denied', `${path}: permission denied`, { file: path, cause: e });
  if (code === 'EAGAIN' || code === 'EWOULDBLOCK') return new GraftError('io/not-a-file', `${path} would block (not a regular file)`, { file: path, cause: e });
  return new GraftError('io/corrupt', `${path}: ${(e as Error).message}`, { file: path, cause: e });
}

// ---------------------------------------------------------------- paths

/** True when `child` is `parent` or lies inside it (both absolute and canonical). */
export function isWithin(child: string, parent: string): boolean {
  const rel = nodePath.relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${nodePath.sep}`) && !nodePath.isAbsolute(rel));
}

/**
 * The canonical form of a path that may not exist yet: the real path of its nearest existing
 * ancestor, followed by the rest of it.
 */
export async function resolveFuture(path: string, fs: FileSystem = nodeFileSystem): Promise<string> {
  let dir = nodePath.resolve(path);
  const rest: string[] = [];
  for (;;) {
    try {
      const real = await fs.realpath(dir);
      return rest.length ? nodePath.join(real, ...rest) : real;
    } catch (e) {
      if (!isGraftError(e) || e.code !== 'io/not-found') throw e;
      const parent = nodePath.dirname(dir);
      if (parent === dir) return nodePath.resolve(path);
      rest.unshift(nodePath.basename(dir));
      dir = parent;
    }
  }
}

// ---------------------------------------------------------------- output rules

export interface OutputOptions {
  /** The paths this run reads (files or directories): the output may not be, contain or lie in any of them. */
  readonly inputs?: readonly (string | null | undefined)[];
  /** Replace an existing output (a file, or a non-empty directory). */
  readonly overwrite?: boolean;
  /** What the output is, for messages ('file' or 'dir'). */
  readonly kind?: 'file' | 'dir';
}

/**
 * Checks `output` against the rules before any work: `io/overlaps-input` when it is an input,
 * contains one or lies inside one; `io/exists` when it exists (a file, or a non-empty directory)
 * and `overwrite` is not set.
 *
 * @example
 * ```ts
 * await checkOutput('models/opt/1', { inputs: ['models/mnist/1'] });
 * ```
 */
export async function checkOutput(output: string, opts: OutputOptions = {}, fs: FileSystem = nodeFileSystem): Promise<void> {
  const realOut = await resolveFuture(output, fs);
  const outId = await fs.identity(output).catch(() => null);
  for (const input of opts.inputs ?? []) {
    if (!input) continue;
    const realIn = await resolveFuture(input, fs);
    const inId = await fs.identity(input).catch(() => null);
    let relation: string | undefined;
    if (realOut === realIn || (outId !== null && outId === inId)) relation = 'is the input';
    else if (isWithin(realIn, realOut)) relation = 'contains the input';
    else if (isWithin(realOut, realIn)) relation = 'lies inside the input';
    if (relation) {
      const same = realOut === nodePath.resolve(output) ? '' : ` (${realOut})`;
      throw new GraftError('io/overlaps-input', `The output ${output}${same} ${relation} ${input}: writing it would destroy what graft reads; graft never touches its inputs`, {
        file: output,
        hint: 'Choose an output path outside the input (a sibling such as models/mnist-opt/1).',
      });
    }
  }
  const kind = await fs.kind(output);
  if (kind === null || opts.overwrite || (kind === 'dir' && (await fs.readdir(output)).length === 0)) {
    await checkWritable(output, fs);
    return;
  }
  const what = kind === 'dir' ? 'a directory that is not empty' : opts.kind === 'dir' ? 'a file' : 'a file';
  throw new GraftError('io/exists', `The output ${output} already exists (${what}); graft replaces an output only when asked (\`overwrite: true\`; --overwrite on the command line)`, {
    file: output,
    hint: 'Choose a new path (TF Serving expects a new version number per export), or ask to replace it (\`overwrite: true\`, --overwrite on the command line).',
  });
}

/**
 * Refuses, before any work, an output beside which graft may not create files: the nearest
 * existing directory above it must be writable (`io/write-failed`, "permission denied").
 */
async function checkWritable(output: string, fs: FileSystem): Promise<void> {
  if (!fs.writable) return;
  let dir = nodePath.dirname(nodePath.resolve(output));
  for (;;) {
    const kind = await fs.kind(dir).catch(() => null);
    if (kind === 'dir') break;
    const up = nodePath.dirname(dir);
    if (up === dir) return;
    dir = up;
  }
  if (!(await fs.writable(dir))) {
    throw writeFailed(output, Object.assign(new Error('permission denied'), { code: 'EACCES' }), dir);
  }
}

// ---------------------------------------------------------------- pending temporaries

const pendingTemps = new Set<string>();
const pendingLocks = new Set<string>();
/** Moved-aside old outputs, by their temporary name: restored if the process stops mid-swap. */
const asides = new Map<string, string>();
let pendingWatcher: ((active: boolean) => void) | undefined;
/** Writes under way: counted from before the lock is taken, so a signal is handled from then on. */
let writers = 0;

function pendingCount(): number {
  return writers + pendingTemps.size + pendingLocks.size + asides.size;
}

function beginWrite(): void {
  writers++;
  if (writers === 1 && pendingCount() === 1) pendingWatcher?.(true);
}

function endWrite(): void {
  writers--;
  if (pendingCount() === 0) pendingWatcher?.(false);
}

function track(set: Set<string> | Map<string, string>, path: string, target?: string): void {
  const was = pendingCount();
  if (set instanceof Map) set.set(path, target!);
  else set.add(path);
  if (was === 0) pendingWatcher?.(true);
}

function untrack(set: Set<string> | Map<string, string>, path: string): void {
  set.delete(path);
  if (pendingCount() === 0) pendingWatcher?.(false);
}

/**
 * Calls `watcher(true)` when graft starts holding temporary files or locks and `watcher(false)`
 * when it holds none; the CLI installs its signal handlers in between. One watcher at a time.
 */
export function watchPending(watcher: ((active: boolean) => void) | undefined): void {
  pendingWatcher = watcher;
  if (watcher && pendingCount() > 0) watcher(true);
}

/**
 * Removes every temporary file and lock this process holds, synchronously (for a signal
 * handler); an old output moved aside for a swap is put back if the new one is not in place.
 * Returns the paths removed.
 */
export function removePendingSync(): string[] {
  stopping = true;
  const removed: string[] = [];
  for (const [old, target] of asides) {
    try {
      if (!existsSync(target)) renameSync(old, target);
      else rmSync(old, { recursive: true, force: true });
    } catch {
      // best effort: the next run recognizes the name and removes it
    }
  }
  for (const p of [...pendingTemps, ...pendingLocks]) {
    try {
      rmSync(p, { recursive: true, force: true, maxRetries: 3, retryDelay: 5 });
      removed.push(p);
    } catch {
      // best effort
    }
  }
  pendingTemps.clear();
  pendingLocks.clear();
  asides.clear();
  return removed;
}

/**
 * What a signal handler calls: stops every new file operation at once, waits (at most
 * `maxWaitMs`) for those already under way to finish — a file being created on the thread pool
 * could otherwise appear after the removal — then removes every temporary file and lock
 * synchronously (`removePendingSync`). Resolves with the paths removed; the caller exits.
 */
export function stopPendingWrites(maxWaitMs = 2000): Promise<string[]> {
  stopping = true;
  return new Promise((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      onDrained = undefined;
      clearTimeout(timer);
      resolve(removePendingSync());
    };
    const timer = setTimeout(finish, maxWaitMs);
    if (inflight === 0) finish();
    // Settled operations' callers run in microtasks before the next timer: let them register
    // what they created (a lock) before the removal.
    else onDrained = () => void setImmediate(finish);
  });
}

const TEMP_MARK = '.graft-tmp-';
const LOCK_SUFFIX = '.graft-lock';
const STALE = /\.graft-tmp-(\d+)-/;

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errnoCode(e) === 'EPERM';
  }
}

function tempName(target: string): string {
  return nodePath.join(nodePath.dirname(target), `.${nodePath.basename(target)}${TEMP_MARK}${process.pid}-${Math.random().toString(36).slice(2, 10)}`);
}

/** Removes temporaries left beside `target` by graft processes that no longer run (kill -9). */
async function removeStale(dir: string, fs: FileSystem): Promise<void> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = STALE.exec(name);
    if (m && name.startsWith('.') && !processAlive(Number(m[1]))) await fs.remove(nodePath.join(dir, name)).catch(() => undefined);
  }
}

function writeFailed(path: string, e: unknown, dir = nodePath.dirname(path)): GraftError {
  const code = errnoCode(e);
  const reason =
    code === 'EACCES' || code === 'EPERM'
      ? `permission denied (graft cannot create files in ${dir})`
      : code === 'ENOENT'
        ? `the directory ${nodePath.dirname(path)} does not exist`
        : code === 'ENOSPC'
          ? 'no space left on the device'
          : code === 'EROFS'
            ? 'the file system is read-only'
            : (e as Error).message;
  return new GraftError('io/write-failed', `Could not write ${path}: ${reason}`, { file: path, cause: e });
}

/** The lock on an output: `<out>.graft-lock` created exclusively, holding the writer's pid. */
async function acquireLock(target: string, fs: FileSystem): Promise<string> {
  const lock = `${target}${LOCK_SUFFIX}`;
  for (let attempt = 0; attempt < 2; attempt++) {
    let created: boolean;
    try {
      created = await fs.createExclusive(lock, `${process.pid}\n`);
    } catch (e) {
      throw writeFailed(target, e);
    }
    if (created) {
      track(pendingLocks, lock);
      return lock;
    }
    const holder = Number((await fs.readFile(lock, { maxBytes: 64 }).then((b) => new TextDecoder().decode(b)).catch(() => '')).trim());
    if (holder && processAlive(holder)) {
      throw new GraftError('io/locked', `Another graft process (pid ${holder}) is writing ${target}; two writers never share an output`, {
        file: target,
        hint: `Wait for it to finish, or choose another output. If no graft is running, remove ${lock}.`,
      });
    }
    // The writer is gone (killed): its lock is stale.
    await fs.remove(lock).catch(() => undefined);
  }
  throw new GraftError('io/locked', `Could not lock ${target}: ${lock} keeps reappearing`, { file: target });
}

async function releaseLock(lock: string, fs: FileSystem): Promise<void> {
  await fs.remove(lock).catch(() => undefined);
  untrack(pendingLocks, lock);
}

/**
 * Takes the output, builds it under a temporary name with `build`, and renames it into place
 * (swapping out an existing output only when it is complete). Every rule of `checkOutput` is
 * applied again under the lock.
 */
async function commitOutput(
  path: string,
  kind: 'file' | 'dir',
  build: (tmp: string) => Promise<void>,
  opts: OutputOptions,
  fs: FileSystem,
): Promise<void> {
  beginWrite();
  try {
    await commitOutputCounted(path, kind, build, opts, fs);
  } finally {
    endWrite();
  }
}

/**
 * Puts the finished `tmp` in place of the existing entry `target` (a directory, or a file where a
 * directory is written): the old one is renamed aside, the new one renamed in, the old one removed
 * (put back if the second rename fails; put back by the signal handler if stopped in between).
 */
async function swapIn(tmp: string, target: string, fs: FileSystem): Promise<void> {
  const old = `${tmp}-old`;
  track(asides, old, target);
  await fs.rename(target, old);
  try {
    await fs.rename(tmp, target);
  } catch (e) {
    await fs.rename(old, target).catch(() => undefined);
    untrack(asides, old);
    throw e;
  }
  untrack(asides, old);
  track(pendingTemps, old);
  await fs.remove(old).catch(() => undefined);
  untrack(pendingTemps, old);
}

async function commitOutputCounted(
  path: string,
  kind: 'file' | 'dir',
  build: (tmp: string) => Promise<void>,
  opts: OutputOptions,
  fs: FileSystem,
): Promise<void> {
  const target = nodePath.resolve(path.replace(/[\\/]+$/, '') || path);
  const parent = nodePath.dirname(target);
  await checkOutput(path, { ...opts, kind }, fs);
  if (kind === 'dir') await fs.mkdir(parent).catch((e: unknown) => Promise.reject(writeFailed(path, e)));
  await removeStale(parent, fs);
  const lock = await acquireLock(target, fs);
  const tmp = tempName(target);
  track(pendingTemps, tmp);
  try {
    await checkOutput(path, { ...opts, kind }, fs);
    if (kind === 'dir') await fs.mkdir(tmp);
    await build(tmp);
    const existing = await fs.kind(target).catch(() => null);
    if (existing === null || (existing === 'file' && kind === 'file')) {
      try {
        await fs.rename(tmp, target);
        return;
      } catch (e) {
        // A dangling symbolic link in the way of a directory: swap it out like any other entry.
        if (!['ENOTDIR', 'EISDIR', 'EEXIST', 'ENOTEMPTY'].includes(errnoCode(e) ?? '')) throw e;
      }
    }
    await swapIn(tmp, target, fs);
  } catch (e) {
    await fs.remove(tmp).catch(() => undefined);
    if (isGraftError(e)) throw e;
    throw writeFailed(path, e);
  } finally {
    untrack(pendingTemps, tmp);
    await releaseLock(lock, fs);
  }
}

/**
 * Writes a file atomically: to a temporary name beside it, then renamed into place, under the
 * output rules (`checkOutput`: not over an input; an existing file only with `overwrite`).
 *
 * @example
 * ```ts
 * await writeFileAtomic('out/model.pb', chunks, nodeFileSystem, { overwrite: true });
 * ```
 */
export async function writeFileAtomic(path: string, chunks: readonly Uint8Array[], fs: FileSystem = nodeFileSystem, opts: OutputOptions = {}): Promise<void> {
  checkStringArgument('writeFileAtomic', 'path', path);
  if (!Array.isArray(chunks) || !chunks.every((c) => c instanceof Uint8Array)) throw badArgument('writeFileAtomic', 'chunks', 'an array of Uint8Arrays', chunks);
  checkObject('writeFileAtomic', 'fs', fs, 'a FileSystem');
  checkOptions('writeFileAtomic', 'opts', opts);
  try {
    await commitOutput(path, 'file', (tmp) => fs.writeFile(tmp, chunks), opts, fs);
  } catch (e) {
    if (isGraftError(e)) throw e;
    throw writeFailed(path, e);
  }
}

/**
 * Builds a directory atomically: `build` fills a temporary directory beside `path`, which then
 * takes its place (an existing directory is replaced, with `overwrite`, only once the new one is
 * complete). The output rules of `checkOutput` apply.
 *
 * @example
 * ```ts
 * await writeDirAtomic('export/2', async (tmp) => { await nodeFileSystem.writeFile(`${tmp}/saved_model.pb`, chunks); });
 * ```
 */
export async function writeDirAtomic(path: string, build: (tmpDir: string) => Promise<void>, fs: FileSystem = nodeFileSystem, opts: OutputOptions = {}): Promise<void> {
  checkStringArgument('writeDirAtomic', 'path', path);
  checkFunction('writeDirAtomic', 'build', build);
  checkObject('writeDirAtomic', 'fs', fs, 'a FileSystem');
  checkOptions('writeDirAtomic', 'opts', opts);
  try {
    await commitOutput(path, 'dir', build, opts, fs);
  } catch (e) {
    if (isGraftError(e)) throw e;
    throw writeFailed(path, e);
  }
}

/**
 * Writes several files that belong together (a checkpoint's data shards and index) atomically
 * each, under one lock (on the last one): all are written to temporary names first and renamed
 * in the order given only when every one is written. The output rules apply to each file.
 */
export async function writeFilesAtomic(
  files: ReadonlyArray<readonly [string, readonly Uint8Array[]]>,
  fs: FileSystem = nodeFileSystem,
  opts: OutputOptions & { readonly makeParents?: boolean } = {},
): Promise<void> {
  if (files.length === 0) return;
  const last = nodePath.resolve(files[files.length - 1]![0]);
  for (const [file] of files) await checkOutput(file, { ...opts, kind: 'file' }, fs);
  const temps: Array<[string, string]> = [];
  let lock: string | undefined;
  beginWrite();
  try {
    if (opts.makeParents) for (const [file] of files) await fs.mkdir(nodePath.dirname(nodePath.resolve(file)));
    for (const dir of new Set(files.map(([f]) => nodePath.dirname(nodePath.resolve(f))))) await removeStale(dir, fs);
    lock = await acquireLock(last, fs);
    for (const [file, chunks] of files) {
      await checkOutput(file, { ...opts, kind: 'file' }, fs);
      const tmp = tempName(nodePath.resolve(file));
      track(pendingTemps, tmp);
      temps.push([tmp, file]);
      await fs.writeFile(tmp, chunks);
    }
    for (const [tmp, file] of temps) {
      // A file renames over a file; a directory in the way (allowed by `overwrite`) is swapped out.
      if ((await fs.kind(file).catch(() => null)) === 'dir') await swapIn(tmp, nodePath.resolve(file), fs);
      else await fs.rename(tmp, file);
    }
  } catch (e) {
    for (const [tmp] of temps) await fs.remove(tmp).catch(() => undefined);
    if (isGraftError(e)) throw e;
    throw writeFailed(files[files.length - 1]![0], e);
  } finally {
    for (const [tmp] of temps) untrack(pendingTemps, tmp);
    if (lock) await releaseLock(lock, fs);
    endWrite();
  }
}
