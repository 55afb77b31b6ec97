/**
 * A TF 2.x Keras `LSTM(units, return_sequences=True)` SavedModel, laid out as TensorFlow exports
 * it, built here with graft's own writers (no TensorFlow involved):
 *
 * - main graph: `VarHandleOp` variables (`lstm/lstm_cell/kernel`, `.../recurrent_kernel`,
 *   `.../bias`), the `serving_default_input_1` placeholder, a `StatefulPartitionedCall` into
 *   `__inference_signature_wrapper`, which calls the layer function;
 * - the layer function reads the variables (`ReadVariableOp`), builds the zero initial states
 *   (`Shape` → `StridedSlice` → `Pack` → `Fill`) and calls `standard_lstm` (`PartitionedCall`);
 * - `standard_lstm` transposes to time-major, unstacks the input with `TensorListFromTensor`,
 *   reserves the output list with `TensorListReserve`, runs a `While` (loop counter,
 *   `maximum_iterations` from `Max`, time, output list, h, c, then the captures: time steps,
 *   input list, kernel, recurrent kernel, bias) whose body reads `TensorListGetItem`, computes
 *   `z = x·W + h·U + b`, splits it into the gates i, f, c, o (Keras's order), and writes
 *   `TensorListSetItem`; after the loop `TensorListStack`, the last step, and the transpose back;
 * - a SavedObjectGraph (`layer_with_weights-0/cell/kernel`, ...) and a checkpoint with its
 *   `_CHECKPOINTABLE_OBJECT_GRAPH`, written by graft's checkpoint writer.
 *
 * It must freeze, optimize (with the verification passing) and run, and give the LSTM equations
 * computed here in float64 from the same weights (an independent reference) within 1e-5.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attr, type AttrValue } from '../../src/ir/attr';
import { type DType, dtypeToEnum } from '../../src/ir/dtype';
import type { FunctionDef, Graph } from '../../src/ir/graph';
import { makeNode, type Node } from '../../src/ir/node';
import { makeTensor, tensorBytes, tensorToNumbers, type Tensor } from '../../src/ir/tensor';
import { graphBuilder } from '../../src/ir/builder';
import { type CheckpointEntryInput } from '../../src/io/checkpoint';
import { writeCheckpointFiles } from '../../src/io/checkpoint/bundle-files';
import { loadModel, saveSavedModel } from '../../src/io/model-files';
import type { MetaGraph, SavedModelProto } from '../../src/io/saved-model';
import { encodeMessage } from '../../src/proto';
import { freezeModel } from '../../src/freeze/freeze-files';
import { runGraph } from '../../src/runtime';
import { optimize } from '../../src/workflow/optimize-files';
import { optimizeCommand } from '../../src/cli/commands/optimize';

const BATCH = 2;
const STEPS = 5;
const FEATURES = 3;
const UNITS = 4;

/** Deterministic pseudo-random floats in [-1, 1), rounded to float32 as the model holds them. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.fround(s / 2 ** 31 - 1);
  };
}

const rand = seeded(7);
const KERNEL = Array.from({ length: FEATURES * 4 * UNITS }, () => Math.fround(rand() * 0.8));
const RECURRENT = Array.from({ length: UNITS * 4 * UNITS }, () => Math.fround(rand() * 0.8));
const BIAS = Array.from({ length: 4 * UNITS }, (_, i) => Math.fround(rand() * 0.3 + (i >= UNITS && i < 2 * UNITS ? 1 : 0))); // unit_forget_bias
const INPUT = Array.from({ length: BATCH * STEPS * FEATURES }, () => rand());

/** The LSTM equations (Keras's gate order i, f, c, o), in float64: [batch, steps, units]. */
function referenceLstm(x: readonly number[]): number[] {
  const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
  const out: number[] = [];
  for (let b = 0; b < BATCH; b++) {
    let h = new Array<number>(UNITS).fill(0);
    let c = new Array<number>(UNITS).fill(0);
    for (let t = 0; t < STEPS; t++) {
      const z = new Array<number>(4 * UNITS).fill(0);
      for (let j = 0; j < 4 * UNITS; j++) {
        let s = BIAS[j]!;
        for (let k = 0; k < FEATURES; k++) s += x[(b * STEPS + t) * FEATURES + k]! * KERNEL[k * 4 * UNITS + j]!;
        for (let k = 0; k < UNITS; k++) s += h[k]! * RECURRENT[k * 4 * UNITS + j]!;
        z[j] = s;
      }
      const nextC = new Array<number>(UNITS);
      const nextH = new Array<number>(UNITS);
      for (let u = 0; u < UNITS; u++) {
        const i = sigmoid(z[u]!);
        const f = sigmoid(z[UNITS + u]!);
        const g = Math.tanh(z[2 * UNITS + u]!);
        const o = sigmoid(z[3 * UNITS + u]!);
        nextC[u] = f * c[u]! + i * g;
        nextH[u] = o * Math.tanh(nextC[u]!);
      }
      c = nextC;
      h = nextH;
      out.push(...h);
    }
  }
  return out;
}

