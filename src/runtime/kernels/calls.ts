/**
 * Function calls and functional control flow: the bodies come from the graph's function library
 * and run with the same executor (so calls nest, and TF2 SavedModels run before freezing).
 * If/While predicates follow TensorFlow: a scalar is true when non-zero, a non-scalar tensor
 * when it has elements.
 */
import { GraftError } from '../../errors';
import type { FuncRef } from '../../ir/attr';
import type { Kernel, KernelContext } from '../kernel';
import { type Value, valueNumbers, valueShape } from '../values';

function func(ctx: KernelContext, name: string): FuncRef {
  const a = ctx.attr(name);
  if (a?.kind !== 'func') throw ctx.fail(`has no function attribute '${name}'`);
  return a.value;
}

function truthy(ctx: KernelContext, v: Value): boolean {
  const shape = valueShape(v);
  if (shape.length > 0) return shape.reduce((p, d) => p * d, 1) > 0;
  return valueNumbers(v, { node: ctx.node.name })[0] !== 0;
}

/** Hands the sub-run's references over to the calling kernel (its outputs are then fresh). */
async function call(ctx: KernelContext, fn: FuncRef, args: readonly Value[]): Promise<Value[]> {
  return ctx.call(fn, args);
}

const partitionedCall: Kernel = (ctx) => call(ctx, func(ctx, 'f'), ctx.inputs);

const ifKernel: Kernel = (ctx) => {
  const branch = truthy(ctx, ctx.inputs[0]!) ? 'then_branch' : 'else_branch';
  return call(ctx, func(ctx, branch), ctx.inputs.slice(1));
};

const whileKernel: Kernel = async (ctx) => {
  const cond = func(ctx, 'cond');
  const body = func(ctx, 'body');
  let vars: Value[] = [...ctx.inputs];
  for (let iter = 0; ; iter++) {
    if (iter >= ctx.limits.maxLoopIterations) {
      throw new GraftError('runtime/loop-limit', `Node '${ctx.node.name}' (${ctx.node.op}): the loop ran more than ${ctx.limits.maxLoopIterations} iterations`, {
        node: ctx.node.name,
        op: ctx.node.op,
        param: 'maxLoopIterations',
        hint: 'A loop whose condition never turns false; raise the limit (maxLoopIterations) only for a model that needs more iterations.',
      });
    }
    const [c] = await call(ctx, cond, vars);
    if (!c) throw ctx.fail(`cond function '${cond.name}' returned nothing`);
    const go = truthy(ctx, c);
    ctx.free(c, vars);
    if (!go) break;
    const next = await call(ctx, body, vars);
    // Values of the previous iteration that the next one does not carry are freed now.
    for (const v of vars) ctx.free(v, next);
    vars = next;
  }
  return vars;
};

export const CALL_KERNELS: Record<string, Kernel> = {
  PartitionedCall: partitionedCall,
  StatefulPartitionedCall: partitionedCall,
  If: ifKernel,
  StatelessIf: ifKernel,
  While: whileKernel,
  StatelessWhile: whileKernel,
};
