import { describe, expect, it } from 'vitest';
import { makeStringTensor, makeTensor } from '../../src/ir/tensor';
import { formatTensorSummary, summarizeTensor } from '../../src/verify/tensor-summary';

describe('summarizeTensor', () => {
  it('gives min, max, mean and the argmax of each row', () => {
    const s = summarizeTensor(makeTensor('float', [2, 3], [0.1, 0.7, 0.2, 0.5, 0.1, 0.4]));
    expect(s).toMatchObject({ argmax: [1, 0], elements: 6, complete: true });
    expect(s.min).toBeCloseTo(0.1, 6); // float32 values
    expect(s.max).toBeCloseTo(0.7, 6);
    expect(s.mean).toBeCloseTo(2 / 6, 6);
    expect(formatTensorSummary('p', s)).toBe('p: float [2,3]\n  values: 0.1 0.7 0.2 0.5 0.1 0.4\n  min 0.1  max 0.7  mean 0.333333  argmax 1,0');
  });

  it('truncates long tensors and handles scalars and strings', () => {
    const long = summarizeTensor(makeTensor('int32', [30], Array.from({ length: 30 }, (_, i) => i)), 5);
    expect(long).toMatchObject({ values: [0, 1, 2, 3, 4], complete: false, argmax: [29] });
    expect(formatTensorSummary('n', long)).toMatch(/… \(30 elements\)/);
    expect(summarizeTensor(makeTensor('float', [], [2])).argmax).toBeUndefined();
    expect(summarizeTensor(makeStringTensor([2], ['a', 'b'])).values).toEqual(['a', 'b']);
    expect(formatTensorSummary('x', summarizeTensor(makeTensor('float', [1], [1.5e-6])))).toMatch(/values: 1\.5e-6/);
  });
});
