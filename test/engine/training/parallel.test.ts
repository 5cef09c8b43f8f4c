import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { selectBackend } from '../../../src-main/engine/backends/select.js';
import { loadMnist } from '../../../src-main/engine/datasets/mnist.js';
import type { Dataset } from '../../../src-main/engine/datasets/types.js';
import { buildAutoencoder } from '../../../src-main/engine/models/index.js';
import { batchTensor } from '../../../src-main/engine/training/batches.js';
import {
  describeBackend,
  GradientHelper,
  parallelStep,
  trainingThreads,
} from '../../../src-main/engine/training/parallel.js';
import { trainAutoencoder, TrainedAutoencoder } from '../../../src-main/engine/training/train.js';
import { trainableVariables } from '../../../src-main/engine/training/variables.js';
import { MODEL_KINDS } from '../../../src-main/protocol.js';

let ds: Dataset;
beforeAll(async () => {
  expect((await selectBackend('wasm')).name).toBe('wasm');
  ds = await loadMnist(512);
});

describe('data-parallel training', () => {
  it('uses two threads on wasm and cpu for the conv kinds, one on tfjs-node and for dense kinds, and says so in the backend name', () => {
    expect(trainingThreads('wasm')).toBe(2);
    expect(trainingThreads('cpu')).toBe(2);
    expect(trainingThreads('tensorflow')).toBe(1);
    expect(trainingThreads('wasm', 'conv')).toBe(2);
    expect(trainingThreads('wasm', 'deep')).toBe(1);
    expect(trainingThreads('tensorflow', 'conv')).toBe(1);
    expect(describeBackend('wasm')).toBe('wasm ×2 threads');
    expect(describeBackend('tensorflow')).toBe('tensorflow');
  });

  it('keeps the helper thread’s tensor count flat from step to step', async () => {
    const build = { height: 28, width: 28, channels: 1, seed: 3 };
    const built = buildAutoencoder('conv', build);
    const vars = trainableVariables(built);
    const helper = await GradientHelper.start({ backend: 'wasm', kind: 'conv', build }, built, vars);
    const counts: number[] = [];
    try {
      for (let s = 0; s < 4; s++) {
        const r = await helper.compute({
          weights: vars.map((v) => (v.dataSync() as Float32Array).slice()),
          x: new Float32Array(8 * 784).fill(0.5),
          n: 8,
          seed: s,
        });
        counts.push(r.tensors);
      }
    } finally {
      await helper.close();
      built.autoencoder.dispose();
    }
    expect(new Set(counts).size).toBe(1);
  }, 60_000);

  it('applies the gradient of the whole batch, split 32 + 31 across the threads', async () => {
    // SGD, unlike Adam, moves by the gradient's size, so a wrong weighting of the halves would show.
    const build = { height: 28, width: 28, channels: 1, seed: 9 };
    const split = buildAutoencoder('deep', build);
    const whole = buildAutoencoder('deep', build);
    const vs = trainableVariables(split);
    const vw = trainableVariables(whole);
    const w0 = vw.map((v) => v.dataSync().slice());
    const idx = Int32Array.from({ length: 63 }, (_, i) => (i * 7) % ds.n);
    const helper = await GradientHelper.start({ backend: 'wasm', kind: 'deep', build }, split, vs);
    try {
      await parallelStep(split, vs, tf.train.sgd(0.5), helper, ds, idx, 1);
    } finally {
      await helper.close();
    }
    const x = batchTensor(ds, idx, whole.inputShape);
    tf.train
      .sgd(0.5)
      .minimize(() => whole.loss(x), true)
      ?.dispose();
    x.dispose();
    let diff = 0;
    let step = 0;
    vw.forEach((v, i) => {
      const a = vs[i]!.dataSync();
      const b = v.dataSync();
      for (let j = 0; j < b.length; j++) {
        diff = Math.max(diff, Math.abs(a[j]! - b[j]!));
        step = Math.max(step, Math.abs(b[j]! - w0[i]![j]!));
      }
    });
    expect(step).toBeGreaterThan(1e-4);
    expect(diff / step).toBeLessThan(1e-3);
    for (const m of [split.autoencoder, whole.autoencoder]) m.dispose();
  });

  it('follows the loss trajectory of one thread on a small conv run', async () => {
    const params = { model: 'conv', epochs: 3, batchSize: 64, validationSplit: 0.1, seed: 3 } as const;
    const one = await trainAutoencoder(ds, params, { threads: 1 });
    const two = await trainAutoencoder(ds, params, { threads: 2 });
    expect(one.threads).toBe(1);
    expect(two.threads).toBe(2);
    expect(two.threadsNote).toBeUndefined();
    for (let e = 0; e < 3; e++) {
      expect(Math.abs(two.epochs[e]!.loss - one.epochs[e]!.loss) / one.epochs[e]!.loss).toBeLessThan(0.02);
      expect(Math.abs(two.epochs[e]!.valLoss! - one.epochs[e]!.valLoss!) / one.epochs[e]!.valLoss!).toBeLessThan(0.02);
    }
    // Training works at all: the loss falls.
    expect(two.epochs[2]!.loss).toBeLessThan(two.epochs[0]!.loss);
    one.model.dispose();
    two.model.dispose();
  });

  it('mixes two-thread steps and a one-thread last batch without mixing up Adam state (VAE)', async () => {
    // 512 images at batch 100: five split steps, then 12 images on this thread alone (under MIN_PARALLEL_BATCH).
    const params = { model: 'vae', epochs: 2, batchSize: 100, validationSplit: 0, seed: 2 } as const;
    const one = await trainAutoencoder(ds, params, { threads: 1 });
    const two = await trainAutoencoder(ds, params, { threads: 2 });
    expect(two.threads).toBe(2);
    for (let e = 0; e < 2; e++)
      expect(Math.abs(two.epochs[e]!.loss - one.epochs[e]!.loss) / one.epochs[e]!.loss).toBeLessThan(0.02);
    one.model.dispose();
    two.model.dispose();
  });

  for (const kind of MODEL_KINDS)
    it(`trains every variable that gets a gradient (${kind})`, () => {
      const built = buildAutoencoder(kind, { height: 28, width: 28, channels: 1, seed: 1 });
      const names = new Set(trainableVariables(built).map((v) => v.name));
      const x = tf.zeros([4, ...built.inputShape]);
      // Without a list, variableGrads differentiates every trainable variable alive.
      const { value, grads } = tf.variableGrads(() => built.loss(x, { seed: 1 }));
      for (const name of Object.keys(grads)) expect(names.has(name)).toBe(true);
      expect(Object.keys(grads).length).toBe(names.size);
      tf.dispose([x, value, ...Object.values(grads)]);
      new TrainedAutoencoder(kind, built).dispose();
    });

  it('repeats exactly for the same seed', async () => {
    const params = { model: 'deep', epochs: 2, batchSize: 64, validationSplit: 0, seed: 5 } as const;
    const a = await trainAutoencoder(ds, params, { threads: 2 });
    const b = await trainAutoencoder(ds, params, { threads: 2 });
    expect(a.threads).toBe(2);
    expect(b.epochs.map((l) => l.loss)).toEqual(a.epochs.map((l) => l.loss));
    const codes = [await a.model.encode(ds, Int32Array.of(0, 7)), await b.model.encode(ds, Int32Array.of(0, 7))];
    expect(Array.from(codes[1]!)).toEqual(Array.from(codes[0]!));
    a.model.dispose();
    b.model.dispose();
  });

  it('stops within one second when cancelled, and leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    let batches = 0;
    let abortedAt = 0;
    const result = await trainAutoencoder(
      ds,
      { model: 'conv', epochs: 50, batchSize: 64 },
      {
        threads: 2,
        signal: controller.signal,
        onBatch: () => {
          if (++batches === 3) {
            abortedAt = performance.now();
            controller.abort();
          }
        },
      },
    );
    expect(result.cancelled).toBe(true);
    expect(result.threads).toBe(2);
    expect(performance.now() - abortedAt).toBeLessThan(1000);
    expect(batches).toBe(3);
    result.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses to start a helper on tfjs-node, with a clear message', async () => {
    const built = buildAutoencoder('deep', { height: 28, width: 28, channels: 1, seed: 1 });
    await expect(
      GradientHelper.start(
        { backend: 'tensorflow', kind: 'deep', build: { height: 28, width: 28, channels: 1, seed: 1 } },
        built,
        trainableVariables(built),
      ),
    ).rejects.toThrow(/tensorflow backend does not run in worker threads/);
    for (const m of [built.autoencoder, built.encoder, built.decoder]) {
      try {
        m.dispose();
      } catch {
        // shared layers already released
      }
    }
  });
});
