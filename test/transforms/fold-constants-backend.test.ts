/**
 * fold_constants writes the same bytes whichever tfjs backend evaluates the nodes, and says which
 * one did when it is not wasm.
 *
 * Found on the article pipeline over kws_cnn_s: the decomposed batch norm's `Rsqrt` (128 values)
 * came out 1 ulp apart on 35 of them, tfjs cpu computing the correctly rounded 1/sqrt(x) (in
 * float64, rounded once) and wasm the float32 sequence `1.0f / sqrtf(x)` (two roundings), which is
 * TensorFlow's float kernel outside its vectorised fast path (Eigen's `numext::rsqrt`; the AVX path
 * refines the CPU's rsqrt estimate by one Newton step, a value specific to the processor model).
 * The kernel now computes the float32 sequence on both backends.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { encodeGraphDef } from '../../src/io/graphdef';
import { loadModel } from '../../src/io/model-files';
import { makeNode } from '../../src/ir/node';
import { makeTensor, tensorToNumbers } from '../../src/ir/tensor';
import { activeBackend, evaluateNode } from '../../src/runtime';
import { runPipeline } from '../../src/transform/runner';
import { DEFAULT_OPTIMIZE_TRANSFORMS } from '../../src/workflow/optimize-options';
import { modelPath } from '../helpers/models';

const KWS = modelPath('kws_cnn_s', 'CNN_S.pb');
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** TensorFlow's float32 1/sqrt(x): sqrt rounded to float32, then the division rounded to float32. */
const rsqrtF32 = (x: number): number => Math.fround(1 / Math.fround(Math.sqrt(x)));

describe('Rsqrt on float32 is the same on cpu and wasm', () => {
  // Values of kws_cnn_s's bn3/batchnorm/add (variance + epsilon) where the backends disagreed, and
  // a spread of others.
  const xs = [0.12034043669700623, 0.0889771431684494, 0.11257247626781464, 1, 2, 3, 0.5, 1e-3, 7.5, 123.456, 1e-30, 3e38];
  for (let i = 1; i <= 500; i++) xs.push(Math.fround(i * 0.0137 + 1 / i));

  it('equals the float32 sequence 1.0f / sqrtf(x), which is not always the correctly rounded value', async () => {
    const x = makeTensor('float', [xs.length], xs);
    const expected = xs.map((v) => rsqrtF32(Math.fround(v)));
    // The test can fail: the correctly rounded value (tfjs cpu's own rsqrt) differs on some inputs.
    const roundedOnce = xs.map((v) => Math.fround(1 / Math.sqrt(Math.fround(v))));
    expect(roundedOnce.filter((v, i) => v !== expected[i]).length).toBeGreaterThan(10);
    expect(expected[0]).toBe(2.8826653957366943);
    expect(roundedOnce[0]).toBe(2.8826651573181152);
    const node = makeNode({ name: 'r', op: 'Rsqrt', inputs: ['x'] });
    for (const backend of ['cpu', 'wasm'] as const) {
      const [y] = await evaluateNode(node, [x], { backend });
      expect(tensorToNumbers(y!), backend).toEqual(expected);
    }
  });
});

describe.skipIf(!existsSync(KWS))(`fold_constants is backend-independent on kws_cnn_s (skipped when ${KWS} is absent)`, () => {
  it('the article pipeline writes identical bytes on cpu and wasm, and says when it folded on cpu', async () => {
    expect(await activeBackend('wasm'), 'the wasm backend starts under node').toBe('wasm');
    const model = await loadModel(KWS);
    if (model.kind !== 'graph-def') throw new Error(`expected a GraphDef, got ${model.kind}`);
    const opts = { inputs: ['wav_data'], outputs: ['labels_softmax'] };
    const wasm = await runPipeline(model.graph, DEFAULT_OPTIMIZE_TRANSFORMS, { ...opts, backend: 'wasm' });
    const cpu = await runPipeline(model.graph, DEFAULT_OPTIMIZE_TRANSFORMS, { ...opts, backend: 'cpu' });
    // Something was folded, the batch norm's Rsqrt included.
    expect(wasm.graph.nodes.some((n) => n.name.startsWith('bn3/batchnorm/Rsqrt'))).toBe(false);
    expect(model.graph.nodes.some((n) => n.name === 'bn3/batchnorm/Rsqrt')).toBe(true);
    expect(sha256(encodeGraphDef(cpu.graph))).toBe(sha256(encodeGraphDef(wasm.graph)));

    const codes = (r: typeof wasm) => r.report.diagnostics.map((d) => d.code);
    expect(codes(wasm)).not.toContain('fold_constants/backend');
    const said = cpu.report.diagnostics.find((d) => d.code === 'fold_constants/backend');
    expect(said?.message).toBe('Folded constants on the tfjs cpu backend');
  });
});
