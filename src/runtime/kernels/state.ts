/**
 * Sources, identities and variables. Const values are converted once per session and kept.
 * Variables are read from the session's `variables` map: `VariableV2`/`Variable` by node name,
 * resource variables by the `VarHandleOp`'s shared_name (the node name when empty).
 */
import { GraftError } from '../../errors';
import { attrText } from '../../ir/attr';
import type { Kernel, KernelContext } from '../kernel';
import { dtypeSize } from '../../ir/dtype';
import { type Tensor, makeStringTensor, numElements, tensorBytes, tensorStrings } from '../../ir/tensor';
import { type Value, tensorFromArray, valueToHost } from '../values';

const identity: Kernel = (ctx) => [ctx.inputs[0]!];

function asRef(v: Value, key: string): Value {
  if (v.kind === 'tensor') return { kind: 'tensor', dtype: v.dtype, t: v.t, ref: key };
  if (v.kind === 'host') return { kind: 'host', t: v.t, ref: key };
  return v;
}

function sharedName(ctx: KernelContext): string {
  const a = ctx.node.attrs.shared_name;
  const s = a?.kind === 's' ? attrText(a.value) : '';
  return s || ctx.node.name;
}

/**
 * `ResourceGather`: rows of a resource variable, `params[indices]` along axis 0 (batch_dims 0),
 * copied as raw element bytes so every dtype is exact; an index outside [0, rows) fails with
 * TensorFlow's message.
 */
const resourceGather: Kernel = (ctx) => {
  const h = ctx.inputs[0];
  if (h?.kind !== 'resource') throw ctx.fail('input 0 is not a resource handle');
  if (ctx.attrInt('batch_dims', 0) !== 0) throw ctx.fail('ResourceGather with batch_dims other than 0 is not computed', 'runtime/unsupported-op');
  const params = valueToHost(ctx.variable(h.name), { node: ctx.node.name });
  if (params.shape.length < 1) throw ctx.fail('params must be at least 1 dimensional');
  const idxT = ctx.host(1);
  const idx = ctx.numbers(1);
  const rows = params.shape[0]!;
  const slice = numElements(params.shape.slice(1));
  idx.forEach((x, i) => {
    if (x < 0 || x >= rows) {
      const pos: number[] = [];
      let rest = i;
      for (let d = idxT.shape.length - 1; d >= 0; d--) {
        pos.unshift(rest % idxT.shape[d]!);
        rest = Math.floor(rest / idxT.shape[d]!);
      }
      throw ctx.fail(`indices[${pos.join(',')}] = ${x} is not in [0, ${rows})`);
    }
  });
  const shape = [...idxT.shape, ...params.shape.slice(1)];
  if (params.dtype === 'string') {
    const src = tensorStrings(params);
    return [makeStringTensor(shape, idx.flatMap((x) => src.slice(x * slice, (x + 1) * slice)))];
  }
  const size = dtypeSize(params.dtype);
  if (size === undefined) throw ctx.fail(`ResourceGather of ${params.dtype} is not computed`, 'runtime/unsupported-dtype');
  const src = tensorBytes(params);
  const row = slice * size;
  const out = new Uint8Array(idx.length * row);
  idx.forEach((x, i) => out.set(src.subarray(x * row, (x + 1) * row), i * row));
  const t: Tensor = { dtype: params.dtype, shape: Object.freeze(shape), data: { kind: 'content', bytes: out } };
  return [t];
};

export const STATE_KERNELS: Record<string, Kernel> = {
  ResourceGather: resourceGather,
  Const: (ctx) => {
    const v = ctx.attr('value');
    if (v?.kind !== 'tensor') throw ctx.fail('has no tensor value');
    return [v.value];
  },
  Placeholder: (ctx) => {
    throw new GraftError('runtime/missing-feed', `Placeholder '${ctx.node.name}' was not fed`, { node: ctx.node.name, op: 'Placeholder' });
  },
  PlaceholderWithDefault: identity,
  Identity: identity,
  RefIdentity: identity,
  Snapshot: identity,
  StopGradient: identity,
  PreventGradient: identity,
  EnsureShape: identity,
  LoopCond: identity,
  IdentityN: (ctx) => [...ctx.inputs],
  NoOp: () => [],
  VarHandleOp: (ctx) => [{ kind: 'resource', name: sharedName(ctx), node: ctx.node.name }],
  ReadVariableOp: (ctx) => {
    const h = ctx.inputs[0];
    if (h?.kind !== 'resource') throw ctx.fail('input 0 is not a resource handle');
    return [ctx.variable(h.name)];
  },
  // A ref variable's output is a reference: the value now, and the key the Assign ops write through.
  VariableV2: (ctx) => [asRef(ctx.variable(ctx.node.name), ctx.node.name)],
  Variable: (ctx) => [asRef(ctx.variable(ctx.node.name), ctx.node.name)],
  DisableCopyOnRead: () => [],
  VarIsInitializedOp: () => [tensorFromArray('bool', [], [1])],
  IsVariableInitialized: () => [tensorFromArray('bool', [], [1])],
  RandomUniform: (ctx) => {
    // Not TensorFlow's random stream: the same distribution, seeded from the node's seeds.
    const seed = ctx.attrInt('seed', 0) || ctx.attrInt('seed2', 0) || undefined;
    return [ctx.tf.randomUniform(ctx.numbers(0), 0, 1, 'float32', seed)];
  },
  TruncatedNormal: (ctx) => {
    // Not TensorFlow's random stream either: a standard normal redrawn outside two standard deviations, as TensorFlow's.
    const seed = ctx.attrInt('seed', 0) || ctx.attrInt('seed2', 0) || undefined;
    return [ctx.tf.truncatedNormal(ctx.numbers(0), 0, 1, 'float32', seed)];
  },
  RandomStandardNormal: (ctx) => {
    const seed = ctx.attrInt('seed', 0) || ctx.attrInt('seed2', 0) || undefined;
    return [ctx.tf.randomNormal(ctx.numbers(0), 0, 1, 'float32', seed)];
  },
};
