/**
 * Deterministic synthetic graphs for benchmarks, shaped like the ones measured in
 * `spec/dependency-measurements.md` §1.2:
 *
 * - `smallGraph()`: 100,000 nodes (about 11.6 MB encoded). Ops cycle Const/Add/MatMul/Relu/
 *   Identity with 1–2 inputs each (a Const takes a control input on the node before it) and 2–4
 *   attrs each, always including an `_output_shapes` list of shapes.
 * - `largeGraph()`: 4 Const nodes whose `tensor_content` adds up to 200 MiB.
 *
 * Same input, same bytes: a seeded xorshift drives every choice, never `Math.random`.
 */
import { attr, type AttrValue, shapeOf } from '../src/ir/attr';
import { type Graph, type Versions, makeGraph } from '../src/ir/graph';
import { type Node, makeNode } from '../src/ir/node';
import { type Tensor, makeTensor } from '../src/ir/tensor';

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
