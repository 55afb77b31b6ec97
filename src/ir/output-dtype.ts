/**
 * The dtype of a node's output, from its attributes (`T`, `dtype`, `out_type`, `DstT`, ...).
 *
 * graft has no full op registry: ops whose attributes do not name the output type give
 * `invalid`; shape inference (`shape-inference.ts`) then falls back to the input's type.
 */
import type { DType } from './dtype';
import type { Node } from './node';
import { checkNodeShallow } from './check';
import { attrKeys } from './encoded-attrs';
import { badArgument } from '../errors';

function typeAttr(node: Node, name: string, keys?: readonly string[]): DType | undefined {
  if (keys && !keys.includes(name)) return undefined;
  const a = node.attrs[name];
  return a?.kind === 'type' ? a.value : undefined;
}

function typeListAttr(node: Node, name: string, port: number, keys?: readonly string[]): DType | undefined {
  if (keys && !keys.includes(name)) return undefined;
  const a = node.attrs[name];
  return a?.kind === 'list' ? a.value.type?.[port] : undefined;
}

// Ops whose `T` names an input type while the output has another.
const BOOL_OUT = new Set(['Equal', 'NotEqual', 'Less', 'LessEqual', 'Greater', 'GreaterEqual', 'IsNan', 'IsInf', 'IsFinite', 'ApproximateEqual', 'LogicalAnd', 'LogicalOr', 'LogicalNot', 'InTopK', 'InTopKV2']);
const FIXED_OUT: Record<string, DType> = { AsString: 'string', EncodeBase64: 'string', DecodeBase64: 'string', Bucketize: 'int32', Rank: 'int32', StringLength: 'int32' };
// Ops with several outputs whose later outputs have a fixed type (or the `U`/`out_idx` attr).
const LATER_OUTPUTS: Record<string, (node: Node, port: number) => DType | undefined> = {
  TopKV2: () => 'int32',
  TopK: () => 'int32',
  Unique: (n) => typeAttr(n, 'out_idx') ?? 'int32',
  UniqueV2: (n) => typeAttr(n, 'out_idx') ?? 'int32',
  Merge: () => 'int32',
  FusedBatchNorm: (n) => typeAttr(n, 'T'),
  FusedBatchNormV2: (n) => typeAttr(n, 'U'),
  FusedBatchNormV3: (n) => typeAttr(n, 'U'),
  MaxPoolWithArgmax: (n) => typeAttr(n, 'Targmax') ?? 'int64',
  QuantizeV2: () => 'float',
  QuantizedConv2D: () => 'float',
  QuantizedMatMul: () => 'float',
  QuantizedBiasAdd: () => 'float',
  QuantizedRelu: () => 'float',
  QuantizedReshape: () => 'float',
  QuantizedMaxPool: () => 'float',
  QuantizedAvgPool: () => 'float',
  Requantize: () => 'float',
  RequantizationRange: () => 'float',
};

/**
 * The dtype of output `port` of `node`, from its attributes, or `invalid` when the attributes do
 * not tell (graft has no full op registry; such a tensor should be named with care).
 */
export function outputDType(node: Node, port: number): DType {
  checkNodeShallow('outputDType', 'node', node);
  if (!Number.isInteger(port) || port < 0) throw badArgument('outputDType', 'port', 'a non-negative integer', port);
  const op = node.op;
  if (port > 0) {
    const later = LATER_OUTPUTS[op];
    if (later) return later(node, port) ?? 'invalid';
    const listed = typeListAttr(node, 'T', port) ?? typeListAttr(node, 'Tout', port) ?? typeListAttr(node, 'output_types', port) ?? typeListAttr(node, 'dtypes', port);
    if (listed) return listed;
    // Split, Unpack, Switch...: every output has the single type.
    const single = typeAttr(node, 'T') ?? typeAttr(node, 'dtype');
    return single ?? 'invalid';
  }
  if (BOOL_OUT.has(op)) return 'bool';
  if (FIXED_OUT[op]) return FIXED_OUT[op]!;
  // Only the keys the node has are read (a loaded node lists them without decoding).
  const keys = attrKeys(node);
  const specific =
    typeAttr(node, 'output_type', keys) ?? // ArgMax, ArgMin
    typeAttr(node, 'out_type', keys) ?? // Shape, Size, StringToNumber, DecodeRaw
    typeAttr(node, 'DstT', keys) ?? // Cast
    typeAttr(node, 'Toutput', keys) ?? // quantized ops
    typeAttr(node, 'out_T', keys) ?? // QuantizeV2-style
    typeAttr(node, 'dtype', keys) ?? // Placeholder, Const, variables, random ops
    typeAttr(node, 'T', keys) ??
    typeListAttr(node, 'T', 0, keys) ??
    typeListAttr(node, 'Tout', 0, keys) ??
    typeListAttr(node, 'output_types', 0, keys) ??
    typeListAttr(node, 'dtypes', 0, keys);
  return specific ?? 'invalid';
}
