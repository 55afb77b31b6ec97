/**
 * Paths that cannot destroy inputs: the same output rules on every writing command
 * (docs/reliability.md, "Paths and overwrites"). Each case runs the real CLI in a child process
 * and checks the exit code, the error code, no stack trace, bounded time and memory, the input's
 * bytes unchanged and no temporary file left.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { useScratch } from '../helpers/scratch';
import { CASE_MS, batchedCases, copyTree, expectOutcome, hashTree, leftovers, planned, runBatch, runCli, writeFixtureModel, writeFrozenGraph } from './harness';

const { freshDir } = useScratch('graft-hardening-paths');
let template = '';

beforeAll(async () => {
  template = freshDir('template');
  await writeFixtureModel(path.join(template, 'm'));
  await writeFrozenGraph(path.join(template, 'm'), path.join(template, 'g.pb'));
});

/** A fresh copy of the fixture: `m` (a SavedModel with assets) and `g.pb` (its frozen graph). */
interface Workspace {
  readonly dir: string;
  readonly m: string;
  readonly g: string;
  /** Hash of the inputs, to compare after the run. */
  readonly before: string;
  hashInputs(): string;
}

function workspace(label: string): Workspace {
  const dir = freshDir(label);
  copyTree(path.join(template, 'm'), path.join(dir, 'm'));
  fs.copyFileSync(path.join(template, 'g.pb'), path.join(dir, 'g.pb'));
  const hashInputs = () => hashTree(path.join(dir, 'm')) + hashTree(path.join(dir, 'g.pb'));
  return { dir, m: path.join(dir, 'm'), g: path.join(dir, 'g.pb'), before: hashInputs(), hashInputs };
}

/** The input unchanged and no temporary file or lock left anywhere in the workspace. */
function expectUntouched(w: Workspace, except: string[] = []): void {
  expect(w.hashInputs(), 'input bytes changed').toBe(w.before);
  expect(leftovers(w.dir).filter((p) => !except.includes(p))).toEqual([]);
}

interface WritingCommand {
  readonly name: string;
  readonly outKind: 'file' | 'dir';
  /** The command line writing `out` from the workspace's input. */
  args(w: Workspace, out: string): string[];
  input(w: Workspace): string;
}

const COMMANDS: readonly WritingCommand[] = [
  { name: 'transform (SavedModel)', outKind: 'dir', args: (w, out) => ['transform', w.m, out, 'strip_unused_nodes'], input: (w) => w.m },
  { name: 'transform (GraphDef)', outKind: 'file', args: (w, out) => ['transform', w.g, out, 'strip_unused_nodes'], input: (w) => w.g },
  { name: 'optimize', outKind: 'dir', args: (w, out) => ['optimize', w.m, out], input: (w) => w.m },
  { name: 'freeze', outKind: 'file', args: (w, out) => ['freeze', `--input_saved_model_dir=${w.m}`, `--output_graph=${out}`], input: (w) => w.m },
  { name: 'to-saved-model', outKind: 'dir', args: (w, out) => ['to-saved-model', `--in_graph=${w.g}`, `--export_dir=${out}`], input: (w) => w.g },
  { name: 'run --out', outKind: 'dir', args: (w, out) => ['run', w.m, '--out', out], input: (w) => w.m },
];

