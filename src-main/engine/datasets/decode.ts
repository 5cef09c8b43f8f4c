import { open } from 'node:fs/promises';

import { decode as decodeBmp } from 'bmp-ts';
import { PNG } from 'pngjs';
import sharp from 'sharp';

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

/** Largest image decoded, as sharp's default limitInputPixels. */
const MAX_PIXELS = 0x3fff * 0x3fff;

const isPng = (b: Uint8Array) => b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;
const isBmp = (b: Uint8Array) => b.length >= 26 && b[0] === 0x42 && b[1] === 0x4d;

/**
 * Decodes one image file's bytes to `target` (aspect kept by black padding),
 * alpha composited on black. PNG goes through pngjs and BMP through bmp-ts
 * (sharp's per-call cost dominates for small PNGs and it has no BMP decoder);
 * everything else through sharp, GIF and TIFF taking their first page.
 * Throws an Error saying what is wrong with the file.
 */
export async function decodeImage(bytes: Buffer, target: Size, grayscale: boolean): Promise<DecodedImage> {
  if (bytes.length === 0) throw new Error('empty file (0 bytes)');
  let rgb: Uint8Array;
  let width: number;
  let height: number;
  try {
    if (isPng(bytes)) {
      // pngjs has no pixel limit of its own; sharp's default is the same 268 megapixels.
      if (bytes.length >= 24 && bytes.readUInt32BE(16) * bytes.readUInt32BE(20) > MAX_PIXELS)
        throw new Error(
          `${bytes.readUInt32BE(16)}×${bytes.readUInt32BE(20)} is larger than ${MAX_PIXELS / 1e6} megapixels`,
        );
      const png = PNG.sync.read(bytes);
      ({ width, height } = png);
      rgb = rgbaToRgb(png.data, true);
    } else if (isBmp(bytes)) {
      const bmp = decodeBmp(bytes, { toRGBA: true });
      ({ width, height } = bmp);
      if (bmp.data.length < width * height * 4) throw new Error('pixel data shorter than the header says');
      rgb = rgbaToRgb(bmp.data, false);
    } else {
      const { data, info } = await sharp(bytes, { failOn: 'error' })
        .flatten({ background: '#000000' })
        .toColourspace('srgb')
        .raw({ depth: 'uchar' })
        .toBuffer({ resolveWithObject: true });
      if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
      ({ width, height } = info);
      rgb = data;
    }
  } catch (e) {
    throw new Error(`not a readable image: ${(e as Error).message}`, { cause: e });
  }
  if (!(width > 0 && height > 0)) throw new Error(`not a readable image: size ${width}×${height}`);
  const resized = width !== target.width || height !== target.height;
  if (resized) {
    rgb = await sharp(rgb, { raw: { width, height, channels: 3 } })
      .resize(target.width, target.height, { fit: 'contain', background: '#000000' })
      .raw()
      .toBuffer();
  }
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

/**
 * Width and height from the file's header without decoding the pixels
 * (PNG and BMP headers read directly; other formats through sharp's metadata).
 */
export async function readImageSize(file: string): Promise<Size> {
  const fh = await open(file, 'r');
  const head = new Uint8Array(32);
  try {
    await fh.read(head, 0, 32, 0);
  } finally {
    await fh.close();
  }
  const v = new DataView(head.buffer);
  if (isPng(head)) return { width: v.getUint32(16, false), height: v.getUint32(20, false) };
  if (isBmp(head)) return { width: Math.abs(v.getInt32(18, true)), height: Math.abs(v.getInt32(22, true)) };
  const m = await sharp(file).metadata();
  return { width: m.width, height: m.height };
}
