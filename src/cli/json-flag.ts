/**
 * The one `--json` flag of every command that reports (docs/json-output.md): the report as JSON on
 * stdout and nothing else there. The older spellings `--report json` and `--report=json` (transform,
 * optimize, bench) are still accepted, with a one-line deprecation note on stderr.
 */
import { GraftError } from '../errors';
import type { Io } from './output';

/** The parseFlags options: `--json`, and `--report` (text, none where a command allows it, or the deprecated json). */
export const JSON_FLAGS = { json: { type: 'boolean' }, report: { type: 'string' } } as const;

export type ReportMode = 'text' | 'json' | 'none';

/**
 * The output mode from `--json` and `--report`: `--report json` is `--json` with a note on
 * stderr; `--report none` only where `modes` allows it. Contradictions are `cli/usage` errors.
 */
export function reportMode(values: { json?: boolean; report?: string }, io: Io, modes: readonly ReportMode[] = ['text', 'json']): ReportMode {
  const report = values.report;
  if (report !== undefined && !(modes as readonly string[]).includes(report)) {
    throw new GraftError('cli/usage', `--report must be ${modes.join(', ').replace(/, ([^,]*)$/, ' or $1')}, not '${report}'`);
  }
  if (values.json) {
    if (report !== undefined && report !== 'json') throw new GraftError('cli/usage', `--json and --report ${report} contradict each other`);
    return 'json';
  }
  if (report === 'json') {
    io.err('note: --report json is deprecated; use --json (the same output)');
    return 'json';
  }
  return (report as ReportMode | undefined) ?? 'text';
}

/** JSON text of a report: two-space indents; Infinity and NaN, which JSON lacks, as "inf", "-inf", "nan". */
export function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_k, v: unknown) => {
      if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
      if (typeof v === 'bigint') return v.toString();
      return v;
    },
    2,
  );
}
