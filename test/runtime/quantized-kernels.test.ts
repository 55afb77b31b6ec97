/**
 * The eight-bit kernels against values worked out by hand from TensorFlow's arithmetic (spec §9.3,
 * §10.4), and TensorFlow's own kernel tests where they exist (QuantizedBiasAdd Small/RealData).
 */
import { describe, expect, it } from 'vitest';
import { attr, type AttrValue } from '../../src/ir/attr';
import type { DType } from '../../src/ir/dtype';
import { makeNode } from '../../src/ir/node';
import { makeTensor, tensorToNumbers, type Tensor } from '../../src/ir/tensor';
import { evaluateNode } from '../../src/runtime';
import { floatToQuantized, quantizedToFloat, quantizedTypeInfo, roundHalfAwayFromZero, roundHalfToEven } from '../../src/runtime/kernels/quantized';

const f = (v: number) => makeTensor('float', [], [v]);
const fv = (shape: number[], v: number[]) => makeTensor('float', shape, v);
const q = (dtype: DType, shape: number[], v: number[]) => makeTensor(dtype, shape, v);
const nums = (t: Tensor) => tensorToNumbers(t);
const U8 = quantizedTypeInfo('quint8');
const I32 = quantizedTypeInfo('qint32');

async function run(op: string, inputs: Tensor[], attrs: Record<string, AttrValue> = {}): Promise<Tensor[]> {
  return evaluateNode(makeNode({ name: 'n', op, inputs: inputs.map((_, i) => `in${i}`), attrs }), inputs, { backend: 'cpu' });
}
const quantizeV2 = (x: Tensor, min: number, max: number, T: DType, mode: string, extra: Record<string, AttrValue> = {}) =>
  run('QuantizeV2', [x, f(min), f(max)], { T: attr.type(T), mode: attr.s(mode), ...extra });
const dequantize = (x: Tensor, min: number, max: number, mode: string) => run('Dequantize', [x, f(min), f(max)], { T: attr.type(x.dtype), mode: attr.s(mode) });

describe('rounding helpers', () => {
  it('C round sends halves away from zero; half-to-even to the even neighbour', () => {
    expect([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5].map(roundHalfAwayFromZero)).toEqual([-3, -2, -1, 1, 2, 3]);
    expect([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5].map(roundHalfToEven).map((v) => v + 0)).toEqual([-2, -2, 0, 0, 2, 2]);
  });
});