// ---- the SavedModel ---------------------------------------------------------------------------

const DT = { float: 1, int32: 3, bool: 10, resource: 20, variant: 21 } as const;
const t = (d: DType) => attr.type(d);
const types = (...ds: DType[]) => attr.list({ type: ds });
const i32 = (shape: number[], v: number[]) => makeTensor('int32', shape, v);
const f32 = (shape: number[], v: number[]) => makeTensor('float', shape, v);

/** Function-body node helpers: `const_`, `op`. */
function body() {
  const nodes: Node[] = [];
  return {
    nodes,
    const_(name: string, value: Tensor): string {
      nodes.push(makeNode({ name, op: 'Const', attrs: { dtype: t(value.dtype), value: attr.tensor(value) } }));
      return `${name}:output:0`;
    },
    op(name: string, op: string, inputs: string[], attrs: Record<string, AttrValue>, out = 'output'): string {
      nodes.push(makeNode({ name, op, inputs, attrs }));
      return `${name}:${out}:0`;
    },
  };
}

const arg = (name: string, type: number) => ({ name, type });
const fn = (name: string, inputs: { name: string; type: number }[], outputs: { name: string; type: number }[], b: ReturnType<typeof body>, ret: Record<string, string>, attrs: Record<string, AttrValue> = {}): FunctionDef => ({
  signature: { name, input_arg: inputs, output_arg: outputs },
  attrs,
  nodes: b.nodes,
  ret,
  controlRet: {},
});

/** The 11 loop variables of Keras's `while_v2` loop, as the body and cond functions name them. */
const LOOP_ARGS = [
  arg('while_loop_counter', DT.int32),
  arg('while_maximum_iterations', DT.int32),
  arg('placeholder', DT.int32),
  arg('placeholder_1', DT.variant),
  arg('placeholder_2', DT.float),
  arg('placeholder_3', DT.float),
  arg('while_strided_slice_0', DT.int32),
  arg('while_tensorarrayv2read_tensorlistgetitem_tensorlistfromtensor_0', DT.variant),
  arg('while_matmul_kernel_0', DT.float),
  arg('while_matmul_1_recurrent_kernel_0', DT.float),
  arg('while_biasadd_bias_0', DT.float),
];
const LOOP_TYPES: DType[] = ['int32', 'int32', 'int32', 'variant', 'float', 'float', 'int32', 'variant', 'float', 'float', 'float'];

function whileCond(): FunctionDef {
  const b = body();
  const less = b.op('Less', 'Less', ['placeholder', 'while_strided_slice_0'], { T: t('int32') }, 'z');
  const less1 = b.op('Less_1', 'Less', ['while_loop_counter', 'while_maximum_iterations'], { T: t('int32') }, 'z');
  const and = b.op('LogicalAnd', 'LogicalAnd', [less1, less], {}, 'z');
  const id = b.op('Identity', 'Identity', [and], { T: t('bool') });
  return fn('while_cond_700', LOOP_ARGS, [arg('identity', DT.bool)], b, { identity: id });
}

