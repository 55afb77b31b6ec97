/**
 * `add_default_attributes`: writes out the attributes a node lacks that its op defines with a
 * default (what `stripped_default_attrs` left out), from graft's op facts.
 *
 * Differences from TensorFlow: an op graft does not know is left as it is and reported once per op
 * as `add_default_attributes/unknown-op` (TF fails the transform); defaults of library functions
 * used as ops are not added; attributes added by very recent TF releases are not written (see
 * `op-facts.ts`), so older runtimes can still read the result.
 */
import { defineTransform, lazyApply } from '../transform/define';

export const addDefaultAttributes = defineTransform({
  name: 'add_default_attributes',
  summary: 'Adds the default values of attributes nodes leave out.',
  params: {},
  counters: {
    changed: 'Nodes that got at least one default attribute.',
  },
  codes: {
    'unknown-op': { severity: 'info', doc: 'An op graft\'s op facts do not know; its nodes were left as they are.' },
  },
  apply: lazyApply(() => import('./apply/add-default-attributes')),
});
