import * as tf from '@tensorflow/tfjs';

import { resizeNearestGradInto } from './wasm-kernels/pool-grads.js';

/** The slice of tfjs-backend-cpu's backend that a kernel needs. */
interface CpuBackend {
  data: { get(dataId: object): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

/**
 * `ResizeNearestNeighborGrad` for cpu. tfjs-backend-cpu 4.22's own kernel
 * gives every image after the first in a batch the wrong gradient (checked
 * against the forward resize in test/engine/backends/), so the conv models'
 * UpSampling2D layers would learn wrongly on the cpu fallback.
 */
function resizeNearestNeighborGradCpu(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const backend = args.backend as CpuBackend;
  const images = args.inputs.images as tf.TensorInfo;
  const dy = args.inputs.dy as tf.TensorInfo;
  const { alignCorners, halfPixelCenters } = args.attrs as { alignCorners: boolean; halfPixelCenters: boolean };
  const dx = new Float32Array(images.shape.reduce((a, b) => a * b, 1));
  const values = backend.data.get(dy.dataId).values as Float32Array;
  resizeNearestGradInto(values, dx, images.shape, dy.shape, alignCorners, halfPixelCenters);
  return backend.makeTensorInfo(images.shape, 'float32', dx);
}

let registered = false;

/** Replaces cpu kernels that are wrong in this tfjs version, once per process. */
export function registerCpuKernels(): void {
  if (registered) return;
  if (tf.getKernel('ResizeNearestNeighborGrad', 'cpu')) tf.unregisterKernel('ResizeNearestNeighborGrad', 'cpu');
  tf.registerKernel({
    kernelName: 'ResizeNearestNeighborGrad',
    backendName: 'cpu',
    kernelFunc: resizeNearestNeighborGradCpu as unknown as tf.KernelFunc,
  });
  registered = true;
}
