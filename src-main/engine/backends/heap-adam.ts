import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

import { heapOffset, type SimdExports, simdKernels } from './wasm-kernels/simd/index.js';

/** Adam's moments of one variable, kept in the wasm heap beside its weights. */
export interface HeapMoments {
  readonly backend: BackendWasm;
  readonly simd: SimdExports;
  readonly m: tf.TensorInfo;
  readonly v: tf.TensorInfo;
}

/** Hyper-parameters of one step, as training/adam.ts computes them. */
export interface AdamStep {
  b1: number;
  b2: number;
  /** rate / (1 − b1^t) */
  step: number;
  /** 1 / (1 − b2^t) */
  invC2: number;
  eps: number;
}

/**
 * Zeroed moments for a variable of n values in the wasm heap, where our SIMD
 * module runs there; null elsewhere (training/adam.ts then keeps them in JS).
 */
export function heapMoments(n: number): HeapMoments | null {
  if (tf.getBackend() !== 'wasm') return null;
  const backend = tf.backend() as BackendWasm;
  const simd = simdKernels(backend);
  if (!simd) return null;
  const m = backend.makeOutput([n], 'float32');
  const v = backend.makeOutput([n], 'float32');
  (backend.typedArrayFromHeap(m) as Float32Array).fill(0);
  (backend.typedArrayFromHeap(v) as Float32Array).fill(0);
  return { backend, simd, m, v };
}

/**
 * The variable's weights after one Adam step with this gradient, as a new
 * tensor, in one SIMD pass over the heap (simd/kernels.c `adam`); the
 * moments are updated in place.
 */
export function heapAdamStep(moments: HeapMoments, variable: tf.Variable, gradient: tf.Tensor, p: AdamStep): tf.Tensor {
  const { backend, simd, m, v } = moments;
  if (tf.backend() !== backend) throw new Error('Adam: the backend changed during training');
  const out = backend.makeOutput(variable.shape, 'float32');
  simd.adam(
    heapOffset(backend, variable),
    heapOffset(backend, gradient),
    heapOffset(backend, m),
    heapOffset(backend, v),
    heapOffset(backend, out),
    variable.size,
    p.b1,
    p.b2,
    p.step,
    p.invC2,
    p.eps,
  );
  return tf.engine().makeTensorFromTensorInfo(out);
}

/** Frees the moments. */
export function disposeHeapMoments(moments: HeapMoments): void {
  moments.backend.disposeData(moments.m.dataId);
  moments.backend.disposeData(moments.v.dataId);
}
