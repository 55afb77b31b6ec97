/**
 * `remove_device`: clears the device of every node, so the runtime places them.
 *
 * As in TensorFlow, function bodies in the library keep their devices.
 */
import { defineTransform, lazyApply } from '../transform/define';

export const removeDevice = defineTransform({
  name: 'remove_device',
  summary: 'Clears the device of every node.',
  params: {},
  counters: {
    changed: 'Nodes whose device was cleared.',
  },
  codes: {},
  apply: lazyApply(() => import('./apply/remove-device')),
});
