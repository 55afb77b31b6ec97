/**
 * The body of `removeNodes` (remove-nodes.ts declares it and says what it does, and where it
 * differs from TensorFlow), loaded with `import()` the first time the transform runs.
 */
import { GraftError } from '../../errors';
import { graphIndex } from '../../ir/graph';
import type { Node } from '../../ir/node';
import { dataInputs, inputNodeName, isControlInput, parseInput } from '../../ir/node';
import { executionOrder } from '../../ir/topo';
import { dedupeControlInputs, replaceInputs, retargetColocation, withNodesIfChanged } from '../../ir/edit';
import type { ApplyOf } from '../../transform/define';
import type { removeNodes } from '../remove-nodes';

const SWITCH_OPS = new Set(['Switch', 'RefSwitch', '_SwitchN']);

export const apply: ApplyOf<typeof removeNodes> = (graph, params, ctx) => {
  if (params.op.length === 0) {
    throw new GraftError('transform/bad-param', "remove_nodes expects at least one 'op' argument, e.g. remove_nodes(op=Identity)");
  }
  const ops = new Set(params.op);
  const idx = graphIndex(graph);
  let sorted: Set<string> | undefined;
  const isSortable = (name: string): boolean => {
    if (sorted === undefined) {
      const { order, inCycle } = executionOrder(graph);
      // Every node sorts (the usual case): no set of names needed.
      if (inCycle.length === 0) return true;
      sorted = new Set(order.map((n) => n.name));
    }
    return sorted.has(name);
  };

  // The nodes that may go, then how each is read (one pass over the input strings, no per-edge objects).
  const candidates: { node: Node; data: string[]; source: Node }[] = [];
  const names = new Set<string>();
  for (const node of graph.nodes) {
    if (!ops.has(node.op) || ctx.protectedNodes.has(node.name)) continue;
    const data = dataInputs(node);
    if (data.length < 1 || data.length > params.maxInputs) continue;
    const source = idx.byName.get(parseInput(data[0]!).node);
    if (!source || !isSortable(node.name)) continue;
    candidates.push({ node, data, source });
    names.add(node.name);
  }
  /** Candidates read as a control input, and those whose output 1 or higher is read. */
  const readAsControl = new Set<string>();
  const readPastZero = new Set<string>();
  if (candidates.length > 0) {
    for (const n of graph.nodes) {
      for (const input of n.inputs) {
        const from = inputNodeName(input);
        if (!names.has(from)) continue;
        if (input.charCodeAt(0) === 94 /* ^ */) readAsControl.add(from);
        else if (input.length !== from.length && parseInput(input).port > 0) readPastZero.add(from);
      }
    }
  }

  /** Removed node → its first data input (the reference consumers read instead). */
  const removed = new Map<string, string>();
  for (const { node, data, source } of candidates) {
    if (removed.has(node.name)) continue;
    if (readPastZero.has(node.name)) {
      ctx.report({
        severity: 'warning',
        code: 'multi-output',
        node: node.name,
        message: `Kept ${node.op} '${node.name}': its output 1 or higher is consumed and cannot be rewired`,
      });
      continue;
    }
    if (SWITCH_OPS.has(source.op) && readAsControl.has(node.name)) {
      ctx.report({
        severity: 'info',
        code: 'pivot',
        node: node.name,
        message: `Kept ${node.op} '${node.name}': it reads a ${source.op} and is a control input (a cond pivot or loop anchor)`,
      });
      continue;
    }
    removed.set(node.name, data[0]!);
  }
  if (removed.size === 0) return graph;

  // Removable nodes are all sortable, so these chains are acyclic. Resolved in execution order
  // (a removed node's inputs first), iteratively: chains can be millions of nodes deep.
  const dataOf = new Map<string, string>();
  const controlsOf = new Map<string, readonly string[]>();
  const resolveControl = (name: string): string => (removed.has(name) ? parseInput(dataOf.get(name)!).node : name);
  for (const node of executionOrder(graph).order) {
    const target = removed.get(node.name);
    if (target === undefined) continue;
    const t = parseInput(target);
    dataOf.set(node.name, removed.has(t.node) && t.port === 0 && !t.control ? dataOf.get(t.node)! : target);
    // The control inputs a removed node passes on to its consumers.
    const out = new Set<string>();
    for (const s of node.inputs) {
      if (!isControlInput(s)) continue;
      const c = parseInput(s).node;
      out.add(`^${resolveControl(c)}`);
      if (removed.has(c)) for (const x of controlsOf.get(c)!) out.add(x);
    }
    if (removed.has(t.node)) for (const x of controlsOf.get(t.node)!) out.add(x);
    controlsOf.set(node.name, [...out]);
  }
  const resolveData = (name: string): string => dataOf.get(name)!;
  const inheritedControls = (name: string): readonly string[] => controlsOf.get(name)!;

  const rewire = (node: Node): Node => {
    if (!node.inputs.some((s) => removed.has(inputNodeName(s)))) return node;
    const data: string[] = [];
    const controls: string[] = [];
    for (const input of node.inputs) {
      const from = inputNodeName(input);
      const control = input.charCodeAt(0) === 94; /* ^ */
      if (!removed.has(from)) {
        (control ? controls : data).push(input);
      } else if (control) {
        controls.push(`^${resolveControl(from)}`);
        for (const c of inheritedControls(from)) controls.push(c);
      } else {
        data.push(resolveData(from));
        for (const c of inheritedControls(from)) controls.push(c);
      }
    }
    return replaceInputs(node, dedupeControlInputs([...data, ...controls]));
  };

  const out: Node[] = [];
  for (const node of graph.nodes) {
    if (removed.has(node.name)) continue;
    out.push(retargetColocation(rewire(node), (name) => (removed.has(name) ? resolveControl(name) : undefined)));
  }
  ctx.count('removed', graph.nodes.length - out.length);
  return withNodesIfChanged(graph, out);
};
