/**
 * TensorList kernels: the `variant` lists that TF2 control flow (`tf.while_loop` v2, Keras
 * `LSTM`/`GRU`/`SimpleRNN`, `tf.TensorArray` inside `tf.function`) builds with `EmptyTensorList`,
 * `TensorListReserve`, `TensorListFromTensor`, `TensorListGetItem`/`SetItem`, `TensorListStack`
 * and friends (TensorFlow's `core/kernels/list_kernels.{h,cc}`, `core/ops/list_ops.cc`).
 *
 * A list is a `tensor-list` runtime value (see `TensorListValue`): element dtype, element shape
 * as far as it is known, elements (some slots possibly never set) and a maximum length. TensorFlow
 * lists are values: an op that "modifies" a list returns a new one, and TensorFlow only reuses the
 * input's storage when nothing else holds it. Here every op copies the element array (not the
 * tensors), so a list held elsewhere (a loop variable, a second consumer, a session's cached
 * constant) never changes under its holder.
 *
 * Semantics kept from TensorFlow: `element_shape` inputs (-1 scalar = unknown rank, -1 dims =
 * unknown) merged with the list's own shape and, where still not fully known, with the shapes of
 * the elements that are set; a slot never set reads as zeros of the element shape when that shape
 * is fully known (and fails otherwise); `num_elements`, `max_num_elements`, `leading_dims` and
 * `resize_if_index_out_of_bounds`; the dtype checks. Error messages are TensorFlow's.
 *
 * Not handled: the batched forms (`TensorListPushBackBatch`, `TensorListConcatLists`: they take
 * a vector of lists, which this runtime does not represent), and stacking lists of lists.
 */
import { baseDType, dtypeSize, type DType } from '../../ir/dtype';
import { type Tensor, numElements } from '../../ir/tensor';
import type { Kernel, KernelContext } from '../kernel';
import { type TensorListValue, type Value, tensorFromArray } from '../values';
import { join, rows } from './tensor-array';

/** A partially known shape: null for unknown rank, -1 for an unknown dimension. */
type PartialShape = readonly number[] | null;
type Item = Tensor | TensorListValue;

/** TensorFlow's `PartialTensorShape::DebugString`: `<unknown>`, `[2,?]`, `[]`. */
export function shapeText(s: PartialShape): string {
  return s === null ? '<unknown>' : `[${s.map((d) => (d < 0 ? '?' : d)).join(',')}]`;
}

function fullyDefined(s: PartialShape): s is readonly number[] {
  return s !== null && s.every((d) => d >= 0);
}

function compatible(a: PartialShape, b: PartialShape): boolean {
  if (a === null || b === null) return true;
  return a.length === b.length && a.every((d, i) => d < 0 || b[i]! < 0 || d === b[i]);
}

/** `PartialTensorShape::MergeWith`: the more specific of two compatible shapes, or TensorFlow's error. */
function merge(ctx: KernelContext, a: PartialShape, b: PartialShape): PartialShape {
  if (a === null) return b;
  if (b === null) return a;
  if (a.length !== b.length) throw ctx.fail(`Incompatible ranks during merge: ${a.length} vs. ${b.length}`);
  return a.map((d, i) => {
    const e = b[i]!;
    if (d >= 0 && e >= 0 && d !== e) throw ctx.fail(`Incompatible shapes during merge: ${shapeText(a)} vs. ${shapeText(b)}`);
    return d >= 0 ? d : e;
  });
}

function isList(v: Value | Item | undefined): v is TensorListValue {
  return v !== undefined && 'kind' in v && v.kind === 'tensor-list';
}

function itemDType(item: Item): DType {
  return isList(item) ? 'variant' : baseDType(item.dtype);
}

function itemShape(item: Item): readonly number[] {
  return isList(item) ? [] : item.shape;
}

/** `TensorShapeFromTensor`: an int32/int64 shape tensor, or the scalar -1 for an unknown shape. */
function shapeInput(ctx: KernelContext, i: number): PartialShape {
  const dtype = ctx.dtype(i);
  if (dtype !== 'int32' && dtype !== 'int64') throw ctx.fail(`Expected an int32 or int64 shape tensor; found ${dtype}`);
  const t = ctx.host(i);
  const values = ctx.numbers(i);
  if (t.shape.length === 0) {
    if (values[0] === -1) return null;
    throw ctx.fail('The only valid scalar shape tensor is the fully unknown shape specified as -1.');
  }
  if (t.shape.length !== 1) throw ctx.fail(`Shape must be at most rank 1 but is rank ${t.shape.length}`);
  for (const d of values) if (d < -1) throw ctx.fail(`Dimension ${d} must be >= -1`);
  return values;
}

