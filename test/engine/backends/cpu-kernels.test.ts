import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { selectBackend } from '../../../src-main/engine/backends/select.js';

beforeAll(async () => {
  expect((await selectBackend('cpu')).name).toBe('cpu');
});

describe('ResizeNearestNeighborGrad on cpu', () => {
  it('gives every image of a batch the exact gradient of UpSampling2D', () => {
    tf.tidy(() => {
      const shape = [3, 4, 5, 2];
      const n = shape.reduce((a, b) => a * b, 1);
      const dy = tf.randomUniform([3, 8, 10, 2], -1, 1, 'float32', 11);
      // Exact: each dy value goes where the forward resize read it from.
      const src = tf.image.resizeNearestNeighbor(tf.range(0, n).reshape(shape) as tf.Tensor4D, [8, 10]).dataSync();
      const d = dy.dataSync();
      const exact = new Float32Array(n);
      src.forEach((from, i) => (exact[from]! += d[i]!));
      const grad = tf.grad((x: tf.Tensor) =>
        tf.image
          .resizeNearestNeighbor(x as tf.Tensor4D, [8, 10])
          .mul(dy)
          .sum(),
      );
      const got = grad(tf.zeros(shape)).dataSync();
      const err = Math.max(...Array.from(exact, (v, i) => Math.abs(v - got[i]!)));
      expect(err).toBeLessThan(1e-5);
    });
  });
});
