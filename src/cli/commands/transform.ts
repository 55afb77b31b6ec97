import { GraftError } from '../../errors';
import { functionWork, type FunctionWork } from '../../inspect/function-work';
import { parsePipeline } from '../../transform/pipeline';
import { createRegistry } from '../../transform/registry';
import { formatReport } from '../../transform/report';
import { transformModel } from '../../workflow/transform-model';
import { parseFlags, splitList } from '../args';
import { flagError } from '../flag-names';
import { JSON_FLAGS, reportMode as outputMode, toJson } from '../json-flag';
import type { Io } from '../output';

export const usage = `Usage: graft transform --in_graph=IN --out_graph=OUT --transforms='...' [--inputs=a,b] [--outputs=c,d]
       graft transform IN OUT ['TRANSFORMS'] [flags]
                       [--output_as_text] [--saved_model_tags=serve] [--json | --report=none] [--overwrite]
                       [--verify [--rtol=1e-4] [--atol=1e-5]]   run the graph after every step; name the first that moves it
  TensorFlow's transform_graph flags. IN and OUT may be .pb, .pbtxt or SavedModel directories;
  for a SavedModel, inputs and outputs left out come from its signatures.
  An existing OUT (a file, or a directory that is not empty) is replaced only with --overwrite, and
  only once the new output is complete; OUT may never be, contain or lie inside IN.
  Transforms: graft transforms`;

function parseTolerance(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new GraftError('cli/usage', `--${name} must be a non-negative number, not '${value}'`);
  return n;
}

/**
 * The warning for a graph whose work is inside functions: none when inline_partitionedcall runs
 * first; a note naming the earlier steps when it runs later; else what handles such a graph.
 */
export function functionWorkNote(work: FunctionWork, inlineAt: number): string | undefined {
  const what = `the graph's work is inside ${work.functions} library function${work.functions === 1 ? '' : 's'} (${work.functionNodes} nodes) called by ${work.calls.length} node${work.calls.length === 1 ? '' : 's'} (${work.calls.slice(0, 3).join(', ')}${work.calls.length > 3 ? ', ...' : ''}); the main graph has ${work.mainNodes} nodes`;
  if (inlineAt === 0) return undefined;
  if (inlineAt > 0) return `warning: ${what}. ${inlineAt === 1 ? 'The step' : `The ${inlineAt} steps`} before inline_partitionedcall ${inlineAt === 1 ? 'sees' : 'see'} only the main graph; put inline_partitionedcall first to transform the functions' nodes.`;
  return `warning: ${what}, and graph transforms work on the main graph only. Add inline_partitionedcall as the first transform (--transforms='inline_partitionedcall ...'), or use graft optimize, which freezes, inlines and transforms a SavedModel.`;
}

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
      ...JSON_FLAGS,
      verify: { type: 'boolean' },
      rtol: { type: 'string' },
      atol: { type: 'string' },
      overwrite: { type: 'boolean' },
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
  const reportMode = outputMode(values, io, ['text', 'json', 'none']);
  const registry = createRegistry();
  const started = Date.now();
  // Where inline_partitionedcall is in the pipeline (aliases resolved), -1 when absent.
  const inlineAt = parsePipeline(values.transforms, registry).steps.findIndex((s) => s.transform.name === 'inline_partitionedcall');
  let functionNote: string | undefined;
  const result = await transformModel(values.in_graph, values.out_graph, {
    inputs: values.inputs !== undefined ? splitList(values.inputs) : undefined,
    outputs: values.outputs !== undefined ? splitList(values.outputs) : undefined,
    transforms: values.transforms,
    registry,
    tags: values.saved_model_tags !== undefined ? splitList(values.saved_model_tags) : undefined,
    outputAsText: values.output_as_text,
    overwrite: values.overwrite === true,
    ...(values.verify ? { verify: { rtol: parseTolerance('rtol', values.rtol, 1e-4), atol: parseTolerance('atol', values.atol, 1e-5) } } : {}),
    hooks: {
      beforeStep(info) {
        // Up front: a TF2 graph whose work is in library functions, which these steps do not enter.
        if (info.index === 0) {
          const work = functionWork(info.graph);
          if (work) {
            functionNote = functionWorkNote(work, inlineAt);
            if (functionNote) io.err(functionNote);
          }
        }
        // A progress line for runs that take a while, on stderr only.
        if (io.interactive || Date.now() - started > 2000) io.err(`[${info.index + 1}/${info.count}] ${info.call} (${info.graph.nodes.length} nodes)`);
      },
    },
  }).catch((e: unknown) => {
    throw flagError(e, { inPath: '--in_graph', outPath: '--out_graph', outputs: '--outputs', rtol: '--rtol', atol: '--atol' });
  });
  const moved = 'firstMoved' in result.report ? result.report.firstMoved : undefined;
  if (reportMode === 'json') io.out(toJson({ wrote: result.wrote, out: values.out_graph, inputs: result.inputs, outputs: result.outputs, protected: result.protectedForSavedModel, ...(functionNote ? { warning: functionNote } : {}), report: result.report }));
  else if (reportMode === 'text') {
    io.out(formatReport(result.report));
    if ('verification' in result.report) {
      io.out(moved ? `verify: step ${moved.index + 1}, ${moved.step}, moved the outputs` : `verify: PASS after every step (rtol ${result.report.rtol}, atol ${result.report.atol})`);
    }
    io.out(`wrote ${result.wrote === 'saved-model' ? 'SavedModel' : 'GraphDef'} ${values.out_graph}`);
  }
  // The output is written (the check reports, it does not undo); the exit code says it moved.
  return moved ? 1 : 0;
}