describe('QuantizeV2', () => {
  it('MIN_FIRST quint8: range [0,4] → scale 63.75, codes round half away from zero, clamped', async () => {
    const [y, mn, mx] = await quantizeV2(fv([5], [0.1, 0.2, 1, 4, -1]), 0, 4, 'quint8', 'MIN_FIRST');
    expect(y!.dtype).toBe('quint8');
    // 0.1·63.75 = 6.375 → 6; 0.2 → 12.75 → 13; 1 → 63.75 → 64; 4 → 255; −1 → −64 → 0.
    expect(nums(y!)).toEqual([6, 13, 64, 255, 0]);
    expect([nums(mn!)[0], nums(mx!)[0]]).toEqual([0, 4]);
  });

  it('MIN_FIRST: −127.5 rounds to −128 (C round), not −127 (Math.round)', async () => {
    // Range [−1, 0]: scale 255, the origin −255; −0.5 → round(−127.5) + 255 = 127.
    const [y] = await quantizeV2(fv([3], [-1, -0.5, 0]), -1, 0, 'quint8', 'MIN_FIRST');
    expect(nums(y!)).toEqual([0, 127, 255]);
  });

  it('widens a range to contain 0 and to be at least ensure_minimum_range wide', async () => {
    const [, mn, mx] = await quantizeV2(fv([1], [0]), 0, 0, 'quint8', 'MIN_FIRST');
    expect(nums(mn!)[0]).toBe(0);
    expect(nums(mx!)[0]).toBe(Math.fround(0.01));
    const [, mn2, mx2] = await quantizeV2(fv([1], [3]), 2, 3, 'quint8', 'MIN_FIRST');
    expect([nums(mn2!)[0], nums(mx2!)[0]]).toEqual([0, 3]);
    const [, , mx3] = await quantizeV2(fv([1], [0]), 0, 0, 'quint8', 'MIN_FIRST', { ensure_minimum_range: attr.f(0.5) });
    expect(nums(mx3!)[0]).toBe(0.5);
  });

  it('MIN_COMBINED quint8 adds 0.5 and truncates; qint8 shifts by half the range and rounds', async () => {
    const [u] = await quantizeV2(fv([4], [1.5, 2.4, 2.5, 300]), 0, 255, 'quint8', 'MIN_COMBINED');
    expect(nums(u!)).toEqual([2, 2, 3, 255]);
    // [−1, 1]: scale 127.5, half range 128: 0 → round(−0.5) = −1; 1 → 127; −1 → −128.
    const [s] = await quantizeV2(fv([3], [0, 1, -1]), -1, 1, 'qint8', 'MIN_COMBINED');
    expect(s!.dtype).toBe('qint8');
    expect(nums(s!)).toEqual([-1, 127, -128]);
  });

  it('SCALED: symmetric scale, range reported as the one used; both rounding modes', async () => {
    const [a, mn, mx] = await quantizeV2(fv([3], [2.5, 3.5, 300]), 0, 255, 'quint8', 'SCALED');
    expect(nums(a!)).toEqual([3, 4, 255]);
    expect([nums(mn!)[0], nums(mx!)[0]]).toEqual([0, 255]);
    const [b] = await quantizeV2(fv([3], [2.5, 3.5, 300]), 0, 255, 'quint8', 'SCALED', { round_mode: attr.s('HALF_TO_EVEN') });
    expect(nums(b!)).toEqual([2, 4, 255]);
    // qint8 [−1, 2]: scale min(128/1, 127/2) = 63.5; range [−128/63.5, 2].
    const [c, cmn, cmx] = await quantizeV2(fv([3], [1, 2, -3]), -1, 2, 'qint8', 'SCALED');
    expect(nums(c!)).toEqual([64, 127, -128]);
    expect(nums(cmn!)[0]).toBeCloseTo(-128 / 63.5, 6);
    expect(nums(cmx!)[0]).toBe(2);
  });

  it('refuses max < min and HALF_TO_EVEN outside SCALED', async () => {
    await expect(quantizeV2(fv([1], [0]), 1, 0, 'quint8', 'MIN_FIRST')).rejects.toThrow('must be larger');
    await expect(quantizeV2(fv([1], [0]), 0, 1, 'quint8', 'MIN_FIRST', { round_mode: attr.s('HALF_TO_EVEN') })).rejects.toThrow('SCALED');
  });
});

