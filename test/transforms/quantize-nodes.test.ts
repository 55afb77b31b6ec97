/**
 * quantize_nodes: TensorFlow's 22 tests from quantize_nodes_test.cc (spec §10.5), each checking
 * the structure TF's passes produce and, where TF runs the graphs, that the quantized graph's
 * outputs stay within TF's tolerance of the float graph's (run in graft's own quantized kernels).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { attr, type AttrValue } from '../../src/ir/attr';
import { type Graph, withNodes } from '../../src/ir/graph';
import { decodeGraphDef } from '../../src/io/graphdef';
import { makeNode } from '../../src/ir/node';
import { makeStringTensor, makeTensor, tensorToNumbers, type Tensor } from '../../src/ir/tensor';
import { createSession, runGraph } from '../../src/runtime';
import { seededRandom } from '../../src/runtime/feeds';
import { stripUnusedNodes } from '../../src/transforms/strip-unused-nodes';
import { floatToQuantized, quantizedTypeInfo } from '../../src/runtime/kernels/quantized';
import { quantizeNodes } from '../../src/transforms/quantize-nodes';
import {
  convertFakeQuantsToRequantize,
  hoistFakeQuants,
  mergeAdjacentRequantizes,
  quantizePlaceholders,
  removeRedundantQuantizations,
  uniqueInputName,
} from '../../src/transforms/apply/quantize-nodes';
import { run, runAsync, testContext } from '../helpers/context';
import { runPipeline } from '../../src/transform/runner';
import { formatReport } from '../../src/transform/report';
import { freezeRequantizationRanges } from '../../src/transforms/freeze-requantization-ranges';
import { freezeRequantizationRangesFromLog, parseRequantizationLog } from '../../src/transforms/apply/freeze-requantization-ranges';
import { graphBuilder, iota, nodeOf, snapshot } from '../helpers/graph-builder';
import { HAVE_MODELS, modelPath } from '../helpers/models';

const F = { T: attr.type('float') };
const ft = (shape: number[], values: number[]) => makeTensor('float', shape, values);
const iotaShape = (shape: number[], start = 1) => ft(shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => start + i));
const FORBIDDEN = ['BiasAdd', 'Concat', 'Conv2D', 'MatMul', 'Relu', 'Relu6', 'AvgPool', 'MaxPool'];
const ops = (g: Graph, op: string) => g.nodes.filter((n) => n.op === op);

/** TF's TestQuantizedVersusFloatGraph: run both graphs, compare, and check no float op of the table is left. */
async function quantizedVersusFloat(
  graph: Graph,
  outputs: string[],
  o: { feeds?: Record<string, Tensor>; quantizedFeeds?: Record<string, Tensor>; params?: Parameters<typeof run<typeof quantizeNodes.params>>[2]; tolerance?: number } = {},
): Promise<Graph> {
  const before = snapshot(graph);
  const { graph: q } = run(quantizeNodes, graph, o.params ?? {}, { inputs: Object.keys(o.feeds ?? {}), outputs });
  expect(snapshot(graph)).toBe(before);
  const want = await runGraph(graph, o.feeds ?? {}, outputs, { backend: 'cpu' });
  const got = await runGraph(q, o.quantizedFeeds ?? o.feeds ?? {}, outputs, { backend: 'cpu' });
  const tol = o.tolerance ?? 1.0;
  want.forEach((w, i) => {
    const a = tensorToNumbers(w);
    const b = tensorToNumbers(got[i]!);
    expect(got[i]!.shape).toEqual(w.shape);
    for (let k = 0; k < a.length; k++) expect(Math.abs(a[k]! - b[k]!), `${outputs[i]}[${k}]: float ${a[k]} vs quantized ${b[k]}`).toBeLessThanOrEqual(tol);
  });
  for (const n of q.nodes) expect(FORBIDDEN, `${n.name} is still ${n.op}`).not.toContain(n.op);
  return q;
}

function matMulGraph(m: number, n: number, k: number, a: number[], b: number[]): Graph {
  const g = graphBuilder();
  g.const('a_op', ft([m, k], a));
  g.const('b_op', ft([k, n], b));
  g.op('MatMul', ['a_op', 'b_op'], { ...F, transpose_a: attr.b(false), transpose_b: attr.b(false) }, 'mat_mul_op');
  return g.graph();
}

const conv = (strides: number, padding: string): Record<string, AttrValue> => ({
  ...F,
  strides: attr.list({ i: [1, strides, strides, 1] }),
  padding: attr.s(padding),
  data_format: attr.s('NHWC'),
  dilations: attr.list({ i: [1, 1, 1, 1] }),
  use_cudnn_on_gpu: attr.b(true),
});
const pool = { ...F, ksize: attr.list({ i: [1, 2, 2, 1] }), strides: attr.list({ i: [1, 1, 1, 1] }), padding: attr.s('SAME'), data_format: attr.s('NHWC') };

