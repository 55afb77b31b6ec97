/**
 * How large a node's outputs will be, from its inputs' shapes (and, for ops whose output shape is
 * an input value, such as `Fill` or `Tile`, from those values), computed before the kernel runs.
 * `fold_constants` uses it to skip a node whose output would exceed its budget, and the runtime to
 * refuse a tensor over its size limit, without allocating it first.
 *
 * An estimate, not shape inference: an upper bound where the exact shape needs more than the
 * inputs' shapes (a `StridedSlice` is bounded by its input), and `undefined` for ops it does not
 * know (callers then judge by the size of the inputs).
 */
import type { AttrValue } from './attr';
import { type DType, baseDType, dtypeSize } from './dtype';
import type { Node } from './node';
import { attrWithDefault } from './op-facts';

/** What the estimate needs of one input. */
export interface InputInfo {
  /** Dimensions, or null when unknown. */
  readonly shape: readonly number[] | null;
  readonly dtype?: DType;
  /** The input's elements as numbers, for inputs that give shapes, multiples or sizes. */
  readonly values?: () => readonly number[] | undefined;
}

const SAME_AS_FIRST = new Set([
  'Identity', 'Snapshot', 'StopGradient', 'PreventGradient', 'CheckNumerics', 'Neg', 'Abs', 'Relu', 'Relu6', 'Elu', 'Selu',
  'Sigmoid', 'Tanh', 'Exp', 'Expm1', 'Log', 'Log1p', 'Sqrt', 'Rsqrt', 'Square', 'Sin', 'Cos', 'Tan', 'Asin', 'Acos', 'Atan',
  'Sinh', 'Cosh', 'Asinh', 'Acosh', 'Atanh', 'Floor', 'Ceil', 'Round', 'Rint', 'Sign', 'Reciprocal', 'Inv', 'Softmax', 'LogSoftmax',
  'Cast', 'ZerosLike', 'OnesLike', 'LeakyRelu', 'Softplus', 'Softsign', 'Erf', 'Erfc', 'IsNan', 'IsInf', 'IsFinite', 'LogicalNot',
  'Invert', 'Transpose', 'ConjugateTranspose', 'Reshape', 'Squeeze', 'ExpandDims', 'Cumsum', 'Cumprod', 'Reverse', 'ReverseV2',
  'FakeQuantWithMinMaxVars', 'FakeQuantWithMinMaxArgs', 'FakeQuantWithMinMaxVarsPerChannel', 'BiasAdd', 'BiasAddV1', 'L2Loss',
  'DepthToSpace', 'SpaceToDepth', 'MatrixBandPart', 'LRN', 'Dequantize', 'QuantizeV2', 'Bitcast', 'EnsureShape', 'Real', 'Imag',
  'Conj', 'Angle', 'ComplexAbs', 'Digamma', 'Lgamma', 'TensorScatterUpdate', 'TensorScatterAdd', 'ScatterNdNonAliasingAdd',
  'Roll', 'ClipByValue', 'PlaceholderWithDefault', 'Relu6Grad', 'ReluGrad', 'FusedBatchNorm', 'FusedBatchNormV2', 'FusedBatchNormV3',
  'Requantize', 'QuantizedRelu', 'QuantizedRelu6', 'QuantizedBiasAdd', 'MirrorPadGrad',
]);

/** Ops whose output is at most as large as their first input. */
const AT_MOST_FIRST = new Set([
  'Sum', 'Mean', 'Max', 'Min', 'Prod', 'All', 'Any', 'ArgMax', 'ArgMin', 'EuclideanNorm', 'Slice', 'StridedSlice', 'SplitV', 'Unpack', 'MaxPool', 'AvgPool', 'MaxPoolV2', 'MaxPool3D', 'AvgPool3D', 'TopKV2', 'Unique', 'Shape', 'Size', 'Rank',
  'ShapeN', 'SegmentSum', 'SegmentMean', 'SegmentMax', 'SegmentMin', 'SegmentProd', 'DynamicPartition', 'BroadcastArgs',
  'BroadcastGradientArgs', 'NonMaxSuppressionV3', 'NonMaxSuppressionV4', 'NonMaxSuppressionV5', 'MatrixDiagPart', 'MatrixDiagPartV3',
]);

const REDUCTIONS = new Set(['Sum', 'Mean', 'Max', 'Min', 'Prod', 'All', 'Any', 'ArgMax', 'ArgMin', 'EuclideanNorm']);

const BROADCAST_OPS = new Set([
  'Add', 'AddV2', 'Sub', 'Mul', 'Div', 'RealDiv', 'FloorDiv', 'FloorMod', 'Mod', 'TruncateDiv', 'TruncateMod', 'Maximum', 'Minimum',
  'Pow', 'SquaredDifference', 'Less', 'LessEqual', 'Greater', 'GreaterEqual', 'Equal', 'NotEqual', 'LogicalAnd', 'LogicalOr',
  'Atan2', 'DivNoNan', 'MulNoNan', 'Xdivy', 'Xlogy', 'BitwiseAnd', 'BitwiseOr', 'BitwiseXor', 'LeftShift', 'RightShift',
  'Select', 'SelectV2', 'AddN', 'ApproximateEqual', 'Igamma', 'Igammac', 'Zeta', 'Polygamma', 'NextAfter', 'Complex',
]);

