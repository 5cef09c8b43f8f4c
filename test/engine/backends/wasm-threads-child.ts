/**
 * Run by wasm-threads.test.ts in a process of its own (the backend is chosen
 * once per process): starts the wasm backend as AE_WASM_THREADS says,
 * multiplies two matrices on it and on cpu, and prints one JSON line.
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';

import { selectBackend } from '../../../src-main/engine/backends/select.js';
import { simdKernels } from '../../../src-main/engine/backends/wasm-kernels/simd/index.js';

const choice = await selectBackend('wasm');
const simd = simdKernels(tf.backend() as Parameters<typeof simdKernels>[0]) !== null;
// A SIMD kernel (the filter gradient) and the fused BCE with its gradient on the shared memory, against cpu below.
const x = tf.randomUniform([3, 9, 8, 16], -1, 1, 'float32', 3);
const dy = tf.randomUniform([3, 9, 8, 1], -1, 1, 'float32', 4);
const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 16, 1] };
const filterGrad = () => (tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs) as tf.Tensor).dataSync();
const wasmFilter = Array.from(filterGrad());
const [xv, dyv] = [x.dataSync(), dy.dataSync()];
const a = tf.randomUniform([67, 784], -1, 1, 'float32', 1);
const b = tf.randomUniform([784, 130], -1, 1, 'float32', 2);
const threaded = Array.from(tf.matMul(a, b).dataSync());
const [av, bv] = [a.dataSync(), b.dataSync()];
await tf.setBackend('cpu');
const plain = tf.matMul(tf.tensor(av, a.shape), tf.tensor(bv, b.shape)).dataSync();
const cpuFilter = (
  tf
    .engine()
    .runKernel('Conv2DBackpropFilter', { x: tf.tensor(xv, x.shape), dy: tf.tensor(dyv, dy.shape) }, attrs) as tf.Tensor
).dataSync();
const filterScale = Math.max(...Array.from(cpuFilter, Math.abs));
const filterWorst = Math.max(...wasmFilter.map((v, i) => Math.abs(v - cpuFilter[i]!))) / filterScale;
// Relative to the largest entry: sums of 784 signed products cancel, so entries near 0 carry no relative precision.
const scale = Math.max(...Array.from(plain, Math.abs));
const worst = Math.max(...threaded.map((x, i) => Math.abs(x - plain[i]!))) / scale;
console.log(
  JSON.stringify({ name: choice.name, notes: choice.notes, threads: getThreadsCount(), worst, simd, filterWorst }),
);
