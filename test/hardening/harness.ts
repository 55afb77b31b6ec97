/**
 * The adversarial suite's harness: runs the real `graft` command line in a child process (the
 * built-in tsx runner, as `npm run` would), under `/usr/bin/time -f %M` to measure its peak memory,
 * with a time limit; hashes input trees before and after; builds a small SavedModel fixture with
 * graft's own writers (no shared models needed).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, expect, it } from 'vitest';
import { buildExampleModel } from '../../examples/tiny-model';
import { freezeModel } from '../../src/freeze/freeze-files';
import { writeCheckpointFiles } from '../../src/io/checkpoint/bundle-files';
import { saveGraph, saveSavedModel } from '../../src/io/model-files';
import { RAW_JS, recordCase } from './cli-checks';

export const ROOT = path.resolve(import.meta.dirname, '../..');
const MAIN = path.join(ROOT, 'src/cli/main.ts');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

/** Every case: at most this long, at most this much memory. */
export const CASE_MS = 30_000;
export const PEAK_LIMIT_KIB = 1024 * 1024;

export interface CliResult {
  readonly exit: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
  /** Peak resident memory of the child in KiB (null when /usr/bin/time is absent or the child was killed). */
  readonly peakKiB: number | null;
  readonly timedOut: boolean;
}

// At most three graft processes at once: the machine is shared.
let running = 0;
const waiting: Array<() => void> = [];
async function slot<T>(f: () => Promise<T>): Promise<T> {
  if (running >= 3) await new Promise<void>((r) => waiting.push(r));
  running++;
  try {
    return await f();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

export interface RunOptions {
  readonly cwd?: string;
  readonly timeoutMs?: number;
  /** Run as this user (the non-writable-directory cases, when the suite runs as root). */
  readonly uid?: number;
  /** Called with the child once it started (the interrupt cases send signals from here). */
  readonly onSpawn?: (child: ChildProcess) => void;
  /** Without /usr/bin/time, so that signals reach graft itself. */
  readonly direct?: boolean;
  /** A CommonJS file node loads before graft (`--require`): the interrupt cases slow writes down. */
  readonly preload?: string;
}

/** Runs `graft <args>` in a child process. */
export function runCli(args: readonly string[], opts: RunOptions = {}): Promise<CliResult> {
  return slot(
    () =>
      new Promise<CliResult>((resolve) => {
        const peakFile = path.join(fs.mkdtempSync(path.join(fs.realpathSync(process.env.TMPDIR ?? '/tmp'), 'graft-peak-')), 'peak');
        if (opts.uid !== undefined) fs.chmodSync(path.dirname(peakFile), 0o777);
        const node = [process.execPath, ...(opts.preload ? ['--require', opts.preload] : []), '--import', TSX, MAIN, ...args];
        const argv = TIME && !opts.direct ? [TIME, '-f', '%M', '-o', peakFile, ...node] : node;
        const started = performance.now();
        const child = spawn(argv[0]!, argv.slice(1), {
          cwd: opts.cwd ?? ROOT,
          env: { ...process.env, NODE_OPTIONS: '' },
          stdio: ['ignore', 'pipe', 'pipe'],
          ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.uid } : {}),
        });
        let stdout = '';
        let stderr = '';
        child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
        let timedOut = false;
        const timer = setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, opts.timeoutMs ?? CASE_MS);
        // Without /usr/bin/time in between (signals must reach graft), the child's high-water mark
        // is sampled from /proc while it runs: the last sample bounds all but its final moments.
        let sampledKiB: number | null = null;
        const sample = () => {
          try {
            const m = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
            if (m) sampledKiB = Math.max(sampledKiB ?? 0, Number(m[1]));
          } catch {
            // gone, or no /proc
          }
        };
        const sampler = opts.direct || !TIME ? setInterval(sample, 20) : undefined;
        opts.onSpawn?.(child);
        child.on('exit', () => sample());
        child.on('close', (exit, signal) => {
          clearTimeout(timer);
          if (sampler) clearInterval(sampler);
          let peakKiB: number | null = sampledKiB;
          try {
            const text = fs.readFileSync(peakFile, 'utf8').trim().split('\n').pop()!;
            if (/^\d+$/.test(text)) peakKiB = Number(text);
            // GNU time reports a child killed by a signal as "Command terminated by signal N".
          } catch {
            // no report
          }
          fs.rmSync(path.dirname(peakFile), { recursive: true, force: true });
          resolve({ exit, signal, stdout, stderr, ms: performance.now() - started, peakKiB, timedOut });
        });
      }),
  );
}

export interface Step {
  readonly argv: readonly string[];
  /** Working directory (default: the repository). */
  readonly cwd?: string;
}

export interface StepResult {
  readonly exit: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
  /** Peak resident memory of the process so far, KiB (bounds this step's own peak). */
  readonly peakKiB: number | null;
  readonly timedOut: boolean;
  readonly signal?: NodeJS.Signals | null;
}

