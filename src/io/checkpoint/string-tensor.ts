/**
 * DT_STRING tensors in a bundle's data file. On disk, for n elements:
 *   n varint64 lengths | 4-byte masked crc32c of the lengths | the n strings' bytes.
 * The length checksum is taken over each length as a uint32 LE (not over the varints), and the
 * entry's checksum (BundleEntryProto.crc32c) is the masked crc32c of
 *   (each length as uint32 LE) ++ (the 4 stored length-checksum bytes) ++ (the string bytes),
 * i.e. it continues the length crc rather than covering the raw bytes on disk.
 * Verified on the `_CHECKPOINTABLE_OBJECT_GRAPH` entries of tfjs_times_two_int,
 * tfnet_keras_mlp_tf211, serving_half_plus_two_tf2 and tfrust_regression_tf2.
 */
import { GraftError } from '../../errors';
import { crc32c, maskCrc32c, unmaskCrc32c } from './crc32c';
import { ByteReader, ByteWriter } from './varint';

/** A decoded string tensor and the (unmasked) checksum TensorFlow's rule gives it. */
export interface DecodedStrings {
  /** Views into the input bytes. */
  strings: Uint8Array[];
  /** Unmasked crc32c by the entry rule above; compare with `unmaskCrc32c(entry.crc32c)`. */
  crc: number;
}

function lengthAsUint32(len: number): Uint8Array {
  // TensorFlow checksums the length as a 32-bit value; longer strings wrap, as they do there.
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, len >>> 0, true);
  return b;
}

/**
 * Decodes `count` strings from a tensor's bytes (exactly the entry's `size` bytes), checking
 * the length checksum (when `verify`) and that the strings fill the bytes exactly.
 *
 * @example decodeStringTensor(bytes, 1, { file, name: '_CHECKPOINTABLE_OBJECT_GRAPH' }).strings[0]
 */
export function decodeStringTensor(
  bytes: Uint8Array,
  count: number,
  opts: { file?: string; name?: string; verify?: boolean } = {},
): DecodedStrings {
  const details = { ...(opts.file === undefined ? {} : { file: opts.file }), ...(opts.name === undefined ? {} : { node: opts.name }) };
  const what = `string tensor${opts.name === undefined ? '' : ` '${opts.name}'`}`;
  // Each element takes at least one byte (its varint length): bound the count before allocating.
  if (!Number.isSafeInteger(count) || count < 0 || count > bytes.length) {
    throw new GraftError('io/bad-length', `${what}: ${count} elements cannot fit in ${bytes.length} bytes`, details);
  }
  const r = new ByteReader(bytes, opts.file, 0, bytes.length, what);
  const lengths = new Array<number>(count);
  let crc = 0;
  let total = 0;
  for (let i = 0; i < count; i++) {
    const len = r.varint();
    lengths[i] = len;
    total += len;
    crc = crc32c(lengthAsUint32(len), crc);
  }
  const storedBytes = r.take(4);
  const stored = new ByteReader(storedBytes).uint32();
  if (opts.verify !== false && unmaskCrc32c(stored) !== crc) {
    throw new GraftError('io/checksum', `${what}: length checksum mismatch`, details);
  }
  crc = crc32c(storedBytes, crc);
  if (total !== r.remaining) {
    throw new GraftError('io/bad-length', `${what}: lengths add up to ${total} bytes but ${r.remaining} follow`, details);
  }
  const strings = new Array<Uint8Array>(count);
  for (let i = 0; i < count; i++) strings[i] = r.take(lengths[i]!);
  crc = crc32c(bytes.subarray(r.pos - total, r.pos), crc);
  return { strings, crc };
}

/**
 * Encodes strings in the on-disk layout, returning the bytes and the masked entry checksum.
 *
 * @example const { bytes, crc32c } = encodeStringTensor([new TextEncoder().encode('hi')])
 */
export function encodeStringTensor(strings: readonly Uint8Array[]): { bytes: Uint8Array; crc32c: number } {
  const w = new ByteWriter(16 + strings.reduce((n, s) => n + s.length + 2, 0));
  let crc = 0;
  for (const s of strings) {
    w.varint(s.length);
    crc = crc32c(lengthAsUint32(s.length), crc);
  }
  const lengthCrc = new ByteWriter(4).uint32(maskCrc32c(crc)).view();
  w.bytes(lengthCrc);
  crc = crc32c(lengthCrc, crc);
  for (const s of strings) {
    w.bytes(s);
    crc = crc32c(s, crc);
  }
  return { bytes: w.toBytes(), crc32c: maskCrc32c(crc) };
}
