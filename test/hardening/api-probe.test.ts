/**
 * Issue 10, item 6 (a library that checks its callers), as a sweep: every function exported by
 * every entry point of the package (package.json "exports" -> tsup's entries -> src/), called with
 * bad values in each parameter position up to its arity. Whatever it throws, synchronously or as
 * a rejection, must be a GraftError (an `api/bad-argument` one naming the parameter in `param`); a
 * raw TypeError/RangeError from inside is a bug. Returning normally is fine (many functions accept
 * any string or number). A second pass puts a real graph first, so later parameters are reached.
 *
 * The calls run in a temporary working directory, so a writer given 'x' as a path writes there.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraftError } from '../../src/errors';
import { attr } from '../../src/ir/attr';
import { graphBuilder } from '../../src/ir/builder';
import { checkInProcessPeak } from './cli-checks';

const root = path.resolve(__dirname, '../..');

/** package.json's export keys ('.', './node', ...) mapped to the src/ file tsup builds each from. */
function entryPoints(): Record<string, string> {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
  const tsup = fs.readFileSync(path.join(root, 'tsup.config.ts'), 'utf8');
  const entryBlock = /entry:\s*\{([^}]*index[^}]*)\}/.exec(tsup);
  if (!entryBlock) throw new Error('tsup.config.ts: no entry map with index');
  const entries: Record<string, string> = {};
  for (const m of entryBlock[1].matchAll(/([\w-]+)\s*:\s*'([^']+)'/g)) entries[m[1]] = m[2];
  const out: Record<string, string> = {};
  for (const key of Object.keys(pkg.exports)) {
    if (key === './package.json') continue;
    const name = key === '.' ? 'index' : key.replace(/^\.\//, '');
    if (!entries[name]) throw new Error(`package.json exports ${key}, but tsup.config.ts builds no '${name}' entry`);
    out[key] = entries[name];
  }
  return out;
}

/** The bad values, each with a label for the failure list. */
const BAD_VALUES: [string, () => unknown][] = [
  ['undefined', () => undefined],
  ['null', () => null],
  ["'x'", () => 'x'],
  ['42', () => 42],
  ['{}', () => ({})],
  ['[]', () => []],
  // a plain object pretending to be a graph: nodes that are not nodes
  ["{nodes:'x'}", () => ({ nodes: 'x' })],
  // ...and one shaped like a graph but missing library/versions and the nodes' attrs/device
  ['{nodes:[{name,op,inputs}]}', () => ({ nodes: [{ name: 'a', op: 'Identity', inputs: ['b'] }] })],
];

/**
 * Exports not probed, each with why. Keep short: a function here is one whose contract is not
 * "check the argument" (it asserts, or changes process-wide state a later probe would see).
 */
const NOT_PROBED: Record<string, string> = {
  // tf-graft/testing's assertions throw the test framework's assertion errors by design
  expectRemoved: 'a test assertion',
  expectRemains: 'a test assertion',
  expectGolden: 'a test assertion',
  // sets where tfjs finds its .wasm files for the whole process
  setWasmPaths: 'process-wide runtime setting',
};


/** A small valid graph: x (Placeholder) -> y (Identity). */
function smallGraph(): unknown {
  const b = graphBuilder();
  const x = b.placeholder('x', 'float', [2]);
  b.op('Identity', [x], { T: attr.type('float') }, 'y');
  return b.graph();
}

const CALL_TIMEOUT_MS = 10_000;

interface Failure {
  fn: string;
  call: string;
  error: string;
}

function isClass(f: Function): boolean {
  return /^class[\s{]/.test(Function.prototype.toString.call(f));
}

async function settle(run: () => unknown): Promise<{ threw: unknown } | { returned: unknown } | { hung: true }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const r = run();
    if (r && typeof (r as Promise<unknown>).then === 'function') {
      const timeout = new Promise<'hung'>((resolve) => {
        timer = setTimeout(() => resolve('hung'), CALL_TIMEOUT_MS);
      });
      const v = await Promise.race([r as Promise<unknown>, timeout]);
      if (v === 'hung') return { hung: true };
      return { returned: v };
    }
    return { returned: r };
  } catch (e) {
    return { threw: e };
  } finally {
    if (timer) clearTimeout(timer);
  }
}

