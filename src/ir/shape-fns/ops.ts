/**
 * Per-op shape functions, after TensorFlow's `SetShapeFn` registrations
 * (`tensorflow/core/ops/*.cc`, `common_shape_fns.cc`).
 *
 * A shape function sees its node's data inputs as facts (dtype, static shape, and where known the
 * value of a small integer tensor, as TensorFlow's `InferenceContext::input_tensor` and
 * `MakeShapeFromShapeTensor` see them) and returns one fact per output. What it cannot tell it
 * leaves unknown: -1 for a dimension, null for the rank. It never invents a dimension.
 *
 * Deliberately not handled: symbolic dimensions (two unknown dims are never known equal), shape
 * errors (an inconsistent graph gives an unknown or relaxed shape, not an error).
 */
import type { AttrValue } from '../attr';
import type { DType } from '../dtype';
import type { Graph } from '../graph';
import type { Node } from '../node';
import { placeholderDims } from '../placeholder';
import { attrWithDefault } from '../op-facts';
import { tensorStrings, tensorToNumbers } from '../tensor';
import { type Dims, broadcastDims, mergeDims, numElementsOf, relaxDims, unknownDims } from './dims';

/** A small integer (or float) tensor's value as far as known; null elements are unknown. */
export interface KnownValue {
  readonly scalar: boolean;
  readonly v: readonly (number | null)[];
}

/** What shape inference knows about one tensor. */
export interface TensorFact {
  readonly dtype: DType;
  readonly shape: Dims;
  /** The value, for small rank-0/1 numeric tensors whose elements are (partly) known. */
  readonly value?: KnownValue;
  /** For resource/variant handles: the dtype and shape of the variable or list element. */
  readonly handle?: { readonly dtype: DType; readonly shape: Dims };
  /** The elements of a small rank-0/1 string constant (RestoreV2 reads its `shape_and_slices`). */
  readonly text?: readonly string[];
}

/** An output as a shape function gives it: the dtype is filled in from the node when absent. */
export interface OutFact {
  readonly dtype?: DType;
  readonly shape: Dims;
  readonly value?: KnownValue;
  readonly handle?: { readonly dtype: DType; readonly shape: Dims };
  readonly text?: readonly string[];
}

export interface ShapeContext {
  readonly node: Node;
  /** Data inputs, in order. */
  readonly inputs: readonly TensorFact[];
  /** The graph (its `versions` decide the legacy Placeholder rule). */
  readonly graph: Pick<Graph, 'versions'>;
  /** Infers a library function's outputs from its inputs; undefined when it cannot. */
  readonly callFunction: (name: string, inputs: readonly TensorFact[]) => readonly TensorFact[] | undefined;
}

export type ShapeFn = (c: ShapeContext) => readonly OutFact[];

const UNKNOWN: OutFact = { shape: null };

// ---------------------------------------------------------------- attribute and value helpers

function attrOf(node: Node, name: string): AttrValue | undefined {
  return node.attrs[name] ?? attrWithDefault(node, name);
}
export function intAttr(node: Node, name: string, def: number): number {
  const a = attrOf(node, name);
  return a?.kind === 'i' ? Number(a.value) : def;
}
export function intsAttr(node: Node, name: string): number[] | undefined {
  const a = attrOf(node, name);
  return a?.kind === 'list' ? (a.value.i ?? []).map(Number) : undefined;
}
function boolAttr(node: Node, name: string, def: boolean): boolean {
  const a = attrOf(node, name);
  return a?.kind === 'b' ? a.value : def;
}
function strAttr(node: Node, name: string, def: string): string {
  const a = attrOf(node, name);
  return a?.kind === 's' && typeof a.value === 'string' ? a.value : def;
}
function shapeAttr(node: Node, name: string): Dims | undefined {
  const a = attrOf(node, name);
  if (a?.kind !== 'shape') return undefined;
  return a.value.unknownRank ? null : a.value.dims.map((d) => (d < 0 ? -1 : d));
}

/** Every element of a value, or undefined when any is unknown. */
export function fullValue(f: TensorFact | undefined): number[] | undefined {
  if (!f?.value || f.value.v.some((x) => x === null)) return undefined;
  return f.value.v as number[];
}
function scalarValue(f: TensorFact | undefined): number | undefined {
  const v = fullValue(f);
  return v && v.length === 1 ? v[0] : undefined;
}

/**
 * A 1-D shape tensor read as a shape (TensorFlow's `MakeShapeFromShapeTensor`): known elements
 * give dims, unknown or negative ones unknown dims; a known length alone gives the rank.
 */
export function shapeFromTensor(f: TensorFact | undefined): Dims {
  if (!f) return null;
  if (f.value && !f.value.scalar) return f.value.v.map((x) => (x === null || x < 0 ? -1 : x));
  if (f.value?.scalar && f.value.v[0] === -1) return null;
  if (f.shape && f.shape.length === 1 && f.shape[0]! >= 0) return unknownDims(f.shape[0]!);
  return null;
}

function rankOf(d: Dims): number {
  return d === null ? -1 : d.length;
}
function canonAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}
function withDim(d: readonly number[], i: number, v: number): number[] {
  const o = [...d];
  o[i] = v;
  return o;
}
function vectorValue(v: readonly (number | null)[]): KnownValue {
  return { scalar: false, v };
}

// ---------------------------------------------------------------- generic shape functions

const sameAsInput0: ShapeFn = (c) => [{ shape: c.inputs[0]?.shape ?? null, value: c.inputs[0]?.value, handle: c.inputs[0]?.handle }];
const unchanged: ShapeFn = (c) => [{ shape: c.inputs[0]?.shape ?? null }];
const scalar: ShapeFn = () => [{ shape: [] }];
const noOutputs: ShapeFn = () => [];

function binaryValue(op: string, a: TensorFact | undefined, b: TensorFact | undefined): KnownValue | undefined {
  if (!a?.value || !b?.value) return undefined;
  const f: Record<string, (x: number, y: number) => number> = {
    Add: (x, y) => x + y,
    AddV2: (x, y) => x + y,
    Sub: (x, y) => x - y,
    Mul: (x, y) => x * y,
    FloorDiv: (x, y) => Math.floor(x / y),
    FloorMod: (x, y) => x - Math.floor(x / y) * y,
    Maximum: Math.max,
    Minimum: Math.min,
  };
  const fn = f[op];
  if (!fn || ![ 'int32', 'int64'].includes(a.dtype)) return undefined;
  const av = a.value.v;
  const bv = b.value.v;
  const n = Math.max(av.length, bv.length);
  if (!(av.length === n || av.length === 1) || !(bv.length === n || bv.length === 1)) return undefined;
  const out: (number | null)[] = [];
  for (let i = 0; i < n; i++) {
    const x = av.length === 1 ? av[0]! : av[i]!;
    const y = bv.length === 1 ? bv[0]! : bv[i]!;
    out.push(x === null || y === null || ((op === 'FloorDiv' || op === 'FloorMod') && y === 0) ? null : fn(x, y));
  }
  return { scalar: a.value.scalar && b.value.scalar, v: out };
}

const broadcastBinary: ShapeFn = (c) => [
  { shape: broadcastDims(c.inputs[0]?.shape ?? null, c.inputs[1]?.shape ?? null), value: binaryValue(c.node.op, c.inputs[0], c.inputs[1]) },
];

/** An op whose output 0 is input 0's shape and whose further outputs are scalars (quantized min/max). */
function sameThenScalars(n: number): ShapeFn {
  return (c) => [{ shape: c.inputs[0]?.shape ?? null }, ...Array.from({ length: n }, () => ({ shape: [] as number[], dtype: 'float' as DType }))];
}

// ---------------------------------------------------------------- math and nn

function matMulDims(a: Dims, b: Dims, ta: boolean, tb: boolean): Dims {
  const m = a && a.length === 2 ? a[ta ? 1 : 0]! : -1;
  const n = b && b.length === 2 ? b[tb ? 0 : 1]! : -1;
  if ((a && a.length !== 2) || (b && b.length !== 2)) return null;
  return [m, n];
}

const matMul: ShapeFn = (c) => [
  { shape: matMulDims(c.inputs[0]?.shape ?? null, c.inputs[1]?.shape ?? null, boolAttr(c.node, 'transpose_a', false), boolAttr(c.node, 'transpose_b', false)) },
];

const batchMatMul: ShapeFn = (c) => {
  const a = c.inputs[0]?.shape ?? null;
  const b = c.inputs[1]?.shape ?? null;
  if (a === null || b === null || a.length < 2 || b.length < 2) return [UNKNOWN];
  const adjX = boolAttr(c.node, 'adj_x', false);
  const adjY = boolAttr(c.node, 'adj_y', false);
  const m = a[a.length - (adjX ? 1 : 2)]!;
  const n = b[b.length - (adjY ? 2 : 1)]!;
  const batchA = a.slice(0, -2);
  const batchB = b.slice(0, -2);
  const batch = c.node.op === 'BatchMatMul' ? mergeDims(batchA, batchB) : broadcastDims(batchA, batchB);
  return [{ shape: batch === null ? null : [...batch, m, n] }];
};