function whileBody(): FunctionDef {
  const b = body();
  const F = { T: t('float') };
  const es = b.const_('TensorArrayV2Read/Const', i32([2], [-1, FEATURES]));
  const x = b.op('TensorArrayV2Read/TensorListGetItem', 'TensorListGetItem', ['while_tensorarrayv2read_tensorlistgetitem_tensorlistfromtensor_0', 'placeholder', es], { element_dtype: t('float') }, 'item');
  const mm = b.op('MatMul', 'MatMul', [x, 'while_matmul_kernel_0'], { ...F, transpose_a: attr.b(false), transpose_b: attr.b(false) }, 'product');
  const mm1 = b.op('MatMul_1', 'MatMul', ['placeholder_2', 'while_matmul_1_recurrent_kernel_0'], { ...F, transpose_a: attr.b(false), transpose_b: attr.b(false) }, 'product');
  const add = b.op('add', 'AddV2', [mm, mm1], F, 'z');
  const biased = b.op('BiasAdd', 'BiasAdd', [add, 'while_biasadd_bias_0'], { ...F, data_format: attr.s('NHWC') });
  const dim = b.const_('split/split_dim', i32([], [1]));
  b.op('split', 'Split', [dim, biased], { ...F, num_split: attr.i(4) });
  const gate = (k: number) => `split:output:${k}`;
  const i = b.op('Sigmoid', 'Sigmoid', [gate(0)], F, 'y');
  const f = b.op('Sigmoid_1', 'Sigmoid', [gate(1)], F, 'y');
  const fc = b.op('mul', 'Mul', [f, 'placeholder_3'], F, 'z');
  const g = b.op('Tanh', 'Tanh', [gate(2)], F, 'y');
  const ig = b.op('mul_1', 'Mul', [i, g], F, 'z');
  const c = b.op('add_1', 'AddV2', [fc, ig], F, 'z');
  const o = b.op('Sigmoid_2', 'Sigmoid', [gate(3)], F, 'y');
  const tc = b.op('Tanh_1', 'Tanh', [c], F, 'y');
  const h = b.op('mul_2', 'Mul', [o, tc], F, 'z');
  const written = b.op('TensorArrayV2Write/TensorListSetItem', 'TensorListSetItem', ['placeholder_1', 'placeholder', h], { element_dtype: t('float') }, 'output_handle');
  const one = b.const_('add_2/y', i32([], [1]));
  const time = b.op('add_2', 'AddV2', ['placeholder', one], { T: t('int32') }, 'z');
  const one1 = b.const_('add_3/y', i32([], [1]));
  const counter = b.op('add_3', 'AddV2', ['while_loop_counter', one1], { T: t('int32') }, 'z');
  const ids = [counter, 'while_maximum_iterations', time, written, h, c].map((v, k) =>
    b.op(k === 0 ? 'Identity' : `Identity_${k}`, 'Identity', [v], { T: t(LOOP_TYPES[k]!) }),
  );
  const outs = LOOP_ARGS.map((a, k) => arg(k === 0 ? 'identity' : `identity_${k}`, a.type));
  const ret: Record<string, string> = {};
  outs.forEach((o, k) => (ret[o.name] = k < ids.length ? ids[k]! : LOOP_ARGS[k]!.name));
  return fn('while_body_701', LOOP_ARGS, outs, b, ret);
}

