/**
 * Telling other model formats apart from TensorFlow's, by their first bytes, so that a TFLite,
 * ONNX, Keras, tfjs or numpy file gets a sentence saying what it is instead of a protobuf decode
 * error. Works on bytes only (no file system): the caller reads the file.
 */

/** What graft reads, for the end of every "this is X" message. */
export const GRAFT_READS = 'graft reads TensorFlow GraphDef (.pb/.pbtxt), MetaGraphDef (.meta) and SavedModel directories';

const HDF5 = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
const ZIP = [0x50, 0x4b, 0x03, 0x04];
const NPY = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
const SSTABLE_MAGIC = [0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb]; // 0xdb4775248b80fb57, little-endian

function startsWith(bytes: Uint8Array, sig: readonly number[], at = 0): boolean {
  if (bytes.length < at + sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (bytes[at + i] !== sig[i]) return false;
  return true;
}

function ascii(bytes: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < Math.min(to, bytes.length); i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

/** The first `n` bytes as text, when they are printable ASCII/UTF-8 (else ''). */
function head(bytes: Uint8Array, n = 4096): string {
  const slice = bytes.subarray(0, Math.min(n, bytes.length));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(slice);
  } catch {
    return '';
  }
}

/** A zip's entry names from its local headers (enough to tell .npz from .keras). */
function zipNames(bytes: Uint8Array, max = 16): string[] {
  const names: string[] = [];
  let p = 0;
  while (names.length < max && startsWith(bytes, ZIP, p) && p + 30 <= bytes.length) {
    const dv = new DataView(bytes.buffer, bytes.byteOffset + p, 30);
    const compressed = dv.getUint32(18, true);
    const nameLen = dv.getUint16(26, true);
    const extraLen = dv.getUint16(28, true);
    names.push(ascii(bytes, p + 30, p + 30 + nameLen));
    const flags = dv.getUint16(6, true);
    if (flags & 0x08) break; // sizes follow the data: cannot skip without inflating
    p += 30 + nameLen + extraLen + compressed;
  }
  return names;
}

/**
 * Names a file that is not one of TensorFlow's graph formats, from its bytes (and name): a
 * sentence such as "a TFLite flatbuffer", or undefined when the bytes may be TensorFlow's.
 */
export function foreignFormat(bytes: Uint8Array, path = ''): string | undefined {
  const lower = path.toLowerCase();
  if (bytes.length >= 8 && ascii(bytes, 4, 8) === 'TFL3') return 'a TFLite flatbuffer (.tflite)';
  if (startsWith(bytes, HDF5)) return 'a Keras/HDF5 file (.h5)';
  if (startsWith(bytes, NPY)) return 'a numpy array (.npy); graft takes .npy files as inputs (--input name=file.npy), not as models';
  if (startsWith(bytes, ZIP)) {
    const names = zipNames(bytes);
    if (names.some((n) => n === 'config.json' || n === 'model.weights.h5' || n === 'metadata.json') || lower.endsWith('.keras')) return 'a Keras 3 archive (.keras)';
    if (names.length > 0 && names.every((n) => n.endsWith('.npy'))) return 'a numpy archive (.npz)';
    return 'a zip archive';
  }
  if (bytes.length >= 48 && startsWith(bytes, SSTABLE_MAGIC, bytes.length - 8)) {
    return 'a TensorFlow checkpoint index (.index); it holds weights but no graph: give the .meta beside it, or the SavedModel';
  }
  const text = head(bytes).trimStart();
  if (text.startsWith('{') || text.startsWith('[')) {
    if (/"modelTopology"|"weightsManifest"|"format"\s*:\s*"graph-model"|"format"\s*:\s*"layers-model"/.test(text)) return 'a TensorFlow.js model (model.json)';
    return 'a JSON file';
  }
  if (/^model_checkpoint_path\s*:/m.test(text)) return "a TensorFlow checkpoint state file ('checkpoint'); give the .meta of the checkpoint it names";
  if (/^<(!doctype html|html)/i.test(text)) return 'an HTML page (a failed download?)';
  // ONNX ModelProto starts with ir_version (field 1, varint): byte 0x08, which a GraphDef,
  // MetaGraphDef or SavedModel never starts with (their field 1 is a message).
  if (bytes.length > 2 && bytes[0] === 0x08 && bytes[1]! >= 1 && bytes[1]! <= 20 && (lower.endsWith('.onnx') || /onnx|pytorch|tf2onnx|keras2onnx|skl2onnx/.test(ascii(bytes, 0, 512)))) {
    return 'an ONNX model (.onnx)';
  }
  if (lower.endsWith('.onnx')) return 'an ONNX model (.onnx)';
  if (lower.endsWith('.tflite')) return 'a TFLite file (.tflite)';
  return undefined;
}

/** Names a directory that is not a SavedModel from the file names in it, or undefined. */
export function foreignDirectory(entries: readonly string[]): string | undefined {
  if (entries.includes('model.json')) return 'a TensorFlow.js model directory (model.json and weight shards)';
  if (entries.includes('checkpoint') || entries.some((e) => e.endsWith('.index'))) {
    const metas = entries.filter((e) => e.endsWith('.meta'));
    return metas.length > 0
      ? `a TensorFlow checkpoint directory; give its graph, e.g. ${metas[metas.length - 1]}`
      : 'a TensorFlow checkpoint directory (weights only, no .meta graph beside them)';
  }
  if (entries.some((e) => e.endsWith('.tflite'))) return 'a directory of TFLite files';
  if (entries.some((e) => e.endsWith('.onnx'))) return 'a directory of ONNX files';
  return undefined;
}
