/**
 * The suite's tiny wrapper around the CLI: runs many `graft` command lines one after another in
 * one process (each in its own working directory, with its own captured output), and reports
 * each one's exit code, output, time and the process's peak memory so far
 * (`process.resourceUsage().maxRSS`, which only grows: a case's value bounds its own peak).
 *
 * Usage: node --import tsx batch-runner.ts SPEC.json RESULT.json
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { main } from '../../src/cli/main';

interface Step {
  readonly cwd: string;
  readonly argv: readonly string[];
}

const steps = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Step[];
const results: unknown[] = [];
for (const step of steps) {
  process.chdir(step.cwd);
  const out: string[] = [];
  const err: string[] = [];
  const started = performance.now();
  let exit: number;
  try {
    exit = await main(step.argv, { out: (t) => void out.push(t), err: (t) => void err.push(t), interactive: false });
  } catch (e) {
    // main never throws; if it did, that is a finding, reported as such.
    exit = 99;
    err.push(`escaped main: ${(e as Error)?.stack ?? String(e)}`);
  }
  results.push({ exit, stdout: out.join('\n'), stderr: err.join('\n'), ms: performance.now() - started, peakKiB: process.resourceUsage().maxRSS });
  // Written after every step, so a batch killed by its time limit still reports what ran.
  writeFileSync(process.argv[3]!, JSON.stringify(results));
}
process.exit(0);
