import { GraftError } from '../../errors';
import { checkOutput } from '../../io/fs';
import { checkpointFiles, modelInputPaths, saveGraph } from '../../io/model-files';
import { freezeModel } from '../../freeze/freeze-files';
import { BOOL_WORD, flagBool, parseFlags, splitList } from '../args';
import { toJson } from '../json-flag';
import { flagError } from '../flag-names';
import type { Io } from '../output';

export const usage = `Usage: graft freeze --input_saved_model_dir=DIR [--saved_model_tags=serve] [--signature_def=NAME]
                    [--output_node_names=a,b] --output_graph=frozen.pb
       graft freeze --input_meta_graph=model.ckpt.meta [--input_checkpoint=model.ckpt] --output_node_names=a,b --output_graph=frozen.pb
       graft freeze --input_graph=graph.pb --input_checkpoint=model.ckpt --output_node_names=a,b --output_graph=frozen.pb
       (TensorFlow 1.x's --input_graph=model.ckpt.meta --input_meta_graph[=true] is the .meta form.)
  TensorFlow's freeze_graph flags. Variables become constants holding the checkpoint's values and the
  graph is pruned to the outputs (by default the signature's; serving_default unless --signature_def).
  TF2 SavedModels are inlined first. Output is binary GraphDef, or text for .pbtxt.
  [--clear_devices[=true|false]] [--variable_names_allowlist=a,b] [--variable_names_denylist=a,b] [--json] [--overwrite]
  An existing --output_graph is replaced only with --overwrite; it may never be one of the inputs
  (the SavedModel, the graph, the checkpoint files) or lie inside them.
  Also accepted, as freeze_graph spells them: --input_binary[=true|false], --variable_names_whitelist,
  --variable_names_blacklist; and, with a note that graft has no use for them: --input_saver,
  --restore_op_name, --filename_tensor_name, --initializer_nodes, --checkpoint_version.`;

/** The library's option names (`freezeModel`) and this command's flags. */
const FREEZE_FLAGS = { outputNodeNames: '--output_node_names', checkpoint: '--input_checkpoint', signature: '--signature_def', tags: '--saved_model_tags' } as const;

