/**
 * `fold_constants(clear_output_shapes=true, exclude_op=..., exclude_node=...,
 * max_constant_size_in_bytes=10485760)`: evaluates what can be computed ahead of time and replaces
 * it with `Const` nodes.
 *
 * Foldable (spec §6.2 step 3, decided node by node in execution order):
 * - a `Const` (not of dtype resource or variant): a source;
 * - `Shape`, `ShapeN`, `Size`, `Rank` whose inputs have a statically known shape, even when the
 *   input itself is not constant (a `Placeholder`'s `shape` attr; with `clear_output_shapes=false`
 *   also `_output_shapes`): the producer becomes a control input of the folded Const;
 * - any other node whose data inputs are all foldable, that the runtime can evaluate, and that is
 *   none of: a graph input or output, stateful (`isStatefulOp`), random (stateless random ops
 *   included: tfjs cannot reproduce TF's Philox streams), a placeholder, control flow
 *   (`Switch`, `Merge`, `Enter`, `Exit`, `NextIteration`, `LoopCond`, ...), inside a TF1 while-loop
 *   frame (anything between `Enter` and `Exit`), send/recv, `NoOp`, in `exclude_op`/`exclude_node`,
 *   a producer of a `variant` value (the TensorList ops, an `Identity` of a list: `outputsVariant`),
 *   or carrying a `_scoped_allocator` attr. Control inputs from non-foldable nodes are allowed:
 *   they are carried (transitively) to the Const that replaces the value.
 *
 * Each node is evaluated once with the runtime's `evaluateNode` (tfjs, loaded lazily on first
 * use) and its outputs are cached for its consumers. Then every foldable tensor read by a node that
 * stays is replaced by a Const named `<producer>/__cf__<port>` (deterministic, unlike TF's
 * `<producer>/_<n>__cf__<m>`), with the producer's carried control dependencies as its control
 * inputs; a value that is only an `Identity`-like copy of an existing Const is rewired to that
 * Const instead of being duplicated. Folded nodes nothing reads any more are dropped; control
 * consumers of a dropped node depend on its carried dependencies instead.
 *
 * Size budget, decided before any kernel runs: each node's output size is estimated from its
 * inputs' shapes (`ir/output-size`: broadcasting, MatMul, Concat, Tile, Fill, Range, Resize, ...);
 * a node whose output (plus any value list its inputs expand) would exceed
 * `max_constant_size_in_bytes` is not evaluated, and an op the estimate does not know is not
 * evaluated when its inputs alone exceed the budget (`fold_constants/over-budget`, info). The
 * values a run creates are bounded too: at most 64 × the budget in all
 * (`fold_constants/total-budget`). Copies (`Identity` of a Const) take no memory. A Const already
 * in the graph may be larger than the budget; what reads it is folded only if small enough.
 *
 * Better than TensorFlow (spec §6.2, §15.2 #7, peers Part B #1, #2, #12):
 * - Best effort: a node the runtime has no kernel for (`fold_constants/unsupported-op`, one info
 *   per op listing its nodes) or fails to evaluate (`fold_constants/cannot-evaluate`, warning) is
 *   skipped and its consumers are not folded through it; TF fails the whole transform.
 * - Placeholders are never folded (TF evaluates an unlisted one and fails, TF issue #19683).
 * - Outputs are protected but not frozen: an output node keeps its name and op, and what it reads
 *   is folded (TF keeps the output's entire constant ancestry). Graph inputs keep their op (TF turns
 *   a `PlaceholderWithDefault` input into a `Placeholder` and rejects other ops as inputs).
 * - Nothing is pruned that folding did not make unused: nodes no output needs stay (TF prunes the
 *   graph to the outputs, and to nothing but the inputs when no output is given). Run
 *   `strip_unused_nodes` for that.
 * - Never crosses a while-loop frame (the "inputs from different frames" failures of other tools).
 * - New Consts keep the producer's device (TF drops it); names are deterministic; node order is
 *   kept, a new Const taking its producer's place.
 *
 * Counters: `folded` (non-Const nodes evaluated away), `removed` (every node dropped, Consts
 * included), `constants` (new Consts), `bytes_saved` (bytes of dropped Consts minus bytes of new
 * ones; negative when folding grew the model, reported then as `fold_constants/grew`).
 */
import { defineTransform, param, lazyApply } from '../transform/define';

export const NAME = 'fold_constants';

/** TensorFlow's default budget, 10 MiB per folded constant. */
export const DEFAULT_MAX_CONSTANT_SIZE_IN_BYTES = 10 * 1024 * 1024;

export const foldConstants = defineTransform({
  name: NAME,
  summary: 'Evaluates what can be computed ahead of time and replaces it with constants, node by node.',
  description: [
    'Folds every node whose inputs are constant (and `Shape`/`Size`/`Rank` of statically shaped tensors)',
    'with the runtime, skipping with a diagnostic what it cannot evaluate instead of giving up.',
    'Never folds placeholders, stateful or random ops, control flow, while-loop bodies, or the graph\'s',
    'inputs and outputs. Values above `max_constant_size_in_bytes` are not written as constants;',
    'broadcast-like ops (`Fill`, `Tile`, `BroadcastTo`, ...) above it are not even evaluated.',
    'Reports `folded`, `constants` and `bytes_saved`.',
  ].join(' '),
  params: {
    clear_output_shapes: param.bool({ doc: 'Remove every `_output_shapes` attribute (old graphs carry stale ones); when false they also serve as shape hints for Shape/Size/Rank.', default: true }),
    exclude_op: param.repeated(param.string({ doc: 'An op type never to fold (repeat for several).' })),
    exclude_node: param.repeated(param.string({ doc: 'A node name never to fold (repeat for several).' })),
    max_constant_size_in_bytes: param.int({ doc: 'Largest constant folding may create, in bytes (default 10 MiB, as TensorFlow).', default: DEFAULT_MAX_CONSTANT_SIZE_IN_BYTES, min: 0 }),
  },
  counters: {
    folded: 'Nodes evaluated and replaced by constants.',
    removed: 'Nodes removed (folded or no longer read).',
    constants: 'New Const nodes added.',
    bytes_saved: 'Constant payload bytes saved (negative when folding grew the model).',
  },
  codes: {
    'over-budget': { severity: 'info', doc: 'A node left unfolded because its output is over max_constant_size_in_bytes.' },
    'total-budget': { severity: 'info', doc: 'Folding stopped: the values one run folds may take at most 64 × max_constant_size_in_bytes.' },
    'unsupported-op': { severity: 'info', doc: 'Nodes left unfolded because the runtime has no kernel for their op.' },
    grew: { severity: 'info', doc: 'Folding added more constant bytes than it removed.' },
    'cannot-evaluate': { severity: 'warning', doc: 'A node whose evaluation failed; left unfolded.' },
    backend: { severity: 'info', doc: 'Constants were folded on a tfjs backend other than wasm (asked for, or wasm could not start); the folded values are the same on both.' },
  },
  apply: lazyApply(() => import('./apply/fold-constants')),
});
