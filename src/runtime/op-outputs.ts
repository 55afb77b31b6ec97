/**
 * The output-argument layout of ops, for reading function bodies: there an output is named
 * `node:out_arg:index`, and the runtime needs the flat output index. For an op with a single
 * output argument (single tensor or a list: `Split:output:1`, `Unpack:output:0`, `IdentityN`)
 * the flat index is the index itself. Ops with several output arguments are listed here with
 * their arguments in OpDef order; each of these arguments is a single tensor.
 */
import type { Node } from '../ir/node';

const MULTI: Record<string, readonly string[]> = {
  Switch: ['output_false', 'output_true'],
  RefSwitch: ['output_false', 'output_true'],
  Merge: ['output', 'value_index'],
  RefMerge: ['output', 'value_index'],
  FusedBatchNorm: ['y', 'batch_mean', 'batch_variance', 'reserve_space_1', 'reserve_space_2'],
  FusedBatchNormV2: ['y', 'batch_mean', 'batch_variance', 'reserve_space_1', 'reserve_space_2'],
  FusedBatchNormV3: ['y', 'batch_mean', 'batch_variance', 'reserve_space_1', 'reserve_space_2', 'reserve_space_3'],
  Unique: ['y', 'idx'],
  UniqueV2: ['y', 'idx'],
  UniqueWithCounts: ['y', 'idx', 'count'],
  TopKV2: ['values', 'indices'],
  TopK: ['values', 'indices'],
  MaxPoolWithArgmax: ['output', 'argmax'],
  BroadcastGradientArgs: ['r0', 'r1'],
  TensorArrayV3: ['handle', 'flow'],
  TensorArrayGradV3: ['grad_handle', 'flow_out'],
  TensorArrayConcatV3: ['value', 'lengths'],
  QuantizeV2: ['output', 'output_min', 'output_max'],
  Dequantize: ['output'],
  QuantizedConv2D: ['output', 'min_output', 'max_output'],
  QuantizedMatMul: ['out', 'min_out', 'max_out'],
  QuantizedBiasAdd: ['output', 'min_out', 'max_out'],
  QuantizedRelu: ['activations', 'min_activations', 'max_activations'],
  QuantizedRelu6: ['activations', 'min_activations', 'max_activations'],
  QuantizedReshape: ['output', 'output_min', 'output_max'],
  QuantizedMaxPool: ['output', 'min_output', 'max_output'],
  QuantizedAvgPool: ['output', 'min_output', 'max_output'],
  QuantizedConcat: ['output', 'output_min', 'output_max'],
  RequantizationRange: ['output_min', 'output_max'],
  Requantize: ['output', 'output_min', 'output_max'],
  QuantizeDownAndShrinkRange: ['output', 'output_min', 'output_max'],
  Svd: ['s', 'u', 'v'],
  Qr: ['q', 'r'],
  LogMatrixDeterminant: ['sign', 'log_abs_determinant'],
  SparseFillEmptyRows: ['output_indices', 'output_values', 'empty_row_indicator', 'reverse_index_map'],
  SparseReshape: ['output_indices', 'output_shape'],
  DecodeWav: ['audio', 'sample_rate'],
  ListDiff: ['out', 'idx'],
  CTCGreedyDecoder: ['decoded_indices', 'decoded_values', 'decoded_shape', 'log_probability'],
  NonMaxSuppressionV4: ['selected_indices', 'valid_outputs'],
  NonMaxSuppressionV5: ['selected_indices', 'selected_scores', 'valid_outputs'],
  CombinedNonMaxSuppression: ['nmsed_boxes', 'nmsed_scores', 'nmsed_classes', 'valid_detections'],
};

/**
 * The flat output index of `node`'s output `arg:index`, or undefined when the op has several
 * output arguments that graft does not know.
 */
export function flatOutputIndex(node: Node, arg: string, index: number): number | undefined {
  const args = MULTI[node.op];
  if (!args) return index;
  const at = args.indexOf(arg);
  return at < 0 ? undefined : at + index;
}

