/**
 * Every frozen GraphDef in ../shared/models: it runs (when the runtime has its ops), and the
 * serving pipeline keeps its numbers, checked step by step (runPipelineVerified) and end to end
 * with `graft compare` against the original, within 1e-4 relative.
 *
 * The pipeline holds the folding steps (fold_constants, fold_batch_norms, fold_old_batch_norms)
 * as soon as they are registered; until then the structural ones run alone, and the test says so.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareCommand } from '../../src/cli/commands/compare';
import type { Io } from '../../src/cli/output';
import { saveGraph } from '../../src/io/model-files';
import { writeNpy } from '../../src/io/npy';
import { missingKernels } from '../../src/runtime/index';
import { createRegistry } from '../../src/transform/registry';
import { generateTensor } from '../../src/verify/feeds';
import { loadRunnable, modelFeeds, runModel } from '../../src/verify/runnable';
import { runPipelineVerified } from '../../src/verify/verify-pipeline';
import { HAVE_MODELS, SKIP_REASON, allModelPaths, modelPath } from '../helpers/models';

const VARIABLE_OPS = /^(VariableV2|Variable|VarHandleOp)$/;
const STRUCTURAL = ['remove_nodes(op=Identity)', 'merge_duplicate_nodes', 'strip_unused_nodes'];
const FOLDING = ['fold_constants(ignore_errors=true)', 'fold_batch_norms', 'fold_old_batch_norms'];
const registered = new Set(createRegistry().names());
const PIPELINE = [...STRUCTURAL, ...FOLDING.filter((s) => registered.has(s.replace(/\(.*$/, '')))].join(' ');
const MISSING_STEPS = FOLDING.filter((s) => !registered.has(s.replace(/\(.*$/, '')));

const tmp = mkdtempSync(path.join(tmpdir(), 'graft-verify-real-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * Inputs the generator cannot guess: dropout's keep_prob must be 1 (a random mask otherwise
 * differs between the two runs), and tf2onnx_gru's X has unknown rank (it is reshaped from [?,784]).
 */
function feedsFor(file: string): string[] {
  const specs: string[] = [];
  // The keyword-spotting models read a WAV file's bytes.
  if (file.startsWith('kws_')) specs.push(`wav_data=@${modelPath('kws_ds_cnn_s/silence.wav')}`);
  if (file.startsWith('tf2onnx_gru/') || file.startsWith('tf2onnx_lstm/')) specs.push('keep_prob=1');
  if (file.startsWith('tf2onnx_gru/')) {
    const x = path.join(tmp, 'gru_x.npy');
    const t = generateTensor('float', [1, 784], 1, 'X');
    writeFileSync(x, writeNpy(t));
    specs.push(`X=${x}`);
  }
  return specs;
}

function frozenGraphs(): string[] {
  return allModelPaths().filter((p) => /\.(pb|pbtxt)$/.test(p) && !p.endsWith('saved_model.pb'));
}

function capture(): Io & { stdout: string[] } {
  const stdout: string[] = [];
  return { stdout, out: (t) => stdout.push(t), err: () => undefined, interactive: false };
}

describe.skipIf(!HAVE_MODELS)(`frozen graphs run and keep their numbers through '${PIPELINE}' (${HAVE_MODELS ? 'models present' : SKIP_REASON})`, () => {
  it('knows which folding steps are not registered yet', () => {
    // Not a failure: a note for whoever reads the output, until the colleagues' steps land.
    if (MISSING_STEPS.length > 0) console.info(`real-model verification without ${MISSING_STEPS.join(', ')} (not registered yet)`);
    expect(PIPELINE.startsWith(STRUCTURAL.join(' '))).toBe(true);
  });

  for (const file of HAVE_MODELS ? frozenGraphs() : []) {
    it(file, async (ctx) => {
      const m = await loadRunnable(modelPath(file));
      if (m.graph.nodes.some((n) => VARIABLE_OPS.test(n.op))) return ctx.skip(`${file} holds variables: not a frozen graph`);
      const outputs = m.outputs.map((o) => o.name);
      const missing = missingKernels(m.graph, outputs);
      if (missing.length > 0) return ctx.skip(`the runtime has no kernel for ${missing.map((x) => x.op).join(', ')}`);

      // It runs.
      const specs = feedsFor(file);
      const run = await runModel(m, { inputs: specs });
      expect(run.outputs.length).toBe(outputs.length);
      for (const o of run.outputs) expect(o.tensor.shape.every((d) => d >= 0)).toBe(true);

      // Step by step: no step moves the outputs (the same inputs as the run above).
      const { feeds } = await modelFeeds(m, { inputs: specs });
      const { graph, report } = await runPipelineVerified(m.graph, PIPELINE, {
        inputs: m.inputs.map((i) => i.name),
        outputs,
        verify: { rtol: 1e-4, atol: 1e-5, feeds },
      });
      expect(report.verification.map((v) => v.index)).toEqual(report.steps.filter((s) => s.changed && !s.skipped).map((s) => s.index));
      const moved = report.verification.filter((v) => !v.pass);
      expect(moved.map((v) => `${v.step}: ${v.outputs.filter((o) => !o.pass).map((o) => `${o.name} ${o.maxAbsDiff}`).join(', ')}`)).toEqual([]);
      expect(report.firstMoved).toBeUndefined();

      // End to end, through the CLI: exit code 0 within 1e-4 relative.
      const out = path.join(tmp, `${file.replace(/\W/g, '_')}.pb`);
      await saveGraph(graph, out);
      const io = capture();
      const code = await compareCommand([modelPath(file), out, '--rtol', '1e-4', ...specs.flatMap((s) => ['--input', s])], io);
      expect(io.stdout.join('\n')).toMatch(/PASS/);
      expect(code).toBe(0);
    }, 60_000);
  }
});
