/**
 * `freezeGraph`'s body (src/freeze/tf1.ts declares it and says what freezing rewrites): loaded on
 * the first call, so that it stays out of what the core loads on import
 * (test/package/browser.test.ts).
 */
import { GraftError, badArgument } from '../errors';
import { type AttrValue, attr, attrText } from '../ir/attr';
import { type DType, baseDType } from '../ir/dtype';
import { type Graph, graphIndex, makeGraph } from '../ir/graph';
import { type Node, makeNode, parseInput } from '../ir/node';
import { type Tensor, makeTensor } from '../ir/tensor';
import type { Diagnostic } from '../diagnostics';
import { nearestNames } from '../suggest';
import { colocationTargets, extractSubGraph, nodeNameOf } from './extract';
import { pruneLibrary } from '../ir/inline';
import { checkGraphShallow, checkStringsArgument } from '../ir/check';
import { type FreezeGraphOptions, type FreezeGraphResult, type ConvertedVariable, VARIABLE_OPS, isStateUpdateOp } from './tf1';

/** Ops that pass their input through unchanged (the handle's dtype flows through `T`). */
const PASS_THROUGH = new Set(['Identity', 'IdentityN', 'Enter', 'Exit', 'Switch', 'Merge', 'NextIteration', '_SwitchN', 'Snapshot']);
const REF_FLAVOURS: Record<string, string> = { RefIdentity: 'Identity', RefEnter: 'Enter', RefExit: 'Exit', RefSwitch: 'Switch', RefMerge: 'Merge', RefNextIteration: 'NextIteration', RefSelect: 'Select' };

/** Ops (other than variables) that create resources: tables, iterators, queues, ... */
function isNonVariableResourceOp(op: string): boolean {
  return /HashTable|Table(V2)?$|Iterator|Queue|Accumulator|Barrier|^Stack(V2)?$|TensorArray(V[23])?$|ReaderV2$|MutexV2/.test(op) && !VARIABLE_OPS.has(op);
}

function typeAttr(node: Node, name: string): DType | undefined {
  const a = node.attrs[name];
  return a && a.kind === 'type' ? a.value : undefined;
}

function withoutKeys(attrs: Readonly<Record<string, AttrValue>>, drop: readonly string[]): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  for (const [k, v] of Object.entries(attrs)) if (!drop.includes(k)) out[k] = v;
  return out;
}

function sameShape(declared: AttrValue | undefined, actual: readonly number[]): boolean {
  if (!declared || declared.kind !== 'shape' || declared.value.unknownRank) return true;
  const dims = declared.value.dims;
  if (dims.length !== actual.length) return false;
  return dims.every((d, i) => d < 0 || d === actual[i]);
}