/** Output size of one windowed dimension (`GetWindowedOutputSizeFromDims`). */
function windowed(input: number, k: number, stride: number, dilation: number, padding: string, padBefore = 0, padAfter = 0): number {
  if (input < 0 || k < 0) return -1;
  const eff = (k - 1) * dilation + 1;
  if (padding === 'VALID') return Math.max(0, Math.floor((input - eff + stride) / stride));
  if (padding === 'SAME') return Math.floor((input + stride - 1) / stride);
  if (padding === 'EXPLICIT') return Math.max(0, Math.floor((input + padBefore + padAfter - eff) / stride) + 1);
  return -1;
}

/** NHWC/NCHW positions of (batch, rows, cols, channels). */
function layout(fmt: string): [number, number, number, number] {
  return fmt.startsWith('NC') ? [0, 2, 3, 1] : [0, 1, 2, 3];
}

function conv2d(depthwise: boolean): ShapeFn {
  return (c) => {
    const x = c.inputs[0]?.shape ?? null;
    const w = c.inputs[1]?.shape ?? null;
    const fmt = strAttr(c.node, 'data_format', 'NHWC');
    const [nI, hI, wI, cI] = layout(fmt);
    if ((x && x.length !== 4) || (w && w.length !== 4)) return [UNKNOWN];
    const strides = intsAttr(c.node, 'strides') ?? [1, 1, 1, 1];
    const dil = intsAttr(c.node, 'dilations') ?? [1, 1, 1, 1];
    const padding = strAttr(c.node, 'padding', 'VALID');
    const ep = intsAttr(c.node, 'explicit_paddings') ?? [];
    const dim = (d: Dims, i: number) => (d ? d[i]! : -1);
    let outC = -1;
    if (depthwise) {
      const inC = dim(x, cI) >= 0 ? dim(x, cI) : dim(w, 2);
      outC = inC >= 0 && dim(w, 3) >= 0 ? inC * dim(w, 3) : -1;
    } else outC = dim(w, 3);
    const rows = windowed(dim(x, hI), dim(w, 0), strides[hI] ?? 1, dil[hI] ?? 1, padding, ep[2 * hI], ep[2 * hI + 1]);
    const cols = windowed(dim(x, wI), dim(w, 1), strides[wI] ?? 1, dil[wI] ?? 1, padding, ep[2 * wI], ep[2 * wI + 1]);
    const out = [0, 0, 0, 0];
    out[nI] = dim(x, nI);
    out[hI] = rows;
    out[wI] = cols;
    out[cI] = outC;
    return [{ shape: out }];
  };
}

function poolDims(x: Dims, ksize: number[] | undefined, strides: number[] | undefined, padding: string, fmt: string): Dims {
  if (x === null || x.length !== 4 || !ksize || !strides || ksize.length !== 4 || strides.length !== 4) return x && x.length === 4 ? unknownDims(4) : null;
  const [nI] = layout(fmt);
  return x.map((d, i) => (i === nI ? d : windowed(d, ksize[i]!, strides[i]!, 1, padding)));
}

const pool: ShapeFn = (c) => [
  { shape: poolDims(c.inputs[0]?.shape ?? null, intsAttr(c.node, 'ksize'), intsAttr(c.node, 'strides'), strAttr(c.node, 'padding', 'VALID'), strAttr(c.node, 'data_format', 'NHWC')) },
];
const poolV2: ShapeFn = (c) => [
  { shape: poolDims(c.inputs[0]?.shape ?? null, fullValue(c.inputs[1]), fullValue(c.inputs[2]), strAttr(c.node, 'padding', 'VALID'), strAttr(c.node, 'data_format', 'NHWC')) },
];

const fusedBatchNorm: ShapeFn = (c) => {
  const x = c.inputs[0]?.shape ?? null;
  const fmt = strAttr(c.node, 'data_format', 'NHWC');
  let ch = -1;
  if (x && x.length >= 2) ch = x[fmt.startsWith('NC') ? 1 : x.length - 1]!;
  for (const i of [1, 2]) {
    const s = c.inputs[i]?.shape;
    if (ch < 0 && s && s.length === 1) ch = s[0]!;
  }
  const vec = { shape: [ch] };
  const out: OutFact[] = [{ shape: x }, vec, vec, vec, vec];
  if (c.node.op === 'FusedBatchNormV3') out.push(UNKNOWN);
  return out;
};

const reduction: ShapeFn = (c) => {
  const x = c.inputs[0]?.shape ?? null;
  const keep = boolAttr(c.node, 'keep_dims', false);
  const axes = fullValue(c.inputs[1]);
  if (x === null) return [UNKNOWN];
  if (!axes) {
    if (keep) return [{ shape: unknownDims(x.length) }];
    return [UNKNOWN];
  }
  const drop = new Set(axes.map((a) => canonAxis(a, x.length)));
  const out: number[] = [];
  x.forEach((d, i) => {
    if (!drop.has(i)) out.push(d);
    else if (keep) out.push(1);
  });
  return [{ shape: out }];
};

const argMinMax: ShapeFn = (c) => {
  const x = c.inputs[0]?.shape ?? null;
  const axis = scalarValue(c.inputs[1]);
  if (x === null) return [UNKNOWN];
  if (x.length === 0) return [{ shape: [] }];
  if (axis === undefined) return [{ shape: unknownDims(x.length - 1) }];
  const a = canonAxis(axis, x.length);
  return [{ shape: x.filter((_, i) => i !== a) }];
};

// ---------------------------------------------------------------- array ops

const shapeOp: ShapeFn = (c) => {
  const x = c.inputs[0]?.shape ?? null;
  if (x === null) return [{ shape: [-1] }];
  return [{ shape: [x.length], value: vectorValue(x.map((d) => (d < 0 ? null : d))) }];
};
const shapeN: ShapeFn = (c) =>
  c.inputs.map((f) => (f.shape === null ? { shape: [-1] } : { shape: [f.shape.length], value: vectorValue(f.shape.map((d) => (d < 0 ? null : d))) }));
const sizeOp: ShapeFn = (c) => {
  const n = numElementsOf(c.inputs[0]?.shape ?? null);
  return [{ shape: [], value: n >= 0 ? { scalar: true, v: [n] } : undefined }];
};
const rankOp: ShapeFn = (c) => {
  const r = rankOf(c.inputs[0]?.shape ?? null);
  return [{ shape: [], value: r >= 0 ? { scalar: true, v: [r] } : undefined }];
};

const reshape: ShapeFn = (c) => {
  const x = c.inputs[0]?.shape ?? null;
  const t = c.inputs[1];
  const full = fullValue(t);
  const inElems = numElementsOf(x);
  if (full && !t!.value!.scalar) {
    const known = full.filter((d) => d >= 0).reduce((a, b) => a * b, 1);
    const out = [...full];
    const idx = out.findIndex((d) => d < 0);
    if (idx >= 0 && inElems >= 0 && known > 0 && out.filter((d) => d < 0).length === 1) out[idx] = inElems / known;
    return [{ shape: out.map((d) => (d < 0 || !Number.isInteger(d) ? -1 : d)), value: c.inputs[0]?.value }];
  }
  const out = shapeFromTensor(t);
  if (out === null) return [UNKNOWN];
  const unknown = out.filter((d) => d < 0).length;
  if (unknown === 1 && inElems >= 0) {
    const known = out.filter((d) => d >= 0).reduce((a, b) => a * b, 1);
    if (known > 0 && inElems % known === 0) return [{ shape: out.map((d) => (d < 0 ? inElems / known : d)) }];
  }
  return [{ shape: out }];
};

function concatDims(shapes: readonly Dims[], axis: number | undefined): Dims {
  const known = shapes.find((s) => s !== null);
  if (known === undefined) return null;
  const rank = known.length;
  if (axis === undefined) return unknownDims(rank);
  const a = canonAxis(axis, rank);
  let out: Dims = unknownDims(rank);
  let sum = 0;
  for (const s of shapes) {
    if (s === null) {
      sum = -1;
      continue;
    }
    if (s.length !== rank) return null;
    out = mergeDims(out, s.map((d, i) => (i === a ? -1 : d)));
    const d = s[a]!;
    sum = sum < 0 || d < 0 ? -1 : sum + d;
  }
  return out === null ? null : withDim(out, a, sum);
}

function concatValues(values: readonly TensorFact[]): KnownValue | undefined {
  if (!values.every((f) => f.value && !f.value.scalar)) return undefined;
  return vectorValue(values.flatMap((f) => f.value!.v));
}

const concat: ShapeFn = (c) => {
  const axisFirst = c.node.op === 'Concat';
  const values = axisFirst ? c.inputs.slice(1) : c.inputs.slice(0, -1);
  const axis = scalarValue(axisFirst ? c.inputs[0] : c.inputs[c.inputs.length - 1]);
  const shape = concatDims(values.map((f) => f.shape), axis);
  return [{ shape, value: shape && shape.length === 1 ? concatValues(values) : undefined }];
};