describe('quantize_nodes: TensorFlow tests (quantize_nodes_test.cc)', () => {
  it('Q1 TestQuantizeMatMulTiny (five cases, including min == max ranges)', async () => {
    const cases: [number, number, number, number[], number[]][] = [
      [1, 1, 1, [2], [3]],
      [1, 2, 1, [1], [2, 3]],
      [1, 1, 2, [1, 1], [1, 1]],
      [1, 1, 2, [0, 0], [1, 1]],
      [1, 1, 2, [1, 2], [1, 2]],
    ];
    for (const [m, n, k, a, b] of cases) {
      const q = await quantizedVersusFloat(matMulGraph(m, n, k, a, b), ['mat_mul_op']);
      const qm = nodeOf(q, 'mat_mul_op/eightbit');
      expect(qm.op).toBe('QuantizedMatMul');
      expect(qm.inputs).toEqual([
        'mat_mul_op_eightbit/a_op/quantize:0',
        'mat_mul_op_eightbit/b_op/quantize:0',
        'mat_mul_op_eightbit/a_op/quantize:1',
        'mat_mul_op_eightbit/a_op/quantize:2',
        'mat_mul_op_eightbit/b_op/quantize:1',
        'mat_mul_op_eightbit/b_op/quantize:2',
      ]);
      expect(qm.attrs.T1).toEqual(attr.type('quint8'));
      expect(qm.attrs.T2).toEqual(attr.type('quint8'));
      expect(qm.attrs.Toutput).toEqual(attr.type('qint32'));
      expect(qm.attrs.transpose_a).toEqual(attr.b(false));
      expect(nodeOf(q, 'mat_mul_op/eightbit/requant_range').op).toBe('RequantizationRange');
      expect(nodeOf(q, 'mat_mul_op/eightbit/requantize').op).toBe('Requantize');
      const d = nodeOf(q, 'mat_mul_op');
      expect(d.op).toBe('Dequantize');
      expect(d.inputs).toEqual(['mat_mul_op/eightbit/requantize:0', 'mat_mul_op/eightbit/requantize:1', 'mat_mul_op/eightbit/requantize:2']);
      expect(d.attrs.mode).toEqual(attr.s('MIN_FIRST'));
      // The six chain nodes per input, with TF's names.
      for (const x of ['a_op', 'b_op']) {
        for (const [suffix, op] of [['reshape_dims', 'Const'], ['reduction_dims', 'Const'], ['reshape', 'Reshape'], ['min', 'Min'], ['max', 'Max'], ['quantize', 'QuantizeV2']]) {
          expect(nodeOf(q, `mat_mul_op_eightbit/${x}/${suffix}`).op).toBe(op);
        }
        expect(nodeOf(q, `mat_mul_op_eightbit/${x}/reshape_dims`).inputs).toEqual([`^${x}`]);
      }
    }
  });

  it('Q2 TestQuantizeMatMulSmall', async () => {
    await quantizedVersusFloat(matMulGraph(2, 4, 3, [1, 2, 3, 4, 5, 6], Array.from({ length: 12 }, (_, i) => 7 + i)), ['mat_mul_op']);
  });

  it('Q3 TestOddPaddingProblem: stride-2 SAME convolution pads like the float op', async () => {
    const g = graphBuilder();
    g.const('input_op', iotaShape([1, 4, 4, 1]));
    g.const('filter_op', iotaShape([3, 3, 1, 1]));
    g.op('Conv2D', ['input_op', 'filter_op'], conv(2, 'SAME'), 'conv_op');
    await quantizedVersusFloat(g.graph(), ['conv_op']);
  });

  it('Q4 TestQuantizeConv2D', async () => {
    const g = graphBuilder();
    g.const('input_op', iotaShape([1, 3, 4, 1]));
    g.const('filter_op', ft([3, 3, 1, 1], [1, 4, 7, 2, 5, 8, 3, 6, 9]));
    g.op('Conv2D', ['input_op', 'filter_op'], conv(1, 'SAME'), 'conv_op');
    const q = await quantizedVersusFloat(g.graph(), ['conv_op']);
    const qc = nodeOf(q, 'conv_op/eightbit');
    expect(qc.op).toBe('QuantizedConv2D');
    expect(qc.attrs.strides).toEqual(attr.list({ i: [1, 1, 1, 1] }));
    expect(qc.attrs.padding).toEqual(attr.s('SAME'));
    expect(qc.attrs.Tinput).toEqual(attr.type('quint8'));
    expect(qc.attrs.Tfilter).toEqual(attr.type('quint8'));
    expect(qc.attrs.out_type).toEqual(attr.type('qint32'));
    // Attributes TF does not copy are dropped.
    expect(qc.attrs.data_format).toBeUndefined();
    expect(qc.attrs.use_cudnn_on_gpu).toBeUndefined();
  });

  it('Q5 TestQuantizeBiasAdd', async () => {
    const g = graphBuilder();
    g.const('input_op', iotaShape([1, 1, 2, 6]));
    g.const('offset_op', iota(6));
    g.op('BiasAdd', ['input_op', 'offset_op'], { ...F, data_format: attr.s('NHWC') }, 'bias_add_op');
    const q = await quantizedVersusFloat(g.graph(), ['bias_add_op']);
    const qb = nodeOf(q, 'bias_add_op/eightbit');
    expect(qb.op).toBe('QuantizedBiasAdd');
    expect([qb.attrs.T1, qb.attrs.T2, qb.attrs.out_type]).toEqual([attr.type('quint8'), attr.type('quint8'), attr.type('qint32')]);
  });

  it('Q6 TestQuantizeConcat: ConcatV2 (what ops::Concat makes) stays float', async () => {
    const g = graphBuilder();
    g.const('shape_op', makeTensor('int32', [], [0]));
    g.const('a_op', iotaShape([2, 2, 3]));
    g.const('b_op', iotaShape([2, 2, 3], 13));
    g.op('ConcatV2', ['a_op', 'b_op', 'shape_op'], { ...F, N: attr.i(2), Tidx: attr.type('int32') }, 'concat_op');
    const q = await quantizedVersusFloat(g.graph(), ['concat_op']);
    expect(nodeOf(q, 'concat_op').op).toBe('ConcatV2');
    expect(ops(q, 'QuantizedConcat')).toHaveLength(0);
  });

  it('Q6b legacy Concat (dim first) becomes QuantizedConcat with separate min/max and no requantize', async () => {
    const g = graphBuilder();
    g.const('shape_op', makeTensor('int32', [], [0]));
    g.const('a_op', iotaShape([2, 2, 3]));
    g.const('b_op', iotaShape([2, 2, 3], 13));
    g.op('Concat', ['shape_op', 'a_op', 'b_op'], { ...F, N: attr.i(2) }, 'concat_op');
    const q = await quantizedVersusFloat(g.graph(), ['concat_op']);
    const qc = nodeOf(q, 'concat_op/eightbit');
    expect(qc.op).toBe('QuantizedConcat');
    const p = 'concat_op_eightbit';
    expect(qc.inputs).toEqual(['shape_op', `${p}/a_op/quantize:0`, `${p}/b_op/quantize:0`, `${p}/a_op/quantize:1`, `${p}/b_op/quantize:1`, `${p}/a_op/quantize:2`, `${p}/b_op/quantize:2`]);
    expect(qc.attrs.N).toEqual(attr.i(2));
    expect(qc.attrs.T).toEqual(attr.type('quint8'));
    expect(ops(q, 'Requantize')).toHaveLength(0);
    expect(nodeOf(q, 'concat_op').inputs).toEqual(['concat_op/eightbit:0', 'concat_op/eightbit:1', 'concat_op/eightbit:2']);
  });

  for (const [id, op] of [['Q7', 'Relu'], ['Q8', 'Relu6']] as const) {
    it(`${id} TestQuantize${op}`, async () => {
      const g = graphBuilder();
      g.const('constant_op', iotaShape([1, 2, 6, 1]));
      g.op(op, ['constant_op'], F, 'relu_op');
      const q = await quantizedVersusFloat(g.graph(), ['relu_op']);
      expect(nodeOf(q, 'relu_op/eightbit').op).toBe(`Quantized${op}`);
      expect(nodeOf(q, 'relu_op/eightbit').attrs.Tinput).toEqual(attr.type('quint8'));
      expect(ops(q, 'Requantize')).toHaveLength(0);
      expect(nodeOf(q, 'relu_op').op).toBe('Dequantize');
    });
  }

  for (const [id, op] of [['Q9', 'MaxPool'], ['Q10', 'AvgPool']] as const) {
    it(`${id} TestQuantize${op}`, async () => {
      const g = graphBuilder();
      g.const('input_op', iotaShape([1, 2, 6, 1]));
      g.op(op, ['input_op'], pool, 'pool_op');
      const q = await quantizedVersusFloat(g.graph(), ['pool_op']);
      const qp = nodeOf(q, 'pool_op/eightbit');
      expect(qp.op).toBe(`Quantized${op}`);
      expect(qp.attrs.ksize).toEqual(pool.ksize);
      expect(qp.attrs.strides).toEqual(pool.strides);
      expect(qp.attrs.padding).toEqual(pool.padding);
      expect(qp.attrs.T).toEqual(attr.type('quint8'));
    });
  }

  it('Q11 TestQuantizeReshape: the shape input passes through unquantized', async () => {
    const g = graphBuilder();
    g.const('constant_op', iotaShape([4, 5]));
    g.const('shape_op', makeTensor('int32', [2], [10, 2]));
    g.op('Reshape', ['constant_op', 'shape_op'], { ...F, Tshape: attr.type('int32') }, 'reshape_op');
    const q = await quantizedVersusFloat(g.graph(), ['reshape_op']);
    const qr = nodeOf(q, 'reshape_op/eightbit');
    expect(qr.op).toBe('QuantizedReshape');
    const p = 'reshape_op_eightbit/constant_op/quantize';
    expect(qr.inputs).toEqual([`${p}:0`, 'shape_op', `${p}:1`, `${p}:2`]);
  });

  /** Q12–Q14's Dequantize → Reshape/Min/Max → QuantizeV2 → Dequantize tail. */
  function redundantTail(g: ReturnType<typeof graphBuilder>): void {
    g.const('dequantize_reshape_dims', makeTensor('int32', [1], [-1]));
    g.const('dequantize_reduction_dims', makeTensor('int32', [], [0]));
    g.op('Reshape', ['dequantize_op', 'dequantize_reshape_dims'], { ...F, Tshape: attr.type('int32') }, 'dequantize_reshape');
    const red = { ...F, Tidx: attr.type('int32'), keep_dims: attr.b(false) };
    g.op('Min', ['dequantize_reshape', 'dequantize_reduction_dims'], red, 'dequantize_min');
    g.op('Max', ['dequantize_reshape', 'dequantize_reduction_dims'], red, 'dequantize_max');
    g.op('QuantizeV2', ['dequantize_op', 'dequantize_min', 'dequantize_max'], { T: attr.type('quint8'), mode: attr.s('MIN_FIRST') }, 'quantize_op');
    g.op('Dequantize', ['quantize_op', 'quantize_op:1', 'quantize_op:2'], { T: attr.type('quint8'), mode: attr.s('MIN_FIRST') }, 'final_dequantize');
  }
  const DQ = { T: attr.type('quint8'), mode: attr.s('MIN_FIRST') };

  it('Q12 TestRemoveRedundantQuantization (pass 7)', async () => {
    const g = graphBuilder();
    g.const('quantized_op', makeTensor('quint8', [], [0]));
    g.const('quantized_min_op', 2);
    g.const('quantized_max_op', 2);
    g.op('Dequantize', ['quantized_op', 'quantized_min_op', 'quantized_max_op'], DQ, 'dequantize_op');
    redundantTail(g);
    const out = removeRedundantQuantizations(g.graph(), testContext({ outputs: ['final_dequantize'] }));
    expect(nodeOf(out, 'final_dequantize').inputs).toEqual(['quantized_op', 'quantized_min_op', 'quantized_max_op']);
    // The same value either way.
    const [a] = await runGraph(g.graph(), {}, ['final_dequantize'], { backend: 'cpu' });
    const [b] = await runGraph(out, {}, ['final_dequantize'], { backend: 'cpu' });
    expect(tensorToNumbers(b!)[0]).toBeCloseTo(tensorToNumbers(a!)[0]!, 5);
  });

  /** Q13/Q14: a QuantizedBiasAdd → RequantizationRange → Requantize → Dequantize head. */
  function biasAddHead(g: ReturnType<typeof graphBuilder>): void {
    g.const('quantized_op', makeTensor('quint8', [1, 6], [0, 0, 0, 0, 0, 0]));
    g.const('quantized_min_op', 2);
    g.const('quantized_max_op', 2);
    g.const('offset_op', makeTensor('quint8', [6], [1, 2, 3, 4, 5, 6]));
    g.const('offset_min_op', 0);
    g.const('offset_max_op', 255);
    g.op('QuantizedBiasAdd', ['quantized_op', 'offset_op', 'quantized_min_op', 'quantized_max_op', 'offset_min_op', 'offset_max_op'], { T1: attr.type('quint8'), T2: attr.type('quint8'), out_type: attr.type('qint32') }, 'bias_add_op');
    g.op('RequantizationRange', ['bias_add_op', 'bias_add_op:1', 'bias_add_op:2'], { Tinput: attr.type('qint32') }, 'requantization_range_op');
    g.op('Requantize', ['bias_add_op', 'bias_add_op:1', 'bias_add_op:2', 'requantization_range_op', 'requantization_range_op:1'], { Tinput: attr.type('qint32'), out_type: attr.type('quint8') }, 'requantize_op');
    g.op('Dequantize', ['requantize_op', 'requantize_op:1', 'requantize_op:2'], DQ, 'dequantize_op');
  }

  it('Q13 TestRemoveRedundantQuantizationWithBiasAdd (pass 7)', () => {
    const g = graphBuilder();
    biasAddHead(g);
    redundantTail(g);
    const out = removeRedundantQuantizations(g.graph(), testContext({ outputs: ['final_dequantize'] }));
    expect(nodeOf(out, 'final_dequantize').inputs[0]).toBe('requantize_op');
  });

  it('Q14 TestRemoveRedundantQuantizationWithMultipleOutputs (pass 7): the Dequantize kept for a float consumer', () => {
    const g = graphBuilder();
    biasAddHead(g);
    redundantTail(g);
    g.op('Relu', ['dequantize_op'], F, 'relu_op');
    const out = removeRedundantQuantizations(g.graph(), testContext({ outputs: ['final_dequantize', 'relu_op'] }));
    expect(ops(out, 'Dequantize')).toHaveLength(2);
    expect(nodeOf(out, 'relu_op').inputs).toEqual(['dequantize_op']);
    expect(nodeOf(out, 'final_dequantize').inputs[0]).toBe('requantize_op');
  });

  it('Q15 TestQuantizePlaceholders (pass 1), and the full transform on the float graph', async () => {
    const g = graphBuilder();
    g.placeholder('placeholder_op', 'float', []);
    g.op('Relu', ['placeholder_op'], F, 'relu_op');
    const graph = g.graph();
    const out = quantizePlaceholders(graph, -10, 10);
    expect(nodeOf(out, 'relu_op').inputs).toEqual(['placeholder_op_eightbit/dequantize']);
    expect(nodeOf(out, 'placeholder_op').op).toBe('Placeholder');
    expect(nodeOf(out, 'placeholder_op').attrs.dtype).toEqual(attr.type('quint8'));
    expect(nodeOf(out, 'placeholder_op_eightbit/dequantize').inputs).toEqual(['placeholder_op', 'placeholder_op_eightbit/min', 'placeholder_op_eightbit/max']);
    await quantizedVersusFloat(graph, ['relu_op'], { feeds: { placeholder_op: ft([], [5]) } });
  });

  /** Q16/Q17: BiasAdd(Const a [1,100] = 1..100, Placeholder). */
  function inputRangeGraph(): Graph {
    const g = graphBuilder();
    g.const('a', iotaShape([1, 100]));
    g.placeholder('placeholder', 'float', [100]);
    g.op('BiasAdd', ['a', 'placeholder'], F, 'bias_add');
    return g.graph();
  }

  it('Q16 TestInputRange: the placeholder takes quint8 codes of [0, 100]', async () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    const info = quantizedTypeInfo('quint8');
    const codes = makeTensor('quint8', [100], values.map((v) => floatToQuantized(v, 0, 100, info)));
    const q = await quantizedVersusFloat(inputRangeGraph(), ['bias_add'], {
      feeds: { placeholder: ft([100], values) },
      quantizedFeeds: { placeholder: codes },
      params: { inputMin: 0, inputMax: 100 },
    });
    expect(nodeOf(q, 'placeholder').attrs.dtype).toEqual(attr.type('quint8'));
  });

  it('Q17 TestFallbackRange: constant requantization range, no RequantizationRange', async () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    const q = await quantizedVersusFloat(inputRangeGraph(), ['bias_add'], { feeds: { placeholder: ft([100], values) }, params: { fallbackMin: 0, fallbackMax: 200 }, tolerance: 2.0 });
    expect(ops(q, 'RequantizationRange')).toHaveLength(0);
    expect(nodeOf(q, 'bias_add/eightbit/fallback_min').op).toBe('Const');
    expect(nodeOf(q, 'bias_add/eightbit/fallback_max').op).toBe('Const');
    expect(nodeOf(q, 'bias_add/eightbit/requantize').inputs.slice(3)).toEqual(['bias_add/eightbit/fallback_min', 'bias_add/eightbit/fallback_max']);
  });

  /** Q18/Q20: BiasAdd → FakeQuantWithMinMaxVars(0, 18). */
  function fakeQuantGraph(): Graph {
    const g = graphBuilder();
    g.const('input_op', iotaShape([1, 1, 2, 6]));
    g.const('offset_op', iota(6));
    g.op('BiasAdd', ['input_op', 'offset_op'], F, 'bias_add_op');
    g.const('fake_quant_min_op', 0);
    g.const('fake_quant_max_op', 18);
    g.op('FakeQuantWithMinMaxVars', ['bias_add_op', 'fake_quant_min_op', 'fake_quant_max_op'], {}, 'fake_quant_op');
    return g.graph();
  }

  it('Q18 TestConvertFakeQuantsToRequantize (pass 3)', async () => {
    const out = convertFakeQuantsToRequantize(fakeQuantGraph());
    expect(ops(out, 'FakeQuantWithMinMaxVars')).toHaveLength(0);
    const qz = nodeOf(out, 'fake_quant_op_eightbit/quantize');
    expect(qz.op).toBe('QuantizeV2');
    expect(qz.inputs).toEqual(['bias_add_op', 'fake_quant_min_op', 'fake_quant_max_op']);
    expect(qz.attrs.T).toEqual(attr.type('qint32'));
    const rq = nodeOf(out, 'fake_quant_op_eightbit/requantize');
    expect(rq.inputs).toEqual(['fake_quant_op_eightbit/quantize:0', 'fake_quant_op_eightbit/quantize:1', 'fake_quant_op_eightbit/quantize:2', 'fake_quant_min_op', 'fake_quant_max_op']);
    expect(nodeOf(out, 'fake_quant_op').op).toBe('Dequantize');
    // Numerically the same as the fake quantization it replaces (to one step of [0, 18]).
    const [a] = await runGraph(fakeQuantGraph(), {}, ['fake_quant_op'], { backend: 'cpu' });
    const [b] = await runGraph(out, {}, ['fake_quant_op'], { backend: 'cpu' });
    const x = tensorToNumbers(a!);
    const y = tensorToNumbers(b!);
    for (let i = 0; i < x.length; i++) expect(Math.abs(x[i]! - y[i]!)).toBeLessThanOrEqual(18 / 255 + 1e-6);
  });

  it('Q19 TestMergeAdjacentRequantizes (pass 5)', async () => {
    const g = graphBuilder();
    g.const('input_op', makeTensor('quint8', [1, 1, 2, 6], Array.from({ length: 12 }, (_, i) => i + 1)));
    g.const('input_min_op', 0);
    g.const('input_max_op', 255);
    g.const('offset_op', makeTensor('quint8', [6], [1, 2, 3, 4, 5, 6]));
    g.const('offset_min_op', 0);
    g.const('offset_max_op', 255);
    g.op('QuantizedBiasAdd', ['input_op', 'offset_op', 'input_min_op', 'input_max_op', 'offset_min_op', 'offset_max_op'], { T1: attr.type('quint8'), T2: attr.type('quint8'), out_type: attr.type('qint32') }, 'quantized_bias_add_op');
    g.op('RequantizationRange', ['quantized_bias_add_op', 'quantized_bias_add_op:1', 'quantized_bias_add_op:2'], { Tinput: attr.type('qint32') }, 'requantization_range_op');
    g.op('Requantize', ['quantized_bias_add_op', 'quantized_bias_add_op:1', 'quantized_bias_add_op:2', 'requantization_range_op', 'requantization_range_op:1'], { Tinput: attr.type('qint32'), out_type: attr.type('quint8') }, 'requantize_op');
    g.op('Dequantize', ['requantize_op', 'requantize_op:1', 'requantize_op:2'], DQ, 'dequantize_op');
    g.const('quantize_min_op', 0);
    g.const('quantize_max_op', 255);
    g.op('QuantizeV2', ['dequantize_op', 'quantize_min_op', 'quantize_max_op'], { T: attr.type('qint32'), mode: attr.s('MIN_FIRST') }, 'quantize_op');
    g.const('fake_requantize_min_op', 0);
    g.const('fake_requantize_max_op', 255);
    g.op('Requantize', ['quantize_op', 'quantize_op:1', 'quantize_op:2', 'fake_requantize_min_op', 'fake_requantize_max_op'], { Tinput: attr.type('qint32'), out_type: attr.type('quint8') }, 'fake_requantize_op');
    g.op('Dequantize', ['fake_requantize_op', 'fake_requantize_op:1', 'fake_requantize_op:2'], DQ, 'fake_dequantize_op');
    const graph = g.graph();
    const out = mergeAdjacentRequantizes(graph);
    const req = ops(out, 'Requantize');
    expect(req.map((n) => n.name)).toEqual(['fake_requantize_op']);
    expect(req[0]!.inputs).toEqual(['quantized_bias_add_op:0', 'quantized_bias_add_op:1', 'quantized_bias_add_op:2', 'fake_requantize_min_op', 'fake_requantize_max_op']);
    // input + offset = 2..18, but TF's float-precision move of both operands into the qint32 sum
    // range shifts each by −128 codes (≈ −2.0 here; see the QuantizedBiasAdd kernel test), so the
    // exact TF result is 4 lower, floored at 0. The merged graph gives the same numbers.
    const [a] = await runGraph(graph, {}, ['fake_dequantize_op'], { backend: 'cpu' });
    const [b] = await runGraph(out, {}, ['fake_dequantize_op'], { backend: 'cpu' });
    const x = tensorToNumbers(a!);
    const y = tensorToNumbers(b!);
    expect(y).toHaveLength(12);
    for (let i = 0; i < x.length; i++) expect(Math.abs(x[i]! - y[i]!)).toBeLessThanOrEqual(1.0);
    expect(y.map(Math.round)).toEqual([0, 0, 2, 4, 6, 8, 4, 6, 8, 10, 12, 14]);
  });

  it('Q20 TestConvertFakeQuantsEndToEnd: one Requantize left, no FakeQuant', async () => {
    const q = await quantizedVersusFloat(fakeQuantGraph(), ['fake_quant_op']);
    expect(ops(q, 'FakeQuantWithMinMaxVars')).toHaveLength(0);
    expect(ops(q, 'Requantize')).toHaveLength(1);
    expect(ops(q, 'Requantize')[0]!.inputs).toEqual(['bias_add_op/eightbit:0', 'bias_add_op/eightbit:1', 'bias_add_op/eightbit:2', 'fake_quant_min_op', 'fake_quant_max_op']);
  });

  it('Q21 TestHoistFakeQuants (pass 2): depth 3 fails on BiasAdd, depth 2 hoists above MaxPool and Relu', () => {
    const g = graphBuilder();
    g.const('input_op', iotaShape([1, 1, 2, 6]));
    g.const('offset_op', iota(6));
    g.op('BiasAdd', ['input_op', 'offset_op'], F, 'bias_add_op');
    g.op('Relu', ['bias_add_op'], F, 'relu_op');
    g.op('MaxPool', ['relu_op'], pool, 'max_pool_op');
    g.const('fake_quant_min_op', 0);
    g.const('fake_quant_max_op', 18);
    g.op('FakeQuantWithMinMaxVars', ['max_pool_op', 'fake_quant_min_op', 'fake_quant_max_op'], {}, 'fake_quant_op');
    const out = hoistFakeQuants(g.graph());
    expect(nodeOf(out, 'fake_quant_op').op).toBe('MaxPool');
    expect(nodeOf(out, 'fake_quant_op').inputs).toEqual(['relu_op']);
    const relu = nodeOf(out, 'relu_op');
    expect(relu.inputs).toEqual(['fake_quant_op_hoisted']);
    const hoisted = nodeOf(out, relu.inputs[0]!);
    expect(hoisted.op).toBe('FakeQuantWithMinMaxVars');
    expect(hoisted.inputs).toEqual(['bias_add_op', 'fake_quant_min_op', 'fake_quant_max_op']);
    expect(out.nodes.filter((n) => n.name === 'max_pool_op')).toHaveLength(0);
  });

  it('Q22 TestExcludeNonFloat: int32 Reshape stays, float Reshape is quantized', async () => {
    const g = graphBuilder();
    g.const('int_constant', makeTensor('int32', [4, 5], Array.from({ length: 20 }, (_, i) => i + 1)));
    g.const('float_constant', iotaShape([4, 5], 2));
    g.const('shape', makeTensor('int32', [2], [10, 2]));
    g.op('Reshape', ['int_constant', 'shape'], { T: attr.type('int32'), Tshape: attr.type('int32') }, 'excluded_reshape_op');
    g.op('Reshape', ['float_constant', 'shape'], { ...F, Tshape: attr.type('int32') }, 'included_reshape_op');
    g.op('Relu', ['excluded_reshape_op'], { T: attr.type('int32') }, 'excluded_relu_op');
    g.op('Cast', ['excluded_relu_op'], { SrcT: attr.type('int32'), DstT: attr.type('float') }, 'excluded_float_caster');
    g.op('Relu', ['included_reshape_op'], F, 'included_relu_op');
    const graph = g.graph();
    const { graph: q, ctx } = run(quantizeNodes, graph, {}, { outputs: ['excluded_float_caster', 'included_relu_op'] });
    expect(nodeOf(q, 'excluded_reshape_op').op).toBe('Reshape');
    expect(nodeOf(q, 'excluded_relu_op').op).toBe('Relu');
    expect(nodeOf(q, 'included_reshape_op').op).toBe('Dequantize');
    expect(ctx.reports.some((r) => r.code === 'quantize_nodes/left-float' && r.node === 'excluded_reshape_op')).toBe(true);
    const want = await runGraph(graph, {}, ['excluded_float_caster', 'included_relu_op'], { backend: 'cpu' });
    const got = await runGraph(q, {}, ['excluded_float_caster', 'included_relu_op'], { backend: 'cpu' });
    expect(tensorToNumbers(got[0]!)).toEqual(tensorToNumbers(want[0]!));
    tensorToNumbers(want[1]!).forEach((v, i) => expect(Math.abs(v - tensorToNumbers(got[1]!)[i]!)).toBeLessThanOrEqual(1.0));
  });
});