function standardLstm(): FunctionDef {
  const b = body();
  const perm = b.const_('transpose/perm', i32([3], [1, 0, 2]));
  const xt = b.op('transpose', 'Transpose', ['inputs', perm], { T: t('float'), Tperm: t('int32') }, 'y');
  const shape = b.op('Shape', 'Shape', [xt], { T: t('float'), out_type: t('int32') });
  const slice = (name: string, input: string, begin: number, end: number, dtype: DType) =>
    b.op(name, 'StridedSlice', [input, b.const_(`${name}/stack`, i32([1], [begin])), b.const_(`${name}/stack_1`, i32([1], [end])), b.const_(`${name}/stack_2`, i32([1], [1]))], {
      T: t(dtype),
      Index: t('int32'),
      begin_mask: attr.i(0),
      end_mask: attr.i(0),
      ellipsis_mask: attr.i(0),
      new_axis_mask: attr.i(0),
      shrink_axis_mask: attr.i(1),
    });
  const steps = slice('strided_slice', shape, 0, 1, 'int32');
  const L = { element_dtype: t('float'), shape_type: t('int32') };
  // The input TensorArray: reserved, then replaced by the unstacked list (as Keras's graph has it).
  b.op('TensorArrayV2', 'TensorListReserve', [b.const_('TensorArrayV2/element_shape', i32([], [-1])), steps], L, 'handle');
  const inputList = b.op('TensorArrayUnstack/TensorListFromTensor', 'TensorListFromTensor', [xt, b.const_('TensorArrayUnstack/TensorListFromTensor/element_shape', i32([2], [-1, FEATURES]))], L, 'output_handle');
  const outputList = b.op('TensorArrayV2_1', 'TensorListReserve', [b.const_('TensorArrayV2_1/element_shape', i32([2], [-1, UNITS])), steps], L, 'handle');
  const time = b.const_('time', i32([], [0]));
  const maxIter = b.op('Max', 'Max', [b.const_('Const', i32([], [STEPS])), b.const_('Const_1', i32([0], []))], { T: t('int32'), Tidx: t('int32'), keep_dims: attr.b(false) });
  const counter = b.const_('while/loop_counter', i32([], [0]));
  b.op('while', 'While', [counter, maxIter, time, outputList, 'init_h', 'init_c', steps, inputList, 'kernel', 'recurrent_kernel', 'bias'], {
    T: types(...LOOP_TYPES),
    cond: attr.func('while_cond_700'),
    body: attr.func('while_body_701'),
    parallel_iterations: attr.i(32),
    _num_original_outputs: attr.i(11),
    _lower_using_switch_merge: attr.b(true),
  });
  const stacked = b.op('TensorArrayV2Stack/TensorListStack', 'TensorListStack', ['while:output:3', b.const_('TensorArrayV2Stack/TensorListStack/element_shape', i32([2], [-1, UNITS]))], { element_dtype: t('float'), num_elements: attr.i(-1) }, 'tensor');
  const last = slice('strided_slice_2', stacked, -1, 0, 'float');
  const back = b.op('transpose_1', 'Transpose', [stacked, b.const_('transpose_1/perm', i32([3], [1, 0, 2]))], { T: t('float'), Tperm: t('int32') }, 'y');
  const runtime = b.const_('runtime', f32([], [1]));
  const ids = [last, back, 'while:output:4', 'while:output:5', runtime].map((v, k) => b.op(k === 0 ? 'Identity' : `Identity_${k}`, 'Identity', [v], { T: t('float') }));
  const names = ['identity', 'identity_1', 'identity_2', 'identity_3', 'identity_4'];
  return fn(
    '__inference_standard_lstm_800',
    ['inputs', 'init_h', 'init_c', 'kernel', 'recurrent_kernel', 'bias'].map((n) => arg(n, DT.float)),
    names.map((n) => arg(n, DT.float)),
    b,
    Object.fromEntries(names.map((n, k) => [n, ids[k]!])),
    { api_implements: attr.s('lstm_3f6c9a3e-0c1b-4f2b-9d35-2c9bd3b1a5f1'), api_preferred_device: attr.s('CPU'), go_backwards: attr.b(false), time_major: attr.b(false) },
  );
}

function layerFunction(): FunctionDef {
  const b = body();
  const shape = b.op('lstm/Shape', 'Shape', ['input_1'], { T: t('float'), out_type: t('int32') });
  const batch = b.op('lstm/strided_slice', 'StridedSlice', [shape, b.const_('lstm/strided_slice/stack', i32([1], [0])), b.const_('lstm/strided_slice/stack_1', i32([1], [1])), b.const_('lstm/strided_slice/stack_2', i32([1], [1]))], {
    T: t('int32'),
    Index: t('int32'),
    shrink_axis_mask: attr.i(1),
  });
  const zeros = (name: string) => {
    const packed = b.op(`${name}/packed`, 'Pack', [batch, b.const_(`${name}/packed/1`, i32([], [UNITS]))], { T: t('int32'), N: attr.i(2), axis: attr.i(0) });
    return b.op(name, 'Fill', [packed, b.const_(`${name}/Const`, f32([], [0]))], { T: t('float'), index_type: t('int32') });
  };
  const h0 = zeros('lstm/zeros');
  const c0 = zeros('lstm/zeros_1');
  const reads = ['lstm_read_readvariableop_resource', 'lstm_read_1_readvariableop_resource', 'lstm_read_2_readvariableop_resource'].map((r, k) => {
    const read = b.op(`lstm/Read${k ? `_${k}` : ''}/ReadVariableOp`, 'ReadVariableOp', [r], { dtype: t('float') }, 'value');
    return b.op(`lstm/Identity${k ? `_${k}` : ''}`, 'Identity', [read], { T: t('float') });
  });
  b.op('lstm/PartitionedCall', 'PartitionedCall', ['input_1', h0, c0, ...reads], {
    Tin: types('float', 'float', 'float', 'float', 'float', 'float'),
    Tout: types('float', 'float', 'float', 'float', 'float'),
    f: attr.func('__inference_standard_lstm_800'),
    config: attr.s(''),
    config_proto: attr.s(''),
    executor_type: attr.s(''),
  });
  b.nodes.push(makeNode({ name: 'NoOp', op: 'NoOp', inputs: ['^lstm/Read/ReadVariableOp', '^lstm/Read_1/ReadVariableOp', '^lstm/Read_2/ReadVariableOp'] }));
  const out = b.op('Identity', 'Identity', ['lstm/PartitionedCall:output:1', '^NoOp'], { T: t('float') });
  return fn(
    '__inference__wrapped_model_900',
    [arg('input_1', DT.float), arg('lstm_read_readvariableop_resource', DT.resource), arg('lstm_read_1_readvariableop_resource', DT.resource), arg('lstm_read_2_readvariableop_resource', DT.resource)],
    [arg('identity', DT.float)],
    b,
    { identity: out },
  );
}

