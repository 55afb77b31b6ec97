/**
 * Only regular files, only inside the model (docs/reliability.md, "Files and links"): FIFOs,
 * devices and sockets are refused before graft opens them; files beyond what graft reads into
 * memory are refused before reading; SavedModel assets and variables that lead outside the model
 * are neither read nor copied; link loops get a clear error. Every case runs the real CLI in a
 * child process (batched) and checks exit code, error code, no stack trace, time, peak memory,
 * and that no input changed and nothing leaked into an output.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { useScratch } from '../helpers/scratch';
import { loadModel, mainGraph, saveGraph } from '../../src/io/model-files';
import { batchedCases, copyTree, expectOutcome, hashTree, leftovers, planned, writeFixtureModel, writeFrozenGraph } from './harness';

const { freshDir } = useScratch('graft-hardening-files');
let template = '';
let socketPath = '';
let server: net.Server | undefined;

beforeAll(async () => {
  template = freshDir('template');
  await writeFixtureModel(path.join(template, 'm'));
  await writeFrozenGraph(path.join(template, 'm'), path.join(template, 'g.pb'));
  // The model's graph with its variables (not frozen): freezing it reads the checkpoint.
  await saveGraph(mainGraph(await loadModel(path.join(template, 'm'))), path.join(template, 'graph.pb'));
  socketPath = path.join(freshDir('sock'), 'model.pb');
  server = net.createServer();
  await new Promise<void>((resolve) => server!.listen(socketPath, resolve));
});

afterAll(() => {
  server?.close();
});

const SECRET = 'TOP-SECRET-NOT-PART-OF-ANY-MODEL';

interface Workspace {
  readonly dir: string;
  readonly m: string;
  readonly g: string;
  /** A file outside the model that hostile links point at. */
  readonly secret: string;
  /** Files outside the model that hold the secret on purpose. */
  readonly secrets: string[];
  readonly before: string;
  hashInputs(): string;
}

function workspace(label: string): Workspace {
  const dir = freshDir(label);
  copyTree(path.join(template, 'm'), path.join(dir, 'm'));
  fs.copyFileSync(path.join(template, 'g.pb'), path.join(dir, 'g.pb'));
  fs.copyFileSync(path.join(template, 'graph.pb'), path.join(dir, 'graph.pb'));
  const secret = path.join(dir, 'secret.txt');
  fs.writeFileSync(secret, SECRET);
  const w = { dir, m: path.join(dir, 'm'), g: path.join(dir, 'g.pb'), secret, secrets: [secret], before: '', hashInputs: () => hashTree(dir) };
  return w;
}

/** Seals the workspace's state after the hostile setup: what the run must leave as it was. */
function sealed(w: Workspace): Workspace {
  return { ...w, before: w.hashInputs() };
}

function mkfifo(p: string): void {
  execFileSync('mkfifo', [p]);
}

/** Every regular file under `dir` whose bytes hold the secret, except the secret itself. */
function leaks(dir: string, secrets: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (q: string) => {
    for (const n of fs.readdirSync(q)) {
      const full = path.join(q, n);
      const s = fs.lstatSync(full);
      if (s.isDirectory()) walk(full);
      else if (s.isFile() && s.size < 1 << 20 && !secrets.includes(full) && fs.readFileSync(full, 'utf8').includes(SECRET)) out.push(full);
    }
  };
  walk(dir);
  return out;
}

function expectNothingChanged(w: Workspace, outputs: string[] = []): void {
  expect(w.hashInputs(), 'input bytes changed').toBe(w.before);
  expect(leftovers(w.dir)).toEqual([]);
  expect(leaks(w.dir, w.secrets)).toEqual([]);
  for (const o of outputs) expect(fs.existsSync(o), `${o} was written`).toBe(false);
}

/** One command that should fail with `code`, leaving everything as it was. */
function refused(name: string, setup: (w: Workspace) => void, argv: (w: Workspace) => string[], code: string, outputs: (w: Workspace) => string[] = () => []) {
  return planned(
    name,
    () => {
      const w = workspace('case');
      setup(w);
      return sealed(w);
    },
    (w) => [{ argv: argv(w), cwd: w.dir }],
    ([r], w) => {
      expectOutcome(r!, 1, code);
      expectNothingChanged(w, outputs(w));
    },
  );
}