describe('quantize_nodes: parameters, names and graft deviations', () => {
  it('requires input_min and input_max (and fallback_min/max) in pairs, with TF messages', () => {
    const g = matMulGraph(1, 1, 1, [2], [3]);
    expect(() => run(quantizeNodes, g, { inputMin: 0 })).toThrow('You must pass both input_min and input_max into quantize_nodes');
    expect(() => run(quantizeNodes, g, { fallbackMax: 1 })).toThrow('You must pass both fallback_min and fallback_max into quantize_nodes');
  });

  it('ignore_op leaves an op type in float', () => {
    const g = graphBuilder();
    g.const('c', iotaShape([1, 2, 6, 1]));
    g.op('Relu', ['c'], F, 'relu_op');
    g.op('MaxPool', ['relu_op'], pool, 'pool_op');
    const { graph: q } = run(quantizeNodes, g.graph(), { ignoreOp: ['MaxPool'] }, { outputs: ['pool_op'] });
    expect(nodeOf(q, 'pool_op').op).toBe('MaxPool');
    expect(nodeOf(q, 'relu_op').op).toBe('Dequantize');
  });

  it('unique input names: ports and control markers', () => {
    expect(uniqueInputName('input:0')).toBe('input__port__0');
    expect(uniqueInputName('a/b:12')).toBe('a/b__port__12');
    expect(uniqueInputName('^x')).toBe('__hat__x');
    expect(uniqueInputName('plain')).toBe('plain');
  });

  it('control inputs move to the quantized op instead of getting a quantize chain', () => {
    const g = graphBuilder();
    g.const('c', iotaShape([1, 2, 6, 1]));
    g.op('NoOp', [], {}, 'init');
    g.op('Relu', ['c', '^init'], F, 'relu_op');
    const { graph: q } = run(quantizeNodes, g.graph(), {}, { outputs: ['relu_op'] });
    expect(nodeOf(q, 'relu_op/eightbit').inputs).toContain('^init');
    expect(q.nodes.some((n) => n.name.includes('__hat__'))).toBe(false);
  });

  it('NCHW convolutions stay float (TF would drop data_format and compute the wrong thing)', () => {
    const g = graphBuilder();
    g.const('input_op', iotaShape([1, 1, 3, 4]));
    g.const('filter_op', iotaShape([3, 3, 1, 1]));
    g.op('Conv2D', ['input_op', 'filter_op'], { ...conv(1, 'SAME'), data_format: attr.s('NCHW') }, 'conv_op');
    const { graph: q, ctx } = run(quantizeNodes, g.graph(), {}, { outputs: ['conv_op'] });
    expect(nodeOf(q, 'conv_op').op).toBe('Conv2D');
    expect(ctx.reports.map((r) => r.code)).toContain('quantize_nodes/left-float');
  });

  it('integer placeholders are not turned into quint8', () => {
    const g = graphBuilder();
    g.placeholder('ids', 'int32', [2]);
    g.placeholder('x', 'float', [2]);
    g.op('Relu', ['x'], F, 'relu_op');
    const out = quantizePlaceholders(g.graph(), 0, 1);
    expect(nodeOf(out, 'ids').attrs.dtype).toEqual(attr.type('int32'));
    expect(nodeOf(out, 'x').attrs.dtype).toEqual(attr.type('quint8'));
  });

  it('an op reading one tensor twice gets one quantize chain', async () => {
    const g = graphBuilder();
    g.const('a_op', ft([2, 2], [1, 2, 3, 4]));
    g.op('MatMul', ['a_op', 'a_op'], F, 'mat_mul_op');
    const q = await quantizedVersusFloat(g.graph(), ['mat_mul_op']);
    expect(nodeOf(q, 'mat_mul_op/eightbit').inputs.slice(0, 2)).toEqual(['mat_mul_op_eightbit/a_op/quantize:0', 'mat_mul_op_eightbit/a_op/quantize:0']);
  });

  it('its merge_duplicate_nodes pass runs through ctx.run: in the report as a sub-step with its own counter', async () => {
    // Two MatMuls read a_op: each gets its own quantize chain for it (reshape, min, max, quantize),
    // which merge_duplicate_nodes then folds into one. TensorFlow's pass 6.
    const g = graphBuilder();
    g.const('a_op', ft([2, 2], [1, 2, 3, 4]));
    g.const('b_op', ft([2, 2], [5, 6, 7, 8]));
    g.const('c_op', ft([2, 2], [-1, 0, 1, 2]));
    g.op('MatMul', ['a_op', 'b_op'], F, 'mm1');
    g.op('MatMul', ['a_op', 'c_op'], F, 'mm2');
    const { graph, report } = await runPipeline(g.graph(), 'quantize_nodes', { outputs: ['mm1', 'mm2'] });
    const step = report.steps[0]!;
    expect(step.substeps?.map((s) => s.call)).toEqual(['merge_duplicate_nodes']);
    const merged = step.substeps![0]!.counters.merged ?? 0;
    expect(merged).toBeGreaterThan(0);
    expect(step.substeps![0]!.nodesBefore - step.substeps![0]!.nodesAfter).toBe(merged);
    // Credited to the sub-step, not to quantize_nodes.
    expect(Object.keys(step.counters)).toEqual(['quantized']);
    expect(step.counters.quantized).toBe(2);
    expect(formatReport(report)).toMatch(/\n\s+sub-step merge_duplicate_nodes: changed, [\d.]+ ms, \d+ -> \d+ nodes, merged=\d+/);
    // One quantize chain for a_op is left.
    expect(graph.nodes.filter((n) => n.op === 'QuantizeV2' && n.inputs[0]!.startsWith('a_op')).map((n) => n.name)).toHaveLength(1);
  });

  it('chains of quantized ops: redundant Dequantize → QuantizeV2 pairs are bypassed', async () => {
    const g = graphBuilder();
    g.const('input_op', iotaShape([1, 1, 2, 6]));
    g.const('offset_op', iota(6));
    g.op('BiasAdd', ['input_op', 'offset_op'], F, 'bias_add_op');
    g.op('Relu', ['bias_add_op'], F, 'relu_op');
    g.op('MaxPool', ['relu_op'], pool, 'pool_op');
    const q = await quantizedVersusFloat(g.graph(), ['pool_op']);
    // QuantizedRelu reads the requantized bias add directly, QuantizedMaxPool reads QuantizedRelu.
    expect(nodeOf(q, 'relu_op/eightbit').inputs[0]).toBe('bias_add_op/eightbit/requantize:0');
    expect(nodeOf(q, 'pool_op/eightbit').inputs[0]).toBe('relu_op/eightbit:0');
  });
});

