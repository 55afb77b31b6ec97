/**
 * tf.Example inputs: which parse ops read a string placeholder, what features they declare, and
 * seeded records that satisfy them.
 *
 * TF Serving's classify and regress signatures (and Estimator and TFX exports) take serialized
 * `tf.Example`s in a string tensor that feeds `ParseExample`, `ParseExampleV2` or
 * `ParseSingleExample`, directly or through `Identity` and function calls. An empty string is a
 * valid Example with no features, which a dense feature without a default refuses; so
 * verification synthesizes records from the parse op's declaration instead:
 *
 * - every declared key is written, with the declared list kind (float, int64 or bytes);
 * - a fixed-shape dense feature gets exactly its number of values; a variable-length one
 *   (first dimension -1) and sparse and ragged features get 1 to 3 rows of values;
 * - floats are in [0.05, 1.05), integers in [0, 10), strings are short words (`w0`..`w9`),
 *   the ranges of the other generated inputs;
 * - values depend only on the seed, the input's name and the record's position.
 *
 * The same declarations give the list kind of each key when a user writes examples as JSON
 * (`--input tf_example=examples.json`).
 */
import { GraftError, describeValue } from '../errors';
import { formatShape } from '../ir/attr';
import { type DType, baseDType } from '../ir/dtype';
import type { FunctionDef, Graph } from '../ir/graph';
import { graphIndex } from '../ir/graph';
import { type Node, parseInput } from '../ir/node';
import { seededRandom } from '../ir/random';
import { type Tensor, makeStringTensor, numElements, tensorStrings } from '../ir/tensor';
import { type FeatureInput, type FeatureKind, serializeExample } from '../io/tf-example';

/** The parse ops graft can synthesize records for. */
export const EXAMPLE_PARSE_OPS: ReadonlySet<string> = new Set(['ParseExample', 'ParseExampleV2', 'ParseSingleExample']);

/** One feature a parse op declares. */
export interface ExampleFeatureSpec {
  readonly key: string;
  readonly form: 'dense' | 'sparse' | 'ragged';
  readonly dtype: 'float' | 'int64' | 'string';
  /** Dense features: the declared shape (first dim -1 when variable length). */
  readonly shape?: readonly number[];
}

/** A parse op reading the input, and the features it declares. */
export interface ExampleParser {
  /** The parse node (inside a function: `function/node`). */
  readonly node: string;
  readonly op: string;
  /** True for ParseSingleExample, which takes one record (a scalar). */
  readonly single: boolean;
  readonly features: readonly ExampleFeatureSpec[];
}

const PASS_THROUGH = new Set(['Identity', 'IdentityN', 'StopGradient', 'Snapshot', 'Reshape', 'ExpandDims', 'Squeeze']);
const CALL_OPS = new Set(['PartitionedCall', 'StatefulPartitionedCall']);

interface Scope {
  readonly nodes: readonly Node[];
  readonly prefix: string;
}

/**
 * The parse ops that read placeholder `name` of `graph` (following `Identity`-like ops and
 * function calls), with their declared features. Empty when none does, or when a key or a
 * declaration is not a constant graft can read.
 *
 * @example
 * ```ts
 * exampleParsers(graph, 'tf_example'); // [{ op: 'ParseExample', features: [{ key: 'x', form: 'dense', dtype: 'float', shape: [1] }, ...] }]
 * ```
 */
export function exampleParsers(graph: Graph, name: string): ExampleParser[] {
  const fns = new Map<string, FunctionDef>(graph.library.functions.map((f) => [f.signature.name, f]));
  const out: ExampleParser[] = [];
  const seen = new Set<string>();
  const visit = (scope: Scope, source: string, depth: number): void => {
    const key = `${scope.prefix}|${source}`;
    if (seen.has(key) || depth > 16) return;
    seen.add(key);
    const idx = graphIndex(scope.nodes);
    for (const c of idx.consumers.get(source) ?? []) {
      if (c.ref.control) continue;
      const n = c.node;
      if (EXAMPLE_PARSE_OPS.has(n.op)) {
        if (c.inputIndex === 0) {
          const p = describeParser(n, scope);
          if (p) out.push(p);
        }
      } else if (PASS_THROUGH.has(n.op)) {
        if (c.inputIndex === 0 || n.op === 'IdentityN') visit(scope, n.name, depth + 1);
      } else {
        const fname = CALL_OPS.has(n.op) ? (n.attrs['f']?.kind === 'func' ? n.attrs['f'].value.name : undefined) : fns.has(n.op) ? n.op : undefined;
        const fn = fname !== undefined ? fns.get(fname) : undefined;
        if (!fn) continue;
        const args = (fn.signature['input_arg'] as { name?: string }[] | undefined) ?? [];
        const arg = args[c.inputIndex]?.name;
        if (arg) visit({ nodes: fn.nodes, prefix: `${fname}/` }, arg, depth + 1);
      }
    }
  };
  visit({ nodes: graph.nodes, prefix: '' }, name, 0);
  return out;
}

