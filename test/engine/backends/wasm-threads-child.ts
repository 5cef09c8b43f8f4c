/**
 * Run by wasm-threads.test.ts in a process of its own (the backend is chosen
 * once per process): starts the wasm backend as AE_WASM_THREADS says,
 * multiplies two matrices on it and on cpu, and prints one JSON line.
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';

import { selectBackend } from '../../../src-main/engine/backends/select.js';

const choice = await selectBackend('wasm');
const a = tf.randomUniform([67, 784], -1, 1, 'float32', 1);
const b = tf.randomUniform([784, 130], -1, 1, 'float32', 2);
const threaded = Array.from(tf.matMul(a, b).dataSync());
const [av, bv] = [a.dataSync(), b.dataSync()];
await tf.setBackend('cpu');
const plain = tf.matMul(tf.tensor(av, a.shape), tf.tensor(bv, b.shape)).dataSync();
// Relative to the largest entry: sums of 784 signed products cancel, so entries near 0 carry no relative precision.
const scale = Math.max(...Array.from(plain, Math.abs));
const worst = Math.max(...threaded.map((x, i) => Math.abs(x - plain[i]!))) / scale;
console.log(JSON.stringify({ name: choice.name, notes: choice.notes, threads: getThreadsCount(), worst }));
