/**
 * What graft cannot run, said before any work: per signature, the ops without a kernel in the
 * runtime's registry among the nodes that signature's outputs need (through function calls:
 * `StatefulPartitionedCall`, `If`, `While` bodies), its inputs being fed. Like tfjs-converter's
 * "unsupported ops" list, but per signature, since one signature of a SavedModel may run where
 * another (a `tf.Example` one) does not.
 *
 * `summarize` shows it, and `optimize` lists it up front: a signature listed here cannot be
 * verified.
 */
import type { Graph } from '../ir/graph';
import { graphIndex } from '../ir/graph';
import { inputNodeName, parseInput } from '../ir/node';
import type { MetaGraph, Signature, TensorInfo } from '../io/saved-model';
import type { ModelSummary, OpsWithoutKernel, SignatureOpsWithoutKernel } from '../inspect/summarize';
import type { LoadedModel } from '../io/loaded-model';
import type { KernelRegistry } from '../runtime/index';
import { checkFields, checkGraphShallow, checkLoadedModel, checkMetaGraph, checkObject, checkOptions, checkStringsArgument } from '../ir/check';

export type { OpsWithoutKernel, SignatureOpsWithoutKernel } from '../inspect/summarize';

/** The signature every TF2 SavedModel carries for its initializers: not one to run or verify. */
export const INIT_SIGNATURE = '__saved_model_init_op';

/** Tensor names a signature side names: dense names, and the parts of sparse and composite tensors. */
export function signatureTensorNames(side: Readonly<Record<string, TensorInfo>>): string[] {
  return Object.values(side).flatMap((t) => (t.encoding === 'name' ? (t.name ? [t.name] : []) : rawNames((t.raw ?? {}) as Raw)));
}

type Raw = { readonly [k: string]: unknown };

function rawNames(raw: Raw): string[] {
  if (typeof raw.name === 'string' && raw.name) return [raw.name];
  const coo = raw.coo_sparse as Raw | undefined;
  if (coo) return ['values_tensor_name', 'indices_tensor_name', 'dense_shape_tensor_name'].map((k) => coo[k]).filter((v): v is string => typeof v === 'string' && v !== '');
  const comp = raw.composite_tensor as Raw | undefined;
  if (comp) return ((comp.components as Raw[] | undefined) ?? []).flatMap(rawNames);
  return [];
}

/**
 * The ops without a kernel that computing `outputs` from `inputs` needs (inputs are fed, so what
 * only they need is not counted), most used first. Nodes inside functions are named
 * `node (in function)`.
 *
 * @example
 * ```ts
 * await opsWithoutKernel(graph, ['y:0'], ['x:0']); // [{ op: 'ParseExample', nodes: ['ParseExample/ParseExample'] }]
 * ```
 */
export async function opsWithoutKernel(graph: Graph, outputs: readonly string[], inputs: readonly string[] = [], kernels?: KernelRegistry): Promise<OpsWithoutKernel[]> {
  checkGraphShallow('opsWithoutKernel', 'graph', graph);
  checkStringsArgument('opsWithoutKernel', 'outputs', outputs);
  checkStringsArgument('opsWithoutKernel', 'inputs', inputs);
  // Only the runtime's op list and graph walk: the kernels themselves are not loaded.
  const { missingKernels } = await import('../runtime/missing-kernels');
  const names = graphIndex(graph).byName;
  // A signature naming a node the graph lacks is reported elsewhere (freeze/missing-output).
  const fetches = outputs.filter((o) => names.has(inputNodeName(o)));
  if (fetches.length === 0) return [];
  return missingKernels(graph, fetches, kernels, inputs.filter((i) => names.has(inputNodeName(i))))
    .map((m) => ({ op: m.op, nodes: m.nodes }))
    .sort((a, b) => b.nodes.length - a.nodes.length || a.op.localeCompare(b.op));
}

/** The ops without a kernel one signature needs. */
export async function signatureOpsWithoutKernel(graph: Graph, sig: Signature, kernels?: KernelRegistry): Promise<OpsWithoutKernel[]> {
  checkGraphShallow('signatureOpsWithoutKernel', 'graph', graph);
  checkFields('signatureOpsWithoutKernel', 'sig', sig, { inputs: 'object', outputs: 'object' }, 'a Signature');
  return opsWithoutKernel(graph, signatureTensorNames(sig.outputs), signatureTensorNames(sig.inputs), kernels);
}

/**
 * Per signature of a meta graph (`__saved_model_init_op` aside), the ops graft cannot run.
 * Signatures that graft can run fully have an empty `ops` list.
 *
 * @example
 * ```ts
 * const mg = findMetaGraph(savedModel, ['serve']);
 * for (const s of await unsupportedOps(mg)) if (s.ops.length) console.log(s.signature, s.ops.map((o) => o.op));
 * ```
 */
export async function unsupportedOps(mg: MetaGraph, opts: { signatures?: readonly string[]; kernels?: KernelRegistry } = {}): Promise<SignatureOpsWithoutKernel[]> {
  checkMetaGraph('unsupportedOps', 'mg', mg);
  checkOptions('unsupportedOps', 'opts', opts);
  const keys = opts.signatures ?? Object.keys(mg.signatures).filter((k) => k !== INIT_SIGNATURE);
  const out: SignatureOpsWithoutKernel[] = [];
  for (const k of keys) out.push({ signature: k, ops: await signatureOpsWithoutKernel(mg.graph, mg.signatures[k]!, opts.kernels) });
  return out;
}

