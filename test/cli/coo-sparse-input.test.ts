/**
 * COO sparse signature inputs (tfx_transform_fn's 18 inputs, each `coo_sparse`: indices, values,
 * dense_shape tensors) given with `--input`: by the names of their three tensors, all three or
 * none, for `graft run`, `graft compare` and `graft optimize`; the input's key alone is refused
 * with the three names, one given in part is refused naming what is missing; inputs not given are
 * seeded together (one value per row). Skipped when ../shared/models is absent.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareCommand } from '../../src/cli/commands/compare';
import { optimizeCommand } from '../../src/cli/commands/optimize';
import { runCommand } from '../../src/cli/commands/run';
import { invokeCommand } from '../helpers/cli';
import { tensorToNumbers } from '../../src/ir/tensor';
import { readNpy } from '../../src/io/npy';
import type { OptimizeReport } from '../../src/workflow/report';
import { HAVE_MODELS, modelPath } from '../helpers/models';
import { useScratch } from '../helpers/scratch';

const MODEL = modelPath('tfx_transform_fn');
const scratch = useScratch('graft-cli-coo');

/** fare's three tensors, as the signature names them. */
const FARE = { indices: 'transform/inputs/fare/fare:0', values: 'transform/inputs/fare/fare_1:0', denseShape: 'transform/inputs/fare/fare_2:0' };
/** fare_xf = scale_to_z_score(fare): the output read here. */
const FARE_XF = 'fare_xf';

const invoke = invokeCommand;

/** `--input` flags for fare: three rows, one value each, at [row, 0]. */
function fareInputs(values: number[]): string[] {
  const dir = scratch.freshDir('fare');
  const file = (name: string, v: unknown) => {
    const p = path.join(dir, name);
    writeFileSync(p, JSON.stringify(v));
    return p;
  };
  return [
    '--input', `${FARE.values}=${file('values.json', values)}`,
    '--input', `${FARE.indices}=${file('indices.json', values.map((_, r) => [r, 0]))}`,
    '--input', `${FARE.denseShape}=${file('shape.json', [values.length, 1])}`,
  ];
}

describe.skipIf(!HAVE_MODELS || !existsSync(MODEL))('COO sparse inputs given with --input (tfx_transform_fn)', () => {
  it('graft run: fare given by its three tensors gives a z-score of the values given; the others are seeded', async () => {
    const fares = [3.5, 7.25, 11, 40];
    const out = path.join(scratch.freshDir('run'), 'out');
    const r = await invoke(runCommand, [MODEL, '--output', FARE_XF, ...fareInputs(fares), '--out', out]);
    expect(r.err).not.toMatch(/error/);
    expect(r.code).toBe(0);
    // The other 17 sparse inputs were seeded: their tensors are listed as generated, fare's are not.
    expect(r.err).toMatch(/^generated inputs \(seed 1\): /m);
    expect(r.err).toContain('transform/inputs/company/company:0 int64 [1,2]');
    expect(r.err).not.toContain(FARE.values);
    const files = readFileSync(path.join(out, 'transform_scale_to_z_score_1_SelectV2_0.npy'));
    const y = readNpy(files);
    expect(y.shape).toEqual([fares.length, 1]);
    // (fare - mean) / std: one slope between every pair of rows, and it is positive.
    const v = tensorToNumbers(y);
    const slope = (v[1]! - v[0]!) / (fares[1]! - fares[0]!);
    expect(slope).toBeGreaterThan(0);
    for (let i = 2; i < fares.length; i++) expect((v[i]! - v[0]!) / (fares[i]! - fares[0]!)).toBeCloseTo(slope, 5);
  });

  it("graft run: the input's key alone is refused with its three tensors; one given in part names what is missing", async () => {
    const r = await invoke(runCommand, [MODEL, '--output', FARE_XF, '--input', 'fare=[1.5]']);
    expect(r.code).not.toBe(0);
    expect(r.err).toContain(`'fare' is a COO sparse input of ${MODEL}: give its three tensors by name (indices ${FARE.indices}, values ${FARE.values}, dense_shape ${FARE.denseShape})`);
    const part = await invoke(runCommand, [MODEL, '--output', FARE_XF, '--input', `${FARE.values}=[1.5]`]);
    expect(part.code).not.toBe(0);
    expect(part.err).toContain(`COO sparse input 'fare' is given in part: give its indices ${FARE.indices}, dense_shape ${FARE.denseShape} too`);
  });

  it('graft optimize verifies on the given fare (the report says so), and graft compare runs both on it', async () => {
    const out = path.join(scratch.freshDir('opt'), 'opt');
    const r = await invoke(optimizeCommand, [MODEL, out, ...fareInputs([3.5, 7.25]), '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as OptimizeReport;
    expect(report.verdicts).toEqual([{ key: 'transform_signature', verified: true }]);
    expect(report.verification?.signatures.map((s) => [s.key, s.status, s.given])).toEqual([['transform_signature', 'pass', ['fare']]]);
    expect(report.inputsFrom?.map((g) => g.input).sort()).toEqual([FARE.indices, FARE.values, FARE.denseShape].sort());

    const c = await invoke(compareCommand, [MODEL, out, ...fareInputs([1, 2, 30]), '--rtol', '0', '--atol', '0']);
    expect(c.code).toBe(0);
    expect(c.out).toMatch(/^PASS: all 17 outputs agree$/m);
    // fare's tensors were given, the other inputs' seeded.
    expect(c.out).toMatch(/transform\/inputs\/fare\/fare_1:0 float \[3\](,|$)/m);
    expect(c.out).toContain('transform/inputs/tips/tips_1:0 float [1] (generated, seed 1)');
  }, 60_000);

  it('graft optimize refuses the key alone and an input given in part, before any work', async () => {
    const key = await invoke(optimizeCommand, [MODEL, path.join(scratch.freshDir('opt'), 'a'), '--input', 'fare=[1.5]']);
    expect(key.code).toBe(2);
    expect(key.err).toContain(`--input 'fare' is a COO sparse input: give its three tensors by name (indices ${FARE.indices}, values ${FARE.values}, dense_shape ${FARE.denseShape})`);
    const part = await invoke(optimizeCommand, [MODEL, path.join(scratch.freshDir('opt'), 'b'), '--input', `${FARE.values}=[1.5]`]);
    expect(part.code).toBe(2);
    expect(part.err).toContain(`COO sparse input 'fare' is given in part: give its indices ${FARE.indices}, dense_shape ${FARE.denseShape} too`);
    expect(part.err).not.toMatch(/freezing/);
    const unknown = await invoke(optimizeCommand, [MODEL, path.join(scratch.freshDir('opt'), 'c'), '--input', 'nope=[1]']);
    expect(unknown.err).toContain(`fare (COO sparse: indices ${FARE.indices}, values ${FARE.values}, dense_shape ${FARE.denseShape})`);
  });
});
