/**
 * Freezing models: a SavedModel (TF1 or TF2), a `.meta` with its checkpoint, or a GraphDef with
 * a checkpoint becomes one GraphDef whose variables are constants, pruned to the outputs.
 *
 * TF2 SavedModels keep their computation in the function library, called from a small main
 * graph through `StatefulPartitionedCall`; those calls are inlined (nested ones too) before the
 * variables are converted, and the variable handles are matched to checkpoint entries through
 * the object graph. Output names default to the chosen signature's (`serving_default` unless
 * told); the call nodes that signatures name stay under their names (as `Identity`/`IdentityN`),
 * so the signature's tensor names still hold in the frozen graph.
 */
import type { Graph } from '../ir/graph';
import type { Checkpoint } from '../io/checkpoint';
import type { MetaGraph } from '../io/saved-model';
import type { Diagnostic } from '../diagnostics';
import { savedModelInit } from '../io/saved-model-init';
import type { ConvertedVariable } from './tf1';
import type { KeptVariable } from './saver';

export interface FreezeOptions {
  /** Tags of the SavedModel meta graph to freeze (default `serve`). */
  readonly tags?: readonly string[];
  /** Signature whose outputs (and inputs) to keep (default `serving_default`). */
  readonly signature?: string;
  /** Output node names (`--output_node_names`); override the signature's outputs. */
  readonly outputNodeNames?: readonly string[];
  /** Checkpoint prefix for a `.meta` or GraphDef (default: the `.meta` path without `.meta`). */
  readonly checkpoint?: string;
  /** Blank every node's device (freeze_graph's `--clear_devices`). */
  readonly clearDevices?: boolean;
  /** Convert only these variables / never these (`variable_names_whitelist` / `blacklist`). */
  readonly allowlist?: readonly string[];
  readonly denylist?: readonly string[];
  /**
   * Asset files by name under `assets/`: a table initialized from one (a vocabulary) is folded
   * into constants, so the frozen graph needs no file (`freezeSavedModel` reads them itself).
   */
  readonly assets?: ReadonlyMap<string, Uint8Array>;
  /**
   * Keep the variables that the kept graph writes (a state-updating signature: `AssignAdd`,
   * `ResourceApplyGradientDescent`, ...) as variables instead of failing on them: they are listed
   * in `kept` with their checkpoint values, to be saved with the model (`addSaver`). Variables
   * only read are frozen as usual. Default false (`graft freeze`: a frozen graph has no variables).
   */
  readonly keepWrittenVariables?: boolean;
}

export interface FreezeResult {
  /** The frozen graph: pruned, no variable ops, library only with functions still referenced. */
  readonly graph: Graph;
  /** Input tensor names (`x:0`). */
  readonly inputs: string[];
  /** Output tensor names (`y:0`). */
  readonly outputs: string[];
  /** The signature used: its keys mapped to tensor names in the frozen graph. */
  readonly signature?: { key: string; inputs: Record<string, string>; outputs: Record<string, string> };
  /** Variables that became constants. */
  readonly converted: ConvertedVariable[];
  /** Variables kept as variables (`keepWrittenVariables`), with their checkpoint values. */
  readonly kept: KeptVariable[];
  readonly diagnostics: Diagnostic[];
}

/**
 * Freezes one meta graph with its checkpoint (TF1 or TF2, detected from the graph). Async: the
 * freezing loads on the first call (freeze-meta-graph.ts), so that it stays out of what the core
 * loads on import.
 *
 * @throws GraftError (as rejections) `api/bad-argument` for bad arguments; `freeze/*` codes when
 *   the graph cannot be frozen (an output it does not have, a variable the checkpoint lacks).
 *
 * @example
 * ```ts
 * const r = await freezeMetaGraph(model.metaGraph, await readCheckpointFiles('model.ckpt-1000'), { outputNodeNames: ['probabilities'] });
 * ```
 */
export async function freezeMetaGraph(mg: MetaGraph, checkpoint: Checkpoint | null, opts: FreezeOptions & { file?: string } = {}): Promise<FreezeResult> {
  const { freezeMetaGraphNow } = await import('./freeze-meta-graph');
  return freezeMetaGraphNow(mg, checkpoint, opts);
}

/**
 * The asset files that table initializers of `mg` read, by name under `assets/` (an asset that
 * cannot be read is left out: its initializer then stays a text-file one, with a warning).
 */
export async function readTableAssets(mg: MetaGraph, read: (filename: string) => Promise<Uint8Array | undefined>): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  const init = savedModelInit(mg);
  if (init.assets.length === 0 || !mg.graph.nodes.some((n) => n.op.startsWith('InitializeTableFromTextFile'))) return out;
  for (const a of init.assets) {
    try {
      const b = await read(a.filename);
      if (b) out.set(a.filename, b);
    } catch {
      // Left out: the initializer keeps reading its path at run time (a warning says so).
    }
  }
  return out;
}
