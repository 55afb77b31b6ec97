/**
 * TensorFlow's protobuf messages, loaded for protobufjs from graft's own schema
 * (`proto/*.proto`, compiled to `bundle.json` by `npm run build:proto`), and thin
 * helpers to decode, encode, parse and print them. No logic lives here.
 *
 * Decoded messages are protobufjs message instances: absent scalar fields read
 * as their proto3 default through the prototype, repeated fields are arrays,
 * maps are plain objects, int64 values are `Long` (or `number` when set by hand),
 * bytes are `Uint8Array` views into the input, enums are numbers. Fields the
 * schema does not know are kept in a non-enumerable `$unknowns` array and
 * written back by `encodeMessage`, so an untouched message re-encodes to the
 * same bytes.
 */
import protobuf from 'protobufjs/light.js';
import textformat from 'protobufjs/ext/textformat.js';
import type LongType from 'long';
import { GraftError, badArgument } from '../errors';
import bundle from './bundle.json';
import { preserveFunctionDefMapOrder } from './map-order';

export type * from './messages';

/** A decoded message seen as a plain record of its fields. */
export type ProtoObject = Record<string, unknown>;

/**
 * The `Long` class protobufjs uses for int64 values. It is protobufjs's own copy
 * (so `instanceof Long` holds for decoded values), typed as long.js's class.
 */
export const Long: typeof LongType = protobuf.util.Long as unknown as typeof LongType;
/** A 64-bit integer as decoded by protobufjs. */
export type Long = LongType;

/** Fully qualified names of the messages in graft's schema. */
export type MessageName =
  // graphs
  | 'tensorflow.GraphDef'
  | 'tensorflow.NodeDef'
  | 'tensorflow.NodeDef.ExperimentalDebugInfo'
  | 'tensorflow.VersionDef'
  | 'tensorflow.GraphDebugInfo'
  | 'tensorflow.FullTypeDef'
  // attributes and tensors
  | 'tensorflow.AttrValue'
  | 'tensorflow.AttrValue.ListValue'
  | 'tensorflow.NameAttrList'
  | 'tensorflow.TensorProto'
  | 'tensorflow.TensorShapeProto'
  | 'tensorflow.TensorShapeProto.Dim'
  | 'tensorflow.VariantTensorDataProto'
  | 'tensorflow.ResourceHandleProto'
  | 'tensorflow.SerializedDType'
  // ops and functions
  | 'tensorflow.OpDef'
  | 'tensorflow.OpDef.ArgDef'
  | 'tensorflow.OpDef.AttrDef'
  | 'tensorflow.OpDeprecation'
  | 'tensorflow.OpList'
  | 'tensorflow.FunctionDefLibrary'
  | 'tensorflow.FunctionDef'
  | 'tensorflow.GradientDef'
  | 'tensorflow.RegisteredGradient'
  // meta graphs and saved models
  | 'tensorflow.MetaGraphDef'
  | 'tensorflow.MetaGraphDef.MetaInfoDef'
  | 'tensorflow.CollectionDef'
  | 'tensorflow.TensorInfo'
  | 'tensorflow.SignatureDef'
  | 'tensorflow.AssetFileDef'
  | 'tensorflow.SaverDef'
  | 'tensorflow.SavedModel'
  | 'tensorflow.VariableDef'
  | 'tensorflow.SaveSliceInfoDef'
  // object graphs
  | 'tensorflow.SavedObjectGraph'
  | 'tensorflow.SavedObject'
  | 'tensorflow.SavedUserObject'
  | 'tensorflow.SavedAsset'
  | 'tensorflow.SavedFunction'
  | 'tensorflow.SavedConcreteFunction'
  | 'tensorflow.SavedBareConcreteFunction'
  | 'tensorflow.SavedConstant'
  | 'tensorflow.SavedVariable'
  | 'tensorflow.SavedResource'
  | 'tensorflow.SaveableObject'
  | 'tensorflow.CapturedTensor'
  | 'tensorflow.FunctionSpec'
  | 'tensorflow.StructuredValue'
  | 'tensorflow.TensorSpecProto'
  | 'tensorflow.BoundedTensorSpecProto'
  | 'tensorflow.TypeSpecProto'
  | 'tensorflow.TrackableObjectGraph'
  | 'tensorflow.TrackableObjectGraph.TrackableObject'
  | 'tensorflow.RegisteredSaver'
  // checkpoints
  | 'tensorflow.BundleHeaderProto'
  | 'tensorflow.BundleEntryProto'
  | 'tensorflow.TensorSliceProto'
  // tf.Example records
  | 'tensorflow.Example'
  | 'tensorflow.SequenceExample'
  | 'tensorflow.Features'
  | 'tensorflow.Feature'
  | 'tensorflow.FeatureList'
  | 'tensorflow.FeatureLists'
  | 'tensorflow.BytesList'
  | 'tensorflow.FloatList'
  | 'tensorflow.Int64List';

let root: protobuf.Root | undefined;
const types = new Map<string, protobuf.Type>();

function schemaRoot(): protobuf.Root {
  if (root === undefined) {
    root = protobuf.Root.fromJSON(bundle as protobuf.INamespace);
    root.resolveAll();
    preserveFunctionDefMapOrder(root);
  }
  return root;
}

/**
 * The protobufjs type of a message, looked up once and cached.
 *
 * @example
 * ```ts
 * const GraphDef = messageType('tensorflow.GraphDef');
 * GraphDef.fields.node.id; // 1
 * ```
 */
