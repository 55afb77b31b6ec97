import * as nodePath from 'node:path';
import { GraftError } from '../../errors';
import { checkOutput, nodeFileSystem, writeDirAtomic, writeFileAtomic } from '../../io/fs';
import { numpyStr } from '../../inspect/array-text';
import { nearestNames } from '../../suggest';
import { parseInputsArg, savedModelCliFeeds } from '../../verify/saved-model-cli-inputs';
import { modelInputPaths } from '../../io/model-files';
import { isInlineJson } from '../../verify/feeds';
import { formatShape } from '../../ir/attr';
import { parseInput } from '../../ir/node';
import { placeholderSpecs } from '../../ir/seeded-inputs';
import { writeNpy } from '../../io/npy';
import { type RunnableModel, loadRunnable, runModel } from '../../verify/runnable';
import { formatTensorSummary, summarizeTensor } from '../../verify/tensor-summary';
import { parseFlags } from '../args';
import { flagError } from '../flag-names';
import { toJson } from '../json-flag';
import type { Io } from '../output';
import { LIMIT_USAGE, RUN_FLAGS, RUN_FLAG_NAMES, loadOptionsFromFlags, runOptionsFromFlags, withLimitFlag } from './run-flags';

// Kept importable from here, where they were first defined.
export { parseBackend, parseNumberFlag } from './run-flags';

export const usage = `Usage: graft run <model> [--input name=file.npy ...] [--output name ...] [--out DIR [--overwrite]]
                 [--seed 1] [--batch 1] [--backend wasm|cpu] [--json] [--tag_set serve] [--signature_def NAME]
       graft run --dir <saved_model_dir> --tag_set serve --signature_def KEY
                 [--inputs 'k=file.npy;k2=file.npz[name]'] [--input_exprs 'k=np.ones((2,3))']
                 [--input_examples 'k=[{"x":[1.0]}]'] [--outdir DIR [--overwrite]]   (saved_model_cli run)
                 [--generate_inputs]
  Runs a model and prints its outputs. <model> is a .pb/.pbtxt GraphDef, a .meta or a SavedModel.
  --input   name=file.npy, name=file.json or name=[1,2,3] (repeatable; name may be a signature key).
            A string input read by a tf.Example parse op takes name=examples.json, a list of
            {feature: value | [values]} objects, each serialized as a tf.Example.
            Inputs not given are generated from --seed (floats in [0.05,1.05), ints in [0,10);
            valid tf.Examples for inputs a parse op reads).
  --signature_def  a signature key, or a method name (tensorflow/serving/regress) one signature has.
  --output  outputs to fetch (repeatable or comma-separated); default: the signature's, or the
            nodes nothing consumes.
  --out     also writes each output as DIR/<name>.npy (DIR appears complete or not at all; an
            existing non-empty DIR is replaced only with --overwrite, and never an input).
  saved_model_cli's flags (--dir, --inputs, --input_exprs, --input_examples, --outdir) print
  "Result for output key K:" blocks in numpy's format, every signature output sorted by key;
  --outdir writes DIR/<key>.npy (an existing file only with --overwrite). --input_exprs takes
  Python literals and numpy's array/ones/zeros/full/arange/linspace/eye/random calls (read, never
  executed); .npz inputs are read, pickles refused. --tf_debug, --worker, --init_tpu and
  --use_tfrt are accepted and ignored with a note. As in TensorFlow, every input placeholder of the
  signature must be given; --generate_inputs (graft's) generates seeded values for those that are not.
${LIMIT_USAGE}`;

