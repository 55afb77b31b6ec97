/**
 * Elementwise, reduction and comparison kernels. Integer and float semantics follow TensorFlow:
 * `Div` on integers truncates toward zero (tfjs floors), `FloorDiv`/`FloorMod` floor, `Round`
 * rounds half to even, integer `Mean` truncates. int64, double and uint32/uint64 operands are
 * computed on the host (BigInt / float64), never squeezed into tfjs's int32/float32.
 */
import type * as tfcore from '@tensorflow/tfjs-core';
import { baseDType } from '../../ir/dtype';
import type { Kernel, KernelContext } from '../kernel';
import { HOST_DTYPES, hostBinary, hostCast, hostCompare, hostUnary, type BigFn, type CmpFn, type NumFn } from './host-math';
import { tfjsDType } from '../values';

type T = tfcore.Tensor;

function needsHost(ctx: KernelContext, n: number): boolean {
  for (let i = 0; i < n; i++) {
    const v = ctx.inputs[i];
    if (!v) continue;
    if (v.kind === 'host') return true;
    if (v.kind === 'tensor' && HOST_DTYPES.has(v.dtype)) return true;
  }
  return false;
}

function isIntDType(d: string): boolean {
  return /^u?int/.test(d);
}

const bigFloorDiv: BigFn = (a, b) => {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
};
const bigFloorMod: BigFn = (a, b) => {
  const r = a % b;
  return r !== 0n && (r < 0n) !== (b < 0n) ? r + b : r;
};
const floorMod: NumFn = (a, b) => {
  const r = a % b;
  return r !== 0 && (r < 0) !== (b < 0) ? r + b : r;
};

interface BinarySpec {
  tf: (tf: KernelContext['tf'], a: T, b: T, ctx: KernelContext) => T;
  num?: NumFn;
  big?: BigFn;
}

function binary(spec: BinarySpec): Kernel {
  return (ctx) => {
    if (needsHost(ctx, 2)) {
      const where = `Node '${ctx.node.name}' (${ctx.node.op})`;
      const a = ctx.host(0);
      const b = ctx.host(1);
      const intish = isIntDType(baseDType(a.dtype));
      return [hostBinary(a, b, spec.num && ((x, y) => (intish ? Math.trunc(spec.num!(x, y)) : spec.num!(x, y))), spec.big, where)];
    }
    return [spec.tf(ctx.tf, ctx.input(0), ctx.input(1), ctx)];
  };
}

function compare(f: (tf: KernelContext['tf'], a: T, b: T) => T, cmp: CmpFn): Kernel {
  return (ctx) => {
    if (needsHost(ctx, 2)) return [hostCompare(ctx.host(0), ctx.host(1), cmp, `Node '${ctx.node.name}'`)];
    return [f(ctx.tf, ctx.input(0), ctx.input(1))];
  };
}

function unary(f: (tf: KernelContext['tf'], x: T, ctx: KernelContext) => T, num?: (x: number) => number, big?: (x: bigint) => bigint): Kernel {
  return (ctx) => {
    if (needsHost(ctx, 1)) return [hostUnary(ctx.host(0), num, big, `Node '${ctx.node.name}' (${ctx.node.op})`)];
    return [f(ctx.tf, ctx.input(0), ctx)];
  };
}

/** Integer division truncating toward zero, as TensorFlow's `Div` on integers. */
function truncDiv(tf: KernelContext['tf'], a: T, b: T): T {
  // |a| floordiv |b| with the sign applied: exact for int32 operands.
  const q = tf.floorDiv(tf.abs(a), tf.abs(b));
  const neg = tf.notEqual(tf.less(a, 0), tf.less(b, 0));
  return tf.where(neg, tf.neg(q), q);
}

const ADD_N_GROUP = 256;

const SHIFT_BITS: Readonly<Record<string, number>> = { int8: 8, int16: 16, int32: 32, int64: 64, uint8: 8, uint16: 16, uint32: 32, uint64: 64 };

/**
 * `LeftShift`/`RightShift` (tf.bitwise), with TensorFlow's rules: the shift is clamped to
 * [0, bits - 1]; a left shift is done on the unsigned bits (wrapping); a right shift of a signed
 * type is arithmetic.
 */
