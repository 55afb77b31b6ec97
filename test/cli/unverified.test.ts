/**
 * No silent "not verified": a SavedModel (built here with graft's writers) whose second
 * signature runs an op graft has no kernel for. `graft summarize` names the op up front, per
 * signature; `graft optimize` lists it before any work, prints `NOT VERIFIED: <signature>:
 * <reason>`, still writes the output and says so, and exits 3 (0 with --allow-unverified or
 * --no-verify); the JSON report carries a verdict per signature. `--input` verifies on the user's
 * data instead of seeded inputs.
 */
import { existsSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NOT_VERIFIED_EXIT, optimizeCommand } from '../../src/cli/commands/optimize';
import { summarizeCommand } from '../../src/cli/commands/summarize';
import { invokeCommand } from '../helpers/cli';
import { attr } from '../../src/ir/attr';
import { graphBuilder } from '../../src/ir/builder';
import { makeNode, type Node } from '../../src/ir/node';
import { makeTensor } from '../../src/ir/tensor';
import { loadModel, saveSavedModel } from '../../src/io/model-files';
import { writeNpy } from '../../src/io/npy';
import type { SavedModelProto } from '../../src/io/saved-model';
import type { OptimizeReport } from '../../src/workflow/report';
import { useScratch } from '../helpers/scratch';

const scratch = useScratch('graft-cli-unverified');

/** An op no TensorFlow build and no graft kernel knows. */
const MADE_UP_OP = 'GraftTestNoSuchOp';

/**
 * x [-1,3] → MatMul(W [3,2]) → Add(b) → y            (signature 'serving_default')
 *                                  └→ GraftTestNoSuchOp → z   (signature 'scored')
 */
function model(): SavedModelProto {
  const b = graphBuilder();
  const T = { T: attr.type('float') };
  const x = b.placeholder('x', 'float', [-1, 3]);
  const w = b.const('w', makeTensor('float', [3, 2], [0.5, -1, 2, 0.25, -0.75, 1.5]));
  const bias = b.const('bias', makeTensor('float', [2], [0.1, -0.2]));
  const mm = b.op('MatMul', [x, w], { ...T, transpose_a: attr.b(false), transpose_b: attr.b(false) }, 'matmul');
  const y = b.op('Add', [mm, bias], T, 'y');
  b.op('Identity', [y], T, 'unused_identity');
  b.op(MADE_UP_OP, [y], T, 'z');
  const info = (name: string, dims: number[]) => ({ name, dtype: 'float' as const, shape: { dims, unknownRank: false }, encoding: 'name' as const });
  return {
    schemaVersion: 1,
    metaGraphs: [
      {
        tags: ['serve'],
        graph: b.graph({ versions: { producer: 27, minConsumer: 12, badConsumers: [] } }),
        signatures: {
          serving_default: { methodName: 'tensorflow/serving/predict', inputs: { x: info('x:0', [-1, 3]) }, outputs: { y: info('y:0', [-1, 2]) } },
          scored: { methodName: 'tensorflow/serving/predict', inputs: { x: info('x:0', [-1, 3]) }, outputs: { z: info('z:0', [-1, 2]) } },
        },
        proto: { meta_info_def: { tags: ['serve'], tensorflow_version: '1.13.1' } },
      },
    ],
  };
}

async function saved(): Promise<string> {
  const dir = path.join(scratch.freshDir('model'), 'model');
  await saveSavedModel(dir, model());
  return dir;
}

const run = invokeCommand;

