/**
 * What a pipeline run reports: per step, what ran, whether it changed the graph, how long it
 * took, node counts, counters and diagnostics. Plain data, JSON-serialisable as is; the CLI
 * prints `formatReport(report)`.
 */
import type { Diagnostic } from '../diagnostics';
import { checkFields } from '../ir/check';

/** What a step and a sub-step both report about running a transform. */
export interface StepOutcome {
  /** Whether the transform returned a new graph instance. */
  readonly changed: boolean;
  /** Wall time of `apply`, in milliseconds. */
  readonly ms: number;
  readonly nodesBefore: number;
  readonly nodesAfter: number;
  /** Counters the transform reported through `ctx.count` (its declared names; the step names the transform). */
  readonly counters: Readonly<Record<string, number>>;
  /** Its diagnostics, `transform` filled in (a sub-step's are also in the pipeline's `diagnostics`). */
  readonly diagnostics: readonly Diagnostic[];
  /** Transforms it ran through `ctx.run`, in order (absent when none). */
  readonly substeps?: readonly SubstepReport[];
}

/** A transform another one ran through `ctx.run` (quantize_nodes' merge_duplicate_nodes). */
export interface SubstepReport extends StepOutcome {
  /** The registered name of the transform that ran. */
  readonly transform: string;
  /** The sub-step in canonical transform syntax. */
  readonly call: string;
}

/** One step's outcome. */
export interface StepReport extends StepOutcome {
  /** 0-based position in the pipeline. */
  readonly index: number;
  /** The name as written (an alias stays an alias). */
  readonly name: string;
  /** The registered name of the transform that ran. */
  readonly transform: string;
  /** The step in canonical transform syntax. */
  readonly call: string;
  /** The parameter values `apply` received (camelCase, defaults applied). */
  readonly params: Readonly<Record<string, unknown>>;
  readonly ignoreErrors: boolean;
  /** True when the step failed and `ignore_errors` kept its input graph. */
  readonly skipped: boolean;
}

/** A whole run. */
export interface PipelineReport {
  readonly steps: readonly StepReport[];
  /** Wall time of the run, in milliseconds (steps plus validation). */
  readonly ms: number;
  readonly nodesBefore: number;
  readonly nodesAfter: number;
  /** Every step's diagnostics, in order. */
  readonly diagnostics: readonly Diagnostic[];
}

function formatMs(ms: number): string {
  return ms < 10 ? ms.toFixed(2) : ms < 1000 ? ms.toFixed(1) : ms.toFixed(0);
}

function formatCounters(counters: Readonly<Record<string, number>>): string {
  return Object.entries(counters)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

function formatDiagnostic(d: Diagnostic): string {
  const where = d.node !== undefined ? ` [${d.node}]` : '';
  const hint = d.hint !== undefined ? ` (${d.hint})` : '';
  return `${d.severity} ${d.code}${where}: ${d.message}${hint}`;
}

function table(rows: string[][], rightAligned: ReadonlySet<number>): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (rightAligned.has(i) ? cell.padStart(widths[i] as number) : i === row.length - 1 ? cell : cell.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd(),
  );
}

function formatSubstep(s: SubstepReport, indent: string): string[] {
  const counters = formatCounters(s.counters);
  const out = [`${indent}sub-step ${s.call}: ${s.changed ? 'changed' : 'unchanged'}, ${formatMs(s.ms)} ms, ${s.nodesBefore} -> ${s.nodesAfter} nodes${counters ? `, ${counters}` : ''}`];
  for (const d of s.diagnostics) out.push(`${indent}  ${formatDiagnostic(d)}`);
  for (const sub of s.substeps ?? []) out.push(...formatSubstep(sub, `${indent}  `));
  return out;
}

/** A step's diagnostics followed by those of its sub-steps, depth first. */
export function stepDiagnostics(s: { readonly diagnostics: readonly Diagnostic[]; readonly substeps?: readonly SubstepReport[] }): Diagnostic[] {
  return [...s.diagnostics, ...(s.substeps ?? []).flatMap(stepDiagnostics)];
}

/**
 * A compact aligned table, one row per step, its diagnostics indented below it, and a total.
 *
 * @example
 * ```text
 * #  step                                  changed      ms  nodes     counters
 * 1  fold_constants(ignore_errors=true)    yes        3.10  12 -> 7   folded=5
 *      warning fold_constants/unsupported-op [x]: ...
 * 2  strip_unused_nodes                    no         0.20   7 -> 7
 *    total                                            3.40  12 -> 7   1 warning
 * ```
 */
export function formatReport(report: PipelineReport): string {
  checkFields('formatReport', 'report', report, { steps: 'array' }, 'a PipelineReport (what runPipeline returns as report)');
  const rows: string[][] = [['#', 'step', 'changed', 'ms', 'nodes', 'counters']];
  const diagnosticsAfter = new Map<number, Diagnostic[]>();
  for (const s of report.steps) {
    const changed = s.skipped ? 'skipped' : s.changed ? 'yes' : 'no';
    rows.push([String(s.index + 1), s.call, changed, formatMs(s.ms), `${s.nodesBefore} -> ${s.nodesAfter}`, formatCounters(s.counters)]);
    if (s.diagnostics.length > 0) diagnosticsAfter.set(rows.length - 1, [...s.diagnostics]);
  }
  const counts = { error: 0, warning: 0, info: 0 };
  for (const d of report.diagnostics) counts[d.severity]++;
  const summary = (Object.entries(counts) as [keyof typeof counts, number][])
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}${n === 1 ? '' : 's'}`)
    .join(', ');
  rows.push(['', 'total', '', formatMs(report.ms), `${report.nodesBefore} -> ${report.nodesAfter}`, summary]);
  const lines = table(rows, new Set([3]));
  const out: string[] = [];
  lines.forEach((line, i) => {
    out.push(line);
    for (const d of diagnosticsAfter.get(i) ?? []) out.push(`     ${formatDiagnostic(d)}`);
    const step = i >= 1 && i <= report.steps.length ? report.steps[i - 1] : undefined;
    for (const sub of step?.substeps ?? []) out.push(...formatSubstep(sub, '     '));
  });
  return out.join('\n');
}
