/**
 * SaveV2 and MergeV2Checkpoints: a Saver's save path run into the session's file sink, never to
 * disk. The reference is TensorFlow itself: every SavedModel in ../shared/models holds a
 * checkpoint that TensorFlow wrote with the very save path graft runs here, so running it on the
 * values of that checkpoint must give the same tensors (and, where TensorFlow wrote one data file,
 * the same data bytes and the same index entries). Behaviour and error texts follow
 * save_restore_v2_ops.cc and tensor_bundle.cc (BundleWriter, MergeBundles).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GraftError } from '../../src/errors';
import { attr } from '../../src/ir/attr';
import { makeGraph } from '../../src/ir/graph';
import { makeNode } from '../../src/ir/node';
import { type Tensor, makeStringTensor, makeTensor, tensorBytes, tensorStrings } from '../../src/ir/tensor';
import { readCheckpoint, readCheckpointIndex } from '../../src/io/checkpoint';
import { readTable } from '../../src/io/checkpoint/sstable-reader';
import { type Checkpoint } from '../../src/io/checkpoint/bundle-format';
import { loadModel, readModelVariables } from '../../src/io/model-files';
import { createSession, memoryFiles, runGraph, savedModelVariables, variablesFromCheckpoint } from '../../src/runtime';
import { HAVE_MODELS, MODELS_DIR, SKIP_REASON } from '../helpers/models';
import { runCommand } from '../../src/cli/commands/run';

const OBJECT_GRAPH = '_CHECKPOINTABLE_OBJECT_GRAPH';
const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** The checkpoint at `prefix` among the sink's files (every shard its index names; crc32c checked). */
function sinkCheckpoint(files: Map<string, Uint8Array>, prefix: string): Checkpoint {
  const index = files.get(`${prefix}.index`);
  if (!index) throw new Error(`no ${prefix}.index in the sink: ${[...files.keys()].join(', ')}`);
  const { header } = readCheckpointIndex(index);
  const shards = Array.from({ length: header.numShards }, (_, i) => files.get(`${prefix}.data-${String(i).padStart(5, '0')}-of-${String(header.numShards).padStart(5, '0')}`));
  return readCheckpoint(index, shards, { file: `${prefix}.index` });
}

/** SavedModel folders with a saver and the variable data TensorFlow wrote. */
function savedModelsWithCheckpoints(): string[] {
  if (!HAVE_MODELS) return [];
  return readdirSync(MODELS_DIR)
    .filter((d) => existsSync(path.join(MODELS_DIR, d, 'variables', 'variables.index')))
    .filter((d) => readdirSync(path.join(MODELS_DIR, d, 'variables')).some((f) => f.startsWith('variables.data-')))
    .filter((d) => existsSync(path.join(MODELS_DIR, d, 'saved_model.pb')) || existsSync(path.join(MODELS_DIR, d, 'saved_model.pbtxt')))
    .sort();
}

const counts: string[] = [];
let identicalModels = 0;
let variablesCompared = 0;

