/**
 * The contract every registered transform keeps, on every real model: it runs with its default
 * parameters (or a harmless sample where a parameter is required), does not mutate its input,
 * returns a graph that validates with the inputs and outputs still there, and returns the very
 * same instance when it changed nothing.
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeGraphDef } from '../../src/io/graphdef';
import { type LoadedModel, loadModel } from '../../src/io/model-files';
import type { Graph } from '../../src/ir/graph';
import { inputNodeName } from '../../src/ir/node';
import { createRegistry } from '../../src/transform/registry';
import { runPipeline } from '../../src/transform/runner';
// the body of summarizeModel, synchronous: the cases are built while the tests are collected
import { summarizeLoadedModel } from '../../src/inspect/summarize-model';
import { HAVE_MODELS, MODELS_DIR, allModelPaths } from '../helpers/models';

/** Parameters for transforms that need some; everything else runs with its defaults. */
const SAMPLE_PARAMS: Record<string, string> = {
  remove_nodes: 'remove_nodes(op=Identity)',
  remove_attribute: 'remove_attribute(attribute_name=_class)',
  rename_attribute: 'rename_attribute(old_attribute_name=_class, new_attribute_name=_graft_class)',
  rename_op: 'rename_op(old_op_name=AddV2, new_op_name=Add)',
  rename_node: 'rename_node(old_node_name=no_such_node_in_any_model, new_node_name=still_none)',
  // Reads a log file; its parsing and rewiring are tested in freeze-requantization-ranges tests.
  freeze_requantization_ranges: '',
};

interface Case {
  graph: Graph;
  inputs: string[];
  outputs: string[];
}

function caseOf(model: LoadedModel): Case {
  const s = summarizeLoadedModel(model);
  const graph = model.kind === 'graph-def' ? model.graph : model.kind === 'meta-graph' ? model.metaGraph.graph : model.savedModel.metaGraphs[0]!.graph;
  const sigInputs = s.signature?.inputs.map((t) => t.name).filter((n) => !n.startsWith('(')) ?? [];
  const inputs = (sigInputs.length ? sigInputs : s.placeholders.map((p) => p.name)).map(inputNodeName);
  const outputs = s.outputs.map((o) => o.name);
  return { graph, inputs: [...new Set(inputs)], outputs: [...new Set(outputs)] };
}

const registry = createRegistry();
const transforms = registry.list();

describe.skipIf(!HAVE_MODELS)('transform contract on every model in ../shared/models (skipped when absent)', () => {
  for (const rel of allModelPaths()) {
    describe(rel, () => {
      let loaded: Promise<Case> | undefined;
      const get = () => (loaded ??= loadModel(path.join(MODELS_DIR, rel)).then(caseOf));
      for (const t of transforms.filter((x) => SAMPLE_PARAMS[x.name] !== '')) {
        it(t.name, async () => {
          const { graph, inputs, outputs } = await get();
          const nodesBefore = graph.nodes;
          const bytesBefore = encodeGraphDef(graph);
          const source = SAMPLE_PARAMS[t.name] ?? t.name;
          const { graph: out, report } = await runPipeline(graph, source, { inputs, outputs, registry });
          // The input is untouched: same node array, same bytes.
          expect(graph.nodes).toBe(nodesBefore);
          expect(Buffer.from(encodeGraphDef(graph)).equals(Buffer.from(bytesBefore))).toBe(true);
          // Inputs and outputs survive (the runner validated the result, dangling inputs included).
          const names = new Set(out.nodes.map((n) => n.name));
          for (const n of [...inputs, ...outputs]) expect(names.has(n), `${n} survives ${t.name}`).toBe(true);
          // Unchanged means the same instance; a new instance means a real change.
          const changed = report.steps[0]!.changed;
          expect(changed).toBe(out !== graph);
          if (changed) expect(Buffer.from(encodeGraphDef(out)).equals(Buffer.from(bytesBefore))).toBe(false);
          // The function library and versions travel through.
          expect(out.library.functions.length).toBe(graph.library.functions.length);
          expect(out.versions).toEqual(graph.versions);
        });
      }
    });
  }
});
