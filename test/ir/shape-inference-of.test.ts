/**
 * `inferShapesOf` (what summarize uses) answers the tensors it is asked for exactly as
 * `inferShapes` does, on every real model; names `inferShapes` has no entry for stay absent.
 */
import { describe, expect, it } from 'vitest';
import type { Graph } from '../../src/ir/graph';
import { inferShapes, inferShapesOf } from '../../src/ir/shape-inference';
import { loadModel, mainGraph } from '../../src/io/model-files';
import { HAVE_MODELS, SKIP_REASON, allModelPaths, modelPath } from '../helpers/models';

describe('inferShapesOf', () => {
  it.skipIf(!HAVE_MODELS)(`gives inferShapes' entries for the names asked, on every model (skipped when ${SKIP_REASON})`, async () => {
    let checked = 0;
    for (const rel of allModelPaths()) {
      let graph: Graph;
      try {
        graph = mainGraph(await loadModel(modelPath(rel)));
      } catch {
        continue; // models graft cannot load are covered elsewhere
      }
      const all = inferShapes(graph);
      const names = [...all.keys()].filter((_, i) => i % 3 === 0);
      const odd = graph.nodes.slice(0, 5).flatMap((n) => [`${n.name}:07`, `${n.name}:99`, n.name, `${n.name}:-1`]);
      const some = inferShapesOf(graph, [...names, ...odd]);
      expect(some).toEqual(new Map(names.map((n) => [n, all.get(n)!])));
      checked += names.length;
    }
    expect(checked).toBeGreaterThan(1000);
  });
});