describe.skipIf(!HAVE_MODELS)(`the save path of every SavedModel's saver writes the model's own checkpoint back (${HAVE_MODELS ? 'models present' : SKIP_REASON})`, () => {
  const models = savedModelsWithCheckpoints();

  it('finds them', () => {
    expect(models.length).toBeGreaterThanOrEqual(20);
  });

  for (const rel of models) {
    it(rel, async () => {
      const dir = path.join(MODELS_DIR, rel);
      const m = await loadModel(dir);
      if (m.kind !== 'saved-model') throw new Error('not a SavedModel');
      const mg = m.savedModel.metaGraphs[0]!;
      const saver = mg.proto.saver_def as { filename_tensor_name?: string; save_tensor_name?: string } | undefined;
      if (!saver?.filename_tensor_name || !saver.save_tensor_name) return; // a model without a saver (tfx_transform_fn)
      const tfCkpt = await readModelVariables(m);
      const sink = memoryFiles();
      const s = await createSession(mg.graph, { backend: 'cpu', variables: savedModelVariables(m, tfCkpt), ...sink });
      let out: Tensor[];
      try {
        out = await s.run({ [saver.filename_tensor_name]: makeStringTensor([], ['mem/ckpt/model']) }, [saver.save_tensor_name]);
      } finally {
        s.dispose();
      }
      // The save tensor is the prefix written (TF1: save/Identity or save/control_dependency; TF2: the save function's output).
      expect(new TextDecoder().decode(tensorStrings(out[0]!)[0]!)).toMatch(/^mem\/ckpt\/model/);
      // Only the destination's files are left: the shards' temporary files were moved and deleted.
      const keys = [...sink.files.keys()].sort();
      expect(keys.every((k) => k.startsWith('mem/ckpt/model.'))).toBe(true);
      const mine = sinkCheckpoint(sink.files, 'mem/ckpt/model');
      expect(keys).toEqual([...Array.from({ length: mine.header.numShards }, (_, i) => `mem/ckpt/model.data-${String(i).padStart(5, '0')}-of-${String(mine.header.numShards).padStart(5, '0')}`), 'mem/ckpt/model.index']);
      expect([...mine.entries.keys()]).toEqual([...tfCkpt.entries.keys()]);
      let compared = 0;
      for (const [name, want] of tfCkpt.entries) {
        const got = mine.entries.get(name)!;
        expect([name, got.dtype, got.shape]).toEqual([name, want.dtype, want.shape]);
        // The object graph is the save function's constant; TensorFlow's own save may have written a later one.
        if (name === OBJECT_GRAPH) continue;
        if (want.strings) expect(got.strings!.map((b) => [...b]), name).toEqual(want.strings.map((b) => [...b]));
        else expect(same(got.data!, want.data!), `${name}: bytes`).toBe(true);
        compared++;
        variablesCompared++;
      }
      // Where TensorFlow's save wrote the same object graph and as many data files, the bytes and index entries are TensorFlow's.
      const tfIndex = new Uint8Array(readFileSync(path.join(dir, 'variables', 'variables.index')));
      let identical = false;
      if (tfCkpt.header.numShards === mine.header.numShards) {
        const tfRows = readTable(tfIndex).filter((r) => new TextDecoder().decode(r.key) !== OBJECT_GRAPH);
        const myRows = readTable(sink.files.get('mem/ckpt/model.index')!).filter((r) => new TextDecoder().decode(r.key) !== OBJECT_GRAPH);
        const objectGraphSame = !tfCkpt.entries.has(OBJECT_GRAPH) || same(mine.entries.get(OBJECT_GRAPH)!.strings![0]!, tfCkpt.entries.get(OBJECT_GRAPH)!.strings![0]!);
        if (objectGraphSame) {
          expect(myRows.map((r) => [[...r.key], [...r.value]])).toEqual(tfRows.map((r) => [[...r.key], [...r.value]]));
          for (let i = 0; i < mine.header.numShards; i++) {
            const data = `data-${String(i).padStart(5, '0')}-of-${String(mine.header.numShards).padStart(5, '0')}`;
            expect(same(sink.files.get(`mem/ckpt/model.${data}`)!, new Uint8Array(readFileSync(path.join(dir, 'variables', `variables.${data}`)))), data).toBe(true);
          }
          identical = true;
          identicalModels++;
        }
      }
      counts.push(`${rel}: ${compared} variables equal${identical ? ', data file and index entries identical to TensorFlow\'s' : ''} (${mine.header.numShards} data file(s))`);
    }, 60_000);
  }

  it('the counts: every model\'s variables compared; 14 of them byte-identical to what TensorFlow wrote', () => {
    console.log(`save-kernels: SavedModel save paths run into memory: ${counts.length} models, ${variablesCompared} variables equal, ${identicalModels} with data and index entries identical to TensorFlow's\n${counts.join('\n')}`);
    expect(counts.length).toBe(24);
    expect(variablesCompared).toBe(143);
    expect(identicalModels).toBe(14);
  });
});

