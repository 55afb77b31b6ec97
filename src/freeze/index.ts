/** Freezing: variables to constants, TF2 function inlining, `extract_sub_graph`. */
export { freezeMetaGraph, type FreezeOptions, type FreezeResult } from './freeze';
export { freezeGraph, isStateUpdateOp, VARIABLE_OPS, type FreezeGraphOptions, type FreezeGraphResult, type ConvertedVariable } from './tf1';
export { extractSubGraph, nodeNameOf } from './extract';
export { inlineFunctionCalls, pruneLibrary, type InlineOptions, type InlineResult } from '../ir/inline';
export { objectGraphVariableKeys, objectGraphVariableValues } from './object-graph';
export { tf1VariableValues, saverVariableKeys } from './variable-keys';