function shift(left: boolean): Kernel {
  return (ctx) => {
    const a = ctx.host(0);
    const dt = baseDType(a.dtype);
    const bits = SHIFT_BITS[dt];
    if (bits === undefined) throw ctx.fail(`${ctx.node.op} is defined for integer types, not ${dt}`);
    const signed = dt.startsWith('int');
    const wrap = (x: bigint) => (signed ? BigInt.asIntN(bits, x) : BigInt.asUintN(bits, x));
    const big = (x: bigint, y: bigint): bigint => {
      const yc = y < 0n ? 0n : y > BigInt(bits - 1) ? BigInt(bits - 1) : y;
      return left ? wrap(x << yc) : wrap(x >> yc);
    };
    const where = `Node '${ctx.node.name}' (${ctx.node.op})`;
    return [hostBinary(a, ctx.host(1), (x, y) => Number(big(BigInt(x), BigInt(y))), big, where)];
  };
}

export const MATH_KERNELS: Record<string, Kernel> = {
  LeftShift: shift(true),
  RightShift: shift(false),
  Add: binary({ tf: (tf, a, b) => tf.add(a, b), num: (a, b) => a + b, big: (a, b) => a + b }),
  AddV2: binary({ tf: (tf, a, b) => tf.add(a, b), num: (a, b) => a + b, big: (a, b) => a + b }),
  Sub: binary({ tf: (tf, a, b) => tf.sub(a, b), num: (a, b) => a - b, big: (a, b) => a - b }),
  Mul: binary({ tf: (tf, a, b) => tf.mul(a, b), num: (a, b) => a * b, big: (a, b) => a * b }),
  RealDiv: binary({ tf: (tf, a, b) => tf.div(a, b), num: (a, b) => a / b }),
  Div: binary({
    tf: (tf, a, b) => (a.dtype === 'int32' ? truncDiv(tf, a, b) : tf.div(a, b)),
    num: (a, b) => a / b,
    big: (a, b) => a / b,
  }),
  DivNoNan: binary({ tf: (tf, a, b) => tf.divNoNan(a, b), num: (a, b) => (b === 0 ? 0 : a / b) }),
  FloorDiv: binary({ tf: (tf, a, b) => tf.floorDiv(a, b), num: (a, b) => Math.floor(a / b), big: bigFloorDiv }),
  FloorMod: binary({ tf: (tf, a, b) => tf.mod(a, b), num: floorMod, big: bigFloorMod }),
  Mod: binary({ tf: (tf, a, b) => tf.mod(a, b), num: floorMod, big: bigFloorMod }),
  TruncateDiv: binary({ tf: (tf, a, b) => (a.dtype === 'int32' ? truncDiv(tf, a, b) : tf.div(a, b)), num: (a, b) => Math.trunc(a / b), big: (a, b) => a / b }),
  Maximum: binary({ tf: (tf, a, b) => tf.maximum(a, b), num: Math.max, big: (a, b) => (a > b ? a : b) }),
  Minimum: binary({ tf: (tf, a, b) => tf.minimum(a, b), num: Math.min, big: (a, b) => (a < b ? a : b) }),
  Pow: binary({ tf: (tf, a, b) => tf.pow(a, b), num: Math.pow, big: (a, b) => a ** b }),
  SquaredDifference: binary({ tf: (tf, a, b) => tf.squaredDifference(a, b), num: (a, b) => (a - b) * (a - b), big: (a, b) => (a - b) * (a - b) }),
  Atan2: binary({ tf: (tf, a, b) => tf.atan2(a, b), num: Math.atan2 }),
  Equal: compare((tf, a, b) => tf.equal(a, b), (a, b) => a === b),
  NotEqual: compare((tf, a, b) => tf.notEqual(a, b), (a, b) => a !== b),
  Less: compare((tf, a, b) => tf.less(a, b), (a, b) => a < b),
  LessEqual: compare((tf, a, b) => tf.lessEqual(a, b), (a, b) => a <= b),
  Greater: compare((tf, a, b) => tf.greater(a, b), (a, b) => a > b),
  GreaterEqual: compare((tf, a, b) => tf.greaterEqual(a, b), (a, b) => a >= b),
  LogicalAnd: (ctx) => [ctx.tf.logicalAnd(ctx.input(0), ctx.input(1))],
  LogicalOr: (ctx) => [ctx.tf.logicalOr(ctx.input(0), ctx.input(1))],
  LogicalNot: (ctx) => [ctx.tf.logicalNot(ctx.input(0))],
  Neg: unary((tf, x) => tf.neg(x), (x) => -x, (x) => -x),
  Abs: unary((tf, x) => tf.abs(x), Math.abs, (x) => (x < 0n ? -x : x)),
  Square: unary((tf, x) => tf.square(x), (x) => x * x, (x) => x * x),
  Sign: unary((tf, x) => tf.sign(x), Math.sign, (x) => (x > 0n ? 1n : x < 0n ? -1n : 0n)),
  Exp: unary((tf, x) => tf.exp(x), Math.exp),
  Expm1: unary((tf, x) => tf.expm1(x), Math.expm1),
  Log: unary((tf, x) => tf.log(x), Math.log),
  Log1p: unary((tf, x) => tf.log1p(x), Math.log1p),
  Sqrt: unary((tf, x) => tf.sqrt(x), Math.sqrt),
  // 1 / sqrt(x) as two float32 operations, each rounded (TensorFlow's scalar float kernel,
  // `1.0f / std::sqrt(x)`): tfjs's own rsqrt gives that on wasm but the correctly rounded value on
  // cpu (1 ulp apart on about a quarter of inputs), so folded constants depended on the backend.
  Rsqrt: unary((tf, x) => (x.dtype === 'float32' ? tf.div(1, tf.sqrt(x)) : tf.rsqrt(x)), (x) => 1 / Math.sqrt(x)),
  Reciprocal: unary((tf, x) => tf.reciprocal(x), (x) => 1 / x),
  Inv: unary((tf, x) => tf.reciprocal(x), (x) => 1 / x),
  Floor: unary((tf, x) => tf.floor(x), Math.floor, (x) => x),
  Ceil: unary((tf, x) => tf.ceil(x), Math.ceil, (x) => x),
  Round: unary((tf, x) => tf.round(x), (x) => {
    const r = Math.round(x);
    return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  }, (x) => x),
  Sin: unary((tf, x) => tf.sin(x), Math.sin),
  Cos: unary((tf, x) => tf.cos(x), Math.cos),
  Tan: unary((tf, x) => tf.tan(x), Math.tan),
  Asin: unary((tf, x) => tf.asin(x), Math.asin),
  Acos: unary((tf, x) => tf.acos(x), Math.acos),
  Atan: unary((tf, x) => tf.atan(x), Math.atan),
  Sinh: unary((tf, x) => tf.sinh(x), Math.sinh),
  Cosh: unary((tf, x) => tf.cosh(x), Math.cosh),
  Erf: unary((tf, x) => tf.erf(x)),
  Sigmoid: unary((tf, x) => tf.sigmoid(x), (x) => 1 / (1 + Math.exp(-x))),
  Tanh: unary((tf, x) => tf.tanh(x), Math.tanh),
  Relu: unary((tf, x) => tf.relu(x), (x) => Math.max(0, x), (x) => (x > 0n ? x : 0n)),
  Relu6: unary((tf, x) => tf.relu6(x), (x) => Math.min(6, Math.max(0, x))),
  Elu: unary((tf, x) => tf.elu(x), (x) => (x < 0 ? Math.expm1(x) : x)),
  Selu: unary((tf, x) => tf.selu(x)),
  Softplus: unary((tf, x) => tf.softplus(x), (x) => Math.log1p(Math.exp(x))),
  Softsign: unary((tf, x) => tf.div(x, tf.add(tf.abs(x), 1))),
  LeakyRelu: unary((tf, x, ctx) => tf.leakyRelu(x, ctx.attrFloat('alpha', 0.2))),
  IsNan: unary((tf, x) => tf.isNaN(x)),
  IsInf: unary((tf, x) => tf.isInf(x)),
  IsFinite: unary((tf, x) => tf.isFinite(x)),
  AddN: (ctx) => {
    if (needsHost(ctx, ctx.inputs.length)) {
      let acc = ctx.host(0);
      for (let i = 1; i < ctx.inputs.length; i++) acc = hostBinary(acc, ctx.host(i), (a, b) => a + b, (a, b) => a + b, ctx.node.name);
      return [acc];
    }
    // tfjs's wasm addN passes every input at once; more than a few thousand overflow its stack.
    // Sum in groups instead: the same additions, left to right within each group.
    const { tf } = ctx;
    let terms = ctx.inputs.map((_, i) => ctx.input(i));
    while (terms.length > ADD_N_GROUP) {
      const next = [];
      for (let i = 0; i < terms.length; i += ADD_N_GROUP) {
        const group = terms.slice(i, i + ADD_N_GROUP);
        next.push(group.length === 1 ? group[0]! : tf.addN(group));
      }
      terms = next;
    }
    return [terms.length === 1 ? tf.clone(terms[0]!) : tf.addN(terms)];
  },
  ClipByValue: (ctx) => [ctx.tf.minimum(ctx.tf.maximum(ctx.input(0), ctx.input(1)), ctx.input(2))],
  Cast: (ctx) => {
    const to = ctx.attrType('DstT');
    const from = ctx.dtype(0);
    const v = ctx.inputs[0]!;
    if (HOST_DTYPES.has(to) || HOST_DTYPES.has(from) || v.kind === 'host' || !tfjsDType(to)) {
      return [hostCast(ctx.host(0), to, `Node '${ctx.node.name}' (Cast)`)];
    }
    const target = tfjsDType(to)!;
    const x = ctx.input(0);
    if (target === 'string' || x.dtype === 'string') throw ctx.fail('string casts are not supported', 'runtime/unsupported-dtype');
    return [ctx.out(ctx.tf.cast(x, target), to)];
  },
  // Reductions: axes from input 1, keep_dims attr.
  Sum: reduce((tf, x, ax, k) => tf.sum(x, ax, k)),
  Prod: reduce((tf, x, ax, k) => tf.prod(x, ax, k)),
  Max: reduce((tf, x, ax, k) => tf.max(x, ax, k)),
  Min: reduce((tf, x, ax, k) => tf.min(x, ax, k)),
  Mean: reduce((tf, x, ax, k) => (x.dtype === 'int32' ? tf.cast(tf.mean(x, ax, k), 'int32') : tf.mean(x, ax, k))),
  All: reduce((tf, x, ax, k) => tf.all(x, ax, k)),
  Any: reduce((tf, x, ax, k) => tf.any(x, ax, k)),
  EuclideanNorm: reduce((tf, x, ax, k) => tf.sqrt(tf.sum(tf.square(x), ax, k))),
  ArgMax: (ctx) => [ctx.out(ctx.tf.argMax(ctx.input(0), ctx.numbers(1)[0] ?? 0), ctx.attrType('output_type', 'int64'))],
  ArgMin: (ctx) => [ctx.out(ctx.tf.argMin(ctx.input(0), ctx.numbers(1)[0] ?? 0), ctx.attrType('output_type', 'int64'))],
  Cumsum: (ctx) => [ctx.tf.cumsum(ctx.input(0), ctx.numbers(1)[0] ?? 0, ctx.attrBool('exclusive', false), ctx.attrBool('reverse', false))],
};