const quantizedConcat: ShapeFn = (c) => {
  const n = intAttr(c.node, 'N', (c.inputs.length - 1) / 3);
  const values = c.inputs.slice(1, 1 + n);
  return [{ shape: concatDims(values.map((f) => f.shape), scalarValue(c.inputs[0])) }, { shape: [], dtype: 'float' }, { shape: [], dtype: 'float' }];
};

const pack: ShapeFn = (c) => {
  let s: Dims = null;
  let seen = false;
  for (const f of c.inputs) {
    s = seen ? mergeDims(s, f.shape) : f.shape;
    seen = true;
  }
  if (s === null) return [UNKNOWN];
  const axis = canonAxis(intAttr(c.node, 'axis', 0), s.length + 1);
  const out = [...s];
  out.splice(axis, 0, c.inputs.length);
  const value = s.length === 0 && c.inputs.every((f) => f.value || f.shape !== null) ? vectorValue(c.inputs.map((f) => (f.value ? f.value.v[0]! : null))) : undefined;
  return [{ shape: out, value }];
};

const unpack: ShapeFn = (c) => {
  const x = c.inputs[0]?.shape ?? null;
  const num = intAttr(c.node, 'num', 0);
  let shape: Dims = null;
  let values: (number | null)[] | undefined;
  if (x !== null) {
    const axis = canonAxis(intAttr(c.node, 'axis', 0), x.length);
    shape = x.filter((_, i) => i !== axis);
    if (x.length === 1 && c.inputs[0]?.value) values = [...c.inputs[0].value.v];
  }
  return Array.from({ length: num }, (_, i) => ({ shape, value: values && values.length === num ? { scalar: true, v: [values[i]!] } : undefined }));
};

const squeeze: ShapeFn = (c) => {
  const x = c.inputs[0]?.shape ?? null;
  if (x === null) return [UNKNOWN];
  const dims = (intsAttr(c.node, 'squeeze_dims') ?? intsAttr(c.node, 'axis') ?? []).map((a) => canonAxis(a, x.length));
  if (dims.length === 0) {
    if (x.some((d) => d < 0)) return [UNKNOWN];
    return [{ shape: x.filter((d) => d !== 1) }];
  }
  return [{ shape: x.filter((_, i) => !dims.includes(i)) }];
};

const expandDims: ShapeFn = (c) => {
  const x = c.inputs[0]?.shape ?? null;
  const dim = scalarValue(c.inputs[1]);
  if (x === null) return [UNKNOWN];
  if (dim === undefined) return [{ shape: unknownDims(x.length + 1) }];
  const a = canonAxis(dim, x.length + 1);
  const out = [...x];
  out.splice(a, 0, 1);
  const v = c.inputs[0]?.value;
  return [{ shape: out, value: v && v.scalar ? vectorValue(v.v) : undefined }];
};

const transpose: ShapeFn = (c) => {
  const x = c.inputs[0]?.shape ?? null;
  const perm = fullValue(c.inputs[1]);
  const permLen = c.inputs[1]?.shape?.[0] ?? -1;
  const rank = x ? x.length : permLen;
  if (rank < 0) return [UNKNOWN];
  if (!perm || perm.length !== rank) return [{ shape: unknownDims(rank) }];
  return [{ shape: perm.map((p) => (x ? x[canonAxis(p, rank)] ?? -1 : -1)) }];
};

interface SliceDim {
  readonly begin: number;
  readonly end: number;
  readonly stride: number;
  readonly beginMasked: boolean;
  readonly endMasked: boolean;
  readonly shrink: boolean;
}

/** Elements picked from a dimension of size `d` (known), as TensorFlow canonicalizes them. */
function sliceIndices(d: number, s: SliceDim): number[] {
  const st = s.stride;
  const canon = (x: number, masked: boolean, isBegin: boolean): number => {
    if (masked) return st > 0 ? (isBegin ? 0 : d) : isBegin ? d - 1 : -1;
    const y = x < 0 ? x + d : x;
    return st > 0 ? Math.min(Math.max(y, 0), d) : Math.min(Math.max(y, -1), d - 1);
  };
  if (s.shrink) {
    const i = s.begin < 0 ? s.begin + d : s.begin;
    return i >= 0 && i < d ? [i] : [];
  }
  const b = canon(s.begin, s.beginMasked, true);
  const e = canon(s.end, s.endMasked, false);
  const out: number[] = [];
  if (st > 0) for (let i = b; i < e; i += st) out.push(i);
  else for (let i = b; i > e; i += st) out.push(i);
  return out;
}

const stridedSlice: ShapeFn = (c) => {
  const x = c.inputs[0]?.shape ?? null;
  const begin = fullValue(c.inputs[1]);
  const end = fullValue(c.inputs[2]);
  const strides = fullValue(c.inputs[3]);
  if (x === null || !begin || !end || !strides || begin.length !== end.length || begin.length !== strides.length || strides.some((s) => s === 0)) return [UNKNOWN];
  const bit = (name: string, i: number) => ((intAttr(c.node, name, 0) >> i) & 1) === 1;
  const n = begin.length;
  let ellipsisSeen = false;
  for (let i = 0; i < n; i++) if (bit('ellipsis_mask', i)) ellipsisSeen = true;
  // Walk the sparse spec; an implicit ellipsis closes it when there is none.
  type Piece = { kind: 'dims'; from: number; to: number } | { kind: 'new' } | { kind: 'slice'; dim: number; s: SliceDim };
  const pieces: Piece[] = [];
  let full = 0;
  for (let i = 0; i < n; i++) {
    if (bit('ellipsis_mask', i)) {
      let consumedAfter = 0;
      for (let j = i + 1; j < n; j++) if (!bit('new_axis_mask', j) && !bit('ellipsis_mask', j)) consumedAfter++;
      const to = Math.max(full, x.length - consumedAfter);
      pieces.push({ kind: 'dims', from: full, to });
      full = to;
    } else if (bit('new_axis_mask', i)) {
      pieces.push({ kind: 'new' });
    } else {
      if (full >= x.length) return [UNKNOWN];
      pieces.push({ kind: 'slice', dim: full, s: { begin: begin[i]!, end: end[i]!, stride: strides[i]!, beginMasked: bit('begin_mask', i), endMasked: bit('end_mask', i), shrink: bit('shrink_axis_mask', i) } });
      full++;
    }
  }
  if (!ellipsisSeen && full < x.length) pieces.push({ kind: 'dims', from: full, to: x.length });
  const out: number[] = [];
  for (const p of pieces) {
    if (p.kind === 'dims') out.push(...x.slice(p.from, p.to));
    else if (p.kind === 'new') out.push(1);
    else if (!p.s.shrink) out.push(x[p.dim]! < 0 ? -1 : sliceIndices(x[p.dim]!, p.s).length);
  }
  // The value of a slice of a known vector (`tf.shape(x)[1:]`, `tf.shape(x)[0]`).
  let value: KnownValue | undefined;
  const v = c.inputs[0]?.value;
  if (v && !v.scalar && pieces.length === 1 && pieces[0]!.kind === 'slice') {
    const picked = sliceIndices(v.v.length, pieces[0]!.s).map((i) => v.v[i]!);
    value = pieces[0]!.s.shrink ? (picked.length === 1 ? { scalar: true, v: picked } : undefined) : vectorValue(picked);
  }
  return [{ shape: out, value }];
};

const slice: ShapeFn = (c) => {
  const x = c.inputs[0]?.shape ?? null;
  const begin = fullValue(c.inputs[1]);
  const size = fullValue(c.inputs[2]);
  const rank = x ? x.length : (size?.length ?? begin?.length ?? -1);
  if (rank < 0) return [UNKNOWN];
  if (!size || size.length !== rank) return [{ shape: unknownDims(rank) }];
  const out = size.map((s, i) => {
    if (s >= 0) return s;
    const d = x ? x[i]! : -1;
    return d >= 0 && begin ? d - begin[i]! : -1;
  });
  const v = c.inputs[0]?.value;
  const value = v && !v.scalar && begin && rank === 1 && out[0]! >= 0 ? vectorValue(v.v.slice(begin[0]!, begin[0]! + out[0]!)) : undefined;
  return [{ shape: out, value }];
};

const gather: ShapeFn = (c) => {
  const params = c.inputs[0]?.shape ?? null;
  const indices = c.inputs[1]?.shape ?? null;
  const axis = c.node.op === 'GatherV2' ? scalarValue(c.inputs[2]) : 0;
  const batchDims = intAttr(c.node, 'batch_dims', 0);
  if (params === null || indices === null) return [UNKNOWN];
  if (axis === undefined) return [UNKNOWN];
  const a = canonAxis(axis, params.length);
  const bd = batchDims < 0 ? batchDims + indices.length : batchDims;
  const shape = [...params.slice(0, a), ...indices.slice(bd), ...params.slice(a + 1)];
  // Gathering from a known vector (`tf.gather(tf.shape(x), [0, 2])`).
  const v = c.inputs[0]?.value;
  const idx = fullValue(c.inputs[1]);
  const value = v && !v.scalar && idx && a === 0 ? { scalar: indices.length === 0, v: idx.map((i) => v.v[i < 0 ? i + v.v.length : i] ?? null) } : undefined;
  return [{ shape, value }];
};