function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.constructor.name}: ${e.message.split('\n')[0].slice(0, 160)}`;
  return `non-Error thrown: ${String(e).slice(0, 80)}`;
}

/** Calls `target` with each bad value in each position < arity (others undefined); the non-GraftError outcomes. */
async function probe(label: string, target: (args: unknown[]) => unknown, arity: number, first?: [string, () => unknown]): Promise<Failure[]> {
  const failures: Failure[] = [];
  const positions = Math.max(arity, 1);
  for (let pos = first ? 1 : 0; pos < positions; pos++) {
    for (const [valueLabel, make] of BAD_VALUES) {
      const args: unknown[] = new Array(positions).fill(undefined);
      if (first) args[0] = first[1]();
      args[pos] = make();
      const call = `${label}(${args.map((_, i) => (i === pos ? valueLabel : i === 0 && first ? first[0] : '_')).join(', ')})`;
      const outcome = await settle(() => target(args));
      if ('hung' in outcome) failures.push({ fn: label, call, error: `no answer in ${CALL_TIMEOUT_MS} ms` });
      else if ('threw' in outcome && !(outcome.threw instanceof GraftError)) failures.push({ fn: label, call, error: describeError(outcome.threw) });
      else if ('threw' in outcome && (outcome.threw as GraftError).code === 'api/bad-argument' && !(outcome.threw as GraftError).param) {
        failures.push({ fn: label, call, error: `api/bad-argument naming no param: ${(outcome.threw as GraftError).message.slice(0, 120)}` });
      }
    }
  }
  return failures;
}

/** Every function (and class constructor and static method) each entry point exports, once. */
async function collectTargets(): Promise<{ name: string; entry: string; target: (args: unknown[]) => unknown; arity: number }[]> {
  const seen = new Set<unknown>();
  const out: { name: string; entry: string; target: (args: unknown[]) => unknown; arity: number }[] = [];
  for (const [key, file] of Object.entries(entryPoints())) {
    const mod = (await import(path.join(root, file))) as Record<string, unknown>;
    for (const [name, value] of Object.entries(mod).sort(([a], [b]) => a.localeCompare(b))) {
      if (typeof value !== 'function' || seen.has(value) || name in NOT_PROBED) continue;
      seen.add(value);
      const f = value as (...a: unknown[]) => unknown;
      if (isClass(f)) {
        const C = f as unknown as new (...a: unknown[]) => unknown;
        out.push({ name: `new ${name}`, entry: key, target: (args) => new C(...args), arity: f.length });
        for (const s of Object.getOwnPropertyNames(f)) {
          const sv = (f as unknown as Record<string, unknown>)[s];
          if (['length', 'name', 'prototype'].includes(s) || typeof sv !== 'function') continue;
          out.push({ name: `${name}.${s}`, entry: key, target: (args) => (sv as (...a: unknown[]) => unknown).apply(f, args), arity: (sv as Function).length });
        }
      } else {
        out.push({ name, entry: key, target: (args) => f(...args), arity: f.length });
      }
    }
  }
  return out;
}

checkInProcessPeak();

describe('every exported function answers bad arguments with a GraftError', () => {
  let cwd = '';
  let tmp = '';
  beforeAll(() => {
    cwd = process.cwd();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'graft-api-probe-'));
    process.chdir(tmp);
  });
  afterAll(() => {
    process.chdir(cwd);
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('the entry points are found from package.json and tsup.config.ts', () => {
    const entries = entryPoints();
    expect(Object.keys(entries)).toContain('.');
    expect(Object.keys(entries)).toContain('./node');
    for (const file of Object.values(entries)) expect(fs.existsSync(path.join(root, file)), file).toBe(true);
  });

  it('probes every export: nothing but GraftErrors thrown, nothing hangs', async () => {
    const targets = await collectTargets();
    expect(targets.length).toBeGreaterThan(50);
    const failures: Failure[] = [];
    const failedFns = new Set<string>();
    for (const t of targets) {
      // bad values everywhere; then, for the many functions that take a graph first, a real graph
      // first so that the checks of the later parameters are reached
      const f = [...(await probe(t.name, t.target, t.arity)), ...(await probe(t.name, t.target, t.arity, ['graph', smallGraph]))];
      if (f.length > 0) failedFns.add(t.name);
      failures.push(...f);
    }
    if (process.env.GRAFT_PROBE_REPORT) {
      console.log(`api probe: ${targets.length} functions probed, ${failedFns.size} let a non-GraftError out (${failures.length} calls)`);
      for (const fn of failedFns) {
        const mine = failures.filter((x) => x.fn === fn);
        console.log(`  ${mine[0].call} -> ${mine[0].error}${mine.length > 1 ? ` (+${mine.length - 1} more calls)` : ''}`);
      }
    }
    // One line per function: its first failing call. (When written, 150 of the 229 exports then
    // failed; 116 of 187 once the public API was curated; none since.)
    const firstPerFn = [...failedFns].map((fn) => {
      const x = failures.find((y) => y.fn === fn)!;
      return `${x.call} -> ${x.error}`;
    });
    expect(firstPerFn).toEqual([]);
  }, 600_000);
});