function reduce(f: (tf: KernelContext['tf'], x: T, axes: number[], keep: boolean) => T): Kernel {
  return (ctx) => {
    const dt = ctx.dtype(0);
    if (HOST_DTYPES.has(dt) && ['Sum', 'Prod', 'Mean'].includes(ctx.node.op)) {
      throw ctx.fail(`${ctx.node.op} of ${dt} is not computed (tfjs has no ${dt}; graft does not round)`, 'runtime/unsupported-dtype');
    }
    const x = ctx.input(0);
    const rank = x.rank;
    const axes = [...new Set(ctx.numbers(1).map((a) => (a < 0 ? a + rank : a)))];
    const keep = ctx.attrBool('keep_dims', false);
    if (axes.length === 0) return [ctx.tf.clone(x)];
    if (x.size === 0) return [emptyReduction(ctx, x, axes, keep)];
    return [f(ctx.tf, x, axes, keep)];
  };
}

/**
 * A reduction over no elements gives the reduction's identity, as Eigen's reducers start from it
 * (Sum 0, Prod 1, Max lowest, Min highest, All true, Any false, Mean 0/0); tfjs's kernels leave
 * such outputs unset (the wasm backend returns whatever the memory held).
 */
function emptyReduction(ctx: KernelContext, x: T, axes: number[], keep: boolean): T {
  const shape = x.shape.flatMap((d, i) => (axes.includes(i) ? (keep ? [1] : []) : [d]));
  const int = x.dtype === 'int32';
  const lowest = int ? -(2 ** 31) : -Infinity;
  const highest = int ? 2 ** 31 - 1 : Infinity;
  const op = ctx.node.op;
  const value = op === 'Prod' ? 1 : op === 'Max' ? lowest : op === 'Min' ? highest : op === 'Mean' ? (int ? 0 : NaN) : op === 'All' ? 1 : 0;
  if (x.dtype === 'bool' || op === 'All' || op === 'Any') return ctx.tf.fill(shape, value !== 0 ? 1 : 0, 'bool');
  return ctx.tf.fill(shape, value, int ? 'int32' : 'float32');
}
