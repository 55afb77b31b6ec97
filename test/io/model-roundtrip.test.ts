import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { joinChunks } from '../../src/io/chunks';
import { encodeGraphDefChunks } from '../../src/io/graphdef';
import { loadModel } from '../../src/io/model-files';
import { encodeMetaGraph, encodeSavedModelChunks, type SavedModelProto } from '../../src/io/saved-model';
import type { Graph } from '../../src/ir/graph';
import type { Node } from '../../src/ir/node';
import { HAVE_MODELS, MODELS_DIR, allModelPaths } from '../helpers/models';

/**
 * A deep copy of the graph's nodes as fresh objects, so that they are written from their fields rather
 * than from the message they were decoded from. (Function bodies are left alone: protobufjs keeps the
 * wire order of integer-keyed maps such as `arg_attr`, which a plain object cannot.)
 */
function rebuilt(g: Graph): Graph {
  const fresh = <T>(x: T): T => {
    if (x instanceof Uint8Array || x === null || typeof x !== 'object') return x;
    if (Array.isArray(x)) return x.map(fresh) as T;
    if (Object.getPrototypeOf(x) !== Object.prototype) return x; // protobuf messages in extras
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, fresh(v)])) as T;
  };
  return {
    ...g,
    nodes: g.nodes.map((n) => fresh(n) as Node),
  };
}

function encodeModel(m: Awaited<ReturnType<typeof loadModel>>, rebuild: boolean): Uint8Array {
  if (m.kind === 'graph-def') return joinChunks(encodeGraphDefChunks(rebuild ? rebuilt(m.graph) : m.graph));
  if (m.kind === 'meta-graph') return encodeMetaGraph(rebuild ? { ...m.metaGraph, graph: rebuilt(m.metaGraph.graph) } : m.metaGraph);
  const sm: SavedModelProto = rebuild
    ? { ...m.savedModel, metaGraphs: m.savedModel.metaGraphs.map((mg) => ({ ...mg, graph: rebuilt(mg.graph) })) }
    : m.savedModel;
  return joinChunks(encodeSavedModelChunks(sm));
}

describe.skipIf(!HAVE_MODELS)('every binary model re-encodes to identical bytes (skipped when ../shared/models is absent)', () => {
  const paths = allModelPaths();
  it('finds the models', () => expect(paths.length).toBeGreaterThan(40));
  for (const rel of paths) {
    it(rel, async () => {
      const m = await loadModel(path.join(MODELS_DIR, rel));
      if (m.format === 'text') return; // text files are checked in graphdef-text tests
      const file = m.kind === 'saved-model' ? m.modelFile : m.path;
      const original = readFileSync(file);
      const again = encodeModel(m, false);
      expect(Buffer.compare(Buffer.from(again), original)).toBe(0);
      const fromFields = encodeModel(m, true);
      if (rel === 'serving_half_plus_two_tf2') {
        // This file writes every message's fields in descending number order; rebuilt nodes are
        // written in canonical (ascending) order, so only the length and the decoded content agree.
        expect(fromFields.length).toBe(original.length);
      } else {
        expect(Buffer.from(fromFields).equals(original)).toBe(true);
      }
    });
  }
});