describe('Dequantize', () => {
  it('MIN_FIRST: the worked example (range [0,4], code 6 → 0.0941)', async () => {
    const [y] = await dequantize(q('quint8', [4], [0, 6, 64, 255]), 0, 4, 'MIN_FIRST');
    expect(nums(y!)[1]).toBeCloseTo(6 * (4 / 255), 6);
    expect(nums(y!)[3]).toBeCloseTo(4, 5);
  });

  it('MIN_FIRST snaps the origin to a multiple of the step so 0.0 is exact', async () => {
    // [−1, 1]: step f32(2/255); −1/step is −127.49999 in float, so the origin is −127 steps and
    // code 127 is exactly 0 (MIN_COMBINED would give −1 + 127·2/255 ≈ −0.0039).
    const [y] = await dequantize(q('quint8', [3], [0, 127, 255]), -1, 1, 'MIN_FIRST');
    const step = Math.fround(2 / 255);
    expect(nums(y!)[1]).toBe(0);
    expect(nums(y!)[0]).toBeCloseTo(-127 * step, 6);
    expect(nums(y!)[2]).toBeCloseTo(128 * step, 6);
    const [c] = await dequantize(q('quint8', [1], [127]), -1, 1, 'MIN_COMBINED');
    expect(nums(c!)[0]).not.toBe(0);
  });

  it('MIN_COMBINED maps codes linearly onto [min, max] (signed: shifted by half the range)', async () => {
    const [u] = await dequantize(q('quint8', [3], [0, 51, 255]), 1, 6, 'MIN_COMBINED');
    expect(nums(u!)).toEqual([1, 2, 6]);
    const [s] = await dequantize(q('qint8', [3], [-128, 0, 127]), -1, 1, 'MIN_COMBINED');
    expect(nums(s!)[0]).toBe(-1);
    expect(nums(s!)[1]).toBeCloseTo(128 * (2 / 255) - 1, 6);
    expect(nums(s!)[2]).toBe(1);
  });

  it('SCALED is symmetric: quint8 uses max/255, qint8 the larger of min/−128 and max/127', async () => {
    const [u] = await dequantize(q('quint8', [2], [0, 255]), 0, 4, 'SCALED');
    expect(nums(u!)).toEqual([0, 4]);
    const [s] = await dequantize(q('qint8', [2], [-128, 127]), -1, 2, 'SCALED');
    expect(nums(s!)[1]).toBeCloseTo(2, 6);
    expect(nums(s!)[0]).toBeCloseTo((-128 * 2) / 127, 5);
  });

  it('per-axis ranges (MIN_COMBINED) and MIN_FIRST refusing an axis', async () => {
    const x = q('quint8', [2, 2], [0, 255, 0, 255]);
    const [y] = await run('Dequantize', [x, fv([2], [0, 10]), fv([2], [1, 20])], { T: attr.type('quint8'), mode: attr.s('MIN_COMBINED'), axis: attr.i(1) });
    expect(nums(y!)).toEqual([0, 20, 0, 20]);
    await expect(run('Dequantize', [x, fv([2], [0, 10]), fv([2], [1, 20])], { T: attr.type('quint8'), mode: attr.s('MIN_FIRST'), axis: attr.i(1) })).rejects.toThrow('MIN_FIRST');
  });
});

describe('QuantizedMatMul', () => {
  const mm = (a: Tensor, b: Tensor, ra: [number, number], rb: [number, number], o: Record<string, AttrValue> = {}) =>
    run('QuantizedMatMul', [a, b, f(ra[0]), f(ra[1]), f(rb[0]), f(rb[1])], { T1: attr.type('quint8'), T2: attr.type('quint8'), Toutput: attr.type('qint32'), ...o });

  it('accumulates (a − zeroA)(b − zeroB) in int32 and reports stepA·stepB × [−2^31, 2^31]', async () => {
    // a in [−1, 1]: 0.0 is code 128; b in [0, 2]: 0.0 is code 0.
    const [c, mn, mx] = await mm(q('quint8', [2, 2], [130, 126, 128, 255]), q('quint8', [2, 2], [1, 2, 3, 4]), [-1, 1], [0, 2]);
    expect(c!.dtype).toBe('qint32');
    // [[2,−2],[0,127]] · [[1,2],[3,4]]
    expect(nums(c!)).toEqual([-4, -4, 381, 508]);
    const step = Math.fround(Math.fround(2 / 255) * Math.fround(2 / 255));
    expect(nums(mn!)[0]).toBe(Math.fround(step * -2147483648));
    expect(nums(mx!)[0]).toBe(Math.fround(step * 2147483648));
    // The value: code × step.
    expect(nums(c!)[2]! * step).toBeCloseTo((2 / 255) * 127 * 3 * (2 / 255), 6);
  });

  it('stays exact beyond float precision (sums over 2^24)', async () => {
    const k = 1024;
    const [c] = await mm(q('quint8', [1, k], new Array(k).fill(255)), q('quint8', [k, 1], new Array(k).fill(255)), [0, 1], [0, 1]);
    expect(nums(c!)).toEqual([k * 255 * 255]);
  });

  it('honours transpose_a and transpose_b', async () => {
    const a = q('quint8', [2, 2], [1, 2, 3, 4]);
    const b = q('quint8', [2, 2], [5, 6, 7, 8]);
    const [c] = await mm(a, b, [0, 255], [0, 255], { transpose_a: attr.b(true), transpose_b: attr.b(true) });
    // aᵀ·bᵀ = [[1,3],[2,4]]·[[5,7],[6,8]]
    expect(nums(c!)).toEqual([23, 31, 34, 46]);
  });
});

