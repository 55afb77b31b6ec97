/**
 * Argument checks for the public API: a caller passing a plain object where a `Graph` goes, a
 * number among a node's inputs, a string where bytes go, gets `api/bad-argument` naming the
 * parameter, never a raw `TypeError` from deep inside. (No import of the IR's types: `node.ts`
 * and `graph.ts` use these checks.) Each check is one pass over what it
 * looks at (no per-edge objects); none decodes a lazily loaded node's attributes.
 */
import { badArgument, describeValue, GraftError } from '../errors';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** What is wrong with `v` as a node (`where` names it), or undefined. */
export function nodeProblem(v: unknown, where: string): string | undefined {
  if (!isObject(v)) return `${where} must be a node object, not ${describeValue(v)}`;
  if (typeof v.name !== 'string') return `${where}.name must be a string, not ${describeValue(v.name)}`;
  if (typeof v.op !== 'string') return `${where}.op must be a string, not ${describeValue(v.op)}`;
  if (v.inputs !== undefined) {
    if (!Array.isArray(v.inputs)) return `${where}.inputs must be an array of strings, not ${describeValue(v.inputs)}`;
    for (let i = 0; i < v.inputs.length; i++) {
      if (typeof v.inputs[i] !== 'string') return `${where}.inputs[${i}] must be a string (an input name such as 'x' or 'x:1'), not ${describeValue(v.inputs[i])}`;
    }
  }
  if (v.attrs !== undefined && !isObject(v.attrs)) return `${where}.attrs must be an object, not ${describeValue(v.attrs)}`;
  if (v.device !== undefined && typeof v.device !== 'string') return `${where}.device must be a string, not ${describeValue(v.device)}`;
  return undefined;
}

/** What is wrong with `v` as a graph, or undefined: an object whose `nodes` is an array of nodes. */
export function graphProblem(v: unknown, where = 'graph'): string | undefined {
  if (!isObject(v)) return `${where} must be a Graph (an object with a nodes array), not ${describeValue(v)}`;
  if (!Array.isArray(v.nodes)) return `${where}.nodes must be an array of nodes, not ${describeValue(v.nodes)}`;
  const nodes = v.nodes as unknown[];
  for (let i = 0; i < nodes.length; i++) {
    // The name of the place is made only for a node that has a problem (not one string per node).
    if (nodeProblem(nodes[i], '') !== undefined) return nodeProblem(nodes[i], `${where}.nodes[${i}]`);
  }
  return undefined;
}

/** Throws `api/bad-argument` (naming `fn` and `param`) unless `v` is a graph. */
export function checkGraphArgument(fn: string, param: string, v: unknown): void {
  const p = graphProblem(v, param);
  if (p) throw new GraftError('api/bad-argument', `${fn}: ${p}`, { param });
  checkLibrary(fn, param, v as Record<string, unknown>);
}

/** Throws `api/bad-argument` unless `v` is a node. */
export function checkNodeArgument(fn: string, param: string, v: unknown): void {
  const p = nodeProblem(v, param);
  if (p) throw new GraftError('api/bad-argument', `${fn}: ${p}`, { param });
}

/** Throws `api/bad-argument` unless `v` is a `Uint8Array` (a Buffer is one). */
export function checkBytesArgument(fn: string, param: string, v: unknown): void {
  if (!(v instanceof Uint8Array)) throw badArgument(fn, param, 'a Uint8Array of the file bytes', v, 'Read the file first (fs.readFileSync gives a Buffer, which is a Uint8Array).');
}

/** Throws `api/bad-argument` unless `v` is a non-empty string. */
export function checkStringArgument(fn: string, param: string, v: unknown): void {
  if (typeof v !== 'string' || v === '') throw badArgument(fn, param, 'a non-empty string', v);
}

/** What is wrong with `v` as a tensor, or undefined. */
export function tensorProblem(v: unknown, where: string, dims: 'non-negative' | 'any' = 'non-negative'): string | undefined {
  if (!isObject(v)) return `${where} must be a Tensor (makeTensor, readNpy), not ${describeValue(v)}`;
  if (typeof v.dtype !== 'string') return `${where}.dtype must be a dtype name, not ${describeValue(v.dtype)}`;
  const okDim = dims === 'any' ? (d: unknown) => Number.isInteger(d) : (d: unknown) => Number.isInteger(d) && (d as number) >= 0;
  if (!Array.isArray(v.shape) || !v.shape.every(okDim)) return `${where}.shape must be an array of ${dims === 'any' ? '' : 'non-negative '}integers, not ${describeValue(v.shape)}`;
  if (!isObject(v.data) || typeof v.data.kind !== 'string') return `${where}.data must be tensor data (make tensors with makeTensor), not ${describeValue(v.data)}`;
  return undefined;
}

/** Throws `api/bad-argument` unless `feeds` maps names to tensors. */
export function checkFeedsArgument(fn: string, feeds: unknown, param = 'feeds'): void {
  if (!isObject(feeds)) throw badArgument(fn, param, 'an object mapping tensor names to Tensors', feeds);
  for (const [k, t] of Object.entries(feeds)) {
    const p = tensorProblem(t, `${param}['${k}']`);
    if (p) throw new GraftError('api/bad-argument', `${fn}: ${p}`, { param: `${param}['${k}']` });
  }
}

/** Throws `api/bad-argument` unless `v` is an array of strings. */
export function checkStringsArgument(fn: string, param: string, v: unknown): void {
  if (!Array.isArray(v)) throw badArgument(fn, param, 'an array of strings', v);
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') throw badArgument(fn, `${param}[${i}]`, 'a string', v[i]);
}

