/**
 * The body of `stripUnusedNodes` (strip-unused-nodes.ts declares it and says what it does, and where it
 * differs from TensorFlow), loaded with `import()` the first time the transform runs.
 */
import { GraftError } from '../../errors';
import { type AttrValue, type Shape, attr, formatShape, shapeOf } from '../../ir/attr';
import { type InferredTensor, inferShapes } from '../../ir/shape-inference';
import { placeholderShape } from '../../ir/placeholder';
import { type DType, baseDType } from '../../ir/dtype';
import { type Graph, graphIndex } from '../../ir/graph';
import { graphEdges } from '../../ir/edges';
import { type Node, makeNode, parseInput } from '../../ir/node';
import { replaceInputs, withNodesIfChanged } from '../../ir/edit';
import type { ApplyOf } from '../../transform/define';
import { nearestNames } from '../../suggest';
import type { stripUnusedNodes } from '../strip-unused-nodes';

export const apply: ApplyOf<typeof stripUnusedNodes> = (graph, params, ctx) => {
  const { name: names, typeForName, shapeForName } = params;
  if (names.length > 0 && typeForName.length === 0 && shapeForName.length === 0) {
    throw new GraftError('transform/bad-param', "You must pass a 'type_for_name' or 'shape_for_name' arg for every 'name', e.g. strip_unused_nodes(name=foo, type_for_name=float, name=bar, type_for_name=quint8)");
  }
  if (typeForName.length > 0 && typeForName.length !== names.length) {
    throw new GraftError('transform/bad-param', `strip_unused_nodes got ${names.length} 'name' and ${typeForName.length} 'type_for_name' arguments; pass one type_for_name per name`);
  }
  if (shapeForName.length > 0 && shapeForName.length !== names.length) {
    throw new GraftError('transform/bad-param', `strip_unused_nodes got ${names.length} 'name' and ${shapeForName.length} 'shape_for_name' arguments; pass one shape_for_name per name`);
  }
  // A name given twice: the last one wins, as in TF.
  const typeFor = new Map<string, DType>();
  const shapeFor = new Map<string, readonly number[]>();
  names.forEach((n, i) => {
    const node = parseInput(n).node;
    if (typeForName.length > 0) typeFor.set(node, typeForName[i]!);
    if (shapeForName.length > 0) shapeFor.set(node, shapeForName[i]!);
  });

  const outputs = ctx.outputs.filter((s) => s !== '');
  if (outputs.length === 0) {
    ctx.report({
      severity: 'warning',
      code: 'no-outputs',
      message: 'No graph outputs were given, so nothing is known to be unused; the graph is unchanged',
      hint: 'Give the outputs (the pipeline\'s `outputs`; --outputs=... on the command line) or load a SavedModel signature.',
    });
    return graph;
  }

  const idx = graphIndex(graph);
  /** input node → the port the graph input names (the first one given). */
  const inputPort = new Map<string, number>();
  for (const s of ctx.inputs) {
    if (s === '') continue;
    const r = parseInput(s);
    if (!inputPort.has(r.node)) inputPort.set(r.node, r.port);
  }

  // The outputs must exist (or be fed inputs), checked in the order given.
  for (const s of outputs) {
    const name = parseInput(s).node;
    if (!idx.byName.has(name) && !inputPort.has(name)) {
      const near = nearestNames(name, idx.byName.keys());
      throw new GraftError('graph/missing-node', `Output node '${name}' not found in graph`, {
        node: name,
        ...(near.length > 0 ? { hint: `Did you mean ${near.map((n) => `'${n}'`).join(', ')}?` } : {}),
      });
    }
  }
  const keep = requiredNodes(graph, outputs, inputPort);

  let graphShapes: Map<string, InferredTensor> | undefined;
  const out: Node[] = [];
  let replaced = 0;
  // Only an input given with a port other than 0 makes readers of it change.
  let ported = false;
  for (const p of inputPort.values()) if (p !== 0) ported = true;
  for (let i = 0; i < graph.nodes.length; i++) {
    const node = graph.nodes[i]!;
    if (!keep(i)) continue;
    const port = inputPort.get(node.name);
    if (port === undefined || node.op === 'Placeholder') {
      out.push(ported ? rewirePortedInputs(node, inputPort, idx.byName) : node);
      continue;
    }
    out.push(synthesize(node, port));
    replaced++;
  }
  if (replaced > 0) ctx.count('placeholders', replaced);
  ctx.count('removed', graph.nodes.length - out.length);
  return withNodesIfChanged(graph, out);

  function synthesize(node: Node, port: number): Node {
    const inferred = inferOutput(node, port);
    if (!inferred.shape || !inferred.dtype) {
      // Nothing recorded on the node: TensorFlow's shape functions over the graph (computed once).
      graphShapes ??= inferShapes(graph);
      const t = graphShapes.get(`${node.name}:${port}`);
      if (t && !inferred.shape && t.shape !== null) inferred.shape = { value: shapeOf(t.shape), from: 'shape inference' };
      if (t && !inferred.dtype && t.dtype !== 'invalid') inferred.dtype = { value: baseDType(t.dtype), from: 'shape inference' };
    }
    const notes: string[] = [];
    let guessed = false;
    let dtype: DType;
    if (typeFor.has(node.name)) {
      dtype = typeFor.get(node.name)!;
      notes.push('dtype from type_for_name');
    } else if (params.type !== undefined) {
      dtype = params.type;
      notes.push('dtype from type=');
      if (inferred.dtype && inferred.dtype.value !== dtype) {
        guessed = true;
        notes.push(`overriding ${inferred.dtype.value} from its ${inferred.dtype.from}`);
      }
    } else if (inferred.dtype) {
      dtype = inferred.dtype.value;
      notes.push(`dtype from ${inferred.dtype.from}`);
    } else {
      dtype = 'float';
      guessed = true;
      notes.push('dtype unknown, float assumed');
    }
    let shape: Shape;
    if (shapeFor.has(node.name)) {
      shape = shapeOf(shapeFor.get(node.name)!);
      notes.push('shape from shape_for_name');
    } else if (params.shape !== undefined) {
      shape = shapeOf(params.shape);
      notes.push('shape from shape=');
    } else if (inferred.shape) {
      shape = inferred.shape.value;
      notes.push(`shape from ${inferred.shape.from}`);
    } else {
      shape = shapeOf([]);
      guessed = true;
      notes.push('shape unknown, scalar assumed as in TF');
    }
    const made = makeNode({ name: node.name, op: 'Placeholder', attrs: { dtype: attr.type(dtype), shape: { kind: 'shape', value: shape } } });
    // In a producer <= 21 graph an empty Placeholder shape is read back as unknown (ir/placeholder).
    if (!shape.unknownRank && placeholderShape(made, graph).unknownRank) notes.push(`read as unknown shape, since this graph's producer is ${graph.versions?.producer} (<= 21)`);
    ctx.report({
      severity: guessed ? 'warning' : 'info',
      code: 'placeholder',
      node: node.name,
      message: `Replaced ${node.op} '${node.name}' with a ${dtype} Placeholder of shape ${formatShape(shape)} (${notes.join('; ')})`,
      ...(guessed ? { hint: `Pass name=${node.name}, type_for_name=..., shape_for_name=... to set it.` } : {}),
    });
    return made;
  }
};

