import * as tf from '@tensorflow/tfjs';

import { BCE_KERNEL, type BceAttrs, RELU_GRAD_KERNEL } from '../../models/fused-kernels.js';
import { heapOffset, simdKernels } from './simd/index.js';
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
 * like y. Registered only where the SIMD module runs (see index.ts).
 */
export function binaryCrossEntropy({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const y = inputs.y as tf.TensorInfo;
  const x = inputs.x as tf.TensorInfo;
  const { eps, scale } = attrs as unknown as BceAttrs;
  if (!tf.util.arraysEqual(x.shape, y.shape))
    throw new Error(`${BCE_KERNEL}: x ${x.shape} and y ${y.shape} differ in shape`);
  const grad = backend.makeOutput(y.shape, 'float32');
  const total = backend.makeOutput([], 'float32');
  const n = tf.util.sizeFromShape(y.shape);
  const simd = simdKernels(backend);
  const value = simd
    ? simd.bce(heapOffset(backend, y), heapOffset(backend, x), heapOffset(backend, grad), n, eps, scale)
    : bceInto(
        backend.typedArrayFromHeap(y) as Float32Array,
        backend.typedArrayFromHeap(x) as Float32Array,
        backend.typedArrayFromHeap(grad) as Float32Array,
        eps,
        scale,
      );
  (backend.typedArrayFromHeap(total) as Float32Array)[0] = value;
  return [total, grad];
}

/** The same pass in TypeScript, where the SIMD module cannot run (a threaded build, AE_SIMD_KERNELS=0). */
function bceInto(y: Float32Array, x: Float32Array, grad: Float32Array, eps: number, scale: number): number {
  const lo = Math.fround(eps);
  const hi = Math.fround(1 - eps);
  let total = 0;
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    const yc = v < lo ? lo : v > hi ? hi : v;
    const rest = Math.fround(1 - yc);
    const lr = Math.log(rest);
    total += lr + x[i]! * (Math.log(yc) - lr);
    grad[i] = yc === v ? ((yc - x[i]!) / (yc * rest)) * scale : 0;
  }
  return total;
}

/** `RELU_GRAD_KERNEL` (models/fused-kernels.ts): dy where x > 0, else 0, in one pass. */
export function reluGrad({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const dy = inputs.dy as tf.TensorInfo;
  const x = inputs.x as tf.TensorInfo;
  if (!tf.util.arraysEqual(x.shape, dy.shape))
    throw new Error(`${RELU_GRAD_KERNEL}: x ${x.shape} and dy ${dy.shape} differ in shape`);
  const out = backend.makeOutput(x.shape, 'float32');
  const n = tf.util.sizeFromShape(x.shape);
  const simd = simdKernels(backend);
  if (simd) simd.relu_grad(heapOffset(backend, x), heapOffset(backend, dy), heapOffset(backend, out), n);
  else {
    const X = backend.typedArrayFromHeap(x) as Float32Array;
    const DY = backend.typedArrayFromHeap(dy) as Float32Array;
    const DX = backend.typedArrayFromHeap(out) as Float32Array;
    for (let i = 0; i < n; i++) DX[i] = X[i]! > 0 ? DY[i]! : 0;
  }
  return out;
}
