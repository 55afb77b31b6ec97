/**
 * `saved_model_cli show`, reproduced as text: the tag-set listing, the SignatureDef key listing,
 * one signature's inputs and outputs, and `--all` (every meta graph's signatures, its ops, and the
 * "Concrete Functions" of a TF2 SavedModel).
 *
 * The format follows TensorFlow's `tensorflow/python/tools/saved_model_cli.py` (the 2.x revision
 * with `_show_inputs_outputs_mgd`, `_show_ops_in_metagraph_mgd` and the `N/A (could not be
 * listed ...)` fallback) and the expected outputs in its `saved_model_cli_test.py`. The returned
 * string is exactly what that tool writes to stdout, including leading blank lines, the trailing
 * newline and, in `--all`, Python's quirks (see the notes on each function).
 *
 * Where graft cannot be byte-identical, and why:
 * - Op lists: TensorFlow prints a Python `set`, whose order depends on the per-process string
 *   hash seed (its own test mocks the set for that reason). graft prints the same set sorted.
 * - Concrete functions: TensorFlow loads the model with `tf.saved_model.load` and prints the
 *   decoded `canonicalized_input_signature` of each function the root object holds. graft reads
 *   the same data from the `SavedObjectGraph` without loading, so it cannot tell when loading
 *   would fail (custom ops, corrupt functions): it prints the listing anyway. It does print
 *   TensorFlow's `N/A (could not be listed due to unknown reasons)` where `load` certainly fails
 *   (more than one meta graph, an empty object graph).
 * - Python values inside input signatures are printed as Python would for None, bool, int,
 *   float, str, list, tuple, dict, namedtuple, TensorSpec, TensorShape and DType. TypeSpecs
 *   (ragged, sparse...) use TypeSpec's generic `Class(state)` repr; BoundedTensorSpec bounds and
 *   tensor or numpy values are summarized, not printed element by element. Dict entries are
 *   printed in sorted key order (Python's order there comes from protobuf map iteration).
 * - TensorInfo with a `coo_sparse` or `composite_tensor` encoding prints `name: ` with nothing
 *   after it, as TensorFlow does: its `_print_tensor_info` prints only the (empty) `name` field.
 */
import { GraftError } from '../errors';
import type { Shape } from '../ir/attr';
import { type DType, baseDType, dtypeEnumName, dtypeFromEnum, parseDType } from '../ir/dtype';
import type { MetaGraph, SavedModelProto, Signature, TensorInfo } from '../io/saved-model';
import { shapeFromProto } from '../io/graph-proto';
import { checkObject, checkSavedModel } from '../ir/check';
import { compareCodePoints, opsUsedByGraph } from './ops-used';
import type { ShowOptions } from './show';

type Msg = Record<string, unknown>;

/** What `showSavedModel` resolves to (src/inspect/show.ts declares it). */
export function showSavedModelText(model: SavedModelProto, opts: ShowOptions, file?: string): string {
  checkSavedModel('showSavedModel', 'model', model);
  checkObject('showSavedModel', 'opts', opts, 'ShowOptions');
  if (opts.all) return showAll(model);
  if (opts.tagSet === undefined) {
    const warn = opts.listOps ? '--list_ops must be paired with a tag-set or with --all.\n' : '';
    return warn + showTagSets(model);
  }
  const mg = metaGraphForTagSet(model, opts.tagSet, file);
  let out = opts.listOps ? opsLine(mg) : '';
  if (opts.signatureDef === undefined) {
    out += 'The given SavedModel MetaGraphDef contains SignatureDefs with the following keys:\n';
    for (const key of sortedKeys(mg.signatures)) out += `SignatureDef key: "${key}"\n`;
    return out;
  }
  return out + showSignature(mg, opts.signatureDef, 0, file);
}

// ---------------------------------------------------------------- tag sets and signatures

/**
 * `_show_tag_sets`: the tag lists are sorted as Python sorts lists of strings (tags in file
 * order), and each is printed as the repr of its tags sorted and joined with ", ".
 */
function showTagSets(model: SavedModelProto): string {
  let out = 'The given SavedModel contains the following tag-sets:\n';
  for (const tags of model.metaGraphs.map((m) => m.tags).sort(compareStringLists)) {
    out += `${pyStrRepr([...tags].sort(compareCodePoints).join(', '))}\n`;
  }
  return out;
}

