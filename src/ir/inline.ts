/**
 * Function inlining: `PartitionedCall` / `StatefulPartitionedCall` nodes (and nodes whose op is
 * a library function) are replaced by the function's body, nested calls included, so that the
 * computation of a TF2 SavedModel lives in one graph.
 *
 * Body nodes are named `<call>/<body node>`. The call node itself becomes an `Identity` (one
 * output) or `IdentityN` of the body's results under the call's own name, so `call:k` still
 * names the same tensor; afterwards those pass-through nodes are spliced out unless they are
 * protected (graph outputs, signature tensors). Control inputs of the call are added to the
 * body's entry nodes; the body's control outputs become control inputs of the pass-through node.
 *
 * `If`, `While` and `Case` are not inlined: they keep their functions.
 */
import { type ErrorCode, GraftError } from '../errors';
import { type AttrValue, attr } from './attr';
import { type DType, dtypeFromEnum } from './dtype';
import { type FunctionDef, type Graph, makeGraph } from './graph';
import { type Node, inputNodeName, makeNode, parseInput } from './node';
import { flatOutputIndex } from './op-outputs';
import { checkGraphShallow } from './check';

/** Ops that call the function named by their `f` attribute. */
export const CALL_OPS: ReadonlySet<string> = new Set(['PartitionedCall', 'StatefulPartitionedCall']);

export interface InlineOptions {
  /** Node names whose pass-through node must stay (graph outputs and inputs). */
  readonly protectedNodes?: ReadonlySet<string>;
  /** Deepest nesting of calls before giving up (recursion guard); default 64. */
  readonly maxDepth?: number;
  /**
   * Which call nodes to inline; default every call (`PartitionedCall`, `StatefulPartitionedCall`
   * and nodes whose op names a library function).
   */
  readonly inline?: (node: Node) => boolean;
  /** The error code of what cannot be inlined; default `freeze/unsupported`. */
  readonly errorCode?: ErrorCode;
}

export interface InlineResult {
  readonly graph: Graph;
  /** How many call nodes were inlined. */
  readonly inlined: number;
}

interface ArgDef {
  readonly name: string;
  readonly type?: number;
  readonly number_attr?: string;
  readonly type_list_attr?: string;
  readonly type_attr?: string;
}

function argList(fn: FunctionDef, key: 'input_arg' | 'output_arg'): ArgDef[] {
  return ((fn.signature as Record<string, unknown>)[key] as ArgDef[] | undefined) ?? [];
}

/** The function a node calls, if it is a call: `{ name, attrs }`. */
export function calledFunction(node: Node, library: ReadonlyMap<string, FunctionDef>): { name: string; attrs: Readonly<Record<string, AttrValue>> } | undefined {
  if (CALL_OPS.has(node.op)) {
    const f = node.attrs.f;
    if (f && f.kind === 'func') return { name: f.value.name, attrs: f.value.attrs };
    return undefined;
  }
  if (library.has(node.op)) return { name: node.op, attrs: node.attrs };
  return undefined;
}

function substituteAttrs(attrs: Readonly<Record<string, AttrValue>>, from: Readonly<Record<string, AttrValue>>): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  for (const [k, v] of Object.entries(attrs)) out[k] = v.kind === 'placeholder' && from[v.value] ? from[v.value]! : v;
  return out;
}

/**
 * Inlines every function call in the graph, nested calls included.
 *
 * @example
 * ```ts
 * const { graph } = inlineFunctionCalls(savedModelGraph, { protectedNodes: new Set(['StatefulPartitionedCall']) });
 * ```
 */
