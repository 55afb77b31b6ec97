/**
 * Deterministic synthetic graphs for benchmarks, shaped like the ones measured in
 * `spec/dependency-measurements.md` §1.2:
 *
 * - `smallGraph()`: 100,000 nodes (about 11.6 MB encoded). Ops cycle Const/Add/MatMul/Relu/
 *   Identity with 1–2 inputs each (a Const takes a control input on the node before it) and 2–4
 *   attrs each, always including an `_output_shapes` list of shapes.
 * - `largeGraph()`: 4 Const nodes whose `tensor_content` adds up to 200 MiB.
 * - `frozenCnnGraph(n)`: n nodes shaped like a frozen CNN (a chain of conv blocks with `/read`
 *   Identities, repeated small Consts and an unused summary branch), with the node counts the
 *   cleanup transforms must leave; for the `transforms` group.
 *
 * Same input, same bytes: a seeded xorshift drives every choice, never `Math.random`.
 */
import { attr, type AttrValue, shapeOf } from '../src/ir/attr';
import { type Graph, type Versions, makeGraph } from '../src/ir/graph';
import { type Node, makeNode } from '../src/ir/node';
import { type Tensor, makeTensor, makeValueTensor } from '../src/ir/tensor';

/** A small, fast, seeded PRNG (xorshift32). */
export function xorshift32(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

const VERSIONS: Versions = { producer: 1882, minConsumer: 12, badConsumers: [] };
const OPS = ['Const', 'Add', 'MatMul', 'Relu', 'Identity'] as const;

/** Node names like `block_123/MatMul_4`, as Keras-exported graphs have. */
function nodeName(i: number, op: string): string {
  return `block_${Math.floor(i / 25)}/${op}_${i % 25}`;
}

function outputShapes(rand: () => number): AttrValue {
  const rows = 1 + (rand() % 64);
  const shapes = [shapeOf([-1, rows]), shapeOf([rows, 128])];
  return attr.list({ shape: shapes.slice(0, 1 + (rand() % 2)) });
}

/**
 * The 100k-node graph. Inputs point to one of the previous 32 nodes, so the graph is a DAG in
 * file order.
 */
export function smallGraph(nodeCount = 100_000, seed = 0x9e3779b9): Graph {
  const rand = xorshift32(seed);
  const names: string[] = [];
  const nodes: Node[] = [];
  const T = attr.type('float');
  const earlier = (i: number): string => names[i - 1 - (rand() % Math.min(i, 32))]!;
  for (let i = 0; i < nodeCount; i++) {
    const op = OPS[i % OPS.length]!;
    const name = nodeName(i, op);
    let inputs: string[];
    let attrs: Record<string, AttrValue>;
    switch (op) {
      case 'Const': {
        const value = makeTensor('float', [2], [(rand() % 1000) / 8, (rand() % 1000) / 8]);
        inputs = i === 0 ? [] : [`^${names[i - 1]!}`];
        attrs = { dtype: T, value: attr.tensor(value), _output_shapes: attr.list({ shape: [shapeOf([2])] }) };
        break;
      }
      case 'Add':
        inputs = [earlier(i), earlier(i)];
        attrs = { T, _output_shapes: outputShapes(rand) };
        break;
      case 'MatMul':
        inputs = [earlier(i), earlier(i)];
        attrs = { T, transpose_a: attr.b(false), transpose_b: attr.b(rand() % 2 === 0), _output_shapes: outputShapes(rand) };
        break;
      default: // Relu, Identity
        inputs = [earlier(i)];
        attrs = { T, _output_shapes: outputShapes(rand) };
    }
    names.push(name);
    nodes.push(makeNode({ name, op, inputs, attrs }));
  }
  return makeGraph(nodes, { versions: VERSIONS });
}

/**
 * A float `content` tensor of `elements` values, filled from the PRNG. Built directly rather than
 * with `makeTensor`, which goes through a JS number array (gigabytes of heap at this size).
 */
function bigFloatTensor(shape: readonly number[], seed: number): Tensor {
  const elements = shape.reduce((a, b) => a * b, 1);
  const words = new Uint32Array(elements);
  // xorshift32 inlined: a closure call per element makes 200 MiB take seconds.
  let x = seed >>> 0 || 1;
  for (let i = 0; i < elements; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    // Small finite floats: a fixed sign/exponent with random mantissa bits.
    words[i] = 0x3f000000 | (x & 0x007fffff);
  }
  return { dtype: 'float', shape: Object.freeze([...shape]), data: { kind: 'content', bytes: new Uint8Array(words.buffer) } };
}

/** The 200 MiB graph: 4 Const nodes of 50 MiB (`float[12800,1024]`) each. */
export function largeGraph(constCount = 4, shape: readonly number[] = [12800, 1024], seed = 0x85ebca6b): Graph {
  const nodes: Node[] = [];
  for (let i = 0; i < constCount; i++) {
    const value = bigFloatTensor(shape, seed + i);
    nodes.push(
      makeNode({
        name: `dense_${i}/kernel`,
        op: 'Const',
        attrs: { dtype: attr.type('float'), value: attr.tensor(value), _output_shapes: attr.list({ shape: [shapeOf(shape)] }) },
      }),
    );
  }
  return makeGraph(nodes, { versions: VERSIONS });
}

/** A synthetic frozen model: its graph, what to feed and fetch, and what the cleanup transforms must leave. */
export interface FrozenCnnGraph {
  readonly graph: Graph;
  /** The graph input (a `Placeholder`). */
  readonly inputs: readonly string[];
  /** The graph output. */
  readonly outputs: readonly string[];
  /** Node counts the cleanup transforms must produce, applied in this order. */
  readonly expected: {
    /** After `remove_nodes(op=Identity)`: every Identity is gone (none is protected). */
    readonly afterRemove: number;
    /** After `merge_duplicate_nodes` too: the repeated small Consts are one node each. */
    readonly afterMerge: number;
    /** After `strip_unused_nodes` too: the side branches are gone. */
    readonly afterStrip: number;
  };
}

/** Nodes in one layer block of `frozenCnnGraph` (the Identity after the Relu is every other block). */
const BLOCK_NODES = 12;

/**
 * A frozen-CNN-like graph of exactly `nodeCount` nodes (at least 16) for the structural cleanup
 * transforms, shaped like what `freeze_graph` leaves: one long chain of layer blocks
 *
 *   kernel Const → kernel/read Identity ┐
 *   prev ─────────────────────────── Conv2D → BiasAdd(bias/read Identity ← bias Const)
 *     → Mul(scale Const, the same 0.5 in every block) → Relu [→ Identity, every other block]
 *   Relu → summary/Square → summary/Mean(summary/axes Const, the same [0] in every block)   (unused)
 *
 * from a `Placeholder` `input` to an `output` Softmax, with an Identity chain padding the count.
 * So `remove_nodes(op=Identity)` splices about 2.5 nodes per block, `merge_duplicate_nodes` folds
 * the per-block `scale` and `axes` Consts into one each, and `strip_unused_nodes` drops the
 * summary branch (3 nodes per block, counting the merged `axes`). Kernels and biases are small
 * (4 floats) and distinct, so nothing else merges. Deterministic: values come from a seeded
 * xorshift.
 */
export function frozenCnnGraph(nodeCount: number, seed = 0x2545f491): FrozenCnnGraph {
  if (nodeCount < 16) throw new RangeError(`frozenCnnGraph needs at least 16 nodes, not ${nodeCount}`);
  const rand = xorshift32(seed);
  const nodes: Node[] = [];
  const T = attr.type('float');
  const add = (name: string, op: string, inputs: string[], attrs: Record<string, AttrValue>): string => {
    nodes.push(makeNode({ name, op, inputs, attrs }));
    return name;
  };
  // Distinct small weights: the block index is one of the values, so no two kernels are equal.
  const weights = (block: number): Tensor => makeTensor('float', [4], [block, (rand() % 2000) / 1000 - 1, (rand() % 2000) / 1000 - 1, (rand() % 2000) / 1000 - 1]);
  const constant = (name: string, value: Tensor): string => add(name, 'Const', [], { dtype: attr.type(value.dtype), value: attr.tensor(value) });
  const conv = {
    T,
    strides: attr.list({ i: [1, 1, 1, 1] }),
    padding: attr.s('SAME'),
    data_format: attr.s('NHWC'),
    dilations: attr.list({ i: [1, 1, 1, 1] }),
    use_cudnn_on_gpu: attr.b(true),
  };

  let identities = 0;
  let blocks = 0;
  let prev = add('input', 'Placeholder', [], { dtype: T, shape: attr.shape([-1, 28, 28, 1]) });
  // Room for the output Softmax after the last block.
  while (nodes.length + BLOCK_NODES + (blocks % 2 === 1 ? 1 : 0) + 1 <= nodeCount) {
    const s = `block_${blocks}`;
    const kernel = add(`${s}/kernel/read`, 'Identity', [constant(`${s}/kernel`, weights(blocks))], { T });
    const bias = add(`${s}/bias/read`, 'Identity', [constant(`${s}/bias`, weights(blocks))], { T });
    identities += 2;
    const c = add(`${s}/Conv2D`, 'Conv2D', [prev, kernel], conv);
    const b = add(`${s}/BiasAdd`, 'BiasAdd', [c, bias], { T, data_format: attr.s('NHWC') });
    const m = add(`${s}/mul`, 'Mul', [b, constant(`${s}/mul/y`, makeValueTensor('float', [], [0.5]))], { T });
    prev = add(`${s}/Relu`, 'Relu', [m], { T });
    const sq = add(`${s}/summary/Square`, 'Square', [prev], { T });
    add(`${s}/summary/Mean`, 'Mean', [sq, constant(`${s}/summary/axes`, makeValueTensor('int32', [1], [0]))], { T, Tidx: attr.type('int32'), keep_dims: attr.b(false) });
    if (blocks % 2 === 1) {
      prev = add(`${s}/Identity`, 'Identity', [prev], { T });
      identities++;
    }
    blocks++;
  }
  // Pad to the exact count with an Identity chain (all removed by remove_nodes).
  for (let i = 0; nodes.length + 1 < nodeCount; i++) {
    prev = add(`head/Identity_${i}`, 'Identity', [prev], { T });
    identities++;
  }
  add('output', 'Softmax', [prev], { T });

  const afterRemove = nodeCount - identities;
  // `mul/y` and `summary/axes`: one survivor each.
  const afterMerge = afterRemove - 2 * (blocks - 1);
  // Square and Mean per block, and the one merged `axes`.
  const afterStrip = afterMerge - 2 * blocks - 1;
  return { graph: makeGraph(nodes, { versions: VERSIONS }), inputs: ['input'], outputs: ['output'], expected: { afterRemove, afterMerge, afterStrip } };
}
