/**
 * The body of `foldConstants` (fold-constants.ts declares it and says what it does, and where it
 * differs from TensorFlow), loaded with `import()` the first time the transform runs.
 */
import { placeholderShape } from '../../ir/placeholder';
import { isGraftError, shortName } from '../../errors';
import { estimateOutputBytes, type InputInfo } from '../../ir/output-size';
import { attr, attrText } from '../../ir/attr';
import { type DType, baseDType, dtypeSize } from '../../ir/dtype';
import { type GraphIndex, graphIndex } from '../../ir/graph';
import type { Graph } from '../../ir/graph';
import { type InputRef, type Node, makeNode, parseInput } from '../../ir/node';
import { dedupeControlInputs, removeAttrs, replaceInputs, withNodesIfChanged } from '../../ir/edit';
import { isStatefulOp, knownOp, outputsVariant } from '../../ir/op-facts';
import { type Tensor, makeTensor, numElements, tensorByteSize, tensorToNumbers } from '../../ir/tensor';
import { executionOrder } from '../../ir/topo';
import type { TransformContext, ApplyOf } from '../../transform/define';
import { type foldConstants, NAME } from '../fold-constants';

/** A run may create at most this many times max_constant_size_in_bytes in folded values. */
const TOTAL_BUDGET_FACTOR = 64;

const CONTROL_FLOW_OPS = new Set([
  'Switch', 'RefSwitch', '_SwitchN', 'Merge', 'RefMerge', '_XlaMerge', 'Enter', 'RefEnter', 'Exit', 'RefExit',
  'NextIteration', 'RefNextIteration', 'LoopCond', 'ControlTrigger', 'Abort',
]);

const ENTER_OPS = new Set(['Enter', 'RefEnter']);

const EXIT_OPS = new Set(['Exit', 'RefExit']);

/** Never folded whatever their inputs: graph inputs, transfers, session handles, no-ops. */
const NEVER_FOLDED_OPS = new Set([
  'Placeholder', 'PlaceholderV2', 'PlaceholderWithDefault', '_Arg', '_Retval', '_Send', '_Recv', '_HostSend', '_HostRecv',
  'GetSessionHandle', 'GetSessionHandleV2', 'GetSessionTensor', 'DeleteSessionTensor', 'FakeParam', 'NoOp',
  // The saver's: their filename input is a Const that TensorFlow's Saver feeds with the path.
  'ShardedFilename', 'ShardedFilespec', 'RestoreV2',
  // Side effects (they write files): never run at transform time, whatever their inputs. They are
  // stateful too (isStatefulOp); listed here so that no change to the op facts could fold them.
  'SaveV2', 'Save', 'SaveSlices', 'MergeV2Checkpoints',
]);

/** Random ops, stateless ones included (their streams are TF's Philox, which tfjs does not have). */
const RANDOM_OP = /Random|Multinomial|TruncatedNormal|RandomShuffle|RandomCrop/;

const PLACEHOLDER_OPS = new Set(['Placeholder', 'PlaceholderV2', 'PlaceholderWithDefault']);

const SHAPE_OPS = new Set(['Shape', 'ShapeN', 'Size', 'Rank']);

/** Ops whose output is their input: a fold through them to a Const reuses that Const. */
const COPY_OPS = new Set(['Identity', 'Snapshot', 'StopGradient', 'PreventGradient']);

export const apply: ApplyOf<typeof foldConstants> = (graph, params, ctx) => {
  return foldGraph(graph, params, ctx);
};

interface FoldParams {
  readonly clearOutputShapes: boolean;
  readonly excludeOp: readonly string[];
  readonly excludeNode: readonly string[];
  readonly maxConstantSizeInBytes: number;
}

type Runtime = typeof import('../../runtime/index');

