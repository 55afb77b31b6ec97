/**
 * `sparsify_gather(group_init_node="group_deps")`: replaces an embedding lookup into a mostly-zero
 * `[N, 1]` weight with a hash-table lookup that stores only the non-zero entries (wide linear
 * models' feature weights).
 *
 * Matches: `Gather(w, ids)` and `GatherV2(w, ids, Const 0)`, where `w` is a float `Const` of shape
 * `[N, 1]`, read directly or through an `Identity` (TensorFlow requires the Identity).
 * Does, per weight `W` (once, however many gathers read it):
 * `W/indices` (int64 positions with |v| ≥ 1e-5, or `[0]` when there are none: the table
 * initializer rejects empty inputs), `W/values` (those values), `W/HashTable` (`HashTable`,
 * int64 → float), `W/InitializeTable`, which becomes a control input of the `NoOp` named
 * `group_init_node`; and per gather `G`: `G/Const` (default 0), `G/LookupTableFind`, and
 * `ExpandDims(…, G/ExpandDims/Const = −1)` named `G`, so consumers see the same `[…, 1]` shape.
 * The Identity and `W` are removed when nothing else reads them. The result differs from the
 * gather only for weights with |v| < 1e-5 (read as 0) and for out-of-range ids (0 instead of an
 * error). The table must be initialized by running `group_init_node` before the lookups.
 *
 * Differences from TensorFlow:
 * - `input_checkpoint` (reading `Variable` weights from a checkpoint) is not supported: a
 *   transform is a pure graph function; freeze the graph first. A gather on a variable is left
 *   alone with a `sparsify_gather/variable-weights` info.
 * - int32 ids get a `G/Cast` to int64 (the table's key type; TF's lookup would fail at run time).
 * - When `group_init_node` does not exist a `NoOp` of that name is added, with a
 *   `sparsify_gather/created-init-node` warning (TF fails); a node of that name that is not a
 *   NoOp is an error, as in TF.
 * - Weights of another shape are left alone with a `sparsify_gather/unsupported-shape` info.
 */
import { defineTransform, param, lazyApply } from '../transform/define';

const NAME = 'sparsify_gather';

export const sparsifyGather = defineTransform({
  name: NAME,
  summary: 'Replaces Gather on a mostly-zero [N,1] float weight with a HashTable lookup of its non-zero entries.',
  params: {
    input_checkpoint: param.string({ doc: 'Not supported by graft: freeze the graph first so the weights are Consts.', default: '' }),
    group_init_node: param.string({ doc: 'The NoOp that initializes the tables (created when missing).', default: 'group_deps' }),
  },
  counters: {
    sparsified: 'Gathers replaced by a hash table lookup.',
  },
  codes: {
    'variable-weights': { severity: 'info', doc: 'The weights are a variable; freeze the graph first.' },
    'unsupported-shape': { severity: 'info', doc: 'The weights are not float [N,1]; left as they are.' },
    'created-init-node': { severity: 'warning', doc: 'The group init node did not exist and was added to initialize the tables.' },
  },
  apply: lazyApply(() => import('./apply/sparsify-gather')),
});
