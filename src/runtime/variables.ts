/**
 * Variable values for the runtime, from checkpoints.
 *
 * TF1 checkpoints are keyed by variable name, which is the `VariableV2` node name (and, for TF1
 * resource variables, the `VarHandleOp` shared_name). TF2 checkpoints are keyed by object path
 * (`a/.ATTRIBUTES/VARIABLE_VALUE`); which `VarHandleOp` each key belongs to is read from the
 * model's own restore op, the way a TF1-style loader (TF Serving) restores it: every
 * `AssignVariableOp(handle, RestoreV2:k)` ties a handle to `tensor_names[k]`, through the
 * `StatefulPartitionedCall` of the restore function when there is one. The SavedObjectGraph
 * (variable name = shared_name, checkpoint key from `_CHECKPOINTABLE_OBJECT_GRAPH`) is the fallback.
 */
import type { Checkpoint } from '../io/checkpoint';
import { type LoadedModel, mainGraph } from '../io/loaded-model';
import { attrText } from '../ir/attr';
import { dtypeFromEnum } from '../ir/dtype';
import type { Graph } from '../ir/graph';
import { type Node, parseInput } from '../ir/node';
import { type Tensor, tensorStrings } from '../ir/tensor';
import { decodeMessage } from '../proto';
import { findFunction, functionProgram } from './program';
import { checkFields, checkLoadedModel } from '../ir/check';

/** Every checkpoint entry as an IR tensor (bytes copied, so they are aligned and owned), keyed by its name. */
export function variablesFromCheckpoint(ckpt: Checkpoint): Map<string, Tensor> {
  checkFields('variablesFromCheckpoint', 'ckpt', ckpt, { header: 'object', entries: 'object' }, 'a Checkpoint (readCheckpoint)');
  const out = new Map<string, Tensor>();
  for (const [name, e] of ckpt.entries) {
    if (name === '') continue;
    const dtype = dtypeFromEnum(e.dtype);
    if (e.strings) {
      out.set(name, { dtype, shape: Object.freeze([...e.shape]), data: { kind: 'strings', values: Object.freeze(e.strings.map((s) => s.slice())) } });
    } else if (e.data) {
      out.set(name, { dtype, shape: Object.freeze([...e.shape]), data: { kind: 'content', bytes: e.data.slice() } });
    }
  }
  return out;
}

type Msg = Record<string, unknown>;

function sharedName(node: Node): string {
  const a = node.attrs.shared_name;
  const s = a?.kind === 's' ? attrText(a.value) : '';
  return s || node.name;
}

interface Body {
  readonly byName: ReadonlyMap<string, Node>;
  readonly nodes: readonly Node[];
}

/** Follows Identity-like nodes back from `input`; returns the node and port reached. */
function trace(body: Body, input: string): { node: Node; port: number } | undefined {
  let ref = parseInput(input);
  for (let guard = 0; guard < 64; guard++) {
    const node = body.byName.get(ref.node);
    if (!node) return undefined;
    if (node.op === 'Identity' || node.op === 'Snapshot') {
      ref = parseInput(node.inputs[0] ?? '');
      continue;
    }
    return { node, port: ref.port };
  }
  return undefined;
}

function tensorNames(body: Body, restore: Node): string[] | undefined {
  const src = trace(body, restore.inputs[1] ?? '');
  if (!src || src.node.op !== 'Const') return undefined;
  const v = src.node.attrs.value;
  if (v?.kind !== 'tensor') return undefined;
  return tensorStrings(v.value).map((b) => new TextDecoder().decode(b));
}

/**
 * Restore assignments in a body: [handle input (as written), checkpoint key]. `RestoreV2` outputs
 * and `Assign`/`AssignVariableOp` nodes are matched through Identity chains.
 */
function restoreAssignments(body: Body): [Node, string][] {
  const out: [Node, string][] = [];
  for (const n of body.nodes) {
    if (n.op !== 'AssignVariableOp' && n.op !== 'Assign') continue;
    const value = trace(body, n.inputs[1] ?? '');
    if (!value || (value.node.op !== 'RestoreV2' && value.node.op !== 'Restore')) continue;
    const names = tensorNames(body, value.node);
    const key = names?.[value.port];
    if (key !== undefined) out.push([n, key]);
  }
  return out;
}

