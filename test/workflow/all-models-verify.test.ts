/**
 * Every real SavedModel verifies: `optimize` (the library, in process) on every SavedModel in
 * ../shared/models that has its variable data (or has no variables), and every signature of it
 * (`__saved_model_init_op` aside) must come out verified.
 *
 * Signatures graft cannot verify yet are listed in EXPECTED_NOT_VERIFIED, each naming what is
 * missing and who builds it. The list is kept tight both ways: a signature not verified that is not
 * listed fails, and so does a listed one that now verifies (remove it from the list) or whose
 * reason no longer names anything listed for it.
 *
 * Graph-only models (no variable data: kotlindl_*_graphonly, tfnet_*_graphonly) are out of
 * scope: optimize refuses them with a clear error, checked at the end.
 */
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isGraftError } from '../../src/errors';
import { loadModel } from '../../src/io/model-files';
import { optimize } from '../../src/workflow/optimize-files';
import type { SignatureVerdict } from '../../src/workflow/report';
import { HAVE_MODELS, MODELS_DIR, SKIP_REASON } from '../helpers/models';
import { useScratch } from '../helpers/scratch';

const scratch = useScratch('graft-all-models-verify');

/** What keeps a signature from verifying: words its reason must contain (any one), and the missing piece. */
interface Expected {
  readonly because: readonly string[];
  readonly missing: string;
}

/**
 * Signatures that do not verify yet, by model. Every entry names the missing piece; shrink this as
 * the pieces land. Empty: every signature of every SavedModel with its weights verifies. (Landed
 * since this list began: ParseExample/ParseExampleV2 with synthesized tf.Examples, Assert,
 * SparseToDense, the string ops, lookup tables, optimize's verification running the SavedModel
 * init with its assets, and state-updating signatures: serving_counter's incr_counter,
 * incr_counter_by, reset_counter and tfrust_regression_tf2's train keep the variables they write
 * and are verified over calls in a row.)
 */
const EXPECTED_NOT_VERIFIED: Readonly<Record<string, Readonly<Record<string, Expected>>>> = {};

/** The count this file asserts: every signature of every SavedModel with its weights. */
const EXPECTED_SIGNATURES = 57;

/** SavedModel directories of the shared models, with whether their variables can be read. */
async function savedModels(): Promise<{ name: string; hasWeights: boolean }[]> {
  if (!HAVE_MODELS) return [];
  const out: { name: string; hasWeights: boolean }[] = [];
  for (const name of readdirSync(MODELS_DIR).sort()) {
    const dir = path.join(MODELS_DIR, name);
    if (!existsSync(path.join(dir, 'saved_model.pb')) && !existsSync(path.join(dir, 'saved_model.pbtxt'))) continue;
    const m = await loadModel(dir);
    if (m.kind !== 'saved-model') continue;
    const variableOps = m.savedModel.metaGraphs.some((mg) => mg.graph.nodes.some((n) => /^(VariableV2|Variable|VarHandleOp)$/.test(n.op)));
    out.push({ name, hasWeights: !variableOps || m.variables.state === 'present' });
  }
  return out;
}

const models = await savedModels();
const totals = { models: 0, signatures: 0, verified: 0 };

describe.skipIf(!HAVE_MODELS)(`every SavedModel with its weights verifies every signature (${HAVE_MODELS ? 'models present' : SKIP_REASON})`, () => {
  it('finds the shared SavedModels, and every expected-failure entry names one of them', () => {
    expect(models.filter((m) => m.hasWeights).length).toBeGreaterThanOrEqual(20);
    const names = new Set(models.filter((m) => m.hasWeights).map((m) => m.name));
    for (const name of Object.keys(EXPECTED_NOT_VERIFIED)) expect(names.has(name), `${name} is listed but not a SavedModel with weights`).toBe(true);
  });

  for (const { name } of models.filter((m) => m.hasWeights)) {
    it(name, async () => {
      const { report } = await optimize(path.join(MODELS_DIR, name), path.join(scratch.freshDir(name), 'out'));
      const expected = EXPECTED_NOT_VERIFIED[name] ?? {};
      const verdicts: readonly SignatureVerdict[] = report.verdicts;
      expect(verdicts.length, 'at least one signature').toBeGreaterThan(0);
      expect(verdicts.map((v) => v.key)).not.toContain('__saved_model_init_op');
      const problems: string[] = [];
      for (const v of verdicts) {
        const want = expected[v.key];
        if (v.verified && want) problems.push(`${v.key} now verifies: remove it from EXPECTED_NOT_VERIFIED (was: ${want.missing})`);
        if (!v.verified && !want) problems.push(`${v.key} is NOT VERIFIED: ${v.reason}`);
        if (!v.verified && want && !want.because.some((w) => v.reason?.includes(w))) {
          problems.push(`${v.key} is NOT VERIFIED for another reason than listed (${want.because.join(', ')}): ${v.reason}`);
        }
      }
      for (const key of Object.keys(expected)) if (!verdicts.some((v) => v.key === key)) problems.push(`${key} is listed but the model has no such signature`);
      expect(problems).toEqual([]);
      totals.models++;
      totals.signatures += verdicts.length;
      totals.verified += verdicts.filter((v) => v.verified).length;
    }, 120_000);
  }

  it('graph-only models (no variable data) are refused with a clear error naming what is missing', async () => {
    for (const { name } of models.filter((m) => !m.hasWeights)) {
      const out = path.join(scratch.freshDir(name), 'out');
      const e = await optimize(path.join(MODELS_DIR, name), out).catch((x: unknown) => x);
      expect(isGraftError(e) && ['io/not-found', 'io/missing-variables'].includes(e.code), `${name}: ${String(e)}`).toBe(true);
      expect((e as Error).message).toMatch(/variables|data file/);
      expect(existsSync(out)).toBe(false);
    }
    // The count, for the record (run this file alone to see it).
    console.log(`all-models-verify: ${totals.verified} of ${totals.signatures} signatures verified over ${totals.models} SavedModels`);
    // When every model ran (not a filtered run), all of them verified.
    if (totals.models === models.filter((m) => m.hasWeights).length) {
      expect(totals.signatures).toBe(EXPECTED_SIGNATURES);
      expect(totals.verified).toBe(EXPECTED_SIGNATURES);
    }
  });
});
