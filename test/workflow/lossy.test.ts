/**
 * `optimize` with lossy pipelines (quantize_weights, quantize_nodes): the result is written and the
 * report says what it saves and costs (size ratio, max/mean |diff|, top-1 agreement over a seeded
 * batch, latency with a benchmark); thresholds (`maxDiff`, `minAgreement`) make it fail with no
 * output directory; a lossless pipeline still fails strictly on a transform that moves the numbers
 * without declaring itself lossy.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeMnistCnn } from '../../examples/mnist-cnn';
import { optimizeCommand } from '../../src/cli/commands/optimize';
import { invokeCommand } from '../helpers/cli';
import { isGraftError } from '../../src/errors';
import { attr } from '../../src/ir/attr';
import { baseDType } from '../../src/ir/dtype';
import { mapNodes, setAttrs } from '../../src/ir/edit';
import { makeTensor, numElements, tensorToNumbers } from '../../src/ir/tensor';
import { defineTransform } from '../../src/transform/define';
import { generateTransformDocs } from '../../src/transform/docs';
import { createRegistry } from '../../src/transform/registry';
import { optimize } from '../../src/workflow/optimize-files';
import { formatOptimizeReport } from '../../src/workflow/report';
import { HAVE_MODELS, SKIP_REASON, modelPath } from '../helpers/models';

const ARTICLE = 'remove_nodes(op=Identity) merge_duplicate_nodes strip_unused_nodes fold_constants(ignore_errors=true) fold_batch_norms fold_old_batch_norms';
const WEIGHTS = `${ARTICLE} quantize_weights`;
const NODES = `${ARTICLE} quantize_nodes strip_unused_nodes`;

let tmp: string;
let cnn: string;
beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'graft-lossy-'));
  cnn = path.join(tmp, 'mnist-cnn');
  await writeMnistCnn(cnn);
}, 60_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * Multiplies every float Const of 16 or more elements by `factor`: a deliberately wrong transform,
 * declared lossy or not.
 */
function scaleWeights(lossy: boolean, factor = 1.05) {
  return defineTransform({
    name: lossy ? 'scale_weights_lossy' : 'scale_weights',
    summary: 'Test only: scales large float constants.',
    params: {},
    ...(lossy ? { lossy: true } : {}),
    apply(graph) {
      return mapNodes(graph, (node) => {
        const v = node.attrs['value'];
        if (node.op !== 'Const' || v?.kind !== 'tensor' || baseDType(v.value.dtype) !== 'float' || numElements(v.value.shape) < 16) return node;
        return setAttrs(node, { value: attr.tensor(makeTensor('float', v.value.shape, tensorToNumbers(v.value).map((x) => x * factor))) });
      });
    },
  });
}

describe('the lossy flag', () => {
  it('is set on quantize_weights, quantize_nodes and round_weights only, and shown in the reference', () => {
    const r = createRegistry();
    const lossy = r.list().filter((t) => t.lossy === true).map((t) => t.name);
    expect(lossy.sort()).toEqual(['quantize_nodes', 'quantize_weights', 'round_weights'].filter((n) => r.has(n)));
    const docs = generateTransformDocs(r);
    const section = (name: string) => docs.slice(docs.indexOf(`## ${name}\n`), docs.indexOf('\n## ', docs.indexOf(`## ${name}\n`) + 1));
    expect(section('quantize_weights')).toMatch(/^Lossy: yes/m);
    expect(section('fold_constants')).not.toMatch(/Lossy/);
  });
});

