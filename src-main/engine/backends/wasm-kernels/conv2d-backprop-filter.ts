import * as tf from '@tensorflow/tfjs';

import { convWindow, heapOffset, simdKernels } from './simd/index.js';
import { type KernelArgs, originalWasmKernel, wasmTranspose } from './util.js';

/** Attributes of the `Conv2DBackpropFilter` kernel, as tfjs-core's conv2d gradient passes them. */
interface Attrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

/**
 * `Conv2DBackpropFilter` for wasm (the package registers none, so no conv
 * model could train): the gradient of a conv2d with respect to its filter,
 *
 * dW[kh,kw,ci,co] = Σ_{b,oh,ow} x[b, oh·sh + kh − top, ow·sw + kw − left, ci] · dy[b,oh,ow,co].
 *
 * Our SIMD kernel (simd/kernels.c `conv2d_filter_grad`) does every stride
 * and padding in one pass over x and dy: at batch 256 it took the conv
 * model's four large filter gradients from 12–28 ms each to 3–8 ms
 * (bench/profile-train.ts --shapes). Where the SIMD module cannot run,
 * stride 1 takes `shiftedGemm` or `batchAsChannels` and other strides
 * `im2colGemm`, XNNPACK doing the multiply-adds.
 * NHWC only; dilation is 1 (tfjs-core refuses to differentiate dilated convs).
 */
