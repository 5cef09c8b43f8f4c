import { open } from 'node:fs/promises';

import { decode as decodeBmp } from 'bmp-ts';
import { PNG } from 'pngjs';
import sharp from 'sharp';

import { DECODE_BUDGET_BYTES, DECODE_BYTES_PER_PIXEL, MAX_IMAGE_PIXELS } from './limits.js';

/** File name endings read as images. */
export const IMAGE_EXTENSIONS = new Set([
  'png',
  'jpg',
  'jpeg',
  'jpe',
  'jfif',
  'webp',
  'gif',
  'bmp',
  'dib',
  'tif',
  'tiff',
]);

/** Lower-case extension without the dot. */
export function extOf(name: string): string {
  const i = name.lastIndexOf('.');
  return i < 0 ? '' : name.slice(i + 1).toLowerCase();
}

/** One image at the target size. */
export interface DecodedImage {
  /** width·height·channels bytes, HWC. */
  data: Uint8Array;
  /** 1 when the image is gray (or grayscale was forced), else 3. */
  channels: 1 | 3;
  /** True when the source had another size and was resized with padding. */
  resized: boolean;
}

export interface Size {
  width: number;
  height: number;
}

/** PNGs up to this size go through pngjs (fast for small files); larger ones stream through sharp, shrinking as they decode. */
const PNGJS_MAX_PIXELS = 4_000_000;

const isPng = (b: Uint8Array) => b.length >= 24 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;
const isBmp = (b: Uint8Array) => b.length >= 26 && b[0] === 0x42 && b[1] === 0x4d;

/**
 * Width and height as the file's header declares them, for PNG, BMP, GIF,
 * WebP and JPEG, read from the first bytes without decoding; null for other
 * formats (TIFF) or a header this parser does not understand.
 */
export function headerSize(b: Uint8Array): Size | null {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const ascii = (at: number, s: string) =>
    b.length >= at + s.length && [...s].every((c, i) => b[at + i] === c.charCodeAt(0));
  if (isPng(b)) return { width: v.getUint32(16), height: v.getUint32(20) };
  if (isBmp(b)) return { width: Math.abs(v.getInt32(18, true)), height: Math.abs(v.getInt32(22, true)) };
  if (ascii(0, 'GIF8') && b.length >= 10) return { width: v.getUint16(6, true), height: v.getUint16(8, true) };
  if (ascii(0, 'RIFF') && ascii(8, 'WEBP') && b.length >= 31) {
    if (ascii(12, 'VP8 ')) return { width: v.getUint16(26, true) & 0x3fff, height: v.getUint16(28, true) & 0x3fff };
    if (ascii(12, 'VP8L')) {
      const bits = v.getUint32(21, true);
      return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >>> 14) & 0x3fff) };
    }
    if (ascii(12, 'VP8X'))
      return { width: 1 + (v.getUint32(24, true) & 0xffffff), height: 1 + (v.getUint32(27, true) & 0xffffff) };
    return null;
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    // Walk the JPEG segments to the first start-of-frame marker.
    for (let i = 2; i + 9 < b.length;) {
      if (b[i] !== 0xff) return null;
      const m = b[i + 1];
      if (m === 0xff) {
        i++;
        continue;
      }
      if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc)
        return { width: v.getUint16(i + 7), height: v.getUint16(i + 5) };
      if ((m >= 0xd0 && m <= 0xd9) || m === 0x01) i += 2;
      else i += 2 + v.getUint16(i + 2);
    }
  }
  return null;
}

/**
 * The declared size of an image (its bytes, or its path for a large file):
 * the header where headerSize reads it, else sharp's metadata, which reads
 * the header only. Throws "not a readable image" when neither can.
 */
export async function declaredSize(input: Buffer | string, head?: Uint8Array): Promise<Size> {
  const fromHeader = headerSize(head ?? (input as Buffer));
  if (fromHeader) return fromHeader;
  try {
    const m = await sharp(input, { limitInputPixels: false }).metadata();
    return { width: m.width, height: m.height };
  } catch (e) {
    throw new Error(`not a readable image: ${(e as Error).message}`, { cause: e });
  }
}

/** Throws when a declared size is empty or past MAX_IMAGE_PIXELS: checked before anything is decoded. */
export function checkSize({ width, height }: Size): void {
  if (!(width > 0 && height > 0)) throw new Error(`not a readable image: size ${width}×${height}`);
  if (width * height > MAX_IMAGE_PIXELS)
    throw new Error(
      `${width}×${height} is larger than ${MAX_IMAGE_PIXELS / 1e6} megapixels, the most an image may have; not decoded`,
    );
}

/** Estimated peak memory of decoding an image of `size` from `fileBytes` bytes, as reserved in the decode budget. */
export function decodeCost(size: Size, fileBytes: number): number {
  return Math.min(DECODE_BUDGET_BYTES, size.width * size.height * DECODE_BYTES_PER_PIXEL + fileBytes);
}