const RUNNER = path.join(ROOT, 'test/hardening/batch-runner.ts');

/**
 * Runs the steps one after another in one child process (test/hardening/batch-runner.ts, over
 * the CLI's `main`): one start-up for many cases. Steps that did not run (the batch hit its time
 * limit) come back `timedOut`.
 */
/**
 * Gives another user tsx's cache of this process's user (compiled sources, keyed by content): a
 * child run as that user then starts as fast as ours instead of compiling graft afresh, which on
 * a loaded machine took most of a case's time.
 */
function shareTsxCache(uid: number): void {
  const euid = process.geteuid?.();
  if (euid === undefined || euid === uid) return;
  const mine = path.join(os.tmpdir(), `tsx-${euid}`);
  const theirs = path.join(os.tmpdir(), `tsx-${uid}`);
  try {
    if (!fs.existsSync(mine)) return;
    fs.mkdirSync(theirs, { recursive: true });
    fs.chownSync(theirs, uid, uid);
    for (const name of fs.readdirSync(mine)) {
      const to = path.join(theirs, name);
      if (fs.existsSync(to)) continue;
      fs.copyFileSync(path.join(mine, name), to);
      fs.chownSync(to, uid, uid);
    }
  } catch {
    // only a speed-up
  }
}

export function runBatch(steps: readonly Step[], opts: { uid?: number; timeoutMs?: number } = {}): Promise<StepResult[]> {
  if (opts.uid !== undefined) shareTsxCache(opts.uid);
  return slot(
    () =>
      new Promise<StepResult[]>((resolve) => {
        const dir = fs.mkdtempSync(path.join(fs.realpathSync(process.env.TMPDIR ?? '/tmp'), 'graft-batch-'));
        if (opts.uid !== undefined) fs.chmodSync(dir, 0o777);
        const spec = path.join(dir, 'spec.json');
        const out = path.join(dir, 'result.json');
        fs.writeFileSync(spec, JSON.stringify(steps.map((s) => ({ argv: s.argv, cwd: s.cwd ?? ROOT }))));
        if (opts.uid !== undefined) fs.chmodSync(spec, 0o644);
        const child = spawn(process.execPath, ['--import', TSX, RUNNER, spec, out], {
          cwd: ROOT,
          env: { ...process.env, NODE_OPTIONS: '' },
          stdio: ['ignore', 'pipe', 'pipe'],
          ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.uid } : {}),
        });
        let stderr = '';
        child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
        child.stdout!.on('data', () => undefined);
        let timedOut = false;
        const timer = setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, opts.timeoutMs ?? CASE_MS * Math.max(1, steps.length));
        child.on('close', () => {
          clearTimeout(timer);
          let done: StepResult[] = [];
          try {
            done = (JSON.parse(fs.readFileSync(out, 'utf8')) as Omit<StepResult, 'timedOut'>[]).map((r) => ({ ...r, timedOut: false }));
          } catch {
            // nothing reported
          }
          fs.rmSync(dir, { recursive: true, force: true });
          const missing = steps.slice(done.length).map(() => ({ exit: null, stdout: '', stderr: `batch ${timedOut ? 'timed out' : 'ended'}: ${stderr.slice(0, 2000)}`, ms: 0, peakKiB: null, timedOut: true }));
          resolve([...done, ...missing]);
        });
      }),
  );
}