const gatherNd: ShapeFn = (c) => {
  const params = c.inputs[0]?.shape ?? null;
  const indices = c.inputs[1]?.shape ?? null;
  if (params === null || indices === null || indices.length === 0) return [UNKNOWN];
  const last = indices[indices.length - 1]!;
  if (last < 0) return [UNKNOWN];
  return [{ shape: [...indices.slice(0, -1), ...params.slice(last)] }];
};

const fill: ShapeFn = (c) => [{ shape: shapeFromTensor(c.inputs[0]) }];
/** Fill: its shape, and when it is a short vector or a scalar of a known integer, its value. */
const fillOp: ShapeFn = (c) => {
  const shape = shapeFromTensor(c.inputs[0]);
  const x = scalarValue(c.inputs[1]);
  const ints = x !== undefined && Number.isInteger(x) && ['int32', 'int64'].includes(c.inputs[1]!.dtype);
  const n = numElementsOf(shape);
  const value = ints && shape !== null && shape.length <= 1 && n >= 0 && n <= 4096 ? { scalar: shape.length === 0, v: new Array<number>(n).fill(x) } : undefined;
  return [{ shape, value }];
};

const tile: ShapeFn = (c) => {
  const x = c.inputs[0]?.shape ?? null;
  const m = c.inputs[1];
  const rank = x ? x.length : (m?.shape?.[0] ?? -1);
  if (rank < 0) return [UNKNOWN];
  const mult = m?.value && !m.value.scalar ? m.value.v : undefined;
  return [{ shape: Array.from({ length: rank }, (_, i) => {
    const d = x ? x[i]! : -1;
    const k = mult?.[i];
    return d >= 0 && k !== undefined && k !== null ? d * k : k === 0 ? 0 : -1;
  }) }];
};

const pad: ShapeFn = (c) => {
  const x = c.inputs[0]?.shape ?? null;
  const p = c.inputs[1];
  const rank = x ? x.length : (p?.shape?.[0] ?? -1);
  if (rank < 0) return [UNKNOWN];
  const pv = fullValue(p);
  return [{ shape: Array.from({ length: rank }, (_, i) => {
    const d = x ? x[i]! : -1;
    return d >= 0 && pv && pv.length === 2 * rank ? d + pv[2 * i]! + pv[2 * i + 1]! : -1;
  }) }];
};

const broadcastTo: ShapeFn = (c) => {
  const target = shapeFromTensor(c.inputs[1]);
  const x = c.inputs[0]?.shape ?? null;
  if (target === null) return [UNKNOWN];
  const b = broadcastDims(x, target);
  return [{ shape: b !== null && b.length === target.length ? b.map((d, i) => (target[i]! >= 0 ? target[i]! : d)) : target }];
};

const oneHot: ShapeFn = (c) => {
  const x = c.inputs[0]?.shape ?? null;
  if (x === null) return [UNKNOWN];
  const depth = scalarValue(c.inputs[1]) ?? -1;
  const axis = intAttr(c.node, 'axis', -1);
  const out = [...x];
  out.splice(axis < 0 ? x.length : axis, 0, depth);
  return [{ shape: out, dtype: c.inputs[2]?.dtype }];
};

const range: ShapeFn = (c) => {
  const [s, l, d] = [scalarValue(c.inputs[0]), scalarValue(c.inputs[1]), scalarValue(c.inputs[2])];
  if (s === undefined || l === undefined || d === undefined || d === 0) return [{ shape: [-1] }];
  const n = (l - s) / d < 0 ? 0 : Math.max(0, Math.ceil(Math.abs((l - s) / d)));
  // A short integer range's elements are known (TensorFlow's shape refiner evaluates it).
  const ints = [s, l, d].every(Number.isInteger) && ['int32', 'int64'].includes(c.inputs[0]!.dtype);
  return [{ shape: [n], value: ints && n <= 4096 ? vectorValue(Array.from({ length: n }, (_, i) => s + i * d)) : undefined }];
};

const split: ShapeFn = (c) => {
  const num = intAttr(c.node, 'num_split', 1);
  const x = c.inputs[1]?.shape ?? null;
  const axis = scalarValue(c.inputs[0]);
  if (x === null) return Array.from({ length: num }, () => UNKNOWN);
  if (axis === undefined) return Array.from({ length: num }, () => ({ shape: unknownDims(x.length) }));
  const a = canonAxis(axis, x.length);
  const d = x[a]!;
  return Array.from({ length: num }, () => ({ shape: withDim(x, a, d >= 0 && d % num === 0 ? d / num : -1) }));
};

const splitV: ShapeFn = (c) => {
  const num = intAttr(c.node, 'num_split', 1);
  const x = c.inputs[0]?.shape ?? null;
  const sizes = fullValue(c.inputs[1]);
  const axis = scalarValue(c.inputs[2]);
  if (x === null) return Array.from({ length: num }, () => UNKNOWN);
  if (axis === undefined || !sizes || sizes.length !== num) return Array.from({ length: num }, () => ({ shape: unknownDims(x.length) }));
  const a = canonAxis(axis, x.length);
  const known = sizes.filter((s) => s >= 0).reduce((p, q) => p + q, 0);
  return sizes.map((s) => ({ shape: withDim(x, a, s >= 0 ? s : x[a]! >= 0 ? x[a]! - known : -1) }));
};

const resize: ShapeFn = (c) => {
  const x = c.inputs[0]?.shape ?? null;
  const size = c.inputs[1]?.value?.v;
  if (x && x.length !== 4) return [UNKNOWN];
  const out = [x ? x[0]! : -1, size?.[0] ?? -1, size?.[1] ?? -1, x ? x[3]! : -1];
  const more: OutFact[] = c.node.op === 'QuantizedResizeBilinear' ? [{ shape: [], dtype: 'float' }, { shape: [], dtype: 'float' }] : [];
  return [{ shape: out }, ...more];
};

const where: ShapeFn = (c) => {
  const x = c.inputs[0]?.shape ?? null;
  return [{ shape: [-1, x ? x.length : -1], dtype: 'int64' }];
};

const select: ShapeFn = (c) => [{ shape: mergeDims(c.inputs[1]?.shape ?? null, c.inputs[2]?.shape ?? null) }];
const selectV2: ShapeFn = (c) => [{ shape: broadcastDims(c.inputs[0]?.shape ?? null, broadcastDims(c.inputs[1]?.shape ?? null, c.inputs[2]?.shape ?? null)) }];

const addN: ShapeFn = (c) => {
  let s: Dims = null;
  c.inputs.forEach((f, i) => (s = i === 0 ? f.shape : mergeDims(s, f.shape)));
  return [{ shape: s }];
};

const einsum: ShapeFn = (c) => {
  const eq = strAttr(c.node, 'equation', '').replace(/\s/g, '');
  const [lhs, out] = eq.split('->');
  if (out === undefined || eq.includes('.')) return [UNKNOWN];
  const terms = lhs!.split(',');
  if (terms.length !== c.inputs.length) return [UNKNOWN];
  const size = new Map<string, number>();
  terms.forEach((t, k) => {
    const s = c.inputs[k]!.shape;
    if (s === null || s.length !== t.length) return;
    [...t].forEach((ch, i) => {
      const d = s[i]!;
      const prev = size.get(ch);
      if (prev === undefined || prev < 0 || prev === 1) size.set(ch, d === 1 && prev !== undefined && prev !== 1 ? prev : d);
    });
  });
  return [{ shape: [...out].map((ch) => size.get(ch) ?? -1) }];
};

// ---------------------------------------------------------------- graph structure and state

const placeholder: ShapeFn = (c) => [{ shape: placeholderDims(c.node, c.graph) }];

const constOp: ShapeFn = (c) => {
  const a = c.node.attrs.value;
  if (a?.kind !== 'tensor') return [UNKNOWN];
  const t = a.value;
  const shape = [...t.shape];
  let value: KnownValue | undefined;
  if (shape.length <= 1 && numElementsOf(shape) <= 4096 && ['int32', 'int64', 'int16', 'int8', 'uint8', 'float', 'double'].includes(t.dtype)) {
    try {
      value = { scalar: shape.length === 0, v: tensorToNumbers(t) };
    } catch {
      value = undefined; // a malformed constant has no usable value
    }
  }
  if (t.dtype === 'string' && shape.length <= 1 && numElementsOf(shape) <= 4096) {
    try {
      const decoder = new TextDecoder();
      return [{ shape, text: tensorStrings(t).map((b) => decoder.decode(b)) }];
    } catch {
      return [{ shape }]; // a malformed constant has no usable text
    }
  }
  return [{ shape, value }];
};

const variable: ShapeFn = (c) => [{ shape: shapeAttr(c.node, 'shape') ?? null }];

