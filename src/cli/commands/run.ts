import * as nodePath from 'node:path';
import { GraftError, isGraftError } from '../../errors';
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
import { type ModelRun, type RunModelOptions, type RunnableModel, type RunnableSelection, runModel, selectRunnable } from '../../verify/runnable';
import { memoryFiles } from '../../runtime/memory-files';
import { formatTensorSummary, summarizeTensor } from '../../verify/tensor-summary';
import { parseFlags } from '../args';
import { flagError } from '../flag-names';
import { toJson } from '../json-flag';
import { type Io, reportError } from '../output';
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
  --signature_def  a signature key, or a method name (tensorflow/serving/regress). When several
            signatures have the method, each runs on the same inputs (sorted by key), its results
            under "Signature KEY (METHOD):"; --out/--outdir DIR hold DIR/KEY/; --json keys the
            results by signature; the exit code is 0 only when every one ran.
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
  const selection = await selectRunnable(modelPathArg, loadOptionsFromFlags(values));
  if (selection.kind === 'method') return runEachSignature(modelPathArg, selection, values, io, out);
  const model = selection.model;
  // The model's Print/PrintV2 output goes to stderr, as TensorFlow writes it.
  let result: Awaited<ReturnType<typeof runModel>>;
  try {
    result = await runInMemory(io, model, { ...runOptions, print: (text) => io.err(text) });
  } catch (e) {
    throw runError(e);
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

type MethodSelection = Extract<RunnableSelection, { kind: 'method' }>;

/**
 * `runModel` with what the graph writes (a Saver's save path) kept in memory, never written to the
 * paths the graph names (one could be the user's own checkpoint); one line on stderr says so.
 */
async function runInMemory(io: Io, model: RunnableModel, opts: RunModelOptions): Promise<ModelRun> {
  const sink = memoryFiles(model.runtime?.readFile ? { readFile: model.runtime.readFile } : {});
  const result = await runModel(model, { ...opts, readFile: sink.readFile, writeFile: sink.writeFile, deleteFile: sink.deleteFile });
  if (sink.files.size > 0) {
    const bytes = [...sink.files.values()].reduce((n, b) => n + b.length, 0);
    io.err(`note: the graph wrote ${sink.files.size} file(s), ${bytes} bytes, kept in memory and not written to disk: ${[...sink.files.keys()].join(', ')}`);
  }
  return result;
}

/** A failed run, in the flags' words. */
function runError(e: unknown, flags: Readonly<Record<string, string>> = RUN_FLAG_NAMES): unknown {
  return flagError(withLimitFlag(e, undefined, 'Lower --batch for unknown dimensions, or give the input as a file. '), flags);
}

/** The note on stderr before the signatures of one method run. */
function noteMethod(sel: MethodSelection, io: Io): void {
  io.err(`note: '${sel.method}' is the method of ${sel.keys.length} signatures (${sel.keys.join(', ')}); each is run on the same inputs, in that order (--signature_def KEY runs one)`);
}

/** The header line of one signature's results. */
function signatureHeader(key: string, method: string): string {
  return `Signature ${key} (${method}):`;
}

/**
 * A signature key names a subdirectory of --out/--outdir: it comes from the model, and one that is
 * not a plain file name would write outside. Refused before anything runs.
 */
function checkSignatureDirs(path: string, keys: readonly string[], flag: string): void {
  for (const key of keys) {
    if (!isPlainFileName(key)) {
      throw new GraftError('io/unsafe-path', `Signature key '${key}' of ${path} is not a plain file name, so ${flag} cannot hold a ${key}/ directory of its outputs`, {
        file: path,
        hint: `Run without ${flag} (the results print), or pick one signature with --signature_def KEY.`,
      });
    }
  }
}

function isPlainFileName(name: string): boolean {
  return !(name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name));
}