/** `graft freeze`: freeze_graph for SavedModels (TF1 and TF2), `.meta` + checkpoint, GraphDef + checkpoint. */
export async function freezeCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals, notes } = parseFlags(
    args,
    {
      input_saved_model_dir: { type: 'string' },
      saved_model_tags: { type: 'string' },
      signature_def: { type: 'string' },
      input_meta_graph: { type: 'string', optionalValue: true },
      input_graph: { type: 'string' },
      input_checkpoint: { type: 'string' },
      input_binary: { type: 'string', bare: true, ignored: 'graft tells binary and text GraphDefs apart by their bytes' },
      output_node_names: { type: 'string' },
      output_graph: { type: 'string' },
      clear_devices: { type: 'string', bare: true },
      variable_names_whitelist: { type: 'string', aliases: ['variable_names_allowlist'] },
      variable_names_blacklist: { type: 'string', aliases: ['variable_names_denylist'] },
      // freeze_graph flags that graft has no use for (it reads the checkpoint directly).
      input_saver: { type: 'string', ignored: 'graft reads the checkpoint itself; no Saver is needed' },
      restore_op_name: { type: 'string', ignored: 'unused by TensorFlow too (deprecated)' },
      filename_tensor_name: { type: 'string', ignored: 'unused by TensorFlow too (deprecated)' },
      initializer_nodes: { type: 'string', ignored: 'graft takes variable values from the checkpoint; initializer nodes are kept in the graph as they are' },
      checkpoint_version: { type: 'string', ignored: 'graft reads the V2 checkpoint format (what TensorFlow writes by default) and says so if a file is not one' },
      json: { type: 'boolean' },
      overwrite: { type: 'boolean' },
    },
    usage,
  );
  if (values.help) return io.out(usage), 0;
  for (const n of notes) io.err(n);
  if (positionals.length > 0) throw new GraftError('cli/usage', `Unknown argument ${positionals[0]}.\n${usage}`);
  // TF 1.x: --input_meta_graph as a bool (bare, or =true/false) says the --input_graph file holds a
  // MetaGraphDef; TF 2.x gives the .meta path itself.
  let metaGraph = values.input_meta_graph;
  let inputGraph = values.input_graph;
  if (metaGraph !== undefined && BOOL_WORD.test(metaGraph)) {
    const isMeta = flagBool('input_meta_graph', metaGraph, false);
    if (isMeta && inputGraph === undefined) {
      throw new GraftError('cli/usage', `--input_meta_graph without a path (TensorFlow 1.x's form) says that --input_graph is a MetaGraphDef: give --input_graph=model.ckpt.meta with it, or --input_meta_graph=model.ckpt.meta.\n${usage}`);
    }
    if (isMeta && !/\.meta$/i.test(inputGraph!)) {
      throw new GraftError('cli/usage', `--input_meta_graph=true: graft reads a MetaGraphDef from a file named .meta, and --input_graph ${inputGraph} is not one; give the file a .meta name (or pass it as --input_meta_graph=FILE.meta)`);
    }
    metaGraph = isMeta ? inputGraph : undefined;
    if (isMeta) inputGraph = undefined;
  }
  const sources = [values.input_saved_model_dir, metaGraph, inputGraph].filter((s) => s !== undefined);
  if (sources.length !== 1) throw new GraftError('cli/usage', `Give exactly one of --input_saved_model_dir, --input_meta_graph, --input_graph.\n${usage}`);
  if (!values.output_graph) throw new GraftError('cli/usage', `--output_graph is required.\n${usage}`);
  const input = sources[0]!;
  if (inputGraph !== undefined && values.input_checkpoint === undefined && values.output_node_names === undefined) {
    throw new GraftError('cli/usage', `--input_graph needs --input_checkpoint and --output_node_names.\n${usage}`);
  }
  // Before any work: the output may not touch an input; an existing one needs --overwrite.
  const inputs = [...(await modelInputPaths(input)), ...(values.input_checkpoint !== undefined ? [values.input_checkpoint, ...(await checkpointFiles(values.input_checkpoint))] : [])];
  const out = { inputs, overwrite: values.overwrite === true };
  await checkOutput(values.output_graph, { ...out, kind: 'file' });
  const tags = values.saved_model_tags !== undefined ? splitList(values.saved_model_tags).map((t) => t.trim()).filter(Boolean) : undefined;
  const outputs = values.output_node_names !== undefined ? splitList(values.output_node_names).map((s) => s.trim()).filter(Boolean) : undefined;
  const allow = values.variable_names_whitelist !== undefined ? splitList(values.variable_names_whitelist.replace(/\s+/g, '')) : undefined;
  const deny = values.variable_names_blacklist !== undefined ? splitList(values.variable_names_blacklist.replace(/\s+/g, '')) : undefined;
  const result = await freezeModel(input, {
    ...(tags ? { tags } : {}),
    ...(values.signature_def !== undefined ? { signature: values.signature_def } : {}),
    ...(outputs?.length ? { outputNodeNames: outputs } : {}),
    ...(values.input_checkpoint !== undefined ? { checkpoint: values.input_checkpoint } : {}),
    // freeze_graph clears devices by default.
    clearDevices: flagBool('clear_devices', values.clear_devices, true),
    ...(allow ? { allowlist: allow } : {}),
    ...(deny ? { denylist: deny } : {}),
  }).catch((e: unknown) => {
    throw flagError(e, FREEZE_FLAGS);
  });
  // Written only once freezing succeeded, atomically: a failed run leaves no file.
  await saveGraph(result.graph, values.output_graph, out);
  if (values.json) {
    io.out(toJson({ output: values.output_graph, nodes: result.graph.nodes.length, inputs: result.inputs, outputs: result.outputs, signature: result.signature, converted: result.converted, diagnostics: result.diagnostics }));
  } else {
    for (const d of result.diagnostics) io.err(`${d.severity}: [${d.code}] ${d.message}`);
    io.out(`Converted ${result.converted.length} variable(s) to constants; ${result.graph.nodes.length} nodes.`);
    io.out(`inputs: ${result.inputs.join(', ') || '(none)'}`);
    io.out(`outputs: ${result.outputs.join(', ')}`);
    io.out(`wrote ${values.output_graph}`);
  }
  return 0;
}