function signatureWrapper(): FunctionDef {
  const b = body();
  b.op('StatefulPartitionedCall', 'StatefulPartitionedCall', ['input_1', 'unknown', 'unknown_0', 'unknown_1'], {
    Tin: types('float', 'resource', 'resource', 'resource'),
    Tout: types('float'),
    f: attr.func('__inference__wrapped_model_900'),
    _read_only_resource_inputs: attr.list({ i: [1, 2, 3] }),
    config: attr.s(''),
    config_proto: attr.s(''),
    executor_type: attr.s(''),
  });
  const out = b.op('Identity', 'Identity', ['StatefulPartitionedCall:output:0', '^StatefulPartitionedCall'], { T: t('float') });
  return fn(
    '__inference_signature_wrapper_1000',
    [arg('input_1', DT.float), arg('unknown', DT.resource), arg('unknown_0', DT.resource), arg('unknown_1', DT.resource)],
    [arg('identity', DT.float)],
    b,
    { identity: out },
  );
}

const VARIABLES = [
  { name: 'lstm/lstm_cell/kernel', child: 'kernel', shape: [FEATURES, 4 * UNITS], values: KERNEL },
  { name: 'lstm/lstm_cell/recurrent_kernel', child: 'recurrent_kernel', shape: [UNITS, 4 * UNITS], values: RECURRENT },
  { name: 'lstm/lstm_cell/bias', child: 'bias', shape: [4 * UNITS], values: BIAS },
];
const ckptKey = (child: string) => `layer_with_weights-0/cell/${child}/.ATTRIBUTES/VARIABLE_VALUE`;