/** One run of the transform: the graph, its parameters, and what evaluation found so far. */
interface FoldRun {
  readonly graph: Graph;
  readonly idx: GraphIndex;
  /** The nodes in execution order. */
  readonly order: readonly Node[];
  readonly params: FoldParams;
  readonly ctx: TransformContext;
  readonly budget: number;
  readonly totalBudget: number;
  readonly excludedOps: ReadonlySet<string>;
  readonly excludedNodes: ReadonlySet<string>;
  readonly inputNodes: ReadonlySet<string>;
  /** Nodes inside a TF1 loop frame: never folded. */
  readonly inFrame: ReadonlySet<string>;
  /** Outputs of foldable nodes. */
  readonly values: Map<string, readonly Tensor[]>;
  /** Non-foldable nodes a foldable node's value depends on through control edges (or shapes). */
  readonly carried: Map<string, readonly string[]>;
  /** Ops without a kernel, with the nodes left unfolded for that. */
  readonly unsupported: Map<string, string[]>;
  /** Bytes of values created so far (against `totalBudget`). */
  created: number;
  totalReported: boolean;
  runtime?: Runtime;
  /** The tfjs backend evaluation ran on, once known. */
  backend?: 'wasm' | 'cpu';
  kernels?: ReturnType<Runtime['createKernelRegistry']>;
}

/** A folded tensor's replacement (`node:port` → the Const read instead), and the new Consts by producer. */
interface Replacements {
  readonly replacement: Map<string, string>;
  readonly newConsts: Map<string, Node[]>;
}

async function foldGraph(graph: Graph, params: FoldParams, ctx: TransformContext): Promise<Graph> {
  const run = startFold(graph, params, ctx);
  await evaluateFoldable(run);
  reportUnsupported(run);
  reportBackend(run);
  const folded = keptFolded(run);
  const replacements = replacementConsts(run, folded);
  const rewired = rewireStaying(run, folded, replacements.replacement);
  const live = liveFolded(run, folded, rewired, replacements.newConsts);
  return assemble(run, folded, live, rewired, replacements.newConsts);
}

function startFold(graph: Graph, params: FoldParams, ctx: TransformContext): FoldRun {
  const budget = params.maxConstantSizeInBytes;
  const { order } = executionOrder(graph);
  return {
    graph,
    idx: graphIndex(graph),
    order,
    params,
    ctx,
    budget,
    totalBudget: TOTAL_BUDGET_FACTOR * budget,
    excludedOps: new Set(params.excludeOp),
    excludedNodes: new Set(params.excludeNode),
    inputNodes: new Set(ctx.inputs.filter((s) => s !== '').map((s) => parseInput(s).node)),
    inFrame: loopFrameNodes(order),
    values: new Map(),
    carried: new Map(),
    unsupported: new Map(),
    created: 0,
    totalReported: false,
  };
}

/** The runtime and its kernels, loaded on first use, so that loading graft's transforms never loads tfjs. */
async function loadRuntime(run: FoldRun): Promise<Runtime> {
  run.runtime ??= await import('../../runtime/index');
  run.kernels ??= run.runtime.createKernelRegistry();
  run.backend ??= await run.runtime.activeBackend(run.ctx.backend ?? 'wasm');
  return run.runtime;
}

/** The non-foldable nodes `node`'s value depends on: its inputs' carried ones, control inputs, and `alsoProducers`. */
function carriedOf(run: FoldRun, node: Node, refs: readonly InputRef[], alsoProducers: ReadonlySet<string> = new Set()): string[] {
  const out = new Set<string>();
  for (const r of refs) {
    if (run.values.has(r.node)) for (const c of run.carried.get(r.node) ?? []) out.add(c);
    else if (r.control || alsoProducers.has(r.node)) out.add(r.node);
  }
  out.delete(node.name);
  return [...out];
}

function setValue(run: FoldRun, node: Node, outs: readonly Tensor[], carried: readonly string[]): void {
  run.values.set(node.name, outs);
  run.carried.set(node.name, carried);
}

// ---- evaluation: every foldable node's value, in execution order