// ------------------------------------------------------------------ real models

/** Digit-like 28×28 images: 2–4 thick random strokes each (pixels in [0, 1]). */
function strokeImages(n: number, seed: number): Tensor {
  const r = seededRandom(seed);
  const out = new Float32Array(n * 784);
  for (let i = 0; i < n; i++) {
    const k = 2 + Math.floor(r() * 3);
    for (let s = 0; s < k; s++) {
      const [x0, y0, x1, y1] = [4 + r() * 20, 4 + r() * 20, 4 + r() * 20, 4 + r() * 20];
      for (let t = 0; t <= 40; t++) {
        const x = x0 + ((x1 - x0) * t) / 40;
        const y = y0 + ((y1 - y0) * t) / 40;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const px = Math.round(x + dx);
            const py = Math.round(y + dy);
            if (px < 0 || py < 0 || px > 27 || py > 27) continue;
            const at = i * 784 + py * 28 + px;
            out[at] = Math.max(out[at]!, dx === 0 && dy === 0 ? 1 : 0.6);
          }
        }
      }
    }
  }
  return makeTensor('float', [n, 784], out);
}

/** Smooth random colour fields, 32×32×3 in [0, 1]. */
function blobImages(n: number, seed: number): Tensor {
  const r = seededRandom(seed);
  const out = new Float32Array(n * 3072);
  for (let i = 0; i < n; i++) {
    const blobs = Array.from({ length: 4 }, () => ({ x: r() * 32, y: r() * 32, s: 3 + r() * 10, c: [r(), r(), r()].map((v) => v * 2 - 1) }));
    const base = [r(), r(), r()];
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 32; x++) {
        for (let c = 0; c < 3; c++) {
          let v = base[c]! * 0.5;
          for (const b of blobs) v += 0.5 * b.c[c]! * Math.exp(-((x - b.x) ** 2 + (y - b.y) ** 2) / (2 * b.s * b.s));
          out[((i * 32 + y) * 32 + x) * 3 + c] = Math.min(1, Math.max(0, v + 0.05 * (r() - 0.5)));
        }
      }
    }
  }
  return makeTensor('float', [n, 32, 32, 3], out);
}