/**
 * Which nodes the outputs need (by position): walking back from the outputs through data and
 * control inputs, stopping at fed inputs, plus the fed inputs themselves. Over the graph's flat
 * edges when names are unique; by name otherwise (every node of a needed name is kept).
 */
function requiredNodes(graph: Graph, outputs: readonly string[], inputPort: ReadonlyMap<string, number>): (i: number) => boolean {
  const nodes = graph.nodes;
  const idx = graphIndex(graph);
  const edges = graphEdges(graph);
  if (edges.uniqueNames) {
    const { offsets, producer } = edges;
    const fed = new Uint8Array(nodes.length);
    for (const name of inputPort.keys()) {
      const p = idx.position.get(name);
      if (p !== undefined) fed[p] = 1;
    }
    const needed = new Uint8Array(nodes.length);
    const queue = new Int32Array(nodes.length);
    let top = 0;
    for (const s of outputs) {
      const p = idx.position.get(parseInput(s).node);
      if (p !== undefined && needed[p] === 0) {
        needed[p] = 1;
        queue[top++] = p;
      }
    }
    while (top > 0) {
      const i = queue[--top]!;
      if (fed[i] === 1) continue; // a fed input: what computes it is not needed
      for (let e = offsets[i]!, end = offsets[i + 1]!; e < end; e++) {
        const j = producer[e]!;
        if (j >= 0 && needed[j] === 0) {
          needed[j] = 1;
          queue[top++] = j;
        }
      }
    }
    return (i) => needed[i] === 1 || fed[i] === 1;
  }
  const required = new Set<string>();
  const queue: string[] = [];
  for (const s of outputs) {
    const name = parseInput(s).node;
    if (!required.has(name)) {
      required.add(name);
      queue.push(name);
    }
  }
  for (let i = 0; i < queue.length; i++) {
    const name = queue[i]!;
    if (inputPort.has(name)) continue; // a fed input: what computes it is not needed
    for (const r of idx.inputs.get(name) ?? []) {
      if (!required.has(r.node)) {
        required.add(r.node);
        queue.push(r.node);
      }
    }
  }
  for (const name of inputPort.keys()) required.add(name);
  return (i) => required.has(nodes[i]!.name);
}

