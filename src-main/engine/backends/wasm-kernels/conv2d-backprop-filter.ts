import * as tf from '@tensorflow/tfjs';

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
 * Stride 1 takes `batchAsChannels` (a forward conv), other strides and
 * single-channel inputs `im2colGemm` (a matMul); either way XNNPACK does the
 * multiply-adds.
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
  // With one input channel the im2col buffer is small (kh·kw values per
  // output pixel) and XNNPACK's conv is at its weakest (one channel per
  // image), so im2col wins there; otherwise the conv does.
  return info.strideHeight === 1 && info.strideWidth === 1 && info.inChannels > 1
    ? batchAsChannels(backend, x, dy, info)
    : im2colGemm(backend, x, dy, info);
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