/** The flags of `graft run`: graft's own, and saved_model_cli run's. */
export const RUN_COMMAND_FLAGS = {
  ...RUN_FLAGS,
  out: { type: 'string' },
  overwrite: { type: 'boolean' },
  dir: { type: 'string' },
  inputs: { type: 'string' },
  input_exprs: { type: 'string' },
  input_examples: { type: 'string' },
  outdir: { type: 'string' },
  generate_inputs: { type: 'boolean' },
  tf_debug: { type: 'string', bare: true, ignored: 'graft has no TensorFlow Debugger; graft transform --verify names the step that changes outputs' },
  worker: { type: 'string', ignored: 'graft runs the model in this process, on no remote worker' },
  init_tpu: { type: 'string', bare: true, ignored: 'graft runs on the CPU (tfjs), never on a TPU' },
  use_tfrt: { type: 'string', bare: true, ignored: "graft runs the model with its own runtime (tfjs), not TensorFlow's TFRT or TF1 session" },
} as const;

/** The files named by `--input name=file` (and `name=@file`), for the output rules. */
function inputFiles(specs: unknown): string[] {
  const list = Array.isArray(specs) ? specs : typeof specs === 'string' ? [specs] : [];
  const files: string[] = [];
  for (const spec of list) {
    if (typeof spec !== 'string') continue;
    const eq = spec.indexOf('=');
    const source = eq >= 0 ? spec.slice(eq + 1) : spec;
    if (source === '' || isInlineJson(source)) continue;
    files.push(source.startsWith('@') ? source.slice(1) : source);
  }
  return files;
}

/** A file name for an output tensor: `/` and `:` become `_`. */
export function outputFileName(name: string): string {
  return `${name.replace(/[/:\\]/g, '_')}.npy`;
}

export async function runCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals, notes } = parseFlags(args, RUN_COMMAND_FLAGS, usage);
  if (values.help) return io.out(usage), 0;
  for (const n of notes) io.err(n);
  const tfForm = [values.dir, values.inputs, values.input_exprs, values.input_examples, values.outdir].some((v) => v !== undefined);
  if (values.dir !== undefined && positionals.length > 0) throw new GraftError('cli/usage', `Give the model once: as --dir or as the argument.\n${usage}`);
  const modelPathArg = values.dir ?? positionals[0];
  if (modelPathArg === undefined || positionals.length > 1) throw new GraftError('cli/usage', `run takes one model path (or --dir)\n${usage}`);
  if (values.out !== undefined && values.outdir !== undefined) throw new GraftError('cli/usage', `Give --out or --outdir, not both.\n${usage}`);
  if (tfForm) return runSavedModelCliForm(modelPathArg, values, io);
  // Before any work: --out may not touch the model or an input file; an existing one needs --overwrite.
  const inputs = [...(await modelInputPaths(modelPathArg)), ...inputFiles(values.input)];
  const out = { inputs, overwrite: values.overwrite === true };
  if (values.out !== undefined) await checkOutput(values.out, { ...out, kind: 'dir' });
  const runOptions = runOptionsFromFlags(values);
  const model = await loadRunnable(modelPathArg, loadOptionsFromFlags(values));
  // The model's Print/PrintV2 output goes to stderr, as TensorFlow writes it.
  let result: Awaited<ReturnType<typeof runModel>>;
  try {
    result = await runModel(model, { ...runOptions, print: (text) => io.err(text) });
  } catch (e) {
    throw flagError(withLimitFlag(e, undefined, 'Lower --batch for unknown dimensions, or give the input as a file. '), RUN_FLAG_NAMES);
  }
  const written: string[] = [];
  if (values.out !== undefined) {
    const outDir = values.out;
    await writeDirAtomic(
      outDir,
      async (tmp) => {
        for (const o of result.outputs) {
          await nodeFileSystem.writeFile(nodePath.join(tmp, outputFileName(o.name)), [writeNpy(o.tensor)]);
          written.push(nodePath.join(outDir, outputFileName(o.name)));
        }
      },
      nodeFileSystem,
      out,
    );
  }
  if (values.json) {
    io.out(toJson({ model: model.path, backend: result.backend, feeds: result.feeds, seed: result.seed, outputs: result.outputs.map((o) => ({ name: o.name, ...summarizeTensor(o.tensor, 1000) })), written }));
    return 0;
  }
  const generated = result.feeds.filter((f) => f.generated);
  if (generated.length > 0) io.err(`generated inputs (seed ${result.seed}): ${generated.map((f) => `${f.name} ${f.dtype} [${f.shape.join(',')}]`).join(', ')}`);
  for (const o of result.outputs) io.out(formatTensorSummary(o.name, summarizeTensor(o.tensor)));
  for (const f of written) io.out(`wrote ${f}`);
  return 0;
}

