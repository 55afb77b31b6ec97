/**
 * Output arguments of ops with more than one, so that a function-body reference
 * `node:arg:i` can be turned into a graph reference `node:k` when a body is inlined.
 *
 * Most ops have a single output argument (then `k = i`), and so do function calls (`output`),
 * `IdentityN`, `Split` and friends. The table lists the multi-argument ops seen in traced
 * TensorFlow functions; a size is 1, the name of an int attribute (`N`), or the name of a
 * type-list attribute whose length gives the count.
 */
import type { Node } from './node';

type ArgSize = 1 | { readonly int: string } | { readonly types: string };
type OutputArgs = readonly (readonly [string, ArgSize])[];

const one = (...names: string[]): OutputArgs => names.map((n) => [n, 1] as const);

const BN = one('y', 'batch_mean', 'batch_variance', 'reserve_space_1', 'reserve_space_2');

const TABLE: Record<string, OutputArgs> = {
  Switch: one('output_false', 'output_true'),
  RefSwitch: one('output_false', 'output_true'),
  Merge: one('output', 'value_index'),
  RefMerge: one('output', 'value_index'),
  FusedBatchNorm: BN,
  FusedBatchNormV2: BN,
  FusedBatchNormV3: [...BN, ['reserve_space_3', 1]],
  FusedBatchNormGrad: one('x_backprop', 'scale_backprop', 'offset_backprop', 'reserve_space_3', 'reserve_space_4'),
  FusedBatchNormGradV2: one('x_backprop', 'scale_backprop', 'offset_backprop', 'reserve_space_3', 'reserve_space_4'),
  FusedBatchNormGradV3: one('x_backprop', 'scale_backprop', 'offset_backprop', 'reserve_space_4', 'reserve_space_5'),
  Unique: one('y', 'idx'),
  UniqueV2: one('y', 'idx'),
  UniqueWithCounts: one('y', 'idx', 'count'),
  UniqueWithCountsV2: one('y', 'idx', 'count'),
  TopKV2: one('values', 'indices'),
  TopK: one('values', 'indices'),
  BroadcastGradientArgs: one('r0', 'r1'),
  MaxPoolWithArgmax: one('output', 'argmax'),
  QuantizeV2: one('output', 'output_min', 'output_max'),
  QuantizedConv2D: one('output', 'min_output', 'max_output'),
  QuantizedMatMul: one('out', 'min_out', 'max_out'),
  QuantizedBiasAdd: one('output', 'min_out', 'max_out'),
  QuantizedRelu: one('activations', 'min_activations', 'max_activations'),
  QuantizedRelu6: one('activations', 'min_activations', 'max_activations'),
  Requantize: one('output', 'output_min', 'output_max'),
  RequantizationRange: one('output_min', 'output_max'),
  SparseFillEmptyRows: one('output_indices', 'output_values', 'empty_row_indicator', 'reverse_index_map'),
  SparseReshape: one('output_indices', 'output_shape'),
  DenseToDenseSetOperation: one('result_indices', 'result_values', 'result_shape'),
  DenseToSparseSetOperation: one('result_indices', 'result_values', 'result_shape'),
  LookupTableExportV2: one('keys', 'values'),
  NonMaxSuppressionV4: one('selected_indices', 'valid_outputs'),
  NonMaxSuppressionV5: one('selected_indices', 'selected_scores', 'valid_outputs'),
  CombinedNonMaxSuppression: one('nmsed_boxes', 'nmsed_scores', 'nmsed_classes', 'valid_detections'),
  Svd: one('s', 'u', 'v'),
  Qr: one('q', 'r'),
  CudnnRNN: one('output', 'output_h', 'output_c', 'reserve_space'),
  CudnnRNNV2: one('output', 'output_h', 'output_c', 'reserve_space', 'host_reserved'),
  CudnnRNNV3: one('output', 'output_h', 'output_c', 'reserve_space', 'host_reserved'),
  TensorListPopBack: one('output_handle', 'tensor'),
  TensorListConcat: one('tensor', 'lengths'),
  TensorListConcatV2: one('tensor', 'lengths'),
  ParseExample: [['sparse_indices', { int: 'Nsparse' }], ['sparse_values', { types: 'sparse_types' }], ['sparse_shapes', { int: 'Nsparse' }], ['dense_values', { types: 'Tdense' }]],
  ParseSingleExample: [['sparse_indices', { int: 'num_sparse' }], ['sparse_values', { types: 'sparse_types' }], ['sparse_shapes', { int: 'num_sparse' }], ['dense_values', { types: 'Tdense' }]],
  ParseExampleV2: [
    ['sparse_indices', { int: 'num_sparse' }],
    ['sparse_values', { types: 'sparse_types' }],
    ['sparse_shapes', { int: 'num_sparse' }],
    ['dense_values', { types: 'Tdense' }],
    ['ragged_values', { types: 'ragged_value_types' }],
    ['ragged_row_splits', { types: 'ragged_split_types' }],
  ],
};

