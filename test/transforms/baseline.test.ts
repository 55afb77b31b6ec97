/**
 * Regression baseline: every registered transform, run alone on every real model in
 * ../shared/models, must write the same bytes as the code that recorded
 * `baseline-hashes.json` (sha256 of the encoded GraphDef, or the error code when the step
 * failed). The hashes were recorded before the lazy graph representation (issue 14) replaced the
 * eager one, so this is what shows that a representation change did not change any output.
 *
 * A deliberate change to a transform's output: `GRAFT_UPDATE_BASELINE=1 npx vitest run
 * test/transforms/baseline.test.ts` rewrites the file; say in the commit which entries moved and why.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isGraftError } from '../../src/errors';
import { encodeGraphDef } from '../../src/io/graphdef';
import { type LoadedModel, loadModel } from '../../src/io/model-files';
import type { Graph } from '../../src/ir/graph';
import { inputNodeName } from '../../src/ir/node';
// the body of summarizeModel, synchronous: the cases are built while the tests are collected
import { summarizeLoadedModel } from '../../src/inspect/summarize-model';
import { createRegistry } from '../../src/transform/registry';
import { runPipeline } from '../../src/transform/runner';
import { HAVE_MODELS, MODELS_DIR, SKIP_REASON, allModelPaths } from '../helpers/models';

const FILE = path.join(import.meta.dirname, 'baseline-hashes.json');
const UPDATE = process.env.GRAFT_UPDATE_BASELINE === '1';

/** Parameters for transforms that need some (as in contract.test.ts); the rest run with defaults. */
const SAMPLE_PARAMS: Record<string, string> = {
  remove_nodes: 'remove_nodes(op=Identity)',
  remove_attribute: 'remove_attribute(attribute_name=_class)',
  rename_attribute: 'rename_attribute(old_attribute_name=_class, new_attribute_name=_graft_class)',
  rename_op: 'rename_op(old_op_name=AddV2, new_op_name=Add)',
  rename_node: 'rename_node(old_node_name=no_such_node_in_any_model, new_node_name=still_none)',
  set_device: 'set_device(device="/device:CPU:0")',
  insert_logging: 'insert_logging(op=MatMul)',
  // Reads a log file; covered by its own tests.
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

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

const registry = createRegistry();
const transforms = registry.list().filter((t) => SAMPLE_PARAMS[t.name] !== '');
const recorded: Record<string, string> = existsSync(FILE) ? (JSON.parse(readFileSync(FILE, 'utf8')) as Record<string, string>) : {};
const written: Record<string, string> = {};

describe.skipIf(!HAVE_MODELS)(`transform outputs equal the recorded baseline (skipped when ${SKIP_REASON})`, () => {
  afterAll(() => {
    // Entries of models that did not run this time (absent) are kept.
    if (UPDATE) writeFileSync(FILE, `${JSON.stringify(Object.fromEntries(Object.entries({ ...recorded, ...written }).sort()), null, 1)}\n`);
  });
  for (const rel of allModelPaths()) {
    it(rel, async () => {
      const { graph, inputs, outputs } = caseOf(await loadModel(path.join(MODELS_DIR, rel)));
      const results: Record<string, string> = { [`${rel} | (unchanged)`]: sha256(encodeGraphDef(graph)) };
      for (const t of transforms) {
        const source = SAMPLE_PARAMS[t.name] ?? t.name;
        let result: string;
        try {
          const { graph: out } = await runPipeline(graph, source, { inputs, outputs, registry });
          result = sha256(encodeGraphDef(out));
        } catch (e) {
          if (!isGraftError(e)) throw e;
          result = `error ${e.code}`;
        }
        results[`${rel} | ${source}`] = result;
      }
      Object.assign(written, results);
      if (UPDATE) return;
      for (const [key, value] of Object.entries(results)) {
        expect(recorded[key], `${key} has no recorded baseline (GRAFT_UPDATE_BASELINE=1 records it)`).toBeDefined();
        expect(value, key).toBe(recorded[key]);
      }
    }, 900_000);
  }
});
