import { describe, expect, it } from 'vitest';
import { formatReport, type PipelineReport, type StepReport } from '../../src/transform/report';

function step(over: Partial<StepReport>): StepReport {
  return {
    index: 0, name: 'a', transform: 'a', call: 'a', params: {}, ignoreErrors: false, changed: false, skipped: false,
    ms: 1, nodesBefore: 10, nodesAfter: 10, counters: {}, diagnostics: [], ...over,
  };
}

describe('formatReport', () => {
  it('prints an aligned table with diagnostics under their step and a total', () => {
    const warn = { severity: 'warning', code: 'fold_constants/unsupported-op', transform: 'fold_constants', node: 'n1', message: 'cannot evaluate Foo', hint: 'left as is' } as const;
    const report: PipelineReport = {
      steps: [
        step({ index: 0, call: 'fold_constants(ignore_errors=true)', changed: true, ms: 12.345, nodesBefore: 120, nodesAfter: 80, counters: { folded: 40, removed: 2 }, diagnostics: [warn] }),
        step({ index: 1, call: 'strip_unused_nodes', ms: 0.5, nodesBefore: 80, nodesAfter: 80 }),
        step({ index: 2, call: 'test_fail(ignore_errors=true)', skipped: true, ms: 0.1, nodesBefore: 80, nodesAfter: 80 }),
      ],
      ms: 13.2,
      nodesBefore: 120,
      nodesAfter: 80,
      diagnostics: [warn],
    };
    expect(formatReport(report)).toBe(
      [
        '#  step                                changed    ms  nodes      counters',
        '1  fold_constants(ignore_errors=true)  yes      12.3  120 -> 80  folded=40 removed=2',
        '     warning fold_constants/unsupported-op [n1]: cannot evaluate Foo (left as is)',
        '2  strip_unused_nodes                  no       0.50  80 -> 80',
        '3  test_fail(ignore_errors=true)       skipped  0.10  80 -> 80',
        '   total                                        13.2  120 -> 80  1 warning',
      ].join('\n'),
    );
  });

  it('handles an empty pipeline', () => {
    expect(formatReport({ steps: [], ms: 0, nodesBefore: 3, nodesAfter: 3, diagnostics: [] })).toBe(
      ['#  step   changed    ms  nodes   counters', '   total           0.00  3 -> 3'].join('\n'),
    );
  });
});