function scalarInput(ctx: KernelContext, i: number, what: string): number {
  const shape = ctx.host(i).shape;
  if (shape.length !== 0) throw ctx.fail(`${what} must be a scalar, saw shape: ${shapeText(shape)}`);
  return ctx.numbers(i)[0]!;
}

/** `GetInputList`: input `i` must be a list. */
function listInput(ctx: KernelContext, i: number): TensorListValue {
  const v = ctx.inputs[i];
  if (!isList(v)) throw ctx.fail(`Input handle is not a list. Saw: '${v ? (v.kind === 'tensor' || v.kind === 'host' ? `a ${ctx.dtype(i)} tensor` : v.kind) : 'nothing'}'`);
  return v;
}

/** The op's `element_dtype` must be the list's. */
function checkOpDType(ctx: KernelContext, l: TensorListValue): DType {
  const want = ctx.attrType('element_dtype');
  if (want !== l.elementDType) throw ctx.fail(`Invalid data types; op elements ${want} but list elements ${l.elementDType}`);
  return want;
}

/** An element input: a host tensor, or a list when the elements are lists. */
function itemInput(ctx: KernelContext, i: number): Item {
  const v = ctx.inputs[i];
  return isList(v) ? v : ctx.host(i);
}

function makeList(elementDType: DType, elementShape: PartialShape, elements: readonly (Item | undefined)[], maxNumElements = -1): TensorListValue {
  return { kind: 'tensor-list', elementDType, elementShape: elementShape === null ? null : Object.freeze([...elementShape]), elements: Object.freeze([...elements]), maxNumElements };
}

function withElements(l: TensorListValue, elements: readonly (Item | undefined)[]): TensorListValue {
  return makeList(l.elementDType, l.elementShape, elements, l.maxNumElements);
}

/** A tensor of zeros (empty strings for string lists), as TensorFlow reads an unset slot. */
function zeros(ctx: KernelContext, dtype: DType, shape: readonly number[]): Tensor {
  const n = numElements(shape);
  if (dtype === 'string') return { dtype, shape: Object.freeze([...shape]), data: { kind: 'strings', values: Object.freeze(Array.from({ length: n }, () => new Uint8Array(0))) } };
  const size = dtypeSize(dtype);
  if (size === undefined) throw ctx.fail(`cannot make zeros of ${dtype} for an unset list element`);
  return { dtype, shape: Object.freeze([...shape]), data: { kind: 'content', bytes: new Uint8Array(n * size) } };
}

/** `element_shape` input merged with the list's (`GetElementShapeFromInput`). */
function elementShapeFromInput(ctx: KernelContext, l: TensorListValue, i: number): PartialShape {
  return merge(ctx, shapeInput(ctx, i), l.elementShape);
}

/** Merges in the shapes of the set elements at `indices` when the list's own shape is not fully known. */
function mergeSetElements(ctx: KernelContext, l: TensorListValue, shape: PartialShape, indices: Iterable<number>): PartialShape {
  if (fullyDefined(l.elementShape)) return shape;
  let out = shape;
  for (const i of indices) {
    const e = l.elements[i];
    if (e !== undefined) out = merge(ctx, out, itemShape(e));
  }
  return out;
}

function allIndices(l: TensorListValue): number[] {
  return l.elements.map((_, i) => i);
}

/** Stacks the elements at `indices` (unset ones as zeros) into one tensor of `[n, ...shape]`. */
function stackElements(ctx: KernelContext, l: TensorListValue, indices: readonly number[], shape: readonly number[]): Tensor {
  if (l.elementDType === 'variant') throw ctx.fail('stacking a list of lists is not supported');
  let zero: Tensor | undefined;
  const parts = indices.map((i) => {
    const e = l.elements[i];
    if (e === undefined) return (zero ??= zeros(ctx, l.elementDType, shape));
    const t = e as Tensor;
    if (t.shape.length !== shape.length || t.shape.some((d, j) => d !== shape[j])) {
      throw ctx.fail(`list element ${i} has shape ${shapeText(t.shape)}, not the element shape ${shapeText(shape)}`);
    }
    return t;
  });
  return join(ctx, l.elementDType, parts, [indices.length, ...shape]);
}

