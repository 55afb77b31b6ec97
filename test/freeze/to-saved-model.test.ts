import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toSavedModelCommand } from '../../src/cli/commands/to-saved-model';
import { main } from '../../src/cli/main';
import { reportError } from '../../src/cli/output';
import { isGraftError } from '../../src/errors';
import { extractSubGraph } from '../../src/freeze/extract';
import { freezeModel } from '../../src/freeze/freeze-files';
import { outputDType, remapSignatures, toSavedModel } from '../../src/freeze/to-saved-model';
import { exportSavedModel } from '../../src/freeze/export-saved-model';
import { attr } from '../../src/ir/attr';
import { graphBuilder } from '../../src/ir/builder';
import { makeTensor } from '../../src/ir/tensor';
import { loadModel, mainGraph, saveSavedModel } from '../../src/io/model-files';
import { HAVE_MODELS, SKIP_REASON, modelPath } from '../helpers/models';

const dir = mkdtempSync(path.join(tmpdir(), 'graft-to-saved-model-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t), interactive: false } };
}

async function runCommand(args: string[]) {
  const c = capture();
  try {
    return { code: await toSavedModelCommand(args, c.io), ...c };
  } catch (e) {
    return { code: reportError(e, c.io, false), ...c };
  }
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return isGraftError(e) ? e.code : `not a GraftError: ${String(e)}`;
  }
  return 'no error';
}

/** x [-1, 3] → MatMul(w) → Softmax probs; ArgMax classes; a device on one node. */
function smallFrozen() {
  const b = graphBuilder();
  const x = b.placeholder('x', 'float', [-1, 3]);
  const w = b.const('w', makeTensor('float', [3, 2], [1, 2, 3, 4, 5, 6]));
  const mm = b.op('MatMul', [x, w], { T: attr.type('float') }, 'logits', { device: '/device:CPU:0' });
  b.op('Softmax', [mm], { T: attr.type('float'), _output_shapes: attr.list({ shape: [{ dims: [-1, 2], unknownRank: false }] }) }, 'probs');
  const axis = b.const('axis', makeTensor('int32', [], [1]));
  b.op('ArgMax', [mm, axis], { T: attr.type('float'), Tidx: attr.type('int32'), output_type: attr.type('int64') }, 'classes');
  return b.graph();
}

