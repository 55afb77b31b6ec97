/**
 * How the CLI reports bad input: one or two lines on stderr, `graft: error [<code>]: ...` naming
 * the file, no stack trace (unless --debug), and the documented exit codes (docs/errors.md):
 * 0 ok, 1 GraftError, 2 usage, 70 internal error.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main';
import type { Io } from '../../src/cli/output';
import * as summarizeModule from '../../src/inspect/summarize-files';
import { useScratch } from '../helpers/scratch';
import { HAVE_MODELS, SKIP_REASON } from '../helpers/models';

// summarize is wrapped (calling through to the real one) so that one test can make it throw a
// raw exception, standing in for an internal bug.
vi.mock('../../src/inspect/summarize-files', async (importOriginal) => {
  const actual = await importOriginal<typeof summarizeModule>();
  return { ...actual, summarize: vi.fn(actual.summarize) };
});

const FAST = 5_000;

interface Captured {
  io: Io;
  out: string[];
  err: string[];
  /** stderr split into non-empty lines. */
  errLines(): string[];
}

function capture(): Captured {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { out: (t) => void out.push(t), err: (t) => void err.push(t), interactive: false },
    out,
    err,
    errLines: () => err.join('\n').split('\n').filter((l) => l.trim() !== ''),
  };
}

const STACK_LINE = /^\s+at .+[:(]/m;

const { freshDir, copyModel: copySavedModel } = useScratch('graft-cli-errors');

/** Runs `graft summarize <bad>` and checks the one-or-two-line report; returns the capture. */
async function expectReported(bad: string, code: string, file: string): Promise<Captured> {
  const c = capture();
  const exit = await main(['summarize', bad], c.io);
  const lines = c.errLines();
  expect(exit, lines.join('\n')).toBe(1);
  expect(c.out).toEqual([]);
  expect(lines.length, lines.join('\n')).toBeGreaterThanOrEqual(1);
  expect(lines.length, lines.join('\n')).toBeLessThanOrEqual(2);
  expect(lines[0]!.startsWith(`graft: error [${code}]: `), lines[0]).toBe(true);
  expect(lines[0]).toContain(path.basename(file));
  if (lines[1] !== undefined) expect(lines[1]).toMatch(/^\s+hint: /);
  expect(c.err.join('\n')).not.toMatch(STACK_LINE);
  return c;
}

describe('graft summarize on bad input: one or two lines, the code, the file, exit 1, no stack', () => {
  it('a path that does not exist → io/not-found', async () => {
    const p = path.join(freshDir('missing'), 'nowhere', 'model.pb');
    await expectReported(p, 'io/not-found', p);
  }, FAST);

  it('a directory that is not a SavedModel → io/not-saved-model', async () => {
    const dir = freshDir('not-a-model');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'hello');
    await expectReported(dir, 'io/not-saved-model', dir);
  }, FAST);

  it('a truncated binary GraphDef → io/truncated', async () => {
    // A NodeDef (field 1) that claims 16 bytes where 3 are left.
    const p = path.join(freshDir('pb'), 'cut.pb');
    fs.writeFileSync(p, Uint8Array.from([0x0a, 0x10, 0x0a, 0x01, 0x78]));
    await expectReported(p, 'io/truncated', p);
  }, FAST);

  it('garbage text in a .pbtxt → io/corrupt with the line', async () => {
    const p = path.join(freshDir('pbtxt'), 'graph.pbtxt');
    fs.writeFileSync(p, 'node {\n  name: "x"\n  ??? nonsense\n}\n');
    const c = await expectReported(p, 'io/corrupt', p);
    expect(c.errLines()[0]).toMatch(/line 3\b/);
  }, FAST);

  it.skipIf(!HAVE_MODELS)(`a truncated saved_model.pb → io/truncated naming it (skipped if ${SKIP_REASON})`, async () => {
    const dir = copySavedModel('serving_half_plus_two_cpu');
    const pb = path.join(dir, 'saved_model.pb');
    fs.writeFileSync(pb, fs.readFileSync(pb).subarray(0, 1000));
    await expectReported(dir, 'io/truncated', pb);
  }, FAST);

  it.skipIf(!HAVE_MODELS)(`a SavedModel without variables/ still summarizes, exit 0 (skipped if ${SKIP_REASON})`, async () => {
    const dir = copySavedModel('serving_half_plus_two_cpu');
    fs.rmSync(path.join(dir, 'variables'), { recursive: true });
    const c = capture();
    expect(await main(['summarize', dir], c.io)).toBe(0);
    expect(c.err).toEqual([]);
    expect(c.out.join('\n')).toMatch(/no variables checkpoint/);
  }, FAST);

  // The SSTable reader's errors name the index file in the printed line.
  it.skipIf(!HAVE_MODELS)(`a corrupt variables.index → io/checksum naming it (skipped if ${SKIP_REASON})`, async () => {
    const dir = copySavedModel('serving_half_plus_two_cpu');
    const index = path.join(dir, 'variables', 'variables.index');
    const bytes = fs.readFileSync(index);
    bytes[5] = bytes[5]! ^ 0xff;
    fs.writeFileSync(index, bytes);
    await expectReported(dir, 'io/checksum', index);
  }, FAST);
});