const RESIZE_OPS = new Set(['ResizeNearestNeighbor', 'ResizeBilinear', 'ResizeBicubic', 'ResizeArea', 'QuantizedResizeBilinear']);

/** The element count of a shape (unknown dims give NaN). */
function count(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d < 0 ? NaN : d;
  return n;
}

/** numpy broadcasting of several shapes (undefined when a shape is unknown). */
function broadcast(shapes: readonly (readonly number[] | null)[]): number[] | undefined {
  let rank = 0;
  for (const s of shapes) {
    if (!s) return undefined;
    rank = Math.max(rank, s.length);
  }
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s!.length; i++) {
      const j = rank - s!.length + i;
      const d = s![i]!;
      // A 0 wins over 1 and matches nothing else; the largest of the rest is the bound.
      out[j] = out[j] === 1 ? d : d === 1 ? out[j]! : Math.max(out[j]!, d);
    }
  }
  return out;
}

function bool(node: Node, name: string): boolean {
  const a = attrWithDefault(node, name);
  return a?.kind === 'b' && a.value;
}

function int(a: AttrValue | undefined): number | undefined {
  return a?.kind === 'i' ? Number(a.value) : undefined;
}

/**
 * The total number of elements of `node`'s outputs, from its inputs (data inputs only, in order),
 * or undefined when the op is unknown here or an input it needs is unknown. NaN never comes out:
 * an unknown dimension makes the estimate undefined.
 */
export function estimateOutputElements(node: Node, inputs: readonly InputInfo[]): number | undefined {
  const n = estimate(node, inputs);
  return n === undefined || Number.isNaN(n) ? undefined : Math.max(0, n);
}

/** The bytes of `node`'s outputs (see {@link estimateOutputElements}), or undefined. */
export function estimateOutputBytes(node: Node, inputs: readonly InputInfo[]): number | undefined {
  const n = estimateOutputElements(node, inputs);
  if (n === undefined) return undefined;
  return n * outputElementSize(node, inputs);
}

/** Bytes per element of the node's output: its type attribute's, else its first input's, else 4. */
export function outputElementSize(node: Node, inputs: readonly InputInfo[]): number {
  for (const name of ['DstT', 'out_type', 'dtype', 'T', 'output_type', 'Tout', 'TI']) {
    const a = node.attrs[name];
    if (a?.kind === 'type') {
      const b = baseDType(a.value);
      return b === 'string' ? 8 : (dtypeSize(b) ?? 4);
    }
  }
  const d = inputs[0]?.dtype;
  const b = d ? baseDType(d) : undefined;
  return b === undefined || b === 'string' ? 8 : (dtypeSize(b) ?? 4);
}