describe.skipIf(!HAVE_MODELS)('a TF1 checkpoint\'s unsharded Saver (tf2onnx_regression_checkpoint/model.meta)', () => {
  it('writes W and b as TensorFlow wrote them, into the sink; save/control_dependency gives the prefix', async () => {
    const dir = path.join(MODELS_DIR, 'tf2onnx_regression_checkpoint');
    const m = await loadModel(path.join(dir, 'model.meta'));
    if (m.kind !== 'meta-graph') throw new Error('not a meta graph');
    const saver = m.metaGraph.proto.saver_def as { filename_tensor_name: string; save_tensor_name: string; sharded?: boolean };
    expect(saver.save_tensor_name).toBe('save/control_dependency:0');
    const index = new Uint8Array(readFileSync(path.join(dir, 'model.index')));
    const data = new Uint8Array(readFileSync(path.join(dir, 'model.data-00000-of-00001')));
    const tfCkpt = readCheckpoint(index, [data]);
    const sink = memoryFiles();
    const [prefix] = await runGraph(m.metaGraph.graph, { [saver.filename_tensor_name]: makeStringTensor([], ['out/model']) }, [saver.save_tensor_name], { backend: 'cpu', variables: variablesFromCheckpoint(tfCkpt), ...sink });
    expect(tensorStrings(prefix!).map((b) => new TextDecoder().decode(b))).toEqual(['out/model']);
    expect([...sink.files.keys()].sort()).toEqual(['out/model.data-00000-of-00001', 'out/model.index']);
    expect(same(sink.files.get('out/model.data-00000-of-00001')!, data)).toBe(true);
    expect(readTable(sink.files.get('out/model.index')!).map((r) => [[...r.key], [...r.value]])).toEqual(readTable(index).map((r) => [[...r.key], [...r.value]]));
  });
});

describe.skipIf(!HAVE_MODELS)('the Saver\'s own restore reads back what its save wrote (serving_half_plus_two_cpu)', () => {
  it('save/Identity with the model\'s values, then the restore (save/Assign*) in a session whose variables are zeros: a = 0.5, b = 2, c = 3 again', async () => {
    const m = await loadModel(path.join(MODELS_DIR, 'serving_half_plus_two_cpu'));
    if (m.kind !== 'saved-model') throw new Error('not a SavedModel');
    const graph = m.savedModel.metaGraphs[0]!.graph;
    const variables = savedModelVariables(m, await readModelVariables(m));
    const sink = memoryFiles();
    const prefix = { 'save/Const:0': makeStringTensor([], ['mem/roundtrip']) };
    await runGraph(graph, prefix, ['save/Identity:0'], { backend: 'cpu', variables, ...sink });
    const zeros = new Map([...variables].map(([k, t]) => [k, makeTensor(t.dtype, t.shape, new Array<number>(t.shape.reduce((n, d) => n * d, 1)).fill(0))]));
    const s = await createSession(graph, { backend: 'cpu', variables: zeros, readFile: sink.readFile });
    try {
      expect(tensorBytes(s.readVariable('a')!)).toEqual(new Uint8Array(4));
      // The restore's assignments (save/restore_all is a NoOp over them; a run fetches tensors).
      const assigned = await s.run(prefix, ['save/Assign:0', 'save/Assign_1:0', 'save/Assign_2:0', 'save/Assign_3:0', 'save/Assign_4:0']);
      expect(assigned.map((t) => Array.from(new Float32Array(tensorBytes(t).slice().buffer)))).toEqual([[0.5], [0.5], [2], [3], [3]]);
      const read = (k: string) => Array.from(new Float32Array(tensorBytes(s.readVariable(k)!).slice().buffer));
      expect([read('a'), read('b'), read('c')]).toEqual([[0.5], [2], [3]]);
      expect(s.writtenVariables().sort()).toEqual([...variables.keys()].sort());
    } finally {
      s.dispose();
    }
  });
});

