import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { attr } from '../../src/ir/attr';
import { graphBuilder } from '../../src/ir/builder';
import { makeTensor } from '../../src/ir/tensor';
import type { LoadedModel } from '../../src/io/model-files';
import { formatSummary, humanReadableNum, summarizeModel } from '../../src/inspect/summarize';
import { summarize } from '../../src/inspect/summarize-files';
import { HAVE_MODELS, MODELS_DIR, allModelPaths } from '../helpers/models';

function asModel(graph: ReturnType<ReturnType<typeof graphBuilder>['graph']>): LoadedModel {
  return { kind: 'graph-def', path: 'test.pb', format: 'binary', graph, fileBytes: 100 };
}

describe('summarizeModel (TF summarize_graph suggested cases)', () => {
  it('(a) finds the placeholder input, the MatMul output, const parameters and op counts', async () => {
    const b = graphBuilder();
    const x = b.placeholder('x', 'float', [-1, 3]);
    const w = b.const('w', makeTensor('float', [3, 2], [1, 2, 3, 4, 5, 6]));
    b.op('MatMul', [x, w], { T: attr.type('float') }, 'y');
    const s = await summarizeModel(asModel(b.graph()));
    expect(s.placeholders).toEqual([{ name: 'x', dtype: 'float', shape: [-1, 3] }]);
    expect(s.variables).toEqual([]);
    expect(s.outputs).toEqual([{ name: 'y', op: 'MatMul' }]);
    expect(s.parameters.constElements).toBe(6);
    expect(s.parameters.constBytes).toBe(24);
    expect(s.counts.controlEdges).toBe(0);
    expect(s.ops).toEqual([
      { op: 'Const', count: 1 },
      { op: 'MatMul', count: 1 },
      { op: 'Placeholder', count: 1 },
    ]);
    expect(s.unusedNodes).toEqual([]);
    const text = formatSummary(s);
    expect(text).toContain('Input feature nodes: x (float, [?,3])');
    expect(text).toContain('Op types used: 1 Const, 1 MatMul, 1 Placeholder');
  });

  it('(b) reports inputs that name missing nodes', async () => {
    const b = graphBuilder();
    b.op('Relu', ['missing'], {}, 'r');
    const s = await summarizeModel(asModel(b.graph()));
    expect(s.invalidInputs).toEqual([{ node: 'r', input: 'missing' }]);
    expect(formatSummary(s)).toContain('Invalid input missing for node r');
  });

  it('(c) prints parameter counts the way TensorFlow does', () => {
    expect(humanReadableNum(999)).toBe('999');
    expect(humanReadableNum(1234)).toBe('1.23k');
    expect(humanReadableNum(23851784)).toBe('23.85M');
    expect(humanReadableNum(7850)).toBe('7.85k');
  });

  it('prints the first output shapes as the whole inference gives them, and says how many more', async () => {
    const b = graphBuilder();
    for (let i = 0; i < 11; i++) {
      const x = b.placeholder(`x${i}`, 'float', [-1, i + 1]);
      b.op('Relu', [b.op('Identity', [x], { T: attr.type('float') }, `id${i}`)], { T: attr.type('float') }, `y${i}`);
    }
    const text = formatSummary(await summarizeModel(asModel(b.graph())));
    const all = (await summarizeModel(asModel(b.graph()))).inferredOutputs;
    expect(all).toHaveLength(11);
    expect(all[7]).toEqual({ name: 'y7:0', dtype: 'float', shape: [-1, 8] });
    const shown = all.slice(0, 8).map((t) => `${t.name} float [?,${t.shape![1]}]`);
    expect(text).toContain(`Output shapes (inferred): ${shown.join(', ')}, ... (3 more)\n`);
    // The JSON form (every output) is unchanged by the text having been printed first.
    const s = await summarizeModel(asModel(b.graph()));
    formatSummary(s);
    expect(JSON.parse(JSON.stringify(s)).inferredOutputs).toEqual(all);
  });

  it('counts unused nodes against the outputs, control edges included', async () => {
    const b = graphBuilder();
    const x = b.placeholder('x', 'float', [1]);
    const c = b.const('c', 2);
    b.op('NoOp', [], {}, 'guard');
    b.op('Mul', [x, c, '^guard'], { T: attr.type('float') }, 'out');
    b.op('Identity', [x], { T: attr.type('float') }, 'dangling_branch');
    const s = await summarizeModel(asModel(b.graph()));
    expect(s.outputs.map((o) => o.name)).toEqual(['out', 'dangling_branch']);
    expect(s.counts.controlEdges).toBe(1);
  });
});

describe.skipIf(!HAVE_MODELS)('summarize on real models (skipped when ../shared/models is absent)', () => {
  it('tfdeploy_tf_mnist_tf1131 matches the catalog: 126 nodes, 8 needed by serving_default, 7,850 variable parameters', async () => {
    const s = await summarize(path.join(MODELS_DIR, 'tfdeploy_tf_mnist_tf1131'));
    expect(s.counts.nodes).toBe(126);
    expect(s.unusedNodes.length).toBe(126 - 8);
    expect(s.counts.const).toBe(32);
    expect(s.counts.identity).toBe(10);
    expect(s.counts.variable).toBe(2);
    expect(s.parameters.variableElements).toBe(784 * 10 + 10);
    expect(s.signature?.inputs).toEqual([{ key: 'images', name: 'Placeholder:0', dtype: 'float', shape: [-1, 784] }]);
    expect(s.signature?.outputs[0]?.name).toBe('Softmax:0');
    expect(s.sizes.totalBytes).toBe(s.sizes.graphBytes + s.sizes.variablesBytes);
    expect(s.sizes.variablesBytes).toBeGreaterThan(7850 * 4);
  });

  it('tfdeploy_keras_tf1131: 428 nodes, 8 reachable from the outputs', async () => {
    const s = await summarize(path.join(MODELS_DIR, 'tfdeploy_keras_tf1131'));
    expect(s.counts.nodes).toBe(428);
    expect(s.counts.nodes - s.unusedNodes.length).toBe(8);
  });

  it('a graph-only SavedModel without variables says so', async () => {
    const s = await summarize(path.join(MODELS_DIR, 'tfnet_estimator_cnn_graphonly'));
    expect(s.variablesState).toBe('missing');
    expect(formatSummary(s)).toContain('no variables checkpoint');
  });

  for (const rel of allModelPaths()) {
    it(`summarizes ${rel} (text and JSON)`, async () => {
      const s = await summarize(path.join(MODELS_DIR, rel));
      expect(s.counts.nodes).toBeGreaterThan(0);
      expect(s.ops.reduce((a, o) => a + o.count, 0)).toBe(s.counts.nodes + s.counts.functionNodes);
      expect(JSON.parse(JSON.stringify(s))).toEqual(JSON.parse(JSON.stringify(s)));
      expect(formatSummary(s)).toMatch(/Total size: [\d,]+ B/);
    });
  }
});
