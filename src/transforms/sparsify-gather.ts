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
import { GraftError } from '../errors';
import { attr } from '../ir/attr';
import { baseDType } from '../ir/dtype';
import { graphIndex } from '../ir/graph';
import { type Node, makeNode, parseInput } from '../ir/node';
import { updateNode } from '../ir/edit';
import { attrWithDefault } from '../ir/op-facts';
import { makeTensor, numElements, tensorToNumbers } from '../ir/tensor';
import { defineTransform, param } from '../transform/define';
import { floatArray } from './shared/conv-weights';
import { controlInputs, dataInputs } from '../ir/node';
import { constAt, constValue } from '../ir/match';
import { RewritePlan } from '../ir/rewrite';

const NAME = 'sparsify_gather';
const THRESHOLD = 1e-5;

/** The non-zero entries of a `[N,1]` weight: positions (|v| ≥ 1e-5) and values, or a dummy `[0]`/`[0]`. */
export function sparseEntries(values: ArrayLike<number>): { indices: number[]; values: number[] } {
  const indices: number[] = [];
  const vals: number[] = [];
  for (let i = 0; i < values.length; i++) {
    if (Math.abs(values[i]!) >= THRESHOLD) {
      indices.push(i);
      vals.push(values[i]!);
    }
  }
  return indices.length > 0 ? { indices, values: vals } : { indices: [0], values: [0] };
}

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
  apply(graph, params, ctx) {
    if (params.inputCheckpoint !== '') {
      throw new GraftError('transform/bad-param', 'sparsify_gather: input_checkpoint is not supported; freeze the variables into Consts first (graft freeze), then run sparsify_gather without it');
    }
    const idx = graphIndex(graph);
    const plan = new RewritePlan(graph, ctx.protectedNodes);
    const tables = new Map<string, string>();
    const inits: string[] = [];
    for (const g of graph.nodes) {
      if (g.op !== 'Gather' && g.op !== 'GatherV2') continue;
      const d = dataInputs(g);
      if (d.length !== (g.op === 'Gather' ? 2 : 3)) continue;
      if (g.op === 'GatherV2') {
        const axis = constAt(idx, d[2]!);
        if (!axis || tensorToNumbers(constValue(axis))[0] !== 0 || numElements(constValue(axis).shape) !== 1) continue;
        const bd = attrWithDefault(g, 'batch_dims');
        if (bd?.kind === 'i' && Number(bd.value) !== 0) continue;
      }
      const pref = parseInput(d[0]!);
      let src = pref.port === 0 ? idx.byName.get(pref.node) : undefined;
      let identity: Node | undefined;
      if (src?.op === 'Identity' && dataInputs(src).length === 1) {
        identity = src;
        const r = parseInput(dataInputs(src)[0]!);
        src = r.port === 0 ? idx.byName.get(r.node) : undefined;
      }
      if (!src) continue;
      if (src.op === 'Variable' || src.op === 'VariableV2' || src.op === 'VarHandleOp') {
        ctx.report({ severity: 'info', code: 'variable-weights', node: g.name, message: `The weights of '${g.name}' are a variable ('${src.name}'); freeze the graph first` });
        continue;
      }
      const w = src.op === 'Const' ? src : undefined;
      if (!w) continue;
      const wt = constValue(w);
      if (baseDType(wt.dtype) !== 'float' || wt.shape.length !== 2 || wt.shape[1] !== 1) {
        ctx.report({ severity: 'info', code: 'unsupported-shape', node: g.name, message: `The weights '${w.name}' of '${g.name}' are ${wt.dtype}[${wt.shape.join(',')}]; only float [N,1] weights are sparsified` });
        continue;
      }
      if (!plan.claim([g.name])) continue;
      const out: Node[] = [];
      let table = tables.get(w.name);
      if (!table) {
        const { indices, values } = sparseEntries(floatArray(wt));
        const names = {
          indices: plan.uniqueName(`${w.name}/indices`),
          values: plan.uniqueName(`${w.name}/values`),
          table: plan.uniqueName(`${w.name}/HashTable`),
          init: plan.uniqueName(`${w.name}/InitializeTable`),
        };
        out.push(
          makeNode({ name: names.indices, op: 'Const', device: w.device, attrs: { dtype: attr.type('int64'), value: attr.tensor(makeTensor('int64', [indices.length], indices)) } }),
          makeNode({ name: names.values, op: 'Const', device: w.device, attrs: { dtype: attr.type('float'), value: attr.tensor(makeTensor('float', [values.length], values)) } }),
          makeNode({ name: names.table, op: 'HashTable', device: w.device, attrs: { key_dtype: attr.type('int64'), value_dtype: attr.type('float') } }),
          makeNode({ name: names.init, op: 'InitializeTable', device: w.device, inputs: [names.table, names.indices, names.values], attrs: { Tkey: attr.type('int64'), Tval: attr.type('float') } }),
        );
        tables.set(w.name, (table = names.table));
        inits.push(names.init);
      }
      let ids = d[1]!;
      const tindices = attrWithDefault(g, 'Tindices');
      if (tindices?.kind === 'type' && tindices.value !== 'int64') {
        const cast = plan.uniqueName(`${g.name}/Cast`);
        out.push(makeNode({ name: cast, op: 'Cast', device: g.device, inputs: [ids], attrs: { SrcT: attr.type(tindices.value), DstT: attr.type('int64') } }));
        ids = cast;
      }
      const dflt = plan.uniqueName(`${g.name}/Const`);
      const find = plan.uniqueName(`${g.name}/LookupTableFind`);
      const dim = plan.uniqueName(`${g.name}/ExpandDims/Const`);
      out.push(
        makeNode({ name: dflt, op: 'Const', device: g.device, attrs: { dtype: attr.type('float'), value: attr.tensor(makeTensor('float', [], [0])) } }),
        makeNode({ name: find, op: 'LookupTableFind', device: g.device, inputs: [table, ids, dflt], attrs: { Tin: attr.type('int64'), Tout: attr.type('float') } }),
        makeNode({ name: dim, op: 'Const', device: g.device, attrs: { dtype: attr.type('int32'), value: attr.tensor(makeTensor('int32', [], [-1])) } }),
        makeNode({ name: g.name, op: 'ExpandDims', device: g.device, inputs: [find, dim, ...controlInputs(g)], attrs: { T: attr.type('float'), Tdim: attr.type('int32') } }),
      );
      plan.replace(g.name, out);
      if (identity) plan.dropIfUnused(identity.name);
      plan.dropIfUnused(w.name);
      if (g.op === 'GatherV2') plan.dropIfUnused(parseInput(d[2]!).node);
      ctx.count('sparsified');
    }
    if (inits.length === 0) return graph;
    const group = idx.byName.get(params.groupInitNode);
    const controls = inits.map((n) => `^${n}`);
    if (!group) {
      ctx.report({
        severity: 'warning',
        code: 'created-init-node',
        node: params.groupInitNode,
        message: `Added NoOp '${params.groupInitNode}' to initialize the lookup tables`,
        hint: 'Run it once before the lookups (as a SavedModel main_op / legacy_init_op).',
      });
      plan.append([makeNode({ name: params.groupInitNode, op: 'NoOp', inputs: controls })]);
    } else if (group.op !== 'NoOp') {
      throw new GraftError('transform/failed', `sparsify_gather: group_init_node '${group.name}' is a ${group.op}, not a NoOp`, { node: group.name, op: group.op });
    } else {
      plan.replace(group.name, [updateNode(group, { inputs: [...group.inputs, ...controls] })]);
    }
    return plan.apply();
  },
});
