/**
 * The example model graft ships with: a small TF1-style classifier, built entirely with graft's
 * own writers (no TensorFlow involved), with everything a real TF1 export carries:
 * `VariableV2` variables with `/read` identities and initializers, a saver, a training-only loss
 * branch, duplicate constants, a `Mul` by a constant scale after a `MatMul` (what batch-norm
 * folding removes), a checkpoint in `variables/`, and a `serving_default` signature.
 *
 *   x [-1, 8] → MatMul(W1) → Mul(scale) → BiasAdd(b1) → Relu → MatMul(W2) → BiasAdd(b2) → Softmax
 */
import {
  attr,
  encodeMessage,
  graphBuilder,
  makeStringTensor,
  makeTensor,
  makeValueTensor,
  type CheckpointEntryInput,
  type DType,
  type MetaGraph,
  type SavedModelProto,
  dtypeToEnum,
  tensorBytes,
} from 'tf-graft';

/** Deterministic pseudo-random floats in [-1, 1) (a small LCG), so the example is the same everywhere. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

const F: DType = 'float';
const T = { T: attr.type(F) };

export interface ExampleModel {
  readonly savedModel: SavedModelProto;
  readonly checkpoint: readonly CheckpointEntryInput[];
}

/** Builds the example SavedModel and its checkpoint entries. */
export function buildExampleModel(): ExampleModel {
  const rand = seeded(42);
  const b = graphBuilder();
  const variables: { name: string; shape: number[]; values: Float32Array }[] = [];

  const x = b.placeholder('x', F, [-1, 8]);
  const variable = (name: string, shape: number[]) => {
    const n = shape.reduce((a, c) => a * c, 1);
    const values = Float32Array.from({ length: n }, () => rand() * 0.5);
    variables.push({ name, shape, values });
    const v = b.op('VariableV2', [], { shape: attr.shape(shape), dtype: attr.type(F), container: attr.s(''), shared_name: attr.s('') }, name);
    const init = b.const(`${name}/initial_value`, makeTensor(F, shape, new Float32Array(n)));
    b.op('Assign', [v, init], { ...T, _class: attr.list({ s: [`loc:@${name}`] }), validate_shape: attr.b(true), use_locking: attr.b(true) }, `${name}/Assign`);
    return b.op('Identity', [v], { ...T, _class: attr.list({ s: [`loc:@${name}`] }) }, `${name}/read`);
  };

  const w1 = variable('dense1/kernel', [8, 16]);
  const b1 = variable('dense1/bias', [16]);
  const w2 = variable('dense2/kernel', [16, 4]);
  const b2 = variable('dense2/bias', [4]);

  const mm1 = b.op('MatMul', [x, w1], { ...T, transpose_a: attr.b(false), transpose_b: attr.b(false) }, 'dense1/MatMul');
  const scale = b.const('dense1/scale', makeTensor(F, [16], Float32Array.from({ length: 16 }, (_, i) => 0.5 + i / 32)));
  const mul = b.op('Mul', [mm1, scale], T, 'dense1/mul');
  const ba1 = b.op('BiasAdd', [mul, b1], { ...T, data_format: attr.s('NHWC') }, 'dense1/BiasAdd');
  const relu = b.op('Relu', [ba1], T, 'dense1/Relu');
  const hidden = b.op('Identity', [relu], T, 'dense1/output');
  const mm2 = b.op('MatMul', [hidden, w2], { ...T, transpose_a: attr.b(false), transpose_b: attr.b(false) }, 'dense2/MatMul');
  const ba2 = b.op('BiasAdd', [mm2, b2], { ...T, data_format: attr.s('NHWC') }, 'dense2/BiasAdd');
  const probs = b.op('Softmax', [ba2], T, 'probabilities');

  // Training-only branch: cross-entropy against labels. Serving does not need it.
  const labels = b.placeholder('labels', F, [-1, 4]);
  const log = b.op('Log', [probs], T, 'loss/Log');
  const prod = b.op('Mul', [labels, log], T, 'loss/mul');
  const axes1 = b.const('loss/reduction_indices', makeValueTensor('int32', [], [1]));
  const sum = b.op('Sum', [prod, axes1], { ...T, Tidx: attr.type('int32'), keep_dims: attr.b(false) }, 'loss/Sum');
  const neg = b.op('Neg', [sum], T, 'loss/Neg');
  const axes0 = b.const('loss/Const', makeValueTensor('int32', [1], [0])); // a duplicate-shaped constant
  b.const('loss/Const_1', makeValueTensor('int32', [1], [0])); // the same value again: merge_duplicate_nodes removes one
  b.op('Mean', [neg, axes0], { ...T, Tidx: attr.type('int32'), keep_dims: attr.b(false) }, 'loss/Mean');

  b.op('NoOp', variables.map((v) => `^${v.name}/Assign`), {}, 'init');

  // The saver TensorFlow's tf.train.Saver builds (V2 format, not sharded).
  const names = variables.map((v) => v.name);
  const dtypes = attr.list({ type: names.map(() => F) });
  const file = b.const('save/Const', makeStringTensor([], ['model']));
  const tensorNames = b.const('save/SaveV2/tensor_names', makeStringTensor([names.length], names));
  const slices = b.const('save/SaveV2/shape_and_slices', makeStringTensor([names.length], names.map(() => '')));
  b.op('SaveV2', [file, tensorNames, slices, ...names], { dtypes }, 'save/SaveV2');
  b.op('Identity', [file, '^save/SaveV2'], { T: attr.type('string'), _class: attr.list({ s: ['loc:@save/Const'] }) }, 'save/control_dependency');
  const rNames = b.const('save/RestoreV2/tensor_names', makeStringTensor([names.length], names));
  const rSlices = b.const('save/RestoreV2/shape_and_slices', makeStringTensor([names.length], names.map(() => '')));
  const restore = b.op('RestoreV2', [file, rNames, rSlices], { dtypes }, 'save/RestoreV2');
  const assigns = names.map((n, i) =>
    b.op('Assign', [n, `${restore}${i === 0 ? '' : `:${i}`}`], { ...T, _class: attr.list({ s: [`loc:@${n}`] }), validate_shape: attr.b(true), use_locking: attr.b(true) }, `save/Assign${i === 0 ? '' : `_${i}`}`),
  );
  b.op('NoOp', assigns.map((a) => `^${a}`), {}, 'save/restore_all');

  const graph = b.graph({ versions: { producer: 27, minConsumer: 12, badConsumers: [] } });

  const variableDef = (name: string) =>
    encodeMessage('tensorflow.VariableDef', {
      variable_name: `${name}:0`,
      initializer_name: `${name}/Assign`,
      snapshot_name: `${name}/read:0`,
      initial_value_name: `${name}/initial_value:0`,
      trainable: true,
    });
  const metaGraph: MetaGraph = {
    tags: ['serve'],
    graph,
    signatures: {
      serving_default: {
        methodName: 'tensorflow/serving/predict',
        inputs: { x: { name: 'x:0', dtype: F, shape: { dims: [-1, 8], unknownRank: false }, encoding: 'name' } },
        outputs: { probabilities: { name: 'probabilities:0', dtype: F, shape: { dims: [-1, 4], unknownRank: false }, encoding: 'name' } },
      },
    },
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
        trainable_variables: { bytes_list: { value: names.map(variableDef) } },
        variables: { bytes_list: { value: names.map(variableDef) } },
      },
    },
  };

  const checkpoint: CheckpointEntryInput[] = variables.map((v) => ({
    name: v.name,
    dtype: dtypeToEnum(F),
    shape: v.shape,
    data: tensorBytes(makeTensor(F, v.shape, v.values)),
  }));
  return { savedModel: { schemaVersion: 1, metaGraphs: [metaGraph] }, checkpoint };
}