async function evaluateFoldable(run: FoldRun): Promise<void> {
  for (const node of run.order) {
    run.ctx.signal?.throwIfAborted();
    if (!consider(run, node)) continue;
    const refs = run.idx.inputs.get(node.name) ?? [];
    const data = refs.filter((r) => !r.control);
    if (node.op === 'Const') foldConst(run, node, refs);
    else if (SHAPE_OPS.has(node.op)) foldShapeOp(run, node, refs, data);
    else if (data.every((r) => run.values.has(r.node))) await foldByKernel(run, node, refs, data);
  }
}

function foldConst(run: FoldRun, node: Node, refs: readonly InputRef[]): void {
  const v = node.attrs['value'];
  if (v?.kind !== 'tensor') return;
  const b = baseDType(v.value.dtype);
  if (b === 'resource' || b === 'variant') return;
  setValue(run, node, [v.value], carriedOf(run, node, refs));
}

function foldShapeOp(run: FoldRun, node: Node, refs: readonly InputRef[], data: readonly InputRef[]): void {
  const out = shapeOpValues(node, data.map((r) => staticShape(run, r)));
  if (!out) return;
  setValue(run, node, out, carriedOf(run, node, refs, new Set(data.filter((r) => !run.values.has(r.node)).map((r) => r.node))));
}

/** A node whose data inputs are all known: evaluated by its kernel, within the budgets. */
async function foldByKernel(run: FoldRun, node: Node, refs: readonly InputRef[], data: readonly InputRef[]): Promise<void> {
  const rt = await loadRuntime(run);
  if (!run.kernels!.has(node.op)) {
    const list = run.unsupported.get(node.op) ?? [];
    list.push(node.name);
    run.unsupported.set(node.op, list);
    return;
  }
  const inputs = data.map((r) => run.values.get(r.node)![r.port]);
  if (inputs.some((t) => t === undefined)) return;
  const given = inputs as Tensor[];
  if (COPY_OPS.has(node.op) && given.length === 1) {
    // A copy is its input: no evaluation, no new memory.
    setValue(run, node, [given[0]!], carriedOf(run, node, refs));
    return;
  }
  if (!withinBudgets(run, node, given)) return;
  let outs: Tensor[];
  const { budget, ctx } = run;
  try {
    outs = await rt.evaluateNode(node, given, { backend: run.backend!, library: run.graph.library, limits: { maxTensorBytes: given.reduce((m, t) => Math.max(m, declaredBytes(t)), budget) } });
  } catch (e) {
    if (isGraftError(e) && e.code === 'runtime/too-large') {
      ctx.report({
        severity: 'info',
        code: `${NAME}/over-budget`,
        node: node.name,
        message: `Left ${node.op} '${shortName(node.name)}' unfolded: ${e.message}`,
        hint: 'Raise max_constant_size_in_bytes to fold it anyway.',
      });
      return;
    }
    reportFailure(ctx, node, e, run.unsupported);
    return;
  }
  const made = outs.reduce((sum, t) => sum + tensorByteSize(t), 0);
  run.created += made;
  if (made > budget) {
    // The estimate did not know this op: the value is dropped, not kept for further folding.
    ctx.report({
      severity: 'info',
      code: `${NAME}/over-budget`,
      node: node.name,
      message: `Left ${node.op} '${shortName(node.name)}' unfolded: its output takes ${made} bytes, over max_constant_size_in_bytes=${budget}`,
      hint: 'Raise max_constant_size_in_bytes to fold it anyway.',
    });
    return;
  }
  setValue(run, node, outs, carriedOf(run, node, refs));
}

/**
 * Decided before the kernel runs: the output's size from the inputs' shapes (an unknown op is
 * judged by its inputs), plus the inputs a value list would expand, against the per-value and the
 * total budget (said once).
 */