/** The constant string values at input `i` of `node`, or undefined when it is not a Const. */
function constStrings(node: Node, i: number, scope: Scope): string[] | undefined {
  const t = constTensor(node, i, scope);
  if (!t || t.dtype !== 'string') return undefined;
  return tensorStrings(t).map((b) => new TextDecoder().decode(b));
}

function constTensor(node: Node, i: number, scope: Scope): Tensor | undefined {
  const input = node.inputs[i];
  if (input === undefined) return undefined;
  let src = graphIndex(scope.nodes).byName.get(parseInput(input).node);
  // Keys sometimes pass through an Identity.
  for (let hops = 0; src && src.op === 'Identity' && hops < 4; hops++) src = graphIndex(scope.nodes).byName.get(parseInput(src.inputs[0] ?? '').node);
  const v = src?.op === 'Const' ? src.attrs['value'] : undefined;
  return v?.kind === 'tensor' ? v.value : undefined;
}

function listTypes(node: Node, name: string): DType[] {
  const a = node.attrs[name];
  return a?.kind === 'list' ? (a.value.type ?? []).map(baseDType) : [];
}

function listShapes(node: Node): (readonly number[] | null)[] {
  const a = node.attrs['dense_shapes'];
  return a?.kind === 'list' ? (a.value.shape ?? []).map((s) => (s.unknownRank ? null : s.dims)) : [];
}

function listStrings(node: Node, name: string): string[] {
  const a = node.attrs[name];
  return a?.kind === 'list' ? (a.value.s ?? []).map((s) => (typeof s === 'string' ? s : new TextDecoder().decode(s))) : [];
}

function intAttr(node: Node, name: string): number {
  const a = node.attrs[name];
  return a?.kind === 'i' ? Number(a.value) : 0;
}

function asParseDType(d: DType | undefined): 'float' | 'int64' | 'string' | undefined {
  return d === 'float' || d === 'int64' || d === 'string' ? d : undefined;
}

function describeParser(node: Node, scope: Scope): ExampleParser | undefined {
  let sparseKeys: string[] | undefined;
  let denseKeys: string[] | undefined;
  let raggedKeys: string[] = [];
  if (node.op === 'ParseExample') {
    const ns = intAttr(node, 'Nsparse');
    const nd = intAttr(node, 'Ndense');
    const one = (i: number) => constStrings(node, i, scope)?.[0];
    const s = Array.from({ length: ns }, (_, i) => one(2 + i));
    const d = Array.from({ length: nd }, (_, i) => one(2 + ns + i));
    if (s.some((k) => k === undefined) || d.some((k) => k === undefined)) return undefined;
    sparseKeys = s as string[];
    denseKeys = d as string[];
  } else if (node.op === 'ParseExampleV2') {
    sparseKeys = constStrings(node, 2, scope);
    denseKeys = constStrings(node, 3, scope);
    raggedKeys = constStrings(node, 4, scope) ?? [];
    if (!sparseKeys || !denseKeys) return undefined;
  } else {
    sparseKeys = listStrings(node, 'sparse_keys');
    denseKeys = listStrings(node, 'dense_keys');
  }
  const sparseTypes = listTypes(node, 'sparse_types');
  const denseTypes = listTypes(node, 'Tdense');
  const raggedTypes = listTypes(node, 'ragged_value_types');
  const shapes = listShapes(node);
  const features: ExampleFeatureSpec[] = [];
  for (const [i, key] of denseKeys.entries()) {
    const dtype = asParseDType(denseTypes[i]);
    const shape = shapes[i];
    if (!dtype || !shape) return undefined;
    features.push({ key, form: 'dense', dtype, shape });
  }
  for (const [i, key] of sparseKeys.entries()) {
    const dtype = asParseDType(sparseTypes[i]);
    if (!dtype) return undefined;
    features.push({ key, form: 'sparse', dtype });
  }
  for (const [i, key] of raggedKeys.entries()) {
    const dtype = asParseDType(raggedTypes[i]);
    if (!dtype) return undefined;
    features.push({ key, form: 'ragged', dtype });
  }
  return { node: `${scope.prefix}${node.name}`, op: node.op, single: node.op === 'ParseSingleExample', features };
}

const KIND: Record<ExampleFeatureSpec['dtype'], FeatureKind> = { float: 'float', int64: 'int64', string: 'bytes' };

/**
 * The list kind of each key the parsers declare (float, int64 or bytes). A key declared with two
 * different dtypes is an error: no record can satisfy both.
 */
