/**
 * Running TensorFlow graphs in pure JS, with TensorFlow's op semantics, on tfjs.
 *
 * tfjs is loaded lazily (dynamic `import()` in `tfjs.ts`), so nothing outside the runtime pays
 * for it. The wasm backend is the default; the pure-JS cpu backend is the fallback.
 *
 * Where things are: `session.ts` (sessions, `runGraph`, `evaluateNode`), `missing-kernels.ts`
 * (`missingKernels`, over the built-in kernels' op names in `kernel-ops.ts`),
 * `executor.ts` (running a program), `program.ts` (graphs and functions as programs),
 * `kernel.ts` (the kernel contract and maps), `kernels/` (one file per op family),
 * `values.ts` (tensors as the runtime holds them), `feeds.ts` (seeded inputs).
 *
 * @example
 * ```ts
 * const [y] = await runGraph(graph, { x: makeTensor('float', [1], [3]) }, ['y']);
 * const s = await createSession(graph, { variables: variablesFromCheckpoint(ckpt) });
 * const [out] = await s.run({ 'x:0': input }, ['dense/BiasAdd:0']);
 * s.dispose();
 * ```
 */
export { activeBackend, setWasmPaths, wasmStartFailure, type Backend, type WasmPaths } from './tfjs';
export type { Kernel, KernelContext, KernelOutput, KernelRegistry, RuntimeLimits } from './kernel';
export { DEFAULT_MAX_TENSOR_BYTES, DEFAULT_MAX_LOOP_ITERATIONS } from './kernel';
export type { Value } from './values';
export { variablesFromCheckpoint, savedModelVariables } from './variables';
export { seededFeeds } from './feeds';
export { memoryFiles, type MemoryFiles } from './memory-files';
export { createKernelRegistry, createSession, evaluateNode, missingKernels, runGraph, type RuntimeOptions, type Session } from './session';
