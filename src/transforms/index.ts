/**
 * The built-in transforms, one declaration each, named after the transform (each documents where
 * graft differs from TensorFlow); the body of each is `apply/<name>.ts`, loaded on first use.
 */
import { type Transform, markBuiltinTransforms } from '../transform/define';
import { addDefaultAttributes } from './add-default-attributes';
import { backportConcatV2 } from './backport-concatv2';
import { backportTensorArrayV3 } from './backport-tensor-array-v3';
import { flattenAtrousConv } from './flatten-atrous-conv';
import { foldBatchNorms } from './fold-batch-norms';
import { foldConstants } from './fold-constants';
import { foldOldBatchNorms } from './fold-old-batch-norms';
import { freezeRequantizationRanges } from './freeze-requantization-ranges';
import { fusePadAndConv } from './fuse-pad-and-conv';
import { fuseResizeAndConv } from './fuse-resize-and-conv';
import { fuseResizePadAndConv } from './fuse-resize-pad-and-conv';
import { inlinePartitionedCall } from './inline-partitionedcall';
import { insertLogging } from './insert-logging';
import { mergeDuplicateNodes } from './merge-duplicate-nodes';
import { obfuscateNames } from './obfuscate-names';
import { quantizeNodes } from './quantize-nodes';
import { quantizeWeights } from './quantize-weights';
import { removeAttribute } from './remove-attribute';
import { removeControlDependencies } from './remove-control-dependencies';
import { removeDevice } from './remove-device';
import { removeNodes } from './remove-nodes';
import { renameAttribute } from './rename-attribute';
import { renameNode } from './rename-node';
import { renameOp } from './rename-op';
import { roundWeights } from './round-weights';
import { setDevice } from './set-device';
import { sortByExecutionOrder } from './sort-by-execution-order';
import { sparsifyGather } from './sparsify-gather';
import { stripUnusedNodes } from './strip-unused-nodes';

export {
  addDefaultAttributes,
  backportConcatV2,
  backportTensorArrayV3,
  flattenAtrousConv,
  foldBatchNorms,
  foldConstants,
  foldOldBatchNorms,
  freezeRequantizationRanges,
  fusePadAndConv,
  fuseResizeAndConv,
  fuseResizePadAndConv,
  inlinePartitionedCall,
  insertLogging,
  mergeDuplicateNodes,
  obfuscateNames,
  quantizeNodes,
  quantizeWeights,
  removeAttribute,
  removeControlDependencies,
  removeDevice,
  removeNodes,
  renameAttribute,
  renameNode,
  renameOp,
  roundWeights,
  setDevice,
  sortByExecutionOrder,
  sparsifyGather,
  stripUnusedNodes,
};

/** Every built-in transform, in alphabetical order of name. */
export const builtinTransforms: readonly Transform[] = [
  addDefaultAttributes,
  backportConcatV2,
  backportTensorArrayV3,
  flattenAtrousConv,
  foldBatchNorms,
  foldConstants,
  foldOldBatchNorms,
  freezeRequantizationRanges,
  fusePadAndConv,
  fuseResizeAndConv,
  fuseResizePadAndConv,
  inlinePartitionedCall,
  insertLogging,
  mergeDuplicateNodes,
  obfuscateNames,
  quantizeNodes,
  quantizeWeights,
  removeAttribute,
  removeControlDependencies,
  removeDevice,
  removeNodes,
  renameAttribute,
  renameNode,
  renameOp,
  roundWeights,
  setDevice,
  sortByExecutionOrder,
  sparsifyGather,
  stripUnusedNodes,
] as readonly Transform[];
markBuiltinTransforms(builtinTransforms);