describe('toSavedModel (simple_save)', () => {
  it('writes tag serve and one serving_default predict signature from the placeholders and unconsumed nodes', async () => {
    const sm = await toSavedModel(smallFrozen());
    expect(sm.schemaVersion).toBe(1);
    expect(sm.metaGraphs).toHaveLength(1);
    const mg = sm.metaGraphs[0]!;
    expect(mg.tags).toEqual(['serve']);
    expect(mg.proto.meta_info_def).toEqual({ tags: ['serve'] });
    expect(mg.proto.saver_def).toBeUndefined();
    expect(Object.keys(mg.signatures)).toEqual(['serving_default']);
    const sig = mg.signatures.serving_default!;
    expect(sig.methodName).toBe('tensorflow/serving/predict');
    expect(sig.inputs).toEqual({ x: { name: 'x:0', dtype: 'float', shape: { dims: [-1, 3], unknownRank: false }, encoding: 'name' } });
    // probs has _output_shapes; classes is ArgMax: its dtype is output_type (int64), not T, and its
    // shape is inferred (the reduced axis dropped), as TensorFlow writes it.
    expect(sig.outputs).toEqual({
      probs: { name: 'probs:0', dtype: 'float', shape: { dims: [-1, 2], unknownRank: false }, encoding: 'name' },
      classes: { name: 'classes:0', dtype: 'int64', shape: { dims: [-1], unknownRank: false }, encoding: 'name' },
    });
    // clear_devices, as simple_save does; the input graph is not changed.
    expect(mg.graph.nodes.every((n) => n.device === '')).toBe(true);
  });

  it('takes named inputs and outputs, with key=tensor for the signature key, and other tags', async () => {
    const g = smallFrozen();
    const sm = await toSavedModel(g, { inputs: ['images=x'], outputs: ['scores=probs:0'], tags: ['serve', 'gpu'], clearDevices: false });
    const mg = sm.metaGraphs[0]!;
    expect(mg.tags).toEqual(['serve', 'gpu']);
    expect(Object.keys(mg.signatures.serving_default!.inputs)).toEqual(['images']);
    expect(mg.signatures.serving_default!.outputs.scores!.name).toBe('probs:0');
    expect(mg.graph).toBe(g);
  });

  it('refuses names that are not in the graph, and empty inputs or outputs', async () => {
    const g = smallFrozen();
    const err = async (f: () => unknown) => {
      try {
        await f();
      } catch (e) {
        return isGraftError(e) ? `${e.code}: ${e.message}` : String(e);
      }
      return 'no error';
    };
    expect(await err(() => toSavedModel(g, { outputs: ['prob'] }))).toMatch(/^freeze\/missing-output: .*did you mean 'probs'/);
    expect(await err(() => toSavedModel(g, { inputs: ['nope:0'] }))).toMatch(/^graph\/missing-node/);
    expect(await err(() => toSavedModel(g, { inputs: [] }))).toMatch(/inputs cannot be empty/);
    expect(await err(() => toSavedModel(g, { inputs: ['a=x', 'a=x'] }))).toMatch(/share the signature key 'a'/);
    expect(await err(() => toSavedModel(g, { signatures: { s: { methodName: 'm', inputs: {}, outputs: { y: { name: 'gone:0', dtype: 'float', shape: null, encoding: 'name' } } } } }))).toMatch(
      /^graph\/missing-node: Signature 's' names 'gone:0'/,
    );
  });

  it('reads output dtypes from the attribute that holds them', () => {
    const b = graphBuilder();
    const x = b.placeholder('x', 'float', [2]);
    b.op('Shape', [x], { T: attr.type('float'), out_type: attr.type('int32') }, 'shape');
    b.op('Cast', [x], { SrcT: attr.type('float'), DstT: attr.type('int64') }, 'cast');
    b.op('Less', [x, x], { T: attr.type('float') }, 'less');
    b.op('TopKV2', [x, 'k'], { T: attr.type('float') }, 'topk');
    const g = b.graph();
    const node = (n: string) => g.nodes.find((m) => m.name === n)!;
    expect(outputDType(node('shape'), 0)).toBe('int32');
    expect(outputDType(node('cast'), 0)).toBe('int64');
    expect(outputDType(node('less'), 0)).toBe('bool');
    expect(outputDType(node('topk'), 0)).toBe('float');
    expect(outputDType(node('topk'), 1)).toBe('int32');
  });
});

