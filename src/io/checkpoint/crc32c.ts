/**
 * CRC-32C (Castagnoli), as used by LevelDB tables and TensorFlow tensor bundles, and the
 * "mask" LevelDB applies to stored checksums (so that a crc of data containing crcs does not
 * degenerate). Backed by the pure-JS `crc-32` package.
 */
// `.js` on purpose: crc-32 has no `exports` map, so Node's ESM resolver needs the full file name.
import CRC32C from 'crc-32/crc32c.js';

const MASK_DELTA = 0xa282ead8;

/**
 * CRC-32C of `data`, as an unsigned 32-bit number. Pass the result of a previous call as `crc`
 * to extend it: `crc32c(b, crc32c(a)) === crc32c(concat(a, b))`.
 *
 * @example crc32c(new TextEncoder().encode('123456789')) // 0xe3069283
 */
export function crc32c(data: Uint8Array, crc = 0): number {
  return CRC32C.buf(data, crc | 0) >>> 0;
}

/**
 * The masked form LevelDB and TensorFlow store: rotate right by 15 bits, then add a constant.
 *
 * @example maskCrc32c(0xe3069283) // 0xc78ab0e5
 */
export function maskCrc32c(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + MASK_DELTA) >>> 0;
}

/** Inverse of {@link maskCrc32c}. */
export function unmaskCrc32c(masked: number): number {
  const rot = (masked - MASK_DELTA) >>> 0;
  return ((rot >>> 17) | (rot << 15)) >>> 0;
}
