/**
 * State-updating signatures, end to end on the real models: `optimize` keeps the variables a
 * signature writes (a checkpoint and a saver in the output SavedModel; the variables only read are
 * frozen), and the optimized model, loaded back from disk as any loader would, behaves as
 * TensorFlow defines it:
 *
 * - serving_counter (TF Serving's test model): incr_counter run N times counts up by one from the
 *   checkpoint's value, incr_counter_by adds its delta, get_counter reads the count, reset_counter
 *   sets it to the model's reset value, and a fresh session starts from the checkpoint again.
 * - tfrust_regression_tf2 (a linear regression y = w x + b trained by SGD): one `train` call
 *   returns the loss mean((w x + b - y)^2) and moves w and b by one step of gradient descent, all
 *   computed here by hand in float64 from the original checkpoint's values; a second call's loss is
 *   the loss at the new weights, and the optimizer's step counter went up by two.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type LoadedModel, loadModel, mainGraph, readModelVariables } from '../../src/io/model-files';
import { makeTensor, tensorToNumbers, type Tensor } from '../../src/ir/tensor';
import { createSession, savedModelVariables } from '../../src/runtime';
import { optimize } from '../../src/workflow/optimize-files';
import { HAVE_MODELS, SKIP_REASON, modelPath } from '../helpers/models';
import { useScratch } from '../helpers/scratch';

const scratch = useScratch('graft-state-updating');

async function savedModel(dir: string): Promise<Extract<LoadedModel, { kind: 'saved-model' }>> {
  const m = await loadModel(dir);
  if (m.kind !== 'saved-model') throw new Error(`test: ${dir} is not a SavedModel`);
  return m;
}

/** The model's variables as the runtime keys them, read from its own checkpoint. */
async function variablesOf(m: Extract<LoadedModel, { kind: 'saved-model' }>): Promise<Map<string, Tensor>> {
  return savedModelVariables(m, await readModelVariables(m));
}

const scalar = (t: Tensor | undefined) => {
  const v = tensorToNumbers(t!);
  expect(v).toHaveLength(1);
  return v[0]!;
};