/** `saved_model_utils.get_meta_graph_def`: tags compared as sets, blanks around commas trimmed. */
function metaGraphForTagSet(model: SavedModelProto, tagSet: string, file?: string): MetaGraph {
  const want = new Set(tagSet.split(',').map((t) => t.trim()).filter((t) => t !== ''));
  const mg = model.metaGraphs.find((m) => {
    const have = new Set(m.tags);
    return have.size === want.size && [...want].every((t) => have.has(t));
  });
  if (mg) return mg;
  const existing = model.metaGraphs.map((m) => `'${m.tags.join(',')}'`).join(', ');
  throw new GraftError(
    'model/unknown-tag-set',
    `MetaGraphDef associated with tag-set '${tagSet}' could not be found in the SavedModel; it has the tag-sets: ${existing || '(none)'}`,
    { file, hint: 'run `graft show` without --tag_set to list the tag-sets' },
  );
}

/** `_show_inputs_outputs_mgd`: one signature, every line prefixed by `indent` times two spaces. */
function showSignature(mg: MetaGraph, key: string, indent: number, file?: string): string {
  const sig: Signature | undefined = Object.prototype.hasOwnProperty.call(mg.signatures, key) ? mg.signatures[key] : undefined;
  if (!sig) {
    throw new GraftError(
      'model/unknown-signature',
      `Could not find signature "${key}". Please choose from: ${Object.keys(mg.signatures).join(', ')}`,
      { file, hint: `the meta graph tagged '${mg.tags.join(',')}' has the signatures listed` },
    );
  }
  const pad = '  '.repeat(indent);
  let out = `${pad}The given SavedModel SignatureDef contains the following input(s):\n`;
  for (const k of sortedKeys(sig.inputs)) out += `${pad}  inputs['${k}'] tensor_info:\n${tensorInfoLines(sig.inputs[k]!, indent + 1)}`;
  out += `${pad}The given SavedModel SignatureDef contains the following output(s):\n`;
  for (const k of sortedKeys(sig.outputs)) out += `${pad}  outputs['${k}'] tensor_info:\n${tensorInfoLines(sig.outputs[k]!, indent + 1)}`;
  // An empty method name still prints "Method name is: " with its trailing space.
  return `${out}${pad}Method name is: ${sig.methodName}\n`;
}

/** `_print_tensor_info`: dtype enum name, shape as a tuple (or `unknown_rank`), tensor name. */
function tensorInfoLines(t: TensorInfo, indent: number): string {
  const pad = '  '.repeat(indent);
  return `${pad}    dtype: ${dtypeEnumName(t.dtype)}\n${pad}    shape: ${tensorInfoShape(t.shape)}\n${pad}    name: ${t.name ?? ''}\n`;
}

/**
 * A TensorInfo shape as the CLI prints it: dims joined by ", " in parentheses, with no trailing
 * comma for rank 1 (`(-1)`), `()` for a scalar and for an absent `tensor_shape`.
 */
function tensorInfoShape(s: Shape | null): string {
  if (s?.unknownRank) return 'unknown_rank';
  return `(${(s?.dims ?? []).join(', ')})`;
}

// ---------------------------------------------------------------- --all

/**
 * `_show_all`: meta graphs sorted by their tag lists (file order), each with a blank line and a
 * header naming its tags as written in the file, its signatures, then its ops; after all meta
 * graphs the concrete functions when any meta graph has an object graph.
 */
function showAll(model: SavedModelProto): string {
  let out = '';
  const metas = [...model.metaGraphs].sort((a, b) => compareStringLists(a.tags, b.tags));
  for (const mg of metas) {
    out += `\nMetaGraphDef with tag-set: '${mg.tags.join(', ')}' contains the following SignatureDefs:\n`;
    for (const key of sortedKeys(mg.signatures)) {
      out += `\nsignature_def['${key}']:\n${showSignature(mg, key, 1)}`;
    }
    out += opsLine(mg);
  }
  return out + concreteFunctions(model);
}

/**
 * `_show_ops_in_metagraph_mgd`: `print(msg % tags, set_of_ops)`, i.e. the Python list repr of the
 * tags, a space, and the Python set repr of the ops (sorted here; see the file comment).
 */
function opsLine(mg: MetaGraph): string {
  const ops = opsUsedByGraph(mg.graph);
  const set = ops.length === 0 ? 'set()' : `{${ops.map(pyStrRepr).join(', ')}}`;
  return `The MetaGraph with tag set [${mg.tags.map(pyStrRepr).join(', ')}] contains the following ops: ${set}\n`;
}

// ---------------------------------------------------------------- scan

