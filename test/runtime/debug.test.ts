/**
 * Assert, CheckNumerics, Print, PrintV2 and StringFormat, with TensorFlow's texts. The expected
 * summaries are TensorFlow's own test values (tensorflow/core/framework/tensor_test.cc,
 * `TEST(SummarizeValue, ...)`); the messages follow tensorflow/core/kernels/logging_ops.cc and
 * check_numerics_op.cc.
 */
import { describe, expect, it } from 'vitest';
import { attr } from '../../src/ir/attr';
import { isGraftError } from '../../src/errors';
import type { DType } from '../../src/ir/dtype';
import { makeNode } from '../../src/ir/node';
import { type Tensor, makeStringTensor, makeTensor, tensorStrings, tensorToNumbers } from '../../src/ir/tensor';
import { evaluateNode, runGraph } from '../../src/runtime';
import { summarizeValue } from '../../src/runtime/kernels/summarize';
import { graphBuilder } from '../helpers/graph-builder';

/** TF's MkTensor: the values repeat to fill the shape. */
function mk(dtype: DType, shape: number[], values: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return makeTensor(dtype, shape, Array.from({ length: n }, (_, i) => values[i % values.length]!));
}
const strs = (shape: number[], values: string[]) => {
  const n = shape.reduce((a, b) => a * b, 1);
  return makeStringTensor(shape, Array.from({ length: n }, (_, i) => values[i % values.length]!));
};
const text = (t: Tensor) => tensorStrings(t).map((b) => new TextDecoder().decode(b));