const varHandle: ShapeFn = (c) => {
  const dt = attrOf(c.node, 'dtype');
  return [{ shape: [], handle: dt?.kind === 'type' ? { dtype: dt.value, shape: shapeAttr(c.node, 'shape') ?? null } : undefined }];
};

const readVariable: ShapeFn = (c) => [{ shape: c.inputs[0]?.handle?.shape ?? null }];

const switchOp: ShapeFn = (c) => {
  const f = c.inputs[0];
  const o = { shape: f?.shape ?? null, value: f?.value, handle: f?.handle };
  return [o, o];
};

const identityN: ShapeFn = (c) => c.inputs.map((f) => ({ shape: f.shape, value: f.value, handle: f.handle, dtype: f.dtype }));

const ensureShape: ShapeFn = (c) => [{ shape: mergeDims(c.inputs[0]?.shape ?? null, shapeAttr(c.node, 'shape') ?? null) }];

const placeholderWithDefault: ShapeFn = (c) => [{ shape: shapeAttr(c.node, 'shape') ?? null }];

/** Shapes given by a list(shape) attribute, or undefined when it is absent or empty. */
export function shapesAttr(node: Node, name: string): Dims[] | undefined {
  const a = node.attrs[name];
  if (a?.kind !== 'list' || !a.value.shape || a.value.shape.length === 0) return undefined;
  return a.value.shape.map((s) => (s.unknownRank ? null : s.dims.map((d) => (d < 0 ? -1 : d))));
}

function funcName(node: Node, attr: string): string | undefined {
  const a = node.attrs[attr];
  return a?.kind === 'func' ? a.value.name : undefined;
}

const call: ShapeFn = (c) => {
  const f = funcName(c.node, 'f');
  const out = f ? c.callFunction(f, c.inputs) : undefined;
  return out ? out.map((o) => ({ shape: o.shape, handle: o.handle, value: o.value })) : [];
};

const ifOp: ShapeFn = (c) => {
  const given = shapesAttr(c.node, 'output_shapes');
  if (given) return given.map((shape) => ({ shape }));
  const args = c.inputs.slice(1);
  const t = funcName(c.node, 'then_branch');
  const e = funcName(c.node, 'else_branch');
  const a = t ? c.callFunction(t, args) : undefined;
  const b = e ? c.callFunction(e, args) : undefined;
  if (!a || !b || a.length !== b.length) return [];
  return a.map((x, i) => ({ shape: relaxDims(x.shape, b[i]!.shape) }));
};

const whileOp: ShapeFn = (c) => {
  const given = shapesAttr(c.node, 'output_shapes');
  if (given && given.length === c.inputs.length && given.some((s) => s !== null)) {
    return given.map((shape, i) => ({ shape, handle: c.inputs[i]!.handle }));
  }
  // Loop variables keep their shape where the body keeps it; else relax until nothing changes.
  let cur: TensorFact[] = c.inputs.map((f) => ({ dtype: f.dtype, shape: f.shape, handle: f.handle }));
  const body = funcName(c.node, 'body');
  for (let round = 0; round < 8; round++) {
    const out = body ? c.callFunction(body, cur) : undefined;
    if (!out || out.length !== cur.length) return cur.map(() => UNKNOWN);
    const next = cur.map((f, i) => ({ ...f, shape: relaxDims(f.shape, out[i]!.shape) }));
    if (next.every((f, i) => JSON.stringify(f.shape) === JSON.stringify(cur[i]!.shape))) return next.map((f) => ({ shape: f.shape, handle: f.handle }));
    cur = next;
  }
  return cur.map(() => UNKNOWN);
};

// ---------------------------------------------------------------- TensorArray / TensorList

const tensorArrayV3: ShapeFn = (c) => [{ shape: [2], handle: { dtype: 'invalid', shape: shapeAttr(c.node, 'element_shape') ?? null } }, { shape: [], dtype: 'float' }];
const taElem = (c: ShapeContext): Dims => mergeDims(c.inputs[0]?.handle?.shape ?? null, shapeAttr(c.node, 'element_shape') ?? shapeAttr(c.node, 'element_shape_except0') ?? null);
const taGather: ShapeFn = (c) => {
  const idx = c.inputs[1]?.shape ?? null;
  const e = taElem(c);
  return [{ shape: e === null || idx === null || idx.length !== 1 ? null : [idx[0]!, ...e] }];
};
const taRead: ShapeFn = (c) => [{ shape: taElem(c) }];
const taConcat: ShapeFn = (c) => {
  const e = shapeAttr(c.node, 'element_shape_except0');
  return [{ shape: e ? [-1, ...e] : null }, { shape: [-1], dtype: 'int64' }];
};

const listElem = (c: ShapeContext, i: number): Dims => mergeDims(c.inputs[0]?.handle?.shape ?? null, shapeFromTensor(c.inputs[i]));
const listOf = (c: ShapeContext, elem: Dims): OutFact => {
  const a = attrOf(c.node, 'element_dtype');
  return { shape: [], handle: { dtype: a?.kind === 'type' ? a.value : 'invalid', shape: elem } };
};
const tensorListReserve: ShapeFn = (c) => [listOf(c, shapeFromTensor(c.inputs[0]))];
const tensorListFromTensor: ShapeFn = (c) => {
  const t = c.inputs[0]?.shape ?? null;
  return [listOf(c, mergeDims(t === null ? null : t.slice(1), shapeFromTensor(c.inputs[1])))];
};
const listPassThrough: ShapeFn = (c) => [{ shape: [], handle: c.inputs[0]?.handle }];
const tensorListStack: ShapeFn = (c) => {
  const e = listElem(c, 1);
  const n = intAttr(c.node, 'num_elements', -1);
  return [{ shape: e === null ? null : [n, ...e] }];
};
const tensorListGather: ShapeFn = (c) => {
  const e = listElem(c, 2);
  const idx = c.inputs[1]?.shape ?? null;
  return [{ shape: e === null || idx === null ? null : [...idx, ...e] }];
};
const tensorListGetItem: ShapeFn = (c) => [{ shape: listElem(c, 2) }];
const tensorListPopBack: ShapeFn = (c) => [{ shape: [], handle: c.inputs[0]?.handle }, { shape: listElem(c, 1) }];

// ---------------------------------------------------------------- training, sparse, parsing, checkpoints

/** Dimension `i` of a shape (negative counts from the end), or -1 when the shape or dim is unknown. */
function dimAt(d: Dims, i: number): number {
  if (d === null) return -1;
  const k = i < 0 ? d.length + i : i;
  return k >= 0 && k < d.length ? d[k]! : -1;
}
/** TensorFlow's `Merge` of two dimensions: the known one; two different known ones stay unknown. */
function mergeDim(a: number, b: number): number {
  if (a < 0) return b;
  if (b < 0) return a;
  return a === b ? a : -1;
}
/** `Concatenate`: unknown when either part is. */
function concatDims2(a: Dims, b: Dims): Dims {
  return a === null || b === null ? null : [...a, ...b];
}
function typesAttr(node: Node, name: string): DType[] {
  const a = attrOf(node, name);
  return a?.kind === 'list' ? [...(a.value.type ?? [])] : [];
}
function listLength(node: Node, name: string): number {
  const a = attrOf(node, name);
  if (a?.kind !== 'list') return 0;
  const v = a.value as Record<string, readonly unknown[] | undefined>;
  return Math.max(0, ...Object.values(v).map((x) => (Array.isArray(x) ? x.length : 0)));
}
function shapeListAttr(node: Node, name: string): Dims[] {
  const a = attrOf(node, name);
  if (a?.kind !== 'list' || !a.value.shape) return [];
  return a.value.shape.map((s) => (s.unknownRank ? null : s.dims.map((d) => (d < 0 ? -1 : d))));
}

/** `MergeBothInputsShapeFn` (AssignAdd, AssignSub, ReluGrad...). */
const mergeBoth: ShapeFn = (c) => [{ shape: mergeDims(c.inputs[0]?.shape ?? null, c.inputs[1]?.shape ?? null) }];

/** Assign: both inputs merged when `validate_shape`, else the value's shape. */
const assign: ShapeFn = (c) => (boolAttr(c.node, 'validate_shape', true) ? mergeBoth(c) : [{ shape: c.inputs[1]?.shape ?? null }]);

/** ApplyGradientDescent: var merged with delta. */
const applyGradientDescent: ShapeFn = (c) => [{ shape: mergeDims(c.inputs[0]?.shape ?? null, c.inputs[2]?.shape ?? null) }];

/** BiasAddGrad: the channel dimension of the backprop (the last, or the third from last in NCHW). */
const biasAddGrad: ShapeFn = (c) => {
  const x = c.inputs[0]?.shape ?? null;
  return [{ shape: [dimAt(x, strAttr(c.node, 'data_format', 'NHWC') === 'NCHW' ? -3 : -1)] }];
};