export function exampleFeatureKinds(parsers: readonly ExampleParser[], where: string): Record<string, FeatureKind> {
  const kinds: Record<string, FeatureKind> = {};
  for (const p of parsers) {
    for (const f of p.features) {
      const k = KIND[f.dtype];
      if (Object.hasOwn(kinds, f.key) && kinds[f.key] !== k) {
        throw new GraftError('runtime/bad-feed', `${where}: feature '${f.key}' is parsed both as ${kinds[f.key]} and as ${k}; no tf.Example satisfies both`);
      }
      kinds[f.key] = k;
    }
  }
  return kinds;
}

/** FNV-1a of the name mixed with the seed (the same scheme as the other generated inputs). */
function streamSeed(seed: number, name: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The features of one synthesized record (plain values, written by `serializeExample`). */
function recordFeatures(parsers: readonly ExampleParser[], rnd: () => number): Record<string, FeatureInput> {
  const out: Record<string, FeatureInput> = {};
  for (const p of parsers) {
    for (const f of p.features) {
      if (Object.hasOwn(out, f.key)) continue;
      let count: number;
      if (f.form === 'dense') {
        const shape = f.shape ?? [];
        const varlen = shape.length > 0 && shape[0]! < 0;
        const stride = numElements(varlen ? shape.slice(1) : shape);
        count = varlen ? stride * (1 + Math.floor(rnd() * 3)) : stride;
      } else count = 1 + Math.floor(rnd() * 3);
      const values: (number | bigint | string)[] = [];
      for (let i = 0; i < count; i++) {
        const r = rnd();
        values.push(f.dtype === 'float' ? Math.fround(0.05 + r) : f.dtype === 'int64' ? BigInt(Math.floor(r * 10)) : `w${Math.floor(r * 10)}`);
      }
      out[f.key] = values;
    }
  }
  return out;
}

/**
 * A string tensor of seeded serialized `tf.Example`s satisfying `parsers`, of `shape` (the
 * records' count is its element count). Deterministic in `seed` and `name`.
 *
 * @example
 * ```ts
 * const t = synthesizeExamples(exampleParsers(graph, 'tf_example'), [4], 1, 'tf_example');
 * ```
 */
export function synthesizeExamples(parsers: readonly ExampleParser[], shape: readonly number[], seed: number, name: string): Tensor {
  const kinds = exampleFeatureKinds(parsers, name);
  const rnd = seededRandom(streamSeed(seed, name));
  const n = numElements(shape);
  const records = Array.from({ length: n }, () => serializeExample(recordFeatures(parsers, rnd), kinds));
  return makeStringTensor(shape, records);
}

/**
 * The shape of the records tensor for a string input read by `parsers`: a scalar for
 * `ParseSingleExample`, else a vector of `batch` records when the declared shape leaves it open
 * (unknown rank: the parse op decides, as for TF 1.0-era `tf_example` placeholders).
 */
export function examplesShape(parsers: readonly ExampleParser[], declared: readonly number[] | null, batch: number): number[] {
  if (declared !== null) return declared.map((d) => (d < 0 ? batch : d));
  return parsers.some((p) => p.single) ? [] : [batch];
}

/**
 * Serialized examples from user JSON: a list of `{feature: value | [values]}` objects (or one
 * object, for a scalar input), each key's list kind taken from `parsers` (else from its values).
 */
export function examplesFromJson(json: unknown, parsers: readonly ExampleParser[], where: string): Tensor {
  const kinds = exampleFeatureKinds(parsers, where);
  const isRecord = (v: unknown): v is Record<string, FeatureInput> => v !== null && typeof v === 'object' && !Array.isArray(v);
  const single = isRecord(json);
  const list: unknown[] = single ? [json] : Array.isArray(json) ? json : [];
  if (!single && !Array.isArray(json)) throw new GraftError('runtime/bad-feed', `${where}: tf_example= takes a JSON list of {feature: value | [values]} objects`);
  const declared = new Set(Object.keys(kinds));
  const records = list.map((r, i) => {
    const at = `${where}[${i}]`;
    if (!isRecord(r)) throw new GraftError('runtime/bad-feed', `${at}: each example is an object {feature: value | [values]}, not ${describeValue(r)}`);
    if (declared.size > 0) {
      const unknown = Object.keys(r).filter((k) => !declared.has(k));
      if (unknown.length > 0 && unknown.length === Object.keys(r).length) {
        throw new GraftError('runtime/bad-feed', `${at}: none of its features (${unknown.join(', ')}) is parsed by the model; it reads ${[...declared].join(', ')}`);
      }
    }
    return serializeExample(r, kinds, at);
  });
  return makeStringTensor(single && parsers.some((p) => p.single) ? [] : [records.length], records);
}

/** A one-line description of the features `parsers` read, for messages. */
export function describeExampleFeatures(parsers: readonly ExampleParser[]): string {
  return parsers
    .flatMap((p) => p.features.map((f) => `${f.key} (${f.form} ${f.dtype}${f.shape ? ` ${formatShape({ dims: f.shape, unknownRank: false })}` : ''})`))
    .join(', ');
}
