/**
 * tf-graft/node: what reads and writes files, on Node's file system (or a `FileSystem` given).
 * Everything on bytes and in-memory graphs is in the core (`tf-graft`).
 */
export { nodeFileSystem, writeFileAtomic, writeDirAtomic, type FileSystem, type OutputOptions } from './io/fs';
export { loadModel, readModelVariables, saveGraph, saveSavedModel, type LoadOptions, type SaveGraphOptions, type SaveSavedModelOptions } from './io/model-files';
export { readCheckpointFiles, writeCheckpointFiles } from './io/checkpoint/bundle-files';
export { summarize, summarizeLoaded } from './inspect/summarize-files';
export { summarizeWithSupport } from './verify/support-files';
export { freezeModel, freezeSavedModel } from './freeze/freeze-files';
export { exportSavedModel, type ExportSavedModelOptions } from './freeze/export-saved-model';
export { loadRunnable, runModel, compareModels, type RunnableModel, type SparseInputPart, type LoadRunnableOptions, type RunModelOptions, type ModelRun, type CompareModelsOptions } from './verify/runnable';
export { optimize } from './workflow/optimize-files';
export type { OptimizeDirOptions } from './workflow/optimize';
export { benchModels } from './workflow/bench-files';
export type { BenchModelsOptions } from './workflow/bench';
export { transformModel, savedModelKeepers, type TransformModelOptions, type TransformModelResult } from './workflow/transform-model';
export { diffModels } from './inspect/diff-files';
