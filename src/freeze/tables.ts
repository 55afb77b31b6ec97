/**
 * Lookup tables through freezing. TensorFlow's freeze keeps table ops but drops their
 * initializers (nothing the outputs need reads them), so a frozen graph with a table fails with
 * `Table not initialized` unless the user names the init op as an extra output and runs it. graft
 * instead keeps each kept table's initializers and makes them control inputs of the ops that read
 * the table (`LookupTableFindV2`, `LookupTableSizeV2`, ...). The frozen graph then initializes its
 * own tables, in graft and in TensorFlow alike (a second initialization with the same entries is
 * accepted by both), and structural transforms keep the initializers, since control edges are
 * kept.
 *
 * A table filled from a vocabulary asset (`InitializeTableFromTextFileV2` reading an asset tensor)
 * becomes `InitializeTableV2` with the vocabulary as two constants when the asset's bytes are
 * given: the frozen graph needs no file. Without them the text-file initializer is kept with a
 * warning, and reads its path at run time.
 */
import type { Diagnostic } from '../diagnostics';
import { attr } from '../ir/attr';
import type { FunctionDef, Graph } from '../ir/graph';
import { withNodes } from '../ir/graph';
import { calledFunction } from '../ir/inline';
import { type Node, makeNode, parseInput } from '../ir/node';
import { TABLE_CREATE_OPS, TABLE_INIT_OPS, parseTextFileTable } from '../ir/lookup-tables';

/**
 * The node a table handle comes from: `input`'s node, through `Identity` nodes (what inlining a
 * TF2 function leaves between a table and the ops that use it).
 */
function tableRoot(byName: ReadonlyMap<string, Node>, input: string): string {
  let name = parseInput(input).node;
  for (let hops = 0; hops < 64; hops++) {
    const n = byName.get(name);
    if (!n || n.op !== 'Identity' || n.inputs.length === 0 || n.inputs[0]!.startsWith('^')) break;
    name = parseInput(n.inputs[0]!).node;
  }
  return name;
}

/**
 * Whether the function `name` (or one it calls, at any depth) holds an op of `ops`: a walk with
 * an explicit stack (a library's call chains can be as deep as it is long), each function
 * visited once.
 */
function functionHolds(library: ReadonlyMap<string, FunctionDef>, name: string, ops: ReadonlySet<string>): boolean {
  const seen = new Set<string>([name]);
  const stack = [name];
  while (stack.length > 0) {
    const f = library.get(stack.pop()!);
    if (!f) continue;
    for (const n of f.nodes) {
      if (ops.has(n.op)) return true;
      const called = calledFunction(n, library);
      if (called !== undefined && !seen.has(called.name)) {
        seen.add(called.name);
        stack.push(called.name);
      }
    }
  }
  return false;
}

/**
 * The initializer nodes of the tables among `kept` node names, from the original graph: the
 * table init ops whose table (through `Identity`) is a kept table op, and, as TF 2.x writes
 * tables, the function calls that take a kept table handle (a table op's, or a call's whose
 * function makes a table) and whose function fills a table (`__inference__initializer_*`, run by
 * the init op).
 */
export function tableInitializers(original: Graph, kept: ReadonlySet<string>): string[] {
  const library = new Map(original.library.functions.map((f) => [f.signature.name, f]));
  const calls = (n: Node, ops: ReadonlySet<string>) => {
    const called = calledFunction(n, library);
    return called !== undefined && functionHolds(library, called.name, ops);
  };
  const tables = new Set(original.nodes.filter((n) => kept.has(n.name) && (TABLE_CREATE_OPS.has(n.op) || calls(n, TABLE_CREATE_OPS))).map((n) => n.name));
  if (tables.size === 0) return [];
  const byName = new Map(original.nodes.map((n) => [n.name, n]));
  const takesTable = (n: Node) => n.inputs.some((i) => !i.startsWith('^') && tables.has(tableRoot(byName, i)));
  return original.nodes
    .filter((n) => (TABLE_INIT_OPS.has(n.op) && n.inputs.length > 0 && tables.has(tableRoot(byName, n.inputs[0]!))) || (takesTable(n) && calls(n, TABLE_INIT_OPS)))
    .map((n) => n.name);
}

/** Reads of a table: every op with the table handle as input 0 that is not an initializer. */
function isTableRead(n: Node): boolean {
  return /^LookupTable(Find|Size|Export)(V2)?$/.test(n.op);
}

