/**
 * The inputs of `saved_model_cli run`, read as TensorFlow's `load_inputs_from_input_arg_string`
 * reads them, into tensors by signature input key:
 *
 * - `--inputs 'k=file.npy;k2=file.npz[name]'`: `;`-separated; `.npy` or `.npz` files (a `[name]`
 *   after a `.npy` is ignored with a warning; an `.npz` without one must hold exactly one array).
 *   Pickle files are refused: loading one runs code.
 * - `--input_exprs 'k=np.ones((2,3))'`: Python literals and numpy calls, read by `py-expr.ts`
 *   (nothing is executed). A key given here and in `--inputs` takes this value, with a warning.
 * - `--input_examples 'k=[{"x":[1.0]}]'`: a list of dicts, each serialized as a `tf.Example`; a
 *   feature's list kind follows its first value's Python type (float → float_list, str or bytes →
 *   bytes_list, int or bool → int64_list). Overrides the other two, with a warning.
 *
 * The warnings are TensorFlow's texts; the caller prints them.
 */
import { GraftError } from '../errors';
import type { Tensor } from '../ir/tensor';
import { makeStringTensor } from '../ir/tensor';
import { type FileSystem, nodeFileSystem } from '../io/fs';
import { readNpy } from '../io/npy';
import { isZip, readNpz } from '../io/npz';
import { type FeatureKind, type FeatureScalar, serializeExample } from '../io/tf-example';
import { type PyValue, evalPyExpr, pyValueToTensor } from './py-expr';

/** Tensors by input key, and TensorFlow's warnings about them. */
export interface SavedModelCliFeeds {
  readonly feeds: Record<string, Tensor>;
  readonly warnings: string[];
}

export interface SavedModelCliInputOptions {
  readonly inputs?: string;
  readonly inputExprs?: string;
  readonly inputExamples?: string;
  readonly fs?: FileSystem;
  /** Seed of `np.random.*` in expressions. */
  readonly seed?: number;
}

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

/** `preprocess_inputs_arg_string`: key → [file, variable name]. */
export function parseInputsArg(text: string): Map<string, readonly [string, string | undefined]> {
  const out = new Map<string, readonly [string, string | undefined]>();
  for (const raw of text.split(';').filter(Boolean)) {
    const withName = /^([^=]+)=([^[\]]+)\[([^[\]]+)\]$/.exec(raw);
    const plain = withName ? null : /^([^=]+)=([^[\]]+)$/.exec(raw);
    if (withName) out.set(withName[1]!, [withName[2]!, withName[3]!]);
    else if (plain) out.set(plain[1]!, [plain[2]!, undefined]);
    else throw new GraftError('cli/usage', `--inputs "${raw}" format is incorrect. Please follow"<input_key>=<filename>", or"<input_key>=<filename>[<variable_name>]"`);
  }
  return out;
}

/** `preprocess_input_exprs_arg_string`: key → expression text. */
export function parseExprsArg(text: string, flag = '--input_exprs'): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(';').filter(Boolean)) {
    if (!text.includes('=')) throw new GraftError('cli/usage', `${flag} "${text}" format is incorrect. Please follow"<input_key>=<python expression>"`);
    const at = raw.indexOf('=');
    if (at < 0) throw new GraftError('cli/usage', `${flag} "${raw}" format is incorrect. Please follow"<input_key>=<python expression>"`);
    out.set(raw.slice(0, at), raw.slice(at + 1));
  }
  return out;
}

async function loadInputFile(file: string, name: string | undefined, warnings: string[], fs: FileSystem): Promise<Tensor> {
  const bytes = await fs.readFile(file);
  if (NPY_MAGIC.every((b, i) => bytes[i] === b)) {
    if (name !== undefined) warnings.push(`Input file ${file} contains a single ndarray. Name key "${name}" ignored.`);
    return readNpy(bytes, file);
  }
  if (isZip(bytes)) {
    const arrays = readNpz(bytes, file);
    if (name !== undefined) {
      const t = arrays.get(name);
      if (!t) throw new GraftError('cli/usage', `Input file ${file} does not contain variable with name "${name}". It holds: ${[...arrays.keys()].join(', ') || 'nothing'}`, { file });
      return t;
    }
    if (arrays.size !== 1) throw new GraftError('cli/usage', `Input file ${file} contains more than one ndarrays. Please specify the name of ndarray to use (${[...arrays.keys()].map((k) => `${file}[${k}]`).join(', ')}).`, { file });
    return [...arrays.values()][0]!;
  }
  const pickle = bytes[0] === 0x80 || /\.(pkl|pickle)$/i.test(file);
  throw new GraftError(
    'io/unsupported',
    pickle
      ? `Input file ${file} is a pickle; graft does not load pickles (unpickling runs code). Save the array with numpy.save (.npy) or numpy.savez (.npz).`
      : `Input file ${file} is neither a .npy nor a .npz file (numpy.save / numpy.savez write those).`,
    { file },
  );
}

