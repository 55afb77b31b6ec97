/**
 * The browser side of test/package/browser.test.ts, bundled by the test for `platform: 'browser'`:
 * tells graft where the wasm binaries are served (`setWasmPaths`), fetches the model files from the test's server,
 * runs the scenario and posts the result (or the error) back to the server as JSON.
 */
// `tf-graft/runtime`: where the wasm binaries are served from, before the first run (fold_constants runs graphs too).
import { setWasmPaths } from '../../../src/runtime-entry';
import { SCENARIO_FILES, runScenario } from './scenario';

// The few DOM globals the page uses (the project type-checks without the DOM library, so that
// nothing in src can lean on it unnoticed).
declare const window: {
  addEventListener(type: 'error' | 'unhandledrejection', listener: (ev: { error?: unknown; message?: string; reason?: unknown }) => void): void;
};
declare const navigator: { readonly userAgent: string };

const b64 = (bytes: Uint8Array): string => {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
};

let posted = false;
async function post(body: unknown): Promise<void> {
  if (posted) return;
  posted = true;
  await fetch('/result', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

const fail = (e: unknown) => void post({ error: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e) });
window.addEventListener('error', (ev) => fail(ev.error ?? ev.message));
window.addEventListener('unhandledrejection', (ev) => fail(ev.reason));

async function main(): Promise<void> {
  setWasmPaths('/wasm/');
  const read = async (file: (typeof SCENARIO_FILES)[number]): Promise<Uint8Array> => {
    const res = await fetch(`/models/${file}`);
    if (!res.ok) throw new Error(`GET /models/${file}: ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  };
  const r = await runScenario(read);
  await post({
    userAgent: navigator.userAgent,
    nodesBefore: r.nodesBefore,
    nodesAfter: r.nodesAfter,
    backend: r.backend,
    verification: r.verification,
    output: { dtype: r.output.dtype, shape: r.output.shape, bytes: b64(r.output.bytes) },
    pipelineGraphDef: b64(r.pipelineGraphDef),
    savedModelPb: b64(r.savedModelPb),
  });
}

main().catch(fail);
