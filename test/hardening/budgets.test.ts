/**
 * Issue 10, item 3 (bounds before work): every declared size is checked against what the bytes can
 * hold and against a memory budget before anything is allocated. Each case is crafted with graft's
 * own writers; the CLI cases run `graft` in a child process and assert its exit and error code,
 * no stack trace, a bounded time, peak memory under 1 GB and unchanged inputs (harness.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { attr } from '../../src/ir/attr';
import type { Graph } from '../../src/ir/graph';
import { makeStringTensor, makeTensor, makeValueTensor } from '../../src/ir/tensor';
import { encodeGraphDef } from '../../src/io/graphdef';
import { decodeHeader, encodeHeader } from '../../src/io/checkpoint/bundle-format';
import { readTable, writeTable } from '../../src/io/checkpoint';
import { runPipeline } from '../../src/transform/runner';
import { runGraph } from '../../src/runtime/index';
import { generateFeeds } from '../../src/verify/feeds';
import { graphBuilder } from '../helpers/graph-builder';
import { HAVE_MODELS } from '../helpers/models';
import { useScratch } from '../helpers/scratch';
import { checkInProcessPeak, expectCliError, runCliOn } from './cli-checks';

const F = { T: attr.type('float') };
const I32 = (values: number[]) => makeTensor('int32', [values.length], values);
const { freshDir, copyModel, writeTemp } = useScratch('graft-hardening-budgets');

function writeGraph(g: Graph, name = 'g.pb'): string {
  return writeTemp(name, encodeGraphDef(g));
}

/** Runs fold_constants (10 MiB budget) and returns its diagnostics, checking time and memory growth. */
async function fold(g: Graph, outputs: string[], params = '') {
  const rss0 = process.memoryUsage().rss;
  const t0 = Date.now();
  const { graph, report } = await runPipeline(g, `fold_constants${params}`, { outputs });
  const ms = Date.now() - t0;
  expect(ms).toBeLessThan(20_000);
  expect(process.memoryUsage().rss - rss0).toBeLessThan(256 * 2 ** 20);
  return { graph, diagnostics: report.diagnostics };
}

checkInProcessPeak();

describe('fold_constants decides from shapes before computing (findings)', () => {
  it('a broadcast AddV2 of [20000,1] + [1,20000] (1.6 GB) is not computed', async () => {
    const b = graphBuilder();
    b.const('a', makeValueTensor('float', [20000, 1], [1]));
    b.const('b', makeValueTensor('float', [1, 20000], [2]));
    b.op('AddV2', ['a', 'b'], F, 'big');
    b.op('Identity', ['big'], F, 'out');
    const { graph, diagnostics } = await fold(b.graph(), ['out']);
    expect(diagnostics).toContainEqual(expect.objectContaining({ code: 'fold_constants/over-budget', node: 'big', message: expect.stringContaining('1600000000 bytes') }));
    expect(graph.nodes.map((n) => n.name)).toContain('big');
  });

  it('an outer-product MatMul [20000,1] x [1,20000] is not computed', async () => {
    const b = graphBuilder();
    b.const('a', makeValueTensor('float', [20000, 1], [1]));
    b.const('b', makeValueTensor('float', [1, 20000], [2]));
    b.op('MatMul', ['a', 'b'], F, 'big');
    b.op('Identity', ['big'], F, 'out');
    const { diagnostics } = await fold(b.graph(), ['out']);
    expect(diagnostics).toContainEqual(expect.objectContaining({ code: 'fold_constants/over-budget', node: 'big' }));
  });

  it('a ConcatV2 doubling chain stops at the first step over the budget', async () => {
    const b = graphBuilder();
    b.const('x0', makeValueTensor('float', [1024], [1]));
    b.const('axis', makeTensor('int32', [], [0]));
    let prev = 'x0';
    for (let i = 1; i <= 24; i++) prev = b.op('ConcatV2', [prev, prev, 'axis'], { ...F, N: attr.i(2), Tidx: attr.type('int32') }, `c${i}`);
    b.op('Identity', [prev], F, 'out');
    const { diagnostics } = await fold(b.graph(), ['out']);
    // 1024 floats doubled 11 times = 8 MiB fits; the 12th (16 MiB) is over 10 MiB and not computed.
    expect(diagnostics.filter((d) => d.code === 'fold_constants/over-budget').map((d) => d.node)).toEqual(['c12']);
  });

  it('ResizeNearestNeighbor to 20000x20000 is not computed', async () => {
    const b = graphBuilder();
    b.const('img', makeValueTensor('float', [1, 2, 2, 1], [1]));
    b.const('size', I32([20000, 20000]));
    b.op('ResizeNearestNeighbor', ['img', 'size'], F, 'big');
    b.op('Identity', ['big'], F, 'out');
    const { diagnostics } = await fold(b.graph(), ['out']);
    expect(diagnostics).toContainEqual(expect.objectContaining({ code: 'fold_constants/over-budget', node: 'big' }));
  });
});

