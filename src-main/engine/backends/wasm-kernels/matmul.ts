import type * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

import { type KernelArgs, originalWasmKernel, swapLastTwo } from './util.js';

/**
 * Runs a matMul kernel (`BatchMatMul` or `_FusedMatMul`) with any transposes
 * done first by the wasm Transpose kernel, so the multiply itself always takes
 * XNNPACK's plain fast path. The wasm matMul handles `transposeA/B` with a
 * naive loop at ~1–2 GFLOP/s against ~20–30 for the plain case; a transpose is
 * a cheap memory pass, and every backward pass of a dense layer needs one.
 */
function withoutTransposes(name: 'BatchMatMul' | '_FusedMatMul') {
  return (args: KernelArgs): tf.TensorInfo => {
    const original = originalWasmKernel(name);
    const attrs = args.attrs ?? {};
    const { transposeA, transposeB } = attrs as { transposeA?: boolean; transposeB?: boolean };
    if (!transposeA && !transposeB) return original(args);
    const backend: BackendWasm = args.backend;
    const a = args.inputs.a as tf.TensorInfo;
    const b = args.inputs.b as tf.TensorInfo;
    const at = transposeA ? swapLastTwo(backend, a) : a;
    const bt = transposeB ? swapLastTwo(backend, b) : b;
    try {
      return original({
        inputs: { ...args.inputs, a: at, b: bt },
        backend,
        attrs: { ...attrs, transposeA: false, transposeB: false },
      });
    } finally {
      if (at !== a) backend.disposeData(at.dataId);
      if (bt !== b) backend.disposeData(bt.dataId);
    }
  };
}

/** `BatchMatMul` for wasm whose transposed forms run as fast as the plain one. */
export const batchMatMul = withoutTransposes('BatchMatMul');
/** `_FusedMatMul` (matMul + bias + activation) for wasm, same fast path. */
export const fusedMatMul = withoutTransposes('_FusedMatMul');
