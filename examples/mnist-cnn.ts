/**
 * The serving article's model, rebuilt with graft's own writers (no TensorFlow involved): a TF1
 * Estimator-style MNIST CNN exported as a SavedModel, with about 10.7 MB of weights in its
 * checkpoint, like the model the article optimizes (10,692 KB of variables).
 *
 *   x [-1, 784] → Reshape [-1, 28, 28, 1]                          (the serving input receiver)
 *   conv2d   5x5, 32  → BiasAdd → Relu → MaxPool 2x2               28 → 14
 *   conv2d_1 5x5, 64  → Mul(bn scale) → BiasAdd → Relu → MaxPool   14 → 7   (batch-norm-style Mul)
 *   conv2d_2 3x3, 92  → BiasAdd → Relu                              7 → 7
 *   flatten (Shape → StridedSlice → Pack → Reshape, as tf.layers.flatten builds it)  → 4508
 *   dense 512 → Relu, dense_1 512 → Relu, dense_2 10 (logits)
 *   → Identity chain → Softmax `probabilities`, ArgMax `classes`
 *
 * Sizes: the article fixes three conv layers and dense 512 + 512; the third conv layer's width is
 * the free choice. 92 filters make 7·7·92 = 4508 flattened features and 2,681,574 float weights,
 * 10.73 MB in the checkpoint (64 filters would give 7.85 MB, 96 give 11.14 MB).
 *
 * What the transforms find to do, as in a real Estimator export: `VariableV2` variables with
 * `/read` identities and `Initializer`/`Assign` ops, an int64 `global_step` with its increment,
 * a V2 saver, a training-only branch (labels → OneHot → SoftmaxCrossEntropyWithLogits → Mean,
 * which serving never runs), an Identity chain on the logits, duplicate constants
 * (`flatten/strided_slice/stack_1` and `stack_2` are both [1], as TensorFlow writes them), and a
 * constant per-channel `Mul` after a convolution (what `fold_batch_norms` folds into the kernel).
 *
 * Run it: `npx tsx examples/mnist-cnn.ts [out-dir]` (default examples/mnist-cnn-model).
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { attr, dtypeToEnum, encodeMessage, graphBuilder, makeStringTensor, makeTensor, makeValueTensor, tensorBytes, type AttrValue, type CheckpointEntryInput, type DType, type MetaGraph, type SavedModelProto, type Tensor } from 'tf-graft';
import { saveSavedModel, writeCheckpointFiles } from 'tf-graft/node';

/** Deterministic pseudo-random floats in [-1, 1) (a small LCG), so the model is the same everywhere. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

const F: DType = 'float';
const T = { T: attr.type(F) };
const I32 = { T: attr.type('int32') };

/** Layer sizes (see the module comment for why the third conv layer has 92 filters). */
export const MNIST_CNN_LAYERS = {
  conv1: { kernel: 5, filters: 32 },
  conv2: { kernel: 5, filters: 64 },
  conv3: { kernel: 3, filters: 92 },
  dense: [512, 512],
  classes: 10,
} as const;

export interface MnistCnnModel {
  readonly savedModel: SavedModelProto;
  readonly checkpoint: readonly CheckpointEntryInput[];
}

interface VariableRecord {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly tensor: Tensor;
  readonly trainable: boolean;
}

