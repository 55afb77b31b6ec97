/**
 * TensorFlow data types, named as TensorFlow prints them (`float`, `int32`, `half`, ...),
 * with the `DataType` enum numbers of the wire format.
 */
import { GraftError } from '../errors';
import { checkString } from './check';

/** The base (non-reference) types graft knows, in enum order. */
export const BASE_DTYPES = [
  'invalid', 'float', 'double', 'int32', 'uint8', 'int16', 'int8', 'string', 'complex64',
  'int64', 'bool', 'qint8', 'quint8', 'qint32', 'bfloat16', 'qint16', 'quint16', 'uint16',
  'complex128', 'half', 'resource', 'variant', 'uint32', 'uint64', 'float8_e5m2',
  'float8_e4m3fn', 'float8_e4m3fnuz', 'float8_e4m3b11fnuz', 'float8_e5m2fnuz', 'int4', 'uint4',
] as const;

export type BaseDType = (typeof BASE_DTYPES)[number];
/** A reference type (`float_ref`), as TF1 `VariableV2` outputs have. */
export type RefDType = `${Exclude<BaseDType, 'invalid'>}_ref`;
/** An enum value graft does not know, kept so the file survives a round trip. */
export type UnknownDType = `dtype(${number})`;
export type DType = BaseDType | RefDType | UnknownDType;

const REF_OFFSET = 100;
const byName = new Map<string, number>();
BASE_DTYPES.forEach((name, i) => {
  byName.set(name, i);
  if (i > 0) byName.set(`${name}_ref`, i + REF_OFFSET);
});

/** The dtype for a `DataType` enum number. Unknown numbers are kept as `dtype(N)`. */
export function dtypeFromEnum(value: number): DType {
  if (value >= 0 && value < BASE_DTYPES.length) return BASE_DTYPES[value]!;
  if (value > REF_OFFSET && value - REF_OFFSET < BASE_DTYPES.length) return `${BASE_DTYPES[value - REF_OFFSET]!}_ref` as RefDType;
  return `dtype(${value})`;
}

/** The `DataType` enum number of a dtype. */
export function dtypeToEnum(dtype: DType): number {
  const n = byName.get(dtype);
  if (n !== undefined) return n;
  const m = /^dtype\((\d+)\)$/.exec(dtype);
  if (m) return Number(m[1]);
  throw new GraftError('graph/unknown-dtype', `Unknown dtype '${dtype}'`);
}

/** TensorFlow's enum name, `DT_FLOAT` or `DT_FLOAT_REF`, as `saved_model_cli` prints it. */
export function dtypeEnumName(dtype: DType): string {
  checkString('dtypeEnumName', 'dtype', dtype);
  if (dtype.startsWith('dtype(')) return dtype;
  return `DT_${dtype.toUpperCase()}`;
}

const aliases: Record<string, BaseDType> = { float32: 'float', float64: 'double', float16: 'half' };

/** Parses a dtype name as TensorFlow's `DataTypeFromString` does (`float32` and `float16` accepted). */
export function parseDType(name: string): DType | undefined {
  checkString('parseDType', 'name', name);
  const lower = name.trim();
  if (aliases[lower]) return aliases[lower];
  if (lower.endsWith('_ref') && aliases[lower.slice(0, -4)]) return `${aliases[lower.slice(0, -4)]!}_ref` as RefDType;
  if (byName.has(lower) && lower !== 'invalid') return lower as DType;
  if (lower.startsWith('dt_')) return parseDType(lower.slice(3).toLowerCase());
  if (lower.startsWith('DT_')) return parseDType(lower.slice(3).toLowerCase());
  return undefined;
}

/** All names `parseDType` accepts, for error messages. */
export function dtypeNames(): string[] {
  return [...BASE_DTYPES.slice(1), ...Object.keys(aliases)];
}

/** The dtype without its `_ref`. */
export function baseDType(dtype: DType): DType {
  if (typeof dtype !== 'string') checkString('baseDType', 'dtype', dtype);
  return dtype.endsWith('_ref') ? (dtype.slice(0, -4) as DType) : dtype;
}

const SIZES: Partial<Record<BaseDType, number>> = {
  float: 4, double: 8, int32: 4, uint8: 1, int16: 2, int8: 1, complex64: 8, int64: 8, bool: 1,
  qint8: 1, quint8: 1, qint32: 4, bfloat16: 2, qint16: 2, quint16: 2, uint16: 2, complex128: 16,
  half: 2, uint32: 4, uint64: 8, float8_e5m2: 1, float8_e4m3fn: 1, float8_e4m3fnuz: 1,
  float8_e4m3b11fnuz: 1, float8_e5m2fnuz: 1, int4: 1, uint4: 1,
};

/** Bytes per element in `tensor_content`, or undefined for string, resource and variant. */
export function dtypeSize(dtype: DType): number | undefined {
  checkString('dtypeSize', 'dtype', dtype);
  return SIZES[baseDType(dtype) as BaseDType];
}

/** True for the floating-point types (float, double, half, bfloat16 and the float8 kinds). */
export function isFloatDType(dtype: DType): boolean {
  checkString('isFloatDType', 'dtype', dtype);
  const b = baseDType(dtype);
  return b === 'float' || b === 'double' || b === 'half' || b === 'bfloat16' || b.startsWith('float8');
}

/** True for the quantized types (qint8, quint8, qint16, quint16, qint32). */
export function isQuantizedDType(dtype: DType): boolean {
  checkString('isQuantizedDType', 'dtype', dtype);
  return /^q(u?)int/.test(baseDType(dtype));
}
