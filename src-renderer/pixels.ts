/**
 * RGBA image data of one HWC uint8 image (1, 3 or 4 channels) that starts at
 * `offset` in `bytes`: gray is spread over R, G and B, alpha is opaque
 * unless the image has its own.
 */
export function hwcToImageData(
  bytes: Uint8Array,
  width: number,
  height: number,
  channels: number,
  offset = 0,
): ImageData {
  const img = new ImageData(width, height);
  const d = img.data;
  for (let i = 0; i < width * height; i++) {
    const c = offset + i * channels;
    const r = bytes[c]!;
    d[4 * i] = r;
    d[4 * i + 1] = channels >= 3 ? bytes[c + 1]! : r;
    d[4 * i + 2] = channels >= 3 ? bytes[c + 2]! : r;
    d[4 * i + 3] = channels === 4 ? bytes[c + 3]! : 255;
  }
  return img;
}