/** Builds the SavedModel message and its checkpoint entries (nothing is written). */
export function buildMnistCnn(): MnistCnnModel {
  const rand = seeded(2018);
  const b = graphBuilder();
  const variables: VariableRecord[] = [];
  const colocate = (name: string): Record<string, AttrValue> => ({ _class: attr.list({ s: [`loc:@${name}`] }) });

  /**
   * A TF1 variable as tf.layers makes it: VariableV2, an initializer subgraph, Assign and `/read`.
   * Kernels get glorot_uniform's RandomUniform chain, biases and the step a zeros constant.
   */
  const variable = (name: string, dtype: DType, shape: number[], values: Tensor, trainable = true): string => {
    variables.push({ name, dtype, shape, tensor: values, trainable });
    const v = b.op('VariableV2', [], { shape: attr.shape(shape), dtype: attr.type(dtype), container: attr.s(''), shared_name: attr.s('') }, name);
    let initValue: string;
    if (shape.length >= 2) {
      const scope = `${name}/Initializer/random_uniform`;
      const limit = Math.sqrt(6 / (shape.slice(0, -1).reduce((a, c) => a * c, 1) + shape[shape.length - 1]!));
      const dims = b.const(`${scope}/shape`, makeValueTensor('int32', [shape.length], shape));
      const min = b.const(`${scope}/min`, -limit);
      const max = b.const(`${scope}/max`, limit);
      const uniform = b.op('RandomUniform', [dims], { T: attr.type('int32'), dtype: attr.type(F), seed: attr.i(0), seed2: attr.i(0), ...colocate(name) }, `${scope}/RandomUniform`);
      const range = b.op('Sub', [max, min], { ...T, ...colocate(name) }, `${scope}/sub`);
      const scaled = b.op('Mul', [uniform, range], { ...T, ...colocate(name) }, `${scope}/mul`);
      initValue = b.op('Add', [scaled, min], { ...T, ...colocate(name) }, scope);
    } else {
      const n = shape.reduce((a, c) => a * c, 1);
      initValue = b.const(`${name}/Initializer/zeros`, makeValueTensor(dtype, shape, Array.from({ length: n }, () => (dtype === 'int64' ? 0n : 0))));
    }
    b.op('Assign', [v, initValue], { T: attr.type(dtype), ...colocate(name), validate_shape: attr.b(true), use_locking: attr.b(true) }, `${name}/Assign`);
    return b.op('Identity', [v], { T: attr.type(dtype), ...colocate(name) }, `${name}/read`);
  };
  /** Uniform He-style initial values, so activations stay in range through the ReLUs. */
  const weights = (name: string, shape: number[], fanIn: number): string => {
    const n = shape.reduce((a, c) => a * c, 1);
    const scale = Math.sqrt(6 / fanIn);
    const values = new Float32Array(n);
    for (let i = 0; i < n; i++) values[i] = rand() * scale;
    return variable(name, F, shape, makeTensor(F, shape, values));
  };
  const bias = (name: string, n: number): string => variable(name, F, [n], makeTensor(F, [n], Float32Array.from({ length: n }, () => rand() * 0.01)));

  // Estimator's global step.
  const globalStep = variable('global_step', 'int64', [], makeValueTensor('int64', [], [0n]), false);

  // The serving input receiver: flat images, reshaped for the convolutions.
  const x = b.placeholder('x', F, [-1, 784]);
  const inputShape = b.const('Reshape/shape', makeValueTensor('int32', [4], [-1, 28, 28, 1]));
  const images = b.op('Reshape', [x, inputShape], { ...T, Tshape: attr.type('int32') }, 'Reshape');

  const convAttrs = {
    ...T,
    strides: attr.list({ i: [1, 1, 1, 1] }),
    padding: attr.s('SAME'),
    data_format: attr.s('NHWC'),
    dilations: attr.list({ i: [1, 1, 1, 1] }),
    use_cudnn_on_gpu: attr.b(true),
  };
  const poolAttrs = { ...T, ksize: attr.list({ i: [1, 2, 2, 1] }), strides: attr.list({ i: [1, 2, 2, 1] }), padding: attr.s('SAME'), data_format: attr.s('NHWC') };
  const biasAdd = (input: string, b_: string, name: string) => b.op('BiasAdd', [input, b_], { ...T, data_format: attr.s('NHWC') }, name);

  const { conv1, conv2, conv3, dense, classes } = MNIST_CNN_LAYERS;
  // conv2d: 28x28x1 → 28x28x32 → pool 14x14x32
  const k1 = weights('conv2d/kernel', [conv1.kernel, conv1.kernel, 1, conv1.filters], conv1.kernel * conv1.kernel * 1);
  const b1 = bias('conv2d/bias', conv1.filters);
  const c1 = b.op('Conv2D', [images, k1], convAttrs, 'conv2d/Conv2D');
  const r1 = b.op('Relu', [biasAdd(c1, b1, 'conv2d/BiasAdd')], T, 'conv2d/Relu');
  const p1 = b.op('MaxPool', [r1], poolAttrs, 'max_pooling2d/MaxPool');

  // conv2d_1: → 14x14x64, scaled per channel (a batch norm's multiplier) → pool 7x7x64
  const k2 = weights('conv2d_1/kernel', [conv2.kernel, conv2.kernel, conv1.filters, conv2.filters], conv2.kernel * conv2.kernel * conv1.filters);
  const b2 = bias('conv2d_1/bias', conv2.filters);
  const c2 = b.op('Conv2D', [p1, k2], convAttrs, 'conv2d_1/Conv2D');
  const bnScale = b.const('conv2d_1/batchnorm/mul/y', makeTensor(F, [conv2.filters], Float32Array.from({ length: conv2.filters }, (_, i) => 0.75 + i / (2 * conv2.filters))));
  const scaled = b.op('Mul', [c2, bnScale], T, 'conv2d_1/batchnorm/mul');
  const r2 = b.op('Relu', [biasAdd(scaled, b2, 'conv2d_1/BiasAdd')], T, 'conv2d_1/Relu');
  const p2 = b.op('MaxPool', [r2], poolAttrs, 'max_pooling2d_1/MaxPool');

  // conv2d_2: → 7x7x92
  const k3 = weights('conv2d_2/kernel', [conv3.kernel, conv3.kernel, conv2.filters, conv3.filters], conv3.kernel * conv3.kernel * conv2.filters);
  const b3 = bias('conv2d_2/bias', conv3.filters);
  const c3 = b.op('Conv2D', [p2, k3], convAttrs, 'conv2d_2/Conv2D');
  const r3 = b.op('Relu', [biasAdd(c3, b3, 'conv2d_2/BiasAdd')], T, 'conv2d_2/Relu');

  // flatten, the way tf.layers.flatten builds it: [batch, -1] from the dynamic shape.
  const flat = 7 * 7 * conv3.filters;
  const shape = b.op('Shape', [r3], { ...T, out_type: attr.type('int32') }, 'flatten/Shape');
  const stack = b.const('flatten/strided_slice/stack', makeValueTensor('int32', [1], [0]));
  const stack1 = b.const('flatten/strided_slice/stack_1', makeValueTensor('int32', [1], [1]));
  const stack2 = b.const('flatten/strided_slice/stack_2', makeValueTensor('int32', [1], [1])); // same value as stack_1
  const batch = b.op(
    'StridedSlice',
    [shape, stack, stack1, stack2],
    { ...I32, Index: attr.type('int32'), begin_mask: attr.i(0), end_mask: attr.i(0), ellipsis_mask: attr.i(0), new_axis_mask: attr.i(0), shrink_axis_mask: attr.i(1) },
    'flatten/strided_slice',
  );
  const minusOne = b.const('flatten/Reshape/shape/1', makeValueTensor('int32', [], [-1]));
  const flatShape = b.op('Pack', [batch, minusOne], { ...I32, N: attr.i(2), axis: attr.i(0) }, 'flatten/Reshape/shape');
  const flattened = b.op('Reshape', [r3, flatShape], { ...T, Tshape: attr.type('int32') }, 'flatten/Reshape');

  const denseLayer = (input: string, scope: string, inSize: number, outSize: number, relu: boolean): string => {
    const k = weights(`${scope}/kernel`, [inSize, outSize], inSize);
    const bb = bias(`${scope}/bias`, outSize);
    const mm = b.op('MatMul', [input, k], { ...T, transpose_a: attr.b(false), transpose_b: attr.b(false) }, `${scope}/MatMul`);
    const ba = biasAdd(mm, bb, `${scope}/BiasAdd`);
    return relu ? b.op('Relu', [ba], T, `${scope}/Relu`) : ba;
  };
  const h1 = denseLayer(flattened, 'dense', flat, dense[0], true);
  const h2 = denseLayer(h1, 'dense_1', dense[0], dense[1], true);
  const logitsRaw = denseLayer(h2, 'dense_2', dense[1], classes, false);

  // The head: an Identity chain on the logits, then the two serving outputs.
  const logits = b.op('Identity', [b.op('Identity', [logitsRaw], T, 'logits')], T, 'head/logits');
  const probabilities = b.op('Softmax', [logits], T, 'probabilities');
  const argmaxAxis = b.const('ArgMax/dimension', makeValueTensor('int32', [], [1]));
  const classIds = b.op('ArgMax', [logits, argmaxAxis], { ...T, Tidx: attr.type('int32'), output_type: attr.type('int64') }, 'classes');

  // Training only: labels → one-hot → softmax cross-entropy → mean loss, and the step increment.
  const labels = b.placeholder('labels', 'int64', [-1]);
  const depth = b.const('loss/OneHot/depth', makeValueTensor('int32', [], [classes]));
  const on = b.const('loss/OneHot/on_value', 1);
  const off = b.const('loss/OneHot/off_value', 0);
  const oneHot = b.op('OneHot', [labels, depth, on, off], { ...T, TI: attr.type('int64'), axis: attr.i(-1) }, 'loss/OneHot');
  const xent = b.op('SoftmaxCrossEntropyWithLogits', [logits, oneHot], T, 'loss/softmax_cross_entropy_with_logits');
  const meanAxes = b.const('loss/Const', makeValueTensor('int32', [1], [0]));
  b.op('Mean', [xent, meanAxes], { ...T, Tidx: attr.type('int32'), keep_dims: attr.b(false) }, 'loss/Mean');
  const one = b.const('global_step/add/y', makeValueTensor('int64', [], [1n]));
  b.op('AssignAdd', ['global_step', one], { T: attr.type('int64'), ...colocate('global_step'), use_locking: attr.b(false) }, 'global_step/AssignAdd');
  void globalStep;

  b.op('NoOp', variables.map((v) => `^${v.name}/Assign`), {}, 'init');

  // The saver tf.train.Saver builds (V2 format, not sharded).
  const names = variables.map((v) => v.name);
  const dtypes = attr.list({ type: variables.map((v) => v.dtype) });
  const file = b.const('save/Const', makeStringTensor([], ['model']));
  const tensorNames = b.const('save/SaveV2/tensor_names', makeStringTensor([names.length], names));
  const slices = b.const('save/SaveV2/shape_and_slices', makeStringTensor([names.length], names.map(() => '')));
  b.op('SaveV2', [file, tensorNames, slices, ...names], { dtypes }, 'save/SaveV2');
  b.op('Identity', [file, '^save/SaveV2'], { T: attr.type('string'), ...colocate('save/Const') }, 'save/control_dependency');
  const rNames = b.const('save/RestoreV2/tensor_names', makeStringTensor([names.length], names));
  const rSlices = b.const('save/RestoreV2/shape_and_slices', makeStringTensor([names.length], names.map(() => '')));
  const restore = b.op('RestoreV2', [file, rNames, rSlices], { dtypes }, 'save/RestoreV2');
  const assigns = variables.map((v, i) =>
    b.op('Assign', [v.name, i === 0 ? restore : `${restore}:${i}`], { T: attr.type(v.dtype), ...colocate(v.name), validate_shape: attr.b(true), use_locking: attr.b(true) }, `save/Assign${i === 0 ? '' : `_${i}`}`),
  );
  b.op('NoOp', assigns.map((a) => `^${a}`), {}, 'save/restore_all');

  const graph = b.graph({ versions: { producer: 27, minConsumer: 12, badConsumers: [] } });

  const variableDef = (v: VariableRecord) =>
    encodeMessage('tensorflow.VariableDef', {
      variable_name: `${v.name}:0`,
      initializer_name: `${v.name}/Assign`,
      snapshot_name: `${v.name}/read:0`,
      initial_value_name: `${v.name}/Initializer/${v.shape.length >= 2 ? 'random_uniform' : 'zeros'}:0`,
      trainable: v.trainable,
    });
  const tensor = (name: string, dtype: DType, dims: number[]) => ({ name, dtype, shape: { dims, unknownRank: false }, encoding: 'name' as const });
  const predict = {
    methodName: 'tensorflow/serving/predict',
    inputs: { x: tensor(`${x}:0`, F, [-1, 784]) },
    outputs: { probabilities: tensor(`${probabilities}:0`, F, [-1, classes]), classes: tensor(`${classIds}:0`, 'int64', [-1]) },
  };
  const metaGraph: MetaGraph = {
    tags: ['serve'],
    graph,
    // An Estimator export names its predictions signature twice: `predict` and `serving_default`.
    signatures: { predict, serving_default: predict },
    proto: {
      meta_info_def: { tags: ['serve'], tensorflow_version: '1.13.1', tensorflow_git_version: 'graft-example' },
      saver_def: {
        filename_tensor_name: 'save/Const:0',
        save_tensor_name: 'save/control_dependency:0',
        restore_op_name: 'save/restore_all',
        max_to_keep: 5,
        keep_checkpoint_every_n_hours: 10000,
        version: 2,
      },
      collection_def: {
        global_step: { bytes_list: { value: variables.filter((v) => v.name === 'global_step').map(variableDef) } },
        trainable_variables: { bytes_list: { value: variables.filter((v) => v.trainable).map(variableDef) } },
        variables: { bytes_list: { value: variables.map(variableDef) } },
        train_op: { node_list: { value: ['global_step/AssignAdd'] } },
      },
    },
  };

  const checkpoint: CheckpointEntryInput[] = variables.map((v) => ({ name: v.name, dtype: dtypeToEnum(v.dtype), shape: v.shape, data: tensorBytes(v.tensor) }));
  return { savedModel: { schemaVersion: 1, metaGraphs: [metaGraph] }, checkpoint };
}

/** Writes the model (built here unless given) as a SavedModel directory at `dir`, atomically. */
export async function writeMnistCnn(dir: string, model: MnistCnnModel = buildMnistCnn()): Promise<void> {
  const { savedModel, checkpoint } = model;
  const staging = `${dir.replace(/[\\/]+$/, '')}.variables-staging`;
  const { rm } = await import('node:fs/promises');
  try {
    await writeCheckpointFiles(path.join(staging, 'variables'), checkpoint);
    await saveSavedModel(dir, savedModel, { variablesFrom: path.join(staging, 'variables'), overwrite: true });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const out = path.resolve(process.argv[2] ?? path.join(import.meta.dirname, 'mnist-cnn-model'));
  await writeMnistCnn(out);
  console.log(`wrote ${out}`);
}