describe('--debug adds the stack trace', () => {
  it('a GraftError with --debug: same first line, then a stack, still exit 1', async () => {
    const p = path.join(freshDir('missing'), 'nowhere.pb');
    const c = capture();
    expect(await main(['summarize', p, '--debug'], c.io)).toBe(1);
    expect(c.errLines()[0]).toMatch(/^graft: error \[io\/not-found\]: .*nowhere\.pb/);
    expect(c.err.join('\n')).toMatch(STACK_LINE);
  }, FAST);
});

describe('usage errors exit 2', () => {
  it('an unknown command → cli/usage, exit 2, naming the command', async () => {
    const c = capture();
    expect(await main(['frobnicate', 'x'], c.io)).toBe(2);
    expect(c.errLines()[0]).toBe("graft: error [cli/usage]: Unknown command 'frobnicate'");
    expect(c.err.join('\n')).not.toMatch(STACK_LINE);
  }, FAST);

  it('summarize without its model argument → cli/usage, exit 2, with the usage', async () => {
    const c = capture();
    expect(await main(['summarize'], c.io)).toBe(2);
    expect(c.errLines()[0]).toMatch(/^graft: error \[cli\/usage\]: summarize takes one model path/);
    expect(c.err.join('\n')).toMatch(/Usage: graft summarize/);
  }, FAST);

  it('summarize with two model arguments → exit 2', async () => {
    const c = capture();
    expect(await main(['summarize', 'a.pb', 'b.pb'], c.io)).toBe(2);
    expect(c.errLines()[0]).toMatch(/^graft: error \[cli\/usage\]/);
  }, FAST);

  it('an unknown flag → cli/usage, exit 2, naming the flag', async () => {
    const c = capture();
    expect(await main(['summarize', 'model.pb', '--frobnicate'], c.io)).toBe(2);
    expect(c.errLines()[0]).toMatch(/^graft: error \[cli\/usage\]: .*--frobnicate/);
  }, FAST);

  it('no command at all → the help on stdout, exit 2', async () => {
    const c = capture();
    expect(await main([], c.io)).toBe(2);
    expect(c.out.join('\n')).toMatch(/Usage: graft <command>/);
  }, FAST);
});

describe('an internal error (a raw exception, i.e. a bug) exits 70', () => {
  it('says so in two lines without a stack; --debug shows the stack', async () => {
    const summarize = vi.mocked(summarizeModule.summarize);
    summarize.mockImplementationOnce(async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'nodes')");
    });
    const c = capture();
    expect(await main(['summarize', 'whatever.pb'], c.io)).toBe(70);
    const lines = c.errLines();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe("graft: internal error: Cannot read properties of undefined (reading 'nodes')");
    expect(lines[1]).toMatch(/--debug/);
    expect(c.err.join('\n')).not.toMatch(STACK_LINE);

    summarize.mockImplementationOnce(async () => {
      throw new TypeError('boom');
    });
    const d = capture();
    expect(await main(['summarize', 'whatever.pb', '--debug'], d.io)).toBe(70);
    expect(d.err.join('\n')).toMatch(STACK_LINE);
  }, FAST);
});
