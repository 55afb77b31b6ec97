/**
 * Keeping the variables a model writes (saver.ts finds them): what `optimize` does for a signature that updates state
 * (a counter's `incr_counter`, a `train` step). Freezing such a variable into a constant would
 * change what the signature does, so it stays a variable, and the output SavedModel carries it as
 * TensorFlow's own TF1 `Saver` (V2 format, not sharded) would:
 *
 * - a checkpoint in `variables/` (`variables.index`, `variables.data-00000-of-00001`) holding the
 *   kept variables under their names (a `VariableV2`'s node name, a `VarHandleOp`'s shared name);
 * - in the graph, `save/Const` (the checkpoint prefix, fed at load), `save/RestoreV2` with an
 *   `Assign` (ref variables) or `AssignVariableOp` (resource variables) per variable, grouped by
 *   the `save/restore_all` NoOp, and `save/SaveV2` behind `save/control_dependency`;
 * - the meta graph's `saver_def` naming them, which TF Serving and `tf.compat.v1` loaders run to
 *   restore the variables (graft's own loader reads the same restore assignments).
 *
 * Variables only read stay frozen as constants.
 */
import { GraftError } from '../errors';
import { attr } from '../ir/attr';
import { baseDType, dtypeToEnum } from '../ir/dtype';
import { type Graph, graphIndex, makeGraph } from '../ir/graph';
import { type Node, makeNode } from '../ir/node';
import { type Tensor, makeStringTensor, tensorBytes, tensorStrings } from '../ir/tensor';
import { type CheckpointEntryInput, writeCheckpoint } from '../io/checkpoint';
import type { KeptVariable } from './saver';

/** TensorFlow's `SaverDef`, as graft writes it (V2 format, not sharded). */
export interface SaverDef {
  readonly filename_tensor_name: string;
  readonly save_tensor_name: string;
  readonly restore_op_name: string;
  readonly max_to_keep: number;
  readonly sharded: boolean;
  readonly keep_checkpoint_every_n_hours: number;
  /** 2: `SaverDef.V2`. */
  readonly version: number;
}

function uniquePrefix(graph: Graph): string {
  const names = graph.nodes.map((n) => n.name);
  for (let k = 0; ; k++) {
    const p = k === 0 ? 'save' : `save_${k}`;
    if (!names.some((n) => n === p || n.startsWith(`${p}/`))) return p;
  }
}

/**
 * Adds a TF1 saver over `kept` to `graph` and encodes their values as the checkpoint it restores.
 * Returns the graph, the `saver_def` for the meta graph, and the checkpoint's files (relative to
 * the SavedModel directory).
 */
export function addSaver(graph: Graph, kept: readonly KeptVariable[]): { graph: Graph; saverDef: SaverDef; files: Map<string, Uint8Array> } {
  if (kept.length === 0) throw new GraftError('freeze/unsupported', 'addSaver needs at least one variable');
  const { byName } = graphIndex(graph);
  const p = uniquePrefix(graph);
  const sorted = [...kept].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const n = sorted.length;
  const names = makeStringTensor([n], sorted.map((v) => v.key));
  const slices = makeStringTensor([n], sorted.map(() => ''));
  const dtypes = attr.list({ type: sorted.map((v) => v.dtype) });
  const nodes: Node[] = [];
  const add = (node: Node) => (nodes.push(node), node.name);
  const constant = (name: string, t: Tensor) => add(makeNode({ name, op: 'Const', attrs: { dtype: attr.type(t.dtype), value: attr.tensor(t) } }));
  const prefix = constant(`${p}/Const`, makeStringTensor([], ['model']));
  // Save: the variables' current values, written to the prefix.
  const saveNames = constant(`${p}/SaveV2/tensor_names`, names);
  const saveSlices = constant(`${p}/SaveV2/shape_and_slices`, slices);
  const values = sorted.map((v, i) => {
    const node = byName.get(v.node);
    if (!node || node.op !== v.op) throw new GraftError('freeze/unsupported', `Variable '${v.node}' (${v.op}) is not in the graph to save`, { node: v.node });
    if (v.op !== 'VarHandleOp') return v.node;
    return add(makeNode({ name: `${p}/Read_${i}/ReadVariableOp`, op: 'ReadVariableOp', inputs: [v.node], attrs: { dtype: attr.type(v.dtype) } }));
  });
  const save = add(makeNode({ name: `${p}/SaveV2`, op: 'SaveV2', inputs: [prefix, saveNames, saveSlices, ...values], attrs: { dtypes } }));
  const saved = add(makeNode({ name: `${p}/control_dependency`, op: 'Identity', inputs: [prefix, `^${save}`], attrs: { T: attr.type('string') } }));
  // Restore: every variable assigned from the checkpoint, grouped by restore_all.
  const restoreNames = constant(`${p}/RestoreV2/tensor_names`, names);
  const restoreSlices = constant(`${p}/RestoreV2/shape_and_slices`, slices);
  const restore = add(makeNode({ name: `${p}/RestoreV2`, op: 'RestoreV2', inputs: [prefix, restoreNames, restoreSlices], attrs: { dtypes } }));
  const assigns = sorted.map((v, i) => {
    const value = i === 0 ? restore : `${restore}:${i}`;
    if (v.op === 'VarHandleOp') {
      const id = add(makeNode({ name: `${p}/Identity_${i}`, op: 'Identity', inputs: [value], attrs: { T: attr.type(v.dtype) } }));
      return add(makeNode({ name: `${p}/AssignVariableOp_${i}`, op: 'AssignVariableOp', inputs: [v.node, id], attrs: { dtype: attr.type(v.dtype) } }));
    }
    return add(makeNode({ name: `${p}/Assign_${i}`, op: 'Assign', inputs: [v.node, value], attrs: { T: attr.type(v.dtype), validate_shape: attr.b(true), use_locking: attr.b(true) } }));
  });
  const restoreAll = add(makeNode({ name: `${p}/restore_all`, op: 'NoOp', inputs: assigns.map((a) => `^${a}`) }));
  const entries: CheckpointEntryInput[] = sorted.map((v) => {
    const dtype = baseDType(v.value.dtype);
    if (dtype !== baseDType(v.dtype)) throw new GraftError('freeze/unsupported', `Variable '${v.node}' is ${v.dtype}, but its value is ${dtype}`, { node: v.node });
    return dtype === 'string'
      ? { name: v.key, dtype: dtypeToEnum(dtype), shape: [...v.value.shape], strings: tensorStrings(v.value) }
      : { name: v.key, dtype: dtypeToEnum(dtype), shape: [...v.value.shape], data: tensorBytes(v.value) };
  });
  const ckpt = writeCheckpoint(entries);
  const files = new Map<string, Uint8Array>([
    ['variables/variables.index', ckpt.index],
    ['variables/variables.data-00000-of-00001', ckpt.shards[0]!],
  ]);
  const saverDef: SaverDef = {
    filename_tensor_name: `${prefix}:0`,
    save_tensor_name: `${saved}:0`,
    restore_op_name: restoreAll,
    max_to_keep: 5,
    sharded: false,
    keep_checkpoint_every_n_hours: 10000,
    version: 2,
  };
  return { graph: makeGraph([...graph.nodes, ...nodes], graph), saverDef, files };
}
