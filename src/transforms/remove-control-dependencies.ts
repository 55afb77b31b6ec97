/**
 * `remove_control_dependencies`: drops every control input (`^x`).
 *
 * Deliberately not handled (as in TensorFlow): this also drops the `^while/Identity` anchors that
 * put a TF1 loop body's constants in the loop frame, and the ordering of `Assign`/update ops. Use it
 * on inference graphs whose control edges only served training.
 */
import { defineTransform, lazyApply } from '../transform/define';

export const removeControlDependencies = defineTransform({
  name: 'remove_control_dependencies',
  summary: 'Removes every control dependency (^x inputs).',
  params: {},
  counters: {
    removed_edges: 'Control inputs removed.',
  },
  codes: {},
  apply: lazyApply(() => import('./apply/remove-control-dependencies')),
});
