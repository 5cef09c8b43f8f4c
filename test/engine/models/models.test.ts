import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { selectBackend } from '../../../src-main/engine/backends/select.js';
import { loadMnist } from '../../../src-main/engine/datasets/mnist.js';
import type { Dataset } from '../../../src-main/engine/datasets/types.js';
import { addNoise } from '../../../src-main/engine/models/denoising.js';
import { type Autoencoder, buildAutoencoder } from '../../../src-main/engine/models/index.js';
import { decoderCrops, poolSizes } from '../../../src-main/engine/models/spatial.js';
import { buildVae, decodeManifold, normalQuantile } from '../../../src-main/engine/models/vae.js';
import { MODEL_KINDS } from '../../../src-main/protocol.js';

let ds: Dataset;
beforeAll(async () => {
  await selectBackend();
  ds = await loadMnist(256);
});

/** The first n MNIST images as a batch for the model's input shape, values in [0, 1]. */
function batch(m: Autoencoder, n: number): tf.Tensor {
  return tf.tidy(() => tf.tensor(ds.pixels.subarray(0, n * 784), [n, ...m.inputShape], 'float32').div(255));
}

function dispose(m: Autoencoder): void {
  for (const model of [...(m.others ?? []), m.autoencoder, m.encoder, m.decoder])
    try {
      model.dispose();
    } catch {
      // shared layers already released
    }
}

describe('buildAutoencoder', () => {
  for (const kind of MODEL_KINDS)
    it(`builds the ${kind} model with matching encoder, decoder and autoencoder shapes for 28×28×1 and 13×17×3`, () => {
      for (const [h, w, c] of [
        [28, 28, 1],
        [13, 17, 3],
      ] as const) {
        const m = buildAutoencoder(kind, { height: h, width: w, channels: c });
        expect(m.inputShape.reduce((a, b) => a * b, 1)).toBe(h * w * c);
        tf.tidy(() => {
          const x = tf.randomUniform([3, ...m.inputShape]);
          expect((m.encoder.predict(x) as tf.Tensor).shape).toEqual([3, m.codeSize]);
          const y = m.autoencoder.predict(x) as tf.Tensor;
          expect(y.shape).toEqual([3, ...m.inputShape]);
          const r = (m.decoder.predict(tf.zeros([2, m.codeSize])) as tf.Tensor).dataSync();
          expect(r.length).toBe(2 * h * w * c);
          expect(r.every((v) => v >= 0 && v <= 1)).toBe(true);
        });
        expect(m.defaults.epochs).toBeGreaterThan(0);
        dispose(m);
      }
    });

  it('gives the tutorial code sizes on MNIST', () => {
    const sizes = Object.fromEntries(
      MODEL_KINDS.map((k) => {
        const m = buildAutoencoder(k, { height: 28, width: 28, channels: 1 });
        dispose(m);
        return [k, m.codeSize];
      }),
    );
    expect(sizes).toEqual({
      simple: 32,
      sparse: 32,
      deep: 32,
      conv: 128,
      denoising: 1568,
      seq2seq: 64,
      vae: 2,
      wide: 50,
    });
  });

  it('repeats the same weights for the same seed', () => {
    const a = buildAutoencoder('conv', { height: 12, width: 12, channels: 1, seed: 5 });
    const b = buildAutoencoder('conv', { height: 12, width: 12, channels: 1, seed: 5 });
    const wa = a.autoencoder.getWeights().map((t) => Array.from(t.dataSync()));
    const wb = b.autoencoder.getWeights().map((t) => Array.from(t.dataSync()));
    expect(wa).toEqual(wb);
    dispose(a);
    dispose(b);
  });

  it('rejects a bad image shape with a clear error', () => {
    expect(() => buildAutoencoder('deep', { height: 0, width: 28, channels: 1 })).toThrow(/height/);
    expect(() => buildAutoencoder('simple', { height: 28, width: 28, channels: 1, codeSize: 2.5 })).toThrow(/codeSize/);
  });
});

