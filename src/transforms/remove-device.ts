/**
 * `remove_device`: clears the device of every node, so the runtime places them.
 *
 * As in TensorFlow, function bodies in the library keep their devices.
 */
import { mapNodes, updateNode } from '../ir/edit';
import { defineTransform } from '../transform/define';

export const removeDevice = defineTransform({
  name: 'remove_device',
  summary: 'Clears the device of every node.',
  params: {},
  counters: {
    changed: 'Nodes whose device was cleared.',
  },
  codes: {},
  apply(graph, _params, ctx) {
    let n = 0;
    const out = mapNodes(graph, (node) => {
      if (node.device === '') return node;
      n++;
      return updateNode(node, { device: '' });
    });
    if (n > 0) ctx.count('changed', n);
    return out;
  },
});
