/**
 * The body of `sparsifyGather` (sparsify-gather.ts declares it and says what it does, and where it
 * differs from TensorFlow), loaded with `import()` the first time the transform runs.
 */
import { GraftError } from '../../errors';
import { attr } from '../../ir/attr';
import { baseDType } from '../../ir/dtype';
import { graphIndex } from '../../ir/graph';
import { type Node, makeNode, parseInput } from '../../ir/node';
import { updateNode } from '../../ir/edit';
import { attrWithDefault } from '../../ir/op-facts';
import { makeTensor, numElements, tensorToNumbers } from '../../ir/tensor';
import type { ApplyOf } from '../../transform/define';
import { floatArray } from '../shared/conv-weights';
import { controlInputs, dataInputs } from '../../ir/node';
import { constAt, constValue } from '../../ir/match';
import { RewritePlan } from '../../ir/rewrite';
import type { sparsifyGather } from '../sparsify-gather';

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

export const apply: ApplyOf<typeof sparsifyGather> = (graph, params, ctx) => {
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
};
