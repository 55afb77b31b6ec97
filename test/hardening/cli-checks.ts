/**
 * The limits suites' runner (budgets, deep graphs, bad graphs): `graft` in a child process with a wall-clock bound, its exit
 * code, stdout, stderr (without the memory line) and peak resident memory, plus the checks every
 * CLI case makes: the expected exit and error code, no stack trace, no internal error, no raw
 * JavaScript wording, peak memory under 1 GB, and input files unchanged.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, expect } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CHILD = path.join(import.meta.dirname, 'cli-child.ts');

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Peak resident memory of the child, in MiB. */
  readonly rssMiB: number;
  readonly ms: number;
  readonly timedOut: boolean;
}

/** Runs `graft <args>` in a fresh node process; kills it after `timeoutMs`. */
export function runCli(args: readonly string[], timeoutMs = 60_000): Promise<CliRun> {
  const start = Date.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', CHILD, ...args],
      { cwd: ROOT, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NODE_OPTIONS: '' } },
      (error, stdout, stderr) => {
        const m = /\n@@maxrss (\d+)\n/.exec(stderr);
        const code = error ? ((error as { code?: unknown }).code as number | null) : 0;
        resolve({
          code: typeof code === 'number' ? code : null,
          stdout,
          stderr: stderr.replace(/\n@@maxrss \d+\n/, ''),
          rssMiB: m ? Number(m[1]) / 1024 : NaN,
          ms: Date.now() - start,
          timedOut: Boolean(error && (error as { killed?: boolean }).killed),
        });
      },
    );
  });
}

/**
 * With GRAFT_HARDENING_REPORT=<file>, every checked CLI case appends one JSON line (test file,
 * peak memory in MiB, time in ms) there: the numbers behind docs/reliability.md's claims.
 */
export function recordCase(peakMiB: number | null, ms: number): void {
  const file = process.env.GRAFT_HARDENING_REPORT;
  if (!file) return;
  const test = expect.getState().testPath ?? '';
  fs.appendFileSync(file, `${JSON.stringify({ test: path.basename(test), peakMiB, ms: Math.round(ms) })}\n`);
}

/**
 * For the suites that call the library in the test process: each test's own peak memory must be
 * under 1 GB. The process is shared (vitest reuses a worker across files, and earlier tests leave
 * memory the collector has not returned), so its lifetime peak says nothing about one test.
 * Instead the kernel's peak counter is reset before each test (`/proc/self/clear_refs` = 5) and
 * the test is charged what the resident size rose to above where it started, plus the size a
 * fresh Node process starts with (what the same work would need as a process of its own).
 * Where `/proc` cannot be reset (not Linux), the lifetime peak is the bound, as before.
 */
export function checkInProcessPeak(): void {
  let startKiB = 0;
  let resettable = false;
  let last = performance.now();
  beforeEach(() => {
    resettable = resetPeak();
    startKiB = process.memoryUsage().rss / 1024;
    last = performance.now();
  });
  afterEach(() => {
    const now = performance.now();
    const peakKiB = resettable ? (peakRssKiB() ?? process.resourceUsage().maxRSS) : process.resourceUsage().maxRSS;
    const chargedMiB = resettable ? (Math.max(0, peakKiB - startKiB) + FRESH_NODE_KIB) / 1024 : peakKiB / 1024;
    recordCase(chargedMiB, now - last);
    expect(chargedMiB, 'peak resident memory of this test (its rise plus a fresh Node process), MiB').toBeLessThan(1024);
  });
}

/** The resident size a bare Node process starts with (measured: 42 MiB for `node -e 1`; rounded up). */
const FRESH_NODE_KIB = 64 * 1024;

/** Resets this process's peak resident size (VmHWM) on Linux; false where that is not possible. */
function resetPeak(): boolean {
  try {
    fs.writeFileSync('/proc/self/clear_refs', '5');
    return peakRssKiB() !== undefined;
  } catch {
    return false;
  }
}

/** VmHWM of this process, in KiB, or undefined without /proc. */
function peakRssKiB(): number | undefined {
  try {
    const m = /VmHWM:\s*(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** JavaScript engine wording that must never reach a user. */
export const RAW_JS = /Invalid (typed )?array length|Maximum call stack|memory access out of bounds|Array buffer allocation|TypeError|RangeError|ReferenceError|Cannot read propert|is not a function|undefined is not/;
const STACK = /^\s+at .+[:(]/m;

/** The checks every failing CLI case makes; returns the first stderr line. */
export function expectCliError(r: CliRun, code: string, exit = 1): string {
  const where = `${r.stderr}\n(exit ${r.code}, ${r.ms} ms, ${r.rssMiB.toFixed(0)} MiB)`;
  recordCase(r.rssMiB, r.ms);
  expect(r.timedOut, where).toBe(false);
  expect(r.code, where).toBe(exit);
  const first = r.stderr.split('\n').find((l) => l.startsWith('graft: '));
  expect(first, where).toBeDefined();
  expect(first!.startsWith(`graft: error [${code}]: `), where).toBe(true);
  expect(r.stderr, where).not.toMatch(STACK);
  expect(r.stderr, where).not.toMatch(/internal error/);
  expect(r.stderr, where).not.toMatch(RAW_JS);
  expect(r.stderr, where).not.toMatch(/<--- Last few GCs --->|FATAL ERROR/);
  expect(r.rssMiB, where).toBeLessThan(1024);
  // A message is a readable line, whatever the names in the input.
  for (const line of r.stderr.split('\n')) expect(line.length, where.slice(0, 500)).toBeLessThan(5000);
  return first!;
}

/** The checks a succeeding CLI case makes. */
export function expectCliOk(r: CliRun): void {
  const where = `${r.stderr}\n(exit ${r.code}, ${r.ms} ms, ${r.rssMiB.toFixed(0)} MiB)`;
  recordCase(r.rssMiB, r.ms);
  expect(r.timedOut, where).toBe(false);
  expect(r.code, where).toBe(0);
  expect(r.stderr, where).not.toMatch(RAW_JS);
  expect(r.rssMiB, where).toBeLessThan(1024);
}

/** sha256 of every file under `p` (a file or a directory), to check inputs are unchanged. */
export function fingerprint(p: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (q: string, rel: string) => {
    const st = fs.lstatSync(q);
    if (st.isDirectory()) for (const n of fs.readdirSync(q).sort()) walk(path.join(q, n), rel ? `${rel}/${n}` : n);
    else out[rel || path.basename(q)] = createHash('sha256').update(fs.readFileSync(q)).digest('hex');
  };
  walk(p, '');
  return out;
}

/** Runs the CLI and checks that the inputs' bytes are the same afterwards. */
export async function runCliOn(inputs: readonly string[], args: readonly string[], timeoutMs?: number): Promise<CliRun> {
  const before = inputs.map(fingerprint);
  const r = await runCli(args, timeoutMs);
  expect(inputs.map(fingerprint)).toEqual(before);
  return r;
}
