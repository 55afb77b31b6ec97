/**
 * Writing your own transform: `set_batch_size` fixes the batch dimension of every input
 * placeholder (serving systems often run a fixed batch, and a known shape lets later steps fold
 * more). It is defined here, outside graft, with the core's public editing helpers, registered on
 * a registry instance, and used from TensorFlow's transform-string syntax and the typed builder.
 *
 * Run it: `npx tsx examples/custom-transform.ts [saved_model_dir]`
 */
import * as path from 'node:path';
import { attr, createRegistry, defineTransform, formatReport, mainGraph, mapNodes, param, pipeline, runPipeline, setAttrs, type Graph } from 'tf-graft';
import { loadModel } from 'tf-graft/node';

export const setBatchSize = defineTransform({
  name: 'set_batch_size',
  summary: 'Sets the first dimension of every Placeholder shape to a fixed batch size.',
  params: {
    size: param.int({ doc: 'The batch size.', default: 1, min: 1 }),
    only_unknown: param.bool({ doc: 'Only change dimensions that are unknown (-1).', default: true }),
  },
  // What it reports, declared: `ctx.count` and `ctx.report` accept only these keys.
  counters: { placeholders: 'Placeholders whose batch dimension was set.' },
  codes: { changed: { severity: 'info', doc: 'One placeholder changed, with its old batch dimension.' } },
  // `mapNodes` and `setAttrs` return the very graph and node when nothing changes: the runner's change flag.
  apply: (graph, { size, onlyUnknown }, ctx) =>
    mapNodes(graph, (node) => {
      const shape = node.attrs.shape;
      if (node.op !== 'Placeholder' || shape?.kind !== 'shape' || shape.value.unknownRank) return node;
      const [first, ...rest] = shape.value.dims;
      if (first === undefined || first === size || (onlyUnknown && first !== -1)) return node;
      ctx.count('placeholders');
      ctx.report({ code: 'changed', node: node.name, message: `batch dimension ${first} -> ${size}` });
      const dims = [size, ...rest];
      return setAttrs(node, { shape: attr.shape(dims), ...(node.attrs._output_shapes && { _output_shapes: attr.list({ shape: [{ dims, unknownRank: false }] }) }) });
    }),
});

/** Runs the custom transform both ways on a model and returns what each produced. */
export async function main(modelDir: string): Promise<{ fromString: Graph; fromBuilder: Graph; report: string }> {
  const registry = createRegistry().extend([setBatchSize]);
  const graph = mainGraph(await loadModel(modelDir));
  const viaString = await runPipeline(graph, 'set_batch_size(size=8) remove_device', { registry });
  // A builder's steps are resolved against pipeline(registry) when added: the run needs no registry.
  const viaBuilder = await runPipeline(graph, pipeline(registry).use(setBatchSize, { size: 8 }).use('remove_device'));
  return { fromString: viaString.graph, fromBuilder: viaBuilder.graph, report: formatReport(viaString.report) };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  console.log((await main(process.argv[2] ?? path.join(import.meta.dirname, 'model'))).report);
}
