/**
 * Small edge- and node-editing helpers shared by the structural transforms.
 *
 * Every helper returns the same instance (graph or node) when it changes nothing, and keeps every
 * untouched node as the same object, so an untouched node writes back to the same bytes and the
 * runner can tell "unchanged" by identity. Edges are edited here, through helpers that know ports
 * (`x:1`) and control inputs (`^x`), never by string surgery inside a transform.
 */
import type { AttrValue } from './attr';
import { attrText } from './attr';
import { hasAnyAttr } from './encoded-attrs';
import type { Graph } from './graph';
import { withNodes } from './graph';
import type { Node } from './node';
import { inputNodeName, isControlInput, parseInput } from './node';
import { checkArray, checkFunction, checkGraphShallow, checkNodeShallow, checkObject, checkStringsArgument } from './check';

/**
 * The node names behind graph input and output tensors (`^a`, `a:1` → `a`; empty names skipped):
 * the set transforms get as `ctx.protectedNodes`, computed here only.
 */
export function protectedNodeNames(inputs: readonly string[], outputs: readonly string[]): Set<string> {
  checkStringsArgument('protectedNodeNames', 'inputs', inputs);
  checkStringsArgument('protectedNodeNames', 'outputs', outputs);
  const names = new Set<string>();
  for (const s of [...inputs, ...outputs]) if (s) names.add(parseInput(s).node);
  return names;
}

/**
 * The graph with `nodes` as its node list, or `graph` itself when `nodes` holds exactly the same
 * node objects in the same order.
 */
export function withNodesIfChanged(graph: Graph, nodes: readonly Node[]): Graph {
  checkGraphShallow('withNodesIfChanged', 'graph', graph);
  checkArray('withNodesIfChanged', 'nodes', nodes, 'an array of nodes');
  if (nodes.length === graph.nodes.length && nodes.every((n, i) => n === graph.nodes[i])) return graph;
  return withNodes(graph, nodes);
}

/** Maps every node; returns `graph` itself when `fn` returned every node unchanged. */
export function mapNodes(graph: Graph, fn: (node: Node, index: number) => Node): Graph {
  checkGraphShallow('mapNodes', 'graph', graph);
  checkFunction('mapNodes', 'fn', fn);
  let changed = false;
  const nodes = graph.nodes.map((n, i) => {
    const m = fn(n, i);
    if (m !== n) changed = true;
    return m;
  });
  return changed ? withNodes(graph, nodes) : graph;
}

/** Keeps the nodes `keep` accepts, in order; returns `graph` itself when all are kept. */
export function filterNodes(graph: Graph, keep: (node: Node, index: number) => boolean): Graph {
  checkGraphShallow('filterNodes', 'graph', graph);
  checkFunction('filterNodes', 'keep', keep);
  const nodes = graph.nodes.filter(keep);
  return nodes.length === graph.nodes.length ? graph : withNodes(graph, nodes);
}

/** A copy of `node` with some fields replaced (frozen), or `node` itself when nothing differs. */
export function updateNode(node: Node, fields: Partial<Omit<Node, 'name'>> & { name?: string }): Node {
  checkNodeShallow('updateNode', 'node', node);
  checkObject('updateNode', 'fields', fields);
  const given = (k: keyof Node): boolean => Object.prototype.hasOwnProperty.call(fields, k);
  const name = given('name') ? fields.name! : node.name;
  const op = given('op') ? fields.op! : node.op;
  const inputs = given('inputs') ? fields.inputs! : node.inputs;
  const device = given('device') ? fields.device! : node.device;
  const attrs = given('attrs') ? fields.attrs! : node.attrs;
  const extras = given('extras') ? fields.extras : node.extras;
  if (name === node.name && op === node.op && device === node.device && attrs === node.attrs && sameStrings(inputs, node.inputs) && extras === node.extras) {
    return node;
  }
  // Built as a literal of fixed shape, not by spreading: V8 gives each object spread from a
  // frozen node a hidden class of its own once the spread site has seen several shapes (about
  // 250 bytes more per edited node, and slow property access).
  const next = {
    name,
    op,
    inputs: Object.freeze([...inputs]),
    device,
    attrs: attrs === node.attrs ? node.attrs : Object.freeze({ ...attrs }),
  };
  return Object.freeze('extras' in node || given('extras') ? { ...next, extras } : next);
}

/** `node` with new inputs (same instance when equal). Control inputs are moved last, as TF requires. */
export function replaceInputs(node: Node, inputs: readonly string[]): Node {
  checkNodeShallow('replaceInputs', 'node', node);
  checkStringsArgument('replaceInputs', 'inputs', inputs);
  if (sameStrings(inputs, node.inputs)) return node;
  return updateNode(node, { inputs: controlsLast(inputs) });
}