/** A 16 kHz mono 16-bit PCM WAV file. */
function wavBytes(samples: Float32Array, rate = 16000): Uint8Array {
  const bytes = new Uint8Array(44 + samples.length * 2);
  const v = new DataView(bytes.buffer);
  const text = (at: number, s: string) => [...s].forEach((ch, i) => v.setUint8(at + i, ch.charCodeAt(0)));
  text(0, 'RIFF');
  v.setUint32(4, 36 + samples.length * 2, true);
  text(8, 'WAVE');
  text(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, 1, true);
  v.setUint32(24, rate, true);
  v.setUint32(28, rate * 2, true);
  v.setUint16(32, 2, true);
  v.setUint16(34, 16, true);
  text(36, 'data');
  v.setUint32(40, samples.length * 2, true);
  samples.forEach((x, i) => v.setInt16(44 + i * 2, Math.max(-32768, Math.min(32767, Math.round(x * 32767))), true));
  return bytes;
}

/** One second of seeded "speech-like" audio: 1–3 gliding tones with an envelope, and noise. */
function syntheticClip(r: () => number): Float32Array {
  const out = new Float32Array(16000);
  const tones = 1 + Math.floor(r() * 3);
  const [start, len] = [Math.floor(r() * 6000), 4000 + Math.floor(r() * 6000)];
  for (let k = 0; k < tones; k++) {
    const [f0, f1, amp] = [100 + r() * 2500, 100 + r() * 2500, 0.1 + r() * 0.3];
    let phase = 0;
    for (let i = start; i < Math.min(16000, start + len); i++) {
      const t = (i - start) / len;
      phase += (2 * Math.PI * (f0 + (f1 - f0) * t)) / 16000;
      out[i]! += amp * Math.sin(Math.PI * t) * Math.sin(phase);
    }
  }
  const noise = r() * 0.05;
  for (let i = 0; i < 16000; i++) out[i]! += noise * (r() * 2 - 1);
  return out;
}