const linkAssetOutside = (w: Workspace) => fs.symlinkSync(w.secret, path.join(w.m, 'assets', 'stolen.txt'));

describe('findings of issue 10, reproduced', () => {
  batchedCases([
    refused('optimize: an asset linking to a file outside the model → model/asset-outside, not copied', linkAssetOutside, (w) => ['optimize', w.m, path.join(w.dir, 'out')], 'model/asset-outside', (w) => [path.join(w.dir, 'out')]),
    refused('transform: an asset linking to a file outside the model → model/asset-outside, not copied', linkAssetOutside, (w) => ['transform', w.m, path.join(w.dir, 'out'), 'strip_unused_nodes'], 'model/asset-outside', (w) => [path.join(w.dir, 'out')]),
    refused('summarize: a link loop in assets/ → io/symlink-loop, no crash', (w) => fs.symlinkSync('..', path.join(w.m, 'assets', 'up')), (w) => ['summarize', w.m], 'io/symlink-loop'),
    refused('summarize: a FIFO as saved_model.pb → io/not-a-file at once, no hang', (w) => {
      fs.rmSync(path.join(w.m, 'saved_model.pb'));
      mkfifo(path.join(w.m, 'saved_model.pb'));
    }, (w) => ['summarize', w.m], 'io/not-a-file'),
    refused('freeze: a FIFO as variables.index → io/not-a-file at once, no hang', (w) => {
      fs.rmSync(path.join(w.m, 'variables', 'variables.index'));
      mkfifo(path.join(w.m, 'variables', 'variables.index'));
    }, (w) => ['freeze', `--input_saved_model_dir=${w.m}`, `--output_graph=${path.join(w.dir, 'g2.pb')}`], 'io/not-a-file', (w) => [path.join(w.dir, 'g2.pb')]),
    refused('summarize /dev/zero → io/not-a-file, no unbounded read', () => undefined, () => ['summarize', '/dev/zero'], 'io/not-a-file'),
    refused('freeze: /dev/zero as the checkpoint index → io/not-a-file, no unbounded read', (w) => fs.symlinkSync('/dev/zero', path.join(w.dir, 'ck.index')), (w) => ['freeze', `--input_graph=${path.join(w.dir, 'graph.pb')}`, `--input_checkpoint=${path.join(w.dir, 'ck')}`, '--output_node_names=probabilities', `--output_graph=${path.join(w.dir, 'out.pb')}`], 'io/not-a-file', (w) => [path.join(w.dir, 'out.pb')]),
    refused("optimize: a SavedModel's variables.index linked to /dev/zero → model/asset-outside", (w) => {
      fs.rmSync(path.join(w.m, 'variables', 'variables.index'));
      fs.symlinkSync('/dev/zero', path.join(w.m, 'variables', 'variables.index'));
    }, (w) => ['optimize', w.m, path.join(w.dir, 'out')], 'model/asset-outside', (w) => [path.join(w.dir, 'out')]),
  ]);
});

