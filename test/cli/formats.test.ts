/**
 * Files that are not TensorFlow graphs are named, not misparsed (issue #13): each format gets a
 * sentence saying what it is and what graft reads instead, exit 1, the documented hint, and no
 * stack trace. Each file is a small one the test makes with the format's real leading bytes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { writeCheckpoint } from '../../src/io/checkpoint';
import { useScratch } from '../helpers/scratch';

const { freshDir, writeTemp } = useScratch('graft-formats');
const STACK = /^\s+at .+[:(]/m;

async function summarize(target: string): Promise<{ code: number; err: string[] }> {
  const err: string[] = [];
  const code = await main(['summarize', target], { out: () => {}, err: (t) => void err.push(...t.split('\n').filter(Boolean)), interactive: false });
  return { code, err };
}

function expectNamed(r: { code: number; err: string[] }, code: string, what: RegExp): void {
  expect(r.code, r.err.join('\n')).toBe(1);
  expect(r.err[0]).toMatch(new RegExp(`^graft: error \\[${code}\\]: `));
  expect(r.err[0]).toMatch(what);
  expect(r.err[1]).toMatch(/^ {2}hint: /);
  expect(r.err.join('\n')).not.toMatch(STACK);
  expect(r.err.join('\n')).not.toMatch(/invalid wire type|index out of range/);
}

/** A zip local file header for `name` holding `data` stored (no compression). */
function zipEntry(name: string, data: Uint8Array): Uint8Array {
  const head = new Uint8Array(30 + name.length);
  const dv = new DataView(head.buffer);
  dv.setUint32(0, 0x04034b50, true);
  dv.setUint16(4, 20, true);
  dv.setUint32(18, data.length, true);
  dv.setUint32(22, data.length, true);
  dv.setUint16(26, name.length, true);
  head.set(new TextEncoder().encode(name), 30);
  const out = new Uint8Array(head.length + data.length);
  out.set(head);
  out.set(data, head.length);
  return out;
}

const NPY = new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0x76, 0, ...new TextEncoder().encode("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }".padEnd(117, ' ') + '\n'), 0, 0, 0x80, 0x3f]);

describe('other formats are named (graft summarize)', () => {
  it('a tfjs model.json (was: index out of range: 3 + 102 > 44)', async () => {
    const p = writeTemp('model.json', JSON.stringify({ format: 'graph-model', generatedBy: '2.11.0', modelTopology: { node: [] }, weightsManifest: [] }));
    expectNamed(await summarize(p), 'io/wrong-format', /model\.json is a TensorFlow\.js model .*graft reads TensorFlow GraphDef/);
  });

  it('a tfjs model directory', async () => {
    const dir = freshDir('tfjs');
    fs.writeFileSync(path.join(dir, 'model.json'), '{"modelTopology":{}}');
    fs.writeFileSync(path.join(dir, 'group1-shard1of1.bin'), new Uint8Array(8));
    expectNamed(await summarize(dir), 'io/wrong-format', /is a TensorFlow\.js model directory/);
  });

  it('a TFLite flatbuffer (was: invalid wire type 4)', async () => {
    const bytes = new Uint8Array(64);
    bytes.set([0x1c, 0, 0, 0, ...new TextEncoder().encode('TFL3')]);
    expectNamed(await summarize(writeTemp('model.tflite', bytes)), 'io/wrong-format', /is a TFLite flatbuffer/);
  });

  it('an ONNX model (was: invalid wire type 4)', async () => {
    // ModelProto: ir_version=7 (field 1), producer_name="tf2onnx" (field 2)
    const bytes = new Uint8Array([0x08, 0x07, 0x12, 0x07, ...new TextEncoder().encode('tf2onnx'), 0x3a, 0x00]);
    expectNamed(await summarize(writeTemp('model.onnx', bytes)), 'io/wrong-format', /is an ONNX model/);
    expectNamed(await summarize(writeTemp('renamed.pb', bytes)), 'io/wrong-format', /is an ONNX model/);
  });

  it('a Keras HDF5 file (was: an empty GraphDef, exit 0)', async () => {
    const bytes = new Uint8Array(512);
    bytes.set([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
    expectNamed(await summarize(writeTemp('model.h5', bytes)), 'io/wrong-format', /is a Keras\/HDF5 file/);
  });

  it('a Keras 3 .keras archive', async () => {
    const bytes = zipEntry('config.json', new TextEncoder().encode('{}'));
    expectNamed(await summarize(writeTemp('model.keras', bytes)), 'io/wrong-format', /is a Keras 3 archive/);
  });

  it('a numpy .npz archive and a .npy array', async () => {
    expectNamed(await summarize(writeTemp('data.npz', zipEntry('x.npy', NPY))), 'io/wrong-format', /is a numpy archive \(\.npz\)/);
    expectNamed(await summarize(writeTemp('x.npy', NPY)), 'io/wrong-format', /is a numpy array .*--input/);
  });

  it('a checkpoint prefix, its .index, and a checkpoint directory (was: a bare "no such file")', async () => {
    const dir = freshDir('ckpt');
    const prefix = path.join(dir, 'model.ckpt-1000');
    const files = writeCheckpoint([{ name: 'w', dtype: 1, shape: [2], data: new Uint8Array(new Float32Array([1, 2]).buffer) }]);
    fs.writeFileSync(`${prefix}.index`, files.index);
    fs.writeFileSync(`${prefix}.data-00000-of-00001`, files.shards[0]!);
    fs.writeFileSync(path.join(dir, 'checkpoint'), 'model_checkpoint_path: "model.ckpt-1000"\n');
    expectNamed(await summarize(prefix), 'io/wrong-format', /is a checkpoint prefix .*no \.meta graph/);
    expectNamed(await summarize(`${prefix}.index`), 'io/wrong-format', /is a TensorFlow checkpoint index/);
    expectNamed(await summarize(dir), 'io/wrong-format', /is a TensorFlow checkpoint directory/);
    expectNamed(await summarize(path.join(dir, 'checkpoint')), 'io/wrong-format', /checkpoint state file/);
  });

  it('an empty file, and bytes that decode as a GraphDef with no nodes', async () => {
    expectNamed(await summarize(writeTemp('empty.pb', new Uint8Array(0))), 'io/truncated', /empty\.pb is empty \(0 bytes\)/);
    // a GraphDef holding only `versions { producer: 27 }`
    expectNamed(await summarize(writeTemp('bare.pb', new Uint8Array([0x22, 0x02, 0x08, 0x1b]))), 'io/unknown-format', /decodes as a GraphDef with no nodes/);
  });

  it('an HTML page saved as a .pb', async () => {
    expectNamed(await summarize(writeTemp('model.pb', '<!DOCTYPE html><html><body>404</body></html>')), 'io/wrong-format', /is an HTML page/);
  });
});