describe('exportSavedModel', () => {
  it('refuses an asset path that leaves the export directory, and leaves nothing behind', async () => {
    const assetsFrom = path.join(dir, 'assets-src');
    mkdirSync(assetsFrom, { recursive: true });
    writeFileSync(path.join(assetsFrom, 'vocab.txt'), 'a\nb\n');
    for (const bad of ['../../etc/passwd', '/etc/passwd', 'sub/../../x']) {
      const out = path.join(dir, `unsafe-${bad.length}`);
      expect(await codeOf(exportSavedModel(smallFrozen(), out, { assetsFrom, assets: [bad] }))).toBe('io/unsafe-path');
      expect(existsSync(out)).toBe(false);
    }
    expect(readdirSync(dir).filter((f) => f.includes('graft'))).toEqual([]);
  });

  it('copies assets, writes an empty variables/ directory, and refuses a non-empty export dir unless told to overwrite', async () => {
    const assetsFrom = path.join(dir, 'assets-src2');
    mkdirSync(path.join(assetsFrom, 'sub'), { recursive: true });
    writeFileSync(path.join(assetsFrom, 'sub', 'vocab.txt'), 'a\nb\n');
    const out = path.join(dir, 'with-assets');
    await exportSavedModel(smallFrozen(), out, { assetsFrom, assets: ['sub/vocab.txt'] });
    expect(readdirSync(out).sort()).toEqual(['assets', 'saved_model.pb', 'variables']);
    expect(readdirSync(path.join(out, 'variables'))).toEqual([]);
    const m = await loadModel(out);
    expect(m.kind === 'saved-model' && m.assets).toEqual(['sub/vocab.txt']);

    expect(await codeOf(exportSavedModel(smallFrozen(), out))).toBe('io/exists');
    await exportSavedModel(smallFrozen(), out, { overwrite: true, outputs: ['probs'] });
    const again = await loadModel(out);
    expect(again.kind === 'saved-model' && Object.keys(again.savedModel.metaGraphs[0]!.signatures.serving_default!.outputs)).toEqual(['probs']);
    // An empty directory is fine (TensorFlow accepts it too).
    const empty = path.join(dir, 'empty-dir');
    mkdirSync(empty);
    await exportSavedModel(smallFrozen(), empty);
    expect(existsSync(path.join(empty, 'saved_model.pb'))).toBe(true);
    expect(readdirSync(dir).filter((f) => f.includes('graft-'))).toEqual([]);
  });

  it('refuses a graph that still has variables', async () => {
    const b = graphBuilder();
    const v = b.op('VariableV2', [], { dtype: attr.type('float'), shape: attr.shape([1]) }, 'v');
    b.op('Identity', [v], { T: attr.type('float') }, 'v/read');
    const out = path.join(dir, 'with-variables');
    expect(await codeOf(exportSavedModel(b.graph(), out))).toBe('freeze/unsupported');
    expect(existsSync(out)).toBe(false);
  });
});