/**
 * Decodes one image file's bytes to `target` (aspect kept by black padding),
 * alpha composited on black. The declared size is checked first (and must be
 * given or readable from the header). Small PNGs go through pngjs and BMP
 * through bmp-ts (sharp's per-call cost dominates for small PNGs and it has
 * no BMP decoder); everything else through sharp with the resize in the same
 * pipeline, so JPEG and WebP shrink while they decode and large PNGs stream.
 * GIF and TIFF take their first page. Throws an Error saying what is wrong.
 */
export async function decodeImage(
  bytes: Buffer,
  target: Size,
  grayscale: boolean,
  declared?: Size,
): Promise<DecodedImage> {
  if (bytes.length === 0) throw new Error('empty file (0 bytes)');
  const size = declared ?? (await declaredSize(bytes));
  checkSize(size);
  const resized = size.width !== target.width || size.height !== target.height;
  let rgb: Uint8Array;
  let width: number;
  let height: number;
  try {
    if (isPng(bytes) && size.width * size.height <= PNGJS_MAX_PIXELS) {
      const png = PNG.sync.read(bytes);
      ({ width, height } = png);
      rgb = rgbaToRgb(png.data, true);
    } else if (isBmp(bytes)) {
      const bmp = decodeBmp(bytes, { toRGBA: true });
      ({ width, height } = bmp);
      if (bmp.data.length < width * height * 4) throw new Error('pixel data shorter than the header says');
      rgb = rgbaToRgb(bmp.data, false);
    } else {
      let s = sharp(bytes, { failOn: 'error', limitInputPixels: MAX_IMAGE_PIXELS })
        .flatten({ background: '#000000' })
        .toColourspace('srgb');
      if (resized) s = s.resize(target.width, target.height, { fit: 'contain', background: '#000000' });
      const { data, info } = await s.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
      if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
      if (info.width !== target.width || info.height !== target.height)
        throw new Error(
          `decoded to ${info.width}×${info.height}, not the ${size.width}×${size.height} its header says`,
        );
      return finish(data, target, grayscale, resized);
    }
  } catch (e) {
    throw new Error(`not a readable image: ${(e as Error).message}`, { cause: e });
  }
  if (!(width > 0 && height > 0)) throw new Error(`not a readable image: size ${width}×${height}`);
  if (width !== target.width || height !== target.height) {
    rgb = await sharp(rgb, { raw: { width, height, channels: 3 } })
      .resize(target.width, target.height, { fit: 'contain', background: '#000000' })
      .raw()
      .toBuffer();
  }
  return finish(rgb, target, grayscale, width !== target.width || height !== target.height);
}

function finish(rgb: Uint8Array, target: Size, grayscale: boolean, resized: boolean): DecodedImage {
  const pixels = target.width * target.height;
  if (grayscale || isGray(rgb)) return { data: luminance(rgb, pixels), channels: 1, resized };
  return { data: rgb, channels: 3, resized };
}

/** RGBA → RGB, optionally compositing on black by alpha. */
function rgbaToRgb(rgba: Uint8Array, useAlpha: boolean): Uint8Array {
  const n = rgba.length >> 2;
  const out = new Uint8Array(n * 3);
  for (let i = 0, j = 0, k = 0; i < n; i++, j += 4, k += 3) {
    const a = useAlpha ? rgba[j + 3] : 255;
    if (a === 255) {
      out[k] = rgba[j];
      out[k + 1] = rgba[j + 1];
      out[k + 2] = rgba[j + 2];
    } else {
      out[k] = (rgba[j] * a + 127) / 255;
      out[k + 1] = (rgba[j + 1] * a + 127) / 255;
      out[k + 2] = (rgba[j + 2] * a + 127) / 255;
    }
  }
  return out;
}

function isGray(rgb: Uint8Array): boolean {
  for (let k = 0; k < rgb.length; k += 3) if (rgb[k] !== rgb[k + 1] || rgb[k] !== rgb[k + 2]) return false;
  return true;
}

/** Rec. 601 luma, the usual grayscale of image libraries; exact for gray input. */
export function luminance(rgb: Uint8Array, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels);
  for (let i = 0, k = 0; i < pixels; i++, k += 3)
    out[i] = (77 * rgb[k] + 150 * rgb[k + 1] + 29 * rgb[k + 2] + 128) >> 8;
  return out;
}

/** Bytes of a file's start read for its header; a JPEG's size can follow tens of kilobytes of metadata. */
export const HEAD_BYTES = 65_536;

/**
 * Width and height from the file's header without decoding the pixels
 * (headerSize on the first bytes; other formats through sharp's metadata).
 */
export async function readImageSize(file: string): Promise<Size> {
  const fh = await open(file, 'r');
  const head = new Uint8Array(HEAD_BYTES);
  let n;
  try {
    ({ bytesRead: n } = await fh.read(head, 0, HEAD_BYTES, 0));
  } finally {
    await fh.close();
  }
  return declaredSize(file, head.subarray(0, n));
}
