/**
 * Every built-in transform, by its exported name: the one list of them. `index.ts` derives
 * `builtinTransforms` from it, and the core re-exports it, so a new transform is added here once.
 */
export { addDefaultAttributes } from './add-default-attributes';
export { backportConcatV2 } from './backport-concatv2';
export { backportTensorArrayV3 } from './backport-tensor-array-v3';
export { flattenAtrousConv } from './flatten-atrous-conv';
export { foldBatchNorms } from './fold-batch-norms';
export { foldConstants } from './fold-constants';
export { foldOldBatchNorms } from './fold-old-batch-norms';
export { freezeRequantizationRanges } from './freeze-requantization-ranges';
export { fusePadAndConv } from './fuse-pad-and-conv';
export { fuseResizeAndConv } from './fuse-resize-and-conv';
export { fuseResizePadAndConv } from './fuse-resize-pad-and-conv';
export { inlinePartitionedCall } from './inline-partitionedcall';
export { insertLogging } from './insert-logging';
export { mergeDuplicateNodes } from './merge-duplicate-nodes';
export { obfuscateNames } from './obfuscate-names';
export { quantizeNodes } from './quantize-nodes';
export { quantizeWeights } from './quantize-weights';
export { removeAttribute } from './remove-attribute';
export { removeControlDependencies } from './remove-control-dependencies';
export { removeDevice } from './remove-device';
export { removeNodes } from './remove-nodes';
export { renameAttribute } from './rename-attribute';
export { renameNode } from './rename-node';
export { renameOp } from './rename-op';
export { roundWeights } from './round-weights';
export { setDevice } from './set-device';
export { sortByExecutionOrder } from './sort-by-execution-order';
export { sparsifyGather } from './sparsify-gather';
export { stripUnusedNodes } from './strip-unused-nodes';