/**
 * BroadcastGradientArgs: two vectors of unknown length. When both shapes are known values, the
 * reduction indices are too (TensorFlow's shape refiner evaluates the op; `BCast` with
 * `fewer_dims_optimization` off: an output dim that is 1 in an input is reduced for that input,
 * and a dim that is 1 in both is reduced for both).
 */
const broadcastGradientArgs: ShapeFn = (c) => {
  const s0 = fullValue(c.inputs[0]);
  const s1 = fullValue(c.inputs[1]);
  if (!s0 || !s1 || c.inputs[0]!.value!.scalar || c.inputs[1]!.value!.scalar) return [{ shape: [-1] }, { shape: [-1] }];
  const rank = Math.max(s0.length, s1.length);
  const pad = (s: readonly number[]) => [...new Array<number>(rank - s.length).fill(1), ...s];
  const [a, b] = [pad(s0), pad(s1)];
  const r0: number[] = [];
  const r1: number[] = [];
  for (let i = 0; i < rank; i++) {
    if (a[i] !== 1 && b[i] !== 1 && a[i] !== b[i]) return [{ shape: [-1] }, { shape: [-1] }]; // not broadcastable
    if (a[i] === 1) r0.push(i);
    if (b[i] === 1) r1.push(i);
  }
  // The shape function itself says [?] (as TensorFlow records it); the values feed later ops.
  return [
    { shape: [-1], value: vectorValue(r0) },
    { shape: [-1], value: vectorValue(r1) },
  ];
};

/** LowerBound/UpperBound: the shape of `values`. */
const searchSorted: ShapeFn = (c) => [{ shape: c.inputs[1]?.shape ?? null }];

/** DynamicStitch and ParallelDynamicStitch (`DynamicStitchShapeFunction`). */
const dynamicStitch: ShapeFn = (c) => {
  const n = intAttr(c.node, 'N', c.inputs.length / 2);
  let extra: Dims = null;
  let allConstant = true;
  let maxIndex = -1;
  for (let i = 0; i < n; i++) {
    const indices = c.inputs[i];
    const data = c.inputs[i + n]?.shape ?? null;
    const known = fullValue(indices);
    if (!known) allConstant = false;
    const ir = indices?.shape;
    if (ir === null || ir === undefined) continue;
    extra = mergeDims(extra, data === null ? null : data.slice(ir.length));
    if (known) for (const k of known) maxIndex = Math.max(maxIndex, k);
  }
  const shape = concatDims2([allConstant ? maxIndex + 1 : -1], extra);
  // Stitching known scalars into a vector (a gradient's reduced shape): the value as far as known.
  let value: KnownValue | undefined;
  if (allConstant && shape !== null && shape.length === 1 && maxIndex < 4096) {
    const v: (number | null)[] = new Array<number | null>(maxIndex + 1).fill(null);
    for (let i = 0; i < n; i++) {
      const idx = fullValue(c.inputs[i])!;
      const data = c.inputs[i + n]?.value;
      // A later partition overrides an earlier one at the same index, known or not.
      const known = data && data.v.length === idx.length ? data.v : undefined;
      idx.forEach((k, j) => (v[k] = known ? known[j]! : null));
    }
    value = vectorValue(v);
  }
  return [{ shape, value }];
};

/** DenseToDenseSetOperation: indices [?, rank], values [?], shape [rank]. */
const denseToDenseSetOperation: ShapeFn = (c) => {
  const a = c.inputs[0]?.shape ?? null;
  const b = c.inputs[1]?.shape ?? null;
  const rank = a !== null ? a.length : b !== null ? b.length : -1;
  return [{ shape: [-1, rank], dtype: 'int64' }, { shape: [-1] }, { shape: [rank], dtype: 'int64' }];
};

/** ResourceGather: params[:batch_dims] + indices[batch_dims:] + params[batch_dims + 1:]. */
const resourceGather: ShapeFn = (c) => {
  const params = c.inputs[0]?.handle?.shape ?? null;
  const indices = c.inputs[1]?.shape ?? null;
  const bd = intAttr(c.node, 'batch_dims', 0);
  if (params === null || indices === null) return [UNKNOWN];
  return [{ shape: [...params.slice(0, bd), ...indices.slice(bd), ...params.slice(bd + 1)] }];
};

/** One `shape_and_slices` entry read as the shape it restores (`checkpoint::ParseShapeAndSlice`). */
function shapeAndSlice(spec: string): Dims {
  if (spec === '') return null;
  const parts = spec.split(' ');
  const full = parts.slice(0, -1).map(Number);
  const slices = parts[parts.length - 1]!.split(':');
  if (full.some((d) => !Number.isInteger(d) || d < 0) || slices.length !== full.length) return null;
  const out: number[] = [];
  for (let i = 0; i < full.length; i++) {
    const s = slices[i]!;
    if (s === '-') out.push(full[i]!);
    else {
      const len = Number(s.split(',')[1]);
      if (!Number.isInteger(len) || len < 0) return null;
      out.push(len);
    }
  }
  return out;
}

/** RestoreV2: each output's shape from its `shape_and_slices` entry when that input is constant. */
const restoreV2: ShapeFn = (c) => {
  const n = typesAttr(c.node, 'dtypes').length;
  const specs = c.inputs[2]?.text;
  return Array.from({ length: n }, (_, i) => ({ shape: specs && specs.length === n ? shapeAndSlice(specs[i]!) : null }));
};

/** UnsortedSegmentSum (`UnsortedSegmentReductionShapeFn`): [num_segments] + data[rank(segment_ids):]. */
const unsortedSegment: ShapeFn = (c) => {
  const data = c.inputs[0]?.shape ?? null;
  const ids = c.inputs[1]?.shape ?? null;
  if (ids === null) return [UNKNOWN];
  const n = scalarValue(c.inputs[2]);
  return [{ shape: concatDims2([n !== undefined && n >= 0 ? n : -1], data === null ? null : data.slice(ids.length)) }];
};

/** SparseSegmentSum/Mean/SqrtN, with or without num_segments: [?] or [num_segments] + data[1:]. */
const sparseSegment: ShapeFn = (c) => {
  const data = c.inputs[0]?.shape ?? null;
  const withN = c.node.op.endsWith('WithNumSegments');
  const n = withN ? scalarValue(c.inputs[3]) : undefined;
  return [{ shape: concatDims2([n !== undefined && n >= 0 ? n : -1], data === null ? null : data.slice(1)) }];
};

/** SparseSegment*Grad: [output_dim0] + grad[1:]. */
const sparseSegmentGrad: ShapeFn = (c) => {
  const grad = c.inputs[0]?.shape ?? null;
  const n = scalarValue(c.inputs[3]);
  return [{ shape: concatDims2([n !== undefined && n >= 0 ? n : -1], grad === null ? null : grad.slice(1)) }];
};

/** SparseToDense: the shape given by its `output_shape` input. */
const sparseToDense: ShapeFn = (c) => [{ shape: shapeFromTensor(c.inputs[1]) }];

/** SparseTensorDenseMatMul: [a rows (or cols when adjoint_a), b cols (or rows when adjoint_b)], b's batch dims first. */
const sparseTensorDenseMatMul: ShapeFn = (c) => {
  const aShape = shapeFromTensor(c.inputs[2]);
  const b = c.inputs[3]?.shape ?? null;
  if (b === null) return [UNKNOWN];
  const adjA = boolAttr(c.node, 'adjoint_a', false);
  const adjB = boolAttr(c.node, 'adjoint_b', false);
  const r = b.length;
  const left = aShape === null ? -1 : dimAt(aShape, adjA ? -1 : -2);
  const right = b[adjB ? r - 2 : r - 1] ?? -1;
  return [{ shape: [...b.slice(0, -2), left, right] }];
};

/** SparseFillEmptyRows: indices [?, rank], values [?], empty_row_indicator [dense_shape[0]], reverse_index_map [N]. */
const sparseFillEmptyRows: ShapeFn = (c) => {
  const indices = c.inputs[0]?.shape ?? null;
  const values = c.inputs[1]?.shape ?? null;
  const denseShape = c.inputs[2]?.shape ?? null;
  const n = mergeDim(dimAt(indices, 0), dimAt(values, 0));
  const rows = dimAt(shapeFromTensor(c.inputs[2]), 0);
  return [{ shape: [-1, numElementsOf(denseShape)], dtype: 'int64' }, { shape: [-1] }, { shape: [rows], dtype: 'bool' }, { shape: [n], dtype: 'int64' }];
};

/** SparseReshape: indices [nnz, len(new_shape)], and new_shape's own shape. */
const sparseReshape: ShapeFn = (c) => {
  const newShape = c.inputs[2]?.shape ?? null;
  return [{ shape: [dimAt(c.inputs[0]?.shape ?? null, 0), dimAt(newShape, 0)], dtype: 'int64' }, { shape: newShape ?? [-1], dtype: 'int64' }];
};

