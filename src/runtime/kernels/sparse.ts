/**
 * Sparse-tensor and search ops, the consumers of `ParseExample`'s sparse outputs and of feature
 * columns: `SparseToDense`, `SparseReshape`, `SparseFillEmptyRows`, `SparseSegmentSum`/`Mean`/
 * `SqrtN` (and `...WithNumSegments`), `SparseTensorDenseMatMul`, `Unique`/`UniqueV2`,
 * `UpperBound`/`LowerBound` and `Bucketize`.
 *
 * All run on the host on IR tensors, so int64 indices and values stay exact. float32 sums are
 * rounded to float32 after every addition, as TensorFlow's CPU kernels accumulate in the
 * tensor's own type; double stays double.
 */
import type { DType } from '../../ir/dtype';
import { type Tensor, makeStringTensor, numElements, tensorStrings, tensorToArray } from '../../ir/tensor';
import type { Kernel, KernelContext } from '../kernel';
import { tensorFromArray } from '../values';

type Elem = number | bigint | Uint8Array;

function elems(t: Tensor): Elem[] {
  if (t.dtype === 'string') return tensorStrings(t);
  return Array.from(tensorToArray(t) as ArrayLike<number | bigint>);
}

function make(dtype: DType, shape: readonly number[], values: readonly Elem[]): Tensor {
  if (dtype === 'string') return makeStringTensor(shape, values as Uint8Array[]);
  return tensorFromArray(dtype, shape, values as ArrayLike<number>);
}

/** Integer elements as JS numbers (indices and shapes; TensorFlow's are far below 2^53). */
function ints(ctx: KernelContext, i: number): number[] {
  return ctx.numbers(i);
}

function shapeText(s: readonly number[]): string {
  return `[${s.join(',')}]`;
}

/** An accumulator for sums of `dtype`: float32 rounds after each step, int64 wraps at 64 bits. */
function adder(dtype: DType): (a: Elem, b: Elem) => Elem {
  if (dtype === 'float') return (a, b) => Math.fround((a as number) + (b as number));
  if (dtype === 'int64') return (a, b) => BigInt.asIntN(64, (a as bigint) + (b as bigint));
  if (dtype === 'uint64') return (a, b) => BigInt.asUintN(64, (a as bigint) + (b as bigint));
  if (dtype === 'int32') return (a, b) => ((a as number) + (b as number)) | 0;
  return (a, b) => (a as number) + (b as number);
}

function zeroOf(dtype: DType): Elem {
  return dtype === 'int64' || dtype === 'uint64' ? 0n : dtype === 'string' ? new Uint8Array() : 0;
}

function elemKey(e: Elem): string {
  if (e instanceof Uint8Array) return `s:${Array.from(e).join(',')}`;
  if (typeof e === 'bigint') return `b:${e}`;
  return Object.is(e, -0) ? 'n:0' : `n:${e}`;
}

// ---------------------------------------------------------------- SparseToDense

const sparseToDense: Kernel = (ctx) => {
  const idxT = ctx.host(0);
  const shape = ints(ctx, 1);
  const valuesT = ctx.host(2);
  const def = elems(ctx.host(3));
  const dtype = valuesT.dtype;
  if (ctx.host(1).shape.length !== 1) throw ctx.fail(`output_shape must be rank 1, got shape ${shapeText(ctx.host(1).shape)}`);
  if (def.length !== 1) throw ctx.fail(`default_value should be a scalar, got shape ${shapeText(ctx.host(3).shape)}`);
  if (idxT.shape.length > 2) throw ctx.fail(`sparse_indices should be a scalar, vector, or matrix, got shape ${shapeText(idxT.shape)}`);
  const n = idxT.shape.length > 0 ? idxT.shape[0]! : 1;
  const rank = idxT.shape.length > 1 ? idxT.shape[1]! : 1;
  if (rank !== shape.length) throw ctx.fail(`output_shape has incorrect number of elements: ${shape.length} should be: ${rank}`);
  const values = elems(valuesT);
  if (values.length !== 1 && values.length !== n) throw ctx.fail(`sparse_values has incorrect shape ${shapeText(valuesT.shape)}, should be [] or [${n}]`);
  const idx = ints(ctx, 0);
  const out = new Array<Elem>(numElements(shape)).fill(def[0]!);
  const validate = ctx.attrBool('validate_indices', true);
  let prev: number[] | undefined;
  for (let i = 0; i < n; i++) {
    const ix = idx.slice(i * rank, i * rank + rank);
    let flat = 0;
    for (let d = 0; d < rank; d++) {
      if (ix[d]! < 0 || ix[d]! >= shape[d]!) throw ctx.fail(`indices[${i}] = ${shapeText(ix)} is out of bounds: need 0 <= index < ${shapeText(shape)}`);
      flat = flat * shape[d]! + ix[d]!;
    }
    if (validate && prev) {
      let cmp = 0;
      for (let d = 0; d < rank && cmp === 0; d++) cmp = Math.sign(ix[d]! - prev[d]!);
      if (cmp < 0) throw ctx.fail(`indices[${i}] = ${shapeText(ix)} is out of order. Many sparse ops require sorted indices.\n    Use \`tf.sparse.reorder\` to create a correctly ordered copy.`);
      if (cmp === 0) throw ctx.fail(`indices[${i}] = ${shapeText(ix)} is repeated`);
    }
    prev = ix;
    out[flat] = values.length === 1 ? values[0]! : values[i]!;
  }
  return [make(dtype, shape, out)];
};