export function inlineFunctionCalls(graph: Graph, opts: InlineOptions = {}): InlineResult {
  checkGraphShallow('inlineFunctionCalls', 'graph', graph);
  const library = new Map(graph.library.functions.map((f) => [f.signature.name, f] as const));
  const maxDepth = opts.maxDepth ?? 64;
  const nodes: Node[] = [...graph.nodes];
  const names = new Set(nodes.map((n) => n.name));
  const depth = new Map<string, number>();
  const passThrough = new Set<string>();
  const code = opts.errorCode ?? 'freeze/unsupported';
  const wanted = opts.inline ?? (() => true);
  let inlined = 0;

  const unique = (base: string): string => {
    let name = base;
    for (let k = 1; names.has(name); k++) name = `${base}_${k}`;
    names.add(name);
    return name;
  };

  for (let i = 0; i < nodes.length; i++) {
    const call = nodes[i]!;
    const target = calledFunction(call, library);
    if (!target || !wanted(call)) continue;
    const fn = library.get(target.name);
    if (!fn) {
      throw new GraftError(code, `Node '${call.name}' calls function '${target.name}', which is not in the graph's library`, { node: call.name, op: call.op });
    }
    const d = (depth.get(call.name) ?? 0) + 1;
    if (d > maxDepth) {
      throw new GraftError(code, `Calls nest deeper than ${maxDepth} levels at '${call.name}' (function '${target.name}'): recursive functions cannot be inlined`, { node: call.name, op: call.op });
    }
    const inputArgs = argList(fn, 'input_arg');
    const outputArgs = argList(fn, 'output_arg');
    for (const a of [...inputArgs, ...outputArgs]) {
      if (a.number_attr || a.type_list_attr) {
        throw new GraftError(code, `Function '${target.name}' (called by '${call.name}') has a list argument '${a.name}'; only single-tensor arguments are inlined`, { node: call.name, op: call.op });
      }
    }
    const dataInputs = call.inputs.filter((s) => !s.startsWith('^'));
    const controlInputs = call.inputs.filter((s) => s.startsWith('^'));
    if (dataInputs.length !== inputArgs.length) {
      throw new GraftError(code, `Node '${call.name}' passes ${dataInputs.length} inputs to function '${target.name}', which takes ${inputArgs.length}`, { node: call.name, op: call.op });
    }
    const argValue = new Map(inputArgs.map((a, k) => [a.name, dataInputs[k]!] as const));
    const bodyByName = new Map(fn.nodes.map((n) => [n.name, n] as const));
    const rename = new Map(fn.nodes.map((n) => [n.name, unique(`${call.name}/${n.name}`)] as const));

    const mapRef = (s: string): string => {
      if (s.startsWith('^')) {
        const x = s.slice(1);
        const arg = argValue.get(x);
        if (arg !== undefined) return `^${inputNodeName(arg)}`;
        const r = rename.get(x);
        if (r === undefined) throw new GraftError(code, `Function '${target.name}' refers to '${x}', which is neither an argument nor a node`, { node: call.name });
        return `^${r}`;
      }
      const arg = argValue.get(s);
      if (arg !== undefined) return arg;
      const ref = parseInput(s);
      const bodyNode = bodyByName.get(ref.node);
      if (!bodyNode) throw new GraftError(code, `Function '${target.name}' refers to '${s}', which is neither an argument nor a node`, { node: call.name });
      let port = ref.port;
      if (ref.outputArg !== undefined) {
        const flat = flatOutputIndex(bodyNode, ref.outputArg, ref.port);
        if (flat === undefined) {
          throw new GraftError(code, `Op ${bodyNode.op} has no output '${ref.outputArg}' (in function '${target.name}', node '${bodyNode.name}')`, { node: bodyNode.name, op: bodyNode.op });
        }
        port = flat;
      }
      const r = rename.get(ref.node)!;
      return port === 0 ? r : `${r}:${port}`;
    };

    const body: Node[] = [];
    for (const n of fn.nodes) {
      const inputs = n.inputs.map(mapRef);
      // Entry nodes (no input from another body node) wait for the call's control inputs.
      const entry = n.inputs.every((s) => argValue.has(s.startsWith('^') ? s.slice(1) : s));
      const data = inputs.filter((s) => !s.startsWith('^'));
      const controls = inputs.filter((s) => s.startsWith('^'));
      if (entry) for (const c of controlInputs) controls.push(c);
      const newName = rename.get(n.name)!;
      body.push(
        makeNode({
          name: newName,
          op: n.op,
          inputs: [...data, ...new Set(controls)],
          device: n.device || call.device,
          attrs: substituteAttrs(n.attrs, target.attrs),
          ...(n.extras ? { extras: { ...n.extras } } : {}),
        }),
      );
      depth.set(newName, d);
    }
    const results = outputArgs.map((a) => {
      const r = fn.ret[a.name];
      if (r === undefined) throw new GraftError(code, `Function '${target.name}' does not say what its output '${a.name}' returns`, { node: call.name });
      return mapRef(r);
    });
    const controlRets = Object.values(fn.controlRet).map((n) => `^${rename.get(n) ?? n}`);
    const tout = call.attrs.Tout;
    const types: DType[] = outputArgs.map((a, k) => (tout?.kind === 'list' && tout.value.type?.[k]) || dtypeFromEnum(Number(a.type ?? 0)));
    const shapes = call.attrs._output_shapes;
    let replacement: Node;
    if (results.length === 0) {
      replacement = makeNode({ name: call.name, op: 'NoOp', inputs: [...new Set([...controlRets, ...controlInputs])], device: call.device });
    } else if (results.length === 1) {
      replacement = makeNode({ name: call.name, op: 'Identity', inputs: [...results, ...new Set(controlRets)], device: call.device, attrs: { T: attr.type(types[0]!), ...(shapes ? { _output_shapes: shapes } : {}) } });
    } else {
      replacement = makeNode({ name: call.name, op: 'IdentityN', inputs: [...results, ...new Set(controlRets)], device: call.device, attrs: { T: attr.list({ type: types }), ...(shapes ? { _output_shapes: shapes } : {}) } });
    }
    passThrough.add(call.name);
    // Not `splice(i, 1, ...body)`: a body can hold more nodes than an argument list.
    const tail = nodes.splice(i + 1);
    nodes.length = i;
    for (const b of body) nodes.push(b);
    nodes.push(replacement);
    for (const t of tail) nodes.push(t);
    i--; // the body's first node sits at i now; it may itself be a call
    inlined++;
  }
  if (inlined === 0) return { graph, inlined };
  const spliced = splicePassThrough(nodes, passThrough, opts.protectedNodes ?? new Set());
  return { graph: makeGraph(spliced, graph), inlined };
}

