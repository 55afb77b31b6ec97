/**
 * graft: read, transform, verify and write TensorFlow models in pure TypeScript.
 *
 * The public API, and nothing else.
 */
export { GraftError, isGraftError, type ErrorCode, type GraftErrorDetails } from './errors';

// the graph
export * from './ir/dtype';
export * from './ir/attr';
export * from './ir/tensor';
export * from './ir/node';
export * from './ir/graph';
export { graphBuilder, type GraphBuilder, type NodeOptions } from './ir/builder';
export { executionOrder, topologicalOrder, type ExecutionOrder } from './ir/topo';
export { validateGraph, type ValidationProblem, type ValidateOptions } from './ir/validate';
// editing the graph: what transforms use (see src/ir/rewrite.ts for the idiom)
export {
  mapNodes,
  filterNodes,
  withNodesIfChanged,
  updateNode,
  replaceInputs,
  controlsLast,
  dedupeControlInputs,
  removeAttrs,
  setAttrs,
  retargetColocation,
  protectedNodeNames,
} from './ir/edit';
export { findMatches, matchedNodes, replaceMatchingOpTypes, constAt, constValue, type OpTypePattern, type NodeMatch, type MatchContext, type ReplaceOptions } from './ir/match';
export { renameNodeInputs, inputRenamer, type Renames } from './ir/rename';
export { RewritePlan } from './ir/rewrite';
// shape inference: the dtype and static shape of every tensor (TensorFlow's shape functions)
export {
  inferShapes,
  inferFunctionShapes,
  opsWithShapeFns,
  formatDims,
  type InferredTensor,
  type InferShapesOptions,
  type FunctionShapes,
  type Dims,
} from './ir/shape-inference';
export { outputDType } from './ir/output-dtype';
export { opFacts, knownOp, knownOps, isStatefulOp, attrWithDefault, missingDefaultAttrs, type OpFacts } from './ir/op-facts';

// formats
export { encodeMessage, decodeMessage, parseTextMessage, printTextMessage, type MessageName } from './proto';
export { decodeGraphDef, encodeGraphDef, encodeGraphDefChunks, parseGraphDefText, printGraphDefText, readGraphDefBytes } from './io/graphdef';
export {
  decodeMetaGraph,
  encodeMetaGraph,
  decodeSavedModel,
  encodeSavedModelChunks,
  parseSavedModelText,
  printSavedModelText,
  findMetaGraph,
  type MetaGraph,
  type SavedModelProto,
  type Signature,
  type TensorInfo,
} from './io/saved-model';
export { mainGraph, type LoadedModel, type VariablesInfo } from './io/loaded-model';
export {
  readCheckpoint,
  writeCheckpoint,
  listCheckpointEntries,
  crc32c,
  maskCrc32c,
  unmaskCrc32c,
} from './io/checkpoint';
export type { Checkpoint, CheckpointEntry, CheckpointEntryInput, CheckpointHeader, CheckpointEntryInfo } from './io/checkpoint/bundle-format';
export { readNpy, writeNpy } from './io/npy';
export type { FileSystem } from './io/fs';
export { joinChunks, type Chunks } from './io/chunks';

// inspection
export {
  summarizeModel,
  formatSummary,
  humanReadableNum,
  unsupportedLines,
  type ModelSummary,
  type SummarizeOptions,
  type OpsWithoutKernel,
  type SignatureOpsWithoutKernel,
} from './inspect/summarize';
export {
  diffGraphs,
  diffLoadedModels,
  diffSignatures,
  formatGraphDiff,
  formatDiffSummary,
  summarizeAttr,
  type GraphDiff,
  type ModelDiff,
  type DiffSide,
  type DiffNode,
  type NodeChange,
  type AttrChange,
  type InputChanges,
  type FunctionChanges,
  type SignatureChanges,
  type DiffModelsOptions,
} from './inspect/diff';
export { showSavedModel, type ShowOptions } from './inspect/show';
export { showSavedModelData, type ShowData, type ShowMetaGraph, type ShowSignature, type ShowTensor } from './inspect/show-json';

// transforms
export * from './transform/index';
export * from './transforms/index';

// running graphs (tfjs is loaded on first use, not on import)
export {
  createSession,
  runGraph,
  evaluateNode,
  missingKernels,
  createKernelRegistry,
  variablesFromCheckpoint,
  savedModelVariables,
  seededFeeds,
  type RuntimeOptions,
  type Session,
  type Backend,
  type Kernel,
  type KernelContext,
  type KernelOutput,
  type KernelRegistry,
} from './runtime/index';

// freezing and converting back
export * from './freeze/index';
export {
  toSavedModel,
  remapSignatures,
  predictSignature,
  type ToSavedModelOptions,
} from './freeze/to-saved-model';

// verification
export * from './verify/index';

// workflows
export {
  optimizeInMemory,
  DEFAULT_OPTIMIZE_TRANSFORMS,
  DEFAULT_AGREEMENT_BATCH,
  type OptimizeOptions,
  type OptimizeResult,
  type OptimizeProgress,
} from './workflow/optimize';
export { bench, formatBench, latencyStats, type BenchOptions, type BenchReport, type BenchTarget, type LatencyStats } from './workflow/bench';
export {
  formatOptimizeReport,
  formatOpTable,
  opCountRows,
  opTypeCounts,
  type OpCountRow,
  type OptimizeReport,
  type ModelStats,
  type VerificationReport,
  type SignatureVerification,
  type SignatureVerdict,
  type CostReport,
  type OutputCost,
  type Agreement,
  type CostThresholds,
} from './workflow/report';
