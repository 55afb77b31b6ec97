/**
 * Writing your own transform: `set_batch_size` fixes the batch dimension of every input
 * placeholder (serving systems often run a fixed batch, and a known shape lets later steps fold
 * more). It is defined here, outside graft, registered on a registry instance, and then used
 * from TensorFlow's transform-string syntax and from the typed builder alike.
 *
 * Run it: `npx tsx examples/custom-transform.ts [saved_model_dir]`
 */
import * as path from 'node:path';
import { attr, createRegistry, defineTransform, formatReport, mainGraph, mapNodes, param, pipeline, runPipeline, setAttrs, type Graph } from '../src/index';
import { loadModel } from '../src/node';

export const setBatchSize = defineTransform({
  name: 'set_batch_size',
  summary: 'Sets the first dimension of every Placeholder shape to a fixed batch size.',
  description: 'Placeholders with an unknown first dimension (`-1`) get `size` instead; their `_output_shapes` follow.',
  params: {
    size: param.int({ doc: 'The batch size.', default: 1, min: 1 }),
    only_unknown: param.bool({ doc: 'Only change dimensions that are unknown (-1).', default: true }),
  },
  // What the transform reports, declared: `ctx.count` and `ctx.report` accept only these keys.
  counters: { placeholders: 'Placeholders whose batch dimension was set.' },
  codes: { changed: { severity: 'info', doc: 'One placeholder changed, with its old batch dimension.' } },
  // `mapNodes` returns the graph itself when every node comes back unchanged: that is how the
  // runner knows nothing changed. `setAttrs` likewise returns the node itself when nothing differs.
  apply: (graph, { size, onlyUnknown }, ctx) =>
    mapNodes(graph, (node) => {
      const shape = node.attrs.shape;
      if (node.op !== 'Placeholder' || shape?.kind !== 'shape' || shape.value.unknownRank || shape.value.dims.length === 0) return node;
      const [first, ...rest] = shape.value.dims;
      if (first === size || (onlyUnknown && first !== -1)) return node;
      const dims = [size, ...rest];
      ctx.count('placeholders');
      ctx.report({ code: 'changed', node: node.name, message: `batch dimension ${first} -> ${size}` });
      const shapes = node.attrs._output_shapes && { _output_shapes: attr.list({ shape: [{ dims, unknownRank: false }] }) };
      return setAttrs(node, { shape: attr.shape(dims), ...shapes });
    }),
});

/** Runs the custom transform both ways on a model and returns what each produced. */
export async function main(modelDir: string): Promise<{ fromString: Graph; fromBuilder: Graph; report: string }> {
  const registry = createRegistry().extend([setBatchSize]);
  const graph = mainGraph(await loadModel(modelDir));

  const viaString = await runPipeline(graph, 'set_batch_size(size=8) remove_device', { registry });
  const builder = pipeline(registry).use(setBatchSize, { size: 8 }).use('remove_device');
  const viaBuilder = await runPipeline(graph, builder, { registry });

  if (builder.toString() !== 'set_batch_size(size=8) remove_device') throw new Error(`unexpected pipeline text ${builder.toString()}`);
  return { fromString: viaString.graph, fromBuilder: viaBuilder.graph, report: formatReport(viaString.report) };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const dir = process.argv[2] ?? path.join(import.meta.dirname, 'model');
  const { report } = await main(dir);
  console.log(report);
}
