/**
 * `strip_unused_nodes(type=, shape=, name=, type_for_name=, shape_for_name=)`: keeps only what the
 * outputs need, and turns graph inputs into placeholders.
 *
 * Does: walks back from every output through data and control inputs, stopping at graph inputs
 * (their own inputs are not needed); keeps the nodes reached, plus the graph inputs, in graph
 * order. A graph input that is not a `Placeholder` (a `Const`, a `PlaceholderWithDefault`, a
 * mid-graph tensor you want to feed) becomes a `Placeholder` with the same name. An existing
 * `Placeholder` input is kept as it is, whatever the parameters say (as in TF).
 *
 * Better than TensorFlow (peers Part B #5): the new placeholder's dtype and shape come from the
 * node it replaces (its `output_types`/`DstT`/`out_type`/`dtype`/`T` attrs, its `_output_shapes`,
 * `shape` or constant value, else graft's shape inference over the graph), unless told otherwise. Precedence: `name=`+`type_for_name=`/
 * `shape_for_name=` for that input, then `type=`/`shape=`, then what the node says, then TF's
 * defaults (`float`, scalar shape). Every synthesized placeholder is reported as
 * `strip_unused_nodes/placeholder` (info; a warning when it fell back to a default, or when an
 * explicit `type=` overrides a different inferred dtype). An input given with a port (`split:1`)
 * has its consumers rewired from `split:1` to the placeholder.
 *
 * Other differences from TensorFlow: parameters are checked eagerly (TF only checks them when it
 * synthesizes a placeholder); `name=` may come with only one of `type_for_name=`/`shape_for_name=`
 * (the other is inferred); with no outputs at all the graph is left unchanged with a warning (TF
 * would strip everything but the inputs); an unknown output is an error that says *output* and
 * suggests near names (TF says "Input node ... not found"); library and versions are kept.
 */
import { defineTransform, param, lazyApply } from '../transform/define';

export const stripUnusedNodes = defineTransform({
  name: 'strip_unused_nodes',
  summary: 'Removes nodes the outputs do not need; graph inputs become placeholders.',
  params: {
    type: param.dtype({ doc: 'dtype for every synthesized placeholder (default: the replaced node\'s dtype, else float).' }),
    shape: param.shape({ doc: 'Shape for every synthesized placeholder, e.g. "1,299,299,3" (default: the replaced node\'s shape, else a scalar).' }),
    name: param.repeated(param.string({ doc: 'An input whose placeholder gets the type_for_name/shape_for_name at the same position.' })),
    type_for_name: param.repeated(param.dtype({ doc: 'dtype for the name= at the same position.' })),
    shape_for_name: param.repeated(param.shape({ doc: 'Shape for the name= at the same position.' })),
  },
  counters: {
    placeholders: 'Inputs replaced by Placeholders.',
    removed: 'Nodes removed because no output needs them.',
  },
  codes: {
    'no-outputs': { severity: 'warning', doc: 'No graph outputs were given, so nothing is known to be unused; the graph is unchanged.' },
    placeholder: { severity: 'info', doc: 'An input replaced by a Placeholder (a warning when its shape or dtype was guessed).' },
  },
  apply: lazyApply(() => import('./apply/strip-unused-nodes')),
});
