/**
 * TensorList kernels against TensorFlow's own tests (`python/kernel_tests/data_structures/
 * list_ops_test.py`): the values its assertions expect and the error texts its
 * `assertRaisesRegex` look for. Lists are built and read inside small graphs, so the lists flow
 * between nodes as they do in a model; loops, calls and branches carry them as in TF2 graphs.
 */
import { describe, expect, it } from 'vitest';
import { attr, type AttrValue } from '../../src/ir/attr';
import type { DType } from '../../src/ir/dtype';
import type { FunctionDef } from '../../src/ir/graph';
import { makeNode } from '../../src/ir/node';
import { type Tensor, makeTensor, tensorToNumbers } from '../../src/ir/tensor';
import { runGraph } from '../../src/runtime';
import { graphBuilder } from '../helpers/graph-builder';

type B = ReturnType<typeof graphBuilder>;
const FLOAT: DType = 'float';

/** A graph under construction with list-op helpers; every helper returns the tensor name. */
function lists() {
  const b = graphBuilder();
  let n = 0;
  const name = (p: string) => `${p}_${n++}`;
  const c = (t: Tensor) => b.const(name('c'), t);
  const f = (shape: number[], values: number[]) => c(makeTensor('float', shape, values));
  const ints = (values: number[], dtype: DType = 'int32') => c(makeTensor(dtype, [values.length], values));
  const int = (v: number) => c(makeTensor('int32', [], [v]));
  /** An element_shape input: null is unknown (-1), a list of dims with -1 for unknown ones. */
  const shape = (dims: number[] | null) => (dims === null ? int(-1) : ints(dims));
  const ed = (dtype: DType): Record<string, AttrValue> => ({ element_dtype: attr.type(dtype) });
  const op = (o: string, inputs: string[], attrs: Record<string, AttrValue> = {}) => b.op(o, inputs, attrs, name(o));
  const h = {
    b,
    f,
    ints,
    int,
    shape,
    empty: (es: number[] | null, max = -1, dtype = FLOAT) => op('EmptyTensorList', [shape(es), int(max)], { ...ed(dtype), shape_type: attr.type('int32') }),
    reserve: (es: number[] | null, num: number, dtype = FLOAT) => op('TensorListReserve', [shape(es), int(num)], { ...ed(dtype), shape_type: attr.type('int32') }),
    fromTensor: (t: string, es: number[] | null, dtype = FLOAT) => op('TensorListFromTensor', [t, shape(es)], { ...ed(dtype), shape_type: attr.type('int32') }),
    push: (l: string, t: string, dtype = FLOAT) => op('TensorListPushBack', [l, t], ed(dtype)),
    pop: (l: string, es: number[] | null = null, dtype = FLOAT): [string, string] => {
      const p = op('TensorListPopBack', [l, shape(es)], ed(dtype));
      return [`${p}:0`, `${p}:1`];
    },
    get: (l: string, i: number, es: number[] | null = null, dtype = FLOAT) => op('TensorListGetItem', [l, int(i), shape(es)], ed(dtype)),
    set: (l: string, i: number, t: string, dtype = FLOAT, resize = false) =>
      op('TensorListSetItem', [l, int(i), t], { ...ed(dtype), ...(resize ? { resize_if_index_out_of_bounds: attr.b(true) } : {}) }),
    stack: (l: string, es: number[] | null = null, dtype = FLOAT, num = -1) => op('TensorListStack', [l, shape(es)], { ...ed(dtype), ...(num !== -1 ? { num_elements: attr.i(num) } : {}) }),
    gather: (l: string, idx: number[], es: number[] | null = null, dtype = FLOAT) => op('TensorListGather', [l, ints(idx), shape(es)], ed(dtype)),
    length: (l: string) => op('TensorListLength', [l]),
    elementShape: (l: string, dtype: DType = 'int32') => op('TensorListElementShape', [l], { shape_type: attr.type(dtype) }),
    scatter: (t: string, idx: number[], es: number[] | null) => op('TensorListScatter', [t, ints(idx), shape(es)], { ...ed(FLOAT), shape_type: attr.type('int32') }),
    scatterV2: (t: string, idx: number[], es: number[] | null, num: number) => op('TensorListScatterV2', [t, ints(idx), shape(es), int(num)], { ...ed(FLOAT), shape_type: attr.type('int32') }),
    scatterInto: (l: string, t: string, idx: number[]) => op('TensorListScatterIntoExistingList', [l, t, ints(idx)], ed(FLOAT)),
    resize: (l: string, size: number) => op('TensorListResize', [l, int(size)]),
    concat: (l: string, es: number[] | null = null, leading: number[] = []): [string, string] => {
      const p = op('TensorListConcatV2', [l, shape(es), ints(leading, 'int64')], { ...ed(FLOAT), shape_type: attr.type('int32') });
      return [`${p}:0`, `${p}:1`];
    },
    split: (t: string, es: number[] | null, lengths: number[]) => op('TensorListSplit', [t, shape(es), ints(lengths, 'int64')], { ...ed(FLOAT), shape_type: attr.type('int32') }),
    identity: (l: string) => op('Identity', [l], { T: attr.type('variant') }),
  };
  return h;
}