/** The sparse outputs of the parse ops (`AddSparseOutputShapes`): indices, values, dense shapes. */
function sparseParseOutputs(n: number, rank: number, types: readonly DType[]): OutFact[] {
  return [
    ...Array.from({ length: n }, (): OutFact => ({ shape: [-1, rank], dtype: 'int64' })),
    ...Array.from({ length: n }, (_, i): OutFact => ({ shape: [-1], dtype: types[i] ?? 'invalid' })),
    ...Array.from({ length: n }, (): OutFact => ({ shape: [rank], dtype: 'int64' })),
  ];
}
/** The dense outputs (`AddDenseOutputShapes`): the batch prefix then each `dense_shapes` entry. */
function denseParseOutputs(prefix: Dims, shapes: readonly Dims[], types: readonly DType[]): OutFact[] {
  return shapes.map((s, i) => ({ shape: concatDims2(prefix, s), dtype: types[i] ?? 'invalid' }));
}

/** ParseExample: `serialized` is a vector of examples. */
const parseExample: ShapeFn = (c) => {
  const batch = c.inputs[0]?.shape ?? null;
  const prefix = batch === null ? [-1] : batch.length === 1 ? batch : null;
  const n = intAttr(c.node, 'Nsparse', 0);
  return [...sparseParseOutputs(n, 2, typesAttr(c.node, 'sparse_types')), ...denseParseOutputs(prefix, shapeListAttr(c.node, 'dense_shapes'), typesAttr(c.node, 'Tdense'))];
};

/** ParseExampleV2: `serialized` is a scalar or a vector; ragged outputs after the dense ones. */
const parseExampleV2: ShapeFn = (c) => {
  const input = c.inputs[0]?.shape ?? null;
  const rank = input === null ? -1 : input.length + 1;
  const examples = input !== null && input.length === 1 ? input[0]! : -1;
  const raggedValues = typesAttr(c.node, 'ragged_value_types');
  const raggedSplits = typesAttr(c.node, 'ragged_split_types');
  return [
    ...sparseParseOutputs(intAttr(c.node, 'num_sparse', 0), rank, typesAttr(c.node, 'sparse_types')),
    ...denseParseOutputs(input, shapeListAttr(c.node, 'dense_shapes'), typesAttr(c.node, 'Tdense')),
    ...raggedValues.map((t): OutFact => ({ shape: [-1], dtype: t })),
    ...raggedSplits.map((t): OutFact => ({ shape: [examples >= 0 ? examples + 1 : -1], dtype: t })),
  ];
};

/** ParseSingleExample: one example, so sparse indices are [?, 1] and dense outputs their own shapes. */
const parseSingleExample: ShapeFn = (c) => {
  const n = listLength(c.node, 'sparse_keys');
  const dense = listLength(c.node, 'dense_keys');
  return [...sparseParseOutputs(n, 1, typesAttr(c.node, 'sparse_types')), ...denseParseOutputs([], shapeListAttr(c.node, 'dense_shapes').slice(0, dense), typesAttr(c.node, 'Tdense'))];
};

const stringScalar: ShapeFn = () => [{ shape: [], dtype: 'string' }];

// ---------------------------------------------------------------- the table

const SAME = [
  'Abs', 'Acos', 'Asin', 'Atan', 'Ceil', 'Cos', 'Cosh', 'Erf', 'Exp', 'Expm1', 'Floor', 'Inv', 'IsFinite', 'IsInf', 'IsNan', 'Log', 'Log1p',
  'LogicalNot', 'Neg', 'Reciprocal', 'Round', 'Rsqrt', 'Sign', 'Sin', 'Sinh', 'Sqrt', 'Square', 'Tan', 'Tanh', 'Sigmoid', 'Relu', 'Relu6', 'Elu',
  'Selu', 'LeakyRelu', 'Softplus', 'Softsign', 'Softmax', 'LogSoftmax', 'LRN', 'ZerosLike', 'OnesLike', 'CheckNumerics', 'CheckNumericsV2',
  'FakeQuantWithMinMaxArgs', 'FakeQuantWithMinMaxVars', 'ClipByValue', 'MatrixBandPart', 'Cumsum', 'ReverseV2', 'BiasAdd', 'BiasAddV1',
  'Dequantize', 'AsString', 'StringLower', 'StringUpper', 'StringStrip', 'StringToHashBucket', 'StringToHashBucketFast', 'StringToHashBucketStrong',
  'RegexReplace', 'StaticRegexReplace', 'RegexFullMatch', 'StaticRegexFullMatch', 'StringLength', 'Substr', 'BatchNormWithGlobalNormalization',
  'Print',
];
const IDENTITY = ['Identity', 'RefIdentity', 'Snapshot', 'StopGradient', 'PreventGradient', 'Enter', 'RefEnter', 'Exit', 'RefExit', 'NextIteration', 'RefNextIteration', 'LoopCond'];
const BINARY = [
  'LeftShift', 'RightShift', 'Add', 'AddV2', 'Sub', 'Mul', 'Div', 'RealDiv', 'DivNoNan', 'FloorDiv', 'FloorMod', 'Mod', 'TruncateDiv', 'Maximum', 'Minimum', 'Pow',
  'SquaredDifference', 'Atan2', 'Equal', 'NotEqual', 'Less', 'LessEqual', 'Greater', 'GreaterEqual', 'LogicalAnd', 'LogicalOr',
];
const REDUCE = ['Sum', 'Mean', 'Max', 'Min', 'Prod', 'All', 'Any', 'EuclideanNorm'];
const NONE = [
  'NoOp', 'Assert', 'PrintV2', 'InitializeTable', 'InitializeTableV2', 'InitializeTableFromTextFile', 'InitializeTableFromTextFileV2',
  'LookupTableImport', 'LookupTableImportV2', 'LookupTableInsert', 'LookupTableInsertV2', 'LookupTableRemoveV2', 'TensorArrayCloseV3',
  'AssignVariableOp', 'AssignAddVariableOp', 'AssignSubVariableOp', 'DisableCopyOnRead', 'ResourceApplyGradientDescent', 'ResourceApplyAdagradV2',
  'ResourceApplyFtrl', 'ResourceSparseApplyFtrl', 'SaveV2', 'MergeV2Checkpoints',
];

