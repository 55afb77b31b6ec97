/**
 * TF1 TensorArray kernels (`TensorArrayV3` and its Write, Read, Scatter, Gather, Split, Concat,
 * Size and Close ops), as `tf.while_loop`/`dynamic_rnn` graphs use them.
 *
 * The handle is a host-side object (a `tensor-array` value) that flows through `Enter` into
 * loop frames like a variable's resource handle does; every op on the array mutates that one
 * object, and the `flow` scalar carries only the ordering, as in TensorFlow. Elements are kept as
 * host IR tensors, not tfjs tensors: the executor reference-counts the tfjs tensors a value
 * holds when an edge takes or drops it, which would miscount elements written after the handle
 * was passed along. Host elements are garbage collected with the handle; reads convert to tfjs.
 *
 * TensorFlow's checks are kept (and its messages paraphrased): reading an unwritten index,
 * reading twice with `clear_after_read`, writing twice, writing past a fixed size, dtype and
 * element-shape mismatches, closed arrays. Not handled: the gradient ops
 * (`TensorArrayGradV3`, `TensorArrayGradWithShape`) and the pre-V3 op names.
 */
import { attrText } from '../../ir/attr';
import { type DType, baseDType, dtypeSize } from '../../ir/dtype';
import { type Tensor, numElements, tensorBytes, tensorStrings } from '../../ir/tensor';
import type { Kernel, KernelContext } from '../kernel';
import { type Value, tensorFromArray } from '../values';

/** What TensorFlow's TensorArray resource tracks besides its elements. */
interface TensorArrayState {
  readonly name: string;
  readonly dynamicSize: boolean;
  readonly clearAfterRead: boolean;
  readonly identicalElementShapes: boolean;
  /** Known element shape: null for unknown rank, -1 for an unknown dimension. */
  elementShape: number[] | null;
  readonly written: boolean[];
  readonly cleared: boolean[];
  closed: boolean;
}

/** The runtime value of a TensorArray handle: the executor's `tensor-array` value, plus its state. */
type TensorArrayHandle = Extract<Value, { kind: 'tensor-array' }> & { readonly state: TensorArrayState };

let nextId = 1;

function isHandle(v: Value | undefined): v is TensorArrayHandle {
  return v?.kind === 'tensor-array' && 'state' in v;
}

function handleOf(ctx: KernelContext): TensorArrayHandle {
  const v = ctx.inputs[0];
  if (!isHandle(v)) throw ctx.fail(`input 0 is not a TensorArray handle (got ${v ? v.kind : 'nothing'})`);
  if (v.state.closed) throw ctx.fail(`TensorArray ${v.state.name} has already been closed`);
  return v;
}

/** The flow output: a float scalar that only orders the ops (TensorFlow's is 0 too). */
function flow(): Tensor {
  return tensorFromArray('float', [], [0]);
}

function shapeText(s: readonly number[] | null): string {
  return s === null ? '<unknown>' : `[${s.map((d) => (d < 0 ? '?' : d)).join(',')}]`;
}

function compatible(known: readonly number[] | null, shape: readonly number[]): boolean {
  if (known === null) return true;
  return known.length === shape.length && known.every((d, i) => d < 0 || d === shape[i]);
}

function shapeAttr(ctx: KernelContext, name: string): number[] | null {
  const a = ctx.attr(name);
  if (a?.kind !== 'shape' || a.value.unknownRank) return null;
  return a.value.dims.map(Number);
}

function indexInput(ctx: KernelContext, i: number): number[] {
  return ctx.numbers(i);
}

/** The rows of a tensor along its first dimension, as separate tensors (copies); `lengths` groups rows. */
export function rows(ctx: KernelContext, t: Tensor, lengths?: readonly number[]): Tensor[] {
  if (t.shape.length === 0) throw ctx.fail('the value must have at least one dimension');
  const n = t.shape[0]!;
  const inner = t.shape.slice(1);
  const per = numElements(inner);
  const sizes = lengths ?? Array.from({ length: n }, () => 1);
  const out: Tensor[] = [];
  const b = baseDType(t.dtype);
  let row = 0;
  if (b === 'string') {
    const all = tensorStrings(t);
    for (const len of sizes) {
      out.push({ dtype: 'string', shape: Object.freeze(lengths ? [len, ...inner] : inner), data: { kind: 'strings', values: Object.freeze(all.slice(row * per, (row + len) * per)) } });
      row += len;
    }
    return out;
  }
  const size = dtypeSize(b);
  if (size === undefined) throw ctx.fail(`cannot hold ${b} elements`);
  const bytes = tensorBytes(t);
  for (const len of sizes) {
    // A copy: the input's buffer may be a view into a file or a tfjs read-back.
    const part = bytes.slice(row * per * size, (row + len) * per * size);
    out.push({ dtype: b, shape: Object.freeze(lengths ? [len, ...inner] : inner), data: { kind: 'content', bytes: part } });
    row += len;
  }
  return out;
}