describe('training objective', () => {
  for (const kind of MODEL_KINDS)
    it(`lowers the ${kind} model's loss over a few Adam steps on 256 images without leaking tensors`, () => {
      const m = buildAutoencoder(kind, { height: 28, width: 28, channels: 1, seed: 3 });
      const opt = tf.train.adam(kind === 'seq2seq' ? 5e-3 : 2e-3);
      const x = batch(m, 256);
      const losses: number[] = [];
      let tensors = 0;
      for (let step = 0; step < 6; step++) {
        const l = opt.minimize(() => m.loss(x, { seed: step }), true)!;
        losses.push(l.dataSync()[0]!);
        l.dispose();
        if (step === 1) tensors = tf.memory().numTensors;
      }
      expect(tf.memory().numTensors).toBe(tensors);
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.97);
      x.dispose();
      opt.dispose();
      dispose(m);
    }, 180_000);
});

describe('sparse', () => {
  it('adds the L1 code penalty to the simple objective', () => {
    const sparse = buildAutoencoder('sparse', { height: 28, width: 28, channels: 1, seed: 1 });
    const x = batch(sparse, 64);
    const [total, plain] = tf.tidy(() => {
      const y = sparse.autoencoder.predict(x) as tf.Tensor;
      const code = sparse.encoder.predict(x) as tf.Tensor;
      return [
        sparse.loss(x).dataSync()[0]!,
        (() => {
          const yc = y.clipByValue(1e-7, 1 - 1e-7);
          const l = x
            .mul(yc.log())
            .add(tf.scalar(1).sub(x).mul(tf.scalar(1).sub(yc).log()))
            .neg()
            .mean();
          return l
            .add(
              code
                .abs()
                .sum()
                .mul(1e-4 / 64),
            )
            .dataSync()[0]!;
        })(),
      ];
    });
    expect(total).toBeCloseTo(plain, 5);
    x.dispose();
    dispose(sparse);
  });

  it('weights the penalty by the l1 option and refuses a negative one', () => {
    const opts = { height: 28, width: 28, channels: 1, seed: 1 };
    const [none, tutorial, strong] = [0, 1e-4, 1e-2].map((l1) => buildAutoencoder('sparse', { ...opts, l1 }));
    const x = batch(none!, 64);
    const [a, b, c] = [none!, tutorial!, strong!].map((m) => tf.tidy(() => m.loss(x).dataSync()[0]!));
    // Same seed, same weights: the losses differ only by the penalty, which grows with its weight.
    expect(b! - a!).toBeGreaterThan(0);
    expect((c! - a!) / (b! - a!)).toBeCloseTo(100, 1);
    expect(() => buildAutoencoder('sparse', { ...opts, l1: -1 })).toThrow(/l1 must be a finite number ≥ 0/);
    x.dispose();
    [none, tutorial, strong].forEach((m) => dispose(m!));
  });
});

describe('denoising', () => {
  it('corrupts inputs with clipped Gaussian noise of the given level', () => {
    tf.tidy(() => {
      const x = tf.fill([1000], 0.5);
      const noisy = addNoise(x, 0.1, 7);
      const v = noisy.dataSync();
      expect(v.every((p) => p >= 0 && p <= 1)).toBe(true);
      const sd = tf.moments(noisy).variance.sqrt().dataSync()[0]!;
      expect(sd).toBeGreaterThan(0.08);
      expect(sd).toBeLessThan(0.12);
      expect(addNoise(x, 0.1, 7).dataSync()).toEqual(v);
    });
  });
});

describe('vae', () => {
  it('has a finite, positive KL term and a loss equal to reconstruction + KL', () => {
    const m = buildVae({ height: 28, width: 28, channels: 1, seed: 2 });
    const x = batch(m, 32);
    tf.tidy(() => {
      const { reconstruction, kl } = m.terms(x, { seed: 9 });
      const k = kl.dataSync()[0]!;
      expect(Number.isFinite(k)).toBe(true);
      expect(k).toBeGreaterThan(0);
      expect(m.loss(x, { seed: 9 }).dataSync()[0]!).toBeCloseTo(reconstruction.dataSync()[0]! + k, 2);
    });
    x.dispose();
    dispose(m);
  });

  it('decodes a 15×15 manifold over the Gaussian quantiles', async () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.05)).toBeCloseTo(-1.644854, 5);
    const m = buildVae({ height: 8, width: 8, channels: 1 });
    const grid = await decodeManifold(m.decoder, 15);
    expect(grid.length).toBe(15 * 15 * 64);
    dispose(m);
  });
});