/** `saved_model_cli scan`'s default denylist (`_OP_DENYLIST`), in its source order. */
export const DEFAULT_OP_DENYLIST: readonly string[] = ['WriteFile', 'ReadFile', 'PrintV2'];

export interface ScanOptions {
  /** `--tag_set`: scan only this meta graph. */
  readonly tagSet?: string;
  /** `--op_denylist`: comma-separated ops; empty or absent means the default list (as TensorFlow's code does). */
  readonly opDenylist?: string;
}

/** One meta graph's scan result. */
export interface ScanResult {
  readonly tags: readonly string[];
  readonly denylist: readonly string[];
  /** Denylisted ops the meta graph uses (its graph and the functions it calls), sorted. */
  readonly found: readonly string[];
}

/**
 * `saved_model_cli scan`: the denylisted ops each meta graph uses (`ops_used_by_graph_def`).
 *
 * @throws GraftError `model/unknown-tag-set` when no meta graph has the tags of `tagSet`.
 */
export function scanSavedModel(model: SavedModelProto, opts: ScanOptions = {}, file?: string): ScanResult[] {
  const given = (opts.opDenylist ?? '').split(',').filter((op) => op !== '');
  const denylist = given.length > 0 ? [...new Set(given)] : DEFAULT_OP_DENYLIST;
  const metas = opts.tagSet ? [metaGraphForTagSet(model, opts.tagSet, file)] : model.metaGraphs;
  return metas.map((mg) => {
    const used = new Set(opsUsedByGraph(mg.graph));
    return { tags: mg.tags, denylist, found: denylist.filter((op) => used.has(op)).sort(compareCodePoints) };
  });
}

/**
 * The lines `scan` prints: `print(msg % tags, ops)`, the tags as a Python list and the ops as a
 * Python set (sorted, where Python's order depends on string hashing).
 */
export function formatScan(results: readonly ScanResult[]): string {
  const set = (ops: readonly string[]) => (ops.length === 0 ? 'set()' : `{${ops.map(pyStrRepr).join(', ')}}`);
  return results
    .map((r) => {
      const tags = `[${r.tags.map(pyStrRepr).join(', ')}]`;
      return r.found.length > 0
        ? `MetaGraph with tag set ${tags} contains the following denylisted ops: ${set(r.found)}\n`
        : `MetaGraph with tag set ${tags} does not contain the default denylisted ops: ${set(r.denylist)}\n`;
    })
    .join('');
}

// ---------------------------------------------------------------- concrete functions

/**
 * `_show_defined_functions`: for each child of the root object (sorted by name) that is a
 * `tf.function` or a bare concrete function, `Function Name: '<name>'` and, per concrete function
 * (sorted by function name), the arguments of its input signature.
 *
 * Quirks kept: the header is printed without a newline and each function name with a newline
 * before it, so the first name follows the header directly and later ones have a blank line
 * before them (and a model whose root holds no function ends in `Concrete Functions:` without a
 * newline); option numbers count every concrete function, also those that print no option line.
 */
function concreteFunctions(model: SavedModelProto): string {
  const withObjects = model.metaGraphs.filter((m) => Object.prototype.hasOwnProperty.call(m.proto, 'object_graph_def'));
  if (withObjects.length === 0) return '';
  let out = '\nConcrete Functions:';
  const og = model.metaGraphs.length === 1 ? (withObjects[0]!.proto.object_graph_def as Msg) : undefined;
  const nodes = (og?.nodes as Msg[] | undefined) ?? [];
  // tf.saved_model.load needs a single meta graph (no tags are passed) and a root object.
  if (!og || nodes.length === 0) return `${out} N/A (could not be listed due to unknown reasons)\n`;
  const concrete = (og.concrete_functions as Record<string, Msg> | undefined) ?? {};
  const children = [...((nodes[0]!.children as Msg[] | undefined) ?? [])]
    .map((c) => ({ name: String(c.local_name ?? ''), node: nodes[toInt(c.node_id)] }))
    .sort((a, b) => compareCodePoints(a.name, b.name));
  for (const { name, node } of children) {
    const fn = node ? (node.function as Msg | null | undefined) : undefined;
    const bare = node ? (node.bare_concrete_function as Msg | null | undefined) : undefined;
    if (!fn && !bare) continue;
    out += `\n  Function Name: '${name}'\n`;
    const names = fn ? ((fn.concrete_functions as string[] | undefined) ?? []) : [String(bare!.concrete_function_name ?? '')];
    [...names].sort(compareCodePoints).forEach((cfName, i) => {
      const cf = Object.prototype.hasOwnProperty.call(concrete, cfName) ? concrete[cfName] : undefined;
      out += concreteFunctionArgs(cf, bare, i + 1);
    });
  }
  return out;
}

