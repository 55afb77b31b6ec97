/**
 * A wasm backend that could not start is said, with the reason, and new wasmPaths given after the
 * failure are tried (tfjs-backend-wasm refuses them after an aborted start: then the reason says
 * to call setWasmPaths before the first run). Its own file: the backend's state is per process.
 */
import { describe, expect, it } from 'vitest';
import { attr } from '../../src/ir/attr';
import { makeTensor } from '../../src/ir/tensor';
import { activeBackend, createSession, setWasmPaths, wasmStartFailure } from '../../src/runtime';
import { runPipeline } from '../../src/transform/runner';
import { graphBuilder } from '../helpers/graph-builder';

describe('a failed wasm start', () => {
  it('falls back to cpu, says why, and says why new paths given later cannot help', async () => {
    expect(wasmStartFailure()).toBeUndefined();
    setWasmPaths('/nonexistent-graft-wasm-dir/');
    expect(await activeBackend('wasm')).toBe('cpu');
    expect(wasmStartFailure()).toBe('its .wasm binaries could not be loaded from the wasmPaths given');

    // fold_constants says it folded on cpu, and why.
    const b = graphBuilder();
    const two = b.const('two', makeTensor('float', [2], [4, 9]));
    const r = b.op('Rsqrt', [two], { T: attr.type('float') }, 'r');
    const x = b.placeholder('x', 'float', [2]);
    b.op('Mul', [x, r], { T: attr.type('float') }, 'y');
    const { report } = await runPipeline(b.graph(), 'fold_constants', { inputs: ['x'], outputs: ['y'] });
    const said = report.diagnostics.find((d) => d.code === 'fold_constants/backend');
    expect(said?.message).toBe('Folded constants on the tfjs cpu backend (the wasm backend could not start: its .wasm binaries could not be loaded from the wasmPaths given)');

    // A session given the right paths retries; tfjs refuses new paths after an aborted start.
    const s = await createSession(b.graph(), { wasmPaths: `${process.cwd()}/node_modules/@tensorflow/tfjs-backend-wasm/dist/` });
    expect(s.backend).toBe('cpu');
    s.dispose();
    expect(wasmStartFailure()).toMatch(/^it failed to start before these wasmPaths were given \(its \.wasm binaries could not be loaded from the wasmPaths given\), and tfjs-backend-wasm takes no new paths after a failed start: call setWasmPaths before the first graph run/);
  });
});
