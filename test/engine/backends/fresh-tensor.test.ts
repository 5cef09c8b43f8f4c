import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { freshTensor } from '../../../src-main/engine/backends/fresh-tensor.js';
import { selectBackend } from '../../../src-main/engine/backends/select.js';

beforeAll(async () => {
  expect((await selectBackend('wasm')).name).toBe('wasm');
});

describe('freshTensor', () => {
  for (const backend of ['wasm', 'cpu'])
    it(`hands the inputs' values to the loop and makes a tensor of what it writes, on ${backend}`, () => {
      tf.setBackend(backend);
      const a = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
      const b = tf.tensor2d([10, 20, 30, 40, 50, 60], [2, 3]);
      const before = tf.memory().numTensors;
      const c = freshTensor([3, 2], [a, b], (out, [x, y]) => {
        for (let i = 0; i < out.length; i++) out[i] = x![i]! * y![i]!;
      });
      expect(c.shape).toEqual([3, 2]);
      expect(Array.from(c.dataSync())).toEqual([10, 40, 90, 160, 250, 360]);
      // The inputs are untouched.
      expect(Array.from(a.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
      expect(tf.memory().numTensors).toBe(before + 1);
      tf.dispose([a, b, c]);
      tf.setBackend('wasm');
    });

  it('frees the output when the loop throws, and refuses inputs that are not float32', () => {
    const a = tf.ones([4]);
    // The backend's own count: the wasm output is allocated there before TF.js's engine knows of it.
    const before = tf.backend().numDataIds();
    expect(() =>
      freshTensor([4], [a], () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(tf.backend().numDataIds()).toBe(before);
    const i = tf.tensor1d([1, 2], 'int32');
    expect(() => freshTensor([2], [i], () => {})).toThrow('freshTensor: inputs must be float32, got int32');
    tf.dispose([a, i]);
  });
});
