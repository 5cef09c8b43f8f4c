import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { selectBackend } from '../../../src-main/engine/backends/select.js';
import { loadMnist } from '../../../src-main/engine/datasets/mnist.js';
import type { Dataset } from '../../../src-main/engine/datasets/types.js';
import { modelWeights, restoreModel } from '../../../src-main/engine/export/session-model.js';
import { batchTensor } from '../../../src-main/engine/training/batches.js';
import { trainAutoencoder, type TrainedAutoencoder } from '../../../src-main/engine/training/train.js';
import { MODEL_KINDS, type ModelKind } from '../../../src-main/protocol.js';

let ds: Dataset;
/** 500 images after the 2,000 trained on: the baseline comparison is on images no model has seen. */
let heldOut: Dataset;
/** The first 256 images, for the runs that only need a model to exist. */
let small: Dataset;
let baseline: number;
beforeAll(async () => {
  await selectBackend();
  const all = await loadMnist(2500);
  const slice = (from: number, to: number): Dataset => ({
    ...all,
    n: to - from,
    pixels: all.pixels.subarray(from * 784, to * 784),
    labels: all.labels.subarray(from, to),
  });
  ds = slice(0, 2000);
  heldOut = slice(2000, 2500);
  small = slice(0, 256);
  // Per-pixel BCE on the held-out images of always predicting the training
  // images' mean: what any model must beat.
  baseline = tf.tidy(() => {
    const flat = (d: Dataset) =>
      batchTensor(
        d,
        Int32Array.from({ length: d.n }, (_, i) => i),
        [d.height * d.width],
      );
    const m = flat(ds)
      .mean(0, true)
      .clipByValue(1e-7, 1 - 1e-7);
    const x = flat(heldOut);
    return x
      .mul(m.log())
      .add(tf.scalar(1).sub(x).mul(tf.scalar(1).sub(m).log()))
      .neg()
      .mean()
      .dataSync()[0]!;
  });
});

/** Mean per-pixel BCE of the model's reconstructions of the held-out images. */
async function meanError(model: TrainedAutoencoder): Promise<number> {
  const e = await model.reconstructionErrors(heldOut);
  return e.reduce((a, b) => a + b, 0) / e.length;
}

/** Short runs that still get every kind below the mean-image baseline on 2,000 images. */
const SHORT: Record<ModelKind, { epochs: number; batchSize: number; learningRate?: number }> = {
  simple: { epochs: 4, batchSize: 32 },
  sparse: { epochs: 4, batchSize: 32 },
  deep: { epochs: 4, batchSize: 32 },
  conv: { epochs: 2, batchSize: 32, learningRate: 3e-3 },
  denoising: { epochs: 1, batchSize: 50, learningRate: 3e-3 },
  seq2seq: { epochs: 2, batchSize: 32, learningRate: 5e-3 },
  vae: { epochs: 4, batchSize: 32 },
  wide: { epochs: 3, batchSize: 32 },
};

describe('training every kind', () => {
  for (const kind of MODEL_KINDS)
    it(`trains the ${kind} model on 2,000 images: the loss falls and it beats the mean image on held-out images`, async () => {
      const before = tf.memory().numTensors;
      const losses: number[] = [];
      const { model, epochs } = await trainAutoencoder(
        ds,
        { model: kind, validationSplit: 0.1, seed: 1, ...SHORT[kind] },
        { onBatch: (p) => losses.push(p.loss) },
      );
      expect(epochs.length).toBe(SHORT[kind].epochs);
      expect(epochs.every((e) => Number.isFinite(e.loss) && Number.isFinite(e.valLoss))).toBe(true);
      expect(losses.at(-1)!).toBeLessThan(losses[0]!);
      expect(await meanError(model)).toBeLessThan(baseline);
      model.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }, 180_000);
});

