/**
 * Freezing keeps lookup tables working: initializers are kept and wired as control inputs of the
 * table reads, and a vocabulary asset is folded into constants, so the frozen graph runs with no
 * file and no init op (checked on tfx_transform_fn, and on a built graph).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics';
import { attr } from '../../src/ir/attr';
import { makeStringTensor, makeTensor, tensorToArray } from '../../src/ir/tensor';
import { loadModel } from '../../src/io/model-files';
import { freezeMetaGraph, readTableAssets } from '../../src/freeze/freeze';
import { tableInitializers, wireTableInitializers } from '../../src/freeze/tables';
import { runGraph } from '../../src/runtime';
import { graphBuilder, nodeOf } from '../helpers/graph-builder';
import { HAVE_MODELS, SKIP_REASON, modelPath } from '../helpers/models';

const LOOKUP = 'transform/compute_and_apply_vocabulary/apply_vocab/hash_table_Lookup/SelectV2';
const ids = (t: { dtype: string } & Parameters<typeof tensorToArray>[0]) => Array.from(tensorToArray(t) as BigInt64Array, Number);

describe('table initializers through freezing (built graph)', () => {
  const b = graphBuilder();
  b.op('HashTableV2', [], { key_dtype: attr.type('string'), value_dtype: attr.type('int64') }, 'table');
  b.const('asset', makeStringTensor([], ['/build/vocab']));
  b.op('InitializeTableFromTextFileV2', ['table', 'asset'], { key_index: attr.i(-2), value_index: attr.i(-1) }, 'init');
  b.placeholder('q', 'string', [-1]);
  b.const('d', makeTensor('int64', [], [-1]));
  b.op('LookupTableFindV2', ['table', 'q', 'd'], { Tin: attr.type('string'), Tout: attr.type('int64') }, 'find');
  const g = b.graph();

  it('finds the initializers of kept tables, folds a known asset, and wires control inputs', async () => {
    expect(tableInitializers(g, new Set(['table', 'find']))).toEqual(['init']);
    expect(tableInitializers(g, new Set(['q']))).toEqual([]);
    const diags: Diagnostic[] = [];
    const out = wireTableInitializers(g, ['init'], new Map([['asset:0', { filename: 'vocab', bytes: new TextEncoder().encode('x\ny\n') }]]), diags);
    expect(nodeOf(out, 'init').op).toBe('InitializeTableV2');
    expect(nodeOf(out, 'find').inputs).toEqual(['table', 'q', 'd', '^init']);
    expect(out.nodes.some((n) => n.name === 'asset')).toBe(false);
    expect(diags).toEqual([]);
    const [y] = await runGraph(out, { q: makeStringTensor([3], ['y', 'z', 'x']) }, ['find'], { backend: 'cpu' });
    expect(ids(y!)).toEqual([1, -1, 0]);
  });

  it('keeps a text-file initializer whose asset is unknown, with a warning', () => {
    const diags: Diagnostic[] = [];
    const out = wireTableInitializers(g, ['init'], new Map(), diags);
    expect(nodeOf(out, 'init').op).toBe('InitializeTableFromTextFileV2');
    expect(nodeOf(out, 'find').inputs).toContain('^init');
    expect(diags.map((d) => d.code)).toEqual(['freeze/table-asset']);
  });
});

describe.skipIf(!HAVE_MODELS)(`tfx_transform_fn frozen (${HAVE_MODELS ? 'present' : SKIP_REASON})`, () => {
  it('freezes the vocabulary lookup into a self-contained graph that gives the vocabulary ids', async () => {
    const model = await loadModel(modelPath('tfx_transform_fn'));
    if (model.kind !== 'saved-model') throw new Error('expected a SavedModel');
    const mg = model.savedModel.metaGraphs[0]!;
    const assets = await readTableAssets(mg, async (f) => readFileSync(modelPath('tfx_transform_fn', 'assets', f)));
    expect([...assets.keys()].sort()).toEqual(['vocab_compute_and_apply_vocabulary_1_vocabulary', 'vocab_compute_and_apply_vocabulary_vocabulary']);
    const r = await freezeMetaGraph(mg, null, { outputNodeNames: [LOOKUP], assets });
    const init = r.graph.nodes.filter((n) => n.op.startsWith('InitializeTable'));
    expect(init.map((n) => n.op)).toEqual(['InitializeTableV2']);
    expect(r.graph.nodes.some((n) => n.op === 'InitializeTableFromTextFileV2')).toBe(false);
    const vocab = readFileSync(modelPath('tfx_transform_fn/assets/vocab_compute_and_apply_vocabulary_vocabulary'), 'utf8').split('\n').filter((l) => l);
    // No readFile, no init op: the frozen graph initializes its table itself.
    const [y] = await runGraph(r.graph, { 'transform/SparseToDense_3': makeStringTensor([3, 1], ['Cash', 'Credit Card', 'a']) }, [LOOKUP], { backend: 'cpu' });
    expect(ids(y!)).toEqual([vocab.indexOf('Cash'), vocab.indexOf('Credit Card'), vocab.length + 9]);
  });
});

describe('table initializers: deep function libraries', () => {
  it('a 50,000-deep chain of function calls is walked without exhausting the stack', async () => {
    const { makeGraph } = await import('../../src/ir/graph');
    const { makeNode } = await import('../../src/ir/node');
    const depth = 50_000;
    const functions = Array.from({ length: depth }, (_, i) => ({
      signature: { name: `f${i}` },
      attrs: {},
      // Each function calls the next by op name; the last one makes a table.
      nodes: [i + 1 < depth ? makeNode({ name: 'c', op: `f${i + 1}` }) : makeNode({ name: 't', op: 'HashTableV2' })],
      ret: {},
      controlRet: {},
    }));
    const g = makeGraph([makeNode({ name: 'call', op: 'f0' }), makeNode({ name: 'init', op: 'InitializeTableV2', inputs: ['call', 'k', 'v'] })], { library: { functions } });
    expect(tableInitializers(g, new Set(['call']))).toEqual(['init']);
  });
});