/** Concatenates tensors along a new (stack) or the existing (concat) first dimension. */
export function join(ctx: KernelContext, dtype: DType, parts: readonly Tensor[], shape: readonly number[]): Tensor {
  if (dtype === 'string') {
    return { dtype, shape: Object.freeze([...shape]), data: { kind: 'strings', values: Object.freeze(parts.flatMap((p) => tensorStrings(p))) } };
  }
  const size = dtypeSize(dtype);
  if (size === undefined) throw ctx.fail(`cannot hold ${dtype} elements`);
  const total = numElements(shape) * size;
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    const b = tensorBytes(p);
    bytes.set(b, at);
    at += b.length;
  }
  return { dtype, shape: Object.freeze([...shape]), data: { kind: 'content', bytes } };
}

function write(ctx: KernelContext, h: TensorArrayHandle, index: number, value: Tensor): void {
  const s = h.state;
  const prefix = `TensorArray ${s.name}: could not write to index ${index}`;
  if (baseDType(value.dtype) !== h.dtype) throw ctx.fail(`TensorArray ${s.name} holds ${h.dtype}, but the op writes ${baseDType(value.dtype)}`);
  if (!Number.isInteger(index) || index < 0) throw ctx.fail(`${prefix}: the index is negative`);
  if (index >= h.elements.length) {
    if (!s.dynamicSize) throw ctx.fail(`${prefix}: the array is not resizeable and its size is ${h.elements.length}`);
    while (h.elements.length <= index) {
      h.elements.push(undefined);
      s.written.push(false);
      s.cleared.push(false);
    }
  }
  if (s.cleared[index]) throw ctx.fail(`${prefix}: it has already been read`);
  if (s.written[index]) throw ctx.fail(`${prefix}: it has already been written to`);
  if (!compatible(s.elementShape, value.shape)) {
    throw ctx.fail(`${prefix}: the value shape ${shapeText(value.shape)} is incompatible with the element shape ${shapeText(s.elementShape)}`);
  }
  if (s.identicalElementShapes) s.elementShape = [...value.shape];
  h.elements[index] = { kind: 'host', t: value };
  s.written[index] = true;
}