/**
 * Removes the pass-through nodes that replaced calls (unless protected), rewiring `call:k` to
 * the k-th result and `^call` to control edges on everything the call waited for.
 */
function splicePassThrough(nodes: readonly Node[], passThrough: ReadonlySet<string>, protectedNodes: ReadonlySet<string>): Node[] {
  const byName = new Map(nodes.map((n) => [n.name, n] as const));
  const removable = (name: string) => passThrough.has(name) && !protectedNodes.has(name);
  const dataMemo = new Map<string, string>();
  const controlMemo = new Map<string, string[]>();

  // Both walks are iterative: chains of calls can be arbitrarily long.
  const resolveData = (s: string): string => {
    const path: string[] = [];
    const seen = new Set<string>();
    let cur = s;
    let out: string | undefined;
    for (;;) {
      const ref = parseInput(cur);
      if (ref.control || !removable(ref.node)) break;
      const key = `${ref.node}:${ref.port}`;
      const hit = dataMemo.get(key);
      if (hit !== undefined) {
        out = hit;
        break;
      }
      if (seen.has(key)) break;
      seen.add(key);
      path.push(key);
      const data = byName.get(ref.node)!.inputs.filter((x) => !x.startsWith('^'));
      if (data[ref.port] === undefined) break;
      cur = data[ref.port]!;
    }
    out ??= cur;
    for (const key of path) dataMemo.set(key, out);
    return out;
  };
  const resolveControl = (start: string): string[] => {
    if (!removable(start)) return [`^${start}`];
    // Post-order over removable nodes: a node's list is the union of its inputs' lists.
    const onStack = new Set<string>([start]);
    const stack: { name: string; inputs: readonly string[]; at: number; out: Set<string> }[] = [
      { name: start, inputs: byName.get(start)!.inputs, at: 0, out: new Set() },
    ];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.at < top.inputs.length) {
        const x = parseInput(top.inputs[top.at++]!).node;
        if (!removable(x)) top.out.add(`^${x}`);
        else {
          const hit = controlMemo.get(x);
          if (hit) for (const c of hit) top.out.add(c);
          else if (!onStack.has(x)) {
            onStack.add(x);
            stack.push({ name: x, inputs: byName.get(x)!.inputs, at: 0, out: new Set() });
          }
        }
        continue;
      }
      stack.pop();
      onStack.delete(top.name);
      const list = [...top.out];
      controlMemo.set(top.name, list);
      const below = stack[stack.length - 1];
      if (below) for (const c of list) below.out.add(c);
    }
    return controlMemo.get(start)!;
  };

  const result: Node[] = [];
  for (const n of nodes) {
    if (removable(n.name)) continue;
    let changed = false;
    const data: string[] = [];
    const controls = new Set<string>();
    for (const s of n.inputs) {
      if (s.startsWith('^')) {
        const name = s.slice(1);
        if (removable(name)) {
          changed = true;
          for (const c of resolveControl(name)) controls.add(c);
        } else controls.add(s);
      } else {
        const r = resolveData(s);
        if (r !== s) changed = true;
        data.push(r);
      }
    }
    controls.delete(`^${n.name}`);
    // A control edge next to a data edge from the same node says nothing more.
    for (const s of data) controls.delete(`^${inputNodeName(s)}`);
    const inputs = [...data, ...controls];
    if (!changed && inputs.length === n.inputs.length) result.push(n);
    else result.push(makeNode({ name: n.name, op: n.op, inputs, device: n.device, attrs: { ...n.attrs }, ...(n.extras ? { extras: { ...n.extras } } : {}) }));
  }
  return result;
}

