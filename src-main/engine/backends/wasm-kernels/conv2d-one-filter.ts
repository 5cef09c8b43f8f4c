import * as tf from '@tensorflow/tfjs';

import { convWindow, heapOffset, simdKernels } from './simd/index.js';
import { type KernelArgs, originalWasmKernel } from './util.js';

/** Attributes shared by `Conv2D` and `_FusedConv2D`. */
interface Attrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dilations: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  activation?: string;
}

/** Activations this path applies after the bias; any other goes to the package's kernel. */
const ACTIVATIONS: Record<string, string | null> = { linear: null, relu: 'Relu', sigmoid: 'Sigmoid' };

const isOne = (v: [number, number] | number) => (Array.isArray(v) ? v.every((d) => d === 1) : v === 1);

/**
 * A conv2d with one output channel (the conv model's output layer, 16 → 1)
 * as a depthwise conv followed by a sum over channels: XNNPACK's depthwise
 * conv is a few SIMD passes, where its dense conv with one filter wastes most
 * of each vector — 2× faster for [256, 28, 28, 16] (bench/profile-train.ts).
 * Returns null where it does not apply (more filters, NCHW, dilation, an
 * activation it does not know, prelu weights).
 */
function oneFilterConv(args: KernelArgs): tf.TensorInfo | null {
  const { inputs, backend } = args;
  const x = inputs.x as tf.TensorInfo;
  const filter = inputs.filter as tf.TensorInfo;
  const bias = inputs.bias as tf.TensorInfo | undefined;
  const {
    strides,
    pad,
    dataFormat,
    dilations,
    dimRoundingMode,
    activation = 'linear',
  } = args.attrs as unknown as Attrs;
  const act = ACTIVATIONS[activation];
  if (filter.shape[3] !== 1 || dataFormat !== 'NHWC' || !isOne(dilations) || act === undefined) return null;
  if (inputs.preluActivationWeights) return null;
  const [fh, fw, ci] = filter.shape as [number, number, number, number];
  const simd = x.dtype === 'float32' && (!bias || bias.shape.length <= 1) ? simdKernels(backend) : null;
  if (simd) return simdOneFilter(backend, simd, x, filter, bias, args.attrs as unknown as Attrs, act);
  // [fh, fw, ci, 1] is already the depthwise layout [fh, fw, ci, multiplier 1].
  const temps: tf.TensorInfo[] = [];
  try {
    const perChannel = originalWasmKernel('DepthwiseConv2dNative')({
      inputs: { x, filter: { dataId: filter.dataId, shape: [fh, fw, ci, 1], dtype: 'float32' } },
      backend,
      attrs: { strides, pad, dataFormat: 'NHWC', dilations: 1, ...(dimRoundingMode ? { dimRoundingMode } : {}) },
    });
    temps.push(perChannel);
    let out = originalWasmKernel('Sum')({ inputs: { x: perChannel }, backend, attrs: { axis: [3], keepDims: true } });
    if (bias) {
      temps.push(out);
      out = originalWasmKernel('Add')({ inputs: { a: out, b: bias }, backend });
    }
    if (act) {
      temps.push(out);
      out = originalWasmKernel(act)({ inputs: { x: out }, backend });
    }
    return out;
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}

/**
 * The same in one pass of our SIMD kernel (simd/kernels.c
 * `conv2d_one_filter`: a dot product over each window, bias added), then
 * the activation: one kernel instead of up to four, though hardly faster
 * (1.18 against 1.27 ms at [32, 28, 28, 16], median of 3 interleaved).
 */
function simdOneFilter(
  backend: KernelArgs['backend'],
  simd: NonNullable<ReturnType<typeof simdKernels>>,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  bias: tf.TensorInfo | undefined,
  attrs: Attrs,
  act: string | null,
): tf.TensorInfo {
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const out = backend.makeOutput([info.batchSize, info.outHeight, info.outWidth, 1], 'float32');
  const b = bias ? (backend.typedArrayFromHeap(bias) as Float32Array)[0]! : 0;
  simd.conv2d_one_filter(
    heapOffset(backend, x),
    heapOffset(backend, filter),
    heapOffset(backend, out),
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    ...convWindow(info),
    b,
  );
  if (!act) return out;
  try {
    return originalWasmKernel(act)({ inputs: { x: out }, backend });
  } finally {
    backend.disposeData(out.dataId);
  }
}

/** `Conv2D` for wasm: the one-filter case as depthwise + sum, the rest as before. */
export function conv2D(args: KernelArgs): tf.TensorInfo {
  return oneFilterConv(args) ?? originalWasmKernel('Conv2D')(args);
}

/** `FusedConv2D` (conv + bias + activation) for wasm, same one-filter fast path. */
export function fusedConv2D(args: KernelArgs): tf.TensorInfo {
  return oneFilterConv(args) ?? originalWasmKernel('FusedConv2D')(args);
}
