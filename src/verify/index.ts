/**
 * Numeric verification: run two graphs on the same inputs and compare their outputs, or check a
 * pipeline after every step. The runtime (tfjs) is loaded only when something runs.
 */
export { DEFAULT_ATOL, DEFAULT_RTOL, compareTensors, type TensorComparison, type Tolerance } from './tolerance';
export {
  type PlaceholderSpec,
  type GenerateOptions,
  type FeedSpec,
  placeholderSpecs,
  concreteShape,
  generateTensor,
  generateFeeds,
  parseFeedSpec,
  tensorFromJson,
  coerceFeed,
  readFeeds,
} from './feeds';
export { readFeedSource } from './read-feeds';
export {
  type CompareOptions,
  type CompareReport,
  type FeedInfo,
  type OutputComparison,
  compare,
  compareOutputs,
  formatCompareReport,
  formatDiff,
  resolveTolerance,
} from './compare';
export {
  type StepVerification,
  type VerifiedReport,
  type VerifiedResult,
  type VerifiedRunOptions,
  type VerifyOptions,
  runPipelineVerified,
} from './verify-pipeline';
export { type SequenceCall, type SequenceResult, type SequenceSide, verifyCallSequence } from './stateful';
export {
  type StateUpdate,
  INIT_SIGNATURE,
  modelUnsupportedOps,
  opsWithoutKernel,
  signatureOpsWithoutKernel,
  signatureTensorNames,
  stateUpdates,
  unsupportedOps,
} from './support';