describe.skipIf(!HAVE_MODELS)('safety: the filename a graph is fed may be the user\'s own checkpoint', () => {
  it('with the model\'s own variables/ prefix fed, the files on disk are untouched; the sink holds the writes', async () => {
    const dir = path.join(MODELS_DIR, 'serving_half_plus_two_cpu');
    const prefix = path.join(dir, 'variables', 'variables');
    const before = readdirSync(path.join(dir, 'variables')).map((f) => [f, statSync(path.join(dir, 'variables', f)).mtimeMs, [...readFileSync(path.join(dir, 'variables', f))]]);
    const m = await loadModel(dir);
    if (m.kind !== 'saved-model') throw new Error('not a SavedModel');
    const mg = m.savedModel.metaGraphs[0]!;
    const sink = memoryFiles();
    await runGraph(mg.graph, { 'save/Const:0': makeStringTensor([], [prefix]) }, ['save/Identity:0'], { backend: 'cpu', variables: savedModelVariables(m, await readModelVariables(m)), ...sink });
    expect(sink.files.has(`${prefix}.index`)).toBe(true);
    const after = readdirSync(path.join(dir, 'variables')).map((f) => [f, statSync(path.join(dir, 'variables', f)).mtimeMs, [...readFileSync(path.join(dir, 'variables', f))]]);
    expect(after).toEqual(before);
  });

  it('without a sink: runtime/no-file-sink naming save/SaveV2, before any file is written', async () => {
    const m = await loadModel(path.join(MODELS_DIR, 'serving_half_plus_two_cpu'));
    if (m.kind !== 'saved-model') throw new Error('not a SavedModel');
    const run = runGraph(m.savedModel.metaGraphs[0]!.graph, { 'save/Const:0': makeStringTensor([], ['x/model']) }, ['save/control_dependency:0'], { backend: 'cpu', variables: savedModelVariables(m, await readModelVariables(m)) });
    await expect(run).rejects.toMatchObject({ code: 'runtime/no-file-sink', node: 'save/SaveV2', op: 'SaveV2' });
    await expect(run).rejects.toThrow(/Node 'save\/SaveV2' \(SaveV2\): cannot write 'x\/model_temp_[0-9a-f]+\/part-00000-of-00001\.data-00000-of-00001': this session was given no file sink/);
  });
});

