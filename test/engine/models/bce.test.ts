import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { selectBackend } from '../../../src-main/engine/backends/select.js';
import { bceElements, meanBce } from '../../../src-main/engine/models/common.js';

beforeAll(async () => {
  expect((await selectBackend('wasm')).name).toBe('wasm');
});

/** Targets and predictions as a sigmoid decoder gives them, including values the clip stops (0, 1 and < 1e-7). */
function inputs(): { x: tf.Tensor; y: tf.Tensor } {
  const x = tf.randomUniform([6, 50], 0, 1, 'float32', 11);
  const edges = [0, 1, 1e-9, 1 - 1e-9, 1e-7, 0.5];
  const y = tf.tidy(() =>
    tf.concat([tf.tensor2d(edges, [6, 1]), tf.randomUniform([6, 49], 0, 1, 'float32', 12).pow(3)], 1),
  );
  return { x, y };
}

describe('meanBce', () => {
  for (const backend of ['wasm', 'cpu'])
    it(`gives the value and gradient of mean(bceElements) on ${backend}, clipped predictions included (1e-4 relative)`, () => {
      tf.setBackend(backend);
      const { x, y } = inputs();
      const ours = tf.valueAndGrad((yy: tf.Tensor) => meanBce(x, yy))(y);
      const plain = tf.valueAndGrad((yy: tf.Tensor) => bceElements(x, yy).mean() as tf.Scalar)(y);
      const [v1, v2] = [ours.value.dataSync()[0]!, plain.value.dataSync()[0]!];
      expect(Math.abs(v1 - v2)).toBeLessThanOrEqual(1e-4 * Math.abs(v2));
      const [g1, g2] = [ours.grad.dataSync(), plain.grad.dataSync()];
      // The clip's own gradient is 0 for the first four columns' values (0, 1, 1e-9, 1 − 1e-9): ours must be too.
      for (let r = 0; r < 6; r++) if (r < 4) expect(Math.abs(g1[r * 50]!)).toBe(0);
      g1.forEach((g, i) => expect(Math.abs(g - g2[i]!)).toBeLessThanOrEqual(1e-4 * Math.abs(g2[i]!) + 1e-9));
      tf.dispose([x, y, ours.value, ours.grad, plain.value, plain.grad]);
      tf.setBackend('wasm');
    });

  it('leaves no tensors behind when its gradient is taken', () => {
    const { x, y } = inputs();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) tf.dispose(tf.tidy(() => tf.grad((yy: tf.Tensor) => meanBce(x, yy))(y)));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
  });
});