describe('fold_constants budgets (new cases)', () => {
  const bombs: [string, (b: ReturnType<typeof graphBuilder>) => string][] = [
    ['Tile by 2^16 x 2^16', (b) => {
      b.const('v', makeValueTensor('float', [2, 2], [1]));
      b.const('m', I32([65536, 65536]));
      return b.op('Tile', ['v', 'm'], { ...F, Tmultiples: attr.type('int32') }, 'big');
    }],
    ['Fill of [50000,50000]', (b) => {
      b.const('dims', I32([50000, 50000]));
      b.const('v', 1);
      return b.op('Fill', ['dims', 'v'], { ...F, index_type: attr.type('int32') }, 'big');
    }],
    ['Range of 1e9 elements', (b) => {
      b.const('s', makeTensor('int32', [], [0]));
      b.const('l', makeTensor('int32', [], [1_000_000_000]));
      b.const('d', makeTensor('int32', [], [1]));
      return b.op('Range', ['s', 'l', 'd'], { Tidx: attr.type('int32') }, 'big');
    }],
    ['OneHot with depth 1e8', (b) => {
      b.const('idx', I32([1, 2, 3, 4]));
      b.const('depth', makeTensor('int32', [], [100_000_000]));
      b.const('on', 1);
      b.const('off', 0);
      return b.op('OneHot', ['idx', 'depth', 'on', 'off'], { ...F, TI: attr.type('int32'), axis: attr.i(-1) }, 'big');
    }],
    ['Pad by 30000 on each side', (b) => {
      b.const('v', makeValueTensor('float', [2, 2], [1]));
      b.const('p', makeTensor('int32', [2, 2], [30000, 30000, 30000, 30000]));
      return b.op('Pad', ['v', 'p'], { ...F, Tpaddings: attr.type('int32') }, 'big');
    }],
    ['BatchMatMulV2 broadcasting [1000,200,1] x [1,200]', (b) => {
      b.const('a', makeValueTensor('float', [1000, 200, 1], [1]));
      b.const('w', makeValueTensor('float', [1, 200], [1]));
      return b.op('BatchMatMulV2', ['a', 'w'], F, 'big');
    }],
    ['Mul of a value-list Const declaring [30000,30000]', (b) => {
      b.const('a', makeValueTensor('float', [30000, 30000], [1]));
      b.const('s', 2);
      return b.op('Mul', ['a', 's'], F, 'big');
    }],
    ['an op the estimate does not know (Einsum), fed 1.6 GB of declared inputs', (b) => {
      b.const('a', makeValueTensor('float', [20000, 20000], [1]));
      return b.op('Einsum', ['a', 'a'], { ...F, N: attr.i(2), equation: attr.s('ij,jk->ik') }, 'big');
    }],
  ];
  for (const [label, build] of bombs) {
    it(`${label}: over-budget, not computed`, async () => {
      const b = graphBuilder();
      const big = build(b);
      b.op('Identity', [big], F, 'out');
      const { graph, diagnostics } = await fold(b.graph(), ['out']);
      expect(diagnostics).toContainEqual(expect.objectContaining({ code: 'fold_constants/over-budget', node: 'big' }));
      expect(graph.nodes.some((n) => n.name === 'big')).toBe(true);
    });
  }

  it('the values one run creates are bounded too (fold_constants/total-budget)', async () => {
    // 200 nodes of 900 KB each, under a 1 MiB budget each, would create 180 MB: the run stops at 64 MiB.
    const b = graphBuilder();
    b.const('v', makeTensor('float', [225_000], new Float32Array(225_000)));
    for (let i = 0; i < 200; i++) {
      b.const(`k${i}`, i);
      b.op('Mul', ['v', `k${i}`], F, `m${i}`);
      b.op('Identity', [`m${i}`], F, `out${i}`);
    }
    const outs = Array.from({ length: 200 }, (_, i) => `out${i}`);
    const { diagnostics } = await fold(b.graph(), outs, '(max_constant_size_in_bytes=1048576)');
    const total = diagnostics.filter((d) => d.code === 'fold_constants/total-budget');
    expect(total).toHaveLength(1);
    expect(total[0]!.message).toMatch(/at most 67108864/);
  });
});