export function messageType(name: MessageName): protobuf.Type {
  let type = types.get(name);
  if (type === undefined) {
    if (typeof name !== 'string' || !name.startsWith('tensorflow.')) throw badArgument('messageType', 'name', "a message name such as 'tensorflow.GraphDef'", name);
    try {
      type = schemaRoot().lookupType(name);
    } catch {
      throw badArgument('messageType', 'name', "a message name of TensorFlow's schema such as 'tensorflow.GraphDef'", name);
    }
    types.set(name, type);
  }
  return type;
}

/** Reads of past the end throw a RangeError "index out of range" in protobufjs. */
function isTruncation(e: unknown): boolean {
  return e instanceof RangeError && /index out of range/.test(e.message);
}

function where(file: string | undefined): string {
  return file === undefined ? '' : ` in ${file}`;
}

/**
 * Decodes binary protobuf, keeping fields the schema does not know in `$unknowns`.
 * Throws GraftError `io/truncated` when the bytes end inside a field, and
 * `io/corrupt` when they are not a valid encoding; both name `file`.
 *
 * @example
 * ```ts
 * const graph = decodeMessage<GraphDefMsg>('tensorflow.GraphDef', bytes, 'frozen.pb');
 * graph.node.length;
 * ```
 */
export function decodeMessage<T extends object = ProtoObject>(name: MessageName, bytes: Uint8Array, file?: string): T {
  if (!(bytes instanceof Uint8Array)) throw badArgument('decodeMessage', 'bytes', 'a Uint8Array', bytes);
  if (file !== undefined && typeof file !== 'string') throw badArgument('decodeMessage', 'file', 'a file name (or nothing)', file);
  const type = messageType(name);
  const reader = protobuf.Reader.create(bytes);
  reader.discardUnknown = false;
  try {
    return type.decode(reader) as unknown as T;
  } catch (e) {
    const short = name.replace(/^tensorflow\./, '');
    if (e instanceof Error && /invalid length encoding|invalid varint encoding/.test(e.message)) {
      throw new GraftError('io/bad-length', `${short}${where(file)} has a length prefix that cannot be right (${e.message})`, { file, cause: e });
    }
    if (isTruncation(e)) {
      throw new GraftError('io/truncated', `${short}${where(file)} ends before its data does (${(e as Error).message})`, { file, cause: e });
    }
    const message = e instanceof Error ? e.message : String(e);
    throw new GraftError('io/corrupt', `${short}${where(file)} does not decode: ${message}`, { file, cause: e });
  }
}

/**
 * Encodes a message (a decoded message or a plain object with the same shape:
 * snake_case fields, enums as numbers, int64 as `Long` or `number`, never
 * `bigint`). Unknown fields kept in `$unknowns` are written after the known ones.
 *
 * @example
 * ```ts
 * const bytes = encodeMessage('tensorflow.NodeDef', { name: 'x', op: 'Placeholder' });
 * ```
 */
export function encodeMessage(name: MessageName, message: object): Uint8Array {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) throw badArgument('encodeMessage', 'message', 'a message object', message);
  return messageType(name).encode(message).finish();
}

/**
 * Parses protobuf text format (`.pbtxt`). Throws GraftError `io/corrupt` naming
 * `file` and, when the parser knows it, the line.
 *
 * @example
 * ```ts
 * const graph = parseTextMessage<GraphDefMsg>('tensorflow.GraphDef', 'node { name: "x" op: "NoOp" }');
 * ```
 */
export function parseTextMessage<T extends object = ProtoObject>(name: MessageName, text: string, file?: string): T {
  if (typeof text !== 'string') throw badArgument('parseTextMessage', 'text', 'a string of text-format protobuf', text);
  if (file !== undefined && typeof file !== 'string') throw badArgument('parseTextMessage', 'file', 'a file name (or nothing)', file);
  const type = messageType(name);
  try {
    return textformat.fromText(type, text) as unknown as T;
  } catch (e) {
    let message = e instanceof Error ? e.message : String(e);
    if (!/\bline \d+/.test(message)) {
      const line = findBadEnumLine(message, text);
      if (line !== undefined) message += ` (line ${line})`;
    }
    throw new GraftError('io/corrupt', `${name.replace(/^tensorflow\./, '')} text${where(file)} does not parse: ${message}`, { file, cause: e });
  }
}

/**
 * protobufjs' text parser reports a bad enum value (`.tensorflow.AttrValue.type: enum value
 * expected`) without a line. Find it: the first line setting that field to a value the enum lacks.
 */
function findBadEnumLine(message: string, text: string): number | undefined {
  const m = /^\.?([\w.]+)\.(\w+): enum value expected/.exec(message);
  if (!m) return undefined;
  let values: Record<string, number> | undefined;
  try {
    const field = schemaRoot().lookupType(m[1]!).fields[m[2]!];
    values = (field?.resolvedType as protobuf.Enum | null)?.values;
  } catch {
    return undefined;
  }
  if (!values) return undefined;
  const lines = text.split('\n');
  const pattern = new RegExp(`^\\s*${m[2]}\\s*:\\s*([^\\s#]*)`);
  for (let i = 0; i < lines.length; i++) {
    const v = pattern.exec(lines[i]!)?.[1];
    if (v !== undefined && !(v in values) && !/^-?\d+$/.test(v)) return i + 1;
  }
  return undefined;
}

/**
 * Prints a message in protobuf text format: fields in number order, map
 * entries sorted by key, as TensorFlow prints them. Unknown fields are not printed.
 *
 * @example
 * ```ts
 * printTextMessage('tensorflow.TensorShapeProto', { dim: [{ size: 3 }] }); // 'dim {\n  size: 3\n}'
 * ```
 */
export function printTextMessage(name: MessageName, message: object): string {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) throw badArgument('printTextMessage', 'message', 'a message object', message);
  return textformat.toText(messageType(name), message);
}