function buildKerasLstm(): { savedModel: SavedModelProto; checkpoint: CheckpointEntryInput[] } {
  const g = graphBuilder();
  for (const v of VARIABLES) {
    g.op('VarHandleOp', [], { dtype: t('float'), shape: attr.shape(v.shape), shared_name: attr.s(v.name), container: attr.s(''), allowed_devices: attr.list({}) }, v.name);
    g.op('ReadVariableOp', [v.name], { dtype: t('float') }, `${v.name}/Read/ReadVariableOp`);
  }
  g.placeholder('serving_default_input_1', 'float', [-1, STEPS, FEATURES]);
  g.op('StatefulPartitionedCall', ['serving_default_input_1', ...VARIABLES.map((v) => v.name)], {
    Tin: types('float', 'resource', 'resource', 'resource'),
    Tout: types('float'),
    f: attr.func('__inference_signature_wrapper_1000'),
    _read_only_resource_inputs: attr.list({ i: [1, 2, 3] }),
    config: attr.s(''),
    config_proto: attr.s(''),
    executor_type: attr.s(''),
  }, 'StatefulPartitionedCall');
  g.op('NoOp', [], {}, 'NoOp');
  const graph: Graph = g.graph({
    library: { functions: [signatureWrapper(), layerFunction(), standardLstm(), whileCond(), whileBody()] },
    versions: { producer: 1286, minConsumer: 12, badConsumers: [] },
  });

  // Object ids 0..6 are shared by the SavedObjectGraph and the checkpoint's TrackableObjectGraph.
  const user = (identifier: string) => ({ identifier, version: { producer: 1, min_consumer: 1 } });
  const children = (...c: [number, string][]) => c.map(([node_id, local_name]) => ({ node_id, local_name }));
  const savedObjects = [
    { children: children([1, 'layer_with_weights-0'], [2, 'layer-0'], [1, 'layer-1'], [7, 'signatures']), user_object: user('_tf_keras_sequential') },
    { children: children([3, 'cell']), user_object: user('_tf_keras_rnn_layer') },
    { user_object: user('_tf_keras_input_layer') },
    { children: children([4, 'kernel'], [5, 'recurrent_kernel'], [6, 'bias']), user_object: user('_tf_keras_layer') },
    ...VARIABLES.map((v) => ({ variable: { dtype: dtypeToEnum('float'), shape: { dim: v.shape.map((size) => ({ size })) }, trainable: true, name: v.name } })),
    { children: children([8, 'serving_default']), user_object: user('signature_map') },
    { bare_concrete_function: { concrete_function_name: '__inference_signature_wrapper_1000', argument_keywords: ['input_1'], allowed_positional_arguments: 0 } },
  ];
  const trackable = {
    nodes: savedObjects.slice(0, 7).map((o, id) => ({
      children: (o as { children?: unknown[] }).children?.filter((c) => (c as { node_id: number }).node_id < 7) ?? [],
      ...(id >= 4 ? { attributes: [{ name: 'VARIABLE_VALUE', full_name: VARIABLES[id - 4]!.name, checkpoint_key: ckptKey(VARIABLES[id - 4]!.child) }] } : {}),
    })),
  };
  const metaGraph: MetaGraph = {
    tags: ['serve'],
    graph,
    signatures: {
      serving_default: {
        methodName: 'tensorflow/serving/predict',
        inputs: { input_1: { name: 'serving_default_input_1:0', dtype: 'float', shape: { dims: [-1, STEPS, FEATURES], unknownRank: false }, encoding: 'name' } },
        outputs: { lstm: { name: 'StatefulPartitionedCall:0', dtype: 'float', shape: { dims: [-1, STEPS, UNITS], unknownRank: false }, encoding: 'name' } },
      },
      __saved_model_init_op: {
        methodName: '',
        inputs: {},
        outputs: { __saved_model_init_op: { name: 'NoOp', dtype: 'invalid', shape: { dims: [], unknownRank: true }, encoding: 'name' } },
      },
    },
    proto: {
      meta_info_def: { tags: ['serve'], tensorflow_version: '2.11.0', tensorflow_git_version: 'graft-test', stripped_default_attrs: true },
      object_graph_def: { nodes: savedObjects, concrete_functions: { __inference_signature_wrapper_1000: { bound_inputs: [4, 5, 6] } } },
    },
  };
  const checkpoint: CheckpointEntryInput[] = [
    ...VARIABLES.map((v) => ({ name: ckptKey(v.child), dtype: dtypeToEnum('float'), shape: v.shape, data: tensorBytes(makeTensor('float', v.shape, v.values)) })),
    { name: '_CHECKPOINTABLE_OBJECT_GRAPH', dtype: dtypeToEnum('string'), shape: [], strings: [encodeMessage('tensorflow.TrackableObjectGraph', trackable)] },
  ];
  return { savedModel: { schemaVersion: 1, metaGraphs: [metaGraph] }, checkpoint };
}

// ---- the tests --------------------------------------------------------------------------------

let tmp: string;
let modelDir: string;
const input = makeTensor('float', [BATCH, STEPS, FEATURES], INPUT);
const expected = referenceLstm(INPUT);