describe.skipIf(!HAVE_MODELS)(`optimize keeps what a signature writes (${HAVE_MODELS ? 'models present' : SKIP_REASON})`, () => {
  it('serving_counter: the optimized model counts as TensorFlow does', async () => {
    const out = path.join(scratch.freshDir('counter'), 'out');
    const { report } = await optimize(modelPath('serving_counter'), out);
    expect(report.verdicts.map((v) => [v.key, v.verified])).toEqual([
      ['get_counter', true],
      ['incr_counter_by', true],
      ['incr_counter', true],
      ['reset_counter', true],
    ]);
    // Verified over calls in a row, the counter's final value compared too.
    const incr = report.verification!.signatures.find((s) => s.key === 'incr_counter')!;
    expect(incr.outputs.map((o) => o.name)).toEqual(['call 1: incr_counter_op/AssignAdd:0', 'call 2: incr_counter_op/AssignAdd:0', 'call 3: incr_counter_op/AssignAdd:0', 'variable counter']);

    // The result on disk: a checkpoint, a saver, the counter still a variable.
    expect(existsSync(path.join(out, 'variables', 'variables.index'))).toBe(true);
    expect(existsSync(path.join(out, 'variables', 'variables.data-00000-of-00001'))).toBe(true);
    const result = await savedModel(out);
    const mg = result.savedModel.metaGraphs[0]!;
    expect(mg.proto.saver_def).toMatchObject({ restore_op_name: 'save/restore_all', filename_tensor_name: 'save/Const:0', version: 2 });
    expect(mg.graph.nodes.filter((n) => n.op === 'VariableV2').map((n) => n.name)).toEqual(['counter']);

    // Its counter starts where the original checkpoint has it.
    const original = await savedModel(modelPath('serving_counter'));
    const start = scalar((await variablesOf(original)).get('counter'));
    // reset_counter assigns the original graph's constant.
    const resetValue = original.savedModel.metaGraphs[0]!.graph.nodes.find((n) => n.name === 'reset_counter_op/Assign/value')!.attrs.value;
    const resetTo = scalar(resetValue?.kind === 'tensor' ? resetValue.value : undefined);
    const variables = await variablesOf(result);
    expect(scalar(variables.get('counter'))).toBe(start);

    const sigs = mg.signatures;
    const fetch = (k: string) => sigs[k]!.outputs.output!.name!;
    const s = await createSession(mainGraph(result), { variables });
    const N = 5;
    for (let i = 1; i <= N; i++) expect(scalar((await s.run({}, [fetch('incr_counter')]))[0])).toBe(start + i);
    expect(scalar((await s.run({}, [fetch('get_counter')]))[0])).toBe(start + N);
    const delta = sigs.incr_counter_by!.inputs.delta!.name!;
    expect(scalar((await s.run({ [delta]: makeTensor('float', [], [2.5]) }, [fetch('incr_counter_by')]))[0])).toBe(start + N + 2.5);
    expect(scalar((await s.run({}, [fetch('get_counter')]))[0])).toBe(start + N + 2.5);
    expect(scalar((await s.run({}, [fetch('reset_counter')]))[0])).toBe(resetTo);
    expect(scalar((await s.run({}, [fetch('get_counter')]))[0])).toBe(resetTo);
    s.dispose();
    // A fresh session starts from the checkpoint again.
    const fresh = await createSession(mainGraph(result), { variables });
    expect(scalar((await fresh.run({}, [fetch('incr_counter')]))[0])).toBe(start + 1);
    fresh.dispose();
  }, 120_000);

  it('one state-updating signature chosen, or its output named, is kept and verified over calls in a row too', async () => {
    const one = await optimize(modelPath('serving_counter'), path.join(scratch.freshDir('one'), 'out'), { signature: 'incr_counter_by' });
    expect(one.report.verdicts).toEqual([{ key: 'incr_counter_by', verified: true }]);
    const named = await optimize(modelPath('serving_counter'), path.join(scratch.freshDir('named'), 'out'), { outputs: ['incr_counter_by_op/AssignAdd'] });
    const v = named.report.verification!.signatures[0]!;
    expect(v.verified).toBe(true);
    expect(v.outputs.map((o) => o.name)).toContain('variable counter');
  }, 120_000);

  it('tfrust_regression_tf2: one train step of the optimized model is one step of gradient descent, computed by hand', async () => {
    const out = path.join(scratch.freshDir('regression'), 'out');
    const { report } = await optimize(modelPath('tfrust_regression_tf2'), out);
    expect(report.verdicts.every((v) => v.verified)).toBe(true);
    expect(report.verdicts.map((v) => v.key).sort()).toEqual(['b', 'train', 'w']);
    expect([...report.keptVariables].sort()).toEqual(['SGD/iter', 'b', 'w']);
    expect(report.frozenVariables).toBe(2);

    // The original's weights, learning rate and step counter, from its own checkpoint.
    const original = await variablesOf(await savedModel(modelPath('tfrust_regression_tf2')));
    const w0 = scalar(original.get('w'));
    const b0 = scalar(original.get('b'));
    const lr = scalar(original.get('SGD/learning_rate'));
    const iter0 = scalar(original.get('SGD/iter'));

    // Written variables stay variables; the learning rate and momentum, only read, are frozen.
    const result = await savedModel(out);
    const mg = result.savedModel.metaGraphs[0]!;
    expect(mg.graph.nodes.filter((n) => n.op === 'VarHandleOp').map((n) => n.name).sort()).toEqual(['SGD/iter', 'b', 'w']);
    expect(mg.graph.nodes.find((n) => n.name === 'SGD/learning_rate')?.op).toBe('Const');

    const variables = await variablesOf(result);
    const s = await createSession(mainGraph(result), { variables });
    const sig = mg.signatures;
    const x = [0.5, -1, 2, 3.25];
    const y = [1.5, -0.5, 4, 7];
    const feeds = { [sig.train!.inputs.x!.name!]: makeTensor('float', [x.length], x), [sig.train!.inputs.y!.name!]: makeTensor('float', [y.length], y) };
    const train = sig.train!.outputs.loss!.name!;

    // loss = mean(r^2), r = w x + b - y; dL/dw = mean(2 r x), dL/db = mean(2 r); SGD: v -= lr * grad.
    const f = Math.fround;
    const mean = (a: number[]) => a.reduce((p, q) => p + q, 0) / a.length;
    const step = (w: number, b: number) => {
      const xs = x.map(f);
      const r = xs.map((xi, i) => w * xi + b - f(y[i]!));
      return { loss: mean(r.map((ri) => ri * ri)), w: w - lr * mean(r.map((ri, i) => 2 * ri * xs[i]!)), b: b - lr * mean(r.map((ri) => 2 * ri)) };
    };
    const one = step(w0, b0);
    const close = (got: number, want: number) => expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want)));

    close(scalar((await s.run(feeds, [train]))[0]), one.loss);
    close(scalar((await s.run({}, [sig.w!.outputs.output!.name!]))[0]), one.w);
    close(scalar((await s.run({}, [sig.b!.outputs.output!.name!]))[0]), one.b);
    // The weights moved: this is not the starting point.
    expect(Math.abs(one.w - w0) + Math.abs(one.b - b0)).toBeGreaterThan(1e-3);

    // A second step starts from the first one's weights.
    const two = step(one.w, one.b);
    close(scalar((await s.run(feeds, [train]))[0]), two.loss);
    close(scalar(s.readVariable('w')), two.w);
    close(scalar(s.readVariable('b')), two.b);
    expect(scalar(s.readVariable('SGD/iter'))).toBe(iter0 + 2);
    s.dispose();
  }, 120_000);
});
