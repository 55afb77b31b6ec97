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
export { parseBoolParam, parseDTypeParam, parseFloatParam, parseIgnoreErrors, parseIntParam, parseShapeParam } from './param-text';
export {
  formatCaret,
  paramsToMap,
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
  type ConvertedParams,
} from './params';
export { parsePipeline, Pipeline, pipeline, resolvePipeline, resolveStep, type PipelineStep, type ResolvedStep, type StepOptions, type StepParams } from './pipeline';
export { runPipeline, type PipelineHooks, type PipelineResult, type RunOptions, type StepInfo, type StepResult } from './runner';
export { formatReport, type PipelineReport, type StepReport } from './report';
export { generateTransformDocs } from './docs';
