import { type FileHandle, open } from 'node:fs/promises';

import { formatBytes, MAX_ARRAY_BYTES } from './limits.js';
import { reason } from './walk.js';

/** A parsed NumPy .npy array. */
export interface NpyArray {
  shape: number[];
  dtype: string;
  data:
    | Uint8Array
    | Int8Array
    | Int16Array
    | Uint16Array
    | Int32Array
    | Uint32Array
    | BigInt64Array
    | Float32Array
    | Float64Array;
}

const DTYPES: Record<string, { bytes: number; make: (b: ArrayBuffer, n: number) => NpyArray['data'] }> = {
  u1: { bytes: 1, make: (b, n) => new Uint8Array(b, 0, n) },
  b1: { bytes: 1, make: (b, n) => new Uint8Array(b, 0, n) },
  i1: { bytes: 1, make: (b, n) => new Int8Array(b, 0, n) },
  i2: { bytes: 2, make: (b, n) => new Int16Array(b, 0, n) },
  u2: { bytes: 2, make: (b, n) => new Uint16Array(b, 0, n) },
  i4: { bytes: 4, make: (b, n) => new Int32Array(b, 0, n) },
  u4: { bytes: 4, make: (b, n) => new Uint32Array(b, 0, n) },
  i8: { bytes: 8, make: (b, n) => new BigInt64Array(b, 0, n) },
  f4: { bytes: 4, make: (b, n) => new Float32Array(b, 0, n) },
  f8: { bytes: 8, make: (b, n) => new Float64Array(b, 0, n) },
};

/** Longest .npy header read; NumPy itself refuses headers over 10,000 bytes by default. */
export const MAX_NPY_HEADER = 65_536;

interface NpyHeader {
  shape: number[];
  descr: string;
  dtype: (typeof DTYPES)[string];
  count: number;
  /** Offset of the body. */
  body: number;
}

/**
 * Reads the header from the first bytes of a .npy file of `fileSize` bytes
 * and checks the declared shape × dtype size against the file and against
 * MAX_ARRAY_BYTES, so nothing is allocated for a header that lies.
 */
function parseHeader(head: Uint8Array, fileSize: number, label: string): NpyHeader {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
  if (head.length < 10 || magic.some((m, i) => head[i] !== m))
    throw new Error(`${label}: not a .npy file (wrong magic)`);
  const major = head[6];
  if (major < 1 || major > 3) throw new Error(`${label}: .npy format version ${major} is not supported`);
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const start = major === 1 ? 10 : 12;
  if (head.length < start) throw new Error(`${label}: truncated header`);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (headerLen > MAX_NPY_HEADER)
    throw new Error(`${label}: header of ${headerLen} bytes, more than the ${MAX_NPY_HEADER} a .npy header may have`);
  if (head.length < start + headerLen) throw new Error(`${label}: truncated header`);
  const header = new TextDecoder('latin1').decode(head.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined)
    throw new Error(`${label}: unreadable header ${header.trim().slice(0, 200)}`);
  if (fortran === 'True')
    throw new Error(`${label}: Fortran-ordered arrays are not supported (save with np.ascontiguousarray)`);
  const dims = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (dims.length > 32 || !dims.every((d) => /^\d{1,15}L?$/.test(d)))
    throw new Error(`${label}: unreadable shape (${shapeText.slice(0, 100)})`);
  const shape = dims.map((d) => Number.parseInt(d, 10));
  const order = descr[0];
  const t = DTYPES[descr.slice(1)];
  if (!t) throw new Error(`${label}: dtype ${descr} is not supported (use uint8 or float32)`);
  if (order === '>' && t.bytes > 1) throw new Error(`${label}: big-endian dtype ${descr} is not supported`);
  const count = shape.reduce((a, b) => a * b, 1);
  const need = count * t.bytes;
  if (need > MAX_ARRAY_BYTES)
    throw new Error(
      `${label}: shape (${shape.join(', ')}) of ${descr} needs ${formatBytes(need)}, more than the ${formatBytes(MAX_ARRAY_BYTES)} an array may hold`,
    );
  const body = start + headerLen;
  if (fileSize < body + need)
    throw new Error(
      `${label}: truncated body: shape (${shape.join(', ')}) needs ${need} bytes, file has ${fileSize - body}`,
    );
  return { shape, descr, dtype: t, count, body };
}

/**
 * Parses .npy bytes (format versions 1–3, little-endian or byte-sized
 * dtypes, C order). Throws an Error naming `label` and the problem.
 */
export function parseNpy(bytes: Uint8Array, label = 'npy data'): NpyArray {
  const h = parseHeader(bytes, bytes.length, label);
  // Copy so the typed array is aligned and owns its memory (Buffer#slice would be a view into a pool).
  const copy = new Uint8Array(h.count * h.dtype.bytes);
  copy.set(bytes.subarray(h.body, h.body + copy.length));
  return { shape: h.shape, dtype: h.descr, data: h.dtype.make(copy.buffer, h.count) };
}

/**
 * Reads and parses a .npy file; errors name the file. The header is read and
 * checked first; the body is then read straight into the array's memory.
 */
export async function readNpy(file: string, label = file): Promise<NpyArray> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    throw new Error(`${label}: cannot read: ${reason(e)}`, { cause: e });
  }
  try {
    const { size } = await fh.stat();
    const head = new Uint8Array(Math.min(size, 12 + MAX_NPY_HEADER));
    await readFully(fh, head, 0);
    const h = parseHeader(head, size, label);
    const copy = new Uint8Array(h.count * h.dtype.bytes);
    await readFully(fh, copy, h.body);
    return { shape: h.shape, dtype: h.descr, data: h.dtype.make(copy.buffer, h.count) };
  } catch (e) {
    if ((e as Error).message.startsWith(`${label}: `)) throw e;
    throw new Error(`${label}: cannot read: ${reason(e)}`, { cause: e });
  } finally {
    await fh.close().catch(() => {});
  }
}

async function readFully(fh: FileHandle, into: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < into.length;) {
    const { bytesRead } = await fh.read(into, done, into.length - done, position + done);
    if (bytesRead === 0) throw new Error('file shrank while being read');
    done += bytesRead;
  }
}

/**
 * Converts image values to uint8: integers are clamped to 0–255, floats in
 * [0, 1] are scaled by 255 (judged by the maximum), other floats clamped.
 */
export function toUint8(data: NpyArray['data']): Uint8Array {
  if (data instanceof Uint8Array) return data;
  const out = new Uint8Array(data.length);
  if (data instanceof BigInt64Array) {
    for (let i = 0; i < data.length; i++) out[i] = Math.max(0, Math.min(255, Number(data[i])));
    return out;
  }
  let max = -Infinity;
  const float = data instanceof Float32Array || data instanceof Float64Array;
  if (float) for (let i = 0; i < data.length; i++) if (data[i] > max) max = data[i];
  const scale = float && max <= 1 ? 255 : 1;
  for (let i = 0; i < data.length; i++) {
    const v = data[i] * scale;
    out[i] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v) || 0;
  }
  return out;
}

/** Integer labels as plain numbers. */
export function toNumbers(data: NpyArray['data']): number[] {
  return Array.from(data as ArrayLike<number | bigint>, (v) => Number(v));
}