describe('optimize on the MNIST CNN example with lossy pipelines', () => {
  it('quantize_weights: written, ~4x smaller, outputs measured not gated, agreement reported', async () => {
    const out = path.join(tmp, 'cnn-weights');
    const { report } = await optimize(cnn, out, { transforms: WEIGHTS, agreementBatch: 64 });
    expect(existsSync(path.join(out, 'saved_model.pb'))).toBe(true);
    expect(report.verification).toBeNull();
    const c = report.cost!;
    expect(c.lossySteps).toEqual(['quantize_weights']);
    expect(c.status).toBe('measured');
    expect(c.sizeRatio).toBeGreaterThanOrEqual(3.5);
    expect(c.sizeRatio).toBeCloseTo(report.stages.original.totalBytes / report.stages.optimized.totalBytes, 10);
    expect(c.weightRatio).toBeGreaterThanOrEqual(3.9);
    expect(c.weightRatio).toBeLessThanOrEqual(4);
    // The outputs moved (quantization is not free) but little: softmax probabilities in [0, 1].
    expect(c.maxAbsDiff).toBeGreaterThan(1e-5);
    expect(c.maxAbsDiff).toBeLessThan(0.05);
    expect(c.meanAbsDiff).toBeGreaterThan(0);
    expect(c.meanAbsDiff).toBeLessThanOrEqual(c.maxAbsDiff);
    // Both signatures, both outputs; probabilities is the class-score output, classes is int64.
    expect(c.outputs.map((o) => `${o.signature}/${o.output} ${o.dtype}`).sort()).toEqual([
      'predict/classes int64',
      'predict/probabilities float',
      'serving_default/classes int64',
      'serving_default/probabilities float',
    ]);
    const probs = c.outputs.find((o) => o.output === 'probabilities')!;
    expect(probs.shape).toEqual([64, 10]);
    expect(probs.elements).toBe(640);
    expect(probs.agreement!.total).toBe(64);
    expect(c.outputs.find((o) => o.output === 'classes')!.agreement).toBeUndefined();
    // predict and serving_default are the same signature: pooled once.
    expect(c.agreement!.total).toBe(64);
    expect(c.agreement!.rate).toBeGreaterThanOrEqual(0.9);
    expect(c.agreement!.rate).toBeLessThanOrEqual(1);
    // The class ids agree exactly where the top-1 of the probabilities does.
    expect(c.outputs.find((o) => o.output === 'classes')!.equalFraction).toBeCloseTo(c.agreement!.rate, 10);
    expect(c.latency).toBeNull();
    const text = formatOptimizeReport(report);
    expect(text).toMatch(/^quantization: \d\.\d\dx smaller model \(.*\), max \|diff\| [\d.e-]+, mean \|diff\| [\d.e-]+, top-1 agreement [\d.]+% \(64 seeded inputs, \d+ distinct top-1 class(es)?\)$/m);
    expect(text).toMatch(/^verify: MEASURED, not gated \(lossy steps: quantize_weights;/m);
    expect(text).not.toMatch(/verify: PASS/);
    // JSON carries it as is.
    expect(JSON.parse(JSON.stringify(report)).cost.sizeRatio).toBeCloseTo(c.sizeRatio, 10);
  }, 120_000);

  it('quantize_nodes: written, outputs measured, runs on the quantized kernels', async () => {
    const out = path.join(tmp, 'cnn-nodes');
    const { report, graph } = await optimize(cnn, out, { transforms: NODES, agreementBatch: 16 });
    expect(existsSync(path.join(out, 'saved_model.pb'))).toBe(true);
    expect(graph.nodes.some((n) => n.op === 'QuantizedConv2D')).toBe(true);
    const c = report.cost!;
    expect(c.lossySteps).toEqual(['quantize_nodes']);
    expect(c.status).toBe('measured');
    expect(c.skipped).toEqual([]);
    expect(c.maxAbsDiff).toBeGreaterThan(1e-5);
    expect(c.maxAbsDiff).toBeLessThan(0.1);
    expect(c.agreement!.total).toBe(16);
    expect(c.agreement!.rate).toBeGreaterThanOrEqual(0.9);
    // Weights stay float Consts: quantize_nodes alone does not shrink them.
    expect(c.weightRatio).toBeGreaterThan(0.95);
    expect(c.weightRatio).toBeLessThan(1.05);
  }, 180_000);

  it('with a benchmark: latency before and after, the speedup their ratio', async () => {
    const out = path.join(tmp, 'cnn-bench');
    const { report } = await optimize(cnn, out, { transforms: WEIGHTS, agreementBatch: 8, bench: { batch: 4, runs: 3, warmup: 1 } });
    const l = report.cost!.latency!;
    expect(l.batch).toBe(4);
    expect(l.before).toBe(report.bench!.models[0]!.median);
    expect(l.after).toBe(report.bench!.models[1]!.median);
    expect(l.speedup).toBeCloseTo(l.before / l.after, 10);
    expect(formatOptimizeReport(report)).toMatch(/, latency [\d.,]+ ms → [\d.,]+ ms \(\d+\.\d\dx, batch 4\)$/m);
  }, 120_000);

  it('fails past --max_diff or below --min_agreement, writing nothing; passes within them', async () => {
    const out = path.join(tmp, 'cnn-gated');
    const e = await optimize(cnn, out, { transforms: WEIGHTS, agreementBatch: 8, maxDiff: 1e-6 }).catch((x: unknown) => x);
    expect(isGraftError(e) && e.code).toBe('verify/mismatch');
    expect((e as Error).message).toMatch(/costs more than allowed \(lossy steps: quantize_weights\): predict\/probabilities: max \|diff\| [\d.e-]{1,9} > 0\.000001; .*nothing was written/);
    expect(existsSync(out)).toBe(false);

    // An agreement above 100% cannot be met... and a fraction above 1 is refused as a bad option.
    const bad = await optimize(cnn, out, { transforms: WEIGHTS, minAgreement: 95 }).catch((x: unknown) => x);
    expect(isGraftError(bad) && bad.code).toBe('optimize/bad-option');
    expect(isGraftError(bad) && bad.hint).toMatch(/write 0\.95/);
    expect(existsSync(out)).toBe(false);

    const { report } = await optimize(cnn, out, { transforms: WEIGHTS, agreementBatch: 8, maxDiff: 0.05, minAgreement: 0.5 });
    expect(report.cost!.status).toBe('pass');
    expect(report.cost!.thresholds).toEqual({ maxDiff: 0.05, minAgreement: 0.5 });
    expect(formatOptimizeReport(report)).toMatch(/^verify: PASS: max \|diff\| <= 0\.05, top-1 agreement >= 50\.0%/m);
    expect(existsSync(path.join(out, 'saved_model.pb'))).toBe(true);
  }, 120_000);

  it('a lossless pipeline still fails strictly on a transform that moves the numbers; declared lossy, it is measured', async () => {
    const registry = createRegistry().extend([scaleWeights(false), scaleWeights(true)]);
    const strict = path.join(tmp, 'cnn-strict');
    const e = await optimize(cnn, strict, { transforms: `${ARTICLE} scale_weights`, registry }).catch((x: unknown) => x);
    expect(isGraftError(e) && e.code).toBe('verify/mismatch');
    expect((e as Error).message).toMatch(/beyond \|b - a\| <= 1e-5 \+ 1e-4 \* \|a\|/);
    expect(existsSync(strict)).toBe(false);

    const measured = path.join(tmp, 'cnn-declared');
    const { report } = await optimize(cnn, measured, { transforms: `${ARTICLE} scale_weights_lossy`, registry, agreementBatch: 8 });
    expect(report.verification).toBeNull();
    expect(report.cost!.lossySteps).toEqual(['scale_weights_lossy']);
    expect(report.cost!.maxAbsDiff).toBeGreaterThan(1e-4);
    expect(formatOptimizeReport(report)).toMatch(/^lossy pipeline: \d+\.\d\dx smaller model/m);

    // A lossless pipeline that does not move the numbers has no cost section.
    const { report: plain } = await optimize(cnn, path.join(tmp, 'cnn-plain'), { transforms: ARTICLE });
    expect(plain.cost).toBeNull();
    expect(plain.verification!.status).toBe('pass');
  }, 180_000);
});

describe.skipIf(!HAVE_MODELS)(`lossy optimize on real SavedModels (${HAVE_MODELS ? 'models present' : SKIP_REASON})`, () => {
  it('tfdeploy_tf_mnist_tf1131 with quantize_weights: measured, and min_agreement 1 fails it', async (ctx) => {
    const model = modelPath('tfdeploy_tf_mnist_tf1131');
    if (!existsSync(model)) return ctx.skip('tfdeploy_tf_mnist_tf1131 is not in the shared models');
    const out = path.join(tmp, 'tfdeploy-weights');
    const { report } = await optimize(model, out, { transforms: WEIGHTS });
    const c = report.cost!;
    expect(existsSync(path.join(out, 'saved_model.pb'))).toBe(true);
    expect(c.sizeRatio).toBeGreaterThanOrEqual(3.5);
    expect(c.weightRatio).toBeGreaterThanOrEqual(3.9);
    expect(c.batch).toBe(256);
    expect(c.agreement!.total).toBe(256);
    // Observed 99.2% (254/256) over 3 distinct classes; the floor leaves margin.
    expect(c.agreement!.rate).toBeGreaterThanOrEqual(0.95);
    expect(c.agreement!.rate).toBeLessThanOrEqual(1);
    expect(c.agreement!.classes).toBeGreaterThan(1);
    expect(c.maxAbsDiff).toBeGreaterThan(1e-4);
    expect(c.maxAbsDiff).toBeLessThan(0.05);

    if (c.agreement!.rate < 1) {
      const gated = path.join(tmp, 'tfdeploy-gated');
      const e = await optimize(model, gated, { transforms: WEIGHTS, minAgreement: 1 }).catch((x: unknown) => x);
      expect(isGraftError(e) && e.code).toBe('verify/mismatch');
      expect((e as Error).message).toMatch(/serving_default\/scores: top-1 agreement [\d.]+% \(\d+\/256\) < 100%/);
      expect(existsSync(gated)).toBe(false);
    }
  }, 120_000);
});

const run = (args: string[]) => invokeCommand(optimizeCommand, args);

describe('graft optimize flags for lossy pipelines', () => {
  it('--max_diff fails with exit 1 and no output; --json carries the cost', async () => {
    const out = path.join(tmp, 'cli-gated');
    const r = await run([cnn, out, `--transforms=${WEIGHTS}`, '--agreement_batch', '8', '--max_diff', '1e-7']);
    expect(r.code).toBe(1);
    expect(r.stderr.join('\n')).toMatch(/costs more than allowed/);
    expect(existsSync(out)).toBe(false);

    const ok = await run([cnn, out, `--transforms=${WEIGHTS}`, '--agreement_batch', '8', '--json']);
    expect(ok.code).toBe(0);
    const json = JSON.parse(ok.stdout.join('\n'));
    expect(json.cost.sizeRatio).toBeGreaterThanOrEqual(3.5);
    expect(json.cost.batch).toBe(8);
    expect(json.verification).toBeNull();
  }, 120_000);

  it('refuses thresholds without verification, and bad values', async () => {
    const out = path.join(tmp, 'cli-usage');
    const a = await run([cnn, out, '--transforms=quantize_weights', '--no-verify', '--max_diff', '0.1']);
    expect(a.code).not.toBe(0);
    expect(a.stderr.join('\n')).toMatch(/leave out --no-verify/);
    const b = await run([cnn, out, '--transforms=quantize_weights', '--max_diff', 'lots']);
    expect(b.stderr.join('\n')).toMatch(/--max_diff takes a number/);
    const c = await run([cnn, out, '--transforms=quantize_weights', '--agreement_batch', '0']);
    expect(c.stderr.join('\n')).toMatch(/agreement_batch must be an integer >= 1/);
    expect(existsSync(out)).toBe(false);
  });
});