describe('summarizeValue (TensorFlow tensor_test.cc)', () => {
  it('v1: flat prefixes with brackets as far as printed', () => {
    expect(summarizeValue(mk('int32', [5], [1, 2, 3, 4, 0]), 16)).toBe('1 2 3 4 0');
    expect(summarizeValue(mk('int32', [2, 2], [1, 2, 3, 4, 0]), 16)).toBe('[1 2][3 4]');
    expect(summarizeValue(mk('int32', [2, 2, 1, 1], [1, 2, 3, 4, 0]), 16)).toBe('[[[1]][[2]]][[[3]][[4]]]');
    expect(summarizeValue(mk('int32', [2, 2, 1, 1], [1, 2, 3, 4, 0]), 3)).toBe('[[[1]][[2]]][[[3]]]...');
    expect(summarizeValue(mk('int32', [0], []), 16)).toBe('');
    const x = mk('int32', [3, 4], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(summarizeValue(x, 3)).toBe('[1 2 3...]...');
    expect(summarizeValue(x, 10)).toBe('[1 2 3 4][5 6 7 8][9 10...]...');
    expect(summarizeValue(mk('bool', [5], [0, 1, 1]), 16)).toBe('0 1 1 0 1');
    expect(summarizeValue(mk('bool', [5], [0, 1, 1]), 3)).toBe('0 1 1...');
    expect(summarizeValue(strs([5], ['one', 'two', 'three', 'four', 'five']), 16)).toBe('one two three four five');
    expect(summarizeValue(strs([5, 1, 5], ['one', 'two', 'three', 'four', 'five']), 6)).toBe('[[one two three four five]][[one...]]...');
    for (const dt of ['float', 'double', 'int64', 'uint8'] as DType[]) {
      expect(summarizeValue(mk(dt, [2, 2], [1, 2, 3, 4]), 16)).toBe('[1 2][3 4]');
    }
  });

  it('v2: numpy-like, ends of every dimension', () => {
    const x = mk('int32', [5], [1, 2, 3, 4, 0]);
    expect(summarizeValue(x, 16, true)).toBe('[1 2 3 4 0]');
    expect(summarizeValue(x, -1, true)).toBe('[1 2 3 4 0]');
    expect(summarizeValue(x, 2, true)).toBe('[1 2 ... 4 0]');
    expect(summarizeValue(x, 1, true)).toBe('[1 ... 0]');
    expect(summarizeValue(mk('float', [2, 2], [1, 2, 3, 4, 0]), 16, true)).toBe('[[1 2]\n [3 4]]');
    expect(summarizeValue(mk('int32', [2, 2, 1, 1], [1, 2, 3, 4, 0]), 16, true)).toBe('[[[[1]]\n\n  [[2]]]\n\n\n [[[3]]\n\n  [[4]]]]');
    expect(summarizeValue(mk('int32', [0], []), 16, true)).toBe('[]');
    const y = mk('int32', [3, 4], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(summarizeValue(y, 1, true)).toBe('[[1 ... 4]\n ...\n [9 ... 12]]');
    expect(summarizeValue(y, 10, true)).toBe('[[1 2 3 4]\n [5 6 7 8]\n [9 10 11 12]]');
    expect(summarizeValue(mk('bool', [5], [0, 1, 1]), 2, true)).toBe('[0 1 ... 0 1]');
    const s = strs([5], ['one', 'two', 'three', 'four', 'five']);
    expect(summarizeValue(s, 2, true)).toBe('["one" "two" ... "four" "five"]');
    expect(summarizeValue(strs([2, 2], ['one', 'two', 'three', 'four']), 16, true)).toBe('[["one" "two"]\n ["three" "four"]]');
  });

  it('floats as strings::StrCat writes them (%.6g, %.9g when six digits do not read back)', () => {
    expect(summarizeValue(makeTensor('float', [4], [0.5, 0.1, 1 / 3, 1e10]), -1)).toBe('0.5 0.1 0.333333343 1e+10');
    expect(summarizeValue(makeTensor('double', [2], [0.1, 1 / 3]), -1)).toBe('0.1 0.33333333333333331');
    expect(summarizeValue(makeTensor('float', [3], [NaN, Infinity, -Infinity]), -1)).toBe('nan inf -inf');
    expect(summarizeValue(makeStringTensor([2], ['a\nb', 'q"\u00e9']), -1)).toBe('a\\nb q\\"\u00e9');
  });
});

async function evalOp(op: string, inputs: Tensor[], attrs: Record<string, ReturnType<typeof attr.i>> = {}, print?: (t: string, s: string) => void): Promise<Tensor[]> {
  const node = makeNode({ name: 'node', op, inputs: inputs.map((_, i) => `in${i}`), attrs });
  if (!print) return evaluateNode(node, inputs, { backend: 'cpu' });
  const b = graphBuilder();
  inputs.forEach((t, i) => b.const(`in${i}`, t));
  b.op(op, inputs.map((_, i) => `in${i}`), attrs, 'node');
  b.op('Identity', ['in0', '^node'], {}, 'out');
  return runGraph(b.graph(), {}, ['out'], { backend: 'cpu', print });
}

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string; node?: string }> {
  try {
    await p;
  } catch (e) {
    if (isGraftError(e)) return { code: e.code, message: e.message, ...(e.node ? { node: e.node } : {}) };
    throw e;
  }
  throw new Error('expected a failure');
}

describe('Assert', () => {
  const guarded = (cond: boolean, summarize?: number) => {
    const b = graphBuilder();
    b.const('cond', makeTensor('bool', [], [cond ? 1 : 0]));
    b.const('msg', makeStringTensor([], ['x must be positive:']));
    b.const('x', makeTensor('int32', [5], [-1, 2, 3, 4, 5]));
    b.op('Assert', ['cond', 'msg', 'x'], summarize === undefined ? {} : { summarize: attr.i(summarize) }, 'check/Assert');
    b.op('Identity', ['x', '^check/Assert'], {}, 'y');
    return b.graph();
  };

  it('lets the run through when the condition holds', async () => {
    const [y] = await runGraph(guarded(true), {}, ['y'], { backend: 'cpu' });
    expect(tensorToNumbers(y!)).toEqual([-1, 2, 3, 4, 5]);
  });

  it("fails with TensorFlow's message, the data summarized to `summarize`, naming the node", async () => {
    const f = await failure(runGraph(guarded(false), {}, ['y'], { backend: 'cpu' }));
    expect(f).toMatchObject({ code: 'runtime/failed', node: 'check/Assert' });
    expect(f.message).toContain('assertion failed: [x must be positive:] [-1 2 3...]');
    const g = await failure(runGraph(guarded(false, 5), {}, ['y'], { backend: 'cpu' }));
    expect(g.message).toContain('assertion failed: [x must be positive:] [-1 2 3 4 5]');
    expect(g.message).toContain("Node 'check/Assert'");
  });

  it('refuses a condition that is not a scalar', async () => {
    const f = await failure(evalOp('Assert', [makeTensor('bool', [2], [1, 1])]));
    expect(f.message).toContain('In[0] should be a scalar: [2]');
  });
});

describe('CheckNumerics', () => {
  it('passes finite values through', async () => {
    const [y] = await evalOp('CheckNumerics', [makeTensor('float', [2], [1, 2])], { message: attr.s('m') });
    expect(tensorToNumbers(y!)).toEqual([1, 2]);
  });

  it("fails with '<message> : Tensor had ... values'", async () => {
    const m = { message: attr.s('logits') };
    expect((await failure(evalOp('CheckNumerics', [makeTensor('float', [2], [1, NaN])], m))).message).toContain('logits : Tensor had NaN values');
    expect((await failure(evalOp('CheckNumerics', [makeTensor('float', [2], [-Infinity, 1])], m))).message).toContain('logits : Tensor had Inf values');
    expect((await failure(evalOp('CheckNumerics', [makeTensor('double', [2], [Infinity, NaN])], m))).message).toContain('logits : Tensor had Inf and NaN values');
    expect((await failure(evalOp('CheckNumericsV2', [makeTensor('float', [3], [-Infinity, Infinity, NaN])], m))).message).toContain(
      'logits : Tensor had -Inf, +Inf, and NaN values',
    );
    expect((await failure(evalOp('CheckNumericsV2', [makeTensor('float', [2], [Infinity, NaN])], m))).message).toContain('logits : Tensor had +Inf and NaN values');
  });
});

describe('Print, PrintV2, StringFormat', () => {
  it('Print passes input 0 through and prints message[data] to the sink, first_n times per session', async () => {
    const lines: [string, string][] = [];
    const b = graphBuilder();
    b.placeholder('x', 'float', [3]);
    b.op('Print', ['x', 'x'], { message: attr.s('x = '), first_n: attr.i(1), summarize: attr.i(2) }, 'p');
    const { createSession } = await import('../../src/runtime');
    const s = await createSession(b.graph(), { backend: 'cpu', print: (t, stream) => lines.push([t, stream]) });
    try {
      const [y] = await s.run({ x: makeTensor('float', [3], [1.5, 2, 3]) }, ['p']);
      await s.run({ x: makeTensor('float', [3], [4, 5, 6]) }, ['p']);
      expect(tensorToNumbers(y!)).toEqual([1.5, 2, 3]);
    } finally {
      s.dispose();
    }
    expect(lines).toEqual([['x = [1.5 2...]\n', 'stderr']]);
  });

  it('StringFormat fills the template; PrintV2 prints it with its end', async () => {
    const [s] = await evalOp('StringFormat', [makeTensor('int32', [2, 2], [1, 2, 3, 4])], { template: attr.s('x: {} !'), placeholder: attr.s('{}') });
    expect(text(s!)).toEqual(['x: [[1 2]\n [3 4]] !']);
    const lines: string[] = [];
    await evalOp('PrintV2', [makeStringTensor([], ['hello'])], { end: attr.s('|'), output_stream: attr.s('stdout') }, (t, stream) => lines.push(`${stream}:${t}`));
    expect(lines).toEqual(['stdout:hello|']);
    const f = await failure(evalOp('StringFormat', [makeTensor('int32', [1], [1])], { template: attr.s('no holes') }));
    expect(f.message).toContain('num placeholders in template and num inputs must match: 0 vs. 1');
  });
});
