import { readFile, stat } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';

import { formatBytes, GUNZIP_FLOOR_BYTES, GUNZIP_RATIO, gunzipCap, MAX_ARRAY_BYTES } from './limits.js';

/** A parsed IDX file (the format of the original MNIST distribution). */
export interface IdxArray {
  /** Size of each dimension, outermost first. */
  shape: number[];
  /** The values, flattened; IDX uint8 data stays a Uint8Array. */
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const TYPES: Record<number, { name: string; bytes: number }> = {
  0x08: { name: 'uint8', bytes: 1 },
  0x09: { name: 'int8', bytes: 1 },
  0x0b: { name: 'int16', bytes: 2 },
  0x0c: { name: 'int32', bytes: 4 },
  0x0d: { name: 'float32', bytes: 4 },
  0x0e: { name: 'float64', bytes: 8 },
};

/**
 * Inflates gzip bytes, stopping at gunzipCap(bytes.length): a small file that
 * inflates to hundreds of megabytes is refused, never held.
 */
export function gunzipCapped(bytes: Uint8Array, label: string): Buffer {
  const cap = gunzipCap(bytes.length);
  try {
    return gunzipSync(bytes, { maxOutputLength: cap });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      throw new Error(
        `${label}: inflates to more than ${formatBytes(cap)}, the cap for a ${formatBytes(bytes.length)} gzip file (${GUNZIP_RATIO} times its size, at least ${formatBytes(GUNZIP_FLOOR_BYTES)}, at most ${formatBytes(MAX_ARRAY_BYTES)}); refused`,
        { cause: e },
      );
    throw new Error(`${label}: not a readable gzip file: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Parses IDX bytes (gzip inflated with a cap). Throws an Error naming `label`
 * and the problem for a wrong magic number, an unknown type, a declared size
 * past MAX_ARRAY_BYTES, or a body shorter than the header says.
 */
export function parseIdx(bytes: Uint8Array, label = 'IDX data'): IdxArray {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipCapped(bytes, label);
  if (bytes.length < 4) throw new Error(`${label}: too short to be an IDX file (${bytes.length} bytes)`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const magic = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join('');
    throw new Error(`${label}: wrong magic number 0x${magic} (an IDX file starts with 0x0000)`);
  }
  const type = TYPES[bytes[2]];
  if (!type) throw new Error(`${label}: unknown IDX data type 0x${bytes[2].toString(16)}`);
  const ndim = bytes[3];
  if (ndim === 0) throw new Error(`${label}: IDX header declares zero dimensions`);
  const headerLen = 4 + 4 * ndim;
  if (bytes.length < headerLen) throw new Error(`${label}: truncated header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  let count = 1;
  for (let i = 0; i < ndim; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    shape.push(d);
    count *= d;
  }
  // Checked before any allocation: a 16-byte header may declare terabytes.
  if (count * type.bytes > MAX_ARRAY_BYTES)
    throw new Error(
      `${label}: header declares ${shape.join('×')} ${type.name} values (${formatBytes(count * type.bytes)}), more than the ${formatBytes(MAX_ARRAY_BYTES)} an array may hold`,
    );
  const need = headerLen + count * type.bytes;
  if (bytes.length < need) {
    throw new Error(
      `${label}: truncated body: header says ${shape.join('×')} ${type.name} values (${need} bytes), file has ${bytes.length}`,
    );
  }
  const body = bytes.subarray(headerLen, need);
  let data: IdxArray['data'];
  if (type.bytes === 1) {
    // new Uint8Array(view) copies; Buffer#slice would share the file's (pooled) memory.
    const copy = new Uint8Array(body);
    data = type.name === 'uint8' ? copy : new Int8Array(copy.buffer);
  } else {
    // IDX is big-endian; convert element by element.
    const bv = new DataView(body.buffer, body.byteOffset, body.byteLength);
    switch (type.name) {
      case 'int16':
        data = Int16Array.from({ length: count }, (_, i) => bv.getInt16(2 * i, false));
        break;
      case 'int32':
        data = Int32Array.from({ length: count }, (_, i) => bv.getInt32(4 * i, false));
        break;
      case 'float32':
        data = Float32Array.from({ length: count }, (_, i) => bv.getFloat32(4 * i, false));
        break;
      default:
        data = Float64Array.from({ length: count }, (_, i) => bv.getFloat64(8 * i, false));
    }
  }
  return { shape, data };
}

/** Reads and parses an IDX file (plain or gzip); errors name the file. A file past the bound is not read. */
export async function readIdx(file: string): Promise<IdxArray> {
  let bytes: Uint8Array;
  try {
    const { size } = await stat(file);
    // The header is at most 1 KB, so a larger file holds more than any array allowed.
    if (size > MAX_ARRAY_BYTES + 1024)
      throw new Error(
        `${file}: ${formatBytes(size)}, more than the ${formatBytes(MAX_ARRAY_BYTES)} an array may hold; not read`,
      );
    bytes = await readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === undefined) throw e;
    throw new Error(`${file}: cannot read: ${(e as Error).message}`, { cause: e });
  }
  return parseIdx(bytes, file);
}
