import * as nodePath from 'node:path';
import { GraftError } from '../../errors';
import { checkOutput, nodeFileSystem, writeDirAtomic } from '../../io/fs';
import { modelInputPaths } from '../../io/model-files';
import { isInlineJson } from '../../verify/feeds';
import { writeNpy } from '../../io/npy';
import { loadRunnable, runModel } from '../../verify/runnable';
import { formatTensorSummary, summarizeTensor } from '../../verify/tensor-summary';
import { parseFlags } from '../args';
import { toJson } from '../json-flag';
import type { Io } from '../output';
import { LIMIT_USAGE, RUN_FLAGS, loadOptionsFromFlags, runOptionsFromFlags, withLimitFlag } from './run-flags';

// Kept importable from here, where they were first defined.
export { parseBackend, parseNumberFlag } from './run-flags';

export const usage = `Usage: graft run <model> [--input name=file.npy ...] [--output name ...] [--out DIR [--overwrite]]
                 [--seed 1] [--batch 1] [--backend wasm|cpu] [--json] [--tag_set serve] [--signature_def NAME]
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
${LIMIT_USAGE}`;

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
  const { values, positionals } = parseFlags(args, { ...RUN_FLAGS, out: { type: 'string' }, overwrite: { type: 'boolean' } }, usage);
  if (values.help) return io.out(usage), 0;
  if (positionals.length !== 1) throw new GraftError('cli/usage', `run takes one model path\n${usage}`);
  // Before any work: --out may not touch the model or an input file; an existing one needs --overwrite.
  const inputs = [...(await modelInputPaths(positionals[0]!)), ...inputFiles(values.input)];
  const out = { inputs, overwrite: values.overwrite === true };
  if (values.out !== undefined) await checkOutput(values.out, { ...out, kind: 'dir' });
  const runOptions = runOptionsFromFlags(values);
  const model = await loadRunnable(positionals[0]!, loadOptionsFromFlags(values));
  // The model's Print/PrintV2 output goes to stderr, as TensorFlow writes it.
  let result: Awaited<ReturnType<typeof runModel>>;
  try {
    result = await runModel(model, { ...runOptions, print: (text) => io.err(text) });
  } catch (e) {
    throw withLimitFlag(e, undefined, 'Lower --batch for unknown dimensions, or give the input as a file. ');
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