describe('generated inputs have a cap (findings and new cases)', () => {
  const mlp = () => {
    const b = graphBuilder();
    b.placeholder('x', 'float', [-1, 784]);
    b.op('Identity', ['x'], F, 'y');
    return writeGraph(b.graph());
  };

  it('graft run --batch 1000000000 → runtime/too-large naming the flag, before allocating', async () => {
    const g = mlp();
    const r = await runCliOn([g], ['run', g, '--batch', '1000000000']);
    const line = expectCliError(r, 'runtime/too-large');
    expect(line).toContain("'x'");
    expect(r.stderr).toContain('--max_input_mb');
    expect(r.stderr).toContain('--batch');
  });

  it('a [25000,25000] placeholder → runtime/too-large; --max_input_mb raises the cap (then the runtime cap answers)', async () => {
    const b = graphBuilder();
    b.placeholder('x', 'float', [25000, 25000]);
    b.op('Identity', ['x'], F, 'y');
    const g = writeGraph(b.graph());
    const r = await runCliOn([g], ['run', g]);
    expectCliError(r, 'runtime/too-large');
    expect(r.stderr).toContain('2.3 GiB');
  });

  it('a placeholder of [2^20,2^20] → runtime/too-large, not "Invalid array length"', async () => {
    const b = graphBuilder();
    b.placeholder('x', 'float', [2 ** 20, 2 ** 20]);
    b.op('Identity', ['x'], F, 'y');
    const g = writeGraph(b.graph());
    expectCliError(await runCliOn([g], ['run', g]), 'runtime/too-large');
  });

  it('generateFeeds refuses in the library too, naming maxInputBytes; a raised cap lets a small one through', () => {
    const b = graphBuilder();
    b.placeholder('x', 'float', [-1, 1000]);
    const g = b.graph();
    expect(() => generateFeeds(g, { batch: 1_000_000 })).toThrow(expect.objectContaining({ code: 'runtime/too-large', param: 'maxInputBytes' }));
    expect(() => generateFeeds(g, { batch: 10, maxInputBytes: 1000 })).toThrow(expect.objectContaining({ code: 'runtime/too-large' }));
    expect(generateFeeds(g, { batch: 10, maxInputBytes: 40_000 }).x!.shape).toEqual([10, 1000]);
  });

  it.skipIf(!HAVE_MODELS)('graft optimize --agreement_batch 1e9 → runtime/too-large naming --agreement_batch, nothing written', async () => {
    const model = copyModel('serving_half_plus_two_cpu');
    const out = path.join(freshDir('opt'), 'out');
    const r = await runCliOn([model], ['optimize', model, out, '--agreement_batch', '1e9', '--max_diff', '1'], 120_000);
    expectCliError(r, 'runtime/too-large');
    expect(r.stderr).toContain('--agreement_batch');
    expect(fs.existsSync(out)).toBe(false);
  }, 150_000);
});