/** A signature's failure, reported on stderr with its key; the exit code it asks for. */
function reportSignatureFailure(key: string, method: string, e: unknown, io: Io): number {
  const named = isGraftError(e)
    ? new GraftError(e.code, `signature ${key} (${method}): ${e.file !== undefined && !e.message.includes(e.file) ? `${e.file}: ` : ''}${e.message}`, {
        ...(e.file !== undefined ? { file: e.file } : {}),
        ...(e.node !== undefined ? { node: e.node } : {}),
        ...(e.op !== undefined ? { op: e.op } : {}),
        ...(e.hint !== undefined ? { hint: e.hint } : {}),
        ...(e.param !== undefined ? { param: e.param } : {}),
        cause: e,
      })
    : e instanceof Error
      ? Object.assign(new Error(`signature ${key} (${method}): ${e.message}`, { cause: e }), { stack: e.stack })
      : e;
  return reportError(named, io, false);
}

/** The JSON of a failed signature. */
function failureJson(e: unknown): { error: { code: string; message: string } } {
  return { error: isGraftError(e) ? { code: e.code, message: e.message } : { code: 'internal', message: e instanceof Error ? e.message : String(e) } };
}

/**
 * `graft run --signature_def METHOD` when several signatures have that method: each runs on the
 * same inputs, in key order, its results under a header naming it; --out DIR holds DIR/<key>/.
 * A signature that fails is reported with its key and the others still run; the exit code is
 * 0 only when every one ran.
 */
