import * as tf from '@tensorflow/tfjs';

import { type KernelArgs, originalWasmKernel } from './util.js';

/**
 * `MaxPoolGrad` for wasm: each dy value goes to the input position that won
 * its window (the first strict maximum, as the cpu backend picks it). One
 * pass over the windows with per-channel running maxima, instead of the
 * package's loop that rescans every window for every input pixel.
 */
export function maxPoolGrad(args: KernelArgs): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const dy = inputs.dy as tf.TensorInfo;
  const x = inputs.input as tf.TensorInfo;
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as {
    filterSize: [number, number] | number;
    strides: [number, number] | number;
    pad: 'valid' | 'same' | number;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  const info = tf.backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return originalWasmKernel('MaxPoolGrad')(args);
  const { batchSize: nb, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
  const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;

  const out = backend.makeOutput(x.shape, 'float32');
  const DX = backend.typedArrayFromHeap(out) as Float32Array;
  const X = backend.typedArrayFromHeap(x) as Float32Array;
  const DY = backend.typedArrayFromHeap(dy) as Float32Array;
  DX.fill(0);
  const offsets = new Int32Array(fh * fw);
  for (let b = 0; b < nb; b++)
    for (let r = 0; r < oh; r++)
      for (let q = 0; q < ow; q++) {
        // The window's in-bounds pixels, row-major as the cpu backend scans them.
        let m = 0;
        for (let kh = 0; kh < fh; kh++) {
          const ih = r * sh - top + kh;
          if (ih < 0 || ih >= h) continue;
          for (let kw = 0; kw < fw; kw++) {
            const iw = q * sw - left + kw;
            if (iw >= 0 && iw < w) offsets[m++] = ((b * h + ih) * w + iw) * c;
          }
        }
        const o = ((b * oh + r) * ow + q) * c;
        for (let ch = 0; ch < c; ch++) {
          let best = -Infinity;
          let at = -1;
          for (let j = 0; j < m; j++) {
            const v = X[offsets[j]! + ch]!;
            if (v > best) {
              best = v;
              at = offsets[j]! + ch;
            }
          }
          if (at >= 0) DX[at] += DY[o + ch]!;
        }
      }
  return out;
}

/**
 * Where the forward nearest-neighbour resize reads each output row (or
 * column) from, with the cpu backend's exact rounding.
 */
function sources(oldSize: number, newSize: number, alignCorners: boolean, halfPixelCenters: boolean): Int32Array {
  const ratio =
    (alignCorners && newSize > 1 ? oldSize - 1 : oldSize) / (alignCorners && newSize > 1 ? newSize - 1 : newSize);
  const src = new Int32Array(newSize);
  for (let i = 0; i < newSize; i++) {
    const f = halfPixelCenters ? ratio * (i + 0.5) : ratio * i;
    let s = Math.min(oldSize - 1, alignCorners ? Math.round(f) : Math.floor(f));
    if (halfPixelCenters) s = Math.max(0, s);
    src[i] = s;
  }
  return src;
}

/**
 * The exact gradient of a nearest-neighbour resize of [nb, h, w, c] images
 * to dy's [nb, nh, nw, c]: every dy value is added to the input pixel the
 * forward resize copied it from. Writes all of `dx`.
 */
export function resizeNearestGradInto(
  dy: Float32Array,
  dx: Float32Array,
  imageShape: readonly number[],
  dyShape: readonly number[],
  alignCorners: boolean,
  halfPixelCenters: boolean,
): void {
  const [nb, h, w, c] = imageShape as [number, number, number, number];
  const [, nh, nw] = dyShape as [number, number, number, number];
  const rows = sources(h, nh, alignCorners, halfPixelCenters);
  const cols = sources(w, nw, alignCorners, halfPixelCenters);
  dx.fill(0);
  let o = 0;
  for (let b = 0; b < nb; b++)
    for (let r = 0; r < nh; r++) {
      const rowBase = (b * h + rows[r]!) * w;
      for (let q = 0; q < nw; q++) {
        const d = (rowBase + cols[q]!) * c;
        for (let ch = 0; ch < c; ch++) dx[d + ch] += dy[o++]!;
      }
    }
}

/**
 * `ResizeNearestNeighborGrad` for wasm (UpSampling2D's backward pass): one
 * pass over dy (`resizeNearestGradInto`), instead of the package's search
 * over a window of dy for every input pixel.
 */
export function resizeNearestNeighborGrad(args: KernelArgs): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const images = inputs.images as tf.TensorInfo;
  const dy = inputs.dy as tf.TensorInfo;
  const { alignCorners, halfPixelCenters } = attrs as { alignCorners: boolean; halfPixelCenters: boolean };
  const out = backend.makeOutput(images.shape, 'float32');
  resizeNearestGradInto(
    backend.typedArrayFromHeap(dy) as Float32Array,
    backend.typedArrayFromHeap(out) as Float32Array,
    images.shape,
    dy.shape,
    alignCorners,
    halfPixelCenters,
  );
  return out;
}
