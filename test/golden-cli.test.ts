/**
 * Golden tests of command output on real models: `graft diff` between a model and its transformed
 * version (text and `--json`), and `graft optimize`'s per-op-type table (text, and the same table
 * computed from its `--json` report). The expected files are in test/golden/cli; paths in them
 * are written `<models>` (the shared models) and `<tmp>` (the test's scratch folder).
 * `GRAFT_UPDATE_GOLDEN=1 npx vitest run test/golden-cli.test.ts` rewrites them (review the diff
 * before committing it).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffCommand } from '../src/cli/commands/diff';
import { optimizeCommand } from '../src/cli/commands/optimize';
import { invokeCommand } from './helpers/cli';
import { formatOpTable, opCountRows } from '../src/workflow/report';
import { transformModel } from '../src/workflow/transform-model';
import { HAVE_MODELS, MODELS_DIR, SKIP_REASON, modelPath } from './helpers/models';
import { useScratch } from './helpers/scratch';

const DIR = path.join(import.meta.dirname, 'golden', 'cli');
const UPDATE = process.env.GRAFT_UPDATE_GOLDEN === '1';

const run = invokeCommand;

/** Compares `actual` with the golden file `name` (writing it under GRAFT_UPDATE_GOLDEN=1). */
function golden(name: string, actual: string): void {
  const file = path.join(DIR, name);
  const text = actual.endsWith('\n') ? actual : `${actual}\n`;
  if (UPDATE) writeFileSync(file, text);
  expect(existsSync(file), `${file} is missing (GRAFT_UPDATE_GOLDEN=1 writes it)`).toBe(true);
  expect(text).toBe(readFileSync(file, 'utf8'));
}

describe.skipIf(!HAVE_MODELS)(`golden command output on real models (${HAVE_MODELS ? 'present' : SKIP_REASON})`, () => {
  const scratch = useScratch('graft-golden-cli');
  const portable = (text: string, tmp: string) => text.split(tmp).join('<tmp>').split(MODELS_DIR).join('<models>');

  const diffCases = [
    { name: 'diff-kws-cnn-s', model: 'kws_cnn_s/CNN_S.pb', transforms: 'remove_nodes(op=Identity) fold_constants' },
    {
      // Attribute-level changes: a tensor's values (round_weights), devices, an attribute removed.
      name: 'diff-mnist-attrs',
      model: 'nns_mnist_softmax_frozen/mnist.pb',
      transforms: 'remove_nodes(op=Identity) round_weights(num_steps=16) set_device(device="/cpu:0") remove_attribute(op_name=MatMul, attribute_name=transpose_a)',
    },
  ];
  for (const c of diffCases) {
    it(`graft diff: ${c.model} against ${c.transforms}`, async () => {
      const tmp = scratch.freshDir(c.name);
      const out = path.join(tmp, path.basename(c.model));
      await transformModel(modelPath(c.model), out, { transforms: c.transforms });
      const text = await run(diffCommand, [modelPath(c.model), out]);
      expect(text.err).toBe('');
      expect(text.code).toBe(1); // they differ
      golden(`${c.name}.txt`, portable(text.out, tmp));
      const json = await run(diffCommand, [modelPath(c.model), out, '--json']);
      expect(json.code).toBe(1);
      const parsed = JSON.parse(json.out);
      expect(parsed.summary.removed + parsed.summary.added + parsed.summary.changed).toBeGreaterThan(0);
      golden(`${c.name}.json`, portable(json.out, tmp));
      // A model against itself: no difference, exit 0.
      const same = await run(diffCommand, [out, out]);
      expect(same.code).toBe(0);
      expect(same.out.split('\n').at(-1)).toMatch(/^0 removed, 0 added, 0 changed, \d+ unchanged/);
    }, 60_000);
  }

  it("graft optimize: the per-op-type table of tfdeploy_tf_mnist_tf1131 (text and --json)", async () => {
    const tmp = scratch.freshDir('optimize');
    const text = await run(optimizeCommand, [modelPath('tfdeploy_tf_mnist_tf1131'), path.join(tmp, 'text'), '--no-verify']);
    expect(text.code).toBe(0);
    // The table sits between blank lines after the stage table: from its header to its total row.
    const lines = text.out.split('\n');
    const start = lines.findIndex((l) => /^op\s+original\s+frozen\s+optimized\s+change$/.test(l));
    const end = lines.findIndex((l, i) => i > start && l.startsWith('total '));
    expect(start).toBeGreaterThan(0);
    expect(lines[start - 1]).toBe('');
    expect(lines[start - 2]).toMatch(/^change\s/);
    const table = lines.slice(start, end + 1).join('\n');
    golden('optimize-ops-tfdeploy-mnist.txt', table);
    // The JSON report carries the same table (`ops`), and the counts per stage it comes from.
    const json = await run(optimizeCommand, [modelPath('tfdeploy_tf_mnist_tf1131'), path.join(tmp, 'json'), '--no-verify', '--json']);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.out);
    expect(formatOpTable(report.ops)).toBe(table);
    expect(report.ops).toEqual(opCountRows(report.stages));
    expect(report.stages.original.ops.VariableV2).toBe(2);
    expect(report.stages.optimized.ops.VariableV2).toBeUndefined();
  }, 120_000);
});