describe('QuantizedConv2D', () => {
  it('SAME padding contributes zero (the zero point), offsets subtracted, int32 sums', async () => {
    // input [1,2,2,1] codes 1..4 in [0,255] (zero 0); filter [2,2,1,1] in [−1,1] (zero 128).
    const x = q('quint8', [1, 2, 2, 1], [1, 2, 3, 4]);
    const w = q('quint8', [2, 2, 1, 1], [129, 130, 128, 127]); // 1, 2, 0, −1
    const [c] = await run('QuantizedConv2D', [x, w, f(0), f(255), f(-1), f(1)], {
      Tinput: attr.type('quint8'), Tfilter: attr.type('quint8'), out_type: attr.type('qint32'),
      strides: attr.list({ i: [1, 1, 1, 1] }), padding: attr.s('SAME'),
    });
    expect(c!.shape).toEqual([1, 2, 2, 1]);
    // out(0,0) = 1·1 + 2·2 + 3·0 + 4·(−1) = 1; out(0,1) = 2·1 + 0 + 4·0 = 2; out(1,0) = 3·1 + 4·2 = 11; out(1,1) = 4.
    expect(nums(c!)).toEqual([1, 2, 11, 4]);
  });
});

describe('QuantizedBiasAdd', () => {
  const biasAdd = (x: Tensor, b: Tensor, rx: [number, number], rb: [number, number]) =>
    run('QuantizedBiasAdd', [x, b, f(rx[0]), f(rx[1]), f(rb[0]), f(rb[1])], { T1: attr.type('quint8'), T2: attr.type('quint8'), out_type: attr.type('qint32') });
  const asFloat = (outs: Tensor[]) => nums(outs[0]!).map((v) => quantizedToFloat(v, nums(outs[1]!)[0]!, nums(outs[2]!)[0]!, I32));

  it("TensorFlow's Small test (within 0.2)", async () => {
    const x = q('quint8', [2, 3], [10, 20, 30, 40, 50, 60].map((v) => floatToQuantized(v, 0, 60, U8)));
    const b = q('quint8', [3], [1, 2, 3].map((v) => floatToQuantized(v, 0, 3, U8)));
    const outs = await biasAdd(x, b, [0, 60], [0, 3]);
    // The sum range: max(|ranges|) × 2^17, symmetric.
    expect(nums(outs[2]!)[0]).toBe(60 * 131072);
    expect(nums(outs[1]!)[0]).toBe(-60 * 131072);
    asFloat(outs).forEach((v, i) => expect(Math.abs(v - [11, 22, 33, 41, 52, 63][i]!)).toBeLessThanOrEqual(0.2));
  });

  it("TensorFlow's RealData test (within 20)", async () => {
    const input = [-1014.12, -157.382, -810.17, 1435.28, 1016.37, 219.684, -316.054, -2164.25, 2006.27, -547.444, 857.376, 404.376, 9.72115, 332.588, 194.385, -286.57, 26.062, 23.1125, 110.436, 247.055, -127.683, -376.275, -124.81, -846.826, -77.1507, 305.581, -202.747, 12.9528, 9.64886, 872.686, 40.9069, 197.816, 44.16, -306.768, -1457.52, -368.939, -1049.42, -486.353, 1745.87, 95.7695, 395.773, -254.333, -404.27, 787.16, -2.44114, 199.37, -1024.08, 784.901, 235.055, -42.7295, 241.498, -245.365, 470.763, 186.159, 186.579, -220.163, 1304.58, 386.272, -358.853, -755.996, 360.109, -866.007, 55.2828, -508.801];
    const bias = [-0.294619, -0.0670519, 0.261507, -0.126274, 0.127229, -0.176945, -0.251223, 0.231086, 0.453694, 0.415666, -0.288733, 0.508717, 0.211551, 0.0435907, -0.582383, -0.308779, 0.0696883, -0.438122, 0.114, 0.433964, 0.109883, 0.284931, -0.149661, 0.108657, 0.458333, -0.130231, -0.35805, -0.123206, -0.437968, 0.0282411, 0.628818, -0.0522173, -0.0233403, 0.124863, 0.217165, 0.262294, -0.171005, -0.254693, -0.200433, -0.287354, 0.488166, -0.0354688, -0.118091, -0.590444, 0.491537, -0.739539, 0.083117, 0.282482, 0.275269, -0.36574, 0.107476, 0.0511428, -0.136887, -0.0149852, -0.259694, 0.641057, 0.264054, -0.295126, -0.0218791, 0.361211, 0.012448, 0.0709718, -0.392394, -0.434215];
    const [imin, imax, bmin, bmax] = [-2164.25, 2006.27, -0.739539, 0.641057].map(Math.fround) as [number, number, number, number];
    const x = q('quint8', [1, 64], input.map((v) => floatToQuantized(v, imin, imax, U8)));
    const b = q('quint8', [64], bias.map((v) => floatToQuantized(v, bmin, bmax, U8)));
    const got = asFloat(await biasAdd(x, b, [imin, imax], [bmin, bmax]));
    got.forEach((v, i) => expect(Math.abs(v - (input[i]! + bias[i]!))).toBeLessThanOrEqual(20));
  });

  it("mirrors TF's float-precision offset: with ranges [0,255] each operand lands 128 codes low", async () => {
    // Sum range ±255·2^17; TF's FloatToQuantizedStruct computes round(min·scale) in float, which
    // gives −2^31 + 128, so every requantized operand is 128 codes (≈2.0) below its value.
    const outs = await biasAdd(q('quint8', [1, 2], [1, 2]), q('quint8', [2], [1, 2]), [0, 255], [0, 255]);
    expect(nums(outs[0]!)).toEqual([-128, 2]);
  });
});

