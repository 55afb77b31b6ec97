/**
 * `rename_node(old_node_name=..., new_node_name=...)`: renames one node and every reference to it
 * (keeping `^` and ports), including colocation constraints (`_class: loc:@old`).
 *
 * Differences from TensorFlow: renaming a graph input or output is refused (the pipeline's inputs
 * and outputs would no longer exist); a missing `old_node_name` is reported as a warning and the
 * graph is left unchanged. As in TF, a `new_node_name` already in use is an error.
 */
import { defineTransform, param, lazyApply } from '../transform/define';

export const renameNode = defineTransform({
  name: 'rename_node',
  summary: 'Renames one node and every reference to it.',
  params: {
    old_node_name: param.string({ doc: 'The node to rename.' }),
    new_node_name: param.string({ doc: 'Its new name.' }),
  },
  counters: {},
  codes: {
    'not-found': { severity: 'warning', doc: 'No node has the name to rename; nothing renamed.' },
  },
  apply: lazyApply(() => import('./apply/rename-node')),
});