async function run(b: B, fetches: string[], library?: FunctionDef[]): Promise<Tensor[]> {
  return runGraph(b.graph(library ? { library: { functions: library } } : {}), {}, fetches, { backend: 'cpu' });
}

/** Runs and returns [shape, values] of each fetch. */
async function values(b: B, fetches: string[], library?: FunctionDef[]): Promise<[number[], number[]][]> {
  const out = await run(b, fetches, library);
  return out.map((t) => [[...t.shape], tensorToNumbers(t)]);
}

async function failure(b: B, fetch: string): Promise<string> {
  try {
    await run(b, [fetch]);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the run to fail');
}

const zeros = (n: number) => new Array<number>(n).fill(0);

describe('push, pop and stack', () => {
  it('push then pop gives the element back and leaves an empty list (testPushPop)', async () => {
    for (const max of [-1, 2]) {
      const l = lists();
      const [rest, e] = l.pop(l.push(l.empty([], max), l.f([], [1])));
      expect(await values(l.b, [l.stack(rest), e])).toEqual([[[0], []], [[], [1]]]);
    }
  });

  it('refuses to push into a full list and to pop from an empty one', async () => {
    const l = lists();
    const full = l.push(l.push(l.empty([], 1), l.f([], [1])), l.f([], [2]));
    expect(await failure(l.b, l.length(full))).toContain('Tried to push item into a full list list size: 1 max_num_elements: 1');
    const m = lists();
    expect(await failure(m.b, m.pop(m.empty([]))[1])).toContain('Trying to pop from an empty list.');
  });

  it('pops an unset slot as zeros of the list element shape, or of the given one', async () => {
    const l = lists();
    const r = l.reserve([2, 3], 3);
    const [, e] = l.pop(r);
    expect(await values(l.b, [e, l.stack(r)])).toEqual([[[2, 3], zeros(6)], [[3, 2, 3], zeros(18)]]);
    const m = lists();
    expect((await values(m.b, [m.pop(m.reserve([-1, 3], 3), [4, 3])[1]]))[0]).toEqual([[4, 3], zeros(12)]);
  });

  it('fails to pop an unset slot of unknown shape, and merges shapes as TensorFlow does', async () => {
    const l = lists();
    expect(await failure(l.b, l.pop(l.reserve(null, 3))[1])).toContain('Trying to read an uninitialized tensor but element_shape is not fully defined');
    const m = lists();
    expect(await failure(m.b, m.pop(m.reserve([-1, 2], 3), [1, 3])[1])).toContain('Incompatible shapes during merge: [1,3] vs. [?,2]');
  });

  it('stacks, and refuses elements whose shapes disagree (testStackWithUnknownElementShape)', async () => {
    const l = lists();
    const two = l.push(l.push(l.empty(null), l.f([], [1])), l.f([], [2]));
    expect(await values(l.b, [l.stack(two)])).toEqual([[[2], [1, 2]]]);
    const three = l.push(two, l.f([2], [3, 4]));
    expect(await failure(l.b, l.stack(three))).toContain('Incompatible ranks during merge: 0 vs. 1');
    const m = lists();
    const p = m.push(m.push(m.empty([-1]), m.f([1], [1])), m.f([1], [2]));
    expect(await values(m.b, [m.stack(p)])).toEqual([[[2, 1], [1, 2]]]);
    expect(await failure(m.b, m.stack(m.push(p, m.f([2], [2, 3]))))).toContain('Incompatible shapes during merge: [1] vs. [2]');
  });

  it('stacks an empty list only with a fully defined element shape (testStackEmptyList)', async () => {
    const l = lists();
    expect((await values(l.b, [l.stack(l.empty([1, 2]))]))[0]![0]).toEqual([0, 1, 2]);
    const m = lists();
    expect(await failure(m.b, m.stack(m.empty([-1, 2])))).toContain('Tried to stack elements of an empty list with non-fully-defined element_shape: [?,2]');
    const u = lists();
    expect(await failure(u.b, u.stack(u.empty(null)))).toContain('non-fully-defined element_shape: <unknown>');
  });

  it('stacks unset slots as zeros, inferring their shape from the set ones', async () => {
    const l = lists();
    expect(await values(l.b, [l.stack(l.reserve([], 3))])).toEqual([[[3], [0, 0, 0]]]);
    const m = lists();
    const s = m.set(m.reserve(null, 3), 1, m.f([2], [1, 2]));
    expect(await values(m.b, [m.stack(s)])).toEqual([[[3, 2], [0, 0, 1, 2, 0, 0]]]);
    const u = lists();
    expect(await failure(u.b, u.stack(u.reserve(null, 3)))).toContain(
      'Tried to stack list which only contains uninitialized tensors and has a non-fully-defined element_shape: <unknown>',
    );
    const g = lists();
    expect(await values(g.b, [g.stack(g.reserve(null, 3), [])])).toEqual([[[3], [0, 0, 0]]]);
  });

  it('checks num_elements and the element dtype', async () => {
    const l = lists();
    const two = l.fromTensor(l.f([2], [1, 2]), []);
    expect(await failure(l.b, l.stack(two, null, FLOAT, 3))).toContain('Operation expected a list with 3 elements but got a list with 2 elements.');
    expect(await failure(l.b, l.get(two, 0, null, 'int32'))).toContain('Invalid data types; op elements int32 but list elements float');
    expect(await failure(l.b, l.push(two, l.int(1), 'int32'))).toContain('Invalid data types; op elements int32 but list elements float');
    expect(await failure(l.b, l.push(two, l.int(1), FLOAT))).toContain('Invalid data types; list elements float but tried to append int32');
  });

  it('refuses to append an element of an incompatible shape', async () => {
    const l = lists();
    expect(await failure(l.b, l.length(l.push(l.empty([]), l.f([2], [1, 2]))))).toContain(
      'Tried to append a tensor with incompatible shape to a list. Op element shape: [2] list shape: []',
    );
  });

  it('keeps unknown-shape lists heterogeneous (testUnknownShape)', async () => {
    const l = lists();
    const p = l.push(l.push(l.empty(null), l.f([], [1])), l.f([2], [1, 2]));
    const [rest, e1] = l.pop(p);
    const [, e0] = l.pop(rest);
    expect(await values(l.b, [e1, e0])).toEqual([[[2], [1, 2]], [[], [1]]]);
  });
});

describe('gather and scatter', () => {
  it('gathers by index, merging the shapes of what it reads', async () => {
    const l = lists();
    const p = l.push(l.push(l.push(l.empty(null), l.f([], [1])), l.f([], [2])), l.f([2], [3, 4]));
    expect(await values(l.b, [l.gather(p, [1, 0]), l.gather(p, [2])])).toEqual([[[2], [2, 1]], [[1, 2], [3, 4]]]);
    expect(await failure(l.b, l.gather(p, [0, 2]))).toContain('Incompatible ranks during merge: 0 vs. 1');
    expect(await failure(l.b, l.gather(p, [3]))).toContain('Index 3 out of range; list only has 3 elements.');
  });

  it('gathers nothing only with a fully defined shape; unset slots as zeros', async () => {
    const l = lists();
    expect((await values(l.b, [l.gather(l.empty([1, 2]), [])]))[0]![0]).toEqual([0, 1, 2]);
    expect(await failure(l.b, l.gather(l.empty([-1, 2]), []))).toContain('Tried to gather 0-elements from a list with non-fully-defined shape: [?,2]');
    const m = lists();
    expect(await values(m.b, [m.gather(m.reserve([], 3), [0, 2])])).toEqual([[[2], [0, 0]]]);
    const s = m.set(m.reserve(null, 3), 1, m.f([2], [1, 2]));
    expect(await values(m.b, [m.gather(s, [1, 2])])).toEqual([[[2, 2], [1, 2, 0, 0]]]);
    expect(await failure(m.b, m.gather(m.reserve(null, 3), [0]))).toContain('Tried to gather uninitialized tensors from a list with non-fully-defined element_shape');
    expect(await values(m.b, [m.gather(m.reserve(null, 3), [0, 1, 2], [])])).toEqual([[[3], [0, 0, 0]]]);
  });

  it('scatters into a list as long as the highest index, or num_elements', async () => {
    const l = lists();
    const c0 = l.f([2], [1, 2]);
    const s = l.scatter(c0, [1, 3], []);
    expect(await values(l.b, [l.length(s), l.get(s, 3), l.get(s, 0)])).toEqual([[[], [4]], [[], [2]], [[], [0]]]);
    expect(await values(l.b, [l.length(l.scatterV2(c0, [1, 3], [], 5))])).toEqual([[[], [5]]]);
    expect(await failure(l.b, l.length(l.scatterV2(c0, [1, 3], [], 3)))).toContain('TensorListScatter: Trying to scatter at index 3 in list with size 3');
    expect(await failure(l.b, l.length(l.scatterV2(c0, [1, 3], [], -2)))).toContain('TensorListScatter expects num_elements >= -1, found: -2');
    expect(await failure(l.b, l.length(l.scatter(c0, [1, 0, 2], [])))).toContain('Invalid number of rows in input tensor. Expected: 3 Actual: 2');
    expect(await failure(l.b, l.length(l.scatter(c0, [-1, -2], [])))).toContain('Indices in TensorListScatter must all be non-negative.');
  });

  it('scatters into an existing list, growing it (testScatterIntoExistingList)', async () => {
    const l = lists();
    const first = l.scatter(l.f([1], [1]), [0], []);
    const into = l.scatterInto(first, l.f([2], [2, 3]), [1, 2]);
    expect(await values(l.b, [l.stack(into), l.stack(first)])).toEqual([[[3], [1, 2, 3]], [[1], [1]]]);
    expect(await failure(l.b, l.length(l.scatterInto(first, l.ints([2]), [1])))).toContain('Invalid data types; input tensor type: int32 list element_type: float');
    expect(await failure(l.b, l.length(l.scatterInto(first, l.f([2], [2, 3]), [1])))).toContain('Expected len(indices) == tensor.shape[0], but saw: 1 vs. 2');
  });
});

describe('from tensor, get and set', () => {
  it('unstacks a tensor into its rows (testTensorListFromTensor)', async () => {
    const l = lists();
    const t = l.fromTensor(l.f([2], [1, 2]), []);
    const [r1, e1] = l.pop(t);
    const [r0, e0] = l.pop(r1);
    expect(await values(l.b, [l.get(t, 0), e1, e0, l.length(r0)])).toEqual([[[], [1]], [[], [2]], [[], [1]], [[], [0]]]);
    expect(await failure(l.b, l.length(l.fromTensor(l.f([], [1]), [])))).toContain('Tensor must be at least a vector, but saw shape: []');
    expect(await failure(l.b, l.length(l.fromTensor(l.f([2], [1, 2]), [3])))).toContain('Specified a list with shape [3] from a tensor with shape []');
  });

  it('refuses an element_shape of rank 2 (testEmptyTensorListInvalidShape)', async () => {
    const l = lists();
    const es = l.b.const('bad_shape', makeTensor('int32', [1, 0], []));
    const e = l.b.op('EmptyTensorList', [es, l.int(1)], { element_dtype: attr.type('int32'), shape_type: attr.type('int32') }, 'bad');
    expect(await failure(l.b, l.length(e))).toContain('Shape must be at most rank 1 but is rank 2');
  });

  it('gets and sets bool, float, double and int64 elements (testGetSetBool, testGetSetNumeric)', async () => {
    const l = lists();
    const bools = l.fromTensor(l.b.const('bools', makeTensor('bool', [2], [1, 0])), [], 'bool');
    const setB = l.set(bools, 0, l.b.const('false', makeTensor('bool', [], [0])), 'bool');
    expect(await values(l.b, [l.get(bools, 0, null, 'bool'), l.stack(setB, null, 'bool')])).toEqual([[[], [1]], [[2], [0, 0]]]);
    for (const dtype of ['float', 'double', 'int64'] as DType[]) {
      const m = lists();
      const t = m.fromTensor(m.b.const('t', makeTensor(dtype, [2], [1, 2])), [], dtype);
      const s = m.set(t, 0, m.b.const('three', makeTensor(dtype, [], [3])), dtype);
      const out = await run(m.b, [m.get(t, 0, null, dtype), m.stack(s, null, dtype)]);
      expect(out.map((x) => x.dtype)).toEqual([dtype, dtype]);
      expect(out.map((x) => tensorToNumbers(x))).toEqual([[1], [3, 2]]);
    }
  });

  it('reads unset slots as zeros (testGetSetReserved, testGetUninitializedTensorUseSpecifiedElementShape)', async () => {
    const l = lists();
    const r = l.reserve([], 2);
    expect(await values(l.b, [l.get(r, 0), l.stack(l.set(r, 0, l.f([], [3])))])).toEqual([[[], [0]], [[2], [3, 0]]]);
    const m = lists();
    const u = m.reserve(null, 3);
    expect(await values(m.b, [m.get(u, 0, []), m.get(u, 1, [2, 3]), m.get(m.reserve([-1, 3], 3), 1, [2, 3])])).toEqual([
      [[], [0]],
      [[2, 3], zeros(6)],
      [[2, 3], zeros(6)],
    ]);
    expect(await failure(m.b, m.get(u, 0))).toContain('Trying to read an uninitialized tensor but element_shape is not fully defined: <unknown> and no list element is set.');
    expect(await failure(m.b, m.get(m.reserve([-1, 2], 3), 0, [1, 3]))).toContain('Incompatible shapes during merge: [1,3] vs. [?,2]');
  });

  it('refuses out-of-range indices, and grows with resize_if_index_out_of_bounds', async () => {
    const l = lists();
    expect(await failure(l.b, l.length(l.set(l.empty([], 3), 0, l.f([], [1]))))).toContain('Trying to modify element 0 in a list with 0 elements.');
    const t = l.fromTensor(l.f([2], [1, 2]), []);
    expect(await failure(l.b, l.length(l.set(t, 20, l.f([], [3]))))).toContain('Trying to modify element 20 in a list with 2 elements.');
    expect(await failure(l.b, l.get(t, 2))).toContain('Trying to access element 2 in a list with 2 elements.');
    const m = lists();
    const grown = m.set(m.set(m.empty([]), 0, m.f([], [10]), FLOAT, true), 1, m.f([], [1]), FLOAT, true);
    expect(await values(m.b, [m.stack(grown)])).toEqual([[[2], [10, 1]]]);
  });

  it('refuses to set an element of an incompatible shape', async () => {
    const l = lists();
    const t = l.fromTensor(l.f([2], [1, 2]), []);
    expect(await failure(l.b, l.length(l.set(t, 0, l.f([1], [3]))))).toContain(
      'Tried to set a tensor with incompatible shape at a list index. Item element shape: [1] list shape: []',
    );
  });

  it('never changes a list another consumer holds (copy on write)', async () => {
    const l = lists();
    const t = l.fromTensor(l.f([3], [1, 2, 3]), []);
    const a = l.set(t, 0, l.f([], [9]));
    const b = l.set(l.identity(t), 2, l.f([], [7]));
    const [, popped] = l.pop(a);
    expect(await values(l.b, [l.stack(t), l.stack(a), l.stack(b), popped, l.stack(t)])).toEqual([
      [[3], [1, 2, 3]],
      [[3], [9, 2, 3]],
      [[3], [1, 2, 7]],
      [[], [3]],
      [[3], [1, 2, 3]],
    ]);
  });

  it('says so when an input is not a list', async () => {
    const l = lists();
    expect(await failure(l.b, l.length(l.f([], [1])))).toContain("Input handle is not a list. Saw: 'a float tensor'");
  });
});

describe('length, element shape, resize', () => {
  it('reports the element shape: -1 for unknown rank, -1 dims for unknown ones', async () => {
    const l = lists();
    const out = await run(l.b, [l.elementShape(l.empty(null)), l.elementShape(l.reserve([2, -1], 1), 'int64')]);
    expect(out[0]!.shape).toEqual([]);
    expect(tensorToNumbers(out[0]!)).toEqual([-1]);
    expect(out[1]!.dtype).toBe('int64');
    expect(tensorToNumbers(out[1]!)).toEqual([2, -1]);
  });

  it('grows and shrinks (testResizeGrow, testResizeShrink)', async () => {
    const l = lists();
    const g = l.resize(l.fromTensor(l.f([2], [1, 2]), []), 4);
    const s = l.resize(l.fromTensor(l.f([3], [1, 2, 3]), []), 2);
    expect(await values(l.b, [l.length(g), l.get(g, 1), l.stack(g), l.length(s), l.stack(s)])).toEqual([
      [[], [4]],
      [[], [2]],
      [[4], [1, 2, 0, 0]],
      [[], [2]],
      [[2], [1, 2]],
    ]);
    expect(await failure(l.b, l.length(l.resize(s, -1)))).toContain('TensorListSlice expects size to be non-negative. Got: -1');
  });
});

describe('concat and split', () => {
  it('concatenates along the first dimension, with the lengths', async () => {
    const l = lists();
    const p = l.push(l.push(l.empty([2, 2]), l.f([2, 2], [0, 1, 2, 3])), l.f([2, 2], [4, 5, 6, 7]));
    const [t, lengths] = l.concat(p);
    expect(await values(l.b, [t, lengths])).toEqual([[[4, 2], [0, 1, 2, 3, 4, 5, 6, 7]], [[2], [2, 2]]]);
    const m = lists();
    const q = m.push(m.push(m.empty([-1, 2]), m.f([1, 2], [0, 1])), m.f([2, 2], [2, 3, 4, 5]));
    expect(await values(m.b, [m.concat(q)[0], m.concat(q)[1]])).toEqual([[[3, 2], [0, 1, 2, 3, 4, 5]], [[2], [1, 2]]]);
  });

  it('fails as TensorFlow does on mismatched, scalar or unknown shapes', async () => {
    const l = lists();
    const bad = l.push(l.push(l.empty(null), l.f([1, 2], [0, 1])), l.f([2, 1], [2, 4]));
    expect(await failure(l.b, l.concat(bad)[0])).toContain('Incompatible shapes during merge: [2] vs. [1]');
    expect(await failure(l.b, l.concat(l.empty(null))[0])).toContain('All except the first dimension must be fully defined when concating an empty tensor list');
    expect(await failure(l.b, l.concat(l.empty([2, -1]))[0])).toContain('All except the first dimension must be fully defined when concating an empty tensor list');
    expect(await failure(l.b, l.concat(l.empty([]))[0])).toContain('Concat requires elements to be at least vectors, found scalars instead.');
    const s = l.push(l.push(l.empty(null), l.f([1], [1])), l.f([], [2]));
    expect(await failure(l.b, l.concat(s)[0])).toContain('Concat saw a scalar shape at index 1 but requires at least vectors.');
    expect((await values(l.b, [l.concat(l.empty([5, 2]))[0], l.concat(l.empty([-1, 2]))[0]])).map((v) => v[0])).toEqual([[0, 2], [0, 2]]);
  });

  it('concatenates unset slots as zeros: list shape, given shape, leading_dims, inferred', async () => {
    const l = lists();
    expect((await values(l.b, [l.concat(l.reserve([2, 3], 3))[0]]))[0]).toEqual([[6, 3], zeros(18)]);
    expect((await values(l.b, [l.concat(l.reserve(null, 3), [2, 3])[0]]))[0]).toEqual([[6, 3], zeros(18)]);
    expect((await values(l.b, [l.concat(l.reserve(null, 3), [-1, 3], [2, 3, 5])[0]]))[0]).toEqual([[10, 3], zeros(30)]);
    const set = l.set(l.reserve(null, 3), 1, l.f([3, 2], [2, 3, 4, 5, 6, 7]));
    expect((await values(l.b, [l.concat(set, [-1, 2], [2, 3, 4])[0]]))[0]).toEqual([[9, 2], [0, 0, 0, 0, 2, 3, 4, 5, 6, 7, 0, 0, 0, 0, 0, 0, 0, 0]]);
    expect((await values(l.b, [l.concat(set)[0]]))[0]).toEqual([[9, 2], [0, 0, 0, 0, 0, 0, 2, 3, 4, 5, 6, 7, 0, 0, 0, 0, 0, 0]]);
    expect(await failure(l.b, l.concat(l.reserve(null, 3))[0])).toContain(
      'Trying to concat list with only uninitialized tensors but element_shape_except_first_dim is not fully defined: <unknown>',
    );
    expect(await failure(l.b, l.concat(l.reserve([-1, 3], 3))[0])).toContain('List contains uninitialized tensor at index 0 but leading_dims has only 0 elements.');
  });

  it('splits a tensor into row blocks (testEvenSplit, testUnevenSplit)', async () => {
    const l = lists();
    const even = l.split(l.f([4], [1, 2, 3, 4]), null, [2, 2]);
    const rows = l.split(l.f([2, 2], [1, 2, 3, 4]), null, [1, 1]);
    const uneven = l.split(l.f([5], [1, 2, 3, 4, 5]), null, [3, 2]);
    expect(await values(l.b, [l.stack(even), l.stack(rows), l.length(uneven), l.get(uneven, 0), l.get(uneven, 1)])).toEqual([
      [[2, 2], [1, 2, 3, 4]],
      [[2, 1, 2], [1, 2, 3, 4]],
      [[], [2]],
      [[3], [1, 2, 3]],
      [[2], [4, 5]],
    ]);
  });

  it('refuses bad lengths and shapes with TensorFlow\'s messages', async () => {
    const l = lists();
    const t = l.f([2], [1, 2]);
    expect(await failure(l.b, l.length(l.split(t, null, [1, -1])))).toContain('Invalid value in lengths: -1');
    expect(await failure(l.b, l.length(l.split(t, null, [3])))).toContain('Attempting to slice [0, 3] from tensor with length 2');
    expect(await failure(l.b, l.length(l.split(t, null, [1])))).toContain('Unused values in tensor. Length of tensor: 2 Values used: 1');
    expect(await failure(l.b, l.length(l.split(t, [], [1, 1])))).toContain('TensorListSplit requires element_shape to be at least of rank 1, but saw: []');
    expect(await failure(l.b, l.length(l.split(l.f([2, 1], [1, 2]), [1], [1, 1])))).toContain('tensor shape [2,1] is not compatible with element_shape [1]');
    expect(await failure(l.b, l.length(l.split(l.f([], [1]), null, [1])))).toContain('Tensor must be at least a vector, but saw shape: []');
  });
});

describe('lists through loops, calls and branches', () => {
  const arg = (name: string, type: number) => ({ name, type });
  const I32 = 3;
  const VARIANT = 21;
  const BOOL = 10;

  // cond(i, l) = i < 4;  body(i, l) = (i + 1, push_back(l, i))   (testSkipEagerStackInLoop)
  const cond: FunctionDef = {
    signature: { name: 'cond', input_arg: [arg('i', I32), arg('l', VARIANT)], output_arg: [arg('ok', BOOL)] },
    attrs: {},
    nodes: [
      makeNode({ name: 'four', op: 'Const', attrs: { dtype: attr.type('int32'), value: attr.tensor(makeTensor('int32', [], [4])) } }),
      makeNode({ name: 'less', op: 'Less', inputs: ['i', 'four:output:0'], attrs: { T: attr.type('int32') } }),
    ],
    ret: { ok: 'less:z:0' },
    controlRet: {},
  };
  const body: FunctionDef = {
    signature: { name: 'body', input_arg: [arg('i', I32), arg('l', VARIANT)], output_arg: [arg('i_next', I32), arg('l_next', VARIANT)] },
    attrs: {},
    nodes: [
      makeNode({ name: 'one', op: 'Const', attrs: { dtype: attr.type('int32'), value: attr.tensor(makeTensor('int32', [], [1])) } }),
      makeNode({ name: 'push', op: 'TensorListPushBack', inputs: ['l', 'i'], attrs: { element_dtype: attr.type('int32') } }),
      makeNode({ name: 'add', op: 'AddV2', inputs: ['i', 'one:output:0'], attrs: { T: attr.type('int32') } }),
    ],
    ret: { i_next: 'add:z:0', l_next: 'push:output_handle:0' },
    controlRet: {},
  };
  // wrap(l) = Identity(l) through a function call; pick(p, l) = If(p, l → l, l → push_back(l, 100))
  const wrap: FunctionDef = {
    signature: { name: 'wrap', input_arg: [arg('l', VARIANT)], output_arg: [arg('out', VARIANT)] },
    attrs: {},
    nodes: [makeNode({ name: 'id', op: 'Identity', inputs: ['l'], attrs: { T: attr.type('variant') } })],
    ret: { out: 'id:output:0' },
    controlRet: {},
  };
  const thenB: FunctionDef = {
    signature: { name: 'then_b', input_arg: [arg('l', VARIANT)], output_arg: [arg('out', VARIANT)] },
    attrs: {},
    nodes: [],
    ret: { out: 'l' },
    controlRet: {},
  };
  const elseB: FunctionDef = {
    signature: { name: 'else_b', input_arg: [arg('l', VARIANT)], output_arg: [arg('out', VARIANT)] },
    attrs: {},
    nodes: [
      makeNode({ name: 'hundred', op: 'Const', attrs: { dtype: attr.type('int32'), value: attr.tensor(makeTensor('int32', [], [100])) } }),
      makeNode({ name: 'push', op: 'TensorListPushBack', inputs: ['l', 'hundred:output:0'], attrs: { element_dtype: attr.type('int32') } }),
    ],
    ret: { out: 'push:output_handle:0' },
    controlRet: {},
  };

  it('carries a list through While/StatelessWhile, a call and both If branches', async () => {
    for (const whileOp of ['While', 'StatelessWhile']) {
      const l = lists();
      const start = l.empty([], -1, 'int32');
      const loop = l.b.op(whileOp, [l.int(0), start], { T: attr.list({ type: ['int32', 'variant'] }), cond: attr.func('cond'), body: attr.func('body') }, 'loop');
      const called = l.b.op('PartitionedCall', ['loop:1'], { Tin: attr.list({ type: ['variant'] }), Tout: attr.list({ type: ['variant'] }), f: attr.func('wrap') }, 'call');
      const yes = l.b.const('yes', makeTensor('bool', [], [1]));
      const no = l.b.const('no', makeTensor('bool', [], [0]));
      const ifAttrs = { Tcond: attr.type('bool'), Tin: attr.list({ type: ['variant'] }), Tout: attr.list({ type: ['variant'] }), then_branch: attr.func('then_b'), else_branch: attr.func('else_b') };
      const kept = l.b.op('If', [yes, called], ifAttrs, 'kept');
      const pushed = l.b.op('StatelessIf', [no, called], ifAttrs, 'pushed');
      const out = await values(l.b, [`${loop}:0`, l.stack(called, null, 'int32'), l.stack(kept, null, 'int32'), l.stack(pushed, null, 'int32'), l.stack(start, null, 'int32')], [cond, body, wrap, thenB, elseB]);
      expect(out).toEqual([
        [[], [4]],
        [[4], [0, 1, 2, 3]],
        [[4], [0, 1, 2, 3]],
        [[5], [0, 1, 2, 3, 100]],
        [[0], []],
      ]);
    }
  });
});