function sizeOf(node: Node, size: ArgSize): number {
  if (size === 1) return 1;
  if ('int' in size) {
    const a = node.attrs[size.int];
    return a && a.kind === 'i' ? Number(a.value) : 0;
  }
  const a = node.attrs[size.types];
  return a && a.kind === 'list' ? (a.value.type?.length ?? 0) : 0;
}

/**
 * The flat output index of `arg:index` on `node`, or undefined when the op is not in the table
 * or has no such argument. Ops outside the table are taken to have one output argument.
 */
export function flatOutputIndex(node: Node, arg: string, index: number): number | undefined {
  const args = TABLE[node.op];
  if (!args) return index;
  let offset = 0;
  for (const [name, size] of args) {
    if (name === arg) return offset + index;
    offset += sizeOf(node, size);
  }
  return undefined;
}

/** True when the op's output arguments are known (single-argument ops included). */
export function hasKnownOutputArgs(op: string): boolean {
  return op in TABLE;
}

/**
 * Ops whose output count is fixed and known: one output, or none (a `NoOp` is only ever a control
 * input). Written from TensorFlow's op registrations; an op not listed here or in the table above
 * has an output count graft does not claim to know.
 */
const FIXED_OUTPUTS: Record<string, number> = (() => {
  const counts: Record<string, number> = {};
  const single =
    'Const Placeholder PlaceholderV2 PlaceholderWithDefault Identity StopGradient PreventGradient Snapshot ' +
    'ZerosLike OnesLike VariableV2 Variable VarHandleOp ReadVariableOp Enter RefEnter Exit RefExit NextIteration ' +
    'RefNextIteration LoopCond Relu Relu6 Elu Selu LeakyRelu Sigmoid Tanh Softmax LogSoftmax Softplus Softsign ' +
    'Add AddV2 AddN Sub Mul RealDiv Div DivNoNan FloorDiv FloorMod Mod Maximum Minimum Pow SquaredDifference ' +
    'MatMul BatchMatMul BatchMatMulV2 BatchMatMulV3 BiasAdd Conv2D Conv3D DepthwiseConv2dNative ' +
    'Conv2DBackpropInput MaxPool MaxPoolV2 AvgPool MaxPool3D AvgPool3D Reshape Shape Size Rank Cast ' +
    'ConcatV2 Concat Pack Transpose Squeeze ExpandDims Mean Sum Max Min Prod All Any ArgMax ArgMin Fill Tile ' +
    'Pad PadV2 MirrorPad StridedSlice Slice GatherV2 Gather GatherNd Rsqrt Sqrt Square Exp Log Log1p Neg Abs ' +
    'Floor Ceil Round Sign Reciprocal Erf Less LessEqual Greater GreaterEqual Equal NotEqual LogicalAnd ' +
    'LogicalOr LogicalNot Select SelectV2 Range OneHot ResizeBilinear ResizeNearestNeighbor Cumsum ' +
    'ClipByValue L2Loss LRN BroadcastTo Einsum Assign AssignAdd AssignSub ScatterNd Where ReverseV2 ' +
    'SpaceToBatchND BatchToSpaceND SpaceToDepth DepthToSpace StringJoin Bucketize';
  for (const op of single.split(' ')) counts[op] = 1;
  for (const op of ['NoOp', 'AssignVariableOp', 'Assert', 'SaveV2', 'InitializeTableV2', 'InitializeTableFromTextFileV2', 'PrintV2']) counts[op] = 0;
  return counts;
})();

/**
 * How many outputs `node` has, when graft knows for certain (fixed counts, and the table's ops
 * whose sizing attributes are present); undefined otherwise.
 *
 * @example knownOutputCount(makeNode({ name: 'c', op: 'Const' })) // 1
 */
export function knownOutputCount(node: Node): number | undefined {
  const fixed = FIXED_OUTPUTS[node.op];
  if (fixed !== undefined) return fixed;
  const args = TABLE[node.op];
  if (!args) return undefined;
  let total = 0;
  for (const [, size] of args) {
    if (size === 1) {
      total++;
      continue;
    }
    const a = node.attrs['int' in size ? size.int : size.types];
    if (a === undefined) return undefined;
    total += sizeOf(node, size);
  }
  return total;
}

/** True for ops that have no outputs at all (only ever control inputs: `NoOp`, `SaveV2`, ...). */
export function hasNoOutputs(op: string): boolean {
  return FIXED_OUTPUTS[op] === 0;
}