/** Reads one slot: the element, or zeros when it was never set (`TensorListGetItem`/`PopBack`). */
function readSlot(ctx: KernelContext, l: TensorListValue, index: number, shapeInputIndex: number, inferFromElements: boolean, message: string): Item {
  const e = l.elements[index];
  if (e !== undefined) return e;
  let shape = elementShapeFromInput(ctx, l, shapeInputIndex);
  if (inferFromElements && !fullyDefined(shape)) shape = mergeSetElements(ctx, { ...l, elementShape: null }, shape, allIndices(l));
  if (!fullyDefined(shape)) throw ctx.fail(`${message}: ${shapeText(shape)}${inferFromElements ? ' and no list element is set.' : ''}`);
  return zeros(ctx, l.elementDType, shape);
}

/** Splits a tensor into its rows, checking the rows against `elementShape`. */
function unstack(ctx: KernelContext, t: Tensor, elementShape: PartialShape): Tensor[] {
  if (t.shape.length === 0) throw ctx.fail('Tensor must be at least a vector, but saw shape: []');
  const rowShape = t.shape.slice(1);
  if (!compatible(elementShape, rowShape)) throw ctx.fail(`Specified a list with shape ${shapeText(elementShape)} from a tensor with shape ${shapeText(rowShape)}`);
  return rows(ctx, t);
}

/** `TensorListScatter` / `TensorListScatterV2`: a new list with `tensor[k]` at `indices[k]`. */
const scatter = (withNumElements: boolean): Kernel => (ctx) => {
  const t = ctx.host(0);
  const indices = ctx.numbers(1);
  const elementShape = shapeInput(ctx, 2);
  const numElements = withNumElements ? scalarInput(ctx, 3, 'num_elements') : -1;
  if (numElements < -1) throw ctx.fail(`TensorListScatter expects num_elements >= -1, found: ${numElements}`);
  const parts = unstack(ctx, t, elementShape);
  if (indices.length !== t.shape[0]) throw ctx.fail(`Invalid number of rows in input tensor. Expected: ${indices.length} Actual: ${t.shape[0]}`);
  let highest = -1;
  for (const i of indices) {
    if (i < 0) throw ctx.fail('Indices in TensorListScatter must all be non-negative.');
    if (numElements !== -1 && i >= numElements) throw ctx.fail(`TensorListScatter: Trying to scatter at index ${i} in list with size ${numElements}`);
    highest = Math.max(highest, i);
  }
  const elements = new Array<Item | undefined>(Math.max(highest + 1, numElements)).fill(undefined);
  indices.forEach((i, k) => (elements[i] = parts[k]));
  return [makeList(baseDType(t.dtype), elementShape, elements)];
};

