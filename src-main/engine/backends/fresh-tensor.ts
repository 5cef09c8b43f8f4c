import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * A new float32 tensor of `shape` whose values `fill` writes from the values
 * of the float32 tensors `inputs`, for element loops done in JS (the
 * optimiser's update, training/adam.ts). On wasm the loop reads and writes
 * the backend's heap directly: no copy out, none back in, and no JS array
 * per call; a copy of each was 4 MB a step for the wide model's largest
 * layer, and the garbage collector's work on them cost more CPU than the
 * loop saved. Elsewhere the inputs come from `dataSync` and the output from
 * one fresh array. `fill` must not call TF.js (an allocation may move the
 * wasm heap under the views).
 */
export function freshTensor(
  shape: number[],
  inputs: tf.Tensor[],
  fill: (out: Float32Array, inputs: Float32Array[]) => void,
): tf.Tensor {
  for (const t of inputs)
    if (t.dtype !== 'float32') throw new Error(`freshTensor: inputs must be float32, got ${t.dtype}`);
  if (tf.getBackend() === 'wasm') {
    const backend = tf.backend() as BackendWasm;
    const info = backend.makeOutput(shape, 'float32');
    try {
      // Views taken after the allocation: a heap that grew would have detached views taken before it.
      const views = inputs.map((t) => backend.typedArrayFromHeap(t) as Float32Array);
      fill(backend.typedArrayFromHeap(info) as Float32Array, views);
    } catch (e) {
      backend.disposeData(info.dataId);
      throw e;
    }
    return tf.engine().makeTensorFromTensorInfo(info);
  }
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  fill(
    out,
    inputs.map((t) => t.dataSync() as Float32Array),
  );
  return tf.tensor(out, shape, 'float32');
}
