/**
 * numpy `.npz` archives (`numpy.savez`, `numpy.savez_compressed`): a zip of `.npy` files, one per
 * array, named `<key>.npy`. Entries are stored or deflated; numpy writes them with zip64 extra
 * fields (`force_zip64`), which are read here. Sizes and offsets come from the central directory.
 */
import { inflateRawSync } from 'node:zlib';
import { GraftError } from '../errors';
import type { Tensor } from '../ir/tensor';
import { readNpy } from './npy';

const EOCD = 0x06054b50;
const MAX_ENTRY_BYTES = 2 ** 31 - 1;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** The `.npy` entries of an archive: key (the name without `.npy`) → bytes. */
export function npzEntries(bytes: Uint8Array, file?: string): Map<string, Uint8Array> {
  const fail = (m: string) => new GraftError('io/corrupt', `${file ?? '.npz'}: ${m}`, file !== undefined ? { file } : {});
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let p = bytes.length - 22; p >= Math.max(0, bytes.length - 22 - 65535); p--) {
    if (dv.getUint32(p, true) === EOCD) {
      eocd = p;
      break;
    }
  }
  if (eocd < 0) throw fail('not a zip archive (no end-of-central-directory record)');
  const count = dv.getUint16(eocd + 10, true);
  let p = dv.getUint32(eocd + 16, true);
  const out = new Map<string, Uint8Array>();
  const dec = new TextDecoder();
  for (let k = 0; k < count; k++) {
    if (p + 46 > bytes.length || dv.getUint32(p, true) !== CENTRAL) throw fail('a central directory entry is damaged');
    const method = dv.getUint16(p + 10, true);
    let compressed = dv.getUint32(p + 20, true);
    let size = dv.getUint32(p + 24, true);
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    let local = dv.getUint32(p + 42, true);
    const name = dec.decode(bytes.subarray(p + 46, p + 46 + nameLen));
    // zip64: the 0xFFFFFFFF fields are in the 0x0001 extra block, in this order.
    for (let e = p + 46 + nameLen; e + 4 <= p + 46 + nameLen + extraLen; ) {
      const id = dv.getUint16(e, true);
      const len = dv.getUint16(e + 2, true);
      if (id === 1) {
        let q = e + 4;
        const next = () => {
          const v = Number(dv.getBigUint64(q, true));
          q += 8;
          return v;
        };
        if (size === 0xffffffff) size = next();
        if (compressed === 0xffffffff) compressed = next();
        if (local === 0xffffffff) local = next();
      }
      e += 4 + len;
    }
    p += 46 + nameLen + extraLen + commentLen;
    if (local + 30 > bytes.length || dv.getUint32(local, true) !== LOCAL) throw fail(`entry '${name}' has no local header`);
    const start = local + 30 + dv.getUint16(local + 26, true) + dv.getUint16(local + 28, true);
    if (start + compressed > bytes.length) throw new GraftError('io/truncated', `${file ?? '.npz'}: entry '${name}' runs past the end of the file`, file !== undefined ? { file } : {});
    const raw = bytes.subarray(start, start + compressed);
    let data: Uint8Array;
    if (method === 0) data = raw;
    else if (method === 8) {
      // At most the size the directory declares (a zip bomb stops there), never over 2 GiB.
      if (size > MAX_ENTRY_BYTES) throw new GraftError('io/too-large', `${file ?? '.npz'}: entry '${name}' declares ${size} bytes, more than graft reads (${MAX_ENTRY_BYTES})`, file !== undefined ? { file } : {});
      try {
        data = new Uint8Array(inflateRawSync(raw, { maxOutputLength: Math.max(1, size) }));
      } catch (e) {
        throw fail(`entry '${name}' does not inflate: ${(e as Error).message}`);
      }
    } else throw new GraftError('io/unsupported', `${file ?? '.npz'}: entry '${name}' uses zip compression method ${method}; numpy writes stored or deflated entries`, file !== undefined ? { file } : {});
    if (data.length !== size) throw fail(`entry '${name}' is ${data.length} bytes, the directory says ${size}`);
    out.set(name.endsWith('.npy') ? name.slice(0, -4) : name, data);
  }
  return out;
}

/** True when the bytes start like a zip archive (an `.npz`). */
export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/** Every array of an `.npz` archive, by key. */
export function readNpz(bytes: Uint8Array, file?: string): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const [key, data] of npzEntries(bytes, file)) out.set(key, readNpy(data, file !== undefined ? `${file}[${key}]` : key));
  return out;
}