/** The rule table of docs/reliability.md: one row per command, one column per situation. */
describe('the same overwrite and overlap rules on every writing command', () => {
  const cases = COMMANDS.flatMap((cmd) => [
    planned(
      `${cmd.name}: output = input → io/overlaps-input (even with --overwrite)`,
      () => workspace('same'),
      (w) => [{ argv: [...cmd.args(w, cmd.input(w)), '--overwrite'] }],
      ([r], w) => {
        expectOutcome(r!, 1, 'io/overlaps-input');
        expectUntouched(w);
      },
    ),
    planned(
      `${cmd.name}: output contains the input (its parent) → io/overlaps-input (even with --overwrite)`,
      () => workspace('parent'),
      (w) => [{ argv: [...cmd.args(w, path.dirname(cmd.input(w))), '--overwrite'] }],
      ([r], w) => {
        expectOutcome(r!, 1, 'io/overlaps-input');
        expectUntouched(w);
      },
    ),
    planned(
      `${cmd.name}: output inside the input → io/overlaps-input, nothing created inside it`,
      () => workspace('inside'),
      (w) => [{ argv: [...cmd.args(w, cmd.input(w) === w.m ? path.join(w.m, 'variables', 'new', cmd.outKind === 'file' ? 'x.pb' : 'out') : path.join(w.g, 'out')), '--overwrite'] }],
      ([r], w) => {
        expectOutcome(r!, 1, 'io/overlaps-input');
        expectUntouched(w);
      },
    ),
    planned(
      `${cmd.name}: an existing file → io/exists without --overwrite`,
      () => {
        const w = workspace('file');
        const out = path.join(w.dir, cmd.outKind === 'file' ? 'taken.pb' : 'taken');
        fs.writeFileSync(out, 'keep me');
        return { w, out };
      },
      ({ w, out }) => [{ argv: cmd.args(w, out) }],
      ([r], { w, out }) => {
        expectOutcome(r!, 1, 'io/exists');
        expect(fs.readFileSync(out, 'utf8')).toBe('keep me');
        expectUntouched(w);
      },
    ),
    planned(
      `${cmd.name}: an existing non-empty directory → io/exists; with --overwrite replaced whole`,
      () => {
        const w = workspace('dir');
        const out = path.join(w.dir, cmd.outKind === 'file' ? 'taken.pb' : 'taken');
        fs.mkdirSync(out);
        fs.writeFileSync(path.join(out, 'old.txt'), 'old');
        return { w, out };
      },
      ({ w, out }) => [{ argv: cmd.args(w, out) }, { argv: [...cmd.args(w, out), '--overwrite'] }],
      ([refused, replaced], { w, out }) => {
        expectOutcome(refused!, 1, 'io/exists');
        expectOutcome(replaced!, 0);
        if (cmd.outKind === 'file') expect(fs.statSync(out).isFile()).toBe(true);
        else expect(fs.existsSync(path.join(out, 'old.txt'))).toBe(false);
        expect(fs.readdirSync(w.dir).sort()).toEqual(['g.pb', 'm', path.basename(out)].sort());
        expectUntouched(w);
      },
    ),
    planned(
      `${cmd.name}: a concurrent writer holding the output's lock → io/locked, nothing written`,
      () => {
        const w = workspace('locked');
        const out = path.join(w.dir, cmd.outKind === 'file' ? 'new.pb' : 'new');
        // This test process is alive: its lock is not stale.
        fs.writeFileSync(`${out}.graft-lock`, `${process.pid}\n`);
        return { w, out };
      },
      ({ w, out }) => [{ argv: cmd.args(w, out) }],
      ([r], { w, out }) => {
        expectOutcome(r!, 1, 'io/locked');
        expect(fs.existsSync(out)).toBe(false);
        expectUntouched(w, [`${out}.graft-lock`]);
      },
    ),
  ]);
  batchedCases(cases);
});

/** Models under `dir/models/1`. */
function modelsLayout(label: string): { dir: string; models: string; before: string } {
  const dir = freshDir(label);
  const models = path.join(dir, 'models');
  copyTree(path.join(template, 'm'), path.join(models, '1'));
  return { dir, models, before: hashTree(models) };
}