async function runEachSignature(path: string, sel: MethodSelection, values: RunValues, io: Io, out: { inputs: string[]; overwrite: boolean }): Promise<number> {
  noteMethod(sel, io);
  if (values.out !== undefined) checkSignatureDirs(path, sel.keys, '--out');
  const runOptions = runOptionsFromFlags(values);
  const runs: { key: string; result?: ModelRun; error?: unknown }[] = [];
  for (const key of sel.keys) {
    try {
      const model = await sel.load(key);
      runs.push({ key, result: await runInMemory(io, model, { ...runOptions, print: (text) => io.err(text) }) });
    } catch (e) {
      runs.push({ key, error: runError(e) });
    }
  }
  const written = new Map<string, string[]>();
  if (values.out !== undefined && runs.some((r) => r.result)) {
    const outDir = values.out;
    await writeDirAtomic(
      outDir,
      async (tmp) => {
        for (const r of runs) {
          if (!r.result) continue;
          const files: string[] = [];
          await nodeFileSystem.mkdir(nodePath.join(tmp, r.key));
          for (const o of r.result.outputs) {
            await nodeFileSystem.writeFile(nodePath.join(tmp, r.key, outputFileName(o.name)), [writeNpy(o.tensor)]);
            files.push(nodePath.join(outDir, r.key, outputFileName(o.name)));
          }
          written.set(r.key, files);
        }
      },
      nodeFileSystem,
      { ...out, kind: 'dir' },
    );
  }
  let code = 0;
  if (values.json) {
    const signatures: Record<string, unknown> = {};
    for (const r of runs) {
      const res = r.result;
      signatures[r.key] = res
        ? { backend: res.backend, feeds: res.feeds, seed: res.seed, outputs: res.outputs.map((o) => ({ name: o.name, ...summarizeTensor(o.tensor, 1000) })), written: written.get(r.key) ?? [] }
        : failureJson(r.error);
    }
    io.out(toJson({ model: path, method: sel.method, signatures, written: [...written.values()].flat() }));
    for (const r of runs) if (!r.result) code = Math.max(code, reportSignatureFailure(r.key, sel.method, r.error, io));
    return code;
  }
  for (const r of runs) {
    if (!r.result) {
      code = Math.max(code, reportSignatureFailure(r.key, sel.method, r.error, io));
      continue;
    }
    const generated = r.result.feeds.filter((f) => f.generated);
    if (generated.length > 0) io.err(`${r.key}: generated inputs (seed ${r.result.seed}): ${generated.map((f) => `${f.name} ${f.dtype} [${f.shape.join(',')}]`).join(', ')}`);
    io.out(signatureHeader(r.key, sel.method));
    for (const o of r.result.outputs) io.out(formatTensorSummary(o.name, summarizeTensor(o.tensor)));
  }
  for (const f of [...written.values()].flat()) io.out(`wrote ${f}`);
  return code;
}

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
  const selection = await selectRunnable(path, loadOptionsFromFlags(values));
  if (selection.kind === 'method') noteMethod(selection, io);
  const { feeds, warnings } = await savedModelCliFeeds({
    ...(values.inputs !== undefined ? { inputs: values.inputs } : {}),
    ...(values.input_exprs !== undefined ? { inputExprs: values.input_exprs } : {}),
    ...(values.input_examples !== undefined ? { inputExamples: values.input_examples } : {}),
    ...(runOptions.seed !== undefined ? { seed: runOptions.seed } : {}),
  });
  for (const w of warnings) io.err(`warning: ${w}`);
  const protectedInputs = [...(await modelInputPaths(path)), ...[...parseInputsArg(values.inputs ?? '').values()].map(([f]) => f), ...inputFiles(values.input)];
  const run = async (model: RunnableModel, plan: CliPlan): Promise<ModelRun> => {
    try {
      return await runInMemory(io, model, { ...runOptions, feeds, outputs: plan.outputs.map((o) => o.name), print: (text) => io.err(text) });
    } catch (e) {
      throw runError(e, { ...RUN_FLAG_NAMES, feeds: '--inputs/--input_exprs/--input_examples' });
    }
  };
  if (selection.kind === 'one') {
    const model = selection.model;
    const plan = await planCliRun(path, model, feeds, values, values.outdir, protectedInputs);
    const result = await run(model, plan);
    const written = await emitCliRun(plan, result, values, io, protectedInputs, '');
    // The JSON document once every file is written: a failed write leaves stdout empty.
    if (values.json) io.out(toJson({ model: model.path, ...cliRunJson(plan, result, written) }));
    return 0;
  }
  // Several signatures of one method: every check on the outputs is made, for all of them, before
  // any runs; a signature whose inputs do not fit fails alone, and the others still run.
  const outdir = values.outdir;
  if (outdir !== undefined) checkSignatureDirs(path, selection.keys, '--outdir');
  const runs: { key: string; model?: RunnableModel; plan?: CliPlan; result?: ModelRun; error?: unknown }[] = [];
  for (const key of selection.keys) {
    const sub = outdir === undefined ? undefined : nodePath.join(outdir, key);
    try {
      const model = await selection.load(key);
      if (sub !== undefined && (await nodeFileSystem.kind(sub)) === 'file') {
        throw new GraftError('io/exists', `${sub} is a file; --outdir ${outdir} holds a directory per signature (${key}/)`, { file: sub, hint: 'Move the file away, or give another --outdir.' });
      }
      runs.push({ key, model, plan: await planCliRun(path, model, feeds, values, sub, protectedInputs) });
    } catch (e) {
      if (isGraftError(e) && e.code.startsWith('io/')) throw e;
      runs.push({ key, error: e });
    }
  }
  for (const r of runs) {
    if (!r.model || !r.plan) continue;
    try {
      r.result = await run(r.model, r.plan);
    } catch (e) {
      r.error = e;
    }
  }
  let code = 0;
  const signatures: Record<string, unknown> = {};
  const allWritten: string[] = [];
  for (const r of runs) {
    if (!r.plan || !r.result) {
      if (values.json) signatures[r.key] = failureJson(r.error);
      else code = Math.max(code, reportSignatureFailure(r.key, selection.method, r.error, io));
      continue;
    }
    if (!values.json) io.out(signatureHeader(r.key, selection.method));
    const written = await emitCliRun(r.plan, r.result, values, io, protectedInputs, `${r.key}: `);
    allWritten.push(...written);
    signatures[r.key] = cliRunJson(r.plan, r.result, written);
  }
  if (values.json) {
    io.out(toJson({ model: path, method: selection.method, signatures, written: allWritten }));
    for (const r of runs) if (!r.result) code = Math.max(code, reportSignatureFailure(r.key, selection.method, r.error, io));
  }
  return code;
}

