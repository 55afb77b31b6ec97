/**
 * numpy's `str(array)`, as `saved_model_cli run` prints outputs. Every expected string below was
 * printed by numpy 2.4 (`'%s' % np.array(values, dtype).reshape(shape)`), not by graft.
 */
import { describe, expect, it } from 'vitest';
import { formatG, numpyStr, tfSummarizeValue } from '../../src/inspect/array-text';
import { type DType } from '../../src/ir/dtype';
import { makeStringTensor, makeTensor } from '../../src/ir/tensor';

const CASES: [DType, number[], number[], string][] = [
    ['float', [3, 1], [1.5, 2.5, 3.5], "[[1.5]\n [2.5]\n [3.5]]"],
    ['float', [20], [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0], "[ 0.  1.  2.  3.  4.  5.  6.  7.  8.  9. 10. 11. 12. 13. 14. 15. 16. 17.\n 18. 19.]"],
    ['float', [2, 3], [1.0, 0.5, -2.25, 3.0, 100.0, 0.125], "[[  1.      0.5    -2.25 ]\n [  3.    100.      0.125]]"],
    ['float', [4], [1e-05, 1.0, 2.5, 3.0], "[1.0e-05 1.0e+00 2.5e+00 3.0e+00]"],
    ['float', [3], [0.1, 0.2, 0.3], "[0.1 0.2 0.3]"],
    ['double', [3], [0.1, 0.2, 0.3], "[0.1 0.2 0.3]"],
    ['float', [3], [NaN, 1.0, -Infinity], "[ nan   1. -inf]"],
    ['float', [2], [123456789.0, 1.0], "[1.2345679e+08 1.0000000e+00]"],
    ['float', [2, 2, 2], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], "[[[1. 2.]\n  [3. 4.]]\n\n [[5. 6.]\n  [7. 8.]]]"],
    ['int32', [2, 3], [1.0, -20.0, 3.0, 400.0, 5.0, 6.0], "[[  1 -20   3]\n [400   5   6]]"],
    ['int64', [3], [1.0, 2.0, 3.0], "[1 2 3]"],
    ['bool', [3], [1.0, 0.0, 1.0], "[ True False  True]"],
    ['float', [], [2.0], "2.0"],
    ['float', [], [1.5e-07], "1.5e-07"],
    ['float', [1, 10], [0.0123, 0.9, 0.001, 0.0, 0.5, 0.25, 0.125, 0.0625, 0.03125, 0.33333334], "[[0.0123     0.9        0.001      0.         0.5        0.25\n  0.125      0.0625     0.03125    0.33333334]]"],
    ['float', [5], [0.0, 0.0, 0.0, 0.0, 0.0], "[0. 0. 0. 0. 0.]"],
    ['double', [3], [0.3333333333333333, 0.6666666666666666, 1.0], "[0.33333333 0.66666667 1.        ]"],
    // Scientific form: past the shortest digits numpy prints the exact value's further digits (min_digits).
    ['float', [1, 10], [3.563414452401048e-08, 4.278045029337818e-09, 0.12119905650615692, 0.5277485847473145, 8.255218679324196e-15, 0.3510454595088959, 6.64368249303493e-09, 6.25084658167907e-06, 6.313329095064546e-07, 8.657161099101529e-10], "[[3.5634145e-08 4.2780450e-09 1.2119906e-01 5.2774858e-01 8.2552187e-15\n  3.5104546e-01 6.6436825e-09 6.2508466e-06 6.3133291e-07 8.6571611e-10]]"],
    ['float', [5], [0.04991397261619568, 2.675020368769765e-05, 0.4571903944015503, -0.0024999999441206455, 10000000000.0], "[ 4.9913973e-02  2.6750204e-05  4.5719039e-01 -2.4999999e-03\n  1.0000000e+10]"],
    ['double', [3], [0.3333333333333333, 1e-09, 2.0], "[3.33333333e-01 1.00000000e-09 2.00000000e+00]"],
    // float32 switches to scientific at 1e6 (numpy 2.3+: 10 ** min(8, finfo.precision)); float64 at 1e8.
    ['float', [3], [3709468.25, 6131891.0, -1521929.625], '[ 3.7094682e+06  6.1318910e+06 -1.5219296e+06]'],
    ['double', [2], [3709468.25, 1.5], '[3.70946825e+06 1.50000000e+00]'],
    // A tie at the 8th digit rounds to even (1739633965 -> ...396e+09).
    ['double', [2], [1739633965.0, -1077716020.0], '[ 1.73963396e+09 -1.07771602e+09]'],
];