/** MFCC features [n, 49, 10] of `n` seeded clips, computed by the model's own (float) front-end. */
async function mfccFeatures(model: Graph, n: number, seed: number): Promise<Tensor> {
  const r = seededRandom(seed);
  const session = await createSession(model);
  const rows: Float32Array[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const [m] = await session.run({ wav_data: makeStringTensor([], [wavBytes(syntheticClip(r))]) }, ['Mfcc']);
      rows.push(Float32Array.from(tensorToNumbers(m!)));
    }
  } finally {
    session.dispose();
  }
  const out = new Float32Array(n * 490);
  rows.forEach((row, i) => out.set(row, i * 490));
  return makeTensor('float', [n, 49, 10], out);
}

function argmaxRows(t: Tensor): number[] {
  const v = tensorToNumbers(t);
  const k = t.shape[t.shape.length - 1]!;
  return Array.from({ length: v.length / k }, (_, i) => {
    let best = 0;
    for (let j = 1; j < k; j++) if (v[i * k + j]! > v[i * k + best]!) best = j;
    return best;
  });
}

/** quantize_nodes then strip_unused_nodes (TF's recipe minus the weight step), run both, compare top-1. */
async function topOneAgreement(graph: Graph, input: string, feed: Tensor, output: string): Promise<{ agreement: number; quantized: Graph }> {
  const io = { inputs: [input], outputs: [output] };
  const q1 = run(quantizeNodes, graph, {}, io).graph;
  const q = run(stripUnusedNodes, q1, {}, io).graph;
  const [want] = await runGraph(graph, { [input]: feed }, [output]);
  const [got] = await runGraph(q, { [input]: feed }, [output]);
  const a = argmaxRows(want!);
  const b = argmaxRows(got!);
  return { agreement: a.filter((x, i) => x === b[i]).length / a.length, quantized: q };
}