function expectClose(actual: Tensor, what: string): void {
  expect(actual.shape, what).toEqual([BATCH, STEPS, UNITS]);
  const got = tensorToNumbers(actual);
  let worst = 0;
  got.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - expected[i]!))));
  expect(worst, `${what}: max |graft - float64 LSTM equations|`).toBeLessThanOrEqual(1e-5);
  // For the record (run this file alone to see it).
  console.log(`keras-lstm-tf2: ${what}: max |graft - float64 LSTM equations| = ${worst.toExponential(2)} over ${got.length} outputs`);
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'graft-keras-lstm-'));
  modelDir = path.join(tmp, 'keras_lstm');
  const { savedModel, checkpoint } = buildKerasLstm();
  const staging = path.join(tmp, 'staging');
  await writeCheckpointFiles(path.join(staging, 'variables'), checkpoint);
  await saveSavedModel(modelDir, savedModel, { variablesFrom: path.join(staging, 'variables') });
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('a TF 2.x Keras LSTM SavedModel (While + TensorLists, resource variables)', () => {
  it('the reference is not trivial: the outputs move with time and differ between the batch rows', () => {
    expect(new Set(expected.map((v) => v.toFixed(4))).size).toBeGreaterThan(BATCH * STEPS * UNITS - 4);
    expect(Math.max(...expected.map(Math.abs))).toBeGreaterThan(0.1);
  });

  it('runs unfrozen, with its variables read from the checkpoint through the object graph', async () => {
    const model = await loadModel(modelDir);
    if (model.kind !== 'saved-model') throw new Error('expected a SavedModel');
    const { readModelVariables } = await import('../../src/io/model-files');
    const { savedModelVariables } = await import('../../src/runtime');
    const variables = savedModelVariables(model, await readModelVariables(model));
    for (const v of VARIABLES) expect(tensorToNumbers(variables.get(v.name)!), v.name).toEqual(v.values);
    const [out] = await runGraph(model.savedModel.metaGraphs[0]!.graph, { 'serving_default_input_1:0': input }, ['StatefulPartitionedCall:0'], { variables });
    expectClose(out!, 'unfrozen SavedModel');
  });

  it('freezes: the variables become constants, the While and its TensorList body functions stay, and it runs', async () => {
    const r = await freezeModel(modelDir);
    expect(r.converted.map((c) => c.name).sort()).toEqual(VARIABLES.map((v) => v.name).sort());
    const all = [...r.graph.nodes, ...r.graph.library.functions.flatMap((f) => f.nodes)];
    expect(all.some((n) => /VarHandleOp|ReadVariableOp/.test(n.op))).toBe(false);
    expect(r.graph.nodes.some((n) => n.op === 'While')).toBe(true);
    const bodyOps = new Set(r.graph.library.functions.find((f) => f.signature.name === 'while_body_701')!.nodes.map((n) => n.op));
    expect(bodyOps.has('TensorListGetItem') && bodyOps.has('TensorListSetItem')).toBe(true);
    for (const op of ['TensorListFromTensor', 'TensorListReserve', 'TensorListStack']) expect(r.graph.nodes.some((n) => n.op === op), op).toBe(true);
    const [out] = await runGraph(r.graph, { [r.signature!.inputs.input_1!]: input }, [r.signature!.outputs.lstm!]);
    expectClose(out!, 'frozen graph');
  });

  it('optimizes with the verification passing, and the result gives the LSTM equations', async () => {
    const outDir = path.join(tmp, 'optimized');
    const { report, savedModel } = await optimize(modelDir, outDir);
    expect(report.verification?.status).toBe('pass');
    expect(report.verification!.signatures.map((s) => [s.key, s.status])).toEqual([['serving_default', 'pass']]);
    expect(report.frozenVariables).toBe(3);
    // TensorListStack is no resource: freezing keeps nothing it would have to warn about.
    expect(report.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
    const mg = savedModel.metaGraphs[0]!;
    const sig = mg.signatures.serving_default!;
    const [out] = await runGraph(mg.graph, { [sig.inputs.input_1!.name!]: input }, [sig.outputs.lstm!.name!]);
    expectClose(out!, 'optimized SavedModel');
    // Written and read back from disk, it still answers the same.
    const back = await loadModel(outDir);
    if (back.kind !== 'saved-model') throw new Error('expected a SavedModel');
    const mgBack = back.savedModel.metaGraphs[0]!;
    const [again] = await runGraph(mgBack.graph, { [sig.inputs.input_1!.name!]: input }, [sig.outputs.lstm!.name!]);
    expectClose(again!, 'optimized SavedModel, read back');
    // No list became a constant; the loop is still a loop.
    const all = [...mgBack.graph.nodes, ...mgBack.graph.library.functions.flatMap((f) => f.nodes)];
    expect(all.filter((n) => n.op === 'Const').every((n) => n.attrs.value?.kind !== 'tensor' || n.attrs.value.value.dtype !== 'variant')).toBe(true);
    expect(all.some((n) => n.op === 'While')).toBe(true);
  });

  it('`graft optimize` on it prints verify: PASS and exits 0', async () => {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = await optimizeCommand([modelDir, path.join(tmp, 'optimized-cli')], { out: (l) => stdout.push(l), err: (l) => stderr.push(l), interactive: false });
    expect(code, stderr.join('\n')).toBe(0);
    expect(stdout.join('\n')).toMatch(/^verify: PASS/m);
    expect(stdout.join('\n')).not.toMatch(/NOT VERIFIED|SKIPPED|not run/i);
  });
});
