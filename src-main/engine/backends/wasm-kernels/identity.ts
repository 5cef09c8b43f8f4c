import type * as tf from '@tensorflow/tfjs';

import { type KernelArgs, originalWasmKernel } from './util.js';

/**
 * `Identity` for wasm without a copy. tfjs-core clones every tensor it keeps
 * for the backward pass through this kernel (65 per conv training step,
 * 4% of the time), and the package copies the data each time; tensors are
 * immutable (variables take new data on assign, they are never written in
 * place), so sharing the data with one more reference is safe — as the cpu
 * backend's Identity and the wasm Reshape already do.
 */
export function identity(args: KernelArgs): tf.TensorInfo {
  const x = args.inputs.x as tf.TensorInfo;
  if (x.dtype === 'string') return originalWasmKernel('Identity')(args);
  args.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}
