/**
 * Lazy loading of tfjs. This is the only module in src that loads `@tensorflow/*`, and it does so
 * with dynamic `import()`, so reading, writing and transforming graphs never pays for tfjs.
 *
 * wasm is the default backend (about 30x faster than the pure-JS cpu backend on a small CNN);
 * when it fails to initialise (no WebAssembly, binaries not found) the cpu backend is used.
 */
import type * as tfcore from '@tensorflow/tfjs-core';
import { GraftError } from '../errors';

/** The tfjs-core module type, as kernels see it. */
export type TF = typeof tfcore;
export type Backend = 'wasm' | 'cpu';

let corePromise: Promise<TF> | undefined;
let cpuReady: Promise<void> | undefined;
let wasmReady: Promise<boolean> | undefined;

async function loadCore(): Promise<TF> {
  corePromise ??= import('@tensorflow/tfjs-core').then((m) => {
    // CJS interop: the namespace may sit on `default`.
    const tf = ((m as unknown as { default?: TF }).default ?? m) as TF;
    loaded = tf;
    return tf;
  });
  return corePromise;
}

let loaded: TF | undefined;

/** The tfjs module, once some runtime call has loaded it (sync code holding a tfjs tensor may use it). */
export function loadedTF(): TF {
  if (!loaded) throw new GraftError('runtime/failed', 'tfjs is not loaded yet');
  return loaded;
}

async function initCpu(tf: TF): Promise<void> {
  cpuReady ??= import('@tensorflow/tfjs-backend-cpu').then(() => {
    // The cpu backend prints a "use tfjs-node" banner on first use; library code never writes
    // to the console, so the banner is marked as already shown.
    const cpu = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
    if (cpu) cpu.firstUse = false;
  });
  return cpuReady;
}

/** Where the wasm backend's `.wasm` files are served from (a URL prefix, or file name → URL). */
export type WasmPaths = string | { readonly [file: string]: string };

let wasmPathsGiven: WasmPaths | undefined;

/**
 * Says where the wasm backend's binaries are served from, before it starts (a browser or bundler
 * that does not serve them next to the script). Node needs no call: the backend finds them in its
 * own package. Changing it after the backend has started has no effect.
 */
export function setWasmPaths(paths: WasmPaths): void {
  wasmPathsGiven = paths;
}

/** The wasmPaths a failed wasm start was given, and why it failed: a later, different wasmPaths tries again. */
let wasmFailedWith: { paths: WasmPaths | undefined; reason: string } | undefined;

/** Why the wasm backend could not start (the last attempt), or undefined when it did or was not tried. */
export function wasmStartFailure(): string | undefined {
  return wasmFailedWith?.reason;
}

async function initWasm(tf: TF): Promise<boolean> {
  let earlier: string | undefined;
  if (wasmFailedWith !== undefined && wasmFailedWith.paths !== wasmPathsGiven) {
    // The start failed (e.g. a graph ran before wasmPaths was given): try again with the new paths.
    earlier = wasmFailedWith.reason;
    wasmReady = undefined;
    wasmFailedWith = undefined;
  }
  wasmReady ??= (async () => {
    const paths = wasmPathsGiven;
    try {
      const wasm = (await import('@tensorflow/tfjs-backend-wasm')) as unknown as {
        setWasmPaths?: (p: WasmPaths) => void;
        default?: { setWasmPaths?: (p: WasmPaths) => void };
      };
      // Node (ESM or CJS) loads the package's node build, which reads the binaries beside itself;
      // a browser gets them from the page's folder unless told otherwise.
      const setPaths = wasm.setWasmPaths ?? wasm.default?.setWasmPaths;
      if (wasmPathsGiven !== undefined && setPaths) setPaths(wasmPathsGiven);
      const ok = await tf.setBackend('wasm');
      if (!ok) wasmFailedWith = { paths, reason: paths === undefined ? 'its .wasm binaries could not be loaded (no wasmPaths given)' : 'its .wasm binaries could not be loaded from the wasmPaths given' };
      return ok;
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      // tfjs-backend-wasm takes no new paths once a start has aborted (binaries not found).
      const refused = earlier !== undefined && /already initialized/i.test(message);
      wasmFailedWith = {
        paths,
        reason: refused
          ? `it failed to start before these wasmPaths were given (${earlier}), and tfjs-backend-wasm takes no new paths after a failed start: call setWasmPaths before the first graph run (fold_constants and verification run graphs)`
          : message,
      };
      return false;
    }
  })();
  return wasmReady;
}

/**
 * Loads tfjs and selects a backend. Returns the module and the backend actually in use
 * (wasm falls back to cpu when it cannot start).
 */
export async function loadTF(backend: Backend = 'wasm', opts: { wasmPaths?: WasmPaths } = {}): Promise<{ tf: TF; backend: Backend }> {
  if (opts.wasmPaths !== undefined) setWasmPaths(opts.wasmPaths);
  let tf: TF;
  try {
    tf = await loadCore();
    await initCpu(tf);
  } catch (e) {
    throw new GraftError('runtime/failed', `Cannot load tfjs: ${(e as Error).message}`, {
      cause: e,
      hint: 'The runtime needs @tensorflow/tfjs-core and @tensorflow/tfjs-backend-cpu (and -wasm for speed).',
    });
  }
  if (backend === 'wasm') {
    if (tf.getBackend() === 'wasm') return { tf, backend: 'wasm' };
    if (await initWasm(tf)) {
      if (tf.getBackend() !== 'wasm') await tf.setBackend('wasm');
      return { tf, backend: 'wasm' };
    }
  }
  if (tf.getBackend() !== 'cpu') await tf.setBackend('cpu');
  await tf.ready();
  return { tf, backend: 'cpu' };
}

/** The backend a run asking for `backend` gets (wasm falls back to cpu when it cannot start). */
export async function activeBackend(backend: Backend = 'wasm'): Promise<Backend> {
  return (await loadTF(backend)).backend;
}

/**
 * Makes `backend` current before running: sessions on different backends may be alive at the same
 * time, and tfjs has one global backend.
 */
export async function useBackend(tf: TF, backend: Backend): Promise<void> {
  if (tf.getBackend() !== backend) await tf.setBackend(backend);
}