describe('trainAutoencoder', () => {
  it('repeats a run exactly with the same seed (VAE: sampling is seeded too)', async () => {
    const run = async (seed: number) => {
      const r = await trainAutoencoder(ds, { model: 'vae', epochs: 1, batchSize: 200, seed, validationSplit: 0.1 });
      r.model.dispose();
      return r.epochs.map((e) => [e.loss, e.valLoss]);
    };
    const a = await run(4);
    expect(await run(4)).toEqual(a);
    expect(await run(5)).not.toEqual(a);
  });

  it('stops early when the validation loss stops improving', async () => {
    const r = await trainAutoencoder(
      ds,
      { model: 'simple', epochs: 30, batchSize: 500, learningRate: 50, validationSplit: 0.2 },
      { patience: 2 },
    );
    expect(r.stoppedEarly).toBe(true);
    expect(r.epochs.length).toBeLessThan(30);
    r.model.dispose();
  });

  it('stops within one second when cancelled, leaving a usable conv model', async () => {
    const controller = new AbortController();
    let abortedAt = 0;
    const result = await trainAutoencoder(
      small,
      { model: 'conv', epochs: 5, batchSize: 64 },
      {
        signal: controller.signal,
        onBatch: (p) => {
          if (p.batch === 2) {
            abortedAt = performance.now();
            controller.abort();
          }
        },
      },
    );
    expect(performance.now() - abortedAt).toBeLessThan(1000);
    expect(result.cancelled).toBe(true);
    const codes = await result.model.encode(ds, Int32Array.of(0, 1, 2));
    expect(codes.length).toBe(3 * 128);
    expect(codes.every(Number.isFinite)).toBe(true);
    result.model.dispose();
  });

  it('gives sparse codes a clearly lower mean activation than simple ones', async () => {
    const activation = async (kind: ModelKind) => {
      const r = await trainAutoencoder(ds, { model: kind, epochs: 5, batchSize: 32, seed: 3, validationSplit: 0 });
      const codes = await r.model.encode(ds);
      r.model.dispose();
      return codes.reduce((a, b) => a + b, 0) / codes.length;
    };
    const simple = await activation('simple');
    const sparse = await activation('sparse');
    expect(sparse).toBeLessThan(simple * 0.8);
  });
});

describe('a failed training run', () => {
  it('frees its model and optimiser state and rethrows', async () => {
    const before = tf.memory().numTensors;
    const hooks = {
      onBatch: () => {
        throw new Error('out of memory (simulated)');
      },
    };
    await expect(trainAutoencoder(small, { model: 'deep', epochs: 2, batchSize: 64 }, hooks)).rejects.toThrow(
      /simulated/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('model weights in sessions', () => {
  for (const kind of ['conv', 'vae'] as const)
    it(`gives identical reconstructions after modelWeights → restoreModel (${kind})`, async () => {
      const params = { model: kind, epochs: 1, batchSize: 64, validationSplit: 0 };
      const { model } = await trainAutoencoder(small, params);
      const idx = Int32Array.of(0, 5, 17);
      const before = await model.reconstruct(ds, idx);
      const codes = await model.encode(ds, idx);
      const stored = {
        kind,
        codeSize: model.codeSize,
        params,
        epochs: [],
        meanError: 0,
        weights: await modelWeights(model),
      };
      const restored = restoreModel(stored, small);
      expect(restored.kind).toBe(kind);
      expect(restored.codeSize).toBe(model.codeSize);
      expect(await restored.reconstruct(ds, idx)).toEqual(before);
      expect(await restored.encode(ds, idx)).toEqual(codes);
      model.dispose();
      restored.dispose();
    });

  it('refuses weights that do not fit the model, naming the weight and both shapes', async () => {
    const params = { model: 'simple' as const, epochs: 1, codeSize: 4, validationSplit: 0 };
    const { model } = await trainAutoencoder(small, params);
    const weights = await modelWeights(model);
    model.dispose();
    const before = tf.memory().numTensors;
    weights[0] = { shape: [3, 3], data: new Float32Array(9) };
    const stored = { kind: 'simple' as const, codeSize: 4, params, epochs: [], meanError: 0, weights };
    expect(() => restoreModel(stored, small)).toThrow(
      /weight 0 of the stored simple model has shape \[3,3\], this version's model expects \[/,
    );
    // The model it built to check against is freed again.
    expect(tf.memory().numTensors).toBe(before);
  });
});
