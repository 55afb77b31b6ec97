/**
 * Keeping the variables a graph writes: freezeMetaGraph(keepWrittenVariables) freezes only the
 * variables nothing writes, and addSaver gives the kept ones a TF1 saver and a checkpoint that a
 * loader (graft's own, through the restore op, as TF Serving does) reads back to the same values.
 */
import { describe, expect, it } from 'vitest';
import { attr } from '../../src/ir/attr';
import { makeTensor, tensorToNumbers } from '../../src/ir/tensor';
import { readCheckpoint, writeCheckpoint } from '../../src/io/checkpoint';
import { joinChunks } from '../../src/io/chunks';
import type { LoadedModel } from '../../src/io/model-files';
import { decodeSavedModel, encodeSavedModelChunks } from '../../src/io/saved-model';
import { freezeMetaGraph } from '../../src/freeze/freeze';
import { addSaver } from '../../src/freeze/add-saver';
import { writtenVariables } from '../../src/freeze/saver';
import { toSavedModel } from '../../src/freeze/to-saved-model';
import { savedModelVariables } from '../../src/runtime';
import { graphBuilder } from '../helpers/graph-builder';

const F = 1; // DT_FLOAT
const bytes = (v: number[]) => new Uint8Array(new Float32Array(v).buffer);

function model() {
  const b = graphBuilder();
  const float = attr.type('float');
  // A TF1 counter (ref variable), a resource variable written, and one only read.
  const c = b.op('VariableV2', [], { dtype: float, shape: attr.shape([]) }, 'counter');
  b.op('AssignAdd', [c, b.const('one', makeTensor('float', [], [1]))], { T: float }, 'incr');
  const u = b.op('VarHandleOp', [], { dtype: float, shape: attr.shape([2]), shared_name: attr.s('u') }, 'u');
  const w = b.op('VarHandleOp', [], { dtype: float, shape: attr.shape([2]), shared_name: attr.s('w') }, 'w');
  const rw = b.op('ReadVariableOp', [w], { dtype: float }, 'read_w');
  const set = b.op('AssignVariableOp', [u, rw], { dtype: float }, 'copy');
  const ru = b.op('ReadVariableOp', [u, `^${set}`], { dtype: float }, 'read_u');
  b.op('Mul', [ru, b.placeholder('x', 'float', [2])], { T: float }, 'y');
  const graph = b.graph();
  const ckpt = writeCheckpoint([
    { name: 'counter', dtype: F, shape: [], data: bytes([7]) },
    { name: 'u', dtype: F, shape: [2], data: bytes([0, 0]) },
    { name: 'w', dtype: F, shape: [2], data: bytes([3, 4]) },
  ]);
  return { graph, ckpt: readCheckpoint(ckpt.index, ckpt.shards) };
}

describe('keeping written variables', () => {
  it('finds the variables state-update ops write', () => {
    expect(writtenVariables(model().graph)).toEqual(['counter', 'u']);
  });

  it('freezes the read-only variable, keeps the written ones, and the saver restores them', async () => {
    const { graph, ckpt } = model();
    const mg = { tags: ['serve'], graph, signatures: {}, proto: {} };
    const frozen = await freezeMetaGraph(mg, ckpt, { outputNodeNames: ['incr', 'y', 'x'], keepWrittenVariables: true });
    expect(frozen.converted.map((v) => v.name)).toEqual(['w']);
    expect(frozen.kept.map((v) => [v.node, v.key, v.op])).toEqual([
      ['counter', 'counter', 'VariableV2'],
      ['u', 'u', 'VarHandleOp'],
    ]);
    expect(frozen.graph.nodes.find((n) => n.name === 'w')!.op).toBe('Const');
    // Without the option, freezing refuses the write (a frozen graph has nothing to write).
    await expect(freezeMetaGraph(mg, ckpt, { outputNodeNames: ['incr'] })).rejects.toThrow(/state update/);

    const saved = addSaver(frozen.graph, frozen.kept);
    const sm = await toSavedModel(saved.graph, { inputs: ['x'], outputs: ['incr', 'y'], saverDef: saved.saverDef });
    const decoded = decodeSavedModel(joinChunks(encodeSavedModelChunks(sm)));
    expect(decoded.metaGraphs[0]!.proto.saver_def).toMatchObject({ filename_tensor_name: 'save/Const:0', save_tensor_name: 'save/control_dependency:0', restore_op_name: 'save/restore_all', version: 2 });
    const ops = decoded.metaGraphs[0]!.graph.nodes.filter((n) => n.name.startsWith('save/')).map((n) => n.op);
    expect(ops).toEqual(expect.arrayContaining(['SaveV2', 'RestoreV2', 'Assign', 'AssignVariableOp', 'NoOp']));

    // A loader reads the checkpoint back through the restore op: same keys, same values.
    const files = saved.files;
    const back = readCheckpoint(files.get('variables/variables.index')!, [files.get('variables/variables.data-00000-of-00001')!]);
    expect([...back.entries.keys()].filter((k) => k !== '').sort()).toEqual(['counter', 'u']);
    const loaded: LoadedModel = { kind: 'saved-model', path: 'out', modelFile: 'saved_model.pb', format: 'binary', savedModel: decoded, fileBytes: 0, variables: { prefix: null, state: 'present', bytes: 0 }, assets: [] };
    const values = savedModelVariables(loaded, back);
    expect(tensorToNumbers(values.get('counter')!)).toEqual([7]);
    expect(tensorToNumbers(values.get('u')!)).toEqual([0, 0]);
  });
});