function estimate(node: Node, inputs: readonly InputInfo[]): number | undefined {
  const shape = (i: number) => inputs[i]?.shape ?? null;
  const values = (i: number) => inputs[i]?.values?.();
  const first = shape(0);
  const op = node.op;
  if (op === 'Const') {
    const v = node.attrs.value;
    return v?.kind === 'tensor' ? count(v.value.shape) : undefined;
  }
  if (REDUCTIONS.has(op) && first) {
    // Exact when the axes are known: the reduced dimensions go (or become 1).
    const axes = values(1);
    if (axes) {
      const reduced = new Set(axes.map((a) => (a < 0 ? a + first.length : a)));
      return count(first.filter((_, i) => !reduced.has(i)));
    }
  }
  if (SAME_AS_FIRST.has(op) || AT_MOST_FIRST.has(op)) {
    if (op === 'ClipByValue') return maybe(broadcast([shape(0), shape(1), shape(2)]));
    return first ? count(first) : undefined;
  }
  if (BROADCAST_OPS.has(op)) return maybe(broadcast(inputs.map((x) => x.shape)));
  switch (op) {
    case 'Split': {
      const s = shape(1);
      return s ? count(s) : undefined;
    }
    case 'MatMul':
    case 'QuantizedMatMul':
    case '_FusedMatMul': {
      const a = shape(0);
      const b = shape(1);
      if (!a || !b || a.length !== 2 || b.length !== 2) return undefined;
      const m = bool(node, 'transpose_a') ? a[1]! : a[0]!;
      const k = bool(node, 'transpose_b') ? b[0]! : b[1]!;
      return m * k;
    }
    case 'BatchMatMul':
    case 'BatchMatMulV2':
    case 'BatchMatMulV3': {
      const a = shape(0);
      const b = shape(1);
      if (!a || !b || a.length < 2 || b.length < 2) return undefined;
      const batch = broadcast([a.slice(0, -2), b.slice(0, -2)]);
      const m = bool(node, 'adj_x') ? a[a.length - 1]! : a[a.length - 2]!;
      const k = bool(node, 'adj_y') ? b[b.length - 2]! : b[b.length - 1]!;
      return batch ? count(batch) * m * k : undefined;
    }
    case 'Concat':
    case 'ConcatV2':
    case 'Pack':
    case 'QuantizedConcat': {
      // The axis is an input of Concat (first) and ConcatV2 (last); every other data input adds up.
      const N = int(node.attrs.N) ?? (op === 'Pack' ? inputs.length : inputs.length - 1);
      const start = op === 'Concat' || op === 'QuantizedConcat' ? 1 : 0;
      let total = 0;
      for (let i = start; i < start + N; i++) {
        const s = shape(i);
        if (!s) return undefined;
        total += count(s);
      }
      return total;
    }
    case 'Tile': {
      const m = values(1);
      if (!first || !m) return undefined;
      return count(first.map((d, i) => d * Math.max(0, m[i] ?? 1)));
    }
    case 'Fill':
    case 'Empty': {
      const dims = values(0);
      return dims ? count(dims) : undefined;
    }
    case 'BroadcastTo': {
      const dims = values(1);
      return dims ? maybe(broadcast([first, dims])) : undefined;
    }
    case 'Range': {
      const [start, limit, delta] = [values(0)?.[0], values(1)?.[0], values(2)?.[0]];
      if (start === undefined || limit === undefined || delta === undefined || delta === 0) return undefined;
      return Math.max(0, Math.ceil((limit - start) / delta));
    }
    case 'LinSpace': {
      const num = values(2)?.[0];
      return num === undefined ? undefined : Math.max(0, num);
    }
    case 'OneHot': {
      const depth = values(1)?.[0];
      return depth === undefined || !first ? undefined : count(first) * Math.max(depth, 0);
    }
    case 'Pad':
    case 'PadV2':
    case 'MirrorPad': {
      const p = values(1);
      if (!p || !first) return undefined;
      return count(first.map((d, i) => d + Math.max(0, p[2 * i] ?? 0) + Math.max(0, p[2 * i + 1] ?? 0)));
    }
    case 'ScatterNd':
      return maybeCount(values(2));
    case 'SparseToDense':
      return maybeCount(values(1));
    case 'UnsortedSegmentSum':
    case 'UnsortedSegmentMax':
    case 'UnsortedSegmentMin':
    case 'UnsortedSegmentProd': {
      const segments = values(2)?.[0];
      const ids = shape(1);
      if (segments === undefined || !first || !ids) return undefined;
      return Math.max(0, segments) * count(first.slice(ids.length));
    }
    case 'Gather':
    case 'GatherV2':
    case 'ResourceGather': {
      const idx = shape(1);
      if (!first || !idx) return undefined;
      let axis = op === 'GatherV2' ? (values(2)?.[0] ?? 0) : 0;
      if (axis < 0) axis += first.length;
      return count(first.slice(0, axis)) * count(idx) * count(first.slice(axis + 1));
    }
    case 'GatherNd': {
      const idx = shape(1);
      if (!first || !idx || idx.length === 0) return undefined;
      const last = idx[idx.length - 1]!;
      return count(idx.slice(0, -1)) * count(first.slice(last));
    }
    case 'Where':
      return first ? count(first) * Math.max(1, first.length) : undefined;
    case 'Diag':
    case 'MatrixDiag': {
      if (!first) return undefined;
      const last = first[first.length - 1] ?? 1;
      return op === 'Diag' ? count(first) * count(first) : count(first) * last;
    }
    case 'Conv2D':
    case 'DepthwiseConv2dNative':
    case 'QuantizedConv2D':
    case '_FusedConv2D':
    case 'Conv3D': {
      // Output positions are at most the input's (strides >= 1); channels become the filter's.
      const f = shape(1);
      if (!first || !f || f.length < 2) return undefined;
      const inC = f[f.length - 2]!;
      const outC = op === 'DepthwiseConv2dNative' ? inC * f[f.length - 1]! : f[f.length - 1]!;
      return inC > 0 ? (count(first) / inC) * outC : 0;
    }
    case 'Conv2DBackpropInput':
      return maybeCount(values(0));
    case 'SpaceToBatchND': {
      const p = values(2);
      if (!first || !p) return undefined;
      return count(first.map((d, i) => (i === 0 ? d : d + Math.max(0, p[2 * (i - 1)] ?? 0) + Math.max(0, p[2 * (i - 1) + 1] ?? 0))));
    }
    case 'BatchToSpaceND':
      return first ? count(first) : undefined;
    default:
      if (RESIZE_OPS.has(op)) {
        const size = values(1);
        if (!first || first.length !== 4 || !size || size.length !== 2) return undefined;
        return first[0]! * Math.max(0, size[0]!) * Math.max(0, size[1]!) * first[3]!;
      }
      return undefined;
  }
}

function maybe(shape: readonly number[] | undefined): number | undefined {
  return shape ? count(shape) : undefined;
}

function maybeCount(dims: readonly number[] | undefined): number | undefined {
  return dims ? count(dims.map((d) => Math.max(0, d))) : undefined;
}
