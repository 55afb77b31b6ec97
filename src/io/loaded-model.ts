/**
 * A model as loaded from files (the loading itself is in model-files.ts, tf-graft/node): what it
 * is, its proto, where its variables are. Pure data, so in-memory code may take one.
 */
import type { Graph } from '../ir/graph';
import type { MetaGraph, SavedModelProto } from './saved-model';
import { checkLoadedModel } from '../ir/check';

/** Where a model's variables are, and in what state. */
export interface VariablesInfo {
  /** The checkpoint prefix (`dir/variables/variables`), or null when there is none. */
  readonly prefix: string | null;
  /** present: index and data; index-only: data files missing; missing: no index at all. */
  readonly state: 'present' | 'index-only' | 'missing';
  /** Bytes of the index and data files. */
  readonly bytes: number;
}

export type LoadedModel =
  | { readonly kind: 'graph-def'; readonly path: string; readonly format: 'binary' | 'text'; readonly graph: Graph; readonly fileBytes: number }
  | {
      readonly kind: 'meta-graph';
      readonly path: string;
      readonly format: 'binary' | 'text';
      readonly metaGraph: MetaGraph;
      readonly fileBytes: number;
      readonly variables: VariablesInfo;
    }
  | {
      readonly kind: 'saved-model';
      /** The SavedModel directory. */
      readonly path: string;
      /** `saved_model.pb` or `saved_model.pbtxt` inside it. */
      readonly modelFile: string;
      readonly format: 'binary' | 'text';
      readonly savedModel: SavedModelProto;
      readonly fileBytes: number;
      readonly variables: VariablesInfo;
      /** Files under `assets/`, relative to it. */
      readonly assets: readonly string[];
    };

/** The main graph of a loaded model: the GraphDef, the `.meta`'s graph, or the first meta graph. */
export function mainGraph(model: LoadedModel): Graph {
  checkLoadedModel('mainGraph', 'model', model);
  if (model.kind === 'graph-def') return model.graph;
  if (model.kind === 'meta-graph') return model.metaGraph.graph;
  return model.savedModel.metaGraphs[0]!.graph;
}
