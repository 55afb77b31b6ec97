/**
 * Variable writes and the gradient helpers of a training step, with TensorFlow's semantics:
 *
 * - TF1 ref variables: `Assign`, `AssignAdd`, `AssignSub` write through the reference their input
 *   0 carries (a `VariableV2`'s output) and output the reference, now holding the new value;
 *   `ApplyGradientDescent` likewise.
 * - Resource variables: `AssignVariableOp`, `AssignAddVariableOp`, `AssignSubVariableOp`,
 *   `ResourceApplyGradientDescent` write the variable a handle names; they have no outputs.
 * - `BroadcastGradientArgs`: the reduction indices of a broadcast binary op's gradients
 *   (TensorFlow's `BCast`, util/bcast.h, with its fewer-dimensions optimization as the kernel uses it).
 *
 * Writes go to the session (`ctx.assignVariable`): later reads in the session see them, values read
 * before keep theirs, which is what TensorFlow's ordering (control edges) promises.
 */
import type * as tfcore from '@tensorflow/tfjs-core';
import { baseDType } from '../../ir/dtype';
import type { Kernel, KernelContext } from '../kernel';
import { tensorToNumbers } from '../../ir/tensor';
import { type Value, tensorFromArray, valueDType, valueShape, valueToHost } from '../values';

