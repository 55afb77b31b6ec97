/**
 * Scratch directories for tests that write files: one temp root per test file, fresh
 * sub-directories, and writable copies of the shared (read-only) models.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { modelPath } from './models';

export interface Scratch {
  /** A fresh, empty, writable directory. */
  freshDir(label: string): string;
  /** A writable copy of a shared model (file or directory) in a fresh directory; returns its path. */
  copyModel(rel: string): string;
  /** Writes `bytes` to `name` in a fresh directory; returns its path. */
  writeTemp(name: string, bytes: Uint8Array | string): string;
}

/** Registers a temp root for the calling test file (removed after it) and returns helpers on it. */
export function useScratch(prefix: string): Scratch {
  let root = '';
  let counter = 0;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  });
  afterAll(() => {
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });
  const freshDir = (label: string) => {
    const d = path.join(root, `${label}-${++counter}`);
    fs.mkdirSync(d, { recursive: true });
    return d;
  };
  return {
    freshDir,
    copyModel(rel) {
      const dest = path.join(freshDir(path.basename(rel).replace(/\W/g, '_')), path.basename(rel));
      fs.cpSync(modelPath(rel), dest, { recursive: true });
      const makeWritable = (p: string) => {
        const dir = fs.statSync(p).isDirectory();
        fs.chmodSync(p, dir ? 0o755 : 0o644);
        if (dir) for (const n of fs.readdirSync(p)) makeWritable(path.join(p, n));
      };
      makeWritable(dest);
      return dest;
    },
    writeTemp(name, bytes) {
      const p = path.join(freshDir('w'), name);
      fs.writeFileSync(p, bytes);
      return p;
    },
  };
}
