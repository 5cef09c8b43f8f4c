import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** The arguments every kernel function receives from the engine. */
export interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: BackendWasm;
  attrs?: tf.NamedAttrMap;
}

/** A wasm kernel function, typed for our use (the registry's type is looser). */
export type WasmKernelFunc = (args: KernelArgs) => tf.TensorInfo;

const originals = new Map<string, WasmKernelFunc>();

/**
 * The kernel that tfjs-backend-wasm itself registered under `name`, captured
 * before we replace it, so a fast path can fall back to it (or call it for the
 * plain case). Throws if wasm never registered one.
 */
export function originalWasmKernel(name: string): WasmKernelFunc {
  let fn = originals.get(name);
  if (!fn) {
    const cfg = tf.getKernel(name, 'wasm');
    if (!cfg) throw new Error(`wasm has no kernel ${name} to extend`);
    fn = cfg.kernelFunc as unknown as WasmKernelFunc;
    originals.set(name, fn);
  }
  return fn;
}

/**
 * Registers (or replaces) a wasm kernel, keeping the original for
 * `originalWasmKernel`. The original's setup (binding its wasm functions to a
 * backend instance's module) stays with the name, so a restarted backend
 * (backends/health.ts) binds the originals our kernels call to its new module.
 */
export function setWasmKernel(name: string, fn: WasmKernelFunc): void {
  const original = tf.getKernel(name, 'wasm');
  if (original) {
    originalWasmKernel(name);
    tf.unregisterKernel(name, 'wasm');
  }
  tf.registerKernel({
    kernelName: name,
    backendName: 'wasm',
    kernelFunc: fn as unknown as tf.KernelFunc,
    ...(original?.setupFunc ? { setupFunc: original.setupFunc } : {}),
    ...(original?.disposeFunc ? { disposeFunc: original.disposeFunc } : {}),
  });
}

/** Calls the wasm Transpose kernel; the caller disposes the result with `backend.disposeData`. */
export function wasmTranspose(backend: BackendWasm, x: tf.TensorInfo, perm: number[]): tf.TensorInfo {
  return originalWasmKernel('Transpose')({ inputs: { x }, backend, attrs: { perm } });
}

/** Swaps the last two axes of a tensor (the batch axes stay). */
export function swapLastTwo(backend: BackendWasm, x: tf.TensorInfo): tf.TensorInfo {
  const r = x.shape.length;
  const perm = [...Array(r).keys()];
  [perm[r - 2], perm[r - 1]] = [perm[r - 1]!, perm[r - 2]!];
  return wasmTranspose(backend, x, perm);
}