/**
 * The cheap check (constant time) for functions on hot paths: `v` is an object whose `nodes` is
 * an array (or, with `nodeList`, an array of nodes itself). Nodes are not looked into.
 */
export function checkGraphShallow(fn: string, param: string, v: unknown, nodeList = false): void {
  if (nodeList && Array.isArray(v)) return;
  if (!isObject(v) || !Array.isArray(v.nodes)) throw badArgument(fn, param, nodeList ? 'a Graph or an array of nodes' : 'a Graph (an object with a nodes array)', v);
  checkLibrary(fn, param, v);
}

/** A graph's `library` must be an object with a `functions` array (makeGraph gives one). */
function checkLibrary(fn: string, param: string, g: Record<string, unknown>): void {
  const lib = g.library;
  if (!isObject(lib) || !Array.isArray(lib.functions)) throw badArgument(fn, `${param}.library`, 'a function library ({ functions: [...] }; make graphs with makeGraph)', lib);
}

/** Throws `api/bad-argument` unless `v` is a tensor (its fields' types; the data is not looked into). */
export function checkTensorArgument(fn: string, param: string, v: unknown, dims: 'non-negative' | 'any' = 'non-negative'): void {
  const p = tensorProblem(v, param, dims);
  if (p) throw new GraftError('api/bad-argument', `${fn}: ${p}`, { param });
}

/** Throws `api/bad-argument` unless `v` is a string (empty allowed). Constant time: for per-edge helpers too. */
export function checkString(fn: string, param: string, v: unknown): void {
  if (typeof v !== 'string') throw badArgument(fn, param, 'a string', v);
}

/** Throws `api/bad-argument` unless `v` is a plain object (not null, not an array). */
export function checkObject(fn: string, param: string, v: unknown, expected = 'an object'): void {
  if (!isObject(v)) throw badArgument(fn, param, expected, v);
}

/** Throws `api/bad-argument` unless `v` is undefined or an object (an options bag). */
export function checkOptions(fn: string, param: string, v: unknown): void {
  if (v !== undefined && !isObject(v)) throw badArgument(fn, param, 'an options object (or nothing)', v);
}

/** Throws `api/bad-argument` unless `v` is an array (its items are not looked into). */
export function checkArray(fn: string, param: string, v: unknown, expected = 'an array'): void {
  if (!Array.isArray(v)) throw badArgument(fn, param, expected, v);
}

/** Throws `api/bad-argument` unless `v` is a function. */
export function checkFunction(fn: string, param: string, v: unknown): void {
  if (typeof v !== 'function') throw badArgument(fn, param, 'a function', v);
}

/** Throws `api/bad-argument` unless `v` is an object with a string `name` and `op` and an `inputs` array (constant time). */
export function checkNodeShallow(fn: string, param: string, v: unknown): void {
  if (!isObject(v) || typeof v.name !== 'string' || typeof v.op !== 'string' || !Array.isArray(v.inputs) || !isObject(v.attrs)) {
    throw badArgument(fn, param, 'a Node (name, op, inputs, attrs; make nodes with makeNode)', v);
  }
}

/** Throws `api/bad-argument` unless `v` looks like a LoadedModel (loadModel's answer): its `kind` and what that kind holds. */
export function checkLoadedModel(fn: string, param: string, v: unknown): void {
  const ok = isObject(v) && (
    (v.kind === 'graph-def' && isObject(v.graph)) ||
    (v.kind === 'meta-graph' && isObject(v.metaGraph)) ||
    (v.kind === 'saved-model' && isObject(v.savedModel) && Array.isArray(v.savedModel.metaGraphs) && v.savedModel.metaGraphs.length > 0)
  );
  if (!ok) throw badArgument(fn, param, 'a LoadedModel (what loadModel returns)', v);
}

/** Throws `api/bad-argument` unless `v` looks like a MetaGraph: a graph, a signatures object, tags and proto. */
export function checkMetaGraph(fn: string, param: string, v: unknown): void {
  if (!isObject(v) || !isObject(v.graph) || !isObject(v.signatures) || !Array.isArray(v.tags) || !isObject(v.proto)) {
    throw badArgument(fn, param, 'a MetaGraph (tags, graph, signatures, proto; from decodeMetaGraph or decodeSavedModel)', v);
  }
}

/** Throws `api/bad-argument` unless `v` looks like a SavedModelProto: a metaGraphs array (its items checked shallowly). */
export function checkSavedModel(fn: string, param: string, v: unknown): void {
  if (!isObject(v) || !Array.isArray(v.metaGraphs)) throw badArgument(fn, param, 'a SavedModelProto (from decodeSavedModel; { schemaVersion, metaGraphs })', v);
  v.metaGraphs.forEach((m, i) => checkMetaGraph(fn, `${param}.metaGraphs[${i}]`, m));
}

type FieldKind = 'array' | 'object' | 'string' | 'function' | 'number';

/**
 * Throws `api/bad-argument` unless `v` is an object whose listed fields have the listed kinds
 * (constant time: the fields' contents are not looked into). `expected` says what `v` should be,
 * e.g. 'a BenchReport (what bench returns)'.
 */
export function checkFields(fn: string, param: string, v: unknown, fields: Readonly<Record<string, FieldKind>>, expected: string): void {
  if (!isObject(v)) throw badArgument(fn, param, expected, v);
  for (const [k, kind] of Object.entries(fields)) {
    const f = v[k];
    const ok = kind === 'array' ? Array.isArray(f) : kind === 'object' ? isObject(f) : typeof f === kind;
    if (!ok) throw badArgument(fn, `${param}.${k}`, `${kind === 'array' || kind === 'object' ? `an ${kind}` : `a ${kind}`} (${param} must be ${expected})`, f);
  }
}