describe('declared sizes in files (findings and new cases)', () => {
  it.skipIf(!HAVE_MODELS)('a checkpoint header claiming 2^31-1 shards answers at once (run, freeze and optimize)', async () => {
    const model = copyModel('serving_half_plus_two_cpu');
    const indexFile = path.join(model, 'variables', 'variables.index');
    const entries = readTable(new Uint8Array(fs.readFileSync(indexFile)));
    const header = decodeHeader(entries[0]!.value);
    entries[0] = { key: entries[0]!.key, value: encodeHeader({ ...header, numShards: 2 ** 31 - 1 }) };
    fs.writeFileSync(indexFile, writeTable(entries));
    const r = await runCliOn([model], ['run', model], 30_000);
    // The data file the header now names (…-of-2147483647) does not exist: said at once.
    expect(expectCliError(r, 'io/not-found')).toContain('variables.data-00000-of-2147483647');
    expect(r.ms).toBeLessThan(30_000);
    const frozen = path.join(freshDir('frozen'), 'f.pb');
    expectCliError(await runCliOn([model], ['freeze', `--input_saved_model_dir=${model}`, `--output_graph=${frozen}`], 30_000), 'io/not-found');
    expect(fs.existsSync(frozen)).toBe(false);
    const optimized = path.join(freshDir('optimized'), 'out');
    const o = await runCliOn([model], ['optimize', model, optimized], 30_000);
    expect(expectCliError(o, 'io/not-found')).toContain('variables.data-00000-of-2147483647');
    expect(fs.existsSync(optimized)).toBe(false);
  }, 120_000);

  it('a string Const claiming 2^40 elements → a clear error, not "Invalid array length"', async () => {
    const b = graphBuilder();
    b.const('s', makeStringTensor([2 ** 20, 2 ** 20], ['x']));
    b.op('Identity', ['s'], { T: attr.type('string') }, 'y');
    const g = writeGraph(b.graph());
    expectCliError(await runCliOn([g], ['run', g]), 'runtime/too-large');
  });

  it('a numeric Const with one value declaring [2^20,2^20] → runtime/too-large', async () => {
    const b = graphBuilder();
    b.const('c', makeValueTensor('float', [2 ** 20, 2 ** 20], [1]));
    b.op('Identity', ['c'], F, 'y');
    const g = writeGraph(b.graph());
    expectCliError(await runCliOn([g], ['run', g]), 'runtime/too-large');
  });

  it('a Const with a negative dimension → graph/bad-tensor', async () => {
    const b = graphBuilder();
    b.const('c', makeValueTensor('float', [-5, 3], [1]));
    b.op('Identity', ['c'], F, 'y');
    const g = writeGraph(b.graph());
    expectCliError(await runCliOn([g], ['run', g]), 'graph/bad-tensor');
  });

  it('an .npy feed whose header declares 10^12 elements over 16 bytes of data → io/bad-length or io/truncated', async () => {
    let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000000,), }";
    while ((10 + header.length + 1) % 64 !== 0) header += ' ';
    header += '\n';
    const bytes = new Uint8Array(10 + header.length + 16);
    bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
    bytes.set(new TextEncoder().encode(header), 10);
    const f = writeTemp('big.npy', bytes);
    const b = graphBuilder();
    b.placeholder('x', 'float', [-1]);
    b.op('Identity', ['x'], F, 'y');
    const g = writeGraph(b.graph());
    const r = await runCliOn([g, f], ['run', g, '--input', `x=${f}`]);
    const line = expectCliError(r, r.stderr.includes('[io/truncated]') ? 'io/truncated' : 'io/bad-length');
    expect(line).toContain('big.npy');
  });
});

describe('the runtime has a tensor-size cap and a loop-iteration cap', () => {
  it('an outer product over the cap is refused before it is computed (runtime/too-large, maxTensorBytes)', async () => {
    const b = graphBuilder();
    b.placeholder('a', 'float', [-1, 1]);
    b.placeholder('b', 'float', [1, -1]);
    b.op('MatMul', ['a', 'b'], F, 'y');
    const feeds = { a: makeTensor('float', [20000, 1], new Float32Array(20000)), b: makeTensor('float', [1, 20000], new Float32Array(20000)) };
    const rss0 = process.memoryUsage().rss;
    await expect(runGraph(b.graph(), feeds, ['y'], { backend: 'cpu' })).rejects.toMatchObject({ code: 'runtime/too-large', node: 'y', param: 'maxTensorBytes' });
    expect(process.memoryUsage().rss - rss0).toBeLessThan(256 * 2 ** 20);
    // A lower cap refuses smaller tensors; the message gives sizes in words.
    const small = { a: makeTensor('float', [100, 1], new Float32Array(100)), b: makeTensor('float', [1, 100], new Float32Array(100)) };
    await expect(runGraph(b.graph(), small, ['y'], { backend: 'cpu', limits: { maxTensorBytes: 1000 } })).rejects.toMatchObject({
      code: 'runtime/too-large',
      message: expect.stringContaining('39.1 KiB'),
    });
    const [y] = await runGraph(b.graph(), small, ['y'], { backend: 'cpu', limits: { maxTensorBytes: 40_000 } });
    expect(y!.shape).toEqual([100, 100]);
  });

  it('a bad limit is an api/bad-argument', async () => {
    const b = graphBuilder();
    b.placeholder('a', 'float', [1]);
    await expect(runGraph(b.graph(), {}, ['a'], { limits: { maxTensorBytes: -1 } })).rejects.toMatchObject({ code: 'api/bad-argument', param: 'limits.maxTensorBytes' });
  });

  it('graft run --max_tensor_mb 1 refuses a 4 MB intermediate (runtime/too-large naming the flag)', async () => {
    const b = graphBuilder();
    b.placeholder('x', 'float', [1000, 1]);
    b.const('w', makeValueTensor('float', [1, 1000], [1]));
    b.op('MatMul', ['x', 'w'], F, 'y');
    const g = writeGraph(b.graph());
    const r = await runCliOn([g], ['run', g, '--max_tensor_mb', '1']);
    expectCliError(r, 'runtime/too-large');
    expect(r.stderr).toContain('--max_tensor_mb');
  });
});
