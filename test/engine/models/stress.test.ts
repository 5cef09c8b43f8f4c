import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { selectBackend } from '../../../src-main/engine/backends/select.js';
import { distanceStress } from '../../../src-main/engine/models/common.js';
import { buildWide } from '../../../src-main/engine/models/wide.js';

beforeAll(async () => {
  await selectBackend();
});

/** Mean-scaled Sammon stress, written out in float64 over the pairs i ≠ j. */
function reference(z: number[][], x: number[][]): number {
  const b = z.length;
  const d = (r: number[][], i: number, j: number) =>
    Math.sqrt(r[i]!.reduce((s, v, t) => s + (v - r[j]![t]!) ** 2, 0) + 1e-6);
  let sx = 0;
  let sz = 0;
  for (let i = 0; i < b; i++)
    for (let j = 0; j < b; j++)
      if (i !== j) {
        sx += d(x, i, j);
        sz += d(z, i, j);
      }
  const pairs = b * (b - 1);
  let s = 0;
  for (let i = 0; i < b; i++)
    for (let j = 0; j < b; j++)
      if (i !== j) {
        const a = d(x, i, j) / (sx / pairs);
        const c = d(z, i, j) / (sz / pairs);
        s += (c - a) ** 2 / (a + 1e-6);
      }
  return s / pairs;
}

describe('distanceStress (wide model, issue 13)', () => {
  const x = [
    [0, 0, 0, 1],
    [1, 0, 0, 0],
    [0.5, 0.5, 0, 0],
    [0, 1, 1, 0],
    [0.2, 0.1, 0.9, 0.3],
  ];

  it('matches the formula written out', () => {
    const z = [
      [0.1, 2],
      [1, 0],
      [0.3, -1],
      [2, 2],
      [-1, 0.5],
    ];
    const got = distanceStress(tf.tensor2d(z), tf.tensor2d(x)).dataSync()[0]!;
    expect(got).toBeCloseTo(reference(z, x), 4);
    expect(got).toBeGreaterThan(0.01);
  });

  it('is ~0 for a code that is a scaled copy of the pixels, whatever the scale', () => {
    const z = x.map((r) => r.map((v) => 7 * v));
    expect(distanceStress(tf.tensor2d(z), tf.tensor2d(x)).dataSync()[0]!).toBeLessThan(1e-4);
  });

  it('has a finite gradient when the batch holds identical images and identical codes, and none for the pixels', () => {
    const xs = tf.tensor2d([x[0]!, x[0]!, x[1]!]);
    const zs = tf.tensor2d([
      [1, 1],
      [1, 1],
      [0, 3],
    ]);
    const g = tf.grad((z: tf.Tensor) => distanceStress(z, xs))(zs);
    for (const v of g.dataSync()) expect(Number.isFinite(v)).toBe(true);
    expect(distanceStress(tf.zeros([1, 2]), tf.zeros([1, 4])).dataSync()[0]).toBe(0);
  });

  it('is part of the wide model’s loss, and training lowers it', () => {
    const m = buildWide({ height: 2, width: 2, channels: 1, seed: 3, codeSize: 2 });
    const xb = tf.tensor2d(x);
    const bce = () => m.loss(xb).dataSync()[0]!;
    const opt = tf.train.adam(1e-2);
    const before = distanceStress(m.encoder.apply(xb) as tf.Tensor, xb).dataSync()[0]!;
    const lossBefore = bce();
    for (let s = 0; s < 60; s++) opt.minimize(() => m.loss(xb));
    const after = distanceStress(m.encoder.apply(xb) as tf.Tensor, xb).dataSync()[0]!;
    expect(bce()).toBeLessThan(lossBefore);
    expect(after).toBeLessThan(before);
  });
});