/** `TensorListConcat` (element_shape attr) and `TensorListConcatV2` (element_shape and leading_dims inputs). */
const concat = (v2: boolean): Kernel => (ctx) => {
  const l = listInput(ctx, 0);
  const dtype = checkOpDType(ctx, l);
  if (dtype === 'variant') throw ctx.fail('concatenating a list of lists is not supported');
  let firstDim = -1;
  let inner: PartialShape;
  let leadingDims: number[] | undefined;
  if (v2) {
    const es = elementShapeFromInput(ctx, l, 1);
    if (es !== null && es.length < 1) throw ctx.fail('Concat requires elements to be at least vectors, found scalars instead.');
    firstDim = es === null ? -1 : es[0]!;
    inner = es === null ? null : es.slice(1);
    leadingDims = ctx.numbers(2);
  } else {
    const a = ctx.attr('element_shape');
    const attrShape: PartialShape = a?.kind === 'shape' && !a.value.unknownRank ? a.value.dims.map(Number) : null;
    if (attrShape !== null && attrShape.length === 0) throw ctx.fail('element_shape must not be empty');
    inner = merge(ctx, attrShape === null ? null : attrShape.slice(1), l.elementShape === null || l.elementShape.length === 0 ? null : l.elementShape.slice(1));
  }
  if (l.elements.length === 0 && !fullyDefined(inner)) {
    throw ctx.fail(`All except the first dimension must be fully defined when concating an empty tensor list. element_shape: ${shapeText(inner)}`);
  }
  if (!fullyDefined(l.elementShape)) {
    let checkDim = firstDim === -1;
    let inferred = firstDim;
    l.elements.forEach((e, i) => {
      if (e === undefined) return;
      const s = itemShape(e);
      if (s.length === 0) throw ctx.fail(`Concat saw a scalar shape at index ${i} but requires at least vectors.`);
      inner = merge(ctx, inner, s.slice(1));
      if (firstDim !== -1 && firstDim !== s[0]) {
        throw ctx.fail(`First entry of element_shape input does not match the first dim of list element at index: ${i} Expected: ${firstDim} Actual: ${s[0]}`);
      }
      if (checkDim) {
        if (inferred === -1) inferred = s[0]!;
        else if (inferred !== s[0]) {
          inferred = -1;
          checkDim = false;
        }
      }
    });
    firstDim = inferred;
  }
  if (!fullyDefined(inner)) {
    throw ctx.fail(`Trying to concat list with only uninitialized tensors but element_shape_except_first_dim is not fully defined: ${shapeText(inner)}`);
  }
  const innerShape = inner;
  const lengths = l.elements.map((e, i) => {
    if (e !== undefined) return itemShape(e)[0]!;
    if ((!leadingDims || i >= leadingDims.length) && firstDim !== -1) return firstDim;
    if (!leadingDims) {
      throw ctx.fail('Concating lists with uninitialized tensors is not supported in this version of TensorListConcat. Consider updating your GraphDef to run the newer version.');
    }
    if (i >= leadingDims.length) throw ctx.fail(`List contains uninitialized tensor at index ${i} but leading_dims has only ${leadingDims.length} elements.`);
    return leadingDims[i]!;
  });
  const parts = l.elements.map((e, i) => {
    const shape = [lengths[i]!, ...innerShape];
    if (e === undefined) return zeros(ctx, dtype, shape);
    const t = e as Tensor;
    if (t.shape.length !== shape.length || t.shape.some((d, j) => d !== shape[j])) {
      throw ctx.fail(`list element ${i} has shape ${shapeText(t.shape)}, but concat needs ${shapeText([-1, ...innerShape])}`);
    }
    return t;
  });
  const total = lengths.reduce((s, n) => s + n, 0);
  return [join(ctx, dtype, parts, [total, ...innerShape]), tensorFromArray('int64', [lengths.length], lengths)];
};

