/**
 * The output rules of docs/reliability.md ("Paths and overwrites") on every writer of the library,
 * as paths.test.ts checks them on every writing command: an output that is an input, contains one
 * or lies inside one is `io/overlaps-input` (with or without `overwrite`); an existing file or
 * non-empty directory is `io/exists` unless `overwrite`, then replaced whole; an output whose lock
 * a live process holds is `io/locked`. Every case also checks that the inputs keep their bytes and
 * that no temporary file or lock is left. In process: the writers are functions.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildExampleModel } from '../../examples/tiny-model';
import { isGraftError } from '../../src/errors';
import { exportSavedModel } from '../../src/freeze/export-saved-model';
import type { Graph } from '../../src/ir/graph';
import { decodeGraphDef } from '../../src/io/graphdef';
import { writeCheckpointFiles } from '../../src/io/checkpoint/bundle-files';
import { nodeFileSystem, writeDirAtomic, writeFileAtomic } from '../../src/io/fs';
import { saveGraph, saveSavedModel } from '../../src/io/model-files';
import { optimize } from '../../src/workflow/optimize-files';
import { transformModel } from '../../src/workflow/transform-model';
import { useScratch } from '../helpers/scratch';
import { copyTree, hashTree, leftovers, writeFixtureModel, writeFrozenGraph } from './harness';
import { checkInProcessPeak } from './cli-checks';

const { freshDir } = useScratch('graft-hardening-writers');
let template = '';
let frozen: Graph;
const example = buildExampleModel();

beforeAll(async () => {
  template = freshDir('template');
  await writeFixtureModel(path.join(template, 'm'));
  await writeFrozenGraph(path.join(template, 'm'), path.join(template, 'g.pb'));
  frozen = decodeGraphDef(new Uint8Array(fs.readFileSync(path.join(template, 'g.pb'))));
}, 60_000);

/** A fresh copy of the fixture: `m` (a SavedModel), `g.pb` (its frozen graph). */
interface Workspace {
  readonly dir: string;
  readonly m: string;
  readonly g: string;
  /** The checkpoint prefix inside `m`. */
  readonly ck: string;
  readonly before: string;
}

/** `sub`: where the model goes, relative to the workspace (default `m`). */
function workspace(label: string, sub = 'm'): Workspace {
  const dir = freshDir(label);
  const m = path.join(dir, sub);
  copyTree(path.join(template, 'm'), m);
  fs.copyFileSync(path.join(template, 'g.pb'), path.join(dir, 'g.pb'));
  return { dir, m, g: path.join(dir, 'g.pb'), ck: path.join(m, 'variables', 'variables'), before: hashTree(m) + hashTree(path.join(dir, 'g.pb')) };
}

interface WriteOptions {
  readonly overwrite?: boolean;
}

interface Writer {
  readonly name: string;
  /** What the writer makes: a file (or a checkpoint's files, by prefix) or a directory. */
  readonly kind: 'file' | 'dir' | 'checkpoint';
  /** The input this writer is given (told as `inputs`/`sources`, or read itself). */
  input(w: Workspace): string;
  write(w: Workspace, out: string, opts: WriteOptions): Promise<unknown>;
}

const bytes = [new TextEncoder().encode('new bytes')];

const WRITERS: readonly Writer[] = [
  { name: 'saveGraph', kind: 'file', input: (w) => w.g, write: (w, out, o) => saveGraph(frozen, out, { inputs: [w.g], ...o }) },
  { name: 'writeFileAtomic', kind: 'file', input: (w) => w.g, write: (w, out, o) => writeFileAtomic(out, bytes, nodeFileSystem, { inputs: [w.g], ...o }) },
  {
    name: 'writeCheckpointFiles',
    kind: 'checkpoint',
    input: (w) => w.ck,
    write: (w, out, o) => writeCheckpointFiles(out, example.checkpoint, { inputs: [`${w.ck}.index`, `${w.ck}.data-00000-of-00001`, w.m], ...o }),
  },
  {
    name: 'writeDirAtomic',
    kind: 'dir',
    input: (w) => w.m,
    write: (w, out, o) => writeDirAtomic(out, (tmp) => nodeFileSystem.writeFile(path.join(tmp, 'x.txt'), bytes), nodeFileSystem, { inputs: [w.m], ...o }),
  },
  { name: 'saveSavedModel', kind: 'dir', input: (w) => w.m, write: (w, out, o) => saveSavedModel(out, example.savedModel, { inputs: [w.m], ...o }) },
  { name: 'exportSavedModel', kind: 'dir', input: (w) => w.g, write: (w, out, o) => exportSavedModel(frozen, out, { sources: [w.g], ...o }) },
  { name: 'optimize', kind: 'dir', input: (w) => w.m, write: (w, out, o) => optimize(w.m, out, { ...o }) },
  { name: 'transformModel', kind: 'dir', input: (w) => w.m, write: (w, out, o) => transformModel(w.m, out, { transforms: 'strip_unused_nodes', ...o }) },
];

