/**
 * The freezing core on the IR (`convert_variables_to_constants`): prune to the outputs, replace
 * each variable (`VariableV2`, the pre-1.0 `Variable`, resource `VarHandleOp`) by a `Const`
 * holding its value, and rewrite what reads it:
 *
 * - `ReadVariableOp` → `Identity` (`T` = the read's dtype);
 * - pass-through ops carrying the handle (`Identity`, `IdentityN`, `Enter`, `Exit`, `Switch`,
 *   `Merge`, `NextIteration`) get the value's dtype instead of `resource`, and their
 *   `_output_shapes` dropped; `Ref*` flavours of them become the plain op;
 * - `ResourceGather` → `GatherV2` (with a `<name>/axis` Const), `ResourceGatherNd` → `GatherNd`;
 * - `VariableShape` → a `Const` of the value's shape, `VarIsInitializedOp` → `Const true`;
 * - state updates (`Assign*`, `ResourceApply*`, scatter updates ...) that are reached only
 *   through control edges are removed, with a diagnostic listing them; one whose output is
 *   needed is an error, since freezing would change what the graph computes.
 *
 * Differences from TensorFlow: `versions` is kept (TF clears it); non-variable resources (tables,
 * iterators) are reported in a diagnostic instead of failing later; a missing variable names the
 * nearest checkpoint keys.
 */
import type { Graph } from '../ir/graph';
import type { Tensor } from '../ir/tensor';
import type { Diagnostic } from '../diagnostics';

/** Ops that hold a variable. */
export const VARIABLE_OPS: ReadonlySet<string> = new Set(['Variable', 'VariableV2', 'VarHandleOp']);

/** Ops that change a variable's state. */
export function isStateUpdateOp(op: string): boolean {
  return (
    /^(Assign|AssignAdd|AssignSub|AssignVariableOp|AssignAddVariableOp|AssignSubVariableOp|AssignVariableXlaConcatND)$/.test(op) ||
    /^(Resource)?(Sparse)?Apply/.test(op) ||
    /^(Resource)?Scatter/.test(op) ||
    /^(Resource)?StridedSliceAssign$/.test(op) ||
    op === 'DestroyResourceOp' || op === 'CountUpTo' || op === 'ResourceCountUpTo'
  );
}

export interface FreezeGraphOptions {
  /** Convert only these variables (TensorFlow's `variable_names_whitelist`). */
  readonly allowlist?: readonly string[];
  /** Never convert these (`variable_names_blacklist`): they stay variables. */
  readonly denylist?: readonly string[];
  /** Blank every node's device (`freeze_graph --clear_devices`, TensorFlow's default there). */
  readonly clearDevices?: boolean;
  /** Names the variables could have been looked up by (checkpoint keys), for "did you mean". */
  readonly knownKeys?: Iterable<string>;
  /** The checkpoint, named in errors. */
  readonly file?: string;
}

export interface ConvertedVariable {
  readonly name: string;
  readonly dtype: string;
  readonly shape: number[];
}

export interface FreezeGraphResult {
  readonly graph: Graph;
  readonly converted: ConvertedVariable[];
  readonly diagnostics: Diagnostic[];
}

/**
 * Freezes a graph: prunes it to `outputs`, replaces variables with `Const`s from `variables`
 * (keyed by variable node name), rewrites their readers, drops state updates, and keeps only
 * the library functions still referenced. Async: the freezing loads on the first call
 * (freeze-graph.ts), so that it stays out of what the core loads on import.
 *
 * @throws GraftError (as rejections) `api/bad-argument` for bad arguments; `freeze/*` codes when
 *   the graph cannot be frozen (a variable missing from `variables`, a needed state update).
 *
 * @example
 * ```ts
 * const { graph } = await freezeGraph(g, new Map([['w', makeTensor('float', [], [0.5])]]), ['y']);
 * ```
 */
export async function freezeGraph(graph: Graph, variables: ReadonlyMap<string, Tensor>, outputs: readonly string[], opts: FreezeGraphOptions = {}): Promise<FreezeGraphResult> {
  const { freezeGraphNow } = await import('./freeze-graph');
  return freezeGraphNow(graph, variables, outputs, opts);
}