/**
 * One concrete function: its `(args, kwargs)` input signature; when it has none, a bare concrete
 * function's argument keywords stand in for `args`, as `_arg_keywords` does in TF.
 */
function concreteFunctionArgs(cf: Msg | undefined, bare: Msg | null | undefined, index: number): string {
  let args: Py[] | null = null;
  let kwargs: [string, Py][] | null = null;
  const sig = cf && has(cf, 'canonicalized_input_signature') ? decodeStructured(cf.canonicalized_input_signature as Msg) : NONE;
  if (truthy(sig)) {
    // TF unpacks the signature as a pair; anything else would raise there.
    if (sig.k === 'tuple' && sig.items.length === 2) {
      args = iterate(sig.items[0]!);
      kwargs = sig.items[1]!.k === 'dict' ? sig.items[1]!.entries : null;
    }
  } else if (bare) {
    const keywords = (bare.argument_keywords as string[] | undefined) ?? [];
    if (keywords.length > 0) args = keywords.map((v): Py => ({ k: 'str', v }));
  }
  let out = '';
  if (args && args.length > 0) {
    out += `    Option #${index}\n      Callable with:\n${printArgs(args, 'Argument')}`;
  }
  // Iterating a dict yields its keys, so named arguments print their names only.
  if (kwargs && kwargs.length > 0) out += printArgs(kwargs.map(([key]): Py => ({ k: 'str', v: key })), 'Named Argument');
  return out;
}

/** `_print_args(arguments, type, indent=4)`, including its `\b\b` that erases the last ", ". */
function printArgs(args: readonly Py[], type: string): string {
  const pad = '        ';
  let out = '';
  args.forEach((el, i) => {
    out += `${pad}${type} #${i + 1}\n`;
    if (el.k === 'str') out += `${pad}  ${el.v}\n`;
    else if (el.k === 'spec') out += `${pad}  ${el.name === null ? 'None' : el.name}: ${pyRepr(el)}\n`;
    else if (el.k === 'dict') {
      out += `${pad}  DType: dict\n${pad}  Value: {`;
      for (const [key, v] of el.entries) out += `'${key}': ${quoted(v)}, `;
      out += '\b\b}\n';
    } else {
      const items = iterable(el);
      out += `${pad}  DType: ${pyTypeName(el)}\n`;
      if (items) out += `${pad}  Value: [${items.map((v) => `${quoted(v)}, `).join('')}\b\b]\n`;
      else out += `${pad}  Value: ${pyStr(el)}\n`;
    }
  });
  return out;
}

/** `_maybe_add_quotes`: strings in single quotes (unescaped), anything else as `str()`. */
function quoted(v: Py): string {
  return v.k === 'str' ? `'${v.v}'` : pyStr(v);
}

// ---------------------------------------------------------------- Python values

/** A decoded `StructuredValue`: the Python value `nested_structure_coder` would build. */
type Py =
  | { readonly k: 'none' }
  | { readonly k: 'bool'; readonly v: boolean }
  | { readonly k: 'int'; readonly v: string }
  | { readonly k: 'float'; readonly v: number }
  | { readonly k: 'str'; readonly v: string }
  | { readonly k: 'list' | 'tuple'; readonly items: readonly Py[] }
  | { readonly k: 'dict'; readonly entries: [string, Py][] }
  | { readonly k: 'namedtuple'; readonly name: string; readonly entries: [string, Py][] }
  | { readonly k: 'spec'; readonly cls: 'TensorSpec' | 'BoundedTensorSpec'; readonly name: string | null; readonly shape: Shape; readonly dtype: DType }
  | { readonly k: 'shape'; readonly shape: Shape }
  | { readonly k: 'dtype'; readonly dtype: DType }
  | { readonly k: 'typespec'; readonly cls: string; readonly state: Py }
  | { readonly k: 'tensor'; readonly cls: 'Tensor' | 'ndarray' };

const NONE: Py = { k: 'none' };

function has(m: Msg, field: string): boolean {
  return Object.prototype.hasOwnProperty.call(m, field) && m[field] !== null && m[field] !== undefined;
}

