// Types for the untyped `snappyjs` package (raw snappy blocks, pure JS).
declare module 'snappyjs' {
  /** Decompresses a raw snappy block; throws when the result would exceed `maxLength`. */
  export function uncompress(compressed: Uint8Array, maxLength?: number): Uint8Array;
  /** Compresses to a raw snappy block. */
  export function compress(uncompressed: Uint8Array): Uint8Array;
  const snappy: { uncompress: typeof uncompress; compress: typeof compress };
  export default snappy;
}
