/**
 * tf-graft, the core: read, transform, inspect and verify TensorFlow graphs in memory, in
 * Node or a browser (nothing here imports a Node built-in; test/architecture.test.ts checks it).
 *
 * The other entry points: `tf-graft/node` (files: loading and saving models, the jobs on paths),
 * `tf-graft/runtime` (running graphs), `tf-graft/testing` (for custom-transform authors).
 * docs/api.md lists every public name; anything else is internal.
 */
export { GraftError, isGraftError, type ErrorCode, type GraftErrorDetails } from './errors';
export type { Diagnostic, Severity } from './diagnostics';

// ---------------------------------------------------------------- the graph

export {
  BASE_DTYPES,
  baseDType,
  dtypeEnumName,
  dtypeFromEnum,
  dtypeNames,
  dtypeSize,
  dtypeToEnum,
  isFloatDType,
  isQuantizedDType,
  parseDType,
  type BaseDType,
  type DType,
  type RefDType,
  type UnknownDType,
} from './ir/dtype';
export { attr, attrEquals, attrText, formatShape, shapeOf, type AttrBytes, type AttrKind, type AttrList, type AttrValue, type FuncRef, type Int, type Shape } from './ir/attr';
export {
  makeTensor,
  makeStringTensor,
  makeValueTensor,
  numElements,
  tensorByteSize,
  tensorBytes,
  tensorStrings,
  tensorToArray,
  tensorToNumbers,
  type Tensor,
  type TensorArray,
  type TensorData,
} from './ir/tensor';
export {
  makeNode,
  parseInput,
  formatInput,
  canonicalInput,
  inputNodeName,
  isControlInput,
  dataInputs,
  controlInputs,
  tensorName,
  shortTensorName,
  type InputRef,
  type Node,
} from './ir/node';
export {
  makeGraph,
  withNodes,
  updateGraph,
  getNode,
  consumersOf,
  graphIndex,
  opCounts,
  type Consumer,
  type FunctionDef,
  type FunctionLibrary,
  type Graph,
  type GraphIndex,
  type Versions,
} from './ir/graph';
export { graphBuilder, type GraphBuilder, type NodeOptions } from './ir/builder';
export { executionOrder, topologicalOrder, type ExecutionOrder } from './ir/topo';
export { validateGraph, type ValidationProblem, type ValidateOptions } from './ir/validate';
export { inlineFunctionCalls, pruneLibrary, type InlineOptions, type InlineResult } from './ir/inline';

// editing the graph: what the built-in transforms use (docs/architecture.md, "How a transform edits a graph")
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

// what TensorFlow knows about ops: facts, shapes, dtypes
export { opFacts, knownOp, knownOps, isStatefulOp, attrWithDefault, missingDefaultAttrs, type OpFacts } from './ir/op-facts';
export {
  inferShapes,
  inferFunctionShapes,
  opsWithShapeFns,
  formatDims,
  type InferredTensor,
  type InferShapesOptions,
  type FunctionShapes,
  type Dims,
} from './ir/infer-shapes';
export { outputDType } from './ir/output-dtype';

// ---------------------------------------------------------------- formats, on bytes

export { encodeMessage, decodeMessage, parseTextMessage, printTextMessage, type MessageName } from './proto';
export { decodeGraphDef, encodeGraphDef, parseGraphDefText, printGraphDefText, readGraphDefBytes } from './io/graphdef';
export {
  decodeMetaGraph,
  encodeMetaGraph,
  decodeSavedModel,
  encodeSavedModel,
  parseSavedModelText,
  printSavedModelText,
  findMetaGraph,
  type MetaGraph,
  type SavedModelProto,
  type Signature,
  type TensorInfo,
} from './io/saved-model';
export { mainGraph, type LoadedModel, type VariablesInfo } from './io/loaded-model';
export { readCheckpoint, writeCheckpoint, listCheckpointEntries } from './io/checkpoint';
export type { Checkpoint, CheckpointEntry, CheckpointEntryInput, CheckpointHeader, CheckpointEntryInfo } from './io/checkpoint/bundle-format';
export { readNpy, writeNpy } from './io/npy';
export type { FileSystem } from './io/fs';

// ---------------------------------------------------------------- transforms

export {
  defineTransform,
  param,
  type ParamInput,
  type ParamKind,
  type ParamSchema,
  type ParamSpec,
  type ParamValues,
  type Transform,
  type TransformAlias,
  type TransformContext,
  type TransformDefinition,
} from './transform/define';
export { createRegistry, type CreateRegistryOptions, type RegisterOptions, type Registry, type RegistryEntry } from './transform/registry';
export { Pipeline, pipeline, parsePipeline, type PipelineStep, type StepOptions, type StepParams } from './transform/pipeline';
export { runPipeline, type PipelineHooks, type PipelineResult, type RunOptions, type StepInfo, type StepResult } from './transform/runner';
export { formatReport, type PipelineReport, type StepReport } from './transform/report';
// Every built-in transform by its exported name (listed once, in transforms/all.ts), and the list of them.
export * from './transforms/all';
export { builtinTransforms } from './transforms/index';

// ---------------------------------------------------------------- inspection

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

// ---------------------------------------------------------------- freezing and converting back

export { freezeMetaGraph, type FreezeOptions, type FreezeResult } from './freeze/freeze';
export { freezeGraph, type FreezeGraphOptions, type FreezeGraphResult, type ConvertedVariable } from './freeze/tf1';
export { extractSubGraph } from './freeze/extract';
export { toSavedModel, remapSignatures, predictSignature, type ToSavedModelOptions } from './freeze/to-saved-model';

// ---------------------------------------------------------------- verification (the runtime is loaded on first use)

export { DEFAULT_ATOL, DEFAULT_RTOL, compareTensors, type TensorComparison, type Tolerance } from './verify/tolerance';
export { placeholderSpecs, generateTensor, seededFeeds, type GenerateOptions, type PlaceholderSpec } from './ir/seeded-inputs';
export { generateFeeds, parseFeedSpec, readFeeds, tensorFromJson, type FeedSpec } from './verify/feeds';
export { compare, compareOutputs, formatCompareReport, type CompareOptions, type CompareReport, type FeedInfo, type OutputComparison } from './verify/compare';
export { runPipelineVerified, type StepVerification, type VerifiedReport, type VerifiedResult, type VerifiedRunOptions, type VerifyOptions } from './verify/verify-pipeline';
export { modelUnsupportedOps, opsWithoutKernel, signatureOpsWithoutKernel, stateUpdates, unsupportedOps, type StateUpdate } from './verify/support';
export { verifyCallSequence, type SequenceCall, type SequenceResult, type SequenceSide } from './verify/stateful';
export type { Backend } from './runtime/tfjs';

// ---------------------------------------------------------------- workflows on bytes

export { optimizeInMemory } from './workflow/optimize';
export {
  DEFAULT_OPTIMIZE_TRANSFORMS,
  DEFAULT_AGREEMENT_BATCH,
  type OptimizeOptions,
  type OptimizeResult,
  type OptimizeProgress,
} from './workflow/optimize-options';
export { bench, formatBench, latencyStats, type BenchOptions, type BenchReport, type BenchTarget, type LatencyStats } from './workflow/bench';
export {
  formatOptimizeReport,
  formatOpTable,
  opCountRows,
  opTypeCounts,
  type OptimizeReport,
  type ModelStats,
  type OpCountRow,
  type VerificationReport,
  type SignatureVerification,
  type SignatureVerdict,
  type CostReport,
  type OutputCost,
  type Agreement,
  type CostThresholds,
} from './workflow/report';
