/**
 * The body of `setDevice` (set-device.ts declares it and says what it does, and where it
 * differs from TensorFlow), loaded with `import()` the first time the transform runs.
 */
import { mapNodes, updateNode } from '../../ir/edit';
import type { ApplyOf } from '../../transform/define';
import type { setDevice } from '../set-device';

export const apply: ApplyOf<typeof setDevice> = (graph, params, ctx) => {
  let n = 0;
  const out = mapNodes(graph, (node) => {
    if (node.device === params.device || (params.ifDefault && node.device !== '')) return node;
    n++;
    return updateNode(node, { device: params.device });
  });
  if (n > 0) ctx.count('changed', n);
  return out;
};