// ---------------------------------------------------------------- SparseReshape

const sparseReshape: Kernel = (ctx) => {
  const idxT = ctx.host(0);
  const inShape = ints(ctx, 1);
  const target = ints(ctx, 2);
  if (idxT.shape.length !== 2) throw ctx.fail(`Input indices should be a matrix but received shape ${shapeText(idxT.shape)}`);
  const [n, r] = idxT.shape as [number, number];
  if (r !== inShape.length) throw ctx.fail(`Input shape should be a vector of ${r} elements, got ${inShape.length}`);
  const dense = inShape.reduce((a, b) => a * b, 1);
  let unknown = -1;
  let product = 1;
  const outShape = [...target];
  for (let d = 0; d < target.length; d++) {
    const s = target[d]!;
    if (s === -1) {
      if (unknown !== -1) throw ctx.fail(`only one output dimension may be -1, not both ${unknown} and ${d}`);
      unknown = d;
    } else {
      if (s < 0) throw ctx.fail(`size ${d} must be non-negative, not ${s}`);
      product *= s;
    }
  }
  if (unknown !== -1) {
    if (product === 0) throw ctx.fail('reshape cannot infer the missing input size for an empty tensor unless all specified input sizes are non-zero');
    const missing = dense / product;
    if (!Number.isInteger(missing)) throw ctx.fail(`Input to reshape is a SparseTensor with ${dense} dense values, but the requested shape requires a multiple of ${product}. inputs: ${shapeText(inShape)} target: ${shapeText(target)}`);
    outShape[unknown] = missing;
  }
  const outDense = outShape.reduce((a, b) => a * b, 1);
  if (outDense !== dense) throw ctx.fail(`Input to reshape is a tensor with ${dense} dense values, but the requested shape has ${outDense}. inputs: ${shapeText(inShape)} target: ${shapeText(target)}`);
  const idx = ints(ctx, 0);
  const out = new Array<bigint>(n * outShape.length);
  for (let i = 0; i < n; i++) {
    let flat = 0;
    for (let d = 0; d < r; d++) flat = flat * inShape[d]! + idx[i * r + d]!;
    for (let d = outShape.length - 1; d >= 0; d--) {
      const s = outShape[d]!;
      out[i * outShape.length + d] = BigInt(s === 0 ? 0 : flat % s);
      flat = s === 0 ? 0 : Math.floor(flat / s);
    }
  }
  return [tensorFromArray('int64', [n, outShape.length], out), tensorFromArray('int64', [outShape.length], outShape.map((x) => BigInt(x)))];
};

// ---------------------------------------------------------------- SparseFillEmptyRows

