import * as tf from '@tensorflow/tfjs';

import { type KernelArgs, originalWasmKernel } from './util.js';

/** Attributes of the `Conv2DBackpropInput` kernel. */
interface Attrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
}

/**
 * `Conv2DBackpropInput` for wasm, fast for stride 1: the gradient of a conv2d
 * with respect to its input is then itself a conv2d of dy with the filter
 * flipped in space and its channel axes swapped, padded by (f − 1 − pad) on
 * each side — which XNNPACK's forward conv runs several times faster than the
 * package's own naive loop. Other strides and layouts go to that loop.
 */
export function conv2DBackpropInput(args: KernelArgs): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const dy = inputs.dy as tf.TensorInfo;
  const filter = inputs.filter as tf.TensorInfo;
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as Attrs;
  const info = tf.backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const { filterHeight: fh, filterWidth: fw, inChannels: ci, outChannels: co, padInfo } = info;
  const padding: tf.backend_util.ExplicitPadding = [
    [0, 0],
    [fh - 1 - padInfo.top, fh - 1 - padInfo.bottom],
    [fw - 1 - padInfo.left, fw - 1 - padInfo.right],
    [0, 0],
  ];
  const fast =
    dataFormat === 'NHWC' && info.strideHeight === 1 && info.strideWidth === 1 && padding.flat().every((p) => p >= 0);
  if (!fast) return originalWasmKernel('Conv2DBackpropInput')(args);

  // flipped[kh, kw, o, i] = filter[fh−1−kh, fw−1−kw, i, o]
  const flipped = backend.makeOutput([fh, fw, co, ci], 'float32');
  const F = backend.typedArrayFromHeap(flipped) as Float32Array;
  const W = backend.typedArrayFromHeap(filter) as Float32Array;
  for (let kh = 0; kh < fh; kh++)
    for (let kw = 0; kw < fw; kw++) {
      const src = ((fh - 1 - kh) * fw + (fw - 1 - kw)) * ci * co;
      const dst = (kh * fw + kw) * co * ci;
      for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) F[dst + o * ci + i] = W[src + i * co + o]!;
    }
  try {
    return originalWasmKernel('Conv2D')({
      inputs: { x: dy, filter: flipped },
      backend,
      attrs: {
        strides: 1,
        pad: padding,
        dataFormat: 'NHWC',
        dilations: 1,
        ...(dimRoundingMode ? { dimRoundingMode } : {}),
      },
    });
  } finally {
    backend.disposeData(flipped.dataId);
  }
}
