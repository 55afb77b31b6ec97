/**
 * Bad input, across every file kind graft reads: truncated files, flipped bytes, wrong
 * checksums, absurd length prefixes, missing pieces of a SavedModel. Each must end in a
 * GraftError with its documented code (docs/errors.md) naming the file: never a raw exception,
 * a hang, or a huge allocation. Inputs are never modified and failed writes leave nothing.
 *
 * Every case works on writable copies of the shared models in a temp dir: the originals are
 * read-only, so a stray write to them would fail loudly instead of being caught by the hashes.
 * (`.npy` is covered by npy.test.ts.)
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ErrorCode, GraftError, isGraftError } from '../../src/errors';
import { formatSummary } from '../../src/inspect/summarize';
import { summarize } from '../../src/inspect/summarize-files';
import { readCheckpointIndex } from '../../src/io/checkpoint';
import { type FileSystem, nodeFileSystem } from '../../src/io/fs';
import { type LoadedModel, loadModel, mainGraph, readModelVariables, saveGraph, saveSavedModel } from '../../src/io/model-files';
import { attr } from '../../src/ir/attr';
import { makeGraph } from '../../src/ir/graph';
import { makeNode } from '../../src/ir/node';
import { useScratch } from '../helpers/scratch';
import { HAVE_MODELS, SKIP_REASON, modelPath } from '../helpers/models';

/** Per-case limit: a bad file must fail fast, never hang. */
const FAST = 5_000;
/** Limit for the byte-flip sweeps (hundreds of loads each). */
const SWEEP = 30_000;
/** No case may grow the resident set by more than this (an absurd length must not be allocated). */
const MAX_RSS_GROWTH = 64 * 1024 * 1024;

const { freshDir, copyModel, writeTemp } = useScratch('graft-bad-input');

/** A small seeded PRNG (mulberry32), so sweeps are reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function flipped(bytes: Uint8Array, pos: number, mask = 0xff): Uint8Array {
  const b = Uint8Array.from(bytes);
  b[pos] = b[pos]! ^ mask;
  return b;
}

/**
 * Runs `f`, which must reject with a GraftError whose code is one of `codes`, whose `file` is
 * set, and whose message names `file` (what the CLI prints is the message). Returns the error.
 */
async function expectGraftError(f: () => Promise<unknown>, codes: readonly ErrorCode[], file: string, opts: { messageNamesFile?: boolean } = {}): Promise<GraftError> {
  let caught: unknown;
  try {
    await f();
  } catch (e) {
    caught = e;
  }
  if (caught === undefined) throw new Error(`expected a GraftError ${codes.join('|')} naming ${file}, but nothing was thrown`);
  if (!isGraftError(caught)) throw new Error(`expected a GraftError, got a raw ${(caught as Error)?.name}: ${(caught as Error)?.message}`, { cause: caught });
  expect(codes, `code of: ${caught.message}`).toContain(caught.code);
  expect(caught.file, `file of: ${caught.message}`).toBeDefined();
  expect(path.resolve(caught.file!)).toBe(path.resolve(file));
  if (opts.messageNamesFile !== false) expect(caught.message).toContain(path.basename(file));
  return caught;
}

/** Loads `p` and returns the model, or the GraftError; any other exception fails the test. */
async function loadOrGraftError(p: string, label: string): Promise<LoadedModel | GraftError> {
  try {
    return await loadModel(p);
  } catch (e) {
    if (isGraftError(e)) return e;
    throw new Error(`${label}: raw ${(e as Error)?.name} leaked: ${(e as Error)?.message}`, { cause: e });
  }
}

/** Runs `f` (which must succeed: it holds the assertions) and returns how much the resident set grew. */
async function rssGrowthDuring(f: () => Promise<unknown>): Promise<number> {
  const before = process.memoryUsage().rss;
  await f();
  return process.memoryUsage().rss - before;
}

/** Hashes every file under `root` (a file or a directory), keyed by relative path. */
function hashTree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (p: string, rel: string) => {
    if (fs.statSync(p).isDirectory()) for (const n of fs.readdirSync(p).sort()) walk(path.join(p, n), rel ? `${rel}/${n}` : n);
    else out.set(rel || path.basename(p), createHash('sha256').update(fs.readFileSync(p)).digest('hex'));
  };
  walk(root, '');
  return out;
}