const sparseFillEmptyRows: Kernel = (ctx) => {
  const idxT = ctx.host(0);
  const valuesT = ctx.host(1);
  const shape = ints(ctx, 2);
  const def = elems(ctx.host(3));
  if (idxT.shape.length !== 2) throw ctx.fail(`indices must be a matrix, saw: ${shapeText(idxT.shape)}`);
  if (def.length !== 1) throw ctx.fail(`default_value must be a scalar, saw: ${shapeText(ctx.host(3).shape)}`);
  if (shape.length === 0) throw ctx.fail('dense_shape must not be empty');
  const [n, r] = idxT.shape as [number, number];
  const idx = ints(ctx, 0);
  const values = elems(valuesT);
  const rows = shape[0]!;
  const counts = new Array<number>(rows).fill(0);
  for (let i = 0; i < n; i++) {
    const row = idx[i * r]!;
    if (row < 0 || row >= rows) throw ctx.fail(`indices(${i}, 0) is invalid: ${row} >= ${rows}`);
    counts[row]!++;
  }
  const empty = counts.map((c) => (c === 0 ? 1 : 0));
  // Each row's first output position: its entries, or one default entry when it has none.
  const offsets = new Array<number>(rows);
  let total = 0;
  for (let row = 0; row < rows; row++) {
    offsets[row] = total;
    total += Math.max(counts[row]!, 1);
  }
  const outIdx = new Array<bigint>(total * r).fill(0n);
  const outVals = new Array<Elem>(total);
  const reverse = new Array<bigint>(n);
  const filled = new Array<number>(rows).fill(0);
  for (let i = 0; i < n; i++) {
    const row = idx[i * r]!;
    const pos = offsets[row]! + filled[row]!++;
    for (let d = 0; d < r; d++) outIdx[pos * r + d] = BigInt(idx[i * r + d]!);
    outVals[pos] = values[i]!;
    reverse[i] = BigInt(pos);
  }
  for (let row = 0; row < rows; row++) {
    if (counts[row] !== 0) continue;
    const pos = offsets[row]!;
    outIdx[pos * r] = BigInt(row);
    outVals[pos] = def[0]!;
  }
  return [
    tensorFromArray('int64', [total, r], outIdx),
    make(valuesT.dtype, [total], outVals),
    tensorFromArray('bool', [rows], empty),
    tensorFromArray('int64', [n], reverse),
  ];
};

// ---------------------------------------------------------------- SparseSegment*

type Reduce = 'sum' | 'mean' | 'sqrtn';

function sparseSegment(reduce: Reduce, withNum: boolean): Kernel {
  return (ctx) => {
    const data = ctx.host(0);
    const dtype = data.dtype;
    if (reduce !== 'sum' && dtype !== 'float' && dtype !== 'double' && dtype !== 'half' && dtype !== 'bfloat16') {
      throw ctx.fail(`${ctx.node.op} is defined for float types only, not ${dtype}`);
    }
    if (dtype === 'half' || dtype === 'bfloat16') throw ctx.fail(`${dtype} data is not supported`, 'runtime/unsupported-dtype');
    const indices = ints(ctx, 1);
    const segs = ints(ctx, 2);
    if (indices.length !== segs.length) throw ctx.fail(`segment_ids and indices should have same size. segment_ids: ${segs.length}, indices: ${indices.length}`);
    const rows = data.shape[0] ?? 0;
    const inner = data.shape.length > 0 ? numElements(data.shape.slice(1)) : 1;
    let numSegments: number;
    if (withNum) {
      numSegments = ints(ctx, 3)[0]!;
    } else numSegments = segs.length > 0 ? segs[segs.length - 1]! + 1 : 0;
    if (numSegments < 0) throw ctx.fail('segment ids must be >= 0');
    for (let k = 1; k < segs.length; k++) if (segs[k]! < segs[k - 1]!) throw ctx.fail('segment ids are not increasing');
    const vals = elems(data);
    const add = adder(dtype);
    const out = new Array<Elem>(numSegments * inner).fill(zeroOf(dtype));
    const count = new Array<number>(numSegments).fill(0);
    for (let k = 0; k < segs.length; k++) {
      const s = segs[k]!;
      if (s < 0 || s >= numSegments) throw ctx.fail(`Segment id ${s} out of range [0, ${numSegments}), possibly because 'segment_ids' input is not sorted.`);
      const i = indices[k]!;
      if (i < 0 || i >= rows) throw ctx.fail(`Bad: indices[${k}] == ${i} out of range [0, ${rows})`);
      for (let j = 0; j < inner; j++) out[s * inner + j] = add(out[s * inner + j]!, vals[i * inner + j]!);
      count[s]!++;
    }
    if (reduce !== 'sum') {
      const round = dtype === 'float' ? Math.fround : (x: number) => x;
      for (let s = 0; s < numSegments; s++) {
        const c = count[s]!;
        if (c === 0) continue;
        const div = reduce === 'mean' ? c : round(Math.sqrt(c));
        for (let j = 0; j < inner; j++) out[s * inner + j] = round((out[s * inner + j] as number) / div);
      }
    }
    return [make(dtype, [numSegments, ...data.shape.slice(1)], out)];
  };
}