type RunValues = ReturnType<typeof parseFlags<typeof RUN_COMMAND_FLAGS>>['values'];

const GENERATE_HINT = 'Give every input with --inputs, --input_exprs or --input_examples (or graft\'s --input), or add --generate_inputs for graft\'s seeded values.';

/**
 * saved_model_cli's checks on the inputs, in TensorFlow's words: at least one input flag, and a
 * value for every placeholder the signature takes (TensorFlow's session fails on the first one
 * missing). A signature input some node computes need not be fed.
 */
function checkAllFed(model: RunnableModel, feeds: Readonly<Record<string, unknown>>, values: RunValues): void {
  // A malformed --input is refused by the run itself, with its own message.
  const graftInputs = (values.input ?? []).filter((s) => s.indexOf('=') > 0).map((s) => s.slice(0, s.indexOf('=')));
  if (!values.inputs && !values.input_exprs && !values.input_examples && graftInputs.length === 0) {
    throw new GraftError('cli/usage', 'At least one of --inputs, --input_exprs or --input_examples must be required', { hint: GENERATE_HINT });
  }
  const given = new Set([...Object.keys(feeds), ...graftInputs]);
  const placeholders = new Map(placeholderSpecs(model.graph).map((p) => [p.name, p]));
  const unfed = model.inputs
    .filter((i) => !(i.key !== undefined && given.has(i.key)) && !given.has(i.name) && !given.has(parseInput(i.name).node))
    .map((i) => placeholders.get(parseInput(i.name).node))
    .filter((p): p is NonNullable<typeof p> => p !== undefined);
  const first = unfed[0];
  if (first === undefined) return;
  const shape = formatShape(first.shape === null ? { dims: [], unknownRank: true } : { dims: first.shape, unknownRank: false });
  const others = unfed.slice(1).map((p) => p.name);
  throw new GraftError('runtime/missing-feed', `You must feed a value for placeholder tensor '${first.name}' with dtype ${first.dtype} and shape ${shape}${others.length ? ` (nor are ${others.map((n) => `'${n}'`).join(', ')} fed)` : ''}`, {
    node: first.name,
    op: 'Placeholder',
    hint: GENERATE_HINT,
  });
}

/**
 * `saved_model_cli run`: feeds by input key from --inputs/--input_exprs/--input_examples (and
 * graft's --input), every signature output fetched and printed as "Result for output key K:"
 * in numpy's format, sorted by key; --outdir writes K.npy files.
 */