export const TENSOR_LIST_KERNELS: Record<string, Kernel> = {
  /** (element_shape, max_num_elements) → an empty list. */
  EmptyTensorList: (ctx) => {
    const maxShape = ctx.host(1).shape;
    if (maxShape.length !== 0) throw ctx.fail(`max_num_elements expected to be a scalar but got shape: ${shapeText(maxShape)}`);
    const max = ctx.numbers(1)[0]!;
    return [makeList(ctx.attrType('element_dtype'), shapeInput(ctx, 0), [], max)];
  },
  /** (element_shape, num_elements) → a list of `num_elements` unset slots. */
  TensorListReserve: (ctx) => {
    const shape = ctx.host(1).shape;
    if (shape.length !== 0) throw ctx.fail(`The num_elements to reserve must be a tensor size 1, but got ${shapeText(shape)}`);
    const n = ctx.numbers(1)[0]!;
    if (n < 0) throw ctx.fail(`The num_elements to reserve must be a non negative number, but got ${n}`);
    return [makeList(ctx.attrType('element_dtype'), shapeInput(ctx, 0), new Array<undefined>(n).fill(undefined))];
  },
  /** (tensor, element_shape) → the list of the tensor's rows. */
  TensorListFromTensor: (ctx) => {
    const t = ctx.host(0);
    const elementShape = shapeInput(ctx, 1);
    return [makeList(baseDType(t.dtype), elementShape, unstack(ctx, t, elementShape))];
  },
  /** (list, index, element_shape) → the element (zeros for an unset slot of known shape). */
  TensorListGetItem: (ctx) => {
    const l = listInput(ctx, 0);
    checkOpDType(ctx, l);
    const index = scalarInput(ctx, 1, 'index');
    if (index < 0 || index >= l.elements.length) throw ctx.fail(`Trying to access element ${index} in a list with ${l.elements.length} elements.`);
    return [readSlot(ctx, l, index, 2, true, 'Trying to read an uninitialized tensor but element_shape is not fully defined')];
  },
  /** (list, index, item) → a new list with `item` at `index`. */
  TensorListSetItem: (ctx) => {
    const l = listInput(ctx, 0);
    checkOpDType(ctx, l);
    const index = scalarInput(ctx, 1, 'index');
    const item = itemInput(ctx, 2);
    if (itemDType(item) !== l.elementDType) throw ctx.fail(`Invalid data types; op elements ${l.elementDType} but tried to set ${itemDType(item)}`);
    const resize = ctx.attrBool('resize_if_index_out_of_bounds', false);
    if (index < 0 || (!resize && index >= l.elements.length)) throw ctx.fail(`Trying to modify element ${index} in a list with ${l.elements.length} elements.`);
    if (!compatible(l.elementShape, itemShape(item))) {
      throw ctx.fail(`Tried to set a tensor with incompatible shape at a list index. Item element shape: ${shapeText(itemShape(item))} list shape: ${shapeText(l.elementShape)}`);
    }
    const elements = [...l.elements];
    while (elements.length <= index) elements.push(undefined);
    elements[index] = item;
    return [withElements(l, elements)];
  },
  /** (list, element_shape) → every element stacked along a new first dimension. */
  TensorListStack: (ctx) => {
    const l = listInput(ctx, 0);
    checkOpDType(ctx, l);
    const n = ctx.attrInt('num_elements', -1);
    if (n !== -1 && l.elements.length !== n) throw ctx.fail(`Operation expected a list with ${n} elements but got a list with ${l.elements.length} elements.`);
    let shape = elementShapeFromInput(ctx, l, 1);
    if (!fullyDefined(shape) && l.elements.length === 0) throw ctx.fail(`Tried to stack elements of an empty list with non-fully-defined element_shape: ${shapeText(shape)}`);
    shape = mergeSetElements(ctx, l, shape, allIndices(l));
    if (!fullyDefined(shape)) throw ctx.fail(`Tried to stack list which only contains uninitialized tensors and has a non-fully-defined element_shape: ${shapeText(shape)}`);
    return [stackElements(ctx, l, allIndices(l), shape)];
  },
  /** (list, indices, element_shape) → the elements at `indices`, stacked. */
  TensorListGather: (ctx) => {
    const l = listInput(ctx, 0);
    checkOpDType(ctx, l);
    const indices = ctx.numbers(1);
    for (const i of indices) {
      if (i < 0 || i >= l.elements.length) throw ctx.fail(`Index ${i} out of range; list only has ${l.elements.length} elements.`);
    }
    let shape = elementShapeFromInput(ctx, l, 2);
    if (!fullyDefined(shape) && indices.length === 0) throw ctx.fail(`Tried to gather 0-elements from a list with non-fully-defined shape: ${shapeText(shape)}`);
    shape = mergeSetElements(ctx, l, shape, indices);
    if (!fullyDefined(shape)) throw ctx.fail(`Tried to gather uninitialized tensors from a list with non-fully-defined element_shape: ${shapeText(shape)}`);
    return [stackElements(ctx, l, indices, shape)];
  },
  /** (list) → int32 length. */
  TensorListLength: (ctx) => [tensorFromArray('int32', [], [listInput(ctx, 0).elements.length])],
  /** (list) → the element shape (`shape_type`), -1 for unknown dimensions, the scalar -1 for unknown rank. */
  TensorListElementShape: (ctx) => {
    const l = listInput(ctx, 0);
    const dtype = ctx.attrType('shape_type', 'int32');
    return [l.elementShape === null ? tensorFromArray(dtype, [], [-1]) : tensorFromArray(dtype, [l.elementShape.length], l.elementShape)];
  },
  /** (list, tensor) → a new list with the tensor appended. */
  TensorListPushBack: (ctx) => {
    const item = itemInput(ctx, 1);
    const want = ctx.attrType('element_dtype');
    if (itemDType(item) !== want) throw ctx.fail(`Invalid data types; list elements ${want} but tried to append ${itemDType(item)}`);
    const l = listInput(ctx, 0);
    if (!compatible(l.elementShape, itemShape(item))) {
      throw ctx.fail(`Tried to append a tensor with incompatible shape to a list. Op element shape: ${shapeText(itemShape(item))} list shape: ${shapeText(l.elementShape)}`);
    }
    checkOpDType(ctx, l);
    if (l.maxNumElements !== -1 && l.elements.length >= l.maxNumElements) {
      throw ctx.fail(`Tried to push item into a full list list size: ${l.elements.length} max_num_elements: ${l.maxNumElements}`);
    }
    return [withElements(l, [...l.elements, item])];
  },
  /** (list, element_shape) → (the list without its last element, that element). */
  TensorListPopBack: (ctx) => {
    const l = listInput(ctx, 0);
    checkOpDType(ctx, l);
    if (l.elements.length === 0) throw ctx.fail('Trying to pop from an empty list.');
    const last = readSlot(ctx, l, l.elements.length - 1, 1, false, 'Trying to read an uninitialized tensor but element_shape is not fully defined');
    return [withElements(l, l.elements.slice(0, -1)), last];
  },
  /** (list, tensor, indices) → a new list with `tensor[k]` at `indices[k]`, grown as needed. */
  TensorListScatterIntoExistingList: (ctx) => {
    const l = listInput(ctx, 0);
    const t = ctx.host(1);
    const indicesShape = ctx.host(2).shape;
    const indices = ctx.numbers(2);
    if (baseDType(t.dtype) !== l.elementDType) throw ctx.fail(`Invalid data types; input tensor type: ${baseDType(t.dtype)} list element_type: ${l.elementDType}`);
    if (t.shape.length === 0) throw ctx.fail('Tensor must be at least a vector, but saw shape: []');
    if (indicesShape.length !== 1) throw ctx.fail(`Expected indices to be a vector, but received shape: ${shapeText(indicesShape)}`);
    if (indices.length !== t.shape[0]) throw ctx.fail(`Expected len(indices) == tensor.shape[0], but saw: ${indices.length} vs. ${t.shape[0]}`);
    for (const i of indices) if (i < 0) throw ctx.fail('Indices in TensorListScatter must all be non-negative.');
    const parts = rows(ctx, t);
    parts.forEach((p) => {
      if (!compatible(l.elementShape, p.shape)) throw ctx.fail(`Tried to scatter a tensor with incompatible shape into a list. Item element shape: ${shapeText(p.shape)} list shape: ${shapeText(l.elementShape)}`);
    });
    const elements = [...l.elements];
    const highest = indices.reduce((m, i) => Math.max(m, i), -1);
    while (elements.length < highest + 1) elements.push(undefined);
    indices.forEach((i, k) => (elements[i] = parts[k]));
    return [withElements(l, elements)];
  },
  TensorListScatter: scatter(false),
  TensorListScatterV2: scatter(true),
  /** (list, size) → the list cut to `size`, or grown with unset slots. */
  TensorListResize: (ctx) => {
    const l = listInput(ctx, 0);
    const size = scalarInput(ctx, 1, 'size');
    if (size < 0) throw ctx.fail(`TensorListSlice expects size to be non-negative. Got: ${size}`);
    const elements = l.elements.slice(0, size);
    while (elements.length < size) elements.push(undefined);
    return [withElements(l, elements)];
  },
  TensorListConcat: concat(false),
  TensorListConcatV2: concat(true),
  /** (tensor, element_shape, lengths) → the list of the tensor's row blocks of the given lengths. */
  TensorListSplit: (ctx) => {
    const t = ctx.host(0);
    const elementShape = shapeInput(ctx, 1);
    if (elementShape !== null && elementShape.length < 1) throw ctx.fail(`TensorListSplit requires element_shape to be at least of rank 1, but saw: ${shapeText(elementShape)}`);
    if (t.shape.length === 0) throw ctx.fail('Tensor must be at least a vector, but saw shape: []');
    if (elementShape !== null && !compatible(elementShape.slice(1), t.shape.slice(1))) {
      throw ctx.fail(`tensor shape ${shapeText(t.shape)} is not compatible with element_shape ${shapeText(elementShape)}`);
    }
    const lengthsShape = ctx.host(2).shape;
    if (lengthsShape.length !== 1) throw ctx.fail(`Expected lengths to be a vector, received shape: ${shapeText(lengthsShape)}`);
    const lengths = ctx.numbers(2);
    const rowsTotal = t.shape[0]!;
    let start = 0;
    for (const n of lengths) {
      if (n < 0) throw ctx.fail(`Invalid value in lengths: ${n}`);
      if (start + n > rowsTotal) throw ctx.fail(`Attempting to slice [${start}, ${start + n}] from tensor with length ${rowsTotal}`);
      start += n;
    }
    if (start !== rowsTotal) throw ctx.fail(`Unused values in tensor. Length of tensor: ${rowsTotal} Values used: ${start}`);
    return [makeList(baseDType(t.dtype), elementShape, rows(ctx, t, lengths))];
  },
};