// ---------------------------------------------------------------- SparseTensorDenseMatMul

const sparseTensorDenseMatMul: Kernel = (ctx) => {
  const idx = ints(ctx, 0);
  const aVals = elems(ctx.host(1));
  const aShape = ints(ctx, 2);
  const b = ctx.host(3);
  const dtype = b.dtype;
  const adjA = ctx.attrBool('adjoint_a', false);
  const adjB = ctx.attrBool('adjoint_b', false);
  if (aShape.length !== 2) throw ctx.fail(`Tensor 'a_shape' is not a vector of 2 elements, got ${shapeText(aShape)}`);
  if (b.shape.length !== 2) throw ctx.fail(`Tensor 'b' is not a matrix, got shape ${shapeText(b.shape)}`);
  const nnz = aVals.length;
  const outRows = adjA ? aShape[1]! : aShape[0]!;
  const inner = adjA ? aShape[0]! : aShape[1]!;
  const bRows = adjB ? b.shape[1]! : b.shape[0]!;
  const outCols = adjB ? b.shape[0]! : b.shape[1]!;
  if (inner !== bRows) {
    throw ctx.fail(`Cannot multiply A and B because inner dimension does not match: ${inner} vs. ${bRows}.  Did you forget a transpose?  Dimensions of A: [${aShape.join(', ')}).  Dimensions of B: ${shapeText(b.shape)}`);
  }
  const bv = elems(b);
  const add = adder(dtype);
  const mul = dtype === 'float' ? (x: Elem, y: Elem) => Math.fround((x as number) * (y as number))
    : dtype === 'int64' ? (x: Elem, y: Elem) => BigInt.asIntN(64, (x as bigint) * (y as bigint))
    : dtype === 'int32' ? (x: Elem, y: Elem) => Math.imul(x as number, y as number)
    : (x: Elem, y: Elem) => (x as number) * (y as number);
  const out = new Array<Elem>(outRows * outCols).fill(zeroOf(dtype));
  for (let k = 0; k < nnz; k++) {
    const r0 = idx[2 * k]!;
    const c0 = idx[2 * k + 1]!;
    const m = adjA ? c0 : r0;
    const kk = adjA ? r0 : c0;
    if (m < 0 || m >= outRows) throw ctx.fail(`k (${k}) from index[${k},${adjA ? 1 : 0}] out of bounds (>=${outRows})`);
    if (kk < 0 || kk >= inner) throw ctx.fail(`k (${kk}) from index[${k},${adjA ? 0 : 1}] out of bounds (>=${inner})`);
    for (let n = 0; n < outCols; n++) {
      const bval = adjB ? bv[n * b.shape[1]! + kk]! : bv[kk * b.shape[1]! + n]!;
      out[m * outCols + n] = add(out[m * outCols + n]!, mul(aVals[k]!, bval));
    }
  }
  return [make(dtype, [outRows, outCols], out)];
};

// ---------------------------------------------------------------- Unique

function unique(v2: boolean): Kernel {
  return (ctx) => {
    const x = ctx.host(0);
    const outIdx = ctx.attrType('out_idx', 'int32');
    let axis = 0;
    if (v2) {
      const a = ints(ctx, 1);
      if (a.length > 1) throw ctx.fail(`axis expects a 1D vector with 1 element: ${shapeText(ctx.host(1).shape)}`);
      if (a.length === 1) {
        axis = a[0]! < 0 ? a[0]! + x.shape.length : a[0]!;
        if (axis < 0 || axis >= x.shape.length) throw ctx.fail(`axis has to be between [-${x.shape.length}, ${x.shape.length})`);
      } else if (x.shape.length !== 1) throw ctx.fail('unique expects a 1D vector.');
    } else if (x.shape.length !== 1) throw ctx.fail('unique expects a 1D vector.');
    const vals = elems(x);
    const shape = [...x.shape];
    const outer = numElements(shape.slice(0, axis));
    const len = shape[axis]!;
    const inner = numElements(shape.slice(axis + 1));
    const sliceOf = (i: number): Elem[] => {
      const s: Elem[] = [];
      for (let o = 0; o < outer; o++) for (let j = 0; j < inner; j++) s.push(vals[(o * len + i) * inner + j]!);
      return s;
    };
    const seen = new Map<string, number>();
    const firsts: number[] = [];
    const idx = new Array<number>(len);
    for (let i = 0; i < len; i++) {
      const key = sliceOf(i).map(elemKey).join('|');
      let u = seen.get(key);
      if (u === undefined) {
        u = firsts.length;
        seen.set(key, u);
        firsts.push(i);
      }
      idx[i] = u;
    }
    const outShape = [...shape];
    outShape[axis] = firsts.length;
    const out = new Array<Elem>(numElements(outShape));
    for (let o = 0; o < outer; o++) {
      for (let u = 0; u < firsts.length; u++) {
        for (let j = 0; j < inner; j++) out[(o * firsts.length + u) * inner + j] = vals[(o * len + firsts[u]!) * inner + j]!;
      }
    }
    return [make(x.dtype, outShape, out), tensorFromArray(outIdx, [len], outIdx === 'int64' ? idx.map((i) => BigInt(i)) : idx)];
  };
}

