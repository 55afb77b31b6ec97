/**
 * tf-graft/runtime: running TensorFlow graphs on tfjs (wasm by default, the pure-JS cpu backend
 * when wasm cannot start), with TensorFlow's op semantics. Browser-safe: in a page, say where the
 * `.wasm` files are served with `wasmPaths` (or `setWasmPaths`). tfjs is loaded on first use.
 */
export {
  createSession,
  runGraph,
  evaluateNode,
  missingKernels,
  createKernelRegistry,
  type RuntimeOptions,
  type Session,
} from './runtime/session';
export { setWasmPaths, type Backend, type WasmPaths } from './runtime/tfjs';
export { DEFAULT_MAX_TENSOR_BYTES, DEFAULT_MAX_LOOP_ITERATIONS, type Kernel, type KernelContext, type KernelOutput, type KernelRegistry, type RuntimeLimits } from './runtime/kernel';
export type { Value } from './runtime/values';
export { variablesFromCheckpoint, savedModelVariables } from './runtime/variables';
export { seededFeeds } from './runtime/feeds';
export { memoryFiles, type MemoryFiles } from './runtime/memory-files';