/**
 * The variables of a loaded model keyed as the runtime looks them up: `VariableV2` node names
 * and `VarHandleOp` shared names, for TF1 and TF2 SavedModels alike. Checkpoint entries that
 * nothing maps are also included under their own key.
 *
 * @example
 * ```ts
 * const model = await loadModel('saved_model_dir');
 * const variables = savedModelVariables(model, await readModelVariables(model));
 * const [y] = await runGraph(mainGraph(model), { serving_default_x: x }, ['StatefulPartitionedCall_5'], { variables });
 * ```
 */
export function savedModelVariables(model: LoadedModel, ckpt: Checkpoint): Map<string, Tensor> {
  checkLoadedModel('savedModelVariables', 'model', model);
  checkFields('savedModelVariables', 'ckpt', ckpt, { header: 'object', entries: 'object' }, 'a Checkpoint (readCheckpoint)');
  const all = variablesFromCheckpoint(ckpt);
  const out = new Map(all);
  const graph = mainGraph(model);
  const main: Body = { byName: new Map(graph.nodes.map((n) => [n.name, n])), nodes: graph.nodes };
  const mapped = new Map<string, string>(); // runtime key → checkpoint key

  // Assignments in the main graph (TF1 savers).
  for (const [assign, key] of restoreAssignments(main)) {
    const h = trace(main, assign.inputs[0] ?? '');
    if (h && (h.node.op === 'VarHandleOp' || h.node.op === 'VariableV2' || h.node.op === 'Variable')) {
      mapped.set(h.node.op === 'VarHandleOp' ? sharedName(h.node) : h.node.name, key);
    }
  }
  // Assignments inside restore functions (TF2): argument i is the call's input i.
  for (const call of graph.nodes) {
    if (call.op !== 'StatefulPartitionedCall' && call.op !== 'PartitionedCall') continue;
    const f = call.attrs.f;
    if (f?.kind !== 'func') continue;
    const def = findFunction(graph.library, f.value.name);
    if (!def || !def.nodes.some((n) => n.op === 'RestoreV2')) continue;
    let program;
    try {
      program = functionProgram(def, graph.library);
    } catch {
      continue;
    }
    for (const [assign, key] of restoreAssignments(program)) {
      const h = trace(program, assign.inputs[0] ?? '');
      if (!h || h.node.op !== '_Arg') continue;
      const argIndex = program.args.indexOf(h.node.name);
      const outer = trace(main, call.inputs[argIndex] ?? '');
      if (outer && outer.node.op === 'VarHandleOp') mapped.set(sharedName(outer.node), key);
    }
  }
  // Fallback: the object graphs (SavedVariable.name = shared_name; checkpoint_key by node id).
  for (const [k, v] of objectGraphKeys(model, ckpt, graph)) if (!mapped.has(k)) mapped.set(k, v);

  for (const [runtimeKey, ckptKey] of mapped) {
    const t = all.get(ckptKey);
    if (t) out.set(runtimeKey, t);
  }
  return out;
}

function objectGraphKeys(model: LoadedModel, ckpt: Checkpoint, graph: Graph): Map<string, string> {
  const out = new Map<string, string>();
  if (model.kind !== 'saved-model') return out;
  const og = (model.savedModel.metaGraphs[0]?.proto as Msg | undefined)?.object_graph_def as { nodes?: Msg[] } | undefined;
  const entry = ckpt.entries.get('_CHECKPOINTABLE_OBJECT_GRAPH');
  if (!og?.nodes || !entry?.strings?.[0]) return out;
  let tog: { nodes?: { attributes?: { name?: string; checkpoint_key?: string }[] }[] };
  try {
    tog = decodeMessage('tensorflow.TrackableObjectGraph', entry.strings[0]) as typeof tog;
  } catch {
    return out;
  }
  const handles = new Set(graph.nodes.filter((n) => n.op === 'VarHandleOp').map(sharedName));
  og.nodes.forEach((n, i) => {
    const variable = n.variable as { name?: string } | undefined;
    if (!variable?.name || !handles.has(variable.name)) return;
    const attrs = tog.nodes?.[i]?.attributes ?? [];
    const a = attrs.find((x) => x.name === 'VARIABLE_VALUE') ?? attrs[0];
    if (a?.checkpoint_key) out.set(variable.name, a.checkpoint_key);
  });
  return out;
}
