/**
 * Kernels a backend may register to speed a model's objective up. A model
 * never asks which backend runs: it asks whether the current one has the
 * kernel (`hasKernel`) and otherwise builds the same quantity from tensor
 * ops. backends/wasm-kernels registers them for wasm.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * Binary cross-entropy, value and gradient in one pass. Inputs `y`
 * (predictions) and `x` (targets), same shape. With yc = clip(y, eps, 1 − eps),
 * outputs [Σ x·log(yc) + (1 − x)·log(1 − yc) as a float32 scalar,
 * (yc − x) / (yc·(1 − yc)) · scale where the clip let y through, else 0].
 */
export const BCE_KERNEL = 'AeBinaryCrossEntropy';

/** Attributes of `BCE_KERNEL`. */
export interface BceAttrs {
  eps: number;
  scale: number;
}

/** True when the current backend registered the kernel. */
export function hasKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

/** Relu's gradient in one pass: inputs `dy` and `x`, output dy where x > 0, else 0. */
export const RELU_GRAD_KERNEL = 'AeReluGrad';

let gradientsSet = false;

/**
 * Makes Relu's gradient use `RELU_GRAD_KERNEL` where the backend has it
 * (one pass instead of tfjs-core's step, cast and multiply, each over the
 * whole activation); elsewhere it is tfjs-core's own. Once per process.
 */
export function registerFusedGradients(): void {
  if (gradientsSet) return;
  const original = tf.getGradient('Relu');
  if (!original) throw new Error('tfjs-core registered no gradient for Relu');
  tf.registerGradient({
    kernelName: 'Relu',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) =>
      hasKernel(RELU_GRAD_KERNEL)
        ? { x: () => tf.engine().runKernel(RELU_GRAD_KERNEL, { dy: dy as tf.Tensor, x: saved[0]! }) as tf.Tensor }
        : original.gradFunc(dy, saved, attrs),
  });
  gradientsSet = true;
}
