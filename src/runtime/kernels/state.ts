/**
 * Sources, identities and variables. Const values are converted once per session and kept.
 * Variables are read from the session's `variables` map: `VariableV2`/`Variable` by node name,
 * resource variables by the `VarHandleOp`'s shared_name (the node name when empty).
 */
import { GraftError } from '../../errors';
import { attrText } from '../../ir/attr';
import type { Kernel, KernelContext } from '../kernel';
import { type Value, tensorFromArray } from '../values';

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

export const STATE_KERNELS: Record<string, Kernel> = {
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
  RandomStandardNormal: (ctx) => {
    const seed = ctx.attrInt('seed', 0) || ctx.attrInt('seed2', 0) || undefined;
    return [ctx.tf.randomNormal(ctx.numbers(0), 0, 1, 'float32', seed)];
  },
};