function loadModel(file: string): Graph {
  return decodeGraphDef(readFileSync(modelPath(file)));
}

/** The placeholder `name` with shape `dims` (the frozen MLP fixes its batch at 10). */
function withPlaceholder(graph: Graph, name: string, dims: number[]): Graph {
  return withNodes(graph, graph.nodes.map((n) => (n.name === name ? makeNode({ name, op: 'Placeholder', attrs: { dtype: attr.type('float'), shape: attr.shape(dims) } }) : n)));
}

describe.skipIf(!HAVE_MODELS)('quantize_nodes on real models (top-1 agreement with the float model, seeded batch of 256)', () => {
  it('utensor_mnist_mlp: at least 95% agreement', async () => {
    const graph = withPlaceholder(loadModel('utensor_mnist_mlp/simple_mnist.pb'), 'x', [-1, 784]);
    const { agreement, quantized } = await topOneAgreement(graph, 'x', strokeImages(256, 7), 'OuputLayer/logits');
    console.log(`utensor_mnist_mlp: top-1 agreement ${(agreement * 100).toFixed(1)}% (256 stroke images)`);
    expect(ops(quantized, 'QuantizedMatMul')).toHaveLength(3);
    expect(ops(quantized, 'QuantizedAdd')).toHaveLength(3);
    expect(ops(quantized, 'MatMul')).toHaveLength(0);
    expect(agreement).toBeGreaterThanOrEqual(0.95);
  }, 120_000);

  it('utensor_cifar10_cnn: runs fully quantized (conv, max pool, reshape, matmul)', async () => {
    const graph = loadModel('utensor_cifar10_cnn/cifar10_cnn.pb');
    const { agreement, quantized } = await topOneAgreement(graph, 'Placeholder', blobImages(256, 7), 'fully_connect_2/logits');
    console.log(`utensor_cifar10_cnn: top-1 agreement ${(agreement * 100).toFixed(1)}% (256 colour-field images)`);
    expect(ops(quantized, 'QuantizedConv2D')).toHaveLength(6);
    expect(ops(quantized, 'QuantizedMaxPool')).toHaveLength(2);
    expect(ops(quantized, 'Conv2D')).toHaveLength(0);
    expect(agreement).toBeGreaterThanOrEqual(0.85);
  }, 300_000);

  it('kws_ds_cnn_s: runs end to end from a WAV, and agrees on 256 clips after the audio front-end', async () => {
    const full = loadModel('kws_ds_cnn_s/DS_CNN_S.pb');
    const io = { inputs: ['wav_data'], outputs: ['labels_softmax'] };
    const quantizedFull = run(stripUnusedNodes, run(quantizeNodes, full, {}, io).graph, {}, io).graph;
    // The audio ops (DecodeWav, AudioSpectrogram, Mfcc) stay float; the whole graph runs from the clip.
    const wav = makeStringTensor([], [readFileSync(modelPath('kws_ds_cnn_s/silence.wav'))]);
    const [fp] = await runGraph(full, { wav_data: wav }, ['labels_softmax']);
    const [qp] = await runGraph(quantizedFull, { wav_data: wav }, ['labels_softmax']);
    console.log(`kws_ds_cnn_s silence.wav: float class ${argmaxRows(fp!)[0]}, quantized class ${argmaxRows(qp!)[0]}`);
    // 256 clips: MFCCs from the float front-end, then the network from Mfcc on (batched).
    const features = await mfccFeatures(full, 256, 7);
    const graph = withPlaceholder(full, 'Mfcc', [-1, 49, 10]);
    const { agreement, quantized } = await topOneAgreement(graph, 'Mfcc', features, 'MobileNet/fc1/BiasAdd');
    console.log(`kws_ds_cnn_s (after Mfcc): top-1 agreement ${(agreement * 100).toFixed(1)}% (256 synthetic clips)`);
    expect(ops(quantized, 'QuantizedConv2D')).toHaveLength(5);
    expect(ops(quantized, 'QuantizedBiasAdd')).toHaveLength(10);
    // Left in float, as in TensorFlow: DepthwiseConv2dNative and FusedBatchNorm have no quantized form.
    expect(ops(quantized, 'DepthwiseConv2dNative')).toHaveLength(4);
    expect(agreement).toBeGreaterThanOrEqual(0.6);
  }, 300_000);
});

