/**
 * Interrupted writes (docs/reliability.md, "Interrupted writes"): Ctrl-C (SIGINT) or SIGTERM
 * while graft writes its output removes the temporary files and exits 130 or 143, leaving the
 * output absent or complete; after kill -9 the temporary files keep the dead process's id in
 * their name, and the next write beside them removes them. Inputs never change.
 *
 * The signal is sent the moment a `.graft-tmp-` entry appears beside the output. The model
 * carries 800 asset files and graft runs with `slow-writes.cjs` preloaded (each file write waits
 * 5 ms), so the write lasts seconds and is caught in the middle even on a loaded machine.
 */
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useScratch } from '../helpers/scratch';
import { CASE_MS, copyTree, expectOutcome, hashTree, leftovers, runCli, writeFixtureModel } from './harness';

const { freshDir } = useScratch('graft-hardening-interrupts');
let template = '';
const ASSETS = 800;
/** A whole optimize run, on a loaded machine. */
const RUN_MS = CASE_MS * 3;
/** Slows graft's file writes (see the header). */
const SLOW_WRITES = path.join(import.meta.dirname, 'slow-writes.cjs');

beforeAll(async () => {
  template = freshDir('template');
  await writeFixtureModel(path.join(template, 'm'), { assets: ASSETS });
}, CASE_MS * 4);

interface Workspace {
  readonly dir: string;
  readonly m: string;
  readonly out: string;
  readonly before: string;
}

function workspace(label: string): Workspace {
  const dir = freshDir(label);
  copyTree(path.join(template, 'm'), path.join(dir, 'm'));
  return { dir, m: path.join(dir, 'm'), out: path.join(dir, 'out'), before: hashTree(path.join(dir, 'm')) };
}

/** Sends `signal` to the child as soon as a temporary entry appears in `dir`; resolves whether it did. */
function signalDuringWrite(dir: string, signal: NodeJS.Signals): { onSpawn: (c: ChildProcess) => void; sent: () => boolean } {
  let sent = false;
  return {
    onSpawn(child) {
      const poll = setInterval(() => {
        if (child.exitCode !== null || child.signalCode !== null) return clearInterval(poll);
        if (fs.readdirSync(dir).some((n) => n.includes('.graft-tmp-'))) {
          child.kill(signal);
          sent = true;
          clearInterval(poll);
        }
      }, 2);
    },
    sent: () => sent,
  };
}

/** The output is absent, or complete (the signal came after the rename): never partial. */
function expectAbsentOrComplete(out: string): void {
  if (!fs.existsSync(out)) return;
  expect(fs.readdirSync(out).sort()).toEqual(['assets', 'saved_model.pb', 'variables']);
  expect(fs.readdirSync(path.join(out, 'assets', 'many')).length).toBe(ASSETS);
}

const COMMANDS: ReadonlyArray<{ name: string; args: (w: Workspace) => string[] }> = [
  { name: 'transform', args: (w) => ['transform', w.m, w.out, 'strip_unused_nodes'] },
  { name: 'optimize', args: (w) => ['optimize', w.m, w.out] },
];

describe.concurrent('signals during a write', () => {
  for (const cmd of COMMANDS) {
    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      it(`${cmd.name}: ${signal} while writing → exit ${code}, no temporary file left, output absent or complete`, async () => {
        const w = workspace(`${cmd.name}-${signal}`);
        const trap = signalDuringWrite(w.dir, signal);
        const r = await runCli(cmd.args(w), { direct: true, preload: SLOW_WRITES, onSpawn: trap.onSpawn, timeoutMs: RUN_MS });
        expect(trap.sent(), `the write ended before the signal could be sent (exit ${r.exit}, timed out ${r.timedOut})\n${r.stderr}`).toBe(true);
        expectOutcome(r, code);
        expect(r.stderr).toContain(`stopped by ${signal}`);
        expect(leftovers(w.dir)).toEqual([]);
        expectAbsentOrComplete(w.out);
        expect(hashTree(w.m)).toBe(w.before);
      }, RUN_MS + CASE_MS);
    }

    it(`${cmd.name}: kill -9 while writing leaves named temporaries; the next run removes them and writes the output`, async () => {
      const w = workspace(`${cmd.name}-KILL`);
      const trap = signalDuringWrite(w.dir, 'SIGKILL');
      const killed = await runCli(cmd.args(w), { direct: true, preload: SLOW_WRITES, onSpawn: trap.onSpawn, timeoutMs: RUN_MS });
      expect(trap.sent(), `the write ended before the signal could be sent\n${killed.stderr}`).toBe(true);
      expect(killed.signal).toBe('SIGKILL');
      expectAbsentOrComplete(w.out);
      // What kill -9 leaves is named after the dead process.
      for (const p of leftovers(w.dir)) expect(path.basename(p)).toMatch(/\.graft-tmp-\d+-|\.graft-lock$/);
      const again = await runCli([...cmd.args(w), '--overwrite'], { timeoutMs: RUN_MS });
      expectOutcome(again, 0);
      expect(leftovers(w.dir)).toEqual([]);
      expectAbsentOrComplete(w.out);
      expect(fs.existsSync(w.out)).toBe(true);
      expect(hashTree(w.m)).toBe(w.before);
    }, RUN_MS * 2 + CASE_MS);
  }

  it('Ctrl-C before any write (while loading) stops at once and leaves nothing', async () => {
    const w = workspace('early');
    const r = await runCli(['optimize', w.m, w.out], {
      direct: true,
      timeoutMs: RUN_MS,
      onSpawn: (child) => void setTimeout(() => child.kill('SIGINT'), 200),
    });
    expect(r.exit === 130 || r.signal === 'SIGINT', `exit ${r.exit} signal ${r.signal}`).toBe(true);
    expect(r.stderr).not.toMatch(/^\s+at .+[:(]/m);
    expect(leftovers(w.dir)).toEqual([]);
    expect(fs.existsSync(w.out)).toBe(false);
    expect(hashTree(w.m)).toBe(w.before);
  }, RUN_MS + CASE_MS);
});
