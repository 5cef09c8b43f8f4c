import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { selectBackend } from '../../../src-main/engine/backends/select.js';
import { loadMnist } from '../../../src-main/engine/datasets/mnist.js';
import type { Dataset } from '../../../src-main/engine/datasets/types.js';
import { autoBatchSize } from '../../../src-main/engine/training/batches.js';
import { trainAutoencoder } from '../../../src-main/engine/training/train.js';
import { MODEL_KINDS } from '../../../src-main/protocol.js';

let ds: Dataset;
beforeAll(async () => {
  await selectBackend();
  ds = await loadMnist(512);
});

describe('trainAutoencoder', () => {
  it('lowers the loss of the deep fully-connected model over a few epochs', async () => {
    const epochs: number[] = [];
    const { model, epochs: history } = await trainAutoencoder(
      ds,
      { model: 'deep', epochs: 4, batchSize: 64, validationSplit: 0.1 },
      { onEpoch: (l) => epochs.push(l.loss) },
    );
    expect(history).toHaveLength(4);
    expect(history[3].loss).toBeLessThan(history[0].loss * 0.9);
    expect(history[3].valLoss).toBeGreaterThan(0);
    const codes = await model.encode(ds);
    expect(codes.length).toBe(ds.n * 32);
    expect(codes.every(Number.isFinite)).toBe(true);
    const errors = await model.reconstructionErrors(ds);
    expect(errors.length).toBe(ds.n);
    expect(errors.every((e) => e > 0 && e < 1)).toBe(true);
    model.dispose();
  });

  it('stops after the current batch when cancelled and still returns a usable model', async () => {
    const controller = new AbortController();
    let batches = 0;
    const t0 = performance.now();
    const result = await trainAutoencoder(
      ds,
      { model: 'deep', epochs: 50, batchSize: 32 },
      {
        signal: controller.signal,
        onBatch: () => {
          if (++batches === 3) controller.abort();
        },
      },
    );
    expect(result.cancelled).toBe(true);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(batches).toBe(3);
    const codes = await result.model.encode(ds, Int32Array.of(0, 1));
    expect(codes.length).toBe(2 * 32);
    result.model.dispose();
  });

  for (const kind of MODEL_KINDS)
    it(`keeps tf.memory().numTensors flat from step to step (${kind}, one thread)`, async () => {
      const small = { ...ds, n: 256 };
      const counts: number[] = [];
      const { model } = await trainAutoencoder(
        small,
        { model: kind, epochs: 1, batchSize: 64, validationSplit: 0 },
        { threads: 1, onBatch: () => counts.push(tf.memory().numTensors) },
      );
      expect(counts).toHaveLength(4);
      expect(new Set(counts).size).toBe(1);
      model.dispose();
    });

  it('does not leak tensors across training', async () => {
    const before = tf.memory().numTensors;
    const { model } = await trainAutoencoder(ds, { model: 'deep', epochs: 1, batchSize: 128 });
    await model.encode(ds);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('autoBatchSize', () => {
  it("keeps the tutorial's batch for full MNIST and shrinks it for small subsets", () => {
    expect(autoBatchSize(256, 54_000)).toBe(256);
    expect(autoBatchSize(256, 4_500)).toBe(64);
    expect(autoBatchSize(128, 900)).toBe(32);
    expect(autoBatchSize(256, 10)).toBe(32);
  });
});

describe('early stopping', () => {
  it('keeps training while the validation loss improves', async () => {
    const r = await trainAutoencoder(ds, { model: 'deep', epochs: 7, batchSize: 32, validationSplit: 0.2 });
    const val = r.epochs.map((e) => e.valLoss!);
    // The loss improves at every epoch here, so all seven must run.
    expect(val.every((v, i) => i === 0 || v < val[i - 1])).toBe(true);
    expect(r.epochs).toHaveLength(7);
    expect(r.stoppedEarly).toBe(false);
    r.model.dispose();
  });
});
