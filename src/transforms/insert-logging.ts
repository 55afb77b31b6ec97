/**
 * `insert_logging(op=, prefix=, show_op=false, show_name=false, message="", first_n=-1,
 * summarize=1024)`: puts a `Print` node after chosen nodes, so running the graph logs their values.
 *
 * Matches: every node with at least one consumer (a control consumer counts as reading output 0)
 * whose op is one of `op` (all ops when none is given) and whose name starts with one of `prefix`
 * (all names when none is given).
 * Does: adds `<n>__print__` = `Print(n:0, n:<each consumed output, ascending>)` right after `n`,
 * with `T` = the dtype of output 0, `U` = the dtypes of the printed outputs, `message` =
 * (`;<op>;` if show_op)(`;<n>__print__;` if show_name) + message, `first_n`, `summarize`.
 * Data consumers of output 0 read the Print instead (Print passes its first input through);
 * control consumers and other outputs' consumers are unchanged.
 *
 * Differences from TensorFlow:
 * - `U` lists the dtypes of the printed outputs. TF sets it to *all* output dtypes of the node,
 *   which does not match the Print's inputs (an invalid node) when some output is unread.
 * - A node whose output dtypes graft cannot tell (an op it does not know, a node without outputs
 *   such as NoOp) is skipped with an `insert_logging/unknown-output-type` info; TF fails the
 *   whole transform on an unknown op.
 * - A `NextIteration` gets no Print: put between it and its `Merge`, the Print would break the
 *   while loop's back edge, and TensorFlow would refuse the graph as a cycle.
 * - A `Switch` prints only output 0: printing both branches in one Print would make it dead on
 *   every run, and with it the consumers of output 0.
 * - Nodes that already have a `<n>__print__`, and the Print nodes themselves, are skipped, so
 *   running the transform twice adds nothing.
 */
import { defineTransform, param, lazyApply } from '../transform/define';

export const insertLogging = defineTransform({
  name: 'insert_logging',
  summary: 'Adds a Print node after chosen nodes so that running the graph logs their values.',
  params: {
    op: param.repeated(param.string({ doc: 'Only nodes of this op (repeat for several; default all).' })),
    prefix: param.repeated(param.string({ doc: 'Only nodes whose name starts with this (repeat for several; default all).' })),
    show_op: param.bool({ doc: 'Start the message with ;<op>;.', default: false }),
    show_name: param.bool({ doc: 'Add ;<print node name>; to the message.', default: false }),
    message: param.string({ doc: 'Text printed before the values.', default: '' }),
    first_n: param.int({ doc: 'Print only the first n runs (-1: always).', default: -1 }),
    summarize: param.int({ doc: 'How many elements of each tensor to print.', default: 1024 }),
  },
  counters: {
    inserted: 'Print nodes added.',
  },
  codes: {
    'unknown-output-type': { severity: 'info', doc: 'A node whose output dtypes are unknown or not printable; no Print added.' },
  },
  apply: lazyApply(() => import('./apply/insert-logging')),
});
