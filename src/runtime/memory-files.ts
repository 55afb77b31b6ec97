/**
 * An in-memory file sink for a session: what a graph writes (`SaveV2`, `MergeV2Checkpoints`) goes
 * into a Map from path to bytes, never to disk, and reads (`RestoreV2`, the merge reading the
 * shards it merges) see those files first.
 *
 * @example
 * ```ts
 * const sink = memoryFiles();
 * const s = await createSession(graph, { variables, ...sink });
 * await s.run({ 'save/Const:0': makeStringTensor([], ['ckpt/model']) }, ['save/Identity:0']);
 * sink.files.get('ckpt/model.index'); // the checkpoint's index bytes
 * ```
 */
import { GraftError } from '../errors';
import { checkFunction, checkOptions } from '../ir/check';

/** A Map-backed file sink, spread into `RuntimeOptions` (`readFile`, `writeFile`, `deleteFile`). */
export interface MemoryFiles {
  /** The files written, by path as the graph named them (deleted ones removed). */
  readonly files: Map<string, Uint8Array>;
  /** A file of `files` (a copy), else through the fallback reader, else `io/not-found`. */
  readonly readFile: (path: string) => Promise<Uint8Array>;
  /** Stores a copy of `bytes` under `path` (replacing a file of that path). */
  readonly writeFile: (path: string, bytes: Uint8Array) => void;
  /** Removes `path` from `files`; `io/not-found` when it holds no such file. */
  readonly deleteFile: (path: string) => void;
}

/**
 * An in-memory file sink for a session: what the graph writes is kept in a Map, never on disk.
 * `opts.readFile` (optional) reads what the sink does not hold (a model's own checkpoint or
 * assets); writes never reach it.
 */
export function memoryFiles(opts: { readFile?: (path: string) => Promise<Uint8Array> } = {}): MemoryFiles {
  checkOptions('memoryFiles', 'opts', opts);
  if (opts.readFile !== undefined) checkFunction('memoryFiles', 'opts.readFile', opts.readFile);
  const files = new Map<string, Uint8Array>();
  const fallback = opts.readFile;
  return {
    files,
    readFile: async (path) => {
      const held = files.get(path);
      if (held) return held.slice();
      if (fallback) return fallback(path);
      throw new GraftError('io/not-found', `cannot read '${path}': it is not a file the graph wrote, and this session reads no other files (no readFile was given)`, { file: path });
    },
    writeFile: (path, bytes) => {
      files.set(path, bytes.slice());
    },
    deleteFile: (path) => {
      if (!files.delete(path)) throw new GraftError('io/not-found', `no file '${path}' in memory`, { file: path });
    },
  };
}