const TABLE: Record<string, ShapeFn> = {
  Placeholder: placeholder,
  PlaceholderV2: placeholder,
  PlaceholderWithDefault: placeholderWithDefault,
  Const: constOp,
  HostConst: constOp,
  Variable: variable,
  VariableV2: variable,
  VarHandleOp: varHandle,
  ReadVariableOp: readVariable,
  VarIsInitializedOp: scalar,
  IsVariableInitialized: scalar,
  IdentityN: identityN,
  Cast: (c) => {
    const v = c.inputs[0]?.value;
    return [{ shape: c.inputs[0]?.shape ?? null, value: v && v.v.every((x) => x === null || Number.isInteger(x)) ? v : undefined }];
  },
  Switch: switchOp,
  RefSwitch: switchOp,
  EnsureShape: ensureShape,
  MatMul: matMul,
  BatchMatMul: batchMatMul,
  BatchMatMulV2: batchMatMul,
  BatchMatMulV3: batchMatMul,
  Conv2D: conv2d(false),
  DepthwiseConv2dNative: conv2d(true),
  QuantizedConv2D: (c) => [...conv2d(false)(c), { shape: [], dtype: 'float' }, { shape: [], dtype: 'float' }],
  MaxPool: pool,
  AvgPool: pool,
  MaxPoolV2: poolV2,
  QuantizedMaxPool: (c) => [...pool(c), { shape: [], dtype: 'float' }, { shape: [], dtype: 'float' }],
  QuantizedAvgPool: (c) => [...pool(c), { shape: [], dtype: 'float' }, { shape: [], dtype: 'float' }],
  FusedBatchNorm: fusedBatchNorm,
  FusedBatchNormV2: fusedBatchNorm,
  FusedBatchNormV3: fusedBatchNorm,
  ArgMax: argMinMax,
  ArgMin: argMinMax,
  Shape: shapeOp,
  ShapeN: shapeN,
  Size: sizeOp,
  Rank: rankOp,
  Reshape: reshape,
  QuantizedReshape: (c) => [...reshape(c), { shape: [], dtype: 'float' }, { shape: [], dtype: 'float' }],
  Concat: concat,
  ConcatV2: concat,
  QuantizedConcat: quantizedConcat,
  Pack: pack,
  Unpack: unpack,
  Squeeze: squeeze,
  ExpandDims: expandDims,
  Transpose: transpose,
  StridedSlice: stridedSlice,
  Slice: slice,
  Gather: gather,
  GatherV2: gather,
  GatherNd: gatherNd,
  Fill: fillOp,
  Tile: tile,
  Pad: pad,
  PadV2: pad,
  MirrorPad: pad,
  BroadcastTo: broadcastTo,
  OneHot: oneHot,
  Range: range,
  Split: split,
  SplitV: splitV,
  ResizeBilinear: resize,
  ResizeNearestNeighbor: resize,
  QuantizedResizeBilinear: resize,
  Where: where,
  Select: select,
  SelectV2: selectV2,
  AddN: addN,
  Einsum: einsum,
  QuantizeV2: sameThenScalars(2),
  Requantize: sameThenScalars(2),
  QuantizeDownAndShrinkRange: sameThenScalars(2),
  QuantizedRelu: sameThenScalars(2),
  QuantizedRelu6: sameThenScalars(2),
  QuantizedReluX: sameThenScalars(2),
  QuantizedBiasAdd: sameThenScalars(2),
  QuantizedAdd: (c) => [{ shape: broadcastDims(c.inputs[0]?.shape ?? null, c.inputs[1]?.shape ?? null) }, { shape: [], dtype: 'float' }, { shape: [], dtype: 'float' }],
  QuantizedMul: (c) => [{ shape: broadcastDims(c.inputs[0]?.shape ?? null, c.inputs[1]?.shape ?? null) }, { shape: [], dtype: 'float' }, { shape: [], dtype: 'float' }],
  QuantizedMatMul: (c) => [...matMul(c), { shape: [], dtype: 'float' }, { shape: [], dtype: 'float' }],
  RequantizationRange: () => [{ shape: [] }, { shape: [] }],
  Merge: (c) => {
    let s: Dims | undefined;
    for (const f of c.inputs) s = s === undefined ? f.shape : relaxDims(s, f.shape);
    return [{ shape: s ?? null }, { shape: [], dtype: 'int32' }];
  },
  RandomStandardNormal: fill,
  RandomUniform: fill,
  StringJoin: (c) => {
    let s: Dims = [];
    for (const f of c.inputs) if (f.shape === null || f.shape.length > 0) s = s !== null && s.length === 0 ? f.shape : mergeDims(s, f.shape);
    return [{ shape: s }];
  },
  StringFormat: scalar,
  StringSplitV2: () => [{ shape: [-1, 2], dtype: 'int64' }, { shape: [-1], dtype: 'string' }, { shape: [2], dtype: 'int64' }],
  HashTable: () => [{ shape: [2] }],
  MutableHashTable: () => [{ shape: [2] }],
  HashTableV2: scalar,
  MutableHashTableV2: scalar,
  LookupTableFind: (c) => [{ shape: c.inputs[1]?.shape ?? null }],
  LookupTableFindV2: (c) => [{ shape: c.inputs[1]?.shape ?? null }],
  LookupTableSize: () => [{ shape: [], dtype: 'int64' }],
  LookupTableSizeV2: () => [{ shape: [], dtype: 'int64' }],
  LookupTableExport: () => [{ shape: [-1] }, UNKNOWN],
  LookupTableExportV2: () => [{ shape: [-1] }, UNKNOWN],
  PartitionedCall: call,
  StatefulPartitionedCall: call,
  If: ifOp,
  StatelessIf: ifOp,
  While: whileOp,
  StatelessWhile: whileOp,
  TensorArrayV3: tensorArrayV3,
  TensorArrayReadV3: taRead,
  TensorArrayGatherV3: taGather,
  TensorArrayConcatV3: taConcat,
  TensorArraySizeV3: () => [{ shape: [], dtype: 'int32' }],
  TensorArrayWriteV3: () => [{ shape: [], dtype: 'float' }],
  TensorArrayScatterV3: () => [{ shape: [], dtype: 'float' }],
  TensorArraySplitV3: () => [{ shape: [], dtype: 'float' }],
  EmptyTensorList: (c) => [listOf(c, shapeFromTensor(c.inputs[0]))],
  TensorListReserve: tensorListReserve,
  TensorListFromTensor: tensorListFromTensor,
  TensorListPushBack: listPassThrough,
  TensorListSetItem: listPassThrough,
  TensorListResize: listPassThrough,
  TensorListScatterIntoExistingList: listPassThrough,
  TensorListScatter: (c) => [listOf(c, mergeDims(c.inputs[0]?.shape ? c.inputs[0].shape.slice(1) : null, shapeFromTensor(c.inputs[2])))],
  TensorListScatterV2: (c) => [listOf(c, mergeDims(c.inputs[0]?.shape ? c.inputs[0].shape.slice(1) : null, shapeFromTensor(c.inputs[2])))],
  TensorListSplit: (c) => [listOf(c, null)],
  TensorListStack: tensorListStack,
  TensorListGather: tensorListGather,
  TensorListGetItem: tensorListGetItem,
  TensorListPopBack: tensorListPopBack,
  TensorListLength: () => [{ shape: [], dtype: 'int32' }],
  TensorListElementShape: (c) => {
    const e = c.inputs[0]?.handle?.shape;
    return [{ shape: e ? [e.length] : [-1] }];
  },
  TensorListConcat: (c) => {
    const e = listElem(c, -1);
    return [{ shape: e && e.length > 0 ? [-1, ...e.slice(1)] : null }, { shape: [-1], dtype: 'int64' }];
  },
  TensorListConcatV2: (c) => {
    const e = mergeDims(c.inputs[0]?.handle?.shape ?? null, shapeFromTensor(c.inputs[1]));
    return [{ shape: e && e.length > 0 ? [-1, ...e.slice(1)] : null }, { shape: [-1], dtype: 'int64' }];
  },
  DecodeWav: () => [{ shape: [-1, -1], dtype: 'float' }, { shape: [], dtype: 'int32' }],
  AudioSpectrogram: (c) => {
    const w = intAttr(c.node, 'window_size', -1);
    const x = c.inputs[0]?.shape ?? null;
    // output [channels, ?, fft_length/2 + 1], fft_length the next power of two >= window_size.
    const fft = w > 0 ? 2 ** Math.ceil(Math.log2(w)) : -1;
    return [{ shape: [x && x.length === 2 ? x[1]! : -1, -1, fft > 0 ? fft / 2 + 1 : -1] }];
  },
  Mfcc: (c) => {
    const s = c.inputs[0]?.shape ?? null;
    return [{ shape: [s && s.length === 3 ? s[0]! : -1, s && s.length === 3 ? s[1]! : -1, intAttr(c.node, 'dct_coefficient_count', 13)] }];
  },
  Unique: (c) => [{ shape: [-1] }, { shape: c.inputs[0]?.shape ?? null }],
  UniqueV2: (c) => [{ shape: [-1] }, { shape: c.inputs[0]?.shape ?? null }],
  Assign: assign,
  AssignAdd: mergeBoth,
  AssignSub: mergeBoth,
  ReluGrad: mergeBoth,
  ApplyGradientDescent: applyGradientDescent,
  BiasAddGrad: biasAddGrad,
  BroadcastGradientArgs: broadcastGradientArgs,
  Bucketize: unchanged,
  L2Loss: scalar,
  LowerBound: searchSorted,
  UpperBound: searchSorted,
  DynamicStitch: dynamicStitch,
  ParallelDynamicStitch: dynamicStitch,
  DenseToDenseSetOperation: denseToDenseSetOperation,
  ResourceGather: resourceGather,
  RestoreV2: restoreV2,
  ShardedFilename: stringScalar,
  ShardedFilespec: stringScalar,
  ScalarSummary: stringScalar,
  HistogramSummary: stringScalar,
  MergeSummary: stringScalar,
  ReduceJoin: (c) => reduction(c).map((o) => ({ ...o, dtype: 'string' as DType })),
  TruncatedNormal: fill,
  UnsortedSegmentSum: unsortedSegment,
  SparseSegmentSum: sparseSegment,
  SparseSegmentMean: sparseSegment,
  SparseSegmentSqrtN: sparseSegment,
  SparseSegmentSumWithNumSegments: sparseSegment,
  SparseSegmentMeanWithNumSegments: sparseSegment,
  SparseSegmentSqrtNWithNumSegments: sparseSegment,
  SparseSegmentSumGrad: sparseSegmentGrad,
  SparseSegmentMeanGrad: sparseSegmentGrad,
  SparseSegmentSqrtNGrad: sparseSegmentGrad,
  SparseToDense: sparseToDense,
  SparseTensorDenseMatMul: sparseTensorDenseMatMul,
  SparseFillEmptyRows: sparseFillEmptyRows,
  SparseReshape: sparseReshape,
  ParseExample: parseExample,
  ParseExampleV2: parseExampleV2,
  ParseSingleExample: parseSingleExample,
  TopKV2: (c) => {
    const x = c.inputs[0]?.shape ?? null;
    const k = scalarValue(c.inputs[1]) ?? -1;
    const s = x === null || x.length === 0 ? null : withDim(x, x.length - 1, k);
    return [{ shape: s }, { shape: s, dtype: 'int32' }];
  },
};
for (const op of SAME) TABLE[op] ??= unchanged;
for (const op of IDENTITY) TABLE[op] ??= sameAsInput0;
for (const op of BINARY) TABLE[op] = broadcastBinary;
for (const op of REDUCE) TABLE[op] = reduction;
for (const op of NONE) TABLE[op] = noOutputs;

/** The shape function of an op, or undefined when graft has none (its outputs stay unknown). */
export function shapeFn(op: string): ShapeFn | undefined {
  return TABLE[op];
}

/** Every op with a shape function. */
export function opsWithShapeFns(): string[] {
  return Object.keys(TABLE).sort();
}