describe('findings of issue 10, reproduced', () => {
  batchedCases([
    planned(
      "`graft optimize models/1 models --overwrite` (the input's parent) → io/overlaps-input; models/1 intact",
      () => modelsLayout('f1'),
      (l) => [{ argv: ['optimize', 'models/1', 'models', '--overwrite'], cwd: l.dir }],
      ([r], l) => {
        expectOutcome(r!, 1, 'io/overlaps-input');
        expect(hashTree(l.models)).toBe(l.before);
        expect(leftovers(l.dir)).toEqual([]);
      },
    ),
    planned(
      '`graft transform models/1 models` → io/overlaps-input; models/1 intact',
      () => modelsLayout('f2'),
      (l) => [{ argv: ['transform', 'models/1', 'models', 'strip_unused_nodes'], cwd: l.dir }],
      ([r], l) => {
        expectOutcome(r!, 1, 'io/overlaps-input');
        expect(hashTree(l.models)).toBe(l.before);
      },
    ),
    planned(
      '`graft to-saved-model --in_graph=exports/g.pb --export_dir=exports --overwrite` → io/overlaps-input; g.pb intact',
      () => {
        const dir = freshDir('f3');
        fs.mkdirSync(path.join(dir, 'exports'));
        fs.copyFileSync(path.join(template, 'g.pb'), path.join(dir, 'exports', 'g.pb'));
        return { dir, before: hashTree(path.join(dir, 'exports')) };
      },
      ({ dir }) => [{ argv: ['to-saved-model', '--in_graph=exports/g.pb', '--export_dir=exports', '--overwrite'], cwd: dir }],
      ([r], { dir, before }) => {
        expectOutcome(r!, 1, 'io/overlaps-input');
        expect(hashTree(path.join(dir, 'exports'))).toBe(before);
      },
    ),
    planned(
      '`graft optimize m m/variables --overwrite` → io/overlaps-input; the checkpoint intact',
      () => workspace('f4'),
      (w) => [{ argv: ['optimize', 'm', 'm/variables', '--overwrite'], cwd: w.dir }],
      ([r], w) => {
        expectOutcome(r!, 1, 'io/overlaps-input');
        expectUntouched(w);
      },
    ),
    planned(
      '`graft freeze --input_saved_model_dir=m --output_graph=m/saved_model.pb` → io/overlaps-input (with or without --overwrite)',
      () => workspace('f5'),
      (w) => [
        { argv: ['freeze', '--input_saved_model_dir=m', '--output_graph=m/saved_model.pb'], cwd: w.dir },
        { argv: ['freeze', '--input_saved_model_dir=m', '--output_graph=m/saved_model.pb', '--overwrite'], cwd: w.dir },
      ],
      (rs, w) => {
        for (const r of rs) expectOutcome(r, 1, 'io/overlaps-input');
        expectUntouched(w);
      },
    ),
    planned(
      '`graft transform` into an existing non-empty directory, or over an existing file, without --overwrite → io/exists, both kept',
      () => {
        const w = workspace('f6');
        const outDir = path.join(w.dir, 'out');
        fs.mkdirSync(outDir);
        fs.writeFileSync(path.join(outDir, 'precious.txt'), 'precious');
        const outFile = path.join(w.dir, 'out.pb');
        fs.writeFileSync(outFile, 'precious');
        return { w, outDir, outFile };
      },
      ({ w, outDir, outFile }) => [{ argv: ['transform', w.m, outDir, 'strip_unused_nodes'] }, { argv: ['transform', w.g, outFile, 'strip_unused_nodes'] }],
      (rs, { w, outDir, outFile }) => {
        for (const r of rs) expectOutcome(r, 1, 'io/exists');
        expect(fs.readFileSync(path.join(outDir, 'precious.txt'), 'utf8')).toBe('precious');
        expect(fs.readFileSync(outFile, 'utf8')).toBe('precious');
        expectUntouched(w);
      },
    ),
  ]);

  it('two `graft optimize` runs to the same new output at once: one writes it, the other fails cleanly (io/exists or io/locked)', async () => {
    const w = workspace('f7');
    const out = path.join(w.dir, 'out');
    const [a, b] = await Promise.all([runCli(['optimize', w.m, out]), runCli(['optimize', w.m, out])]);
    const results = [a, b].sort((x, y) => (x.exit ?? 9) - (y.exit ?? 9));
    expectOutcome(results[0]!, 0);
    expectOutcome(results[1]!, 1);
    expect(results[1]!.stderr).toMatch(/graft: error \[io\/(exists|locked)\]/);
    expect(fs.readdirSync(out).sort()).toEqual(['assets', 'saved_model.pb', 'variables']);
    expectUntouched(w);
  }, CASE_MS * 4);
});

