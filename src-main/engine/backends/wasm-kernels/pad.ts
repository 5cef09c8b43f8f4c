import * as tf from '@tensorflow/tfjs';

import { heapOffset, simdKernels } from './simd/index.js';
import { boxRuns, copyRuns } from './slice.js';
import { type KernelArgs, originalWasmKernel } from './util.js';

/**
 * `PadV2` for wasm (Cropping2D's backward pass pads its gradient back):
 * the output filled with the constant, then the input copied into it as
 * contiguous runs (simd/kernels.c `copy_strided`), instead of the package's
 * element-by-element loop. The package's kernel does what this does not
 * cover (other dtypes, more than three outer axes of runs).
 */
export function padV2(args: KernelArgs): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x as tf.TensorInfo;
  const { paddings, constantValue } = attrs as unknown as { paddings: [number, number][]; constantValue: number };
  const simd = x.dtype === 'float32' ? simdKernels(backend) : null;
  const outShape = x.shape.map((d, i) => paddings[i]![0] + d + paddings[i]![1]);
  // The input is the box at `before` of the output: the same runs, read packed and written strided.
  const plan =
    simd && x.shape.every((d) => d > 0)
      ? boxRuns(
          outShape,
          paddings.map((p) => p[0]),
          x.shape,
        )
      : null;
  if (!simd || !plan) return originalWasmKernel('PadV2')(args);
  const out = backend.makeOutput(outShape, 'float32');
  (backend.typedArrayFromHeap(out) as Float32Array).fill(constantValue);
  copyRuns(simd, heapOffset(backend, x), heapOffset(backend, out), plan, 'from packed');
  return out;
}
