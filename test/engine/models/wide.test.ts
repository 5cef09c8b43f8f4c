import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { selectBackend } from '../../../src-main/engine/backends/select.js';
import { loadMnist } from '../../../src-main/engine/datasets/mnist.js';
import type { Dataset } from '../../../src-main/engine/datasets/types.js';
import { knnAccuracy } from '../../../src-main/engine/metrics/index.js';
import { meanBce } from '../../../src-main/engine/models/common.js';
import type { Autoencoder } from '../../../src-main/engine/models/index.js';
import { buildWide, WIDE_SKIP } from '../../../src-main/engine/models/wide.js';
import { fitPca, projectPca } from '../../../src-main/engine/projection/pca.js';
import { batchArray } from '../../../src-main/engine/training/batches.js';
import { initSampleRows, trainAutoencoder } from '../../../src-main/engine/training/train.js';

let ds: Dataset;
beforeAll(async () => {
  await selectBackend();
  ds = await loadMnist(600);
});

function dispose(m: Autoencoder): void {
  for (const model of [m.autoencoder, m.encoder, m.decoder])
    try {
      model.dispose();
    } catch {
      // shared layers already released
    }
}

const all = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

describe('wide starts from PCA (issue 13)', () => {
  it('initialise makes the untrained code the principal coordinates of the sample', () => {
    const m = buildWide({ height: 28, width: 28, channels: 1, seed: 5, codeSize: 8 });
    const sample = batchArray(ds, all(500));
    const tensors = tf.memory().numTensors;
    m.initialise!(sample, 500);
    // It replaces the weights' values in place and keeps nothing else.
    expect(tf.memory().numTensors).toBe(tensors);
    const codes = tf.tidy(() => (m.encoder.predict(tf.tensor2d(sample, [500, 784])) as tf.Tensor).dataSync());
    const pcs = projectPca(fitPca(sample, 500, 784, 8, 5), sample, 500);
    let err = 0;
    let ref = 0;
    for (let t = 0; t < pcs.length; t++) {
      err += (codes[t]! - pcs[t]!) ** 2;
      ref += pcs[t]! ** 2;
    }
    expect(Math.sqrt(err / ref)).toBeLessThan(1e-4);
    dispose(m);
  });

  it('initialise also fits the decoder’s linear path: the untrained model reconstructs about as PCA does', () => {
    const m = buildWide({ height: 28, width: 28, channels: 1, seed: 5, codeSize: 16 });
    const sample = batchArray(ds, all(500));
    const x = tf.tensor2d(sample, [500, 784]);
    const bce = () => tf.tidy(() => meanBce(x, m.autoencoder.predict(x) as tf.Tensor).dataSync()[0]!);
    const before = bce();
    m.initialise!(sample, 500);
    const after = bce();
    // Random weights give sigmoid(≈0) = 0.5 everywhere, BCE ≈ 0.69; PCA-16 through the logits about 0.14.
    expect(before).toBeGreaterThan(0.6);
    expect(after).toBeLessThan(0.2);
    x.dispose();
    dispose(m);
  });

  it('leaves the code columns a tiny sample cannot give at zero, and refuses a sample of the wrong size', () => {
    const m = buildWide({ height: 28, width: 28, channels: 1, seed: 5, codeSize: 8 });
    const sample = batchArray(ds, all(4));
    m.initialise!(sample, 4);
    const [kernel, bias] = m.encoder
      .getLayer(WIDE_SKIP)
      .getWeights()
      .map((w) => w.arraySync()) as [number[][], number[]];
    // 4 images span 3 directions around their mean.
    expect(kernel.every((row) => row.slice(3).every((v) => v === 0))).toBe(true);
    expect(kernel.some((row) => row[2] !== 0)).toBe(true);
    expect(bias.slice(3)).toEqual([0, 0, 0, 0, 0]);
    expect(() => m.initialise!(sample, 5)).toThrow(/wide: PCA sample has 3136 values, expected 5×784/);
    dispose(m);
  });

  it('fits on at most 5,000 training images, fewer for large images, and never on fewer than 2', () => {
    expect(initSampleRows(784, 63_000)).toBe(5000);
    expect(initSampleRows(784, 900)).toBe(900);
    expect(initSampleRows(64 * 64 * 3, 63_000)).toBe(325);
    expect(initSampleRows(1e8, 10)).toBe(2);
  });

  it('training calls it: one epoch on 600 images gives codes whose 1-NN agrees with the labels as well as PCA’s', async () => {
    const r = await trainAutoencoder(ds, { model: 'wide', epochs: 1, seed: 2, codeSize: 16 });
    const codes = await r.model.encode(ds);
    const pixels = batchArray(ds, all(ds.n));
    const pcs = projectPca(fitPca(pixels, ds.n, 784, 16, 2), pixels, ds.n);
    // Leave-one-out 1-NN accuracy in each space, with the metric the app reports.
    const nn1 = (x: Float32Array, d: number) => knnAccuracy(x, ds.n, d, ds.labels!, 1);
    // From random weights one epoch of 9 steps leaves codes near chance; from PCA they start where PCA is.
    expect(nn1(codes, 16)).toBeGreaterThan(nn1(pcs, 16) - 0.03);
    r.model.dispose();
  });
});