describe('deep and wide', () => {
  /** Units and activation of each dense layer of a model, in order. */
  const layers = (m: tf.LayersModel) =>
    m.layers
      .filter((l) => l.getClassName() === 'Dense')
      .map((l) => {
        const c = l.getConfig() as { units: number; activation: string };
        return `${c.units}:${c.activation}`;
      });

  it('keeps the tutorial deep model (128-64-32, relu code) and builds wide as 512-256-code, linear, plus a linear path', () => {
    const deep = buildAutoencoder('deep', { height: 28, width: 28, channels: 1 });
    expect(layers(deep.encoder)).toEqual(['128:relu', '64:relu', '32:relu']);
    expect(layers(deep.decoder)).toEqual(['64:relu', '128:relu', '784:sigmoid']);
    dispose(deep);
    const wide = buildAutoencoder('wide', { height: 28, width: 28, channels: 1, codeSize: 16 });
    // The relu path, then the code's linear path from the pixels and the relu path's last layer, added.
    expect(layers(wide.encoder)).toEqual(['512:relu', '256:relu', '16:linear', '16:linear']);
    expect(wide.encoder.layers.at(-1)!.getClassName()).toBe('Add');
    // The relu path's last layer and the linear path from the code, added, then the sigmoid.
    expect(layers(wide.decoder)).toEqual(['256:relu', '512:relu', '784:linear', '784:linear']);
    expect(wide.decoder.layers.at(-1)!.getConfig()).toMatchObject({ activation: 'sigmoid' });
    // A linear code takes negative values, which a relu code never does.
    const codes = tf.tidy(() => (wide.encoder.predict(batch(wide, 64)) as tf.Tensor).dataSync());
    expect(codes.some((v) => v < 0)).toBe(true);
    expect(wide.defaults).toMatchObject({ schedule: 'cosine', autoEpochs: 1 });
    dispose(wide);
  });
});

describe('decoderCrops', () => {
  it("crops each upsampling back to the encoder's size at that level, where the pools rounded up", () => {
    expect(poolSizes(28, 28, 3)).toEqual([
      [28, 28],
      [14, 14],
      [7, 7],
      [4, 4],
    ]);
    // 4 → 8, cropped to 7; then 14 and 28 as they come.
    expect(decoderCrops(28, 28, 3)).toEqual([
      [
        [0, 1],
        [0, 1],
      ],
      null,
      null,
    ]);
    // 13 × 16: rows 13 → 7 → 4, back up 8 → 7 (crop 1), 14 → 13 (crop 1); columns 16 → 8 → 4 need none.
    expect(decoderCrops(13, 16, 2)).toEqual([
      [
        [0, 1],
        [0, 0],
      ],
      [
        [0, 1],
        [0, 0],
      ],
    ]);
    expect(decoderCrops(32, 32, 3)).toEqual([null, null, null]);
  });

  it("gives the conv model the encoder's sizes on the way back up, for odd sizes too", () => {
    for (const [h, w] of [
      [28, 28],
      [13, 16],
      [5, 9],
    ] as const) {
      const conv = buildAutoencoder('conv', { height: h, width: w, channels: 1 });
      const sizes = conv.decoder.layers
        .filter((l) => l.getClassName() === 'Conv2D')
        .map((l) => (l.outputShape as number[]).slice(1, 3));
      const enc = poolSizes(h, w, 3);
      // Conv8 at the code's size, then the upsampled-and-cropped levels, the output at the image's.
      expect(sizes).toEqual([enc[3], enc[2], enc[1], enc[0]]);
      expect(conv.decoder.outputs[0]!.shape).toEqual([null, h, w, 1]);
      dispose(conv);
    }
  });
});