const TYPE_SPEC_CLASSES: Record<number, string> = {
  1: 'SparseTensorSpec', 2: 'IndexedSlicesSpec', 3: 'RaggedTensorSpec', 4: 'TensorArraySpec', 5: 'DatasetSpec',
  6: 'IteratorSpec', 7: 'OptionalSpec', 8: 'PerReplicaSpec', 9: 'VariableSpec', 10: 'RowPartitionSpec',
};

function decodeStructured(m: Msg | null | undefined): Py {
  if (!m) return NONE;
  const list = (field: string) => ((m[field] as Msg).values as Msg[] | undefined ?? []).map(decodeStructured);
  if (has(m, 'none_value')) return NONE;
  if (has(m, 'bool_value')) return { k: 'bool', v: Boolean(m.bool_value) };
  if (has(m, 'int64_value')) return { k: 'int', v: String(m.int64_value) };
  if (has(m, 'float64_value')) return { k: 'float', v: Number(m.float64_value) };
  if (has(m, 'string_value')) return { k: 'str', v: String(m.string_value) };
  if (has(m, 'list_value')) return { k: 'list', items: list('list_value') };
  if (has(m, 'tuple_value')) return { k: 'tuple', items: list('tuple_value') };
  if (has(m, 'dict_value')) {
    const fields = ((m.dict_value as Msg).fields ?? {}) as Record<string, Msg>;
    return { k: 'dict', entries: Object.keys(fields).sort(compareCodePoints).map((key) => [key, decodeStructured(fields[key])]) };
  }
  if (has(m, 'named_tuple_value')) {
    const nt = m.named_tuple_value as Msg;
    const pairs = (nt.values as Msg[] | undefined) ?? [];
    return { k: 'namedtuple', name: String(nt.name ?? ''), entries: pairs.map((p) => [String(p.key ?? ''), decodeStructured(p.value as Msg)]) };
  }
  if (has(m, 'tensor_spec_value') || has(m, 'bounded_tensor_spec_value')) {
    const bounded = !has(m, 'tensor_spec_value');
    const s = m[bounded ? 'bounded_tensor_spec_value' : 'tensor_spec_value'] as Msg;
    const name = String(s.name ?? '');
    return { k: 'spec', cls: bounded ? 'BoundedTensorSpec' : 'TensorSpec', name: name === '' ? null : name, shape: shapeFromProto(s.shape as Msg | undefined), dtype: dtypeOf(s.dtype) };
  }
  if (has(m, 'tensor_shape_value')) return { k: 'shape', shape: shapeFromProto(m.tensor_shape_value as Msg) };
  if (has(m, 'tensor_dtype_value')) return { k: 'dtype', dtype: dtypeOf(m.tensor_dtype_value) };
  if (has(m, 'type_spec_value')) {
    const t = m.type_spec_value as Msg;
    const cls = TYPE_SPEC_CLASSES[toInt(t.type_spec_class)] ?? (String(t.type_spec_class_name ?? '') || 'TypeSpec');
    return { k: 'typespec', cls, state: decodeStructured(t.type_state as Msg | undefined) };
  }
  if (has(m, 'tensor_value')) return { k: 'tensor', cls: 'Tensor' };
  if (has(m, 'numpy_value')) return { k: 'tensor', cls: 'ndarray' };
  return NONE;
}

/** Python truthiness, for `if concrete_function.structured_input_signature:`. */
function truthy(v: Py): boolean {
  switch (v.k) {
    case 'none': return false;
    case 'bool': return v.v;
    case 'int': return v.v !== '0';
    case 'float': return v.v !== 0;
    case 'str': return v.v !== '';
    case 'list': case 'tuple': return v.items.length > 0;
    case 'dict': case 'namedtuple': return v.entries.length > 0;
    default: return true;
  }
}

/** The items iterating `v` yields, for the non-dict iterables `_print_args` lists; else null. */
function iterable(v: Py): readonly Py[] | null {
  if (v.k === 'list' || v.k === 'tuple') return v.items;
  if (v.k === 'namedtuple') return v.entries.map(([, x]) => x);
  if (v.k === 'shape' && !v.shape.unknownRank) return v.shape.dims.map((d): Py => (d < 0 ? NONE : { k: 'int', v: String(d) }));
  return null;
}

/** The `args` of a signature: the elements of a tuple (or list), nothing for anything else. */
function iterate(v: Py): Py[] {
  return v.k === 'tuple' || v.k === 'list' ? [...v.items] : [];
}

