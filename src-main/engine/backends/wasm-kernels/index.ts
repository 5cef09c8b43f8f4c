import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

import { BCE_KERNEL, registerFusedGradients, RELU_GRAD_KERNEL } from '../../models/fused-kernels.js';
import { conv2DBackpropFilter } from './conv2d-backprop-filter.js';
import { conv2DBackpropInput } from './conv2d-backprop-input.js';
import { conv2D, fusedConv2D } from './conv2d-one-filter.js';
import { add, binaryCrossEntropy, reluGrad, sum } from './fused.js';
import { identity } from './identity.js';
import { batchMatMul, fusedMatMul } from './matmul.js';
import { padV2 } from './pad.js';
import { maxPoolGrad, resizeNearestNeighbor, resizeNearestNeighborGrad } from './pool-grads.js';
import { setSimdEnabled, simdKernels } from './simd/index.js';
import { slice, splitV, unpack } from './slice.js';
import { setWasmKernel, type WasmKernelFunc } from './util.js';

/**
 * Our completions of tfjs-backend-wasm for training: kernels it lacks and
 * fast paths for kernels it runs slowly. Each is a small function with a
 * test against the `cpu` backend in test/engine/backends/.
 */
export const WASM_KERNELS: Readonly<Record<string, WasmKernelFunc>> = Object.freeze({
  BatchMatMul: batchMatMul,
  _FusedMatMul: fusedMatMul,
  Conv2D: conv2D,
  FusedConv2D: fusedConv2D,
  Conv2DBackpropFilter: conv2DBackpropFilter,
  Conv2DBackpropInput: conv2DBackpropInput,
  Identity: identity,
  MaxPoolGrad: maxPoolGrad,
  ResizeNearestNeighbor: resizeNearestNeighbor,
  ResizeNearestNeighborGrad: resizeNearestNeighborGrad,
  Slice: slice,
  Unpack: unpack as unknown as WasmKernelFunc,
  SplitV: splitV as unknown as WasmKernelFunc,
  Sum: sum,
  Add: add,
  PadV2: padV2,
});

/**
 * Kernels with no counterpart in the package, registered only where our SIMD
 * module runs (they have no TypeScript path: a loop in TypeScript was slower
 * than the tensor ops): a model takes its tensor-op path where they are
 * absent (models/fused-kernels.ts).
 */
export const FUSED_WASM_KERNELS: Readonly<Record<string, WasmKernelFunc>> = Object.freeze({
  [BCE_KERNEL]: binaryCrossEntropy as unknown as WasmKernelFunc,
  [RELU_GRAD_KERNEL]: reluGrad,
});

function setFused(on: boolean): void {
  for (const [name, fn] of Object.entries(FUSED_WASM_KERNELS)) {
    const there = tf.getKernel(name, 'wasm') !== undefined;
    if (on && !there) setWasmKernel(name, fn);
    if (!on && there) tf.unregisterKernel(name, 'wasm');
  }
}

/**
 * Turns our SIMD kernels off or on (for before/after benchmarks and tests):
 * off, every kernel takes its TypeScript or XNNPACK path and the fused
 * kernels are unregistered, as before they existed.
 */
export function setSimdKernels(on: boolean): void {
  setSimdEnabled(on);
  setFused(on && simdKernels(tf.backend() as BackendWasm) !== null);
}

let registered = false;

/**
 * Registers `WASM_KERNELS` for the wasm backend, once per process. Call it
 * after the wasm backend has initialised (its own kernels must be set up so
 * ours can delegate to them).
 */
export function registerWasmKernels(): void {
  if (registered) return;
  for (const [name, fn] of Object.entries(WASM_KERNELS)) setWasmKernel(name, fn);
  setFused(simdKernels(tf.backend() as BackendWasm) !== null);
  registerFusedGradients();
  registered = true;
}