describe('freeze_requantization_ranges', () => {
  function quantizedMatMul(): Graph {
    return run(quantizeNodes, matMulGraph(2, 4, 3, [1, 2, 3, 4, 5, 6], Array.from({ length: 12 }, (_, i) => 7 + i)), {}, { outputs: ['mat_mul_op'] }).graph;
  }
  const R = 'mat_mul_op/eightbit/requant_range';
  const line = (name: string, min: number, max: number) => `I tensorflow/core/kernels/logging_ops.cc:79] ;${name}__print__;__requant_min_max:[${min}][${max}]`;

  it('parses the logged ranges, skipping lines that do not fit', () => {
    const log = ['noise', line(R, -1, 200), `;${R}__print__;__requant_min_max:[x][1]`, `;${R};__requant_min_max:[1][2]`, line('other', 0, 1)].join('\n');
    expect(parseRequantizationLog(log)).toEqual([
      { name: R, min: -1, max: 200 },
      { name: 'other', min: 0, max: 1 },
    ]);
  });

  it('replaces each logged RequantizationRange with frozen Consts (percentiles of the runs)', async () => {
    const q = quantizedMatMul();
    // 20 runs: mins −20..−1, maxes 101..120; 5% → index round(20·0.05) = 1 for the min, round(20·0.95) = 19 for the max.
    const log = Array.from({ length: 20 }, (_, i) => line(R, -20 + i, 101 + i)).join('\n');
    const frozen = freezeRequantizationRangesFromLog(q, log);
    expect(frozen.nodes.some((n) => n.name === R)).toBe(false);
    expect(tensorToNumbers((nodeOf(frozen, `${R}/frozen_min`).attrs.value as { value: Tensor }).value)).toEqual([-19]);
    expect(tensorToNumbers((nodeOf(frozen, `${R}/frozen_max`).attrs.value as { value: Tensor }).value)).toEqual([120]);
    expect(nodeOf(frozen, 'mat_mul_op/eightbit/requantize').inputs.slice(3)).toEqual([`${R}/frozen_min:0`, `${R}/frozen_max:0`]);
    // Still runs, and a range holding the products (up to 1·18+2·… = 250) keeps it within TF's tolerance.
    const tight = freezeRequantizationRangesFromLog(q, line(R, 0, 260));
    const [want] = await runGraph(matMulGraph(2, 4, 3, [1, 2, 3, 4, 5, 6], Array.from({ length: 12 }, (_, i) => 7 + i)), {}, ['mat_mul_op'], { backend: 'cpu' });
    const [got] = await runGraph(tight, {}, ['mat_mul_op'], { backend: 'cpu' });
    tensorToNumbers(want!).forEach((v, i) => expect(Math.abs(v - tensorToNumbers(got!)[i]!)).toBeLessThanOrEqual(1.5));
  });

  it("fails as TensorFlow does: no ranges, unknown nodes, nodes that are not RequantizationRange", async () => {
    const q = quantizedMatMul();
    expect(() => freezeRequantizationRangesFromLog(q, 'nothing here')).toThrow('No min/max range logs were found in the log file');
    expect(() => freezeRequantizationRangesFromLog(q, line('ghost', 0, 1))).toThrow("Nodes were found in the log file that aren't present in the graph");
    expect(() => freezeRequantizationRangesFromLog(q, line('mat_mul_op', 0, 1))).toThrow('Node is expected to be a RequantizationRange op: mat_mul_op, but is: Dequantize');
    await expect(runAsync(freezeRequantizationRanges, q, {})).rejects.toThrow('You must pass a file name to min_max_log_file');
  });

  it('reads the log through the pipeline\'s readFile (the core opens no file itself)', async () => {
    const q = quantizedMatMul();
    const asked: string[] = [];
    const readFile = async (p: string) => (asked.push(p), new TextEncoder().encode(line(R, 0, 260)));
    const { graph } = await runPipeline(q, 'freeze_requantization_ranges(min_max_log_file=/logs/ranges.txt)', { outputs: ['mat_mul_op'], readFile });
    expect(asked).toEqual(['/logs/ranges.txt']);
    expect(graph.nodes.some((n) => n.name === `${R}/frozen_max`)).toBe(true);
    await expect(runPipeline(q, 'freeze_requantization_ranges(min_max_log_file=/logs/ranges.txt)', { outputs: ['mat_mul_op'] })).rejects.toThrow(/run without a file reader: pass readFile/);
  });
});

describe('ResizeBilinear becomes QuantizedResizeBilinear, and it runs', () => {
  for (const [alignCorners, halfPixel] of [[false, false], [true, false], [false, true]] as const) {
    it(`matches the float resize within the eight-bit step (align_corners=${alignCorners}, half_pixel_centers=${halfPixel})`, async () => {
      const b = graphBuilder();
      const x = b.placeholder('x', 'float', [1, 3, 4, 2]);
      const size = b.const('size', makeTensor('int32', [2], [5, 7]));
      b.op('ResizeBilinear', [x, size], { ...F, align_corners: attr.b(alignCorners), half_pixel_centers: attr.b(halfPixel) }, 'y');
      const graph = b.graph();
      const { graph: q } = run(quantizeNodes, graph, {}, { inputs: ['x'], outputs: ['y'] });
      expect(ops(q, 'QuantizedResizeBilinear').length).toBe(1);
      expect(ops(q, 'ResizeBilinear').length).toBe(0);
      const feed = ft([1, 3, 4, 2], Array.from({ length: 24 }, (_, i) => Math.sin(i) * 3));
      const [a] = await runGraph(graph, { x: feed }, ['y']);
      const [c] = await runGraph(q, { x: feed }, ['y']);
      expect(c!.shape).toEqual([1, 5, 7, 2]);
      const av = tensorToNumbers(a!);
      const cv = tensorToNumbers(c!);
      const step = 6 / 255;
      for (let i = 0; i < av.length; i++) expect(Math.abs(av[i]! - cv[i]!)).toBeLessThanOrEqual(2 * step);
    });
  }
});