/** Consumers of `x:N` where `x:N` was fed and became a placeholder now read `x` (its output 0). */
function rewirePortedInputs(node: Node, inputPort: ReadonlyMap<string, number>, byName: ReadonlyMap<string, Node>): Node {
  let changed = false;
  const inputs = node.inputs.map((s) => {
    const r = parseInput(s);
    const p = inputPort.get(r.node);
    if (p === undefined || p === 0 || r.control || r.port !== p || byName.get(r.node)?.op === 'Placeholder') return s;
    changed = true;
    return r.node;
  });
  return changed ? replaceInputs(node, inputs) : node;
}

interface Inferred {
  dtype?: { value: DType; from: string };
  shape?: { value: Shape; from: string };
}

/** What a node says about the dtype and shape of its output `port`. */
export function inferOutput(node: Node, port: number): Inferred {
  const out: Inferred = {};
  const a = node.attrs;
  const listType = (v: AttrValue | undefined): DType | undefined => (v?.kind === 'list' ? v.value.type?.[port] : undefined);
  const oneType = (v: AttrValue | undefined): DType | undefined => (v?.kind === 'type' ? v.value : undefined);
  if (node.op === 'VarHandleOp') out.dtype = { value: 'resource', from: 'op' };
  else {
    for (const [key, get] of [
      ['output_types', listType],
      ['Tout', listType],
      ['DstT', oneType],
      ['out_type', oneType],
      ['output_type', oneType],
      ['dtype', oneType],
      ['T', oneType],
    ] as const) {
      const t = get(a[key]);
      if (t !== undefined) {
        out.dtype = { value: baseDType(t), from: `${key} attr` };
        break;
      }
    }
  }
  const shapes = a['_output_shapes'];
  const listed = shapes?.kind === 'list' ? shapes.value.shape?.[port] : undefined;
  const outputShapes = a['output_shapes'];
  if (listed) out.shape = { value: listed, from: '_output_shapes' };
  else if (a['shape']?.kind === 'shape' && port === 0) out.shape = { value: (a['shape'] as { value: Shape }).value, from: 'shape attr' };
  else if (node.op === 'Const' && a['value']?.kind === 'tensor') out.shape = { value: shapeOf((a['value'] as { value: { shape: readonly number[] } }).value.shape), from: 'constant value' };
  else if (outputShapes?.kind === 'list' && outputShapes.value.shape?.[port]) out.shape = { value: outputShapes.value.shape[port]!, from: 'output_shapes attr' };
  return out;
}