export function conv2DBackpropFilter({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const x = inputs.x as tf.TensorInfo;
  const dy = inputs.dy as tf.TensorInfo;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as Attrs;
  if (dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropFilter on wasm supports NHWC only, got ${dataFormat}`);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const strategy = STRATEGY(info);
  if (strategy === 'simd') {
    const done = simdFilterGrad(backend, x, dy, info);
    if (done) return done;
  }
  if (info.strideHeight !== 1 || info.strideWidth !== 1) return im2colGemm(backend, x, dy, info);
  return (strategy === 'simd' ? xnnpackStrategy(info) : strategy) === 'shifted'
    ? shiftedGemm(backend, x, dy, info)
    : batchAsChannels(backend, x, dy, info);
}

/**
 * Any stride and padding in one pass of our SIMD kernel (simd/kernels.c,
 * `conv2d_filter_grad`), straight from x and dy in the heap; null where the
 * SIMD module cannot run, so the caller takes an XNNPACK path.
 */
function simdFilterGrad(
  backend: KernelArgs['backend'],
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo | null {
  const simd = simdKernels(backend);
  if (!simd) return null;
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const out = backend.makeOutput([info.filterHeight, info.filterWidth, inChannels, outChannels], 'float32');
  simd.conv2d_filter_grad(
    heapOffset(backend, x),
    heapOffset(backend, dy),
    heapOffset(backend, out),
    batchSize,
    inHeight,
    inWidth,
    inChannels,
    outHeight,
    outWidth,
    outChannels,
    ...convWindow(info),
  );
  return out;
}

/**
 * Which XNNPACK method to use at stride 1 when the SIMD kernel cannot run.
 * Measured in place (bench/profile-train.ts, conv model, batch 256): with one channel on either side (the first conv,
 * 1 → 16, and the output conv, 16 → 1) XNNPACK's conv is at its weakest —
 * one channel per image or per filter — and the shifted planes are a plain
 * copy, so `shiftedGemm` is 1.5–4× faster; with 8 and 16 channels
 * `batchAsChannels` is faster at every image size of the model.
 */
const xnnpackStrategy = (info: tf.backend_util.Conv2DInfo): 'shifted' | 'batch' =>
  Math.min(info.inChannels, info.outChannels) === 1 ? 'shifted' : 'batch';
const measured = (_info: tf.backend_util.Conv2DInfo): Strategy => 'simd';

/** The methods: our SIMD kernel (falls back to the others where it cannot run), or one of the XNNPACK paths. */
export type Strategy = 'simd' | 'shifted' | 'batch';
let STRATEGY = measured;

/** Forces one method (for tests and benchmarks), or restores the measured choice (SIMD) with `null`. */
export function setBackpropFilterStrategy(s: Strategy | ((info: tf.backend_util.Conv2DInfo) => Strategy) | null): void {
  STRATEGY = typeof s === 'function' ? s : s ? () => s : measured;
}

/**
 * Writes shifted copies of the channels of S [nb, sh, sw, C] as rows of
 * `out`, each over a grid of nb × gh × gw: row t·C + c holds
 * S[b, i + dh_t, j + dw_t, c] at (b, i, j), zero where that falls outside S.
 * The inner loop runs over a contiguous run of valid columns, so there is no
 * per-element bounds test; with C = 1 it is a straight copy.
 */
export function shiftedRows(
  S: Float32Array,
  [nb, sh, sw, C]: readonly number[],
  gh: number,
  gw: number,
  shifts: readonly (readonly [number, number])[],
  out: Float32Array,
): void {
  const cols = nb! * gh * gw;
  for (let t = 0; t < shifts.length; t++) {
    const [dh, dw] = shifts[t]!;
    const lo = Math.min(gw, Math.max(0, -dw));
    const hi = Math.max(lo, Math.min(gw, sw! - dw));
    for (let c = 0; c < C!; c++) {
      let o = (t * C! + c) * cols;
      for (let b = 0; b < nb!; b++)
        for (let i = 0; i < gh; i++, o += gw) {
          const ih = i + dh;
          if (ih < 0 || ih >= sh!) {
            out.fill(0, o, o + gw);
            continue;
          }
          const base = ((b * sh! + ih) * sw! + dw) * C! + c;
          for (let j = 0; j < lo; j++) out[o + j] = 0;
          for (let j = lo; j < hi; j++) out[o + j] = S[base + j * C!]!;
          for (let j = hi; j < gw; j++) out[o + j] = 0;
        }
    }
  }
}

/**
 * Stride 1, either side's shifted planes times the other side as it lies, so
 * that only one matMul with a long reduction is left for XNNPACK:
 *
 * - fewer input channels: X̃[(kh,kw,ci), (b,oh,ow)] = x[b, oh+kh−top, ow+kw−left, ci];
 *   X̃ · dy[(b,oh,ow), co] is dW in the filter's layout;
 * - fewer output channels: D̃[(kh,kw,co), (b,ih,iw)] = dy[b, ih−kh+top, iw−kw+left, co];
 *   D̃ · x[(b,ih,iw), ci] is dW with ci and co swapped, put right in a tiny loop.
 */
export function shiftedGemm(
  backend: KernelArgs['backend'],
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo {
  const { batchSize: nb, inHeight, inWidth, inChannels: ci, outHeight, outWidth, outChannels: co } = info;
  const { filterHeight: fh, filterWidth: fw } = info;
  const { top, left } = info.padInfo;
  const shiftX = co < ci ? false : true;
  const shifts: [number, number][] = [];
  for (let kh = 0; kh < fh; kh++)
    for (let kw = 0; kw < fw; kw++) shifts.push(shiftX ? [kh - top, kw - left] : [top - kh, left - kw]);
  const [src, other, gh, gw, cs, cn] = shiftX
    ? [x, dy, outHeight, outWidth, ci, co]
    : [dy, x, inHeight, inWidth, co, ci];
  const cols = nb * gh * gw;
  const planes = backend.makeOutput([1, fh * fw * cs, cols], 'float32');
  // Views onto the heap only after the last allocation: malloc may grow memory.
  shiftedRows(
    backend.typedArrayFromHeap(src) as Float32Array,
    src.shape,
    gh,
    gw,
    shifts,
    backend.typedArrayFromHeap(planes) as Float32Array,
  );
  const rhs: tf.TensorInfo = { dataId: other.dataId, shape: [1, cols, cn], dtype: 'float32' };
  let prod: tf.TensorInfo;
  try {
    prod = originalWasmKernel('BatchMatMul')({
      inputs: { a: planes, b: rhs },
      backend,
      attrs: { transposeA: false, transposeB: false },
    });
  } finally {
    backend.disposeData(planes.dataId);
  }
  if (shiftX) {
    prod.shape = [fh, fw, ci, co];
    return prod;
  }
  // prod[(t, o), i] → dW[t, i, o]
  const out = backend.makeOutput([fh, fw, ci, co], 'float32');
  const R = backend.typedArrayFromHeap(prod) as Float32Array;
  const W = backend.typedArrayFromHeap(out) as Float32Array;
  for (let t = 0; t < fh * fw; t++)
    for (let o = 0; o < co; o++) for (let i = 0; i < ci; i++) W[(t * ci + i) * co + o] = R[(t * co + o) * ci + i]!;
  backend.disposeData(prod.dataId);
  return out;
}

/**
 * Stride 1, the "batch as channels" identity: with x read as an image batch of
 * its channels, xᵀ[ci, h, w, b], and dy as a filter, dyᵀ[oh, ow, b, co], the
 * filter gradient is the forward convolution conv(xᵀ, dyᵀ) with the original
 * padding, whose output [ci, kh, kw, co] is dW with axes permuted. That hands
 * the whole reduction over batch and space to XNNPACK's conv; the price is
 * three transposes, all small next to the conv.
 */
export function batchAsChannels(
  backend: KernelArgs['backend'],
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo {
  const { top, bottom, left, right } = info.padInfo;
  const xT = wasmTranspose(backend, x, [3, 1, 2, 0]);
  const dyT = wasmTranspose(backend, dy, [1, 2, 0, 3]);
  let conv: tf.TensorInfo | undefined;
  try {
    conv = originalWasmKernel('Conv2D')({
      inputs: { x: xT, filter: dyT },
      backend,
      attrs: {
        strides: 1,
        pad: [
          [0, 0],
          [top, bottom],
          [left, right],
          [0, 0],
        ],
        dataFormat: 'NHWC',
        dilations: 1,
      },
    });
    return wasmTranspose(backend, conv, [1, 2, 0, 3]);
  } finally {
    backend.disposeData(xT.dataId);
    backend.disposeData(dyT.dataId);
    if (conv) backend.disposeData(conv.dataId);
  }
}

/**
 * Any stride: lay out the input patches transposed, P[kh·kw·ci, b·oh·ow] (an
 * im2col written row by row, zeros where the window hangs over the padding);
 * one plain matMul P · dy[b·oh·ow, co] gives dW in the filter's layout.
 */
export function im2colGemm(
  backend: KernelArgs['backend'],
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const rows = filterHeight * filterWidth * inChannels;
  const cols = batchSize * outHeight * outWidth;

  const patches = backend.makeOutput([1, rows, cols], 'float32');
  // Views onto the heap only after the last allocation: malloc may grow memory.
  const P = backend.typedArrayFromHeap(patches) as Float32Array;
  const X = backend.typedArrayFromHeap(x) as Float32Array;
  const rowStride = inWidth * inChannels;
  const batchStride = inHeight * rowStride;
  for (let kh = 0; kh < filterHeight; kh++) {
    for (let kw = 0; kw < filterWidth; kw++) {
      for (let ci = 0; ci < inChannels; ci++) {
        let o = ((kh * filterWidth + kw) * inChannels + ci) * cols;
        for (let b = 0; b < batchSize; b++) {
          for (let oh = 0; oh < outHeight; oh++) {
            const ih = oh * strideHeight + kh - top;
            if (ih < 0 || ih >= inHeight) {
              P.fill(0, o, o + outWidth);
              o += outWidth;
              continue;
            }
            const base = b * batchStride + ih * rowStride + ci;
            for (let ow = 0; ow < outWidth; ow++) {
              const iw = ow * strideWidth + kw - left;
              P[o++] = iw >= 0 && iw < inWidth ? X[base + iw * inChannels]! : 0;
            }
          }
        }
      }
    }
  }

  const dy3: tf.TensorInfo = { dataId: dy.dataId, shape: [1, cols, outChannels], dtype: 'float32' };
  const out = originalWasmKernel('BatchMatMul')({
    inputs: { a: patches, b: dy3 },
    backend,
    attrs: { transposeA: false, transposeB: false },
  });
  backend.disposeData(patches.dataId);
  out.shape = [filterHeight, filterWidth, inChannels, outChannels];
  return out;
}