/** `type(v).__name__`. */
function pyTypeName(v: Py): string {
  switch (v.k) {
    case 'none': return 'NoneType';
    case 'spec': return v.cls;
    case 'shape': return 'TensorShape';
    case 'dtype': return 'DType';
    case 'typespec': return v.cls;
    case 'namedtuple': return v.name;
    case 'tensor': return v.cls;
    default: return v.k;
  }
}

/** `str(v)`: as `repr` except for strings and shapes. */
function pyStr(v: Py): string {
  if (v.k === 'str') return v.v;
  if (v.k === 'shape') return shapeStr(v.shape);
  return pyRepr(v);
}

/** `repr(v)`. */
function pyRepr(v: Py): string {
  switch (v.k) {
    case 'none': return 'None';
    case 'bool': return v.v ? 'True' : 'False';
    case 'int': return v.v;
    case 'float': return pyFloatRepr(v.v);
    case 'str': return pyStrRepr(v.v);
    case 'list': return `[${v.items.map(pyRepr).join(', ')}]`;
    case 'tuple': return v.items.length === 1 ? `(${pyRepr(v.items[0]!)},)` : `(${v.items.map(pyRepr).join(', ')})`;
    case 'dict': return `{${v.entries.map(([key, x]) => `${pyStrRepr(key)}: ${pyRepr(x)}`).join(', ')}}`;
    case 'namedtuple': return `${v.name}(${v.entries.map(([key, x]) => `${key}=${pyRepr(x)}`).join(', ')})`;
    case 'spec': {
      const base = `shape=${shapeStr(v.shape)}, dtype=${pyDTypeRepr(v.dtype)}, name=${v.name === null ? 'None' : pyStrRepr(v.name)}`;
      // The bounds are numpy arrays; graft does not print their values.
      return v.cls === 'TensorSpec' ? `TensorSpec(${base})` : `BoundedTensorSpec(${base}, minimum=..., maximum=...)`;
    }
    case 'shape': return v.shape.unknownRank ? 'TensorShape(None)' : `TensorShape([${v.shape.dims.map(dimStr).join(', ')}])`;
    case 'dtype': return pyDTypeRepr(v.dtype);
    case 'typespec': {
      const state = v.state.k === 'tuple' ? pyRepr(v.state) : `(${pyRepr(v.state)})`;
      return `${v.cls}${state}`;
    }
    case 'tensor': return `<${v.cls}>`;
  }
}

/** `str(TensorShape)`: `(None, 3)`, `(3,)` for rank 1, `()`, `<unknown>`. */
function shapeStr(s: Shape): string {
  if (s.unknownRank) return '<unknown>';
  if (s.dims.length === 1) return `(${dimStr(s.dims[0]!)},)`;
  return `(${s.dims.map(dimStr).join(', ')})`;
}

function dimStr(d: number): string {
  return d < 0 ? 'None' : String(d);
}

/** `repr(tf.DType)`: `tf.float32`, `tf.float32_ref`. */
function pyDTypeRepr(dtype: DType): string {
  const base = baseDType(dtype);
  const names: Record<string, string> = { float: 'float32', double: 'float64', half: 'float16' };
  const name = names[base] ?? base;
  return `tf.${name}${dtype.endsWith('_ref') ? '_ref' : ''}`;
}

/** Python's `repr(str)`: single quotes unless the text has one and no double quote. */
function pyStrRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\' || ch === q) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + q;
}

/**
 * Python's `repr(float)`: the shortest round-tripping digits (as JavaScript finds them), in
 * positional notation when the decimal exponent is in [-4, 16), else as `1.5e-05`/`1e+16`.
 */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mant, expText] = Math.abs(x).toExponential().split('e') as [string, string];
  const exp = Number(expText);
  const digits = mant.replace('.', '');
  if (exp >= -4 && exp < 16) {
    if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
    const whole = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
    const frac = digits.slice(exp + 1);
    return `${sign}${whole}.${frac === '' ? '0' : frac}`;
  }
  const m = digits.length === 1 ? digits : `${digits[0]}.${digits.slice(1)}`;
  return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

// ---------------------------------------------------------------- helpers

function dtypeOf(v: unknown): DType {
  if (typeof v === 'string') return parseDType(v) ?? 'invalid';
  return dtypeFromEnum(toInt(v));
}

function toInt(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return Number(v) || 0;
  if (v && typeof (v as { toNumber?: unknown }).toNumber === 'function') return (v as { toNumber(): number }).toNumber();
  return 0;
}


/** Python's order of lists of strings: element by element, a prefix first. */
function compareStringLists(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareCodePoints(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

function sortedKeys(o: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(o).sort(compareCodePoints);
}