/** Everything in `dir` whose name marks it as one of graft's temporary files. */
function tempLeftovers(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => n.includes('graft-tmp') || n.includes('.tmp-'));
}

// ------------------------------------------------------------------ GraphDef .pb

describe.skipIf(!HAVE_MODELS)(`GraphDef .pb (skipped if ${SKIP_REASON})`, () => {
  for (const rel of ['tf2onnx_fc_layers/frozen.pb', 'utensor_mnist_mlp/simple_mnist.pb']) {
    describe(rel, () => {
      const original = () => new Uint8Array(fs.readFileSync(modelPath(rel)));

      for (const [label, cut] of [
        ['half', (n: number) => n >> 1],
        ['all but the last byte', (n: number) => n - 1],
        ['3 bytes', () => 3],
      ] as const) {
        it(`truncated to ${label} → io/truncated naming the file`, async () => {
          const bytes = original();
          const p = writeTemp(path.basename(rel), bytes.subarray(0, cut(bytes.length)));
          await expectGraftError(() => loadModel(p), ['io/truncated'], p);
        }, FAST);
      }

      it('an empty file is named as empty (valid protobuf, but no graph: issue #13)', async () => {
        const p = writeTemp(path.basename(rel), new Uint8Array(0));
        const e = await loadModel(p).then(() => undefined, (x: unknown) => x as GraftError);
        expect(e?.code).toBe('io/truncated');
        expect(e?.message).toContain('is empty (0 bytes)');
      }, FAST);

      it('a byte flipped at 200 seeded positions (and each of the first 64) either loads as a Graph or throws a GraftError', async () => {
        const bytes = original();
        const rnd = prng(0x5eed + bytes.length);
        const positions = [...Array.from({ length: 64 }, (_, i) => i), ...Array.from({ length: 200 }, () => Math.floor(rnd() * bytes.length))];
        const p = path.join(freshDir('flip'), path.basename(rel));
        const outcomes = new Map<string, number>();
        for (const pos of positions) {
          fs.writeFileSync(p, flipped(bytes, pos, 1 << Math.floor(rnd() * 8)));
          const t0 = performance.now();
          const r = await loadOrGraftError(p, `${rel} flipped at ${pos}`);
          expect(performance.now() - t0, `load time with byte ${pos} flipped`).toBeLessThan(2_000);
          if (isGraftError(r)) {
            expect(path.resolve(r.file!)).toBe(path.resolve(p));
            expect(r.code).toMatch(/^(io|graph)\//);
          } else {
            expect(r.kind).toBe('graph-def');
            expect(Array.isArray(mainGraph(r).nodes)).toBe(true);
          }
          const k = isGraftError(r) ? r.code : 'loaded';
          outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
        }
        // A flip in the structure (the first bytes) must be caught at least sometimes.
        expect([...outcomes.keys()].some((k) => k !== 'loaded')).toBe(true);
      }, SWEEP);
    });
  }
});

describe('GraphDef .pb with an absurd length prefix', () => {
  // A GraphDef whose first field (node, field 1, wire type 2: tag 0x0a) claims a huge length.
  const cases: Array<[string, number[]]> = [
    ['2^31-1 bytes', [0x0a, 0xff, 0xff, 0xff, 0xff, 0x07, 1, 2, 3]],
    ['2^32-1 bytes', [0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3]],
    ['a 10-byte varint, 2^63', [0x0a, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 1, 2, 3]],
    // Nested: a 6-byte NodeDef whose `device` string (field 4, tag 0x22) claims 2^31-1 bytes.
    ['2^31-1 bytes inside a NodeDef', [0x0a, 0x06, 0x22, 0xff, 0xff, 0xff, 0xff, 0x07]],
  ];
  for (const [label, bytes] of cases) {
    it(`${label} → io/truncated or io/bad-length, without allocating it`, async () => {
      const p = writeTemp('absurd.pb', Uint8Array.from(bytes));
      const growth = await rssGrowthDuring(() => expectGraftError(() => loadModel(p), ['io/truncated', 'io/bad-length'], p));
      expect(growth).toBeLessThan(MAX_RSS_GROWTH);
    }, FAST);
  }
});

// ------------------------------------------------------------------ GraphDef .pbtxt

describe('GraphDef .pbtxt', () => {
  const good = 'node {\n  name: "x"\n  op: "Placeholder"\n  attr {\n    key: "dtype"\n    value {\n      type: DT_FLOAT\n    }\n  }\n}\n';

  it('the well-formed text used below loads', async () => {
    const m = await loadModel(writeTemp('graph.pbtxt', good));
    expect(mainGraph(m).nodes.map((n) => n.name)).toEqual(['x']);
  }, FAST);

  const bad: Array<[string, string, number]> = [
    ['garbage on line 3', 'node {\n  name: "x"\n  %%% ;;\n}\n', 3],
    ['an unknown field on line 2', 'node {\n  nmae: "x"\n}\n', 2],
    ['truncated mid-word', good.slice(0, good.indexOf('DT_FLOAT') + 4), 7],
    ['binary bytes', '\u0000\u0001\u0002garbage', 1],
  ];
  for (const [label, text, line] of bad) {
    it(`${label} → io/corrupt with the line number`, async () => {
      const p = writeTemp('graph.pbtxt', text);
      const e = await expectGraftError(() => loadModel(p), ['io/corrupt', 'io/truncated'], p);
      expect(e.message).toMatch(new RegExp(`line ${line}\\b`));
    }, FAST);
  }

  it('truncated inside an open message (missing closing braces) → io/corrupt or io/truncated', async () => {
    const p = writeTemp('graph.pbtxt', good.slice(0, good.indexOf('value {')));
    await expectGraftError(() => loadModel(p), ['io/corrupt', 'io/truncated'], p);
  }, FAST);
});

// ------------------------------------------------------------------ SavedModel directories

describe.skipIf(!HAVE_MODELS)(`SavedModel directory (skipped if ${SKIP_REASON})`, () => {
  const SM = 'serving_half_plus_two_cpu';

  for (const [label, cut] of [
    ['half', (n: number) => n >> 1],
    ['all but the last byte', (n: number) => n - 1],
    ['3 bytes', () => 3],
  ] as const) {
    it(`saved_model.pb truncated to ${label} → io/truncated naming saved_model.pb`, async () => {
      const dir = copyModel(SM);
      const pb = path.join(dir, 'saved_model.pb');
      const bytes = fs.readFileSync(pb);
      fs.writeFileSync(pb, bytes.subarray(0, cut(bytes.length)));
      await expectGraftError(() => loadModel(dir), ['io/truncated'], pb);
      await expectGraftError(() => summarize(dir), ['io/truncated'], pb);
    }, FAST);
  }

  it('saved_model.pb with an absurd length prefix → io/truncated or io/bad-length, without allocating it', async () => {
    const dir = copyModel(SM);
    const pb = path.join(dir, 'saved_model.pb');
    // meta_graphs is field 2 (tag 0x12).
    fs.writeFileSync(pb, Uint8Array.from([0x12, 0xff, 0xff, 0xff, 0xff, 0x07, 1, 2, 3]));
    const growth = await rssGrowthDuring(() => expectGraftError(() => loadModel(dir), ['io/truncated', 'io/bad-length'], pb));
    expect(growth).toBeLessThan(MAX_RSS_GROWTH);
  }, FAST);

  it('an empty saved_model.pb → io/corrupt (no meta graphs)', async () => {
    const dir = copyModel(SM);
    const pb = path.join(dir, 'saved_model.pb');
    fs.writeFileSync(pb, new Uint8Array(0));
    await expectGraftError(() => loadModel(dir), ['io/corrupt'], pb);
  }, FAST);

  it('saved_model.pb with a byte flipped at 200 seeded positions: loads and summarizes, or throws a GraftError naming it', async () => {
    const dir = copyModel(SM);
    const pb = path.join(dir, 'saved_model.pb');
    const bytes = new Uint8Array(fs.readFileSync(pb));
    const rnd = prng(0xc0ffee);
    let failures = 0;
    for (let i = 0; i < 200; i++) {
      const pos = Math.floor(rnd() * bytes.length);
      fs.writeFileSync(pb, flipped(bytes, pos, 1 << Math.floor(rnd() * 8)));
      const t0 = performance.now();
      const r = await loadOrGraftError(dir, `saved_model.pb flipped at ${pos}`);
      if (isGraftError(r)) {
        failures++;
        expect(path.resolve(r.file!), r.message).toBe(path.resolve(pb));
      } else {
        expect(r.kind).toBe('saved-model');
        // What still decodes must also summarize without a raw exception.
        try {
          formatSummary(await summarize(dir));
        } catch (e) {
          if (!isGraftError(e)) throw new Error(`summarize with byte ${pos} flipped: raw ${(e as Error).name}: ${(e as Error).message}`, { cause: e });
        }
      }
      expect(performance.now() - t0, `byte ${pos}`).toBeLessThan(2_000);
    }
    expect(failures).toBeGreaterThan(0);
  }, SWEEP);

  // Errors raised while converting a decoded message to IR (here graph-proto's "A dimension of N
  // is beyond 2^53") name the file through GraftError.inFile. An exhaustive flip of every byte of
  // saved_model.pb and model.meta (masks 0xff, 0x80, 0x01) found this as the only such message.
  it('a flipped byte that makes a dimension absurd names saved_model.pb in the message', async () => {
    const dir = copyModel(SM);
    const pb = path.join(dir, 'saved_model.pb');
    fs.writeFileSync(pb, flipped(new Uint8Array(fs.readFileSync(pb)), 4283, 0x01));
    const e = await expectGraftError(() => loadModel(dir), ['io/corrupt'], pb, { messageNamesFile: false });
    expect(e.message).toMatch(/dimension/);
    expect(e.message).toContain('saved_model.pb');
  }, FAST);

  it('no variables/ folder: loads; readModelVariables → io/missing-variables naming variables/; summarize says so', async () => {
    const dir = copyModel(SM);
    fs.rmSync(path.join(dir, 'variables'), { recursive: true });
    const m = await loadModel(dir);
    expect(m.kind === 'saved-model' && m.variables.state).toBe('missing');
    const e = await expectGraftError(() => readModelVariables(m), ['io/missing-variables'], path.join(dir, 'variables'));
    expect(e.hint).toMatch(/variables\.index/);
    const s = await summarize(dir);
    expect(s.variablesState).toBe('missing');
    expect(formatSummary(s)).toMatch(/Variables size: .*no variables checkpoint/);
  }, FAST);

  it('an empty variables/ folder → io/missing-variables', async () => {
    const dir = copyModel(SM);
    fs.rmSync(path.join(dir, 'variables'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'variables'));
    await expectGraftError(async () => readModelVariables(await loadModel(dir)), ['io/missing-variables'], path.join(dir, 'variables'));
  }, FAST);

  it('a directory that is not a SavedModel → io/not-saved-model, listing what it found', async () => {
    const dir = freshDir('not-a-model');
    fs.writeFileSync(path.join(dir, 'README.txt'), 'hello');
    fs.mkdirSync(path.join(dir, 'variables'));
    const e = await expectGraftError(() => loadModel(dir), ['io/not-saved-model'], dir);
    expect(e.message).toContain('README.txt');
    await expectGraftError(() => summarize(dir), ['io/not-saved-model'], dir);
  }, FAST);

  it('an empty directory → io/not-saved-model', async () => {
    const dir = freshDir('empty');
    await expectGraftError(() => loadModel(dir), ['io/not-saved-model'], dir);
  }, FAST);

  it('a path that does not exist → io/not-found', async () => {
    const p = path.join(freshDir('missing'), 'no', 'such', 'model');
    await expectGraftError(() => loadModel(p), ['io/not-found'], p);
    await expectGraftError(() => summarize(p), ['io/not-found'], p);
  }, FAST);
});

// ------------------------------------------------------------------ checkpoints

describe.skipIf(!HAVE_MODELS)(`checkpoint (variables/) (skipped if ${SKIP_REASON})`, () => {
  const SM = 'serving_half_plus_two_cpu';
  const files = (dir: string) => ({
    index: path.join(dir, 'variables', 'variables.index'),
    data: path.join(dir, 'variables', 'variables.data-00000-of-00001'),
  });

  it('the unmodified copy reads', async () => {
    const ckpt = await readModelVariables(await loadModel(copyModel(SM)));
    expect(ckpt.entries.get('a')?.data?.length).toBe(4);
  }, FAST);

  it('every byte of variables.data flipped → io/checksum naming the data file and the tensor stored there', async () => {
    const dir = copyModel(SM);
    const { index, data } = files(dir);
    const bytes = new Uint8Array(fs.readFileSync(data));
    const { entries } = readCheckpointIndex(new Uint8Array(fs.readFileSync(index)), index);
    const m = await loadModel(dir);
    for (let pos = 0; pos < bytes.length; pos++) {
      const owner = entries.find((e) => pos >= e.offset && pos < e.offset + e.size);
      if (!owner) continue; // padding between tensors is not covered by any checksum
      fs.writeFileSync(data, flipped(bytes, pos));
      const e = await expectGraftError(() => readModelVariables(m), ['io/checksum'], data);
      expect(e.node).toBe(owner.name);
      expect(e.message).toContain(`'${owner.name}'`);
    }
  }, SWEEP);

  it('every byte of the index blocks flipped → io/checksum naming the index file', async () => {
    const dir = copyModel(SM);
    const { index } = files(dir);
    const bytes = new Uint8Array(fs.readFileSync(index));
    const m = await loadModel(dir);
    // Blocks and their trailers: everything before the 48-byte footer.
    for (let pos = 0; pos < bytes.length - 48; pos++) {
      fs.writeFileSync(index, flipped(bytes, pos));
      await expectGraftError(() => readModelVariables(m), ['io/checksum'], index, { messageNamesFile: false });
    }
  }, SWEEP);

  it('every byte of the index footer flipped → a GraftError naming the index file, or (padding) the same tensors', async () => {
    const dir = copyModel(SM);
    const { index } = files(dir);
    const bytes = new Uint8Array(fs.readFileSync(index));
    const m = await loadModel(dir);
    const good = await readModelVariables(m);
    let failures = 0;
    for (let pos = bytes.length - 48; pos < bytes.length; pos++) {
      fs.writeFileSync(index, flipped(bytes, pos));
      try {
        const ckpt = await readModelVariables(m);
        // Only the zero padding after the two block handles is unchecked (LevelDB ignores it too).
        expect([...ckpt.entries.keys()]).toEqual([...good.entries.keys()]);
      } catch (e) {
        if (!isGraftError(e)) throw new Error(`footer byte ${pos}: raw ${(e as Error).name}: ${(e as Error).message}`, { cause: e });
        expect(['io/checksum', 'io/bad-magic', 'io/bad-length', 'io/truncated', 'io/corrupt']).toContain(e.code);
        expect(path.resolve(e.file!)).toBe(path.resolve(index));
        failures++;
      }
    }
    // The 8 magic bytes at least must always be caught.
    expect(failures).toBeGreaterThanOrEqual(8);
  }, SWEEP);

  for (const [label, cut] of [
    ['half', (n: number) => n >> 1],
    ['all but the last byte', (n: number) => n - 1],
    ['3 bytes', () => 3],
    ['0 bytes', () => 0],
  ] as const) {
    it(`variables.index truncated to ${label} → io/truncated or io/bad-magic`, async () => {
      const dir = copyModel(SM);
      const { index } = files(dir);
      const bytes = fs.readFileSync(index);
      fs.writeFileSync(index, bytes.subarray(0, cut(bytes.length)));
      await expectGraftError(async () => readModelVariables(await loadModel(dir)), ['io/truncated', 'io/bad-magic'], index, { messageNamesFile: false });
      // summarize lists the index too, and must fail the same way.
      await expectGraftError(() => summarize(dir), ['io/truncated', 'io/bad-magic'], index, { messageNamesFile: false });
    }, FAST);
  }

  it('an index footer whose block handle claims 2^50 bytes → io/bad-length, without allocating it', async () => {
    const dir = copyModel(SM);
    const { index } = files(dir);
    const bytes = new Uint8Array(fs.readFileSync(index));
    const footer = bytes.length - 48;
    // metaindex handle: offset 0, size 2^50 (an 8-byte varint); index handle 0/0; zero padding to 40 bytes.
    const handles = [0x00, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x00, 0x00];
    bytes.fill(0, footer, footer + 40);
    bytes.set(handles, footer);
    fs.writeFileSync(index, bytes);
    const m = await loadModel(dir);
    const growth = await rssGrowthDuring(() => expectGraftError(() => readModelVariables(m), ['io/bad-length'], index, { messageNamesFile: false }));
    expect(growth).toBeLessThan(MAX_RSS_GROWTH);
  }, FAST);

  it('missing data file → io/not-found naming it and the tensor that lives there', async () => {
    const dir = copyModel(SM);
    const { data } = files(dir);
    fs.rmSync(data);
    const m = await loadModel(dir);
    expect(m.kind === 'saved-model' && m.variables.state).toBe('index-only');
    const e = await expectGraftError(() => readModelVariables(m), ['io/not-found'], data);
    expect(e.node).toBeDefined();
    expect(e.message).toContain(`'${e.node}'`);
    // summarize reads only the index, so it still works and says the data is missing.
    expect(formatSummary(await summarize(dir))).toMatch(/index only: data files missing/);
  }, FAST);

  it('truncated data file → io/truncated naming it', async () => {
    const dir = copyModel(SM);
    const { data } = files(dir);
    fs.writeFileSync(data, fs.readFileSync(data).subarray(0, 3));
    await expectGraftError(async () => readModelVariables(await loadModel(dir)), ['io/truncated'], data);
  }, FAST);

  // Errors raised while reading the index SSTable (checksum, footer magic, block bounds) name
  // the index file in their message, not only in `file`.
  it('checkpoint index errors name the index file in their message', async () => {
    const dir = copyModel(SM);
    const { index } = files(dir);
    const bytes = new Uint8Array(fs.readFileSync(index));
    const m = await loadModel(dir);
    const messages: string[] = [];
    for (const variant of [flipped(bytes, 5), bytes.subarray(0, bytes.length >> 1)]) {
      fs.writeFileSync(index, variant);
      const e = await expectGraftError(() => readModelVariables(m), ['io/checksum', 'io/bad-magic', 'io/truncated'], index, { messageNamesFile: false });
      messages.push(e.message);
    }
    for (const msg of messages) expect(msg).toContain('variables.index');
  }, FAST);
});

// ------------------------------------------------------------------ .meta files

describe.skipIf(!HAVE_MODELS)(`MetaGraphDef .meta (skipped if ${SKIP_REASON})`, () => {
  const DIR = 'tf2onnx_regression_checkpoint';

  for (const [label, cut] of [
    ['half', (n: number) => n >> 1],
    ['all but the last byte', (n: number) => n - 1],
    ['3 bytes', () => 3],
  ] as const) {
    it(`model.meta truncated to ${label} → io/truncated naming it`, async () => {
      const meta = path.join(copyModel(DIR), 'model.meta');
      const bytes = fs.readFileSync(meta);
      fs.writeFileSync(meta, bytes.subarray(0, cut(bytes.length)));
      await expectGraftError(() => loadModel(meta), ['io/truncated'], meta);
    }, FAST);
  }

  it('model.meta with an absurd length prefix → io/truncated or io/bad-length', async () => {
    const meta = path.join(copyModel(DIR), 'model.meta');
    // graph_def is field 2 (tag 0x12).
    fs.writeFileSync(meta, Uint8Array.from([0x12, 0xff, 0xff, 0xff, 0xff, 0x07, 1, 2, 3]));
    const growth = await rssGrowthDuring(() => expectGraftError(() => loadModel(meta), ['io/truncated', 'io/bad-length'], meta));
    expect(growth).toBeLessThan(MAX_RSS_GROWTH);
  }, FAST);

  it('model.meta with a byte flipped at 200 seeded positions: loads, or throws a GraftError naming it', async () => {
    const meta = path.join(copyModel(DIR), 'model.meta');
    const bytes = new Uint8Array(fs.readFileSync(meta));
    const rnd = prng(0xbadf00d);
    let failures = 0;
    for (let i = 0; i < 200; i++) {
      const pos = Math.floor(rnd() * bytes.length);
      fs.writeFileSync(meta, flipped(bytes, pos, 1 << Math.floor(rnd() * 8)));
      const t0 = performance.now();
      const r = await loadOrGraftError(meta, `model.meta flipped at ${pos}`);
      if (isGraftError(r)) {
        failures++;
        expect(path.resolve(r.file!), r.message).toBe(path.resolve(meta));
      } else {
        expect(r.kind).toBe('meta-graph');
      }
      expect(performance.now() - t0, `byte ${pos}`).toBeLessThan(2_000);
    }
    expect(failures).toBeGreaterThan(0);
  }, SWEEP);

  it('a .meta without its checkpoint: readModelVariables → io/missing-variables naming the index', async () => {
    const dir = copyModel(DIR);
    fs.rmSync(path.join(dir, 'model.index'));
    const meta = path.join(dir, 'model.meta');
    await expectGraftError(async () => readModelVariables(await loadModel(meta)), ['io/missing-variables'], path.join(dir, 'model.index'));
  }, FAST);

  it('a .meta whose data file is missing → io/not-found naming it', async () => {
    const dir = copyModel(DIR);
    const data = path.join(dir, 'model.data-00000-of-00001');
    fs.rmSync(data);
    await expectGraftError(async () => readModelVariables(await loadModel(path.join(dir, 'model.meta'))), ['io/not-found'], data);
  }, FAST);
});

// ------------------------------------------------------------------ inputs are never modified

describe.skipIf(!HAVE_MODELS)(`inputs are never modified (skipped if ${SKIP_REASON})`, () => {
  it('loading, reading variables, summarizing and saving elsewhere leave every input byte and mtime unchanged', async () => {
    const inputs = [
      copyModel('serving_half_plus_two_cpu'),
      copyModel('serving_half_plus_two_tf2'),
      copyModel('tf2onnx_regression_checkpoint'),
      copyModel('tf2onnx_fc_layers'),
    ];
    const before = inputs.map(hashTree);
    const mtimes = inputs.map((p) => fs.statSync(p).mtimeMs);
    const outDir = freshDir('out');
    for (const [i, input] of inputs.entries()) {
      const p = input.endsWith('tf2onnx_regression_checkpoint') ? path.join(input, 'model.meta') : input.endsWith('tf2onnx_fc_layers') ? path.join(input, 'frozen.pb') : input;
      const m = await loadModel(p);
      if (m.kind !== 'graph-def') await readModelVariables(m);
      formatSummary(await summarize(p));
      await saveGraph(mainGraph(m), path.join(outDir, `g${i}.pb`));
      await saveGraph(mainGraph(m), path.join(outDir, `g${i}.pbtxt`));
      if (m.kind === 'saved-model') {
        await saveSavedModel(path.join(outDir, `sm${i}`), m.savedModel, {
          variablesFrom: m.variables.prefix,
          assetsFrom: path.join(m.path, 'assets'),
          assets: m.assets,
        });
        // The copy is complete and reads back.
        await readModelVariables(await loadModel(path.join(outDir, `sm${i}`)));
      }
    }
    expect(inputs.map(hashTree)).toEqual(before);
    expect(inputs.map((p) => fs.statSync(p).mtimeMs)).toEqual(mtimes);
  }, SWEEP);

  it('a failed load of a corrupt model leaves it byte-for-byte as it was', async () => {
    const dir = copyModel('serving_half_plus_two_cpu');
    const index = path.join(dir, 'variables', 'variables.index');
    fs.writeFileSync(index, flipped(new Uint8Array(fs.readFileSync(index)), 3));
    const before = hashTree(dir);
    await expect(loadModel(dir).then(readModelVariables)).rejects.toBeInstanceOf(GraftError);
    await summarize(dir).catch(() => undefined);
    expect(hashTree(dir)).toEqual(before);
  }, FAST);
});

// ------------------------------------------------------------------ atomic writes

/** nodeFileSystem, except that the named methods write something and then throw. */
function failingFs(fail: { writeFile?: boolean; copyFileAfter?: number }): FileSystem {
  let copies = 0;
  return {
    ...nodeFileSystem,
    async writeFile(p, chunks) {
      if (!fail.writeFile) return nodeFileSystem.writeFile(p, chunks);
      // Leave a partial file behind, as a full disk would.
      fs.writeFileSync(p, chunks[0] ?? new Uint8Array(1));
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    },
    async copyFile(from, to) {
      if (fail.copyFileAfter !== undefined && copies++ >= fail.copyFileAfter) {
        fs.writeFileSync(to, 'partial');
        throw Object.assign(new Error('EIO: i/o error, copyfile'), { code: 'EIO' });
      }
      return nodeFileSystem.copyFile(from, to);
    },
  };
}

describe('atomic writes: a failed write leaves no partial output', () => {
  const tinyGraph = () => makeGraph([makeNode({ name: 'x', op: 'Placeholder', inputs: [], attrs: { dtype: attr.type('float') }, device: '' })]);

  it('saveGraph whose writes fail → io/write-failed naming the target; no target, no temp files', async () => {
    const dir = freshDir('write-fail');
    const target = path.join(dir, 'out.pb');
    await expectGraftError(() => saveGraph(tinyGraph(), target, { fs: failingFs({ writeFile: true }) }), ['io/write-failed'], target);
    expect(fs.readdirSync(dir)).toEqual([]);
  }, FAST);

  it('saveGraph over an existing file that fails keeps the old file intact', async () => {
    const dir = freshDir('write-fail-existing');
    const target = path.join(dir, 'out.pbtxt');
    fs.writeFileSync(target, 'old contents');
    await expectGraftError(() => saveGraph(tinyGraph(), target, { fs: failingFs({ writeFile: true }) }), ['io/exists'], target);
    await expectGraftError(() => saveGraph(tinyGraph(), target, { fs: failingFs({ writeFile: true }), overwrite: true }), ['io/write-failed'], target);
    expect(fs.readFileSync(target, 'utf8')).toBe('old contents');
    expect(fs.readdirSync(dir)).toEqual(['out.pbtxt']);
  }, FAST);

  it('saveGraph into a directory that does not exist → io/write-failed, nothing created', async () => {
    const dir = freshDir('no-parent');
    const target = path.join(dir, 'missing', 'out.pb');
    await expectGraftError(() => saveGraph(tinyGraph(), target), ['io/write-failed'], target);
    expect(fs.readdirSync(dir)).toEqual([]);
  }, FAST);

  it('saveGraph of a graph holding a new resource tensor → graph/bad-tensor before anything is written', async () => {
    const dir = freshDir('unencodable');
    const target = path.join(dir, 'out.pb');
    const g = makeGraph([
      makeNode({ name: 'h', op: 'Const', inputs: [], attrs: { dtype: attr.type('resource'), value: attr.tensor({ dtype: 'resource', shape: [], data: { kind: 'opaque' } }) }, device: '' }),
    ]);
    const e = await saveGraph(g, target).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isGraftError(e) && e.code).toBe('graph/bad-tensor');
    expect(fs.readdirSync(dir)).toEqual([]);
  }, FAST);

  it.skipIf(!HAVE_MODELS)('saveSavedModel whose second copy fails → io/write-failed; no directory, no temp dirs; an existing one is kept', async () => {
    const src = copyModel('serving_half_plus_two_cpu');
    const m = await loadModel(src);
    if (m.kind !== 'saved-model') throw new Error('expected a SavedModel');
    const parent = freshDir('sm-fail');
    const target = path.join(parent, 'out');
    const opts = { variablesFrom: m.variables.prefix, assetsFrom: path.join(src, 'assets'), assets: m.assets };
    await expectGraftError(() => saveSavedModel(target, m.savedModel, { ...opts, fs: failingFs({ copyFileAfter: 1 }) }), ['io/write-failed'], target);
    expect(fs.readdirSync(parent)).toEqual([]);

    // Over an existing SavedModel: the old one survives a failed replacement untouched.
    await saveSavedModel(target, m.savedModel, opts);
    const before = hashTree(target);
    await expectGraftError(() => saveSavedModel(target, m.savedModel, { ...opts, fs: failingFs({ copyFileAfter: 0 }) }), ['io/exists'], target);
    await expectGraftError(() => saveSavedModel(target, m.savedModel, { ...opts, overwrite: true, fs: failingFs({ copyFileAfter: 0 }) }), ['io/write-failed'], target);
    expect(hashTree(target)).toEqual(before);
    expect(fs.readdirSync(parent)).toEqual(['out']);
    expect(tempLeftovers(parent)).toEqual([]);
  }, FAST);

  it.skipIf(!HAVE_MODELS)('saveSavedModel with an asset path escaping assets/ → io/unsafe-path, nothing left', async () => {
    const src = copyModel('serving_half_plus_two_cpu');
    const m = await loadModel(src);
    if (m.kind !== 'saved-model') throw new Error('expected a SavedModel');
    const parent = freshDir('unsafe');
    const e = await saveSavedModel(path.join(parent, 'out'), m.savedModel, { assetsFrom: path.join(src, 'assets'), assets: ['../../escape.txt'] }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isGraftError(e) && e.code).toBe('io/unsafe-path');
    expect(fs.readdirSync(parent)).toEqual([]);
  }, FAST);
});
