/**
 * The body of `readFeeds` (feeds.ts declares it) and the reader of one feed's source, loaded with
 * `import()` on first use.
 */
import { GraftError } from '../errors';
import type { DType } from '../ir/dtype';
import type { Graph } from '../ir/graph';
import { parseInput } from '../ir/node';
import { type Tensor, makeStringTensor } from '../ir/tensor';
import type { FileSystem } from '../io/fs';
import { readNpy } from '../io/npy';
import { placeholderSpecs } from '../ir/seeded-inputs';
import { examplesFromJson, exampleParsers, type ExampleParser } from './examples';
import { checkGraphShallow, checkStringsArgument } from '../ir/check';
import { coerceFeed, isInlineJson, parseFeedSpec, tensorFromJson } from './feeds';

/**
 * Reads one feed's source: a `.npy` file, a `.json` file (both through `fs`), or inline JSON. `dtype` (the
 * placeholder's) types JSON values and is what `.npy` data is converted to (see `coerceFeed`).
 */
export async function readFeedSource(
  source: string,
  dtype: DType | undefined,
  name: string,
  fs: FileSystem | undefined = undefined,
  parsers: readonly ExampleParser[] = [],
): Promise<Tensor> {
  let t: Tensor;
  if (dtype !== undefined && dtype.startsWith('dtype(')) {
    throw new GraftError('graph/unknown-dtype', `Feed '${name}': the placeholder's attribute 'dtype' holds DataType ${dtype.slice(6, -1)}, which graft does not know`, { node: name });
  }
  const read = (file: string): Promise<Uint8Array> => {
    if (fs === undefined) {
      throw new GraftError('api/bad-argument', `Feed '${name}' reads the file ${file}, but no file system was given: pass fs (tf-graft/node's nodeFileSystem) or give the values inline`, { param: 'fs', file });
    }
    return fs.readFile(file);
  };
  if (source.startsWith('@')) {
    // `name=@file`: the file's bytes as one string element (a WAV for audio models, an image).
    if (dtype !== undefined && dtype !== 'string') {
      throw new GraftError('runtime/bad-feed', `Feed '${name}': @file gives a string tensor, but the placeholder is ${dtype}`);
    }
    return makeStringTensor([], [await read(source.slice(1))]);
  }
  if (isInlineJson(source)) {
    let json: unknown;
    try {
      json = JSON.parse(source);
    } catch (e) {
      throw new GraftError('runtime/bad-feed', `Feed '${name}': not valid JSON: ${(e as Error).message}`);
    }
    if (isExampleJson(json, dtype, parsers)) return examplesFromJson(json, parsers, `Feed '${name}'`);
    t = tensorFromJson(json, dtype, `Feed '${name}'`);
  } else if (/\.json$/i.test(source)) {
    const text = new TextDecoder().decode(await read(source));
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new GraftError('io/corrupt', `${source}: not valid JSON: ${(e as Error).message}`, { file: source });
    }
    if (isExampleJson(json, dtype, parsers)) return examplesFromJson(json, parsers, source);
    t = tensorFromJson(json, dtype, source);
  } else {
    t = readNpy(await read(source), source);
  }
  return dtype === undefined ? t : coerceFeed(t, dtype, `Feed '${name}'`);
}

const TENSOR_JSON_KEYS = new Set(['dtype', 'shape', 'values']);

/**
 * Whether JSON fed to a string input is tf.Examples (`[{feature: value | [values]}, ...]`, or one
 * object when a parse op reads it) rather than a tensor: a list of objects, or an object that is
 * not the `{dtype, shape, values}` tensor form.
 */
function isExampleJson(json: unknown, dtype: DType | undefined, parsers: readonly ExampleParser[]): boolean {
  if (dtype !== 'string') return false;
  const isObject = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (Array.isArray(json)) return json.length > 0 && json.every(isObject);
  if (!isObject(json) || parsers.length === 0) return false;
  const keys = Object.keys(json as object);
  const declared = new Set(parsers.flatMap((p) => p.features.map((f) => f.key)));
  return !(keys.includes('values') && keys.every((k) => TENSOR_JSON_KEYS.has(k) && !declared.has(k)));
}

/** `readFeeds`, loaded. */
export async function readFeedsNow(specs: readonly string[], graph: Graph, fs?: FileSystem): Promise<Record<string, Tensor>> {
  checkStringsArgument('readFeeds', 'specs', specs);
  checkGraphShallow('readFeeds', 'graph', graph);
  const dtypes = new Map(placeholderSpecs(graph).map((p) => [p.name, p.dtype]));
  const byName = new Set(graph.nodes.map((n) => n.name));
  const out: Record<string, Tensor> = {};
  for (const spec of specs) {
    const { name, source } = parseFeedSpec(spec);
    const node = parseInput(name).node;
    if (!byName.has(node)) throw new GraftError('graph/missing-node', `No node '${node}' to feed`, { node });
    if (Object.hasOwn(out, name)) throw new GraftError('verify/bad-input', `'${name}' is fed twice`);
    const dtype = dtypes.get(node);
    // A string input read by a tf.Example parse op takes examples as JSON objects.
    const parsers = dtype === 'string' ? exampleParsers(graph, node) : [];
    out[name] = await readFeedSource(source, dtype, name, fs, parsers);
  }
  return out;
}
