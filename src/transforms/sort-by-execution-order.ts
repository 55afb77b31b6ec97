/**
 * `sort_by_execution_order`: reorders nodes so that every node comes after its inputs.
 *
 * Does: TensorFlow's Kahn sort with a LIFO ready stack (`executionOrder`), so the order is exactly
 * TF's; a loop's `Merge` is ready after its first data input, so TF1 while loops sort.
 * Fails: on an input naming a missing node (`graph/dangling-input`) and on a cycle that no `Merge`
 * breaks (`graph/cycle`, TF's "<k> nodes in a cycle").
 * Differences from TensorFlow: returns the same graph when the order is already the sorted one;
 * library and versions are kept.
 */
import { defineTransform, lazyApply } from '../transform/define';

export const sortByExecutionOrder = defineTransform({
  name: 'sort_by_execution_order',
  summary: 'Sorts nodes so that each comes after its inputs (TensorFlow\'s execution order).',
  params: {},
  counters: {},
  codes: {},
  apply: lazyApply(() => import('./apply/sort-by-execution-order')),
});
