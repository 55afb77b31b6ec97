/**
 * One `--json` on every command that reports (the eight of issue 13, and scan, freeze,
 * to-saved-model, transforms): each prints exactly one JSON document on stdout
 * (nothing else there), and its top-level fields are those docs/json-output.md lists for it, so
 * the documented schema cannot drift from the output. Real models: tfdeploy_tf_mnist_tf1131 (a TF1
 * SavedModel) and nns_mnist_softmax_frozen (a frozen GraphDef).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import type { Io } from '../../src/cli/output';
import { HAVE_MODELS, SKIP_REASON, modelPath } from '../helpers/models';
import { useScratch } from '../helpers/scratch';

interface Field {
  readonly name: string;
  readonly optional: boolean;
}

/** docs/json-output.md: per `## \`graft CMD --json\`` section, the fields of its table. */
function documentedFields(): Map<string, Field[]> {
  const text = readFileSync(path.join(import.meta.dirname, '../../docs/json-output.md'), 'utf8');
  const out = new Map<string, Field[]>();
  let current: Field[] | null = null;
  for (const line of text.split('\n')) {
    const head = /^## `graft ([\w-]+) --json`/.exec(line);
    if (head) {
      current = [];
      out.set(head[1]!, current);
      continue;
    }
    if (line.startsWith('## ')) current = null;
    const row = /^\| `(\w+)` \| ([^|]+) \|/.exec(line);
    if (row && current) current.push({ name: row[1]!, optional: /optional/.test(row[2]!) });
  }
  return out;
}

async function cli(args: string[]): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: Io = { out: (t) => stdout.push(t), err: (t) => stderr.push(t), interactive: false };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

