/**
 * `npm run bench [-- <group>... ] [--filter=text] [--runs=N] [--budget=ms] [--list]`
 *
 * Runs the registered benchmark cases and prints a table. Benchmarks are not tests: nothing
 * fails on a slow number; a ✗ in the `ok` column means a correctness guard failed, and the
 * process then exits with status 1.
 *
 * Memory figures need `global.gc`, so without `--expose-gc` this script starts itself again as
 * `node --expose-gc --import tsx bench/run.ts ...` (set GRAFT_BENCH_NO_REEXEC=1 to prevent it).
 *
 * To add benchmarks: write `bench/<topic>.bench.ts` exporting a `BenchCase[]` and add it to
 * `SUITES` below; its `group` is what `npm run bench -- <group>` selects. A suite may also give a
 * `summary` printed under the table (ratios between its cases, figures the table cannot show).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { anchorSummary } from './anchor';
import type { BenchCase } from './case';
import { type ResultRow, formatLegend, formatTable } from './format';
import { ioCases } from './io.bench';
import { latencyCases, latencySummary } from './latency.bench';
import { DEFAULT_MEASURE_OPTIONS, type Measurement, exposedGc, measure } from './measure';
import { transformsCases, transformsSummary } from './transforms.bench';

/** A registered list of cases, and what to print about them under the table. */
interface Suite {
  readonly cases: readonly BenchCase[];
  /**
   * Lines printed after the table when at least one of the suite's cases ran: gets the
   * measurements of those that did (by case name), and must cope with any being absent
   * (`--filter`, a case that threw).
   */
  readonly summary?: (results: ReadonlyMap<string, Measurement>) => string;
}

/** Every registered suite, in the order they run. Add new `*.bench.ts` lists here. */
const SUITES: readonly Suite[] = [
  { cases: ioCases, summary: anchorSummary },
  { cases: transformsCases, summary: transformsSummary },
  { cases: latencyCases, summary: latencySummary },
];

function reexecWithGc(): never {
  const script = fileURLToPath(import.meta.url);
  const tsx = import.meta.resolve('tsx');
  const child = spawnSync(process.execPath, ['--expose-gc', '--import', tsx, script, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, GRAFT_BENCH_NO_REEXEC: '1' },
  });
  if (child.error) throw child.error;
  process.exit(child.status ?? 1);
}

async function main(): Promise<number> {
  if (!exposedGc() && !process.env.GRAFT_BENCH_NO_REEXEC) reexecWithGc();

  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      filter: { type: 'string' },
      runs: { type: 'string' },
      budget: { type: 'string' },
      list: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const all = SUITES.flatMap((s) => s.cases);
  const groups = [...new Set(all.map((c) => c.group))];
  if (values.help) {
    console.log('usage: npm run bench -- [group...] [--filter=text] [--runs=N] [--budget=ms] [--list]');
    console.log(`groups: ${groups.join(', ')}`);
    return 0;
  }
  const unknown = positionals.filter((g) => !groups.includes(g));
  if (unknown.length > 0) {
    console.error(`Unknown benchmark group ${unknown.map((g) => `'${g}'`).join(', ')}; groups: ${groups.join(', ')}`);
    return 2;
  }
  const filter = values.filter?.toLowerCase();
  const selected = all.filter((c) => (positionals.length === 0 || positionals.includes(c.group)) && (!filter || c.name.toLowerCase().includes(filter)));
  if (values.list) {
    for (const c of selected) console.log(`${c.group}\t${c.name}`);
    return 0;
  }
  const runs = values.runs === undefined ? undefined : Number(values.runs);
  const budgetMs = values.budget === undefined ? DEFAULT_MEASURE_OPTIONS.budgetMs : Number(values.budget);
  if ((runs !== undefined && !(Number.isInteger(runs) && runs > 0)) || !(budgetMs > 0)) {
    console.error('--runs needs a positive integer and --budget a positive number of milliseconds');
    return 2;
  }
  if (!exposedGc()) console.error('note: global.gc is not exposed; memory deltas include uncollected garbage from earlier runs');
  console.error(`node ${process.version}, ${selected.length} case(s)`);

  const rows: ResultRow[] = [];
  const medians = new Map<string, number>();
  const measured = new Map<BenchCase, Measurement>();
  const started = performance.now();
  for (const c of selected) {
    process.stderr.write(`  ${c.group}: ${c.name} ... `);
    try {
      const ctx = c.setup ? await c.setup() : undefined;
      const m = await measure(() => c.run(ctx), { ...DEFAULT_MEASURE_OPTIONS, budgetMs, runs: runs ?? c.runs });
      const check = c.check ? await c.check(ctx, m.lastResult) : undefined;
      if (c.teardown) await c.teardown(ctx);
      medians.set(`${c.group}\0${c.name}`, m.medianMs);
      // Without the result: a 100k-node graph kept to the end would slow every later GC.
      measured.set(c, { ...m, lastResult: undefined });
      const base = c.baseline === undefined ? undefined : medians.get(`${c.group}\0${c.baseline}`);
      rows.push({
        group: c.group,
        name: c.name,
        bytes: c.bytes ? c.bytes(ctx) : undefined,
        measurement: m,
        ratio: base === undefined ? undefined : m.medianMs / base,
        baselineName: c.baseline,
        check,
      });
      process.stderr.write(`${m.medianMs.toFixed(1)} ms${check === false ? ' CHECK FAILED' : ''}\n`);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      rows.push({ group: c.group, name: c.name, error: message });
      process.stderr.write(`error: ${message}\n`);
    }
  }
  console.log(formatTable(rows));
  console.log();
  console.log(formatLegend(rows));
  for (const suite of SUITES) {
    if (!suite.summary || !suite.cases.some((c) => selected.includes(c))) continue;
    const results = new Map<string, Measurement>();
    for (const c of suite.cases) {
      const m = measured.get(c);
      if (m) results.set(c.name, m);
    }
    console.log();
    console.log(suite.summary(results));
  }
  console.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return rows.some((r) => r.error !== undefined || r.check === false) ? 1 : 0;
}

process.exitCode = await main();