function withinBudgets(run: FoldRun, node: Node, given: readonly Tensor[]): boolean {
  const { budget, totalBudget, ctx } = run;
  const estimate = estimateOutputBytes(node, given.map(inputInfo));
  const expanded = given.reduce((sum, t) => sum + (t.data.kind === 'content' ? 0 : declaredBytes(t)), 0);
  const need = (estimate ?? given.reduce((sum, t) => sum + declaredBytes(t), 0)) + expanded;
  if (need > budget) {
    ctx.report({
      severity: 'info',
      code: 'over-budget',
      node: node.name,
      message:
        estimate !== undefined
          ? `Left ${node.op} '${shortName(node.name)}' unfolded: its output would take ${estimate} bytes${expanded > 0 ? ` (and ${expanded} bytes of expanded inputs)` : ''}, over max_constant_size_in_bytes=${budget}`
          : `Left ${node.op} '${shortName(node.name)}' unfolded: its output size is not known ahead and its inputs take ${need} bytes, over max_constant_size_in_bytes=${budget}`,
      hint: 'Raise max_constant_size_in_bytes to fold it anyway.',
    });
    return false;
  }
  if (run.created + need > totalBudget) {
    if (!run.totalReported) {
      run.totalReported = true;
      ctx.report({
        severity: 'info',
        code: 'total-budget',
        node: node.name,
        message: `Stopped folding at ${node.op} '${shortName(node.name)}': the values folded so far take ${run.created} bytes, and a run may create at most ${totalBudget} (${TOTAL_BUDGET_FACTOR} × max_constant_size_in_bytes)`,
        hint: 'Raise max_constant_size_in_bytes to allow more, or fold in several passes.',
      });
    }
    return false;
  }
  return true;
}

/** Says which backend folded when it is not wasm (asked for, or wasm could not start). */
function reportBackend(run: FoldRun): void {
  if (run.backend === undefined || run.backend === 'wasm') return;
  const asked = run.ctx.backend === 'cpu';
  const why = run.runtime?.wasmStartFailure();
  run.ctx.report({
    severity: 'info',
    code: 'backend',
    message: `Folded constants on the tfjs ${run.backend} backend${asked ? '' : ` (the wasm backend could not start${why ? `: ${why}` : ''})`}`,
    hint: asked ? 'The folded values are the same on wasm.' : 'The folded values are the same as on wasm; only speed differs. In a browser or bundle, give wasmPaths.',
  });
}

function reportUnsupported(run: FoldRun): void {
  for (const [op, nodes] of [...run.unsupported].sort(([a], [b]) => a.localeCompare(b))) {
    run.ctx.report({
      severity: 'info',
      code: 'unsupported-op',
      node: nodes[0]!,
      message: `Left ${nodes.length} ${op} node(s) unfolded: the runtime has no kernel for ${op} (${nodes.slice(0, 5).map((n) => `'${n}'`).join(', ')}${nodes.length > 5 ? ', …' : ''})`,
      hint: 'Their constant inputs were folded; what reads them was not.',
    });
  }
}

/** The node may be folded, judging by the node alone. */
function consider(run: FoldRun, node: Node): boolean {
  if (run.inFrame.has(node.name) || CONTROL_FLOW_OPS.has(node.op) || NEVER_FOLDED_OPS.has(node.op)) return false;
  if (run.ctx.protectedNodes.has(node.name) || run.inputNodes.has(node.name)) return false;
  if (run.excludedOps.has(node.op) || run.excludedNodes.has(node.name)) return false;
  if (RANDOM_OP.test(node.op)) return false;
  // Unknown ops go on: the kernel check reports them (an op the runtime has a kernel for is pure).
  if (knownOp(node.op) && isStatefulOp(node.op)) return false;
  // A TensorList (a variant value) has no tensor form: never a Const, and what reads it stays.
  if (outputsVariant(node)) return false;
  return !('_scoped_allocator' in node.attrs);
}

/** Dimensions of a tensor known without running the graph (-1 unknown), or null. */
function staticShape(run: FoldRun, r: InputRef): readonly number[] | null {
  const v = run.values.get(r.node)?.[r.port];
  if (v) return v.shape;
  const p = run.idx.byName.get(r.node);
  if (!p) return null;
  if (PLACEHOLDER_OPS.has(p.op) && r.port === 0) {
    const s = placeholderShape(p, run.graph);
    if (!s.unknownRank && p.attrs['shape']?.kind === 'shape') return s.dims;
  }
  if (!run.params.clearOutputShapes) {
    const s = p.attrs['_output_shapes'];
    const shape = s?.kind === 'list' ? s.value.shape?.[r.port] : undefined;
    if (shape && !shape.unknownRank) return shape.dims;
  }
  return null;
}

