/**
 * `graft run` and `graft compare` end to end, on the real MNIST softmax model and its sample
 * digit (skipped when ../shared/models is absent). The commands are called directly; the lead
 * wires them into src/cli/main.ts.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareCommand } from '../../src/cli/commands/compare';
import { runCommand } from '../../src/cli/commands/run';
import { invokeCommand } from '../helpers/cli';
import { updateNode } from '../../src/ir/edit';
import { attr } from '../../src/ir/attr';
import { makeTensor, tensorToNumbers } from '../../src/ir/tensor';
import { loadModel, mainGraph, saveGraph } from '../../src/io/model-files';
import { readNpy, writeNpy } from '../../src/io/npy';
import { HAVE_MODELS, modelPath } from '../helpers/models';

const MNIST = modelPath('nns_mnist_softmax_frozen', 'mnist.pb');
const RAW = modelPath('nns_mnist_softmax_frozen', '9.raw');
const tmp = mkdtempSync(path.join(tmpdir(), 'graft-cli-run-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const invoke = invokeCommand;

/** The 28×28 uint8 digit, scaled to float [0,1] as the model expects, as [1,784] .npy. */
function digitNpy(): string {
  const raw = readFileSync(RAW);
  expect(raw.length).toBe(28 * 28); // uint8, one byte per pixel, matching placeholder 'input' float [?,784]
  const file = path.join(tmp, 'nine.npy');
  writeFileSync(file, writeNpy(makeTensor('float', [1, 784], Array.from(raw, (v) => v / 255))));
  return file;
}

describe.skipIf(!HAVE_MODELS || !existsSync(RAW))('graft run / graft compare on nns_mnist_softmax_frozen (skipped when ../shared/models is absent)', () => {
  it('run classifies 9.raw as 9, prints the output and writes it as .npy', async () => {
    const out = path.join(tmp, 'outs');
    const r = await invoke(runCommand, [MNIST, '--input', `input=${digitNpy()}`, '--out', out]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^softmax: float \[1,10\]/m);
    expect(r.out).toMatch(/argmax 9\b/);
    const t = readNpy(readFileSync(path.join(out, 'softmax.npy')));
    expect(t.shape).toEqual([1, 10]);
    const p = tensorToNumbers(t);
    expect(p.indexOf(Math.max(...p))).toBe(9);
    expect(p.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 4);
  });

  it('run --json gives the values and the argmax; missing inputs are generated and said so', async () => {
    const r = await invoke(runCommand, [MNIST, '--json', '--output', 'softmax', '--seed', '3']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.outputs[0]).toMatchObject({ name: 'softmax', dtype: 'float', shape: [1, 10], complete: true });
    expect(j.outputs[0].values).toHaveLength(10);
    expect(j.feeds).toEqual([{ name: 'input', dtype: 'float', shape: [1, 784], generated: true }]);
    const text = await invoke(runCommand, [MNIST]);
    expect(text.err).toMatch(/generated inputs \(seed 1\): input float \[1,784\]/);
  });

  it('run reports bad usage and unknown outputs with the right exit codes', async () => {
    expect((await invoke(runCommand, [])).code).toBe(2);
    const r = await invoke(runCommand, [MNIST, '--output', 'nope']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/graph\/missing-node.*nope/);
    expect((await invoke(runCommand, [MNIST, '--input', 'input'])).code).toBe(2);
  });

  it('compare exits 0 when the models agree', async () => {
    const r = await invoke(compareCommand, [MNIST, MNIST, '--input', `input=${digitNpy()}`]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/softmax\s+float\s+\[1,10\]\s+0\s+0\s+0\s+ok/);
    expect(r.out).toMatch(/PASS/);
  });

  it('compare exits non-zero when a weight changed, and 0 again with a loose enough tolerance', async () => {
    const g = mainGraph(await loadModel(MNIST));
    const c = g.nodes.find((n) => n.name === 'bias')!;
    const t = c.attrs.value!.kind === 'tensor' ? c.attrs.value.value : undefined;
    const vals = tensorToNumbers(t!).map((v, i) => (i === 9 ? v + 0.5 : v)) // the winning class: every probability moves;
    const changed = { ...g, nodes: g.nodes.map((n) => (n === c ? updateNode(n, { attrs: { ...n.attrs, value: attr.tensor(makeTensor('float', t!.shape, vals)) } }) : n)) };
    const file = path.join(tmp, 'perturbed.pb');
    await saveGraph(changed, file);
    const r = await invoke(compareCommand, [MNIST, file, '--input', `input=${digitNpy()}`]);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/FAIL: 1 of 1 output differs/);
    const j = await invoke(compareCommand, [MNIST, file, '--json', '--input', `input=${digitNpy()}`]);
    expect(j.code).toBe(1);
    const rep = JSON.parse(j.out);
    expect(rep.pass).toBe(false);
    expect(rep.outputs[0].maxAbsDiff).toBeGreaterThan(1e-3);
    const loose = await invoke(compareCommand, [MNIST, file, '--atol', '1']);
    expect(loose.code).toBe(0);
  });

  it('compare refuses bad flags with exit code 2', async () => {
    expect((await invoke(compareCommand, [MNIST])).code).toBe(2);
    expect((await invoke(compareCommand, [MNIST, MNIST, '--rtol', 'x'])).code).toBe(2);
    expect((await invoke(compareCommand, [MNIST, MNIST, '--backend', 'gpu'])).code).toBe(2);
  });
});