/**
 * The same for any loaded model: per signature of the summarized meta graph, or for a GraphDef
 * (or a meta graph without signatures) one entry, `signature: null`, over the graph's outputs
 * (the nodes nothing consumes) from its placeholders.
 */
export async function modelUnsupportedOps(model: LoadedModel, summary: ModelSummary, kernels?: KernelRegistry): Promise<SignatureOpsWithoutKernel[]> {
  checkLoadedModel('modelUnsupportedOps', 'model', model);
  checkObject('modelUnsupportedOps', 'summary', summary, 'a ModelSummary (summarizeModel)');
  let mg: MetaGraph | undefined;
  if (model.kind === 'meta-graph') mg = model.metaGraph;
  else if (model.kind === 'saved-model') {
    const want = [...(summary.tags ?? [])].sort().join(',');
    mg = model.savedModel.metaGraphs.find((m) => [...m.tags].sort().join(',') === want) ?? model.savedModel.metaGraphs[0];
  }
  if (mg && Object.keys(mg.signatures).some((k) => k !== INIT_SIGNATURE)) return unsupportedOps(mg, kernels ? { kernels } : {});
  const graph = model.kind === 'graph-def' ? model.graph : mg!.graph;
  return [{ signature: null, ops: await opsWithoutKernel(graph, summary.outputs.map((o) => o.name), summary.placeholders.map((p) => p.name), kernels) }];
}

/**
 * Ops that write a variable when they run: TF1 `Assign*` on ref variables, resource-variable
 * assignments, scatters, and the optimizers' `Apply*` updates. (Checkpoint save/restore and
 * table initializers are not counted: running a signature does not reach them.)
 */
const STATE_UPDATE = /^(Assign|AssignAdd|AssignSub|AssignVariableOp|AssignAddVariableOp|AssignSubVariableOp|(Resource)?Scatter[A-Za-z]*|(Resource)?(Sparse)?Apply[A-Za-z]+)$/;

/** One variable write a signature performs. */
export interface StateUpdate {
  readonly op: string;
  /** The node (`node (in function)` inside functions). */
  readonly node: string;
}

/**
 * The variable writes running a signature performs: nodes among those its outputs need (data and
 * control edges; inside called functions, what their outputs and control outputs need) whose op
 * assigns a variable. A signature that updates state (a counter's `incr`, a training step) has no
 * frozen equivalent: a frozen graph has no variables.
 *
 * @example
 * ```ts
 * stateUpdates(mg.graph, mg.signatures.incr_counter); // [{ op: 'AssignAdd', node: 'incr_counter_op/AssignAdd' }]
 * ```
 */
export function stateUpdates(graph: Graph, sig: Signature): StateUpdate[] {
  checkGraphShallow('stateUpdates', 'graph', graph);
  checkFields('stateUpdates', 'sig', sig, { inputs: 'object', outputs: 'object' }, 'a Signature');
  const out: StateUpdate[] = [];
  const seenFns = new Set<string>();
  const functions = new Map(graph.library.functions.map((f) => [f.signature.name, f]));
  const walk = (nodes: readonly { name: string; op: string; inputs: readonly string[]; attrs: Readonly<Record<string, unknown>> }[], targets: readonly string[], fed: ReadonlySet<string>, suffix: string) => {
    const byName = new Map(nodes.map((n) => [n.name, n]));
    const seen = new Set<string>();
    const stack = targets.filter((t) => byName.has(t));
    while (stack.length) {
      const name = stack.pop()!;
      if (seen.has(name)) continue;
      seen.add(name);
      const node = byName.get(name)!;
      if (STATE_UPDATE.test(node.op)) out.push({ op: node.op, node: `${name}${suffix}` });
      if (fed.has(name)) continue;
      for (const fn of calledFunctionNames(node.attrs)) {
        if (seenFns.has(fn)) continue;
        seenFns.add(fn);
        const def = functions.get(fn);
        if (!def) continue;
        const rets = [...Object.values(def.ret), ...Object.values(def.controlRet)].map((r) => parseInput(r).node);
        walk(def.nodes, rets, new Set(), ` (in ${fn})`);
      }
      for (const i of node.inputs) {
        const n = parseInput(i).node;
        if (byName.has(n) && !seen.has(n)) stack.push(n);
      }
    }
  };
  const fed = new Set(signatureTensorNames(sig.inputs).map((t) => parseInput(t).node));
  walk(graph.nodes, signatureTensorNames(sig.outputs).map((t) => parseInput(t).node), fed, '');
  return out;
}

/** Function names in a node's attributes (`f`, `body`, `cond`, `then_branch`, `branches`, ...). */
function calledFunctionNames(attrs: Readonly<Record<string, unknown>>): string[] {
  const out: string[] = [];
  for (const a of Object.values(attrs) as { kind?: string; value?: unknown }[]) {
    if (a?.kind === 'func') out.push((a.value as { name: string }).name);
    else if (a?.kind === 'list') for (const f of ((a.value as { func?: { name: string }[] }).func ?? [])) out.push(f.name);
  }
  return out;
}