// ---- rewriting: which values replace their producers, and the graph that reads them

/** Folded nodes, less those whose value a staying node reads but that is too large (they keep their producer). */
function keptFolded(run: FoldRun): Set<string> {
  const { graph, idx, values, budget, ctx } = run;
  const folded = new Set(values.keys());
  const worklist = graph.nodes.filter((n) => !folded.has(n.name));
  for (let i = 0; i < worklist.length; i++) {
    for (const r of idx.inputs.get(worklist[i]!.name) ?? []) {
      if (r.control || !folded.has(r.node)) continue;
      const producer = idx.byName.get(r.node)!;
      if (producer.op === 'Const') continue;
      const t = values.get(r.node)![r.port];
      const size = t ? tensorByteSize(t) : Infinity;
      if (size <= budget) continue;
      folded.delete(r.node);
      worklist.push(producer);
      ctx.report({
        severity: 'info',
        code: 'over-budget',
        node: producer.name,
        message: `Left ${producer.op} '${producer.name}' unfolded: its output ${r.port} takes ${size} bytes, over max_constant_size_in_bytes=${budget}`,
        hint: 'Raise max_constant_size_in_bytes to fold it anyway.',
      });
    }
  }
  return folded;
}

/** The replacement of every folded tensor a staying node reads: the Const itself, the Const a copy copies, or a new Const. */
function replacementConsts(run: FoldRun, folded: ReadonlySet<string>): Replacements {
  const { graph, idx, values, carried } = run;
  const taken = new Set(idx.byName.keys());
  const replacement = new Map<string, string>();
  const newConsts = new Map<string, Node[]>();
  const sameDeps = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');
  const copiedConst = (name: string): Node | undefined => {
    const n = idx.byName.get(name);
    if (!n || !folded.has(name)) return undefined;
    if (n.op === 'Const') return n;
    if (!COPY_OPS.has(n.op)) return undefined;
    const d = (idx.inputs.get(name) ?? []).filter((r) => !r.control);
    return d.length === 1 && d[0]!.port === 0 ? copiedConst(d[0]!.node) : undefined;
  };
  for (const node of graph.nodes) {
    if (folded.has(node.name)) continue;
    for (const r of idx.inputs.get(node.name) ?? []) {
      if (r.control || !folded.has(r.node)) continue;
      const key = `${r.node}:${r.port}`;
      if (replacement.has(key)) continue;
      const producer = idx.byName.get(r.node)!;
      if (producer.op === 'Const') {
        replacement.set(key, r.node);
        continue;
      }
      const source = copiedConst(r.node);
      if (source && sameDeps(carried.get(r.node)!, carried.get(source.name)!)) {
        replacement.set(key, source.name);
        continue;
      }
      const t = values.get(r.node)![r.port]!;
      let name = `${r.node}/__cf__${r.port}`;
      for (let k = 1; taken.has(name); k++) name = `${r.node}/__cf__${r.port}_${k}`;
      taken.add(name);
      const c = makeNode({
        name,
        op: 'Const',
        device: producer.device,
        inputs: (carried.get(r.node) ?? []).map((d) => `^${d}`),
        attrs: { dtype: attr.type(t.dtype), value: attr.tensor(t) },
      });
      replacement.set(key, name);
      newConsts.set(r.node, [...(newConsts.get(r.node) ?? []), c]);
    }
  }
  return { replacement, newConsts };
}

