/**
 * The top level of a protobuf message, split into its fields in wire order without decoding
 * them. Used where TensorFlow wrote fields out of number order (TF2 SavedModels put
 * `object_graph_def` first), so that an unchanged part is written back exactly where it was.
 */
import { GraftError } from '../errors';

export interface WireField {
  readonly number: number;
  /** The whole field: tag, length and payload. A view into the message bytes. */
  readonly bytes: Uint8Array;
}

/** Splits a message into its top-level fields. Lengths are checked before use. */
export function splitFields(message: Uint8Array, file?: string): WireField[] {
  const out: WireField[] = [];
  let at = 0;
  const varint = (): number => {
    let result = 0;
    let shift = 1;
    for (let i = 0; i < 10; i++) {
      if (at >= message.length) throw new GraftError('io/truncated', `${file ?? 'message'}: ends inside a varint at byte ${at}`, { file });
      const b = message[at++]!;
      result += (b & 0x7f) * shift;
      if (b < 0x80) return result;
      shift *= 128;
    }
    throw new GraftError('io/corrupt', `${file ?? 'message'}: varint longer than 10 bytes at ${at}`, { file });
  };
  while (at < message.length) {
    const start = at;
    const tag = varint();
    const wireType = tag % 8;
    const number = Math.floor(tag / 8);
    switch (wireType) {
      case 0: varint(); break;
      case 1: at += 8; break;
      case 2: {
        const len = varint();
        if (len > message.length - at) {
          throw new GraftError('io/bad-length', `${file ?? 'message'}: field ${number} claims ${len} bytes but ${message.length - at} remain`, { file });
        }
        at += len;
        break;
      }
      case 5: at += 4; break;
      default: throw new GraftError('io/corrupt', `${file ?? 'message'}: wire type ${wireType} at byte ${start}`, { file });
    }
    if (at > message.length) throw new GraftError('io/truncated', `${file ?? 'message'}: ends inside field ${number}`, { file });
    out.push({ number, bytes: message.subarray(start, at) });
  }
  return out;
}

/** The payload of a length-delimited field (after its tag and length). */
export function fieldPayload(field: WireField): Uint8Array {
  let at = 0;
  while (field.bytes[at]! >= 0x80) at++; // tag
  at++;
  while (field.bytes[at]! >= 0x80) at++; // length
  at++;
  return field.bytes.subarray(at);
}
