/** Base64 of typed arrays, without Node's Buffer, so the renderer can use it too. */
import type { B64F32 } from './events.js';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INV = (() => {
  const t = new Int16Array(128).fill(-1);
  for (let i = 0; i < B64.length; i++) t[B64.charCodeAt(i)] = i;
  return t;
})();

/** Base64-encodes bytes without Node's Buffer, so the renderer can use it too. */
export function bytesToBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  const CHUNK = 3 * 4096;
  for (let start = 0; start < bytes.length; start += CHUNK) {
    const end = Math.min(bytes.length, start + CHUNK);
    let s = '';
    for (let i = start; i < end; i += 3) {
      const a = bytes[i];
      const b = i + 1 < end ? bytes[i + 1] : 0;
      const c = i + 2 < end ? bytes[i + 2] : 0;
      const n = (a << 16) | (b << 8) | c;
      s += B64[(n >> 18) & 63] + B64[(n >> 12) & 63];
      s += i + 1 < end ? B64[(n >> 6) & 63] : '=';
      s += i + 2 < end ? B64[n & 63] : '=';
    }
    parts.push(s);
  }
  return parts.join('');
}

/** Decodes base64 produced by bytesToBase64 (or any standard base64). */
export function base64ToBytes(s: string): Uint8Array {
  let len = s.length;
  while (len > 0 && s[len - 1] === '=') len--;
  const out = new Uint8Array(Math.floor((len * 3) / 4));
  let o = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < len; i++) {
    const v = B64_INV[s.charCodeAt(i) & 127];
    if (v < 0) throw new Error(`invalid base64 character at ${i}`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 255;
    }
  }
  return out;
}

/** Float32Array → base64 (little-endian bytes, as every supported platform stores them). */
export function encodeF32(a: Float32Array): B64F32 {
  return bytesToBase64(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
}

/** base64 → Float32Array. */
export function decodeF32(s: B64F32): Float32Array {
  const bytes = base64ToBytes(s);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2);
}

/** Int32Array → base64. */
export function encodeI32(a: Int32Array): string {
  return bytesToBase64(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
}

/** base64 → Int32Array. */
export function decodeI32(s: string): Int32Array {
  const bytes = base64ToBytes(s);
  return new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2);
}