/** What `freezeGraph` resolves to. */
export function freezeGraphNow(graph: Graph, variables: ReadonlyMap<string, Tensor>, outputs: readonly string[], opts: FreezeGraphOptions = {}): FreezeGraphResult {
  checkGraphShallow('freezeGraph', 'graph', graph);
  if (!(variables instanceof Map)) throw badArgument('freezeGraph', 'variables', 'a Map from variable names to Tensors', variables);
  checkStringsArgument('freezeGraph', 'outputs', outputs);
  if (outputs.length === 0) throw new GraftError('freeze/missing-output', 'No output nodes: say which outputs to keep (`outputNodeNames`)');
  const diagnostics: Diagnostic[] = [];
  let sub = extractSubGraph(graph, outputs);
  const outputNodes = new Set(outputs.map(nodeNameOf));
  const allow = opts.allowlist ? new Set(opts.allowlist) : null;
  const deny = new Set(opts.denylist ?? []);

  // 1. Values for every variable the outputs need.
  const values = new Map<string, { tensor: Tensor; dtype: DType; resource: boolean }>();
  const converted: ConvertedVariable[] = [];
  for (const n of sub.nodes) {
    if (!VARIABLE_OPS.has(n.op)) continue;
    if ((allow && !allow.has(n.name)) || deny.has(n.name)) continue;
    const t = variables.get(n.name);
    if (!t) {
      const near = nearestNames(n.name, opts.knownKeys ?? variables.keys());
      throw new GraftError(
        'runtime/missing-variable',
        `Variable '${n.name}' (${n.op}) has no value in the checkpoint${opts.file ? ` ${opts.file}` : ''}${near.length ? `; near keys: ${near.map((k) => `'${k}'`).join(', ')}` : ''}`,
        { node: n.name, op: n.op, ...(opts.file ? { file: opts.file } : {}) },
      );
    }
    const declared = typeAttr(n, 'dtype');
    if (declared && baseDType(declared) !== baseDType(t.dtype)) {
      throw new GraftError('freeze/unsupported', `Variable '${n.name}' is ${baseDType(declared)}, but its checkpoint value is ${t.dtype}`, { node: n.name, op: n.op });
    }
    if (!sameShape(n.attrs.shape, t.shape)) {
      throw new GraftError('freeze/unsupported', `Variable '${n.name}' has shape attribute ${JSON.stringify(n.attrs.shape)} but its checkpoint value has shape [${t.shape.join(',')}]`, { node: n.name, op: n.op });
    }
    values.set(n.name, { tensor: t, dtype: baseDType(t.dtype), resource: n.op === 'VarHandleOp' });
    converted.push({ name: n.name, dtype: baseDType(t.dtype), shape: [...t.shape] });
  }

  // 2. Walk the data edges from each converted variable, deciding each consumer's rewrite.
  const idx = graphIndex(sub);
  const replaced = new Map<string, Node[]>(); // node name → its replacement node(s), in order
  const stateOps = new Set<string>();
  const visited = new Set<string>();
  const work: { node: string; port: number | null; dtype: DType; shape: readonly number[]; variable: string; resource: boolean }[] = [];
  for (const [name, v] of values) {
    work.push({ node: name, port: null, dtype: v.dtype, shape: v.tensor.shape, variable: name, resource: v.resource });
  }
  while (work.length) {
    const item = work.pop()!;
    for (const c of idx.consumers.get(item.node) ?? []) {
      if (c.ref.control) continue;
      if (item.port !== null && c.ref.port !== item.port) continue;
      const node = replaced.get(c.node.name)?.at(-1) ?? c.node;
      const key = `${c.node.name}#${c.inputIndex}`;
      if (visited.has(key)) continue;
      visited.add(key);
      const op = REF_FLAVOURS[node.op] ?? node.op;
      if (isStateUpdateOp(op)) {
        stateOps.add(c.node.name);
        continue;
      }
      if (!item.resource) {
        // A ref variable: readers dereference it; ref-flavoured pass-throughs become plain.
        if (REF_FLAVOURS[node.op]) {
          replaced.set(c.node.name, [makeNode({ ...node, op, inputs: node.inputs, attrs: { ...node.attrs } })]);
          work.push({ ...item, node: c.node.name, port: null });
        }
        continue;
      }
      if (op === 'ReadVariableOp') {
        const t = typeAttr(node, 'dtype') ?? item.dtype;
        const attrs: Record<string, AttrValue> = { T: attr.type(t) };
        if (node.attrs._class) attrs._class = node.attrs._class;
        replaced.set(c.node.name, [makeNode({ name: node.name, op: 'Identity', inputs: node.inputs, device: node.device, attrs })]);
      } else if (PASS_THROUGH.has(op)) {
        const attrs = withoutKeys(node.attrs, ['_output_shapes']);
        const T = node.attrs.T;
        if (T?.kind === 'list' && T.value.type) {
          const types = [...T.value.type];
          if (op === 'IdentityN') types[c.inputIndex] = item.dtype;
          else types.fill(item.dtype);
          attrs.T = attr.list({ ...T.value, type: types });
        } else attrs.T = attr.type(item.dtype);
        replaced.set(c.node.name, [makeNode({ ...node, op, inputs: node.inputs, attrs })]);
        work.push({ ...item, node: c.node.name, port: op === 'IdentityN' ? c.inputIndex : null });
      } else if (op === 'ResourceGather') {
        const batchDims = node.attrs.batch_dims;
        if (batchDims && batchDims.kind === 'i' && Number(batchDims.value) !== 0) {
          throw new GraftError('freeze/unsupported', `ResourceGather '${node.name}' has batch_dims != 0, which freezing does not support`, { node: node.name, op: node.op });
        }
        const tindices = typeAttr(node, 'Tindices') ?? 'int32';
        const axisName = `${node.name}/axis`;
        const axis = makeNode({ name: axisName, op: 'Const', attrs: { dtype: attr.type(tindices), value: attr.tensor(makeTensor(tindices, [], [0])) } });
        const data = node.inputs.filter((s) => !s.startsWith('^'));
        const controls = node.inputs.filter((s) => s.startsWith('^'));
        const attrs: Record<string, AttrValue> = { Tparams: attr.type(typeAttr(node, 'dtype') ?? item.dtype), Tindices: attr.type(tindices), Taxis: attr.type(tindices), batch_dims: attr.i(0) };
        if (node.attrs._class) attrs._class = node.attrs._class;
        replaced.set(c.node.name, [axis, makeNode({ name: node.name, op: 'GatherV2', inputs: [...data, axisName, ...controls], device: node.device, attrs })]);
      } else if (op === 'ResourceGatherNd') {
        const attrs: Record<string, AttrValue> = { Tparams: attr.type(typeAttr(node, 'dtype') ?? item.dtype), Tindices: attr.type(typeAttr(node, 'Tindices') ?? 'int32') };
        if (node.attrs._class) attrs._class = node.attrs._class;
        replaced.set(c.node.name, [makeNode({ name: node.name, op: 'GatherNd', inputs: node.inputs, device: node.device, attrs })]);
      } else if (op === 'VariableShape') {
        const outType = typeAttr(node, 'out_type') ?? 'int32';
        const shape = makeTensor(outType, [item.shape.length], item.shape);
        replaced.set(c.node.name, [makeNode({ name: node.name, op: 'Const', inputs: node.inputs.filter((s) => s.startsWith('^')), device: node.device, attrs: { dtype: attr.type(outType), value: attr.tensor(shape) } })]);
      } else if (op === 'VarIsInitializedOp') {
        replaced.set(c.node.name, [makeNode({ name: node.name, op: 'Const', inputs: node.inputs.filter((s) => s.startsWith('^')), device: node.device, attrs: { dtype: attr.type('bool'), value: attr.tensor(makeTensor('bool', [], [true])) } })]);
      } else {
        throw new GraftError(
          'freeze/unsupported',
          `Node '${node.name}' (${node.op}) uses variable '${item.variable}' in a way freezing cannot convert`,
          { node: node.name, op: node.op, hint: ['If', 'StatelessIf', 'While', 'StatelessWhile', 'Case', 'PartitionedCall', 'StatefulPartitionedCall'].includes(op) ? 'Variables passed into functional control flow or calls are not converted yet.' : undefined },
        );
      }
    }
  }

  // 3. State updates: only ones reached through control edges may go.
  for (const name of stateOps) {
    const node = idx.byName.get(name)!;
    if (outputNodes.has(name)) {
      throw new GraftError('freeze/unsupported', `Output '${name}' is a state update (${node.op}); a frozen graph has no state to update`, { node: name, op: node.op });
    }
    const dataUse = (idx.consumers.get(name) ?? []).find((c) => !c.ref.control && !stateOps.has(c.node.name));
    if (dataUse) {
      throw new GraftError('freeze/unsupported', `Node '${dataUse.node.name}' uses the result of state update '${name}' (${node.op}); freezing would change what it computes`, { node: name, op: node.op });
    }
  }
  if (stateOps.size) {
    const list = [...stateOps];
    diagnostics.push({
      severity: 'warning',
      code: 'freeze/dropped-state-updates',
      message: `Dropped ${list.length} state update(s) reached only through control edges: ${list.slice(0, 20).join(', ')}${list.length > 20 ? ', ...' : ''}`,
      hint: 'They update training state (moving averages, counters, optimizer slots); a frozen graph has no variables to update.',
    });
  }

  // 4. Assemble: variables become Consts, rewritten consumers replace theirs, state ops go.
  const nodes: Node[] = [];
  for (const n of sub.nodes) {
    if (stateOps.has(n.name)) continue;
    let list: Node[];
    const v = values.get(n.name);
    if (v) {
      list = [makeNode({ name: n.name, op: 'Const', inputs: n.inputs.filter((s) => s.startsWith('^')), device: n.device, attrs: { dtype: attr.type(v.dtype), value: attr.tensor(v.tensor) } })];
    } else list = replaced.get(n.name) ?? [n];
    for (let m of list) {
      if (stateOps.size && m.inputs.some((s) => s.startsWith('^') && stateOps.has(s.slice(1)))) {
        m = makeNode({ ...m, inputs: m.inputs.filter((s) => !(s.startsWith('^') && stateOps.has(s.slice(1)))), attrs: { ...m.attrs } });
      }
      if (stateOps.size && colocationTargets(m.attrs).some((t) => stateOps.has(t))) {
        const s = m.attrs._class!;
        const kept = s.kind === 'list' ? (s.value.s ?? []).filter((x) => !stateOps.has(attrText(x).replace(/^loc:@/, ''))) : [];
        const attrs = { ...m.attrs };
        if (kept.length) attrs._class = attr.list({ s: kept });
        else delete attrs._class;
        m = makeNode({ ...m, attrs });
      }
      if (opts.clearDevices && m.device) m = makeNode({ ...m, device: '', attrs: { ...m.attrs } });
      nodes.push(m);
    }
  }
  let frozen = makeGraph(nodes, sub);
  if (stateOps.size) frozen = extractSubGraph(frozen, outputs);
  frozen = pruneLibrary(frozen);

  // 5. Report what could not be frozen.
  const leftovers = frozen.nodes.filter((n) => isNonVariableResourceOp(n.op) || (n.op === 'Placeholder' && typeAttr(n, 'dtype') === 'resource'));
  if (leftovers.length) {
    diagnostics.push({
      severity: 'warning',
      code: 'freeze/non-variable-resource',
      message: `Kept ${leftovers.length} resource(s) that are not variables: ${leftovers.slice(0, 10).map((n) => `${n.name} (${n.op})`).join(', ')}`,
      hint: 'Tables, iterators and queues cannot become constants; the frozen graph still creates or expects them.',
    });
  }
  return { graph: frozen, converted, diagnostics };
}

/** The data inputs of a node, parsed. */
export function dataInputs(node: Node): ReturnType<typeof parseInput>[] {
  return node.inputs.filter((s) => !s.startsWith('^')).map(parseInput);
}