// ---------------------------------------------------------------- bounds and buckets

function compareElems(a: Elem, b: Elem): number {
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    const x = BigInt(a as bigint);
    const y = BigInt(b as bigint);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

function bound(upper: boolean): Kernel {
  return (ctx) => {
    const sorted = ctx.host(0);
    const values = ctx.host(1);
    const outType = ctx.attrType('out_type', 'int32');
    if (sorted.shape.length !== 2) throw ctx.fail(`sorted input argument must be a matrix, got shape ${shapeText(sorted.shape)}`);
    if (values.shape.length !== 2) throw ctx.fail(`values must be a matrix, got shape ${shapeText(values.shape)}`);
    if (sorted.shape[0] !== values.shape[0]) throw ctx.fail('Leading dim_size of both tensors must match.');
    if (sorted.dtype === 'string') throw ctx.fail('string inputs are not supported', 'runtime/unsupported-dtype');
    const [rows, n] = sorted.shape as [number, number];
    const m = values.shape[1]!;
    const s = elems(sorted);
    const v = elems(values);
    const out = new Array<number>(rows * m);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < m; j++) {
        const x = v[r * m + j]!;
        let lo = 0;
        let hi = n;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          const c = compareElems(s[r * n + mid]!, x);
          if (upper ? c <= 0 : c < 0) lo = mid + 1;
          else hi = mid;
        }
        out[r * m + j] = lo;
      }
    }
    return [tensorFromArray(outType, [rows, m], outType === 'int64' ? out.map((x) => BigInt(x)) : out)];
  };
}

const bucketize: Kernel = (ctx) => {
  const x = ctx.host(0);
  const a = ctx.attr('boundaries');
  const boundaries = a?.kind === 'list' ? [...(a.value.f ?? [])] : [];
  for (let i = 1; i < boundaries.length; i++) if (!(boundaries[i - 1]! <= boundaries[i]!)) throw ctx.fail('Expected sorted boundaries');
  const v = elems(x);
  const out = new Array<number>(v.length);
  for (let i = 0; i < v.length; i++) {
    // TensorFlow compares in the input's type against float boundaries: the count of boundaries <= x.
    const val = Number(v[i]!);
    let lo = 0;
    let hi = boundaries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (boundaries[mid]! <= val) lo = mid + 1;
      else hi = mid;
    }
    out[i] = lo;
  }
  return [tensorFromArray('int32', x.shape, out)];
};

// ---------------------------------------------------------------- UnsortedSegmentSum

/**
 * `UnsortedSegmentSum`: `out[segment_ids[i...]] += data[i...]` in any order; negative ids are
 * dropped, as TensorFlow's CPU kernel does; ids past `num_segments` fail. Rows no id names are 0.
 */