/** A [1, 8] float32 .npy, written by hand (format 1.0). */
function npyBytes(): Buffer {
  const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 8), }";
  const padded = header.padEnd(128 - 10 - 1, ' ') + '\n';
  return Buffer.concat([Buffer.from([0x93]), Buffer.from('NUMPY'), Buffer.from([1, 0, padded.length & 255, padded.length >> 8]), Buffer.from(padded), Buffer.from(new Float32Array(8).fill(0.5).buffer)]);
}

describe('more ways to reach an input', () => {
  batchedCases([
    planned(
      'the output is a symbolic link to the input → io/overlaps-input',
      () => {
        const w = workspace('link');
        fs.symlinkSync(w.m, path.join(w.dir, 'alias'));
        return w;
      },
      (w) => [{ argv: ['optimize', w.m, path.join(w.dir, 'alias'), '--overwrite'] }],
      ([r], w) => {
        expectOutcome(r!, 1, 'io/overlaps-input');
        expectUntouched(w);
      },
    ),
    planned(
      'the output reaches inside the input through `..` → io/overlaps-input',
      () => {
        const w = workspace('dotdot');
        fs.mkdirSync(path.join(w.dir, 'other'));
        return w;
      },
      (w) => [{ argv: ['transform', 'm', 'other/../m/assets/out', 'strip_unused_nodes'], cwd: w.dir }],
      ([r], w) => {
        expectOutcome(r!, 1, 'io/overlaps-input');
        expectUntouched(w);
      },
    ),
    planned(
      'the same directory named relatively and absolutely → io/overlaps-input',
      () => workspace('relabs'),
      (w) => [{ argv: ['transform', 'm', w.m, 'strip_unused_nodes', '--overwrite'], cwd: w.dir }],
      ([r], w) => {
        expectOutcome(r!, 1, 'io/overlaps-input');
        expectUntouched(w);
      },
    ),
    planned(
      'freeze --output_graph equal to an input checkpoint file → io/overlaps-input',
      () => workspace('ckpt'),
      (w) => {
        const prefix = path.join(w.m, 'variables', 'variables');
        return [{ argv: ['freeze', `--input_graph=${w.g}`, `--input_checkpoint=${prefix}`, '--output_node_names=probabilities', `--output_graph=${prefix}.index`, '--overwrite'] }];
      },
      ([r], w) => {
        expectOutcome(r!, 1, 'io/overlaps-input');
        expectUntouched(w);
      },
    ),
    planned(
      "to-saved-model over its in_graph's own directory → io/overlaps-input",
      () => workspace('graphdir'),
      (w) => [{ argv: ['to-saved-model', `--in_graph=${w.g}`, `--export_dir=${w.dir}`] }],
      ([r], w) => {
        expectOutcome(r!, 1, 'io/overlaps-input');
        expectUntouched(w);
      },
    ),
    planned(
      'run --out over an input .npy, or over the directory holding it → io/overlaps-input',
      () => {
        const w = workspace('npy');
        const feeds = path.join(w.dir, 'feeds');
        fs.mkdirSync(feeds);
        const npy = path.join(feeds, 'x.npy');
        fs.writeFileSync(npy, npyBytes());
        return { w, feeds, npy, before: hashTree(feeds) };
      },
      ({ w, feeds, npy }) => [
        { argv: ['run', w.m, '--input', `x=${npy}`, '--out', npy, '--overwrite'] },
        { argv: ['run', w.m, '--input', `x=${npy}`, '--out', feeds, '--overwrite'] },
      ],
      (rs, { w, feeds, before }) => {
        for (const r of rs) expectOutcome(r, 1, 'io/overlaps-input');
        expect(hashTree(feeds)).toBe(before);
        expectUntouched(w);
      },
    ),
    planned(
      'an output that is a hard link to the input file → io/overlaps-input',
      () => {
        const w = workspace('hardlink');
        fs.linkSync(w.g, path.join(w.dir, 'same.pb'));
        return w;
      },
      (w) => [{ argv: ['transform', w.g, path.join(w.dir, 'same.pb'), 'strip_unused_nodes', '--overwrite'] }],
      ([r], w) => {
        expectOutcome(r!, 1, 'io/overlaps-input');
        expectUntouched(w);
      },
    ),
    planned(
      'a hard-linked copy of the input replaced with --overwrite: the input keeps its bytes',
      () => {
        const w = workspace('hardcopy');
        const copy = path.join(w.dir, 'copy');
        fs.mkdirSync(copy);
        for (const n of fs.readdirSync(w.m)) if (fs.statSync(path.join(w.m, n)).isFile()) fs.linkSync(path.join(w.m, n), path.join(copy, n));
        return { w, copy };
      },
      ({ w, copy }) => [{ argv: ['optimize', w.m, copy, '--overwrite'] }],
      ([r], { w }) => {
        expectOutcome(r!, 0);
        expectUntouched(w);
      },
    ),
    planned(
      'a stale lock from a process that no longer runs is removed, and the write goes ahead',
      () => {
        const w = workspace('stale-lock');
        const out = path.join(w.dir, 'out.pb');
        fs.writeFileSync(`${out}.graft-lock`, '2147483646\n');
        return { w, out };
      },
      ({ w, out }) => [{ argv: ['transform', w.g, out, 'strip_unused_nodes'] }],
      ([r], { w, out }) => {
        expectOutcome(r!, 0);
        expect(fs.existsSync(out)).toBe(true);
        expectUntouched(w);
      },
    ),
    planned(
      'a file output whose directory does not exist → io/write-failed, nothing created',
      () => workspace('noparent'),
      (w) => [{ argv: ['freeze', `--input_saved_model_dir=${w.m}`, `--output_graph=${path.join(w.dir, 'missing', 'g.pb')}`] }],
      ([r], w) => {
        expectOutcome(r!, 1, 'io/write-failed');
        expect(fs.existsSync(path.join(w.dir, 'missing'))).toBe(false);
        expectUntouched(w);
      },
    ),
  ]);

  it('writing into a directory graft may not write in → io/write-failed (exit 1, no EACCES leak)', async (t) => {
    // As root, permissions do not bind, so graft runs as nobody: that needs a checkout nobody can read.
    if (process.getuid?.() === 0 && !readableByNobody(path.resolve('node_modules/tsx/dist/loader.mjs'))) {
      t.skip('running as root in a checkout the user nobody cannot read, so no user is bound by permissions');
    }
    const w = workspace('readonly');
    const ro = path.join(w.dir, 'ro');
    fs.mkdirSync(ro);
    fs.chmodSync(ro, 0o555);
    // As root, permissions do not bind: run graft as nobody, with the workspace readable to it.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      const tmp = fs.realpathSync(process.env.TMPDIR ?? '/tmp');
      for (let p = w.dir; p.startsWith(tmp) && p !== tmp; p = path.dirname(p)) fs.chmodSync(p, (fs.statSync(p).mode & 0o7777) | 0o755);
      const open = (p: string) => {
        fs.chmodSync(p, (fs.statSync(p).mode & 0o7777) | (fs.statSync(p).isDirectory() ? 0o755 : 0o644));
        if (fs.statSync(p).isDirectory()) for (const n of fs.readdirSync(p)) open(path.join(p, n));
      };
      open(w.m);
      fs.chmodSync(ro, 0o555);
    }
    const [r] = await runBatch([{ argv: ['freeze', `--input_saved_model_dir=${w.m}`, `--output_graph=${path.join(ro, 'g.pb')}`] }], asRoot ? { uid: 65534 } : {});
    expectOutcome(r!, 1, 'io/write-failed');
    expect(r!.stderr).toContain('permission denied');
    expect(fs.readdirSync(ro)).toEqual([]);
    expectUntouched(w);
  }, CASE_MS * 2);
});

/** Whether the user nobody (uid 65534) can read `file`: every directory above it must let it through. */
function readableByNobody(file: string): boolean {
  const probe = spawnSync(process.execPath, ['-e', `require('node:fs').accessSync(${JSON.stringify(file)}, 4)`], { uid: 65534, gid: 65534, timeout: 10_000 });
  return probe.status === 0;
}
