/**
 * TF2 SavedModels: which checkpoint entry holds each variable handle of the main graph.
 *
 * A signature's `StatefulPartitionedCall` passes captured resources as its trailing inputs; the
 * SavedObjectGraph's `concrete_functions[f].bound_inputs` names the object behind each of them.
 * Object ids are shared with the checkpoint's own object graph (`_CHECKPOINTABLE_OBJECT_GRAPH`),
 * whose `VARIABLE_VALUE` attribute gives the checkpoint key; without it the key is the path of
 * child names from the root plus `/.ATTRIBUTES/VARIABLE_VALUE`. Handles no call binds are matched
 * by `SavedVariable.name` against the handle's `shared_name`.
 */
import { attrText } from '../ir/attr';
import type { Graph } from '../ir/graph';
import type { Tensor } from '../ir/tensor';
import type { Checkpoint } from '../io/checkpoint';
import type { MetaGraph } from '../io/saved-model';
import { decodeMessage } from '../proto';
import { OBJECT_GRAPH_KEY, tensorFromEntry } from './checkpoint-values';
import { calledFunction } from '../ir/inline';
import { throughIdentities } from './variable-keys';

interface ObjectReference {
  node_id?: number;
  local_name?: string;
}
interface SavedObject {
  children?: ObjectReference[];
  variable?: { name?: string } | null;
  [kind: string]: unknown;
}
interface SavedObjectGraphMsg {
  nodes?: SavedObject[];
  concrete_functions?: Record<string, { bound_inputs?: number[] }>;
}
interface TrackableObjectMsg {
  attributes?: { name?: string; full_name?: string; checkpoint_key?: string }[];
}

const KINDS = ['user_object', 'asset', 'function', 'variable', 'bare_concrete_function', 'constant', 'resource', 'captured_tensor'];

/** The kind of a SavedObject (`variable`, `resource`, `asset`, ...). */
export function savedObjectKind(o: SavedObject): string {
  return KINDS.find((k) => o[k] !== null && o[k] !== undefined) ?? 'unknown';
}

/** A captured resource that is not a variable (a table, an asset, ...). */
export interface CapturedResource {
  readonly node: string;
  readonly kind: string;
  readonly objectId: number;
}

export interface ObjectGraphVariables {
  /** Handle node name → checkpoint key. */
  readonly keys: Map<string, string>;
  /** Handles bound to objects that are not variables. */
  readonly others: CapturedResource[];
}

/** The checkpoint's own object graph, when it has one. */
function trackableNodes(ckpt: Checkpoint): TrackableObjectMsg[] | undefined {
  const e = ckpt.entries.get(OBJECT_GRAPH_KEY);
  const bytes = e?.strings?.[0];
  if (!bytes) return undefined;
  try {
    return decodeMessage<{ nodes?: TrackableObjectMsg[] }>('tensorflow.TrackableObjectGraph', bytes).nodes ?? [];
  } catch {
    return undefined;
  }
}

/** Child-name paths from the root to every object (breadth first: the shortest path wins). */
function objectPaths(nodes: readonly SavedObject[]): Map<number, string> {
  const paths = new Map<number, string>([[0, '']]);
  const queue = [0];
  while (queue.length) {
    const id = queue.shift()!;
    for (const c of nodes[id]?.children ?? []) {
      const child = Number(c.node_id ?? 0);
      if (paths.has(child)) continue;
      const base = paths.get(id)!;
      paths.set(child, base ? `${base}/${c.local_name ?? ''}` : (c.local_name ?? ''));
      queue.push(child);
    }
  }
  return paths;
}

/** Maps the main graph's variable handles to checkpoint keys through the object graph. */
export function objectGraphVariableKeys(meta: MetaGraph, graph: Graph, ckpt: Checkpoint): ObjectGraphVariables {
  const og = meta.proto.object_graph_def as SavedObjectGraphMsg | undefined;
  const keys = new Map<string, string>();
  const others: CapturedResource[] = [];
  const objects = og?.nodes ?? [];
  if (objects.length === 0) return { keys, others };
  const tracked = trackableNodes(ckpt);
  let paths: Map<number, string> | undefined;
  const keyOf = (id: number): string | undefined => {
    const attrs = tracked?.[id]?.attributes ?? [];
    const value = attrs.find((a) => a.name === 'VARIABLE_VALUE');
    if (value?.checkpoint_key) return value.checkpoint_key;
    paths ??= objectPaths(objects);
    const p = paths.get(id);
    return p === undefined ? undefined : `${p}/.ATTRIBUTES/VARIABLE_VALUE`;
  };
  const library = new Map(graph.library.functions.map((f) => [f.signature.name, f] as const));
  const concrete = og?.concrete_functions ?? {};
  for (const n of graph.nodes) {
    const target = calledFunction(n, library);
    const bound = target ? concrete[target.name]?.bound_inputs : undefined;
    if (!bound || bound.length === 0) continue;
    const data = n.inputs.filter((s) => !s.startsWith('^'));
    const trailing = data.slice(data.length - bound.length);
    bound.forEach((rawId, j) => {
      const id = Number(rawId);
      const handle = trailing[j] ? throughIdentities(graph, trailing[j]!) : undefined;
      const obj = objects[id];
      if (!handle || !obj) return;
      const kind = savedObjectKind(obj);
      if (kind === 'variable') {
        const key = keyOf(id);
        if (key && !keys.has(handle.name)) keys.set(handle.name, key);
      } else if (!others.some((o) => o.node === handle.name)) others.push({ node: handle.name, kind, objectId: id });
    });
  }
  // Handles no call binds: match SavedVariable.name against shared_name (or the node name).
  const byVarName = new Map<string, number | null>();
  objects.forEach((o, id) => {
    const name = o.variable?.name;
    if (name) byVarName.set(name, byVarName.has(name) ? null : id);
  });
  for (const n of graph.nodes) {
    if (n.op !== 'VarHandleOp' || keys.has(n.name)) continue;
    const shared = n.attrs.shared_name?.kind === 's' ? attrText(n.attrs.shared_name.value) : '';
    const id = byVarName.get(shared) ?? byVarName.get(n.name);
    if (id === null || id === undefined) continue;
    const key = keyOf(id);
    if (key) keys.set(n.name, key);
  }
  return { keys, others };
}

/** Values for the main graph's variable handles, keyed by handle node name. */
export function objectGraphVariableValues(meta: MetaGraph, graph: Graph, ckpt: Checkpoint, file?: string): { values: Map<string, Tensor>; others: CapturedResource[] } {
  const { keys, others } = objectGraphVariableKeys(meta, graph, ckpt);
  const values = new Map<string, Tensor>();
  for (const [node, key] of keys) {
    const e = ckpt.entries.get(key);
    if (e) values.set(node, tensorFromEntry(e, file));
  }
  return { values, others };
}