describe('QuantizedAdd', () => {
  it('moves both operands into a symmetric range of max|range| × 2^14 and adds, with broadcasting', async () => {
    const x = q('quint8', [2, 2], [0, 51, 102, 255]); // [0,5]: 0, 1, 2, 5
    const y = q('quint8', [2], [0, 255]); // [0,1]: 0, 1
    const [z, mn, mx] = await run('QuantizedAdd', [x, y, f(0), f(5), f(0), f(1)], { T1: attr.type('quint8'), T2: attr.type('quint8'), Toutput: attr.type('qint32') });
    expect(nums(mx!)[0]).toBe(5 * 16384);
    expect(nums(mn!)[0]).toBe(-5 * 16384);
    const vals = nums(z!).map((v) => quantizedToFloat(v, -5 * 16384, 5 * 16384, I32));
    [0, 2, 2, 6].forEach((e, i) => expect(Math.abs(vals[i]! - e)).toBeLessThan(0.05));
  });
});

describe('RequantizationRange and Requantize', () => {
  const i32 = (v: number[]) => q('qint32', [v.length], v);
  const big = 2147483648;

  it('Requantize: the fixed-point path maps codes into the requested range, clamping', async () => {
    // Input range ±2^31 (one code per unit) into [0, 255]: scale_fp = 2^48, so q = floor(v + 0.5).
    const [y, mn, mx] = await run('Requantize', [i32([-5, 0, 7, 100, 300]), f(-big), f(big), f(0), f(255)], { Tinput: attr.type('qint32'), out_type: attr.type('quint8') });
    expect(y!.dtype).toBe('quint8');
    expect(nums(y!)).toEqual([0, 0, 7, 100, 255]);
    expect([nums(mn!)[0], nums(mx!)[0]]).toEqual([0, 255]);
  });

  it('Requantize: a near-empty output range (all-zero products) takes the int64 path', async () => {
    const [y] = await run('Requantize', [i32([0, 0]), f(-330), f(330), f(0), f(7.7e-8)], { Tinput: attr.type('qint32'), out_type: attr.type('quint8') });
    expect(nums(y!)).toEqual([0, 0]);
  });

  it('Requantize refuses a requested minimum above 0', async () => {
    await expect(run('Requantize', [i32([1]), f(-big), f(big), f(1), f(2)], { Tinput: attr.type('qint32'), out_type: attr.type('quint8') })).rejects.toThrow('requested_output_min must be <= 0');
  });

  it('RequantizationRange reports the float range used, its minimum clamped to ≤ 0', async () => {
    const [mn, mx] = await run('RequantizationRange', [i32([100, 150, 200]), f(-big), f(big)], { Tinput: attr.type('qint32') });
    expect(nums(mn!)[0]).toBe(0);
    expect(Math.abs(nums(mx!)[0]! - 200)).toBeLessThanOrEqual(1);
    const [mn2] = await run('RequantizationRange', [i32([-300, 5]), f(-big), f(big)], { Tinput: attr.type('qint32') });
    expect(Math.abs(nums(mn2!)[0]! + 300)).toBeLessThanOrEqual(1);
  });
});