/**
 * Wires the initializers into the frozen graph: text-file initializers of known assets become
 * constant ones, and every read of a table gets its initializers as control inputs.
 *
 * @param assets asset tensor name (`Const_3:0`) → the file's bytes
 */
export function wireTableInitializers(
  graph: Graph,
  initializers: readonly string[],
  assets: ReadonlyMap<string, { filename: string; bytes: Uint8Array }>,
  diagnostics: Diagnostic[],
): Graph {
  if (initializers.length === 0) return graph;
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  const initSet = new Set(initializers.filter((n) => byName.has(n)));
  const initsOf = new Map<string, string[]>();
  for (const name of initSet) {
    const init = byName.get(name)!;
    // A call (an initializer function not inlined) is wired to no read here: its table is inside.
    if (!TABLE_INIT_OPS.has(init.op)) continue;
    const table = tableRoot(byName, init.inputs[0]!);
    initsOf.set(table, [...(initsOf.get(table) ?? []), name]);
  }
  const replaced = new Map<string, Node[]>();
  for (const name of initSet) {
    const n = byName.get(name)!;
    if (n.op !== 'InitializeTableFromTextFileV2' && n.op !== 'InitializeTableFromTextFile') continue;
    const fileRef = n.inputs[1] ?? '';
    const fileNode = parseInput(fileRef).node;
    const asset = assets.get(fileRef.includes(':') ? fileRef : `${fileRef}:0`);
    const table = byName.get(tableRoot(byName, n.inputs[0]!));
    if (!asset || !table) {
      diagnostics.push({
        severity: 'warning',
        code: 'freeze/table-asset',
        node: name,
        message: `Table initializer '${name}' reads the file named by '${fileNode}' at run time${asset ? '' : ' (no asset bytes were given to fold it into constants)'}`,
      });
      continue;
    }
    const keyDType = table.attrs.key_dtype?.kind === 'type' ? table.attrs.key_dtype.value : 'string';
    const valueDType = table.attrs.value_dtype?.kind === 'type' ? table.attrs.value_dtype.value : 'int64';
    const num = (k: string, d: number) => {
      const a = n.attrs[k];
      return a?.kind === 'i' ? Number(a.value) : d;
    };
    const delim = n.attrs.delimiter?.kind === 's' ? n.attrs.delimiter.value : '\t';
    const { keys, values } = parseTextFileTable(asset.bytes, asset.filename, {
      keyDType,
      valueDType,
      keyIndex: num('key_index', -2),
      valueIndex: num('value_index', -1),
      vocabSize: num('vocab_size', -1),
      delimiter: typeof delim === 'string' ? delim : new TextDecoder().decode(delim),
      offset: num('offset', 0),
    });
    const kName = `${name}/keys`;
    const vName = `${name}/values`;
    replaced.set(name, [
      makeNode({ name: kName, op: 'Const', device: n.device, attrs: { dtype: attr.type(keyDType), value: attr.tensor(keys) } }),
      makeNode({ name: vName, op: 'Const', device: n.device, attrs: { dtype: attr.type(valueDType), value: attr.tensor(values) } }),
      makeNode({
        name,
        op: 'InitializeTableV2',
        device: n.device,
        inputs: [n.inputs[0]!, kName, vName, ...n.inputs.filter((i) => i.startsWith('^'))],
        attrs: { Tkey: attr.type(keyDType), Tval: attr.type(valueDType) },
      }),
    ]);
  }
  const nodes: Node[] = [];
  for (const n of graph.nodes) {
    const r = replaced.get(n.name);
    if (r) {
      nodes.push(...r);
      continue;
    }
    if (isTableRead(n) && n.inputs.length > 0) {
      const inits = initsOf.get(tableRoot(byName, n.inputs[0]!)) ?? [];
      const extra = inits.map((i) => `^${i}`).filter((c) => !n.inputs.includes(c));
      if (extra.length) {
        nodes.push(Object.freeze({ ...n, inputs: Object.freeze([...n.inputs, ...extra]) }));
        continue;
      }
    }
    nodes.push(n);
  }
  // The asset path constants of folded initializers are no longer read by anything.
  const used = new Set(nodes.flatMap((n) => n.inputs.map((i) => parseInput(i).node)));
  const foldedFiles = new Set([...replaced.keys()].map((k) => parseInput(byName.get(k)!.inputs[1]!).node));
  return withNodes(graph, nodes.filter((n) => !(foldedFiles.has(n.name) && !used.has(n.name) && n.op === 'Const')));
}
