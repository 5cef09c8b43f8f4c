import { lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { encode as encodeBmp } from 'bmp-ts';
import sharp from 'sharp';

/** A fresh temp dir; remove it with the returned function. */
export function tempDir(prefix = 'ae-ds-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Solid or patterned raw pixels: value at (x, y, c) = f(x, y, c). */
export function raw(
  width: number,
  height: number,
  channels: number,
  f: (x: number, y: number, c: number) => number,
): Buffer {
  const b = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) for (let c = 0; c < channels; c++) b[(y * width + x) * channels + c] = f(x, y, c);
  return b;
}

type Fmt = 'png' | 'jpeg' | 'webp' | 'gif' | 'tiff';

/** Encodes raw pixels with sharp; gray input stays a one-channel image where the format allows. */
export async function encode(
  pixels: Buffer,
  width: number,
  height: number,
  channels: number,
  fmt: Fmt,
): Promise<Buffer> {
  let s = sharp(pixels, { raw: { width, height, channels: channels as 1 | 3 | 4 } });
  if (channels === 1) s = s.toColourspace('b-w');
  switch (fmt) {
    case 'png':
      return s.png().toBuffer();
    case 'jpeg':
      return s.jpeg({ quality: 95 }).toBuffer();
    case 'webp':
      return s.webp({ lossless: true }).toBuffer();
    case 'gif':
      return s.gif().toBuffer();
    case 'tiff':
      return s.tiff({ compression: 'lzw' }).toBuffer(); // sharp's default TIFF compression is lossy JPEG
  }
}

/** A 24-bit BMP of one gray value. */
export function bmp(width: number, height: number, value: number): Buffer {
  // bmp-ts takes ABGR bytes.
  const data = Buffer.alloc(width * height * 4, value);
  return encodeBmp({ data, width, height, bitPP: 24 } as Parameters<typeof encodeBmp>[0]).data;
}

/** Writes a file, creating its folder. */
export function put(file: string, bytes: Buffer | string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, bytes);
}

/** A gray PNG of one value. */
export async function grayPng(width: number, height: number, value: number): Promise<Buffer> {
  return encode(
    raw(width, height, 1, () => value),
    width,
    height,
    1,
    'png',
  );
}

/** Every entry under dir with its size and mtime, symlinks not followed: what "unchanged" means. */
export function snapshot(dir: string): string[] {
  const out: string[] = [];
  const visit = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      const s = lstatSync(p);
      out.push(`${path.relative(dir, p)} ${s.size} ${s.mtimeMs}`);
      if (s.isDirectory()) visit(p);
    }
  };
  out.push(`. ${lstatSync(dir).mtimeMs}`);
  visit(dir);
  return out;
}

/** Bytes of a .npy file. */
export function npy(descr: string, shape: number[], body: ArrayBufferView): Buffer {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const head = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([
    head,
    Buffer.from(header, 'latin1'),
    Buffer.from(body.buffer, body.byteOffset, body.byteLength),
  ]);
}

/** Bytes of an IDX file of uint8 values. */
export function idx(dims: number[], body: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, body]);
}
