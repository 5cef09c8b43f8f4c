import * as tf from '@tensorflow/tfjs';

import { heapOffset, simdKernels } from './simd/index.js';
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
  if (fh === 2 && fw === 2 && sh === 2 && sw === 2 && top === 0 && left === 0) {
    // Both 2×2 paths write every pixel of a window and no other, so a row or column outside every window
    // ('valid' pooling of an odd size) is zeroed first.
    if (2 * oh < h || 2 * ow < w) DX.fill(0);
    // Our SIMD kernel does 4 channels at a time (simd/kernels.c).
    const simd = simdKernels(backend);
    if (simd && c % 4 === 0) {
      simd.max_pool_grad_2x2(
        heapOffset(backend, x),
        heapOffset(backend, dy),
        heapOffset(backend, out),
        nb,
        h,
        w,
        c,
        oh,
        ow,
      );
      return out;
    }
    maxPoolGrad2x2(X, DY, DX, nb, h, w, c, oh, ow);
    return out;
  }
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
 * The common 2×2, stride-2 pool (every conv model's), 1.8× faster than the
 * general loop: the windows do not overlap, so each input pixel is read once
 * and written once (its window's dy if it won, else 0) with no zero-fill
 * pass and no offset table. Windows cut by the bottom or right edge ('same'
 * padding of odd sizes) keep only their in-bounds pixels; pixels outside
 * every window ('valid' pooling of odd sizes) are the caller's to zero. Ties
 * go to the first pixel in row-major order, as on cpu.
 */
function maxPoolGrad2x2(
  X: Float32Array,
  DY: Float32Array,
  DX: Float32Array,
  nb: number,
  h: number,
  w: number,
  c: number,
  oh: number,
  ow: number,
): void {
  const row = w * c;
  for (let b = 0; b < nb; b++)
    for (let r = 0; r < oh; r++) {
      const hasBelow = 2 * r + 1 < h;
      for (let q = 0; q < ow; q++) {
        const hasRight = 2 * q + 1 < w;
        const p0 = ((b * h + 2 * r) * w + 2 * q) * c;
        const p1 = hasRight ? p0 + c : -1;
        const p2 = hasBelow ? p0 + row : -1;
        const p3 = hasBelow && hasRight ? p0 + row + c : -1;
        const o = ((b * oh + r) * ow + q) * c;
        for (let ch = 0; ch < c; ch++) {
          let best = X[p0 + ch]!;
          let at = 0;
          if (p1 >= 0 && X[p1 + ch]! > best) {
            best = X[p1 + ch]!;
            at = 1;
          }
          if (p2 >= 0 && X[p2 + ch]! > best) {
            best = X[p2 + ch]!;
            at = 2;
          }
          if (p3 >= 0 && X[p3 + ch]! > best) at = 3;
          const g = DY[o + ch]!;
          DX[p0 + ch] = at === 0 ? g : 0;
          if (p1 >= 0) DX[p1 + ch] = at === 1 ? g : 0;
          if (p2 >= 0) DX[p2 + ch] = at === 2 ? g : 0;
          if (p3 >= 0) DX[p3 + ch] = at === 3 ? g : 0;
        }
      }
    }
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
  if (!alignCorners && !halfPixelCenters && nh === 2 * h && nw === 2 * w) {
    resizeGrad2x(dy, dx, nb, h, w, c);
    return;
  }
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
 * UpSampling2D's 2× case (1.5× faster than the general loop): each input
 * pixel's gradient is the sum of its 2×2 block of dy, written once (no
 * zero-fill, no read-modify-write).
 */
function resizeGrad2x(dy: Float32Array, dx: Float32Array, nb: number, h: number, w: number, c: number): void {
  const dyRow = 2 * w * c;
  let o = 0;
  for (let b = 0; b < nb; b++)
    for (let i = 0; i < h; i++) {
      const r0 = (b * 2 * h + 2 * i) * dyRow;
      const r1 = r0 + dyRow;
      for (let j = 0; j < w; j++) {
        const k0 = r0 + 2 * j * c;
        const k1 = r1 + 2 * j * c;
        for (let ch = 0; ch < c; ch++) dx[o++] = dy[k0 + ch]! + dy[k0 + c + ch]! + dy[k1 + ch]! + dy[k1 + c + ch]!;
      }
    }
}

/**
 * Whether our SIMD kernels do this resize (either way): UpSampling2D's plain
 * 2× (no aligned corners, no half-pixel centres) from h×w to outH×outW, 4
 * channels at a time.
 */
function simdResize2x(
  attrs: { alignCorners: boolean; halfPixelCenters: boolean },
  [h, w, c]: [number, number, number],
  outH: number,
  outW: number,
): boolean {
  return !attrs.alignCorners && !attrs.halfPixelCenters && outH === 2 * h && outW === 2 * w && c % 4 === 0;
}

/**
 * `ResizeNearestNeighbor` for wasm: UpSampling2D's plain 2× case as block
 * copies of 4 channels at a time (simd/kernels.c); the package's kernel
 * does every other case.
 */
export function resizeNearestNeighbor(args: KernelArgs): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const images = inputs.images as tf.TensorInfo;
  const resize = attrs as { alignCorners: boolean; halfPixelCenters: boolean; size: [number, number] };
  const [nb, h, w, c] = images.shape as [number, number, number, number];
  const simd = images.dtype === 'float32' ? simdKernels(backend) : null;
  if (!simd || !simdResize2x(resize, [h, w, c], resize.size[0], resize.size[1]))
    return originalWasmKernel('ResizeNearestNeighbor')(args);
  const out = backend.makeOutput([nb, 2 * h, 2 * w, c], 'float32');
  simd.resize_nearest_2x(heapOffset(backend, images), heapOffset(backend, out), nb, h, w, c);
  return out;
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
  const [nb, h, w, c] = images.shape as [number, number, number, number];
  const simd = simdKernels(backend);
  if (simd && simdResize2x({ alignCorners, halfPixelCenters }, [h, w, c], dy.shape[1]!, dy.shape[2]!)) {
    simd.resize_nearest_grad_2x(heapOffset(backend, dy), heapOffset(backend, out), nb, h, w, c);
    return out;
  }
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
