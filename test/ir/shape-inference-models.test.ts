/**
 * Shape inference against TensorFlow's own: every node of the shared real models that carries
 * `_output_shapes` (written by TensorFlow's shape refiner) must get a compatible inferred shape:
 * same rank where both know it, equal dimensions where both know them. Function bodies are
 * inferred from the argument shapes TensorFlow recorded (`arg_attr` `_output_shapes`).
 */
import { describe, expect, it } from 'vitest';
import type { Graph } from '../../src/ir/graph';
import type { Node } from '../../src/ir/node';
import { type Dims, type InferredTensor, compatible, formatDims, inferFunctionShapes, inferShapes } from '../../src/ir/shape-inference';
import { loadModel, mainGraph } from '../../src/io/model-files';
import { HAVE_MODELS, SKIP_REASON, allModelPaths, modelPath } from '../helpers/models';

interface Counts {
  tensors: number;
  nodes: number;
  equal: number;
  /** TensorFlow knows more (a dim or the rank) than graft. */
  unknownOurs: number;
  /** graft knows more than TensorFlow recorded. */
  moreSpecific: number;
  incompatible: string[];
  lessByOp?: Map<string, number>;
}

function recorded(node: Node): Dims[] | undefined {
  const a = node.attrs._output_shapes;
  if (a?.kind !== 'list' || !a.value.shape) return undefined;
  return a.value.shape.map((s) => (s.unknownRank ? null : s.dims.map((d) => (d < 0 ? -1 : d))));
}

function check(where: string, nodes: readonly Node[], inferred: ReadonlyMap<string, InferredTensor>, counts: Counts): void {
  for (const node of nodes) {
    const tf = recorded(node);
    if (!tf) continue;
    counts.nodes++;
    tf.forEach((want, port) => {
      counts.tensors++;
      const got = inferred.get(`${node.name}:${port}`)?.shape ?? null;
      if (!compatible(got, want)) {
        counts.incompatible.push(`${where}: ${node.name}:${port} (${node.op}) graft ${formatDims(got)} vs TensorFlow ${formatDims(want)}`);
        return;
      }
      const same = JSON.stringify(got) === JSON.stringify(want);
      if (same) counts.equal++;
      else {
        const oursLess = got === null || (want !== null && want.some((d, i) => d >= 0 && got[i]! < 0));
        if (oursLess) {
          counts.unknownOurs++;
          counts.lessByOp?.set(node.op, (counts.lessByOp.get(node.op) ?? 0) + 1);
        }
        else counts.moreSpecific++;
      }
    });
  }
}

/** Tensors checked and equal: in main graphs, and in function bodies inferred alone. */
const split = { main: { tensors: 0, equal: 0 }, functions: { tensors: 0, equal: 0 } };

function checkGraph(where: string, graph: Graph, counts: Counts): void {
  const before = { tensors: counts.tensors, equal: counts.equal };
  check(where, graph.nodes, inferShapes(graph), counts);
  split.main.tensors += counts.tensors - before.tensors;
  split.main.equal += counts.equal - before.equal;
  for (const fn of graph.library.functions) {
    if (!fn.nodes.some((n) => n.attrs._output_shapes)) continue;
    const r = inferFunctionShapes(graph, fn.signature.name);
    const b = { tensors: counts.tensors, equal: counts.equal };
    check(`${where} ${fn.signature.name}`, fn.nodes, r?.tensors ?? new Map(), counts);
    split.functions.tensors += counts.tensors - b.tensors;
    split.functions.equal += counts.equal - b.equal;
  }
}

describe.skipIf(!HAVE_MODELS)(`shape inference on the shared models ${HAVE_MODELS ? '' : SKIP_REASON}`, () => {
  it('agrees with every _output_shapes TensorFlow recorded', { timeout: 600_000 }, async () => {
    const lessByOp = new Map<string, number>();
    const total: Counts = { tensors: 0, nodes: 0, equal: 0, unknownOurs: 0, moreSpecific: 0, incompatible: [] };
    const rows: string[] = [];
    for (const rel of allModelPaths()) {
      let graph: Graph;
      try {
        graph = mainGraph(await loadModel(modelPath(rel)));
      } catch {
        continue; // files the loader refuses are covered by the io tests
      }
      const c: Counts = { tensors: 0, nodes: 0, equal: 0, unknownOurs: 0, moreSpecific: 0, incompatible: [], lessByOp };
      checkGraph(rel, graph, c);
      if (c.nodes === 0) continue;
      rows.push(`${rel}: ${c.nodes} nodes, ${c.tensors} tensors: ${c.equal} equal, ${c.unknownOurs} less known by graft, ${c.moreSpecific} more known by graft, ${c.incompatible.length} incompatible`);
      for (const k of ['tensors', 'nodes', 'equal', 'unknownOurs', 'moreSpecific'] as const) total[k] += c[k];
      total.incompatible.push(...c.incompatible);
    }
    console.log(
      [
        ...rows,
        `less known by graft, by op: ${[...lessByOp].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([op, n]) => `${op} ${n}`).join(', ')}`,
        `main graphs: ${split.main.equal} of ${split.main.tensors} tensors equal; function bodies (inferred alone, from the argument shapes TensorFlow recorded): ${split.functions.equal} of ${split.functions.tensors}`,
        `TOTAL: ${total.nodes} nodes with _output_shapes, ${total.tensors} tensors checked: ${total.equal} equal, ${total.unknownOurs} less known by graft (compatible), ${total.moreSpecific} more known by graft (compatible), ${total.incompatible.length} incompatible`,
      ].join('\n'),
    );
    expect(total.incompatible.slice(0, 40)).toEqual([]);
    expect(total.nodes).toBeGreaterThan(1000);
    // Most recorded shapes are reproduced exactly (87% when every runtime op got its shape function).
    expect(total.equal / total.tensors).toBeGreaterThan(0.85);
    expect(split.main.equal / split.main.tensors).toBeGreaterThan(0.93);
  });
});