function pyTypeName(v: PyValue): string {
  const names: Record<string, string> = { int: 'int', float: 'float', bool: 'bool', str: 'str', bytes: 'bytes', none: 'NoneType', list: 'list', tuple: 'tuple', dict: 'dict', nd: 'numpy.ndarray' };
  return `<class '${names[v.t] ?? v.t}'>`;
}

/** `_create_example_string`: one dict of feature lists as a serialized tf.Example. */
function exampleFromDict(d: PyValue, where: string): Uint8Array {
  if (d.t !== 'dict') throw new GraftError('cli/usage', `${where}: each tf.Example is a dict of feature lists, not a ${d.t}`);
  const features: Record<string, FeatureScalar[]> = {};
  const kinds: Record<string, FeatureKind> = {};
  for (const [k, v] of d.entries) {
    if (k.t !== 'str') throw new GraftError('cli/usage', `${where}: feature names are strings`);
    if (v.t !== 'list') throw new GraftError('cli/usage', `${where}: feature value must be a list, but ${k.v}: "${v.t}" is ${pyTypeName(v)}`);
    if (v.items.length === 0) throw new GraftError('cli/usage', `${where}: feature '${k.v}' has an empty list (TensorFlow takes its type from the first value)`);
    const first = v.items[0]!;
    const kind: FeatureKind | undefined = first.t === 'float' ? 'float' : first.t === 'str' || first.t === 'bytes' ? 'bytes' : first.t === 'int' || first.t === 'bool' ? 'int64' : undefined;
    if (!kind) throw new GraftError('cli/usage', `${where}: Type ${pyTypeName(first)} for value of feature '${k.v}' is not supported for tf.train.Feature.`);
    kinds[k.v] = kind;
    features[k.v] = v.items.map((x) => {
      if (x.t === 'float') return x.v;
      if (x.t === 'int') return kind === 'int64' ? BigInt(x.v) : x.v;
      if (x.t === 'bool') return kind === 'int64' ? BigInt(x.v ? 1 : 0) : x.v;
      if (x.t === 'str' || x.t === 'bytes') return x.v;
      throw new GraftError('cli/usage', `${where}: feature '${k.v}' holds a ${pyTypeName(x)}`);
    });
  }
  return serializeExample(features, kinds, where);
}

/**
 * Reads `--inputs`, `--input_exprs` and `--input_examples` into tensors by input key.
 *
 * @example
 * ```ts
 * const { feeds } = await savedModelCliFeeds({ inputExprs: 'x=np.ones((3,1))' });
 * ```
 */
export async function savedModelCliFeeds(opts: SavedModelCliInputOptions): Promise<SavedModelCliFeeds> {
  const fs = opts.fs ?? nodeFileSystem;
  const feeds: Record<string, Tensor> = {};
  const warnings: string[] = [];
  for (const [key, [file, name]] of parseInputsArg(opts.inputs ?? '')) feeds[key] = await loadInputFile(file, name, warnings, fs);
  let randomNoted = false;
  const exprOpts = {
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    onRandom: () => {
      if (!randomNoted) warnings.push(`np.random values come from graft's seeded generator (seed ${opts.seed ?? 1}), not numpy's`);
      randomNoted = true;
    },
  };
  for (const [key, expr] of parseExprsArg(opts.inputExprs ?? '')) {
    if (Object.hasOwn(feeds, key)) warnings.push(`input_key ${key} has been specified with both --inputs and --input_exprs options. Value in --input_exprs will be used.`);
    feeds[key] = pyValueToTensor(evalPyExpr(expr, exprOpts), `--input_exprs ${key}`);
  }
  for (const [key, expr] of parseExprsArg(opts.inputExamples ?? '', '--input_examples')) {
    const v = evalPyExpr(expr, exprOpts);
    if (v.t !== 'list') throw new GraftError('cli/usage', `tf.Example input must be a list of dictionaries, but "${expr}" is ${pyTypeName(v)}`);
    if (Object.hasOwn(feeds, key)) warnings.push(`input_key ${key} has been specified in multiple options. Value in --input_examples will be used.`);
    feeds[key] = makeStringTensor([v.items.length], v.items.map((d, i) => exampleFromDict(d, `--input_examples ${key}[${i}]`)));
  }
  return { feeds, warnings };
}