describe.skipIf(!HAVE_MODELS)(`converting real frozen graphs back (${SKIP_REASON} skips)`, () => {
  it('nns_mnist_softmax_frozen: toSavedModel → save → loadModel gives serve / serving_default / predict', async () => {
    const frozen = mainGraph(await loadModel(modelPath('nns_mnist_softmax_frozen', 'mnist.pb')));
    const out = path.join(dir, 'mnist-sm');
    await saveSavedModel(out, await toSavedModel(frozen));
    const m = await loadModel(out);
    expect(m.kind).toBe('saved-model');
    if (m.kind !== 'saved-model') return;
    expect(m.savedModel.schemaVersion).toBe(1);
    const mg = m.savedModel.metaGraphs[0]!;
    expect(mg.tags).toEqual(['serve']);
    const sig = mg.signatures.serving_default!;
    expect(sig.methodName).toBe('tensorflow/serving/predict');
    expect(sig.inputs).toEqual({ input: { name: 'input:0', dtype: 'float', shape: { dims: [-1, 784], unknownRank: false }, encoding: 'name' } });
    expect(Object.keys(sig.outputs)).toEqual(['softmax']);
    // The graph records no shape for softmax: the inferred one, as TensorFlow writes it.
    expect(sig.outputs.softmax).toEqual({ name: 'softmax:0', dtype: 'float', shape: { dims: [-1, 10], unknownRank: false }, encoding: 'name' });
    expect(mg.graph.nodes.map((n) => n.name)).toEqual(frozen.nodes.map((n) => n.name));
  });

  it('graft show --all prints the converted model as saved_model_cli does', async () => {
    const out = path.join(dir, 'mnist-show');
    await exportSavedModel(mainGraph(await loadModel(modelPath('nns_mnist_softmax_frozen', 'mnist.pb'))), out);
    const c = capture();
    expect(await main(['show', '--dir', out, '--all'], c.io)).toBe(0);
    const text = c.out.join('');
    expect(text).toContain("MetaGraphDef with tag-set: 'serve' contains the following SignatureDefs:");
    expect(text).toContain("signature_def['serving_default']:");
    expect(text).toContain("inputs['input'] tensor_info:\n        dtype: DT_FLOAT\n        shape: (-1, 784)\n        name: input:0");
    expect(text).toContain("outputs['softmax'] tensor_info:\n        dtype: DT_FLOAT\n        shape: (-1, 10)\n        name: softmax:0");
    expect(text).toContain('Method name is: tensorflow/serving/predict');
  });

  it('remapSignatures keeps the signatures a pruned, renamed graph still holds and reports the others', async () => {
    const m = await loadModel(modelPath('serving_half_plus_two_cpu'));
    if (m.kind !== 'saved-model') throw new Error('expected a SavedModel');
    const mg = m.savedModel.metaGraphs[0]!;
    const pruned = extractSubGraph(mg.graph, ['y']);
    const kept = remapSignatures(mg.signatures, pruned);
    expect(Object.keys(kept.signatures).sort()).toEqual(['classify_x_to_y', 'regress_x_to_y', 'serving_default']);
    expect(kept.dropped).toEqual([
      { key: 'regress_x_to_y2', missing: ['y2:0'] },
      { key: 'regress_x2_to_y3', missing: ['x2:0', 'y3:0'] },
    ]);
    // A rename (rename_node y → output) moves the signatures with it.
    const renamed = pruned.nodes.map((n) => (n.name === 'y' ? { ...n, name: 'output' } : n));
    const g2 = { ...pruned, nodes: renamed };
    const r2 = remapSignatures(mg.signatures, g2, new Map([['y', 'output']]));
    expect(r2.signatures.serving_default!.outputs.y!.name).toBe('output:0');
    expect(r2.signatures.serving_default!.inputs.x!.name).toBe('x:0');
    expect(r2.signatures.classify_x_to_y!.methodName).toBe('tensorflow/serving/classify');
    // Without the rename map, 'y' is gone.
    expect(remapSignatures(mg.signatures, g2).dropped.map((d) => d.key)).toContain('serving_default');
  });

  it('graft to-saved-model: a frozen graph in, a SavedModel out; refuses an existing export dir', async () => {
    const out = path.join(dir, 'cli-mnist');
    const r = await runCommand([`--in_graph=${modelPath('nns_mnist_softmax_frozen', 'mnist.pb')}`, `--export_dir=${out}`, '--outputs=probabilities=softmax']);
    expect(r.code).toBe(0);
    expect(r.out.join('\n')).toContain("signature 'serving_default' (tensorflow/serving/predict): inputs input=input:0; outputs probabilities=softmax:0");
    const m = await loadModel(out);
    expect(m.kind === 'saved-model' && m.savedModel.metaGraphs[0]!.signatures.serving_default!.outputs.probabilities!.name).toBe('softmax:0');

    const again = await runCommand([`--in_graph=${modelPath('nns_mnist_softmax_frozen', 'mnist.pb')}`, `--export_dir=${out}`]);
    expect(again.code).toBe(1);
    expect(again.err.join('\n')).toMatch(/io\/exists.*already exists \(a directory that is not empty\).*--overwrite/);
    expect((await runCommand([`--export_dir=${out}`])).code).toBe(2);
  });

  it('graft to-saved-model --signatures_from: the original signatures that still hold, and the assets', async () => {
    const original = modelPath('serving_half_plus_two_cpu');
    const frozenPath = path.join(dir, 'hp2-frozen.pb');
    const { saveGraph } = await import('../../src/io/model-files');
    await saveGraph((await freezeModel(original, { outputNodeNames: ['y', 'y2'] })).graph, frozenPath);
    const out = path.join(dir, 'cli-hp2');
    const r = await runCommand([`--in_graph=${frozenPath}`, `--export_dir=${out}`, `--signatures_from=${original}`]);
    expect(r.code).toBe(0);
    expect(r.err.join('\n')).toContain("warning: signature 'regress_x2_to_y3' dropped: the graph has no x2:0, y3:0");
    const m = await loadModel(out);
    if (m.kind !== 'saved-model') throw new Error('expected a SavedModel');
    expect(Object.keys(m.savedModel.metaGraphs[0]!.signatures).sort()).toEqual(['classify_x_to_y', 'regress_x_to_y', 'regress_x_to_y2', 'serving_default']);
    expect(m.assets).toEqual(['foo.txt']);
  });
});
