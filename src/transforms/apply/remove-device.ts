/**
 * The body of `removeDevice` (remove-device.ts declares it and says what it does, and where it
 * differs from TensorFlow), loaded with `import()` the first time the transform runs.
 */
import { mapNodes, updateNode } from '../../ir/edit';
import type { ApplyOf } from '../../transform/define';
import type { removeDevice } from '../remove-device';

export const apply: ApplyOf<typeof removeDevice> = (graph, _params, ctx) => {
  let n = 0;
  const out = mapNodes(graph, (node) => {
    if (node.device === '') return node;
    n++;
    return updateNode(node, { device: '' });
  });
  if (n > 0) ctx.count('changed', n);
  return out;
};