/** What saved_model_cli's form fetches from one signature and where --outdir puts it. */
interface CliPlan {
  /** Every signature output, sorted by key. */
  readonly outputs: readonly { readonly key: string; readonly name: string }[];
  /** With --outdir: the directory and a `<key>.npy` per output. */
  readonly outdir?: string;
  readonly files: readonly string[];
}

/**
 * saved_model_cli's checks before running one signature: the feeds are its input keys, every
 * placeholder is fed (unless --generate_inputs), and --outdir can take its files: each output key
 * a plain file name, no existing file without --overwrite, no file an input.
 */
async function planCliRun(path: string, model: RunnableModel, feeds: Readonly<Record<string, unknown>>, values: RunValues, outdir: string | undefined, protectedInputs: readonly string[]): Promise<CliPlan> {
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
  if (outdir === undefined) return { outputs, files: [] };
  // Before running: an existing output file needs --overwrite, and no output may be an input.
  // The keys come from the model: one that is not a plain file name would write outside --outdir.
  for (const o of outputs) {
    if (!isPlainFileName(o.key)) {
      throw new GraftError('io/unsafe-path', `Output key '${o.key}' of ${path} is not a plain file name, so --outdir cannot hold ${o.key}.npy`, {
        file: path,
        hint: 'Run without --outdir (the results print), or with graft run --out DIR, which names files after the tensors.',
      });
    }
  }
  const files = outputs.map((o) => nodePath.join(outdir, `${o.key}.npy`));
  if (values.outdir !== undefined && (await nodeFileSystem.kind(values.outdir)) === 'file') {
    throw new GraftError('io/exists', `--outdir ${values.outdir} is a file; saved_model_cli's outdir is a directory (created when missing)`, { file: values.outdir, hint: 'Give a directory path (graft creates it when missing), or move the file away.' });
  }
  for (const f of files) {
    if (values.overwrite !== true && (await nodeFileSystem.kind(f)) !== null) {
      throw new GraftError('io/exists', `Output file ${f} already exists. Add "--overwrite" to overwrite the existing output files.`, { file: f });
    }
    await checkOutput(f, { inputs: protectedInputs, overwrite: true, kind: 'file' });
  }
  return { outputs, outdir, files };
}

/** Prints one signature's "Result for output key K:" blocks (text mode) and writes its --outdir files; the files written. */
async function emitCliRun(plan: CliPlan, result: ModelRun, values: RunValues, io: Io, protectedInputs: readonly string[], notePrefix: string): Promise<string[]> {
  const generated = result.feeds.filter((f) => f.generated);
  if (generated.length > 0) io.err(`note: ${notePrefix}inputs not given were generated (seed ${result.seed}): ${generated.map((f) => `${f.name} ${f.dtype} [${f.shape.join(',')}]`).join(', ')}`);
  for (let i = 0; i < plan.outputs.length; i++) {
    const tensor = result.outputs[i]!.tensor;
    if (!values.json) io.out(`Result for output key ${plan.outputs[i]!.key}:\n${numpyStr(tensor)}`);
    if (plan.outdir !== undefined) {
      await nodeFileSystem.mkdir(plan.outdir);
      await writeFileAtomic(plan.files[i]!, [writeNpy(tensor)], nodeFileSystem, { overwrite: true, inputs: protectedInputs });
      if (!values.json) io.out(`Output ${plan.outputs[i]!.key} is saved to ${plan.files[i]}`);
    }
  }
  return [...plan.files];
}

/** One signature's run in `graft run --json` (saved_model_cli's form), less the model path. */
function cliRunJson(plan: CliPlan, result: ModelRun, written: readonly string[]) {
  return { backend: result.backend, feeds: result.feeds, seed: result.seed, outputs: result.outputs.map((o, i) => ({ key: plan.outputs[i]!.key, name: o.name, ...summarizeTensor(o.tensor, 1000) })), written };
}