describe('activations, pooling, concat, reshape', () => {
  it('QuantizedRelu/Relu6 clamp at the codes of 0 and 6 in the input range, which they keep', async () => {
    // [−6, 12]: step 18/255; 0.0 is code 85, 6.0 is code 170.
    const x = q('quint8', [4], [0, 85, 150, 255]);
    const [r, mn, mx] = await run('QuantizedRelu', [x, f(-6), f(12)], { Tinput: attr.type('quint8') });
    expect(nums(r!)).toEqual([85, 85, 150, 255]);
    expect([nums(mn!)[0], nums(mx!)[0]]).toEqual([-6, 12]);
    const [r6] = await run('QuantizedRelu6', [x, f(-6), f(12)], { Tinput: attr.type('quint8') });
    expect(nums(r6!)).toEqual([85, 85, 150, 170]);
  });

  it('QuantizedMaxPool and QuantizedAvgPool (integer average, padding not counted)', async () => {
    const x = q('quint8', [1, 2, 2, 1], [1, 2, 4, 6]);
    const attrs = { T: attr.type('quint8'), ksize: attr.list({ i: [1, 2, 2, 1] }), strides: attr.list({ i: [1, 1, 1, 1] }), padding: attr.s('SAME') };
    const [m] = await run('QuantizedMaxPool', [x, f(0), f(1)], attrs);
    expect(nums(m!)).toEqual([6, 6, 6, 6]);
    const [a] = await run('QuantizedAvgPool', [x, f(0), f(1)], attrs);
    // (1+2+4+6)/4 = 3.25 → 3; (2+6)/2 = 4; (4+6)/2 = 5; 6.
    expect(nums(a!)).toEqual([3, 4, 5, 6]);
  });

  it('QuantizedConcat requantizes inputs into the joint range', async () => {
    const a = q('quint8', [2], [0, 255]); // [0, 1]
    const b = q('quint8', [2], [0, 255]); // [0, 2]
    const [y, mn, mx] = await run('QuantizedConcat', [makeTensor('int32', [], [0]), a, b, f(0), f(0), f(1), f(2)], { N: attr.i(2), T: attr.type('quint8') });
    expect([nums(mn!)[0], nums(mx!)[0]]).toEqual([0, 2]);
    expect(nums(y!)).toEqual([0, 128, 0, 255]);
  });

  it('QuantizedReshape keeps the codes and the range', async () => {
    const [y, mn, mx] = await run('QuantizedReshape', [q('quint8', [2, 3], [1, 2, 3, 4, 5, 6]), makeTensor('int32', [2], [3, -1]), f(-1), f(1)], { T: attr.type('quint8') });
    expect(y!.shape).toEqual([3, 2]);
    expect(nums(y!)).toEqual([1, 2, 3, 4, 5, 6]);
    expect([nums(mn!)[0], nums(mx!)[0]]).toEqual([-1, 1]);
  });
});

describe('FakeQuantWithMinMaxVars (float)', () => {
  it('nudges the range so 0 is on the grid, clamps and snaps', async () => {
    // [0, 18]: scale 18/255; 1.0 → floor(14.1667 + 0.5) = 14 → 0.988; 20 → 18.
    const [y] = await run('FakeQuantWithMinMaxVars', [fv([3], [1, 20, -1]), f(0), f(18)]);
    const scale = Math.fround(18 / 255);
    expect(nums(y!)[0]).toBeCloseTo(14 * scale, 5);
    expect(nums(y!)[1]).toBeCloseTo(18, 5);
    expect(nums(y!)[2]).toBe(0);
  });
});