describe('a model with an op graft cannot run', () => {
  it('graft summarize names the op and its node up front, per signature; --json carries it as data', async () => {
    const dir = await saved();
    const r = await run(summarizeCommand, [dir]);
    expect(r.code).toBe(0);
    const lines = r.stdout.join('\n').split('\n');
    // Right after the meta graph line, before the signature's tensors and the op counts.
    expect(lines[2]).toBe('Ops graft cannot run (no kernel): 1 of 2 signatures affected');
    expect(lines[3]).toBe(`  'scored': ${MADE_UP_OP} (1 node: z)`);
    const json = await run(summarizeCommand, [dir, '--json']);
    const s = JSON.parse(json.stdout.join('\n')) as { unsupportedOps: unknown };
    expect(s.unsupportedOps).toEqual([
      { signature: 'serving_default', ops: [] },
      { signature: 'scored', ops: [{ op: MADE_UP_OP, nodes: ['z'] }] },
    ]);
  });

  it('graft optimize lists it before any work, prints NOT VERIFIED, writes the output, says so, and exits 3', async () => {
    const dir = await saved();
    const out = path.join(scratch.freshDir('out'), 'opt');
    const r = await run(optimizeCommand, [dir, out]);
    expect(r.code).toBe(NOT_VERIFIED_EXIT);
    expect(NOT_VERIFIED_EXIT).toBe(3);
    // Before any work: the check comes before freezing.
    const check = r.stderr.findIndex((l) => l === `graft optimize: graft cannot run 'scored': no kernel for ${MADE_UP_OP} (1 node); it will be NOT VERIFIED`);
    const freezing = r.stderr.findIndex((l) => l.startsWith('graft optimize: freezing'));
    expect(check).toBeGreaterThanOrEqual(0);
    expect(check).toBeLessThan(freezing);
    const table = r.stdout.join('\n');
    expect(table).toMatch(/^verify: 1 of 2 signatures verified, 1 output within \|b - a\| <= 1e-5 \+ 1e-4 \* \|a\| \(seed 1, batch 2\)$/m);
    expect(table).toMatch(new RegExp(`^NOT VERIFIED: scored: the original cannot run: no kernel for ${MADE_UP_OP}$`, 'm'));
    expect(table).not.toMatch(/SKIPPED|0 signatures, 0 outputs/);
    expect(table).toMatch(/^wrote .*opt; 1 signature NOT VERIFIED$/m);
    expect(r.stderr).toContain(`graft optimize: output written to ${out}; 1 signature NOT VERIFIED (scored)`);
    // The output is there, with both signatures.
    const written = await loadModel(out);
    expect(written.kind === 'saved-model' && Object.keys(written.savedModel.metaGraphs[0]!.signatures).sort()).toEqual(['scored', 'serving_default']);
  });

  it('exits 0 with --allow-unverified (still printing NOT VERIFIED) and with --no-verify', async () => {
    const dir = await saved();
    const r = await run(optimizeCommand, [dir, path.join(scratch.freshDir('out'), 'opt'), '--allow-unverified']);
    expect(r.code).toBe(0);
    expect(r.stdout.join('\n')).toMatch(/^NOT VERIFIED: scored: /m);
    expect(r.stderr.at(-1)).toMatch(/1 signature NOT VERIFIED \(scored\), accepted with --allow-unverified$/);
    const nv = await run(optimizeCommand, [dir, path.join(scratch.freshDir('out'), 'opt'), '--no-verify']);
    expect(nv.code).toBe(0);
    expect(nv.stdout.join('\n')).toMatch(/^verify: not run \(--no-verify\): 2 signatures NOT VERIFIED$/m);
  });

  it('the JSON report has a verdict per signature, with the reason, and the unsupported ops', async () => {
    const dir = await saved();
    const r = await run(optimizeCommand, [dir, path.join(scratch.freshDir('out'), 'opt'), '--json']);
    expect(r.code).toBe(NOT_VERIFIED_EXIT);
    const report = JSON.parse(r.stdout.join('\n')) as OptimizeReport;
    expect(report.verdicts).toEqual([
      { key: 'serving_default', verified: true },
      { key: 'scored', verified: false, reason: `the original cannot run: no kernel for ${MADE_UP_OP}` },
    ]);
    expect(report.unsupportedOps).toEqual([
      { signature: 'serving_default', ops: [] },
      { signature: 'scored', ops: [{ op: MADE_UP_OP, nodes: ['z'] }] },
    ]);
    expect(report.verification!.status).toBe('partial');
    const scored = report.verification!.signatures.find((s) => s.key === 'scored')!;
    expect(scored).toMatchObject({ status: 'not-verified', verified: false });
    expect(scored.message).toMatch(new RegExp(`${MADE_UP_OP}: z`));
  });

  it('--input verifies on the given data (by signature key or tensor name) instead of seeded inputs', async () => {
    const dir = await saved();
    const npy = path.join(scratch.freshDir('data'), 'x.npy');
    writeFileSync(npy, writeNpy(makeTensor('float', [5, 3], Array.from({ length: 15 }, (_, i) => i - 7))));
    for (const name of ['x', 'x:0']) {
      const r = await run(optimizeCommand, [dir, path.join(scratch.freshDir('out'), 'opt'), '--signature_def', 'serving_default', '--input', `${name}=${npy}`, '--json']);
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout.join('\n')) as OptimizeReport;
      const [s] = report.verification!.signatures;
      expect(s).toMatchObject({ key: 'serving_default', status: 'pass', given: ['x'] });
      // Five rows: the file's, not the seeded batch of 2.
      expect(s!.outputs[0]!.shape).toEqual([5, 2]);
    }
    const text = await run(optimizeCommand, [dir, path.join(scratch.freshDir('out'), 'opt'), '--signature_def', 'serving_default', '--input', `x=${npy}`]);
    expect(text.stdout.join('\n')).toMatch(/^ {2}serving_default: inputs given: x$/m);
    // A name that is no input of the signatures: a usage error, nothing written.
    const out = path.join(scratch.freshDir('out'), 'opt');
    const bad = await run(optimizeCommand, [dir, out, '--input', `nope=${npy}`]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.join('\n')).toMatch(/--input 'nope' names no input of the signatures verified; their inputs: x \(x:0\)/);
    expect(existsSync(out)).toBe(false);
    expect((await run(optimizeCommand, [dir, out, '--no-verify', '--input', `x=${npy}`])).code).toBe(2);
  });
});

