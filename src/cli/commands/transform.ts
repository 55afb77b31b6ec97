import { GraftError } from '../../errors';
import { createRegistry } from '../../transform/registry';
import { formatReport } from '../../transform/report';
import { transformModel } from '../../workflow/transform-model';
import { parseFlags, splitList } from '../args';
import type { Io } from '../output';

export const usage = `Usage: graft transform --in_graph=IN --out_graph=OUT --transforms='...' [--inputs=a,b] [--outputs=c,d]
       graft transform IN OUT ['TRANSFORMS'] [flags]
                       [--output_as_text] [--saved_model_tags=serve] [--report=text|json|none]
  TensorFlow's transform_graph flags. IN and OUT may be .pb, .pbtxt or SavedModel directories;
  for a SavedModel, inputs and outputs left out come from its signatures.
  Transforms: graft transforms`;

export async function transformCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(
    args,
    {
      in_graph: { type: 'string' },
      out_graph: { type: 'string' },
      inputs: { type: 'string' },
      outputs: { type: 'string' },
      transforms: { type: 'string' },
      output_as_text: { type: 'boolean' },
      saved_model_tags: { type: 'string' },
      report: { type: 'string' },
    },
    usage,
  );
  if (values.help) return io.out(usage), 0;
  // The short form `graft transform IN OUT 'TRANSFORMS'`, besides TensorFlow's flags.
  if (positionals.length > 0 && values.in_graph === undefined && values.out_graph === undefined && positionals.length <= 3) {
    [values.in_graph, values.out_graph] = positionals;
    if (positionals[2] !== undefined) {
      if (values.transforms !== undefined) throw new GraftError('cli/usage', `Give the transforms once: as --transforms or as the third argument.\n${usage}`);
      values.transforms = positionals[2];
    }
  } else if (positionals.length > 0) throw new GraftError('cli/usage', `Unknown argument ${positionals[0]}.\n${usage}`);
  if (!values.in_graph) throw new GraftError('cli/usage', `in_graph graph can't be empty.\n${usage}`);
  if (!values.out_graph) throw new GraftError('cli/usage', `out_graph graph can't be empty.\n${usage}`);
  if (!values.transforms || values.transforms.trim() === '') throw new GraftError('cli/usage', `You must specify at least one transform.\n${usage}`);
  const reportMode = values.report ?? 'text';
  if (!['text', 'json', 'none'].includes(reportMode)) throw new GraftError('cli/usage', `--report must be text, json or none, not '${reportMode}'`);
  const registry = createRegistry();
  const started = Date.now();
  const result = await transformModel(values.in_graph, values.out_graph, {
    inputs: values.inputs !== undefined ? splitList(values.inputs) : undefined,
    outputs: values.outputs !== undefined ? splitList(values.outputs) : undefined,
    transforms: values.transforms,
    registry,
    tags: values.saved_model_tags !== undefined ? splitList(values.saved_model_tags) : undefined,
    outputAsText: values.output_as_text,
    hooks: {
      beforeStep(info) {
        // A progress line for runs that take a while, on stderr only.
        if (io.interactive || Date.now() - started > 2000) io.err(`[${info.index + 1}/${info.count}] ${info.call} (${info.graph.nodes.length} nodes)`);
      },
    },
  });
  if (reportMode === 'json') io.out(JSON.stringify({ wrote: result.wrote, out: values.out_graph, inputs: result.inputs, outputs: result.outputs, protected: result.protectedForSavedModel, report: result.report }, null, 2));
  else if (reportMode === 'text') {
    io.out(formatReport(result.report));
    io.out(`wrote ${result.wrote === 'saved-model' ? 'SavedModel' : 'GraphDef'} ${values.out_graph}`);
  }
  return 0;
}