/** Orders data inputs first, control inputs after, each keeping its relative order. */
export function controlsLast(inputs: readonly string[]): string[] {
  checkStringsArgument('controlsLast', 'inputs', inputs);
  const data = inputs.filter((s) => !isControlInput(s));
  if (data.length === inputs.length) return data;
  return [...data, ...inputs.filter(isControlInput)];
}

/** Drops repeated control inputs, and control inputs on a node already read as data. */
export function dedupeControlInputs(inputs: readonly string[]): string[] {
  checkStringsArgument('dedupeControlInputs', 'inputs', inputs);
  if (!inputs.some(isControlInput)) return [...inputs];
  const names = inputs.map(inputNodeName);
  const control = inputs.map(isControlInput);
  // Inputs lists are short: a control input is compared with the others directly (no sets).
  const small = inputs.length <= 32;
  const dataNodes = small ? undefined : new Set(names.filter((_, i) => !control[i]));
  const seen = small ? undefined : new Set<string>();
  const out: string[] = [];
  for (let i = 0; i < inputs.length; i++) {
    if (control[i]) {
      const name = names[i]!;
      if (dataNodes !== undefined && seen !== undefined) {
        if (dataNodes.has(name) || seen.has(name)) continue;
        seen.add(name);
      } else {
        let drop = false;
        for (let j = 0; j < inputs.length && !drop; j++) {
          // Read as data anywhere, or an earlier control input on the same node that was kept.
          if (j !== i && names[j] === name && (!control[j] || j < i)) drop = true;
        }
        if (drop) continue;
      }
    }
    out.push(inputs[i]!);
  }
  return out;
}

/** `node` without the listed attributes (same instance when it has none of them). */
export function removeAttrs(node: Node, names: Iterable<string>): Node {
  checkNodeShallow('removeAttrs', 'node', node);
  if (typeof names === 'string' || typeof (names as { [Symbol.iterator]?: unknown } | null)?.[Symbol.iterator] !== 'function') checkArray('removeAttrs', 'names', names, 'an iterable of attribute names');
  let attrs: Record<string, AttrValue> | undefined;
  for (const k of names) {
    if (!(k in node.attrs)) continue;
    attrs ??= { ...node.attrs };
    delete attrs[k];
  }
  return attrs ? updateNode(node, { attrs }) : node;
}

/** `node` with attributes added or replaced (same instance when all are equal by identity). */
export function setAttrs(node: Node, attrs: Readonly<Record<string, AttrValue>>): Node {
  checkNodeShallow('setAttrs', 'node', node);
  checkObject('setAttrs', 'attrs', attrs, 'an object mapping attribute names to AttrValues');
  const keys = Object.keys(attrs);
  if (keys.every((k) => node.attrs[k] === attrs[k])) return node;
  return updateNode(node, { attrs: { ...node.attrs, ...attrs } });
}

const LOC_PREFIX = 'loc:@';
const CLASS_KEY: readonly string[] = ['_class'];

/**
 * Retargets colocation constraints (`_class: ["loc:@name"]`) after nodes were renamed or removed.
 * `target(name)` returns the new name, `null` to drop the constraint, or `undefined` to keep it.
 * TensorFlow's transforms leave such constraints dangling, which makes `import_graph_def` fail
 * ("expects to be colocated with unknown node"); graft keeps them pointing at real nodes.
 */
export function retargetColocation(node: Node, target: (name: string) => string | null | undefined): Node {
  checkNodeShallow('retargetColocation', 'node', node);
  checkFunction('retargetColocation', 'target', target);
  // Most nodes have none: a loaded node answers from its bytes, without decoding anything.
  if (!hasAnyAttr(node, CLASS_KEY)) return node;
  const cls = node.attrs['_class'];
  if (!cls || cls.kind !== 'list' || !cls.value.s) return node;
  let changed = false;
  const out: (string | Uint8Array)[] = [];
  for (const v of cls.value.s) {
    const text = attrText(v);
    if (!text.startsWith(LOC_PREFIX)) {
      out.push(v);
      continue;
    }
    const t = target(text.slice(LOC_PREFIX.length));
    if (t === undefined) out.push(v);
    else {
      changed = true;
      if (t !== null && t !== node.name) {
        const s = LOC_PREFIX + t;
        if (!out.some((o) => attrText(o) === s)) out.push(s);
      }
    }
  }
  if (!changed) return node;
  if (out.length === 0) return removeAttrs(node, ['_class']);
  return setAttrs(node, { _class: { kind: 'list', value: { ...cls.value, s: out } } });
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