/** The code of the GraftError `p` rejects with (a non-GraftError fails the test). */
async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (!isGraftError(e)) throw e;
    return e.code;
  }
  return 'ok';
}

/** The paths a writer's output `out` occupies (a checkpoint: its index, the file its lock sits on). */
const mainFile = (wr: Writer, out: string) => (wr.kind === 'checkpoint' ? `${out}.index` : out);

function expectUntouched(w: Workspace, except: string[] = []): void {
  expect(hashTree(w.m) + hashTree(w.g), 'input bytes changed').toBe(w.before);
  expect(leftovers(w.dir).filter((p) => !except.includes(p))).toEqual([]);
}

checkInProcessPeak();

describe('the same output rules on every library writer', () => {
  for (const wr of WRITERS) {
    describe(wr.name, () => {
      it('output = its input → io/overlaps-input, even with overwrite', async () => {
        const w = workspace('same');
        expect(await codeOf(wr.write(w, wr.input(w), {}))).toBe('io/overlaps-input');
        expect(await codeOf(wr.write(w, wr.input(w), { overwrite: true }))).toBe('io/overlaps-input');
        expectUntouched(w);
      });

      it('output contains its input → io/overlaps-input, even with overwrite', async () => {
        // A checkpoint's files are named from its prefix: the model in a directory `ck.index`, prefix `ck`.
        const w = workspace('parent', wr.kind === 'checkpoint' ? 'ck.index/m' : 'm');
        const out = wr.kind === 'checkpoint' ? path.join(w.dir, 'ck') : path.dirname(wr.input(w));
        expect(await codeOf(wr.write(w, out, { overwrite: true }))).toBe('io/overlaps-input');
        expectUntouched(w);
      });

      it('output inside its input → io/overlaps-input, nothing created inside', async () => {
        const w = workspace('inside');
        const input = wr.input(w);
        const out = wr.kind === 'checkpoint' ? path.join(w.m, 'variables', 'new', 'ck') : path.join(input, 'new');
        expect(await codeOf(wr.write(w, out, { overwrite: true }))).toBe('io/overlaps-input');
        expectUntouched(w);
      });

      it('an existing file → io/exists; replaced with overwrite', async () => {
        const w = workspace('file');
        const out = path.join(w.dir, 'taken');
        fs.writeFileSync(mainFile(wr, out), 'keep me');
        expect(await codeOf(wr.write(w, out, {}))).toBe('io/exists');
        expect(fs.readFileSync(mainFile(wr, out), 'utf8')).toBe('keep me');
        expect(await codeOf(wr.write(w, out, { overwrite: true }))).toBe('ok');
        if (wr.kind === 'dir') expect(fs.statSync(out).isDirectory()).toBe(true);
        else expect(fs.readFileSync(mainFile(wr, out), 'utf8')).not.toBe('keep me');
        expectUntouched(w);
      });

      it('an existing non-empty directory → io/exists; replaced whole with overwrite', async () => {
        const w = workspace('dir');
        const out = path.join(w.dir, 'taken');
        fs.mkdirSync(mainFile(wr, out));
        fs.writeFileSync(path.join(mainFile(wr, out), 'old.txt'), 'old');
        expect(await codeOf(wr.write(w, out, {}))).toBe('io/exists');
        expect(fs.readFileSync(path.join(mainFile(wr, out), 'old.txt'), 'utf8')).toBe('old');
        expect(await codeOf(wr.write(w, out, { overwrite: true }))).toBe('ok');
        expect(fs.existsSync(path.join(mainFile(wr, out), 'old.txt'))).toBe(false);
        if (wr.kind !== 'dir') expect(fs.statSync(mainFile(wr, out)).isFile()).toBe(true);
        expectUntouched(w);
      });

      it('a live writer holding the lock → io/locked, nothing written', async () => {
        const w = workspace('locked');
        const out = path.join(w.dir, 'new');
        const lock = `${mainFile(wr, out)}.graft-lock`;
        fs.writeFileSync(lock, `${process.pid}\n`);
        expect(await codeOf(wr.write(w, out, {}))).toBe('io/locked');
        expect(fs.existsSync(mainFile(wr, out))).toBe(false);
        expectUntouched(w, [lock]);
      });
    });
  }
});
