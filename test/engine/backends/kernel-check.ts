/** Shared checks of the wasm kernel tests: each kernel against the cpu backend. */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';

/** A seeded uniform [-1, 1) source, so a failure can be replayed. */
export function random(seed: number): (n: number) => Float32Array {
  let s = seed >>> 0;
  return (n) => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      out[i] = s / 2 ** 31 - 1;
    }
    return out;
  };
}

export type Inputs = Record<string, { values: Float32Array; shape: number[] }>;

/** Runs one kernel on a backend with fresh tensors; returns its values and shape. */
export function run(backend: string, kernel: string, inputs: Inputs, attrs: tf.NamedAttrMap) {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const ts: tf.NamedTensorMap = {};
    for (const [k, v] of Object.entries(inputs)) ts[k] = tf.tensor(v.values, v.shape);
    const out = tf.engine().runKernel(kernel, ts, attrs) as tf.Tensor;
    return { values: out.dataSync() as Float32Array, shape: out.shape };
  });
}

/** Compares wasm (with our kernels) against cpu: same shape, max error ≤ 1e-4 of the largest value. */
export function expectMatchesCpu(kernel: string, inputs: Inputs, attrs: tf.NamedAttrMap): void {
  const ref = run('cpu', kernel, inputs, attrs);
  const before = tf.memory().numTensors;
  const got = run('wasm', kernel, inputs, attrs);
  expect(tf.memory().numTensors).toBe(before);
  tf.setBackend('wasm');
  expect(got.shape).toEqual(ref.shape);
  let scale = 0;
  let err = 0;
  for (let i = 0; i < ref.values.length; i++) {
    scale = Math.max(scale, Math.abs(ref.values[i]!));
    err = Math.max(err, Math.abs(ref.values[i]! - got.values[i]!));
  }
  expect(scale).toBeGreaterThan(0);
  expect(err / scale).toBeLessThan(1e-4);
}