const unsortedSegmentSum: Kernel = (ctx) => {
  const data = ctx.host(0);
  const idsT = ctx.host(1);
  const dtype = data.dtype;
  if (dtype === 'half' || dtype === 'bfloat16' || dtype === 'string') throw ctx.fail(`UnsortedSegmentSum of ${dtype} is not computed`, 'runtime/unsupported-dtype');
  const numT = ctx.host(2);
  if (numT.shape.length !== 0) throw ctx.fail(`num_segments should be a scalar, not shape ${shapeText(numT.shape)}`);
  const is = idsT.shape;
  const ds = data.shape;
  if (ds.length < is.length || is.some((d, i) => ds[i] !== d)) {
    throw ctx.fail(`data.shape = ${shapeText(ds)} does not start with segment_ids.shape = ${shapeText(is)}`);
  }
  const numSegments = ints(ctx, 2)[0]!;
  if (numSegments < 0) throw ctx.fail(`Input num_segments == ${numSegments} must not be negative.`);
  const ids = ints(ctx, 1);
  const inner = numElements(ds.slice(is.length));
  const vals = elems(data);
  const add = adder(dtype);
  const out = new Array<Elem>(numSegments * inner).fill(zeroOf(dtype));
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i]!;
    if (s < 0) continue;
    if (s >= numSegments) {
      // TensorFlow names the id by its position in segment_ids' shape.
      const pos: number[] = [];
      let rest = i;
      for (let d = is.length - 1; d >= 0; d--) {
        pos.unshift(rest % is[d]!);
        rest = Math.floor(rest / is[d]!);
      }
      throw ctx.fail(`segment_ids${shapeText(pos)} = ${s} is out of range [0, ${numSegments})`);
    }
    for (let j = 0; j < inner; j++) out[s * inner + j] = add(out[s * inner + j]!, vals[i * inner + j]!);
  }
  return [make(dtype, [numSegments, ...ds.slice(is.length)], out)];
};

// ---------------------------------------------------------------- DenseToDenseSetOperation