function read(ctx: KernelContext, h: TensorArrayHandle, index: number): Tensor {
  const s = h.state;
  if (!Number.isInteger(index) || index < 0 || index >= h.elements.length) {
    throw ctx.fail(`TensorArray ${s.name}: tried to read from index ${index} but the array size is ${h.elements.length}`);
  }
  if (!s.written[index]) throw ctx.fail(`TensorArray ${s.name}: could not read from index ${index}, which has not been written to`);
  const e = h.elements[index];
  if (s.cleared[index] || e?.kind !== 'host') {
    throw ctx.fail(`TensorArray ${s.name}: could not read index ${index} twice: it was cleared after a previous read (clear_after_read)`);
  }
  if (s.clearAfterRead) {
    h.elements[index] = undefined;
    s.cleared[index] = true;
  }
  return e.t;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export const TENSOR_ARRAY_KERNELS: Record<string, Kernel> = {
  /** (size) → (handle, flow). */
  TensorArrayV3: (ctx) => {
    const [size] = ctx.numbers(0);
    if (size === undefined || !Number.isInteger(size) || size < 0) throw ctx.fail(`size must be a non-negative integer, got ${size}`);
    const dtype = ctx.attrType('dtype');
    const nameAttr = ctx.attr('tensor_array_name');
    const given = nameAttr?.kind === 's' ? attrText(nameAttr.value) : '';
    const id = nextId++;
    const handle: TensorArrayHandle = {
      kind: 'tensor-array',
      id,
      dtype,
      elements: new Array<Value | undefined>(size).fill(undefined),
      state: {
        name: given || `${ctx.node.name}#${id}`,
        dynamicSize: ctx.attrBool('dynamic_size', false),
        clearAfterRead: ctx.attrBool('clear_after_read', true),
        identicalElementShapes: ctx.attrBool('identical_element_shapes', false),
        elementShape: shapeAttr(ctx, 'element_shape'),
        written: new Array<boolean>(size).fill(false),
        cleared: new Array<boolean>(size).fill(false),
        closed: false,
      },
    };
    return [handle, flow()];
  },
  /** (handle, index, value, flow_in) → flow_out. */
  TensorArrayWriteV3: (ctx) => {
    const h = handleOf(ctx);
    write(ctx, h, indexInput(ctx, 1)[0]!, ctx.host(2));
    return [flow()];
  },
  /** (handle, index, flow_in) → value. */
  TensorArrayReadV3: (ctx) => {
    const h = handleOf(ctx);
    const t = read(ctx, h, indexInput(ctx, 1)[0]!);
    const want = ctx.attrType('dtype', h.dtype);
    if (want !== h.dtype) throw ctx.fail(`TensorArray ${h.state.name} holds ${h.dtype}, but the op reads ${want}`);
    return [t];
  },
  /** (handle, indices, value, flow_in) → flow_out: value[i] goes to indices[i]. */
  TensorArrayScatterV3: (ctx) => {
    const h = handleOf(ctx);
    const indices = indexInput(ctx, 1);
    const value = ctx.host(2);
    if (value.shape.length === 0 || value.shape[0] !== indices.length) {
      throw ctx.fail(`expected len(indices) == values.shape[0], but saw ${indices.length} vs. ${value.shape[0] ?? 'a scalar'}`);
    }
    const parts = rows(ctx, value);
    indices.forEach((index, i) => write(ctx, h, index, parts[i]!));
    return [flow()];
  },
  /** (handle, indices, flow_in) → the elements at indices, stacked. */
  TensorArrayGatherV3: (ctx) => {
    const h = handleOf(ctx);
    const indices = indexInput(ctx, 1);
    const parts = indices.map((i) => read(ctx, h, i));
    if (parts.length === 0) {
      const es = shapeAttr(ctx, 'element_shape') ?? h.state.elementShape;
      if (!es || es.some((d) => d < 0)) throw ctx.fail('gathering no elements needs a fully defined element_shape');
      return [join(ctx, h.dtype, [], [0, ...es])];
    }
    const first = parts[0]!.shape;
    parts.forEach((p, i) => {
      if (!sameShape(p.shape, first)) throw ctx.fail(`TensorArray ${h.state.name} has inconsistent shapes: index ${indices[0]} has shape ${shapeText(first)} but index ${indices[i]} has shape ${shapeText(p.shape)}`);
    });
    return [join(ctx, h.dtype, parts, [parts.length, ...first])];
  },
  /** (handle, value, lengths, flow_in) → flow_out: value split along dim 0 into elements. */
  TensorArraySplitV3: (ctx) => {
    const h = handleOf(ctx);
    const value = ctx.host(1);
    const lengths = ctx.numbers(2);
    if (value.shape.length === 0) throw ctx.fail('the value must have at least one dimension');
    const total = lengths.reduce((s, l) => s + l, 0);
    if (lengths.some((l) => l < 0 || !Number.isInteger(l)) || total !== value.shape[0]) {
      throw ctx.fail(`the lengths [${lengths.join(',')}] must be non-negative and sum to the value's first dimension ${value.shape[0]}`);
    }
    if (!h.state.dynamicSize && lengths.length !== h.elements.length) {
      throw ctx.fail(`TensorArray ${h.state.name} has size ${h.elements.length} but the split makes ${lengths.length} elements`);
    }
    rows(ctx, value, lengths).forEach((p, i) => write(ctx, h, i, p));
    return [flow()];
  },
  /** (handle, flow_in) → (value, lengths): every element concatenated along dim 0. */
  TensorArrayConcatV3: (ctx) => {
    const h = handleOf(ctx);
    const parts = h.elements.map((_, i) => read(ctx, h, i));
    const lengths = parts.map((p) => {
      if (p.shape.length === 0) throw ctx.fail(`TensorArray ${h.state.name}: concat needs elements of rank at least 1`);
      return p.shape[0]!;
    });
    let inner: readonly number[] | undefined;
    if (parts.length > 0) {
      inner = parts[0]!.shape.slice(1);
      for (const p of parts) {
        if (!sameShape(p.shape.slice(1), inner)) throw ctx.fail(`TensorArray ${h.state.name}: concat needs the same shape past the first dimension, got ${shapeText(inner)} and ${shapeText(p.shape.slice(1))}`);
      }
    } else {
      const es = shapeAttr(ctx, 'element_shape_except0');
      if (!es || es.some((d) => d < 0)) throw ctx.fail('concatenating no elements needs a fully defined element_shape_except0');
      inner = es;
    }
    const n = lengths.reduce((s, l) => s + l, 0);
    return [join(ctx, h.dtype, parts, [n, ...inner]), tensorFromArray('int64', [lengths.length], lengths)];
  },
  /** (handle, flow_in) → int32 size. */
  TensorArraySizeV3: (ctx) => [tensorFromArray('int32', [], [handleOf(ctx).elements.length])],
  /** (handle) → nothing; later ops on the array fail, as in TensorFlow. */
  TensorArrayCloseV3: (ctx) => {
    const h = handleOf(ctx);
    h.state.closed = true;
    h.elements.fill(undefined);
    return [];
  },
};