describe('numpyStr', () => {
  it.each(CASES)('%s %j', (dtype, shape, values, expected) => {
    const vals = dtype === 'int64' ? values.map((v) => BigInt(v)) : values;
    expect(numpyStr(makeTensor(dtype, shape, vals))).toBe(expected);
  });

  it('summarizes beyond 1000 elements with 3 edge items (numpy threshold and edgeitems)', () => {
    const a = Array.from({ length: 2000 }, (_, i) => i * 0.001);
    expect(numpyStr(makeTensor('float', [2000], a))).toBe("[0.000e+00 1.000e-03 2.000e-03 ... 1.997e+00 1.998e+00 1.999e+00]");
    const b = Array.from({ length: 1600 }, (_, i) => i);
    expect(numpyStr(makeTensor('float', [40, 40], b))).toBe("[[0.000e+00 1.000e+00 2.000e+00 ... 3.700e+01 3.800e+01 3.900e+01]\n [4.000e+01 4.100e+01 4.200e+01 ... 7.700e+01 7.800e+01 7.900e+01]\n [8.000e+01 8.100e+01 8.200e+01 ... 1.170e+02 1.180e+02 1.190e+02]\n ...\n [1.480e+03 1.481e+03 1.482e+03 ... 1.517e+03 1.518e+03 1.519e+03]\n [1.520e+03 1.521e+03 1.522e+03 ... 1.557e+03 1.558e+03 1.559e+03]\n [1.560e+03 1.561e+03 1.562e+03 ... 1.597e+03 1.598e+03 1.599e+03]]");
  });

  it('float16 prints with float16 digits, ties to even, scientific from 1e3', () => {
    const half = (shape: number[], bits: number[]) => ({ dtype: 'half' as const, shape, data: { kind: 'content' as const, bytes: new Uint8Array(new Uint16Array(bits).buffer) } });
    // numpy: '%s' % np.array([0.1, 0.2, 1000.5], np.float16), and the others likewise.
    expect(numpyStr(half([3], [11878, 12902, 25553]))).toBe('[9.9976e-02 1.9995e-01 1.0005e+03]');
    expect(numpyStr(half([3], [55306, 16416, 14336]))).toBe('[-129.2      2.062    0.5  ]');
    expect(numpyStr(half([], [11878]))).toBe('0.1');
  });

  it('bytes elements print as Python bytes reprs', () => {
    // numpy: str(np.array([b'ab', b"it's", b'\\xff'], dtype=object)) == "[b'ab' b\"it's\" b'\\xff']"
    expect(numpyStr(makeStringTensor([3], ['ab', "it's", new Uint8Array([0xff])]))).toBe("[b'ab' b\"it's\" b'\\xff']");
  });
});

describe("TensorFlow's Tensor::SummarizeValue and %g", () => {
  it('prints at most 3 values, nested by dimension, then ...', () => {
    expect(tfSummarizeValue(makeTensor('float', [2, 3], [1, 2, 3, 4, 5, 6]))).toBe('[1 2 3]...');
    expect(tfSummarizeValue(makeTensor('float', [2], [0.5, -1.25]))).toBe('0.5 -1.25');
    expect(tfSummarizeValue(makeTensor('int32', [5], [1, 2, 3, 4, 5]))).toBe('1 2 3...');
    expect(tfSummarizeValue(makeTensor('float', [], [7]))).toBe('7');
  });
  it('%g as C prints it', () => {
    // printf("%.6g|%.6g|%.6g|%.9g", 1e-05, 1234567.0, 0.1, 0.1f) == "1e-05|1.23457e+06|0.1|0.100000001"
    expect([formatG(1e-5, 6), formatG(1234567, 6), formatG(0.1, 6), formatG(Math.fround(0.1), 9)]).toEqual(['1e-05', '1.23457e+06', '0.1', '0.100000001']);
  });
});
