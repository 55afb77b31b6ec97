/**
 * `set_device(device="", if_default=false)`: sets the device of every node, or with
 * `if_default=true` only of nodes that have none.
 *
 * As in TensorFlow, function bodies in the library are left alone. (TF's README calls the flag
 * `is_default`; the code reads `if_default`, as here.)
 */
import { defineTransform, param, lazyApply } from '../transform/define';

export const setDevice = defineTransform({
  name: 'set_device',
  summary: 'Sets the device of every node (or of those without one).',
  params: {
    device: param.string({ doc: 'The device, e.g. /device:CPU:0.', default: '' }),
    if_default: param.bool({ doc: 'Only set it on nodes whose device is empty.', default: false }),
  },
  counters: {
    changed: 'Nodes whose device was set.',
  },
  codes: {},
  apply: lazyApply(() => import('./apply/set-device')),
});