/** Staying nodes that read folded ones, rewired; control consumers of a dropped node take its carried dependencies. */
function rewireStaying(run: FoldRun, folded: ReadonlySet<string>, replacement: ReadonlyMap<string, string>): Map<string, Node> {
  const { graph, idx, carried } = run;
  const rewired = new Map<string, Node>();
  for (const node of graph.nodes) {
    if (folded.has(node.name)) continue;
    const refs = idx.inputs.get(node.name) ?? [];
    if (!refs.some((r) => folded.has(r.node))) continue;
    const inputs: string[] = [];
    refs.forEach((r, i) => {
      if (!folded.has(r.node)) inputs.push(node.inputs[i]!);
      else if (!r.control) inputs.push(replacement.get(`${r.node}:${r.port}`)!);
      else if (idx.byName.get(r.node)!.op === 'Const') inputs.push(node.inputs[i]!);
      else for (const d of carried.get(r.node) ?? []) inputs.push(`^${d}`);
    });
    rewired.set(node.name, replaceInputs(node, dedupeControlInputs(inputs)));
  }
  return rewired;
}

/** Folded nodes still read (or protected, or read by nothing before: not ours to prune); the others are dropped. */
function liveFolded(run: FoldRun, folded: ReadonlySet<string>, rewired: ReadonlyMap<string, Node>, newConsts: ReadonlyMap<string, Node[]>): Set<string> {
  const { graph, idx, ctx } = run;
  const live = new Set<string>();
  const stack: string[] = [];
  const visit = (inputs: readonly string[]) => {
    for (const s of inputs) {
      const n = parseInput(s).node;
      if (folded.has(n) && !live.has(n)) {
        live.add(n);
        stack.push(n);
      }
    }
  };
  for (const node of graph.nodes) {
    if (!folded.has(node.name)) visit((rewired.get(node.name) ?? node).inputs);
    else if ((idx.consumers.get(node.name) ?? []).length === 0 || ctx.protectedNodes.has(node.name)) {
      live.add(node.name);
      stack.push(node.name);
    }
  }
  for (const list of newConsts.values()) for (const c of list) visit(c.inputs);
  while (stack.length > 0) visit(idx.byName.get(stack.pop()!)!.inputs);
  return live;
}

/** The result in the original order (new Consts after their producer's place), with the counters. */
function assemble(run: FoldRun, folded: ReadonlySet<string>, live: ReadonlySet<string>, rewired: ReadonlyMap<string, Node>, newConsts: ReadonlyMap<string, Node[]>): Graph {
  const { graph, values, ctx, params } = run;
  const out: Node[] = [];
  let removed = 0;
  let foldedOps = 0;
  let bytesSaved = 0;
  let constants = 0;
  for (const node of graph.nodes) {
    const dropped = folded.has(node.name) && !live.has(node.name);
    if (dropped) {
      removed++;
      if (node.op === 'Const') bytesSaved += tensorByteSize(values.get(node.name)![0]!);
      else foldedOps++;
    } else {
      out.push(rewired.get(node.name) ?? node);
    }
    for (const c of newConsts.get(node.name) ?? []) {
      out.push(c);
      constants++;
      bytesSaved -= tensorByteSize((c.attrs['value'] as { value: Tensor }).value);
    }
  }
  const result = params.clearOutputShapes ? out.map((n) => removeAttrs(n, ['_output_shapes'])) : out;

  if (foldedOps > 0) ctx.count('folded', foldedOps);
  if (removed > 0) ctx.count('removed', removed);
  if (constants > 0) ctx.count('constants', constants);
  if (removed > 0 || constants > 0) ctx.count('bytes_saved', bytesSaved);
  if (bytesSaved < 0) {
    ctx.report({
      severity: 'info',
      code: 'grew',
      message: `Folding added ${-bytesSaved} bytes of constants (${constants} new, ${removed} nodes removed)`,
      hint: 'Lower max_constant_size_in_bytes or exclude_op the ops that expand (Tile, Fill, ...) to keep the model small.',
    });
  }
  return withNodesIfChanged(graph, result);
}