describe('an op graft cannot run inside a function (TF 2.x layout: a call into the library)', () => {
  /** x → StatefulPartitionedCall(f = __inference_outer) → __inference_inner → GraftTestNoSuchOp. */
  function tf2Model(): SavedModelProto {
    const b = graphBuilder();
    b.placeholder('serving_default_x', 'float', [-1, 3]);
    const T = { T: attr.type('float') };
    const callAttrs = (f: string) => ({ f: attr.func(f), Tin: attr.list({ type: ['float' as const] }), Tout: attr.list({ type: ['float' as const] }), config: attr.s(''), config_proto: attr.s(''), executor_type: attr.s('') });
    b.op('StatefulPartitionedCall', ['serving_default_x'], callAttrs('__inference_outer_10'), 'StatefulPartitionedCall');
    const fn = (name: string, nodes: Node[], ret: string) => ({ signature: { name, input_arg: [{ name: 'x', type: 1 }], output_arg: [{ name: 'identity', type: 1 }] }, attrs: {}, nodes, ret: { identity: ret }, controlRet: {} });
    const outer = fn('__inference_outer_10', [makeNode({ name: 'inner', op: 'PartitionedCall', inputs: ['x'], attrs: callAttrs('__inference_inner_20') })], 'inner:output:0');
    const inner = fn('__inference_inner_20', [makeNode({ name: 'odd', op: MADE_UP_OP, inputs: ['x'], attrs: T })], 'odd:y:0');
    const info = (name: string) => ({ name, dtype: 'float' as const, shape: { dims: [-1, 3], unknownRank: false }, encoding: 'name' as const });
    return {
      schemaVersion: 1,
      metaGraphs: [
        {
          tags: ['serve'],
          graph: b.graph({ library: { functions: [outer, inner] }, versions: { producer: 1286, minConsumer: 12, badConsumers: [] } }),
          signatures: { serving_default: { methodName: 'tensorflow/serving/predict', inputs: { x: info('serving_default_x:0') }, outputs: { y: info('StatefulPartitionedCall:0') } } },
          proto: { meta_info_def: { tags: ['serve'], tensorflow_version: '2.11.0' } },
        },
      ],
    };
  }

  it('summarize names it with the function it is in; optimize says NOT VERIFIED before any work and exits 3', async () => {
    const dir = path.join(scratch.freshDir('model'), 'model');
    await saveSavedModel(dir, tf2Model());
    const s = await run(summarizeCommand, [dir, '--json']);
    expect(s.code).toBe(0);
    const unsupported = (JSON.parse(s.stdout.join('\n')) as { unsupportedOps: { signature: string; ops: { op: string; nodes: string[] }[] }[] }).unsupportedOps;
    expect(unsupported).toHaveLength(1);
    expect(unsupported[0]!.signature).toBe('serving_default');
    expect(unsupported[0]!.ops.map((o) => o.op)).toEqual([MADE_UP_OP]);
    expect(unsupported[0]!.ops[0]!.nodes.join(' ')).toContain('__inference_inner_20');
    const o = await run(optimizeCommand, [dir, path.join(scratch.freshDir('out'), 'opt')]);
    expect(o.code).toBe(NOT_VERIFIED_EXIT);
    const check = o.stderr.findIndex((l) => l.startsWith(`graft optimize: graft cannot run 'serving_default': no kernel for ${MADE_UP_OP}`));
    expect(check).toBeGreaterThanOrEqual(0);
    expect(check).toBeLessThan(o.stderr.findIndex((l) => l.startsWith('graft optimize: freezing')));
    expect(o.stdout.join('\n')).toMatch(new RegExp(`^NOT VERIFIED: serving_default: the original cannot run: no kernel for ${MADE_UP_OP}$`, 'm'));
    expect((await run(optimizeCommand, [dir, path.join(scratch.freshDir('out'), 'opt'), '--allow-unverified'])).code).toBe(0);
  });
});