describe.skipIf(!HAVE_MODELS)(`--json on every command that reports (${HAVE_MODELS ? 'present' : SKIP_REASON})`, () => {
  const scratch = useScratch('graft-json-output');
  const fields = documentedFields();
  const sm = modelPath('tfdeploy_tf_mnist_tf1131');
  const pb = modelPath('nns_mnist_softmax_frozen/mnist.pb');
  let dir = '';
  let transformed = '';
  let optimized = '';
  beforeAll(() => {
    dir = scratch.freshDir('out');
    transformed = path.join(dir, 'transformed.pb');
    optimized = path.join(dir, 'optimized');
  });

  /** Runs `args` with --json; checks stdout is one JSON document with the documented fields. */
  async function checkJson(command: string, args: string[], exit = 0): Promise<Record<string, unknown>> {
    const r = await cli([command, ...args, '--json']);
    expect(r.stderr.filter((l) => /^graft: (internal )?error/.test(l))).toEqual([]);
    expect(r.code).toBe(exit);
    // One write to stdout, and it parses whole: nothing else went there.
    expect(r.stdout).toHaveLength(1);
    const parsed = JSON.parse(r.stdout[0]!) as Record<string, unknown> | Record<string, unknown>[];
    // `graft transforms --json` is an array: the table lists each element's fields.
    const json = Array.isArray(parsed) ? parsed[0]! : parsed;
    const doc = fields.get(command);
    expect(doc, `docs/json-output.md has no section for graft ${command} --json`).toBeDefined();
    const documented = doc!.map((f) => f.name);
    const required = doc!.filter((f) => !f.optional).map((f) => f.name);
    expect(Object.keys(json).filter((k) => !documented.includes(k)), `fields of graft ${command} --json missing from docs/json-output.md`).toEqual([]);
    expect(required.filter((k) => !(k in json)), `documented fields graft ${command} --json did not print`).toEqual([]);
    return json;
  }

  it('documents exactly the commands that report', () => {
    expect([...fields.keys()].sort()).toEqual(['bench', 'compare', 'diff', 'freeze', 'optimize', 'run', 'scan', 'show', 'summarize', 'to-saved-model', 'transform', 'transforms']);
  });

  it('summarize', async () => {
    const a = await checkJson('summarize', [sm]);
    expect(a.kind).toBe('saved-model');
    const b = await checkJson('summarize', [pb]);
    expect(b.kind).toBe('graph-def');
  });

  it('show', async () => {
    const all = await checkJson('show', ['--dir', sm, '--all']);
    const metas = all.metaGraphs as { tags: string[]; signatures: Record<string, { inputs: Record<string, { dtype: string; shape: number[] | null }> }>; ops?: string[] }[];
    expect(metas[0]!.tags).toEqual(['serve']);
    expect(metas[0]!.ops).toContain('MatMul');
    const one = await checkJson('show', ['--dir', sm, '--tag_set', 'serve', '--signature_def', 'serving_default']);
    const sigs = (one.metaGraphs as typeof metas)[0]!.signatures;
    expect(Object.keys(sigs)).toEqual(['serving_default']);
    expect((one.metaGraphs as typeof metas)[0]!.ops).toBeUndefined();
  });

  it('transform', async () => {
    const t = await checkJson('transform', [pb, transformed, 'remove_nodes(op=Identity)']);
    expect(t.wrote).toBe('graph-def');
  });

  it('run and compare', async () => {
    const r = await checkJson('run', [pb]);
    expect((r.outputs as { name: string }[]).map((o) => o.name)).toEqual(['softmax']);
    // saved_model_cli's form (--dir): the same fields, outputs also named by their key.
    const r2 = await checkJson('run', ['--dir', sm, '--tag_set', 'serve', '--signature_def', 'serving_default', '--generate_inputs']);
    expect((r2.outputs as { key: string }[]).map((o) => o.key).length).toBeGreaterThan(0);
    // One signature: its run's fields at the top (optional in the table only for the form below).
    for (const one of [r, r2]) expect(Object.keys(one).sort()).toEqual(['backend', 'feeds', 'model', 'outputs', 'seed', 'written']);
    // A method several signatures share: each signature's run under `signatures`, keyed by signature key.
    const half = modelPath('serving_half_plus_two_cpu');
    const r3 = await checkJson('run', ['--dir', half, '--signature_def', 'tensorflow/serving/regress', '--input', 'tf_example=[{"x":1}]']);
    expect(Object.keys(r3).sort()).toEqual(['method', 'model', 'signatures', 'written']);
    const sigs = r3.signatures as Record<string, Record<string, unknown>>;
    expect(Object.keys(sigs)).toEqual(['regress_x2_to_y3', 'regress_x_to_y', 'regress_x_to_y2']);
    expect(Object.keys(sigs.regress_x2_to_y3!).sort()).toEqual(['backend', 'feeds', 'outputs', 'seed', 'written']);
    expect((sigs.regress_x_to_y!.outputs as { values: number[] }[])[0]!.values).toEqual([2.5]);
    const c = await checkJson('compare', [pb, transformed]);
    expect(c.pass).toBe(true);
  });

  it('optimize, bench and diff', async () => {
    const o = await checkJson('optimize', [sm, optimized]);
    expect((o.stages as { optimized: { ops: Record<string, number> } }).optimized.ops.MatMul).toBe(1);
    const b = await checkJson('bench', [pb, '--vs', transformed, '--runs', '2', '--warmup', '0', '--batch', '1']);
    expect(b.speedup).toBeTypeOf('number');
    const d = await checkJson('diff', [sm, optimized], 1);
    expect(d.signatures).toBeDefined();
  }, 120_000);

  it('scan, freeze, to-saved-model and transforms', async () => {
    const scan = await checkJson('scan', ['--dir', sm]);
    expect((scan.metaGraphs as { found: string[] }[])[0]!.found).toEqual([]);
    const frozen = await checkJson('freeze', [`--input_saved_model_dir=${sm}`, `--output_graph=${path.join(dir, 'frozen.pb')}`]);
    expect(frozen.converted).toHaveLength(2);
    const saved = await checkJson('to-saved-model', [`--in_graph=${pb}`, `--export_dir=${path.join(dir, 'saved')}`]);
    expect(Object.keys(saved.signatures as object)).toContain('serving_default');
    const t = await checkJson('transforms', []);
    expect(t.name).toBeTypeOf('string');
  });

  it('accepts --report json as a deprecated alias, with a note on stderr only', async () => {
    const r = await cli(['bench', pb, '--runs', '1', '--warmup', '0', '--report', 'json']);
    expect(r.code).toBe(0);
    expect(r.stdout).toHaveLength(1);
    expect(Object.keys(JSON.parse(r.stdout[0]!))).toContain('models');
    expect(r.stderr).toContain('note: --report json is deprecated; use --json (the same output)');
    const bad = await cli(['bench', pb, '--json', '--report', 'text']);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toEqual([]);
    expect(bad.stderr[0]).toMatch(/--json and --report text contradict each other/);
  });
});
