/**
 * `to-saved-model` writes the inferred shapes into the signature, as TensorFlow does: the
 * serving article's MNIST model frozen and converted back has `probabilities` `(-1, 10)` (a
 * Softmax over [-1,10]) and `classes` `(-1)` (an ArgMax over axis 1 of [-1,10]).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMnistCnn, writeMnistCnn } from '../../examples/mnist-cnn';
import { freezeCommand } from '../../src/cli/commands/freeze';
import { showCommand } from '../../src/cli/commands/show';
import { toSavedModelCommand } from '../../src/cli/commands/to-saved-model';
import type { Io } from '../../src/cli/output';

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'graft-tsm-shapes-'));
  await writeMnistCnn(path.join(dir, 'model'), buildMnistCnn());
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(cmd: (a: readonly string[], io: Io) => Promise<number>, args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const io: Io = { out: (t) => lines.push(t), err: () => {}, interactive: false };
  const code = await cmd(args, io);
  return { code, out: lines.join('\n') };
}

describe('to-saved-model signature shapes (inferred, as TensorFlow writes them)', () => {
  it('MNIST: probabilities (-1, 10), classes (-1)', { timeout: 120_000 }, async () => {
    const frozen = path.join(dir, 'frozen.pb');
    const out = path.join(dir, 'served');
    expect((await run(freezeCommand, [`--input_saved_model_dir=${path.join(dir, 'model')}`, '--output_node_names=probabilities,classes', `--output_graph=${frozen}`])).code).toBe(0);
    expect((await run(toSavedModelCommand, [`--in_graph=${frozen}`, `--export_dir=${out}`, '--inputs=x:0', '--outputs=probabilities:0,classes:0'])).code).toBe(0);
    const shown = await run(showCommand, ['--dir', out, '--all']);
    expect(shown.code).toBe(0);
    const block = (key: string) => shown.out.slice(shown.out.indexOf(`outputs['${key}']`)).split('\n').slice(0, 4).join('\n');
    expect(block('probabilities')).toContain('shape: (-1, 10)');
    expect(block('classes')).toContain('shape: (-1)');
    expect(block('classes')).toContain('dtype: DT_INT64');
    expect(shown.out.slice(shown.out.indexOf("inputs['x']")).split('\n').slice(0, 4).join('\n')).toContain('shape: (-1, 784)');
  });
});
