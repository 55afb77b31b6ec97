/**
 * The transform framework: defining transforms, registries, the transform string, pipelines,
 * running them, reports and the generated reference.
 */
export {
  camelCase,
  defineTransform,
  param,
  type CamelCase,
  type Diagnostic,
  type ParamInput,
  type ParamKind,
  type ParamSchema,
  type ParamSpec,
  type ParamValueOf,
  type ParamValues,
  type Severity,
  type Transform,
  type TransformAlias,
  type TransformContext,
  type TransformDefinition,
} from './define';
export {
  formatCaret,
  paramsToMap,
  parseBoolParam,
  parseDTypeParam,
  parseFloatParam,
  parseIgnoreErrors,
  parseIntParam,
  parseShapeParam,
  parseTransforms,
  positionAt,
  printTransforms,
  TransformParseError,
  type ParamNode,
  type SourcePos,
  type TransformCall,
  type TransformList,
} from './syntax';
export { editDistance, nearestNames } from '../suggest';
export { createRegistry, type CreateRegistryOptions, type RegisterOptions, type Registry, type RegistryEntry } from './registry';
export {
  applyDefaults,
  convertCallParams,
  convertObjectParams,
  convertStringValue,
  convertTypedValue,
  formatParamValue,
  IGNORE_ERRORS,
  resolvePipeline,
  resolveStep,
  type ConvertedParams,
  type ResolvedStep,
} from './resolve';
export { parsePipeline, Pipeline, pipeline, type PipelineStep, type StepOptions, type StepParams } from './pipeline';
export { runPipeline, type PipelineHooks, type PipelineResult, type RunOptions, type StepInfo, type StepResult } from './runner';
export { formatReport, type PipelineReport, type StepReport } from './report';
export { generateTransformDocs } from './docs';