async function runSavedModelCliForm(path: string, values: RunValues, io: Io): Promise<number> {
  if (values.output !== undefined) throw new GraftError('cli/usage', `--output is graft's flag; saved_model_cli's form fetches every output of the signature.\n${usage}`);
  const runOptions = runOptionsFromFlags(values);
  const model = await loadRunnable(path, loadOptionsFromFlags(values));
  const { feeds, warnings } = await savedModelCliFeeds({
    ...(values.inputs !== undefined ? { inputs: values.inputs } : {}),
    ...(values.input_exprs !== undefined ? { inputExprs: values.input_exprs } : {}),
    ...(values.input_examples !== undefined ? { inputExamples: values.input_examples } : {}),
    ...(runOptions.seed !== undefined ? { seed: runOptions.seed } : {}),
  });
  for (const w of warnings) io.err(`warning: ${w}`);
  // saved_model_cli takes signature input keys only.
  const keys = model.inputs.map((i) => i.key).filter((k): k is string => k !== undefined);
  if (keys.length > 0) {
    for (const k of Object.keys(feeds)) {
      if (!keys.includes(k)) {
        const near = nearestNames(k, keys, 2);
        throw new GraftError('cli/usage', `"${k}" is not a valid input key. Please choose from "${keys.join('", "')}", or use --show option.${near.length ? ` (did you mean "${near[0]}"?)` : ''}`);
      }
    }
  }
  if (values.generate_inputs !== true) checkAllFed(model, feeds, values);
  const outputs = [...model.outputs].map((o) => ({ key: o.key ?? o.name, name: o.name })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  // Before running: an existing output file needs --overwrite, and no output may be an input.
  if (values.outdir !== undefined) {
    // The keys come from the model: one that is not a plain file name would write outside --outdir.
    for (const o of outputs) {
      if (o.key === '' || o.key === '.' || o.key === '..' || /[/\\\0]/.test(o.key)) {
        throw new GraftError('io/unsafe-path', `Output key '${o.key}' of ${path} is not a plain file name, so --outdir cannot hold ${o.key}.npy`, {
          file: path,
          hint: 'Run without --outdir (the results print), or with graft run --out DIR, which names files after the tensors.',
        });
      }
    }
  }
  const files = values.outdir !== undefined ? outputs.map((o) => nodePath.join(values.outdir!, `${o.key}.npy`)) : [];
  const protectedInputs = [...(await modelInputPaths(path)), ...[...parseInputsArg(values.inputs ?? '').values()].map(([f]) => f), ...inputFiles(values.input)];
  if (values.outdir !== undefined && (await nodeFileSystem.kind(values.outdir)) === 'file') {
    throw new GraftError('io/exists', `--outdir ${values.outdir} is a file; saved_model_cli's outdir is a directory (created when missing)`, { file: values.outdir, hint: 'Give a directory path (graft creates it when missing), or move the file away.' });
  }
  for (const f of files) {
    if (values.overwrite !== true && (await nodeFileSystem.kind(f)) !== null) {
      throw new GraftError('io/exists', `Output file ${f} already exists. Add "--overwrite" to overwrite the existing output files.`, { file: f });
    }
    await checkOutput(f, { inputs: protectedInputs, overwrite: true, kind: 'file' });
  }
  let result: Awaited<ReturnType<typeof runModel>>;
  try {
    result = await runModel(model, { ...runOptions, feeds, outputs: outputs.map((o) => o.name), print: (text) => io.err(text) });
  } catch (e) {
    throw flagError(withLimitFlag(e, undefined, 'Lower --batch for unknown dimensions, or give the input as a file. '), { ...RUN_FLAG_NAMES, feeds: '--inputs/--input_exprs/--input_examples' });
  }
  const generated = result.feeds.filter((f) => f.generated);
  if (generated.length > 0) io.err(`note: inputs not given were generated (seed ${result.seed}): ${generated.map((f) => `${f.name} ${f.dtype} [${f.shape.join(',')}]`).join(', ')}`);
  for (let i = 0; i < outputs.length; i++) {
    const tensor = result.outputs[i]!.tensor;
    if (!values.json) io.out(`Result for output key ${outputs[i]!.key}:\n${numpyStr(tensor)}`);
    if (values.outdir !== undefined) {
      await nodeFileSystem.mkdir(values.outdir);
      await writeFileAtomic(files[i]!, [writeNpy(tensor)], nodeFileSystem, { overwrite: true, inputs: protectedInputs });
      if (!values.json) io.out(`Output ${outputs[i]!.key} is saved to ${files[i]}`);
    }
  }
  // The JSON document once every file is written: a failed write leaves stdout empty.
  if (values.json) {
    io.out(toJson({ model: model.path, backend: result.backend, feeds: result.feeds, seed: result.seed, outputs: result.outputs.map((o, i) => ({ key: outputs[i]!.key, name: o.name, ...summarizeTensor(o.tensor, 1000) })), written: files }));
  }
  return 0;
}