describe('more special files, sizes and links', () => {
  batchedCases([
    refused('summarize: a 3 GiB (sparse) .pb → io/too-large before reading', (w) => {
      const big = path.join(w.dir, 'big.pb');
      fs.writeFileSync(big, '');
      fs.truncateSync(big, 3 * 1024 ** 3);
    }, (w) => ['summarize', path.join(w.dir, 'big.pb')], 'io/too-large'),
    refused('summarize: a socket as the model → io/not-a-file', () => undefined, () => ['summarize', socketPath], 'io/not-a-file'),
    refused('run: a FIFO as a .npy feed → io/not-a-file, no hang', (w) => mkfifo(path.join(w.dir, 'x.npy')), (w) => ['run', w.m, '--input', `x=${path.join(w.dir, 'x.npy')}`], 'io/not-a-file'),
    refused('run: /dev/zero as a .npy feed → io/not-a-file', () => undefined, (w) => ['run', w.m, '--input', 'x=/dev/zero'], 'io/not-a-file'),
    refused('to-saved-model: a FIFO as --in_graph → io/not-a-file', (w) => mkfifo(path.join(w.dir, 'pipe.pb')), (w) => ['to-saved-model', `--in_graph=${path.join(w.dir, 'pipe.pb')}`, `--export_dir=${path.join(w.dir, 'out')}`], 'io/not-a-file', (w) => [path.join(w.dir, 'out')]),
    refused('optimize: a FIFO among the assets → io/not-a-file, no output', (w) => mkfifo(path.join(w.m, 'assets', 'pipe.txt')), (w) => ['optimize', w.m, path.join(w.dir, 'out')], 'io/not-a-file', (w) => [path.join(w.dir, 'out')]),
    refused('transform: assets/ itself a link to a directory outside → model/asset-outside', (w) => {
      fs.mkdirSync(path.join(w.dir, 'elsewhere'));
      fs.copyFileSync(w.secret, path.join(w.dir, 'elsewhere', 'x.txt'));
      w.secrets.push(path.join(w.dir, 'elsewhere', 'x.txt'));
      fs.rmSync(path.join(w.m, 'assets'), { recursive: true });
      fs.symlinkSync(path.join(w.dir, 'elsewhere'), path.join(w.m, 'assets'));
    }, (w) => ['transform', w.m, path.join(w.dir, 'out'), 'strip_unused_nodes'], 'model/asset-outside', (w) => [path.join(w.dir, 'out')]),
    refused('summarize: variables/ a link to a checkpoint outside the model → model/asset-outside', (w) => {
      fs.renameSync(path.join(w.m, 'variables'), path.join(w.dir, 'vars'));
      fs.symlinkSync(path.join(w.dir, 'vars'), path.join(w.m, 'variables'));
    }, (w) => ['summarize', w.m], 'model/asset-outside'),
    refused('transform: an asset reaching outside through `..` inside a link → model/asset-outside', (w) => fs.symlinkSync('../../secret.txt', path.join(w.m, 'assets', 'up.txt')), (w) => ['transform', w.m, path.join(w.dir, 'out'), 'strip_unused_nodes'], 'model/asset-outside', (w) => [path.join(w.dir, 'out')]),
    refused('summarize: a link to itself in assets/ → io/symlink-loop', (w) => fs.symlinkSync('self', path.join(w.m, 'assets', 'self')), (w) => ['summarize', w.m], 'io/symlink-loop'),
    refused('summarize: two links pointing at each other → io/symlink-loop', (w) => {
      fs.symlinkSync('b', path.join(w.m, 'assets', 'a'));
      fs.symlinkSync('a', path.join(w.m, 'assets', 'b'));
    }, (w) => ['summarize', w.m], 'io/symlink-loop'),
    refused('summarize: the model path itself a looping link → io/symlink-loop', (w) => fs.symlinkSync('loop', path.join(w.dir, 'loop')), (w) => ['summarize', path.join(w.dir, 'loop')], 'io/symlink-loop'),
    refused('freeze: a FIFO as --input_graph → io/not-a-file', (w) => mkfifo(path.join(w.dir, 'pipe.pb')), (w) => ['freeze', `--input_graph=${path.join(w.dir, 'pipe.pb')}`, `--input_checkpoint=${path.join(w.m, 'variables', 'variables')}`, '--output_node_names=probabilities', `--output_graph=${path.join(w.dir, 'out.pb')}`], 'io/not-a-file', (w) => [path.join(w.dir, 'out.pb')]),
    planned(
      'transform: an asset linking to another file inside the model is fine, copied as a file',
      () => {
        const w = workspace('inside-link');
        fs.symlinkSync('vocab.txt', path.join(w.m, 'assets', 'alias.txt'));
        return { ...sealed(w), modelBefore: hashTree(w.m) };
      },
      (w) => [{ argv: ['transform', w.m, path.join(w.dir, 'out'), 'strip_unused_nodes'] }],
      ([r], w) => {
        expectOutcome(r!, 0);
        const alias = path.join(w.dir, 'out', 'assets', 'alias.txt');
        expect(fs.lstatSync(alias).isFile()).toBe(true);
        expect(fs.readFileSync(alias, 'utf8')).toBe(fs.readFileSync(path.join(w.m, 'assets', 'vocab.txt'), 'utf8'));
        expect(hashTree(w.m)).toBe(w.modelBefore);
        expect(leaks(w.dir, w.secrets)).toEqual([]);
        expect(leftovers(w.dir)).toEqual([]);
      },
    ),
  ]);
});
