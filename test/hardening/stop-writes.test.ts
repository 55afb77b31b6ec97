/**
 * The window a signal can fall into during a write, hit on purpose (docs/reliability.md,
 * "Interrupted writes"): a file operation already running on libuv's thread pool when the signal
 * arrives (here a recursive `mkdir` inside the temporary directory) would create its entry after
 * a removal done at once, leaving `.out.graft-tmp-<pid>-…` behind. `stopPendingWrites` (what the
 * CLI's SIGINT/SIGTERM handler calls) stops new operations, waits for that one, then removes.
 *
 * A file of its own: the stop is for good (module state), as it is in a process being stopped.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeFileSystem, stopPendingWrites, writeDirAtomic } from '../../src/io/fs';
import { useScratch } from '../helpers/scratch';

const { freshDir } = useScratch('graft-hardening-stop');

describe('a signal while a file operation is under way', () => {
  it('waits for the operation, then removes the temporary directory and the lock; later operations never start', async () => {
    const dir = freshDir('w');
    const out = path.join(dir, 'out');
    let tmpDir = '';
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inBuild = new Promise<void>((r) => (entered = r));
    const write = writeDirAtomic(out, async (tmp) => {
      tmpDir = tmp;
      await nodeFileSystem.writeFile(path.join(tmp, 'saved_model.pb'), [new Uint8Array(16)]);
      entered();
      await held; // never released: the stop comes first
    });
    void write.catch(() => undefined);
    await inBuild;
    expect(fs.readdirSync(dir).some((n) => n.includes('.graft-tmp-'))).toBe(true);
    expect(fs.existsSync(`${out}.graft-lock`)).toBe(true);

    // The signal arrives while this operation is queued on the thread pool.
    let mkdirSettled = false;
    const inFlight = nodeFileSystem.mkdir(path.join(tmpDir, 'assets', 'many')).then(() => (mkdirSettled = true));
    const removed = await stopPendingWrites();
    expect(mkdirSettled, 'the stop waited for the operation under way').toBe(true);
    await inFlight;
    expect(removed).toContain(tmpDir);
    expect(fs.readdirSync(dir), 'no temporary file or lock left').toEqual([]);

    // Asked for after the stop: never runs, so it cannot recreate anything.
    let lateSettled = false;
    void nodeFileSystem.mkdir(path.join(tmpDir, 'late')).then(() => (lateSettled = true));
    await new Promise((r) => setImmediate(r));
    expect(lateSettled).toBe(false);
    expect(fs.existsSync(tmpDir)).toBe(false);
    release();
  });
});
