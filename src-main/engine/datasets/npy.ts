import { readFile } from 'node:fs/promises';

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

/**
 * Parses .npy bytes (format versions 1–3, little-endian or byte-sized
 * dtypes, C order). Throws an Error naming `label` and the problem.
 */
export function parseNpy(bytes: Uint8Array, label = 'npy data'): NpyArray {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
  if (bytes.length < 10 || magic.some((m, i) => bytes[i] !== m))
    throw new Error(`${label}: not a .npy file (wrong magic)`);
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (bytes.length < start + headerLen) throw new Error(`${label}: truncated header`);
  const header = new TextDecoder('latin1').decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new Error(`${label}: unreadable header ${header.trim()}`);
  if (fortran === 'True')
    throw new Error(`${label}: Fortran-ordered arrays are not supported (save with np.ascontiguousarray)`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const order = descr[0];
  const kind = descr.slice(1);
  const t = DTYPES[kind];
  if (!t) throw new Error(`${label}: dtype ${descr} is not supported (use uint8 or float32)`);
  if (order === '>' && t.bytes > 1) throw new Error(`${label}: big-endian dtype ${descr} is not supported`);
  const count = shape.reduce((a, b) => a * b, 1);
  const body = start + headerLen;
  if (bytes.length < body + count * t.bytes)
    throw new Error(
      `${label}: truncated body: shape (${shape.join(', ')}) needs ${count * t.bytes} bytes, file has ${bytes.length - body}`,
    );
  // Copy so the typed array is aligned and owns its memory (Buffer#slice would be a view into a pool).
  const copy = new Uint8Array(count * t.bytes);
  copy.set(bytes.subarray(body, body + count * t.bytes));
  return { shape, dtype: descr, data: t.make(copy.buffer, count) };
}

/** Reads and parses a .npy file; errors name the file. */
export async function readNpy(file: string, label = file): Promise<NpyArray> {
  return parseNpy(await readFile(file), label);
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
