/** optimize's report names the tfjs backend that folded constants and verified, and why it is not wasm. */
import { describe, expect, it } from 'vitest';
import { buildExampleModel } from '../../examples/tiny-model';
import { writeCheckpoint } from '../../src/io/checkpoint';
import { joinChunks } from '../../src/io/chunks';
import { encodeSavedModelChunks } from '../../src/io/saved-model';
import { optimizeInMemory } from '../../src/workflow/optimize';
import { formatOptimizeReport } from '../../src/workflow/report';

function exampleFiles(): Map<string, Uint8Array> {
  const { savedModel, checkpoint } = buildExampleModel();
  const { index, shards } = writeCheckpoint(checkpoint);
  return new Map([
    ['saved_model.pb', joinChunks(encodeSavedModelChunks(savedModel))],
    ['variables/variables.index', index],
    ['variables/variables.data-00000-of-00001', shards[0]!],
  ]);
}

describe('the backend in the optimize report', () => {
  it('is wasm by default, without a text line', async () => {
    const { report } = await optimizeInMemory(exampleFiles());
    expect(report.verification!.status).toBe('pass');
    expect(report.backend).toBe('wasm');
    expect(report.backendReason).toBeNull();
    expect(formatOptimizeReport(report)).not.toMatch(/^backend:/m);
  }, 60_000);

  it('is cpu when asked for, with a line saying so; the files are the same bytes as on wasm', async () => {
    const wasm = await optimizeInMemory(exampleFiles());
    const { report, files } = await optimizeInMemory(exampleFiles(), { backend: 'cpu' });
    expect(report.backend).toBe('cpu');
    expect(report.backendReason).toBe('asked for');
    expect(formatOptimizeReport(report)).toMatch(/^backend: cpu \(asked for\): constants were folded and outputs compared on it$/m);
    expect([...files.keys()]).toEqual([...wasm.files.keys()]);
    for (const [k, v] of files) expect(Buffer.from(v).equals(Buffer.from(wasm.files.get(k)!)), k).toBe(true);
  }, 60_000);

  it('is null when nothing ran on the runtime', async () => {
    const { report } = await optimizeInMemory(exampleFiles(), { transforms: 'strip_unused_nodes', verify: false });
    expect(report.backend).toBeNull();
    expect(report.backendReason).toBeNull();
  }, 60_000);
});