function shapeText(s: readonly number[]): string {
  return `[${s.join(',')}]`;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The key of the ref variable input 0 refers to. */
function refKey(ctx: KernelContext): string {
  const v = ctx.inputs[0];
  if ((v?.kind === 'tensor' || v?.kind === 'host') && v.ref !== undefined) return v.ref;
  throw ctx.fail('input 0 is not a reference to a variable (it must come from a VariableV2)');
}

/** The key of the resource variable input 0's handle names. */
function handleKey(ctx: KernelContext): string {
  const h = ctx.inputs[0];
  if (h?.kind !== 'resource') throw ctx.fail('input 0 is not a resource handle');
  return h.name;
}

function asRef(v: Value, key: string): Value {
  if (v.kind === 'tensor') return { kind: 'tensor', dtype: v.dtype, t: v.t, ref: key };
  if (v.kind === 'host') return { kind: 'host', t: v.t, ref: key };
  return v;
}

function tensorOf(ctx: KernelContext, v: Value, what: string): tfcore.Tensor {
  if (v.kind === 'tensor') return v.t;
  throw ctx.fail(`${what} is a ${v.kind === 'host' ? `${v.t.dtype} tensor graft keeps on the host` : v.kind}; this op needs it as a number tensor`, 'runtime/unsupported-dtype');
}

/** `old + sign * value`, shapes equal, in the variable's dtype. */
function update(ctx: KernelContext, old: Value, value: Value, sign: 1 | -1, message: (a: string, b: string) => string): Value {
  const a = valueShape(old);
  const b = valueShape(value);
  if (!sameShape(a, b)) throw ctx.fail(message(shapeText(a), shapeText(b)));
  const dtype = valueDType(old);
  if (baseDType(valueDType(value)) !== baseDType(dtype)) throw ctx.fail(`the update is ${valueDType(value)}, the variable ${dtype}`);
  const x = tensorOf(ctx, old, 'the variable');
  const y = tensorOf(ctx, value, 'the update');
  return ctx.out(sign > 0 ? ctx.tf.add(x, y) : ctx.tf.sub(x, y), dtype);
}

function assignChecked(ctx: KernelContext, key: string, value: Value): Value {
  const declared = ctx.attr('dtype');
  if (declared?.kind === 'type' && baseDType(declared.value) !== baseDType(valueDType(value))) {
    throw ctx.fail(`Trying to assign variable with wrong dtype. Expected ${baseDType(declared.value)} got ${valueDType(value)}`);
  }
  return ctx.assignVariable(key, value);
}

/** `var - alpha * delta` (training_ops.cc's ApplyGradientDescent), with its checks. */
function gradientDescent(ctx: KernelContext, old: Value): Value {
  const alpha = ctx.inputs[1]!;
  const delta = ctx.inputs[2]!;
  const as = valueShape(alpha);
  // IsLegacyScalar: a scalar, or (legacy) a one-element vector.
  if (!(as.length === 0 || (as.length === 1 && as[0] === 1))) throw ctx.fail(`alpha is not a scalar: ${shapeText(as)}`);
  const vs = valueShape(old);
  const ds = valueShape(delta);
  if (!sameShape(vs, ds)) throw ctx.fail(`var and delta do not have the same shape${shapeText(vs)} ${shapeText(ds)}`);
  const dtype = valueDType(old);
  const { tf } = ctx;
  const lr = tf.reshape(tensorOf(ctx, alpha, 'alpha'), []);
  return ctx.out(tf.sub(tensorOf(ctx, old, 'the variable'), tf.mul(tensorOf(ctx, delta, 'delta'), lr)), dtype);
}

/**
 * TensorFlow's `BCast` reduction indices for two shapes (the fewer-dimensions optimization on, as
 * the BroadcastGradientArgs kernel constructs it). Undefined when the shapes do not broadcast.
 */
export function broadcastGradientArgs(x: readonly number[], y: readonly number[]): [number[], number[]] | undefined {
  // Identical shapes take BCast's fast path: nothing to reduce.
  if (sameShape(x, y)) return [[], []];
  const rank = Math.max(x.length, y.length);
  // 1-extended on the left, as BCast aligns them.
  const padded = [x, y].map((s) => [...new Array<number>(rank - s.length).fill(1), ...s]);
  const grads: [number[], number[]] = [[], []];
  for (let j = 0; j < rank; j++) {
    const a = padded[0]![j]!;
    const b = padded[1]![j]!;
    if (a !== 1 && b !== 1 && a !== b) return undefined;
    // A dimension an input has as 1 (and the other broadcasts, or is 1 too) is summed over in its gradient.
    if (a === 1) grads[0].push(j);
    if (b === 1) grads[1].push(j);
  }
  return grads;
}

/**
 * `BiasAddGrad`: the bias's gradient, the output gradient summed over every dimension but the
 * channel one (the last for NHWC, dimension 1 for NCHW), as `bias_op.cc` computes it.
 */
const biasAddGrad: Kernel = (ctx) => {
  const g = ctx.input(0);
  if (g.rank < 2) throw ctx.fail(`Input tensor must be at least 2D: ${shapeText(g.shape)}`);
  const channel = ctx.attrString('data_format', 'NHWC').startsWith('NC') ? 1 : g.rank - 1;
  const axes = [...Array(g.rank).keys()].filter((a) => a !== channel);
  return [ctx.out(ctx.tf.sum(g, axes), ctx.dtype(0))];
};

/** `ReluGrad`: `gradients` where `features > 0`, else 0 (a NaN gradient at a feature <= 0 gives 0, as in TensorFlow). */
const reluGrad: Kernel = (ctx) => {
  const g = ctx.input(0);
  const f = ctx.input(1);
  if (!sameShape(g.shape, f.shape)) throw ctx.fail(`gradients and features must have the same shape; got ${shapeText(g.shape)} vs ${shapeText(f.shape)}`);
  const { tf } = ctx;
  return [ctx.out(tf.where(tf.greater(f, 0), g, tf.zerosLike(g)), ctx.dtype(0))];
};

// ---------------------------------------------------------------- Adagrad and FTRL updates

/** A resource variable's elements as numbers, with its dtype and shape (float and double only). */
function readSlot(ctx: KernelContext, i: number, what: string): { key: string; shape: number[]; dtype: string; v: number[] } {
  const h = ctx.inputs[i];
  if (h?.kind !== 'resource') throw ctx.fail(`input ${i} (${what}) is not a resource handle`);
  const t = valueToHost(ctx.variable(h.name), { node: ctx.node.name });
  if (t.dtype !== 'float' && t.dtype !== 'double') throw ctx.fail(`${ctx.node.op} of ${t.dtype} is not computed`, 'runtime/unsupported-dtype');
  return { key: h.name, shape: [...t.shape], dtype: t.dtype, v: tensorToNumbers(t) };
}

function scalarInput(ctx: KernelContext, i: number, what: string): number {
  const s = valueShape(ctx.inputs[i]!);
  if (!(s.length === 0 || (s.length === 1 && s[0] === 1))) throw ctx.fail(`${what} is not a scalar: ${shapeText(s)}`);
  return ctx.numbers(i)[0]!;
}

function writeSlot(ctx: KernelContext, slot: { key: string; shape: number[]; dtype: string }, v: number[]): void {
  ctx.assignVariable(slot.key, { kind: 'host', t: tensorFromArray(slot.dtype as 'float', slot.shape, v) });
}

/** `ResourceApplyAdagradV2`: `accum += grad²` (when update_slots), `var -= lr * grad / (sqrt(accum) + epsilon)`. */
const applyAdagradV2: Kernel = (ctx) => {
  const v = readSlot(ctx, 0, 'var');
  const accum = readSlot(ctx, 1, 'accum');
  const lr = scalarInput(ctx, 2, 'lr');
  const eps = scalarInput(ctx, 3, 'epsilon');
  const gradShape = valueShape(ctx.inputs[4]!);
  if (!sameShape(v.shape, accum.shape)) throw ctx.fail(`var and accum do not have the same shape${shapeText(v.shape)} ${shapeText(accum.shape)}`);
  if (!sameShape(v.shape, gradShape)) throw ctx.fail(`var and grad do not have the same shape${shapeText(v.shape)} ${shapeText(gradShape)}`);
  const r = v.dtype === 'float' ? Math.fround : (x: number) => x;
  const g = ctx.numbers(4);
  const update = ctx.attrBool('update_slots', true);
  const a = accum.v.map((x, i) => (update ? r(x + r(g[i]! * g[i]!)) : x));
  const out = v.v.map((x, i) => r(x - r(r(g[i]! * r(lr)) / r(r(Math.sqrt(a[i]!)) + r(eps)))));
  writeSlot(ctx, accum, a);
  writeSlot(ctx, v, out);
  return [];
};

/** One FTRL-Proximal step on elements (training_ops.cc's ApplyFtrl, multiply_linear_by_lr false). */
function ftrlStep(r: (x: number) => number, p: { lr: number; l1: number; l2: number; lrPower: number }, x: number, acc: number, lin: number, g: number): [number, number, number] {
  const newAccum = r(acc + r(g * g));
  const powNew = p.lrPower === -0.5 ? r(Math.sqrt(newAccum)) : r(Math.pow(newAccum, -p.lrPower));
  const powOld = p.lrPower === -0.5 ? r(Math.sqrt(acc)) : r(Math.pow(acc, -p.lrPower));
  const linear = r(lin + r(g - r(r(r(powNew - powOld) / p.lr) * x)));
  const quadratic = r(r(powNew / p.lr) + r(2 * p.l2));
  const pre = r(r(Math.sign(linear) * p.l1 - linear) / quadratic);
  return [Math.abs(linear) > p.l1 ? pre : 0, newAccum, linear];
}

function ftrlParams(ctx: KernelContext, first: number): { lr: number; l1: number; l2: number; lrPower: number } {
  if (ctx.attrBool('multiply_linear_by_lr', false)) throw ctx.fail('FTRL with multiply_linear_by_lr is not computed', 'runtime/unsupported-op');
  const [lr, l1, l2, lrPower] = ['lr', 'l1', 'l2', 'lr_power'].map((w, k) => scalarInput(ctx, first + k, w)) as [number, number, number, number];
  if (!(lr > 0)) throw ctx.fail(`lr is not a positive scalar: ${lr}`);
  if (!(l1 >= 0)) throw ctx.fail(`l1 regularization strength is not a non-negative scalar: ${l1}`);
  if (!(l2 >= 0)) throw ctx.fail(`l2 regularization strength is not a non-negative scalar: ${l2}`);
  if (!(lrPower <= 0)) throw ctx.fail(`lr_power is not a non-positive scalar: ${lrPower}`);
  return { lr, l1, l2, lrPower };
}

/** `ResourceApplyFtrl`: FTRL-Proximal on the whole variable (var, accum, linear; grad, lr, l1, l2, lr_power). */
const applyFtrl: Kernel = (ctx) => {
  const v = readSlot(ctx, 0, 'var');
  const accum = readSlot(ctx, 1, 'accum');
  const linear = readSlot(ctx, 2, 'linear');
  const gradShape = valueShape(ctx.inputs[3]!);
  for (const [n, s] of [['accum', accum.shape], ['linear', linear.shape], ['grad', gradShape]] as const) {
    if (!sameShape(v.shape, s)) throw ctx.fail(`var and ${n} do not have the same shape${shapeText(v.shape)} ${shapeText(s)}`);
  }
  const p = ftrlParams(ctx, 4);
  const r = v.dtype === 'float' ? Math.fround : (x: number) => x;
  const g = ctx.numbers(3);
  const out = v.v.map((x, i) => ftrlStep(r, p, x, accum.v[i]!, linear.v[i]!, g[i]!));
  writeSlot(ctx, v, out.map((o) => o[0]));
  writeSlot(ctx, accum, out.map((o) => o[1]));
  writeSlot(ctx, linear, out.map((o) => o[2]));
  return [];
};

/** `ResourceSparseApplyFtrl`: the FTRL step on the rows `indices` names, in order (a repeated row is stepped again). */
const sparseApplyFtrl: Kernel = (ctx) => {
  const v = readSlot(ctx, 0, 'var');
  const accum = readSlot(ctx, 1, 'accum');
  const linear = readSlot(ctx, 2, 'linear');
  for (const [n, s] of [['accum', accum.shape], ['linear', linear.shape]] as const) {
    if (!sameShape(v.shape, s)) throw ctx.fail(`var and ${n} do not have the same shape${shapeText(v.shape)} ${shapeText(s)}`);
  }
  if (v.shape.length < 1) throw ctx.fail('var must be at least 1 dimensional');
  const gradShape = valueShape(ctx.inputs[3]!);
  const indices = ctx.numbers(4);
  if (valueShape(ctx.inputs[4]!).length !== 1) throw ctx.fail('indices must be one-dimensional');
  if (gradShape[0] !== indices.length) throw ctx.fail(`grad must be the same size as indices in the first dimension.`);
  const p = ftrlParams(ctx, 5);
  const r = v.dtype === 'float' ? Math.fround : (x: number) => x;
  const g = ctx.numbers(3);
  const rows = v.shape[0]!;
  const inner = v.v.length / Math.max(rows, 1);
  indices.forEach((row, i) => {
    if (row < 0 || row >= rows) throw ctx.fail(`Index ${row} at offset ${i} in indices is out of range`);
    for (let j = 0; j < inner; j++) {
      const at = row * inner + j;
      const [nv, na, nl] = ftrlStep(r, p, v.v[at]!, accum.v[at]!, linear.v[at]!, g[i * inner + j]!);
      v.v[at] = nv;
      accum.v[at] = na;
      linear.v[at] = nl;
    }
  });
  writeSlot(ctx, v, v.v);
  writeSlot(ctx, accum, accum.v);
  writeSlot(ctx, linear, linear.v);
  return [];
};

export const TRAINING_KERNELS: Record<string, Kernel> = {
  ResourceApplyAdagradV2: applyAdagradV2,
  ResourceApplyFtrl: applyFtrl,
  ResourceSparseApplyFtrl: sparseApplyFtrl,
  BiasAddGrad: biasAddGrad,
  ReluGrad: reluGrad,
  Assign: (ctx) => {
    const key = refKey(ctx);
    const value = ctx.inputs[1]!;
    const old = ctx.inputs[0]!;
    if (ctx.attrBool('validate_shape', true) && !sameShape(valueShape(old), valueShape(value))) {
      throw ctx.fail(`Assign requires shapes of both tensors to match. lhs shape= ${shapeText(valueShape(old))} rhs shape= ${shapeText(valueShape(value))}`);
    }
    return [asRef(ctx.assignVariable(key, value), key)];
  },
  AssignAdd: (ctx) => {
    const key = refKey(ctx);
    const v = update(ctx, ctx.variable(key), ctx.inputs[1]!, 1, (a, b) => `Parameters and update must be the same shape: ${a} vs ${b}`);
    return [asRef(ctx.assignVariable(key, v), key)];
  },
  AssignSub: (ctx) => {
    const key = refKey(ctx);
    const v = update(ctx, ctx.variable(key), ctx.inputs[1]!, -1, (a, b) => `Parameters and update must be the same shape: ${a} vs ${b}`);
    return [asRef(ctx.assignVariable(key, v), key)];
  },
  ApplyGradientDescent: (ctx) => {
    const key = refKey(ctx);
    return [asRef(ctx.assignVariable(key, gradientDescent(ctx, ctx.variable(key))), key)];
  },
  AssignVariableOp: (ctx) => {
    assignChecked(ctx, handleKey(ctx), ctx.inputs[1]!);
    return [];
  },
  AssignAddVariableOp: (ctx) => {
    const key = handleKey(ctx);
    const msg = (a: string, b: string) => `Cannot update variable with shape ${a} using a Tensor with shape ${b}, shapes must be equal.`;
    assignChecked(ctx, key, update(ctx, ctx.variable(key), ctx.inputs[1]!, 1, msg));
    return [];
  },
  AssignSubVariableOp: (ctx) => {
    const key = handleKey(ctx);
    const msg = (a: string, b: string) => `Cannot update variable with shape ${a} using a Tensor with shape ${b}, shapes must be equal.`;
    assignChecked(ctx, key, update(ctx, ctx.variable(key), ctx.inputs[1]!, -1, msg));
    return [];
  },
  ResourceApplyGradientDescent: (ctx) => {
    const key = handleKey(ctx);
    ctx.assignVariable(key, gradientDescent(ctx, ctx.variable(key)));
    return [];
  },
  BroadcastGradientArgs: (ctx) => {
    const shapes = [0, 1].map((i) => {
      const s = valueShape(ctx.inputs[i]!);
      if (s.length !== 1) throw ctx.fail(`In[${i}] must be a vector.[${s.join(',')}]`);
      return ctx.numbers(i);
    });
    const r = broadcastGradientArgs(shapes[0]!, shapes[1]!);
    if (!r) throw ctx.fail(`Incompatible shapes: [${shapes[0]!.join(',')}] vs. [${shapes[1]!.join(',')}]`);
    const dtype = ctx.attrType('T', 'int32');
    return r.map((idx) => tensorFromArray(dtype, [idx.length], dtype === 'int64' ? idx.map(BigInt) : idx));
  },
};