/** std::set's order: numbers numerically, strings bytewise. */
function setOrder(a: Elem, b: Elem): number {
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return a.length - b.length;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * `DenseToDenseSetOperation` (tf.sets.difference/intersection/union on dense inputs): per group
 * (all dimensions but the last), the set operation of the two rows, sorted ascending (strings
 * bytewise), as a sparse tensor whose last dimension is the largest result (set_kernels.cc).
 */
const denseToDenseSetOperation: Kernel = (ctx) => {
  const a = ctx.host(0);
  const b = ctx.host(1);
  const op = ctx.attrString('set_operation', '').toLowerCase();
  if (!['a-b', 'b-a', 'intersection', 'union'].includes(op)) throw ctx.fail(`Invalid set_operation ${ctx.attrString('set_operation', '')}.`);
  for (const t of [a, b]) if (t.shape.length < 2) throw ctx.fail(`Invalid rank ${t.shape.length}.`);
  const ga = a.shape.slice(0, -1);
  const gb = b.shape.slice(0, -1);
  if (shapeText(ga) !== shapeText(gb)) throw ctx.fail(`Mismatched shapes ${shapeText(ga)} vs ${shapeText(gb)}.`);
  const dtype = a.dtype;
  const va = elems(a);
  const vb = elems(b);
  const wa = a.shape[a.shape.length - 1]!;
  const wb = b.shape[b.shape.length - 1]!;
  const groups = numElements(ga);
  const setOf = (v: Elem[]) => {
    const m = new Map<string, Elem>();
    for (const e of v) m.set(elemKey(e), e);
    return m;
  };
  const results: { group: number; values: Elem[] }[] = [];
  let maxSize = 0;
  for (let g = 0; g < groups; g++) {
    const s1 = setOf(va.slice(g * wa, (g + 1) * wa));
    const s2 = setOf(vb.slice(g * wb, (g + 1) * wb));
    let out: Elem[];
    if (op === 'a-b') out = [...s1].filter(([k]) => !s2.has(k)).map(([, e]) => e);
    else if (op === 'b-a') out = [...s2].filter(([k]) => !s1.has(k)).map(([, e]) => e);
    else if (op === 'intersection') out = [...s1].filter(([k]) => s2.has(k)).map(([, e]) => e);
    else out = [...new Map([...s1, ...s2]).values()];
    out.sort(setOrder);
    if (out.length > 0) results.push({ group: g, values: out });
    maxSize = Math.max(maxSize, out.length);
  }
  const rank = ga.length + 1;
  const indices: bigint[] = [];
  const values: Elem[] = [];
  for (const { group, values: vs } of results) {
    const pos: number[] = [];
    let rest = group;
    for (let d = ga.length - 1; d >= 0; d--) {
      pos.unshift(rest % ga[d]!);
      rest = Math.floor(rest / ga[d]!);
    }
    vs.forEach((v, j) => {
      for (const p of pos) indices.push(BigInt(p));
      indices.push(BigInt(j));
      values.push(v);
    });
  }
  return [
    tensorFromArray('int64', [values.length, rank], indices),
    make(dtype, [values.length], values),
    tensorFromArray('int64', [rank], [...ga, maxSize].map(BigInt)),
  ];
};

// ---------------------------------------------------------------- SparseSegment*Grad

/**
 * The gradients of `SparseSegmentSum`/`Mean`/`SqrtN`: `out[indices[i]] += grad[segment_ids[i]] *
 * scale`, scale 1, 1/count or 1/sqrt(count) of the segment (segment_reduction_ops_impl.h).
 */
function sparseSegmentGrad(reduce: Reduce): Kernel {
  return (ctx) => {
    const grad = ctx.host(0);
    const dtype = grad.dtype;
    if (dtype !== 'float' && dtype !== 'double') throw ctx.fail(`${ctx.node.op} of ${dtype} is not computed`, 'runtime/unsupported-dtype');
    if (ctx.host(1).shape.length !== 1) throw ctx.fail('indices should be a vector.');
    if (ctx.host(2).shape.length !== 1) throw ctx.fail('segment_ids should be a vector.');
    if (ctx.host(3).shape.length !== 0) throw ctx.fail('output_dim0 should be a scalar.');
    const indices = ints(ctx, 1);
    const segs = ints(ctx, 2);
    if (indices.length !== segs.length) throw ctx.fail('segment_ids and indices should have same size.');
    const m = ints(ctx, 3)[0]!;
    if (grad.shape.length < 1) throw ctx.fail('grad must be at least 1 dimensional');
    const numSegments = grad.shape[0]!;
    const inner = numElements(grad.shape.slice(1));
    const round = dtype === 'float' ? Math.fround : (x: number) => x;
    const scaling = new Array<number>(numSegments).fill(0);
    if (reduce !== 'sum') {
      for (const sg of segs) {
        if (sg < 0 || sg >= numSegments) throw ctx.fail(`Segment id ${sg} out of range [0, ${numSegments}).`);
        scaling[sg]! += 1;
      }
      for (let k = 0; k < numSegments; k++) scaling[k] = reduce === 'mean' ? 1 / Math.max(scaling[k]!, 1) : 1 / Math.sqrt(Math.max(scaling[k]!, 1));
    }
    const g = elems(grad) as number[];
    const out = new Array<number>(Math.max(m, 0) * inner).fill(0);
    for (let i = 0; i < indices.length; i++) {
      const o = indices[i]!;
      if (o < 0 || o >= m) throw ctx.fail(`Index ${o} out of range [0, ${m}).`);
      const sg = segs[i]!;
      if (sg < 0 || sg >= numSegments) throw ctx.fail(`Segment id ${sg} out of range [0, ${numSegments}).`);
      const scale = reduce === 'sum' ? 1 : round(scaling[sg]!);
      for (let j = 0; j < inner; j++) out[o * inner + j] = round(out[o * inner + j]! + round(g[sg * inner + j]! * scale));
    }
    return [make(dtype, [m, ...grad.shape.slice(1)], out)];
  };
}

export const SPARSE_KERNELS: Record<string, Kernel> = {
  SparseSegmentSumGrad: sparseSegmentGrad('sum'),
  SparseSegmentMeanGrad: sparseSegmentGrad('mean'),
  SparseSegmentSqrtNGrad: sparseSegmentGrad('sqrtn'),
  DenseToDenseSetOperation: denseToDenseSetOperation,
  UnsortedSegmentSum: unsortedSegmentSum,
  SparseToDense: sparseToDense,
  SparseReshape: sparseReshape,
  SparseFillEmptyRows: sparseFillEmptyRows,
  SparseSegmentSum: sparseSegment('sum', false),
  SparseSegmentMean: sparseSegment('mean', false),
  SparseSegmentSqrtN: sparseSegment('sqrtn', false),
  SparseSegmentSumWithNumSegments: sparseSegment('sum', true),
  SparseSegmentMeanWithNumSegments: sparseSegment('mean', true),
  SparseSegmentSqrtNWithNumSegments: sparseSegment('sqrtn', true),
  SparseTensorDenseMatMul: sparseTensorDenseMatMul,
  Unique: unique(false),
  UniqueV2: unique(true),
  UpperBound: bound(true),
  LowerBound: bound(false),
  Bucketize: bucketize,
};
