import * as tf from '@tensorflow/tfjs';

import { BCE_KERNEL, type BceAttrs, RELU_GRAD_KERNEL } from '../../models/fused-kernels.js';
import { heapOffset, type SimdExports, simdKernels } from './simd/index.js';
import { type KernelArgs, originalWasmKernel } from './util.js';

/**
 * `Sum` for wasm where it reduces every axis but the last (a bias gradient:
 * dy summed over batch and pixels) in one SIMD pass over the rows
 * (simd/kernels.c `sum_rows`); the package's kernel does the rest.
 */
export function sum(args: KernelArgs): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x as tf.TensorInfo;
  const { axis, keepDims } = attrs as unknown as { axis: number | number[]; keepDims: boolean };
  const r = x.shape.length;
  const axes = tf.util.parseAxisParam(axis, x.shape);
  const simd = x.dtype === 'float32' ? simdKernels(backend) : null;
  const allButLast = r >= 2 && axes.length === r - 1 && new Set(axes).size === r - 1 && axes.every((a) => a < r - 1);
  if (!simd || !allButLast) return originalWasmKernel('Sum')(args);
  const c = x.shape[r - 1]!;
  const out = backend.makeOutput(keepDims ? [...Array(r - 1).fill(1), c] : [c], 'float32');
  simd.sum_rows(heapOffset(backend, x), heapOffset(backend, out), tf.util.sizeFromShape(x.shape) / c, c);
  return out;
}

/**
 * `Add` for wasm where one side is a bias (float32, rank 1, the other's last
 * axis): one SIMD pass (simd/kernels.c `bias_add`). The package's
 * broadcasting add ran at under 1 GFLOP/s on a conv layer's [b, h, w, c] + [c].
 */
export function add(args: KernelArgs): tf.TensorInfo {
  const { backend } = args;
  const a = args.inputs.a as tf.TensorInfo;
  const b = args.inputs.b as tf.TensorInfo;
  const [x, bias] = b.shape.length === 1 ? [a, b] : [b, a];
  const c = bias.shape[0]!;
  const simd = a.dtype === 'float32' && b.dtype === 'float32' ? simdKernels(backend) : null;
  if (!simd || bias.shape.length !== 1 || x.shape.length < 2 || x.shape[x.shape.length - 1] !== c)
    return originalWasmKernel('Add')(args);
  const out = backend.makeOutput(x.shape, 'float32');
  simd.bias_add(
    heapOffset(backend, x),
    heapOffset(backend, bias),
    heapOffset(backend, out),
    tf.util.sizeFromShape(x.shape) / c,
    c,
  );
  return out;
}

/**
 * The fused binary cross-entropy (models/fused-kernels.ts): value and
 * gradient in one SIMD pass (simd/kernels.c `bce`). Outputs the sum
 * Σ x·log(yc) + (1 − x)·log(1 − yc) as a scalar and the gradient, shaped
 * like y.
 */
export function binaryCrossEntropy({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const y = inputs.y as tf.TensorInfo;
  const x = inputs.x as tf.TensorInfo;
  const { eps, scale } = attrs as unknown as BceAttrs;
  if (!tf.util.arraysEqual(x.shape, y.shape))
    throw new Error(`${BCE_KERNEL}: x ${x.shape} and y ${y.shape} differ in shape`);
  const simd = fusedSimd(backend, BCE_KERNEL);
  const grad = backend.makeOutput(y.shape, 'float32');
  const total = backend.makeOutput([], 'float32');
  const n = tf.util.sizeFromShape(y.shape);
  const value = simd.bce(heapOffset(backend, y), heapOffset(backend, x), heapOffset(backend, grad), n, eps, scale);
  (backend.typedArrayFromHeap(total) as Float32Array)[0] = value;
  return [total, grad];
}

/**
 * Our SIMD module for a fused kernel. They are registered only where it runs
 * and unregistered when it is turned off (index.ts), so it is always there;
 * the throw names the kernel should that ever break.
 */
function fusedSimd(backend: KernelArgs['backend'], name: string): SimdExports {
  const simd = simdKernels(backend);
  if (!simd) throw new Error(`${name} is registered but our SIMD kernels cannot run on this wasm backend`);
  return simd;
}

/** `RELU_GRAD_KERNEL` (models/fused-kernels.ts): dy where x > 0, else 0, in one pass. */
export function reluGrad({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const dy = inputs.dy as tf.TensorInfo;
  const x = inputs.x as tf.TensorInfo;
  if (!tf.util.arraysEqual(x.shape, dy.shape))
    throw new Error(`${RELU_GRAD_KERNEL}: x ${x.shape} and dy ${dy.shape} differ in shape`);
  const simd = fusedSimd(backend, RELU_GRAD_KERNEL);
  const out = backend.makeOutput(x.shape, 'float32');
  simd.relu_grad(
    heapOffset(backend, x),
    heapOffset(backend, dy),
    heapOffset(backend, out),
    tf.util.sizeFromShape(x.shape),
  );
  return out;
}
