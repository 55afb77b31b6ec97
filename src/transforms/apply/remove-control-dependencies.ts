/**
 * The body of `removeControlDependencies` (remove-control-dependencies.ts declares it and says what it does, and where it
 * differs from TensorFlow), loaded with `import()` the first time the transform runs.
 */
import { isControlInput } from '../../ir/node';
import { mapNodes, replaceInputs } from '../../ir/edit';
import type { ApplyOf } from '../../transform/define';
import type { removeControlDependencies } from '../remove-control-dependencies';

export const apply: ApplyOf<typeof removeControlDependencies> = (graph, _params, ctx) => {
  let n = 0;
  const out = mapNodes(graph, (node) => {
    const kept = node.inputs.filter((s) => !isControlInput(s));
    if (kept.length === node.inputs.length) return node;
    n += node.inputs.length - kept.length;
    return replaceInputs(node, kept);
  });
  if (n > 0) ctx.count('removed_edges', n);
  return out;
};