/** Names of the functions a node list refers to (func attributes and function-named ops). */
function referencedFunctions(nodes: readonly Node[], library: ReadonlyMap<string, FunctionDef>, into: Set<string>): string[] {
  const found: string[] = [];
  const add = (name: string) => {
    if (library.has(name) && !into.has(name)) {
      into.add(name);
      found.push(name);
    }
  };
  const visit = (v: AttrValue) => {
    if (v.kind === 'func') {
      add(v.value.name);
      Object.values(v.value.attrs).forEach(visit);
    } else if (v.kind === 'list' && v.value.func) {
      for (const f of v.value.func) {
        add(f.name);
        Object.values(f.attrs).forEach(visit);
      }
    }
  };
  for (const n of nodes) {
    if (library.has(n.op)) add(n.op);
    Object.values(n.attrs).forEach(visit);
  }
  return found;
}

/**
 * The graph with only the library functions its nodes still refer to (transitively).
 * Gradient entries for dropped functions are dropped too.
 */
export function pruneLibrary(graph: Graph): Graph {
  checkGraphShallow('pruneLibrary', 'graph', graph);
  const library = new Map(graph.library.functions.map((f) => [f.signature.name, f] as const));
  const used = new Set<string>();
  let frontier = referencedFunctions(graph.nodes, library, used);
  while (frontier.length) {
    const next: string[] = [];
    for (const name of frontier) for (const f of referencedFunctions(library.get(name)!.nodes, library, used)) next.push(f);
    frontier = next;
  }
  if (used.size === graph.library.functions.length) return graph;
  const functions = graph.library.functions.filter((f) => used.has(f.signature.name));
  const extras = graph.library.extras ? pruneGradients(graph.library.extras, used) : undefined;
  return makeGraph(graph.nodes, { ...graph, library: { functions, ...(extras ? { extras } : {}) } });
}

function pruneGradients(extras: Readonly<Record<string, unknown>>, used: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...extras };
  const grads = extras.gradient;
  if (Array.isArray(grads)) {
    out.gradient = grads.filter((g: { function_name?: string }) => g.function_name === undefined || used.has(g.function_name));
  }
  return out;
}
