/**
 * Chunked protobuf framing. A message is written as a list of byte chunks so that large tensor
 * payloads are never copied: only the small headers around them are encoded, and the lengths of
 * enclosing messages are summed by hand. The chunks go to `writev` or are joined once.
 */

/** A serialized message as a list of byte chunks (payloads may be views into other buffers). */
export type Chunks = Uint8Array[];

/** Total length of the chunks. */
export function chunksLength(chunks: readonly Uint8Array[]): number {
  let n = 0;
  for (const c of chunks) n += c.length;
  return n;
}

/** Encodes an unsigned varint (lengths up to 2^53). */
export function varint(value: number): Uint8Array {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Uint8Array.from(out);
}

/** The chunks of a length-delimited field: tag, length, then the content chunks. */
export function lengthDelimited(fieldNumber: number, content: readonly Uint8Array[]): Chunks {
  const tag = varint(fieldNumber * 8 + 2);
  const len = varint(chunksLength(content));
  const head = new Uint8Array(tag.length + len.length);
  head.set(tag, 0);
  head.set(len, tag.length);
  return [head, ...content];
}

/** Joins chunks into one buffer (one copy). */
export function joinChunks(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(chunksLength(chunks));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
