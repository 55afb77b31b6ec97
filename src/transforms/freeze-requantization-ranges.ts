/**
 * `freeze_requantization_ranges`: replaces `RequantizationRange` ops (the dynamic 32→8-bit range
 * that `quantize_nodes` inserts) with constant ranges observed while running the graph.
 *
 * The log is what `insert_logging(op=RequantizationRange, show_name=true, message="__requant_min_max:")`
 * prints: lines holding `…;<node>__print__;__requant_min_max:[<min>][<max>]…`. Other lines are
 * ignored. For each logged node, the mins and maxes are sorted separately and the
 * `min_percentile`-th smallest min and the `(100 − max_percentile)`-th max are taken (index
 * `round(n·p/100)`, TF's rule). Each such node `R` becomes two float Consts, `R/frozen_min` and
 * `R/frozen_max`, at its position; `R:0` readers read `R/frozen_min`, `R:1` readers `R/frozen_max`.
 *
 * Errors, as in TensorFlow: no file name; no range line in the log; a logged node that is not in
 * the graph; a logged node that is not a `RequantizationRange`.
 *
 * Differences from TensorFlow: numbers are parsed with `Number` (TF's `safe_strtof` also accepts
 * `inf`/`nan` spellings, which Number rejects except `Infinity`), the output keeps library and
 * versions, and `freezeRequantizationRangesFromLog` takes the log text directly (no file access).
 */
import { defineTransform, param, lazyApply } from '../transform/define';

export const freezeRequantizationRanges = defineTransform({
  name: 'freeze_requantization_ranges',
  summary: 'Replaces RequantizationRange ops with constant ranges taken from a logged calibration run.',
  description: [
    'Reads the log of a run of a `quantize_nodes` graph instrumented with',
    '`insert_logging(op=RequantizationRange, show_name=true, message="__requant_min_max:")` and freezes each',
    "logged node's range (a percentile of the observed mins and maxes) as Consts. See docs/quantization.md.",
  ].join(' '),
  params: {
    min_max_log_file: param.string({ doc: 'The log file with `__requant_min_max:` lines (required).' }),
    min_percentile: param.float({ doc: 'Percentile of the observed minimums to use.', default: 5 }),
    max_percentile: param.float({ doc: 'Percentile (from the top) of the observed maximums to use.', default: 5 }),
  },
  requires: ['quantize_nodes'],
  counters: {},
  codes: {},
  apply: lazyApply(() => import('./apply/freeze-requantization-ranges')),
});