/** `Shape`/`ShapeN`/`Size`/`Rank` outputs from their inputs' static shapes, or undefined. */
function shapeOpValues(node: Node, shapes: readonly (readonly number[] | null)[]): Tensor[] | undefined {
  if (shapes.length === 0 || shapes.some((s) => s === null)) return undefined;
  const full = (s: readonly number[]) => s.every((d) => d >= 0);
  const outType = (): DType | undefined => {
    const a = node.attrs['out_type'];
    const t = a === undefined ? 'int32' : a.kind === 'type' ? baseDType(a.value) : undefined;
    return t === 'int32' || t === 'int64' ? t : undefined;
  };
  const fits = (t: DType, xs: readonly number[]) => t === 'int64' || xs.every((x) => x <= 0x7fffffff);
  switch (node.op) {
    case 'Rank':
      return [makeTensor('int32', [], [shapes[0]!.length])];
    case 'Size': {
      const t = outType();
      if (!t || !full(shapes[0]!)) return undefined;
      const n = numElements(shapes[0]!);
      return Number.isSafeInteger(n) && fits(t, [n]) ? [makeTensor(t, [], [n])] : undefined;
    }
    default: {
      const t = outType();
      if (!t || !shapes.every((s) => full(s!) && fits(t, s!))) return undefined;
      const outs = shapes.map((s) => makeTensor(t, [s!.length], s!));
      return node.op === 'Shape' ? outs.slice(0, 1) : outs;
    }
  }
}

/** What the output-size estimate needs of a folded value: its shape, dtype, and small values. */
function inputInfo(t: Tensor): InputInfo {
  return {
    shape: t.shape,
    dtype: t.dtype,
    values: () => {
      if (numElements(t.shape) > 64) return undefined;
      try {
        return tensorToNumbers(t);
      } catch {
        return undefined;
      }
    },
  };
}

/** The bytes a tensor takes once expanded (a value list repeats its last value), without expanding it. */
function declaredBytes(t: Tensor): number {
  if (t.data.kind === 'content') return t.data.bytes.length;
  if (t.data.kind === 'strings') return tensorByteSize(t) + 8 * numElements(t.shape);
  return numElements(t.shape) * (dtypeSize(t.dtype) ?? 8);
}

function reportFailure(ctx: TransformContext, node: Node, e: unknown, unsupported: Map<string, string[]>): void {
  if (isGraftError(e) && e.code === 'runtime/unsupported-op') {
    const list = unsupported.get(node.op) ?? [];
    list.push(node.name);
    unsupported.set(node.op, list);
    return;
  }
  const reason = e instanceof Error ? e.message : String(e);
  const dtype = isGraftError(e) && e.code === 'runtime/unsupported-dtype';
  ctx.report({
    severity: 'warning',
    code: 'cannot-evaluate',
    node: node.name,
    message: `Left ${node.op} '${node.name}' unfolded: ${dtype ? 'the runtime cannot compute it exactly' : 'evaluating it failed'}: ${reason}`,
  });
}

/**
 * Nodes inside a TF1 while-loop frame: `Enter` opens the frame named by its `frame_name`, `Exit`
 * returns to the parent; any other node is in the frame of its first input that is in one (control
 * inputs included: a loop-body Const hangs off the loop by a control edge). Nodes on cycles that
 * no Merge breaks never reach `order` and are never folded either.
 */
function loopFrameNodes(order: readonly Node[]): Set<string> {
  const frame = new Map<string, string>();
  const parent = (f: string) => (f.includes('\u0000') ? f.slice(0, f.lastIndexOf('\u0000')) : '');
  const out = new Set<string>();
  for (const node of order) {
    let f = '';
    for (const s of node.inputs) {
      const g = frame.get(parseInput(s).node);
      if (g) {
        f = g;
        break;
      }
    }
    if (ENTER_OPS.has(node.op)) {
      const a = node.attrs['frame_name'];
      f = `${f}\u0000${a?.kind === 's' ? attrText(a.value) : node.name}`;
    } else if (EXIT_OPS.has(node.op)) {
      f = parent(f);
    }
    frame.set(node.name, f);
    if (f !== '') out.add(node.name);
  }
  return out;
}