const STACK_LINE = /^\s+at .+[:(]/m;

/**
 * The checks every case makes: the exit code, the error code on stderr (or none), no stack trace
 * and no internal error or raw JavaScript wording, bounded time and memory.
 */
export function expectOutcome(r: CliResult | StepResult, exit: number, code?: string): void {
  const shown = `exit ${r.exit} signal ${r.signal}\nstderr: ${r.stderr.slice(0, 2000)}\nstdout: ${r.stdout.slice(0, 500)}`;
  expect(r.timedOut, `timed out after ${CASE_MS} ms\n${shown}`).toBe(false);
  expect(r.exit, shown).toBe(exit);
  if (code !== undefined) expect(r.stderr, shown).toContain(`graft: error [${code}]: `);
  else if (exit === 0) expect(r.stderr, shown).not.toContain('graft: error');
  expect(r.stderr + r.stdout, shown).not.toMatch(STACK_LINE);
  recordCase(r.peakKiB === null ? null : r.peakKiB / 1024, r.ms);
  expect(r.stderr, shown).not.toMatch(/internal error|EACCES|ENOENT/);
  expect(r.stderr + r.stdout, shown).not.toMatch(RAW_JS);
  expect(r.ms).toBeLessThan(CASE_MS * 3);
  if (r.peakKiB !== null) expect(r.peakKiB, `peak ${r.peakKiB} KiB`).toBeLessThan(PEAK_LIMIT_KIB);
}

/** Peak memory is measured when /usr/bin/time exists (it does on the CI image). */
export const MEASURES_MEMORY = TIME !== null;

/** A hash of everything under `p` (not following links: a link is its target text), or of the file. */
export function hashTree(p: string): string {
  const h = createHash('sha256');
  const walk = (q: string, rel: string) => {
    const s = fs.lstatSync(q);
    if (s.isSymbolicLink()) h.update(`L ${rel} ${fs.readlinkSync(q)}\n`);
    else if (s.isDirectory()) {
      h.update(`D ${rel}\n`);
      for (const n of fs.readdirSync(q).sort()) walk(path.join(q, n), `${rel}/${n}`);
    } else if (s.isFile() && s.size > 64 << 20) h.update(`B ${rel} ${s.size} ${s.mtimeMs}\n`);
    else if (s.isFile()) h.update(`F ${rel} `).update(fs.readFileSync(q)).update('\n');
    else h.update(`S ${rel} ${s.mode}\n`);
  };
  walk(p, '.');
  return h.digest('hex');
}

/** graft's temporary files and locks anywhere under `dir`. */
export function leftovers(dir: string): string[] {
  const out: string[] = [];
  const walk = (q: string) => {
    for (const n of fs.readdirSync(q)) {
      const full = path.join(q, n);
      if (/graft-tmp-|graft-lock/.test(n)) out.push(full);
      const s = fs.lstatSync(full);
      if (s.isDirectory()) walk(full);
    }
  };
  walk(dir);
  return out;
}

/** Writes the example SavedModel (TF1 variables, checkpoint, signature) to `dir`, plus assets/vocab.txt. */
export async function writeFixtureModel(dir: string, opts: { assets?: number } = {}): Promise<string> {
  const { savedModel, checkpoint } = buildExampleModel();
  const staging = `${dir}.staging`;
  await writeCheckpointFiles(path.join(staging, 'variables'), checkpoint);
  const assetsSrc = `${dir}.assets`;
  fs.mkdirSync(assetsSrc, { recursive: true });
  const assets = ['vocab.txt'];
  fs.writeFileSync(path.join(assetsSrc, 'vocab.txt'), 'a\nb\nc\n');
  for (let i = 0; i < (opts.assets ?? 0); i++) {
    const name = `many/f${String(i).padStart(5, '0')}.txt`;
    fs.mkdirSync(path.join(assetsSrc, 'many'), { recursive: true });
    fs.writeFileSync(path.join(assetsSrc, name), `asset ${i}\n`.repeat(64));
    assets.push(name);
  }
  await saveSavedModel(dir, savedModel, { variablesFrom: path.join(staging, 'variables'), assetsFrom: assetsSrc, assets });
  fs.rmSync(staging, { recursive: true, force: true });
  fs.rmSync(assetsSrc, { recursive: true, force: true });
  return dir;
}

/** Freezes the fixture model at `modelDir` into a frozen GraphDef at `file`. */
export async function writeFrozenGraph(modelDir: string, file: string): Promise<string> {
  const r = await freezeModel(modelDir, {});
  await saveGraph(r.graph, file);
  return file;
}

/** A copy of a directory tree (links copied as links). */
export function copyTree(from: string, to: string): string {
  fs.cpSync(from, to, { recursive: true, verbatimSymlinks: true });
  return to;
}

/** One case of a batch: prepared before the batch runs, its steps run in order, checked after. */
export interface Planned<T = unknown> {
  readonly name: string;
  prepare(): T;
  steps(t: T): Step[];
  check(results: StepResult[], t: T): void;
}

/** A case, typed by what its `prepare` returns. */
export function planned<T>(name: string, prepare: () => T, steps: (t: T) => Step[], check: (results: StepResult[], t: T) => void): Planned {
  return { name, prepare, steps, check } as Planned;
}

/**
 * Registers the cases as tests whose steps all run in one batch (one child process) before them:
 * one start-up instead of one per case, on a shared machine.
 */
export function batchedCases(cases: readonly Planned[], opts: { uid?: number } = {}): void {
  const results = new Map<string, { rs: StepResult[]; t: unknown }>();
  beforeAll(async () => {
    const all: Step[] = [];
    const spans: Array<[Planned, unknown, number, number]> = [];
    for (const c of cases) {
      const t = c.prepare();
      const steps = c.steps(t);
      spans.push([c, t, all.length, steps.length]);
      all.push(...steps);
    }
    const rs = await runBatch(all, opts);
    for (const [c, t, start, n] of spans) results.set(c.name, { rs: rs.slice(start, start + n), t });
  }, CASE_MS * 20);
  for (const c of cases) {
    it(c.name, () => {
      const r = results.get(c.name);
      if (!r) throw new Error('the batch did not run');
      c.check(r.rs, r.t);
    });
  }
}