describe.skipIf(!HAVE_MODELS)('graft run on a save path keeps the writes in memory and says so in one line', () => {
  it('fed the model\'s own variables/ prefix: exit 0, the prefix printed, one note naming the files kept in memory, the disk untouched', async () => {
    const dir = path.join(MODELS_DIR, 'serving_half_plus_two_cpu');
    const prefix = path.join(dir, 'variables', 'variables');
    const tmp = mkdtempSync(path.join(tmpdir(), 'graft-save-'));
    try {
      const feed = path.join(tmp, 'prefix.txt');
      writeFileSync(feed, prefix);
      const before = readdirSync(path.join(dir, 'variables')).map((f) => [f, statSync(path.join(dir, 'variables', f)).mtimeMs]);
      const out: string[] = [];
      const err: string[] = [];
      const code = await runCommand([dir, '--output', 'save/Identity:0', '--input', `save/Const=@${feed}`, '--backend', 'cpu'], { out: (t) => out.push(t), err: (t) => err.push(t), interactive: false });
      expect(code).toBe(0);
      expect(out.join('\n')).toContain(`"${prefix}"`);
      expect(err).toEqual([`note: the graph wrote 2 file(s), 205 bytes, kept in memory and not written to disk: ${prefix}.data-00000-of-00001, ${prefix}.index`]);
      expect(readdirSync(path.join(dir, 'variables')).map((f) => [f, statSync(path.join(dir, 'variables', f)).mtimeMs])).toEqual(before);
      expect(readdirSync(tmp)).toEqual(['prefix.txt']);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------- ops alone

const str = (v: string[]) => makeStringTensor([v.length], v);
const ph = (name: string, dtype = 'string') => makeNode({ name, op: 'Placeholder', attrs: { dtype: attr.type(dtype as never) } });

/** A graph: SaveV2(prefix, names, slices, values...) and RestoreV2(prefix, names, slices). */
function saveRestoreGraph(values: Tensor[]) {
  const consts = values.map((t, i) => makeNode({ name: `v${i}`, op: 'Const', attrs: { dtype: attr.type(t.dtype), value: attr.tensor(t) } }));
  const dtypes = attr.list({ type: values.map((t) => t.dtype) as never });
  return makeGraph([
    ph('prefix'), ph('names'), ph('slices'), ...consts,
    makeNode({ name: 'save', op: 'SaveV2', inputs: ['prefix', 'names', 'slices', ...consts.map((c) => c.name)], attrs: { dtypes } }),
    makeNode({ name: 'done', op: 'Identity', inputs: ['prefix', '^save'], attrs: { T: attr.type('string') } }),
    makeNode({ name: 'restore', op: 'RestoreV2', inputs: ['prefix', 'names', 'slices'], attrs: { dtypes } }),
    ph('prefixes'), ph('dest'),
    makeNode({ name: 'merge', op: 'MergeV2Checkpoints', inputs: ['prefixes', 'dest'], attrs: {} }),
    makeNode({ name: 'merged', op: 'Identity', inputs: ['dest', '^merge'], attrs: { T: attr.type('string') } }),
  ]);
}

describe('SaveV2 then RestoreV2 gives the tensors back', () => {
  const values: Tensor[] = [
    makeTensor('float', [2, 3], [1.5, -2, 0, Number.NaN, 3e38, -1e-45]),
    makeTensor('int64', [3], [2n ** 62n, -(2n ** 63n), 7n]),
    makeTensor('double', [], [Math.PI]),
    makeTensor('bool', [2], [true, false]),
    makeTensor('uint8', [0, 4], []),
    makeTensor('int32', [2, 2], [1, -1, 2 ** 31 - 1, -(2 ** 31)]),
    makeTensor('half', [2], [0x3c00, 0xc000]),
    makeStringTensor([3], ['', 'abc', new Uint8Array([0, 255, 10])]),
  ];
  const names = values.map((_, i) => `t${i}`);
  const g = saveRestoreGraph(values);

  it('every dtype, scalar and empty tensors included: restored equal (bytes, shape, dtype)', async () => {
    const sink = memoryFiles();
    const s = await createSession(g, { backend: 'cpu', ...sink });
    const feeds = { prefix: makeStringTensor([], ['ck/x']), names: str(names), slices: str(names.map(() => '')) };
    await s.run(feeds, ['done']);
    const restored = await s.run(feeds, names.map((_, i) => `restore:${i}`));
    s.dispose();
    restored.forEach((r, i) => {
      expect([r.dtype, r.shape]).toEqual([values[i]!.dtype, values[i]!.shape]);
      if (r.dtype === 'string') expect(tensorStrings(r).map((b) => [...b])).toEqual(tensorStrings(values[i]!).map((b) => [...b]));
      else expect([...tensorBytes(r)]).toEqual([...tensorBytes(values[i]!)]);
    });
    // BundleWriter's layout: one data file, data in the order given, index in key order.
    expect([...sink.files.keys()].sort()).toEqual(['ck/x.data-00000-of-00001', 'ck/x.index']);
    const ckpt = sinkCheckpoint(sink.files, 'ck/x');
    expect(ckpt.header.numShards).toBe(1);
    expect(ckpt.dataOrder).toEqual(names);
  });

  it('a full-tensor shape_and_slices entry saves the whole tensor; a part of one, a mismatch, a duplicate name and a missing tensor are refused as TensorFlow does', async () => {
    const one = saveRestoreGraph([makeTensor('float', [2, 3], [1, 2, 3, 4, 5, 6])]);
    const sink = memoryFiles();
    const feeds = (names: string[], slices: string[]) => ({ prefix: makeStringTensor([], ['p']), names: str(names), slices: str(slices) });
    await runGraph(one, feeds(['w'], ['2 3 -:0,3']), ['done'], { backend: 'cpu', ...sink });
    expect(sinkCheckpoint(sink.files, 'p').entries.get('w')!.shape).toEqual([2, 3]);
    await expect(runGraph(one, feeds(['w'], ['4 3 0,2:-']), ['done'], { backend: 'cpu', ...sink })).rejects.toThrow("saving a slice ('4 3 0,2:-') of 'w' is not supported");
    await expect(runGraph(one, feeds(['w'], ['2 4 -:-']), ['done'], { backend: 'cpu', ...sink })).rejects.toThrow('Slice in shape_and_slice specification does not match the shape of the tensor to  save: 2 4 -:-, tensor: [2,3]');
    await expect(runGraph(one, feeds(['w'], ['2 3']), ['done'], { backend: 'cpu', ...sink })).rejects.toThrow('This is not a valid shape and slice spec: "2 3"');
    await expect(runGraph(one, feeds(['w', 'v'], ['', '']), ['done'], { backend: 'cpu', ...sink })).rejects.toThrow('Got 2 tensor names but 1 tensors.');
    await expect(runGraph(one, feeds(['w'], ['', '']), ['done'], { backend: 'cpu', ...sink })).rejects.toThrow('tensor_names and shape_and_slices have different number of elements: 1 vs. 2');
    const two = saveRestoreGraph([makeTensor('float', [1], [1]), makeTensor('float', [1], [2])]);
    await expect(runGraph(two, feeds(['w', 'w'], ['', '']), ['done'], { backend: 'cpu', ...sink })).rejects.toThrow('Adding duplicate key: w');
    const badPrefix = { ...feeds(['w'], ['']), prefix: str(['a', 'b']) };
    await expect(runGraph(one, badPrefix, ['done'], { backend: 'cpu', ...sink })).rejects.toThrow('Input prefix should have a single element, got 2 instead.');
  });
});

describe('MergeV2Checkpoints (tensor_bundle.cc MergeBundles)', () => {
  const g = saveRestoreGraph([makeTensor('float', [2], [1, 2]), makeTensor('int32', [], [7])]);
  const save = async (sink: ReturnType<typeof memoryFiles>, prefix: string, names: string[]) =>
    runGraph(g, { prefix: makeStringTensor([], [prefix]), names: str(names), slices: str(names.map(() => '')) }, ['done'], { backend: 'cpu', ...sink });
  const merge = (sink: ReturnType<typeof memoryFiles>, prefixes: string[], dest: string, attrs: Record<string, boolean> = {}) => {
    const graph = attrs.allow === undefined ? g : makeGraph(g.nodes.map((n) => (n.name === 'merge' ? { ...n, attrs: { allow_missing_files: attr.b(attrs.allow) } } : n)));
    return runGraph(graph, { prefixes: str(prefixes), dest: makeStringTensor([], [dest]) }, ['merged'], { backend: 'cpu', ...sink });
  };

  it('two shards merge into one checkpoint of two data files, shard ids renumbered in order, the shards\' files gone', async () => {
    const sink = memoryFiles();
    await save(sink, 'tmp_temp_1/part-00000-of-00002', ['b', 'a']);
    await save(sink, 'tmp_temp_1/part-00001-of-00002', ['d', 'c']);
    const shard0 = sink.files.get('tmp_temp_1/part-00000-of-00002.data-00000-of-00001')!;
    const shard1 = sink.files.get('tmp_temp_1/part-00001-of-00002.data-00000-of-00001')!;
    const [out] = await merge(sink, ['tmp_temp_1/part-00000-of-00002', 'tmp_temp_1/part-00001-of-00002'], 'out/model');
    expect(tensorStrings(out!).map((b) => new TextDecoder().decode(b))).toEqual(['out/model']);
    expect([...sink.files.keys()].sort()).toEqual(['out/model.data-00000-of-00002', 'out/model.data-00001-of-00002', 'out/model.index']);
    expect(same(sink.files.get('out/model.data-00000-of-00002')!, shard0)).toBe(true);
    expect(same(sink.files.get('out/model.data-00001-of-00002')!, shard1)).toBe(true);
    const ckpt = sinkCheckpoint(sink.files, 'out/model');
    expect(ckpt.header.numShards).toBe(2);
    expect([...ckpt.entries.keys()]).toEqual(['a', 'b', 'c', 'd']);
    // b and d are the float [1, 2]; a and c the int32 7.
    expect(Array.from(new Float32Array(ckpt.entries.get('d')!.data!.slice().buffer))).toEqual([1, 2]);
    expect(Array.from(new Int32Array(ckpt.entries.get('a')!.data!.slice().buffer))).toEqual([7]);
    const shardOf = Object.fromEntries(readCheckpointIndex(sink.files.get('out/model.index')!).entries.map((e) => [e.name, e.shardId]));
    expect(shardOf).toEqual({ a: 0, b: 0, c: 1, d: 1 });
  });

  it('a missing prefix: refused unless allow_missing_files; none at all is refused; a key in two shards is refused', async () => {
    const sink = memoryFiles();
    await save(sink, 's0', ['x', 'y']);
    await expect(merge(sink, ['s0', 'nope'], 'out')).rejects.toThrow('allow_missing_files was set to false and nope did not exist.');
    await expect(merge(sink, ['nope'], 'out', { allow: true })).rejects.toThrow('At least one prefix checkpoint file must exist, but none existed.');
    await save(sink, 's1', ['x', 'z']);
    await expect(merge(sink, ['s0', 's1'], 'out')).rejects.toThrow('Duplicate tensor keyed by x encountered, when merging prefix: s1');
    await merge(sink, ['s0', 'nope'], 'out', { allow: true });
    expect([...sinkCheckpoint(sink.files, 'out').entries.keys()]).toEqual(['x', 'y']);
  });

  it('allow_missing_files skips only a missing index: one that exists but cannot be read fails', async () => {
    const written = memoryFiles();
    await save(written, 's0', ['x', 'y']);
    const denied = new GraftError('io/permission-denied', 'permission denied', { file: 'locked.index' });
    const sink = memoryFiles({ readFile: async (p) => (p === 'locked.index' ? Promise.reject(denied) : written.readFile(p)) });
    await expect(merge(sink, ['s0', 'locked'], 'out', { allow: true })).rejects.toThrow(/^Node 'merge' \(MergeV2Checkpoints\): permission denied$/);
    await merge(sink, ['s0', 'absent'], 'out', { allow: true });
    expect([...sinkCheckpoint(sink.files, 'out').entries.keys()]).toEqual(['x', 'y']);
  });

  it('without a sink: runtime/no-file-sink naming the merge node', async () => {
    const reader = memoryFiles();
    await save(reader, 's0', ['x', 'y']);
    const run = runGraph(g, { prefixes: str(['s0']), dest: makeStringTensor([], ['out']) }, ['merged'], { backend: 'cpu', readFile: reader.readFile });
    await expect(run).rejects.toMatchObject({ code: 'runtime/no-file-sink', node: 'merge', op: 'MergeV2Checkpoints' });
  });
});

describe('memoryFiles', () => {
  it('reads what it holds, then through its fallback; copies bytes in and out; deletes', async () => {
    const sink = memoryFiles({ readFile: async (p) => (p === 'disk' ? new Uint8Array([9]) : Promise.reject(new Error('no'))) });
    const bytes = new Uint8Array([1, 2]);
    sink.writeFile('a', bytes);
    bytes[0] = 5;
    expect([...(await sink.readFile('a'))]).toEqual([1, 2]);
    expect([...(await sink.readFile('disk'))]).toEqual([9]);
    sink.deleteFile('a');
    expect(sink.files.size).toBe(0);
    expect(() => sink.deleteFile('a')).toThrow("no file 'a' in memory");
    await expect(memoryFiles().readFile('a')).rejects.toMatchObject({ code: 'io/not-found', message: expect.stringMatching(/not a file the graph wrote.*no readFile was given/) });
  });
});
