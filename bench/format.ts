/**
 * The results table: one row per case, numbers right-aligned, plain text (fits a terminal and
 * pastes into Markdown as a code block).
 */
import type { Measurement } from './measure';

export interface ResultRow {
  readonly group: string;
  readonly name: string;
  readonly bytes?: number;
  readonly measurement?: Measurement;
  /** this median / the baseline's median */
  readonly ratio?: number;
  readonly baselineName?: string;
  /** undefined: no check; otherwise the check's outcome. */
  readonly check?: boolean;
  /** Set when the case threw; the row shows the message instead of numbers. */
  readonly error?: string;
}

const MB = 1e6;

/** Bytes as MB (10^6), or KB below 1 MB. */
export function formatBytes(n: number): string {
  if (Math.abs(n) >= MB) return `${(n / MB).toFixed(2)} MB`;
  if (Math.abs(n) >= 1e3) return `${(n / 1e3).toFixed(1)} KB`;
  return `${n} B`;
}

/** A signed memory delta in MB (1 decimal), `~0` when under 0.05 MB. */
export function formatDelta(n: number): string {
  const mb = n / MB;
  if (Math.abs(mb) < 0.05) return '~0';
  return `${mb > 0 ? '+' : ''}${mb.toFixed(1)}`;
}

/** Milliseconds with precision that suits their size. */
export function formatMs(ms: number): string {
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  return ms.toFixed(2);
}

function formatThroughput(bytes: number | undefined, ms: number): string {
  if (!bytes || ms <= 0) return '';
  const perS = bytes / MB / (ms / 1000);
  return perS >= 100 ? perS.toFixed(0) : perS.toFixed(1);
}

function formatRatio(r: number | undefined): string {
  if (r === undefined) return '';
  return `${r >= 10 ? r.toFixed(0) : r.toFixed(2)}×`;
}

const HEADERS = ['case', 'size', 'runs', 'median ms', 'min ms', 'MB/s', 'Δheap MB', 'Δrss MB', 'Δext MB', 'vs base', 'ok'] as const;
/** Columns aligned left; the others are right-aligned. */
const LEFT = new Set([0, 10]);

function cells(row: ResultRow): string[] {
  const m = row.measurement;
  if (row.error !== undefined || !m) {
    return [row.name, row.bytes ? formatBytes(row.bytes) : '', '', `ERROR: ${row.error ?? 'no result'}`, '', '', '', '', '', '', '✗'];
  }
  return [
    row.name,
    row.bytes ? formatBytes(row.bytes) : '',
    String(m.runs),
    formatMs(m.medianMs),
    formatMs(m.minMs),
    formatThroughput(row.bytes, m.medianMs),
    formatDelta(m.memory.heapUsed),
    formatDelta(m.memory.rss),
    formatDelta(m.memory.external),
    formatRatio(row.ratio),
    row.check === undefined ? '' : row.check ? '✓' : '✗',
  ];
}

/** Renders rows as a table, with a heading line per group. */
export function formatTable(rows: readonly ResultRow[]): string {
  const body = rows.map(cells);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...body.map((r) => (i === 3 && r[3]!.startsWith('ERROR') ? 0 : r[i]!.length))));
  const line = (r: readonly string[]): string =>
    r
      .map((c, i) => (LEFT.has(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out: string[] = [line(HEADERS), widths.map((w) => '-'.repeat(w)).join('  ')];
  let group: string | undefined;
  rows.forEach((row, i) => {
    if (row.group !== group) {
      group = row.group;
      out.push(`[${group}]`);
    }
    const r = body[i]!;
    out.push(r[3]!.startsWith('ERROR') ? `${r[0]!.padEnd(widths[0]!)}  ${r[3]}` : line(r));
  });
  return out.join('\n');
}

/** Notes under the table: what the columns mean, and which case each ratio is against. */
export function formatLegend(rows: readonly ResultRow[]): string {
  const baselines = [...new Set(rows.filter((r) => r.baselineName).map((r) => `${r.name} → ${r.baselineName}`))];
  return [
    'median/min: wall time of the timed runs (after 1 warmup). MB/s: size / median.',
    'Δheap/Δrss/Δext: largest rise of process.memoryUsage() heapUsed/rss/external during a run (after GC, result alive; ext includes arrayBuffers).',
    'vs base: this median / baseline median (below 1× = graft is faster). ok: correctness guard (✓ = bytes identical to expected).',
    ...(baselines.length > 0 ? ['baselines:', ...baselines.map((b) => `  ${b}`)] : []),
  ].join('\n');
}
