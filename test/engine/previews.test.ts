import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { selectBackend } from '../../src-main/engine/backends/select.js';
import { loadMnist } from '../../src-main/engine/datasets/mnist.js';
import type { Dataset } from '../../src-main/engine/datasets/types.js';
import { Engine } from '../../src-main/engine/engine.js';
import { decodeManifold } from '../../src-main/engine/models/vae.js';
import { denoisePreview, manifoldImage } from '../../src-main/engine/previews.js';
import { buildModel, TrainedAutoencoder } from '../../src-main/engine/training/train.js';
import { base64ToBytes, type EngineEvent, validateCommand } from '../../src-main/protocol.js';

type ItemEvent = Extract<EngineEvent, { type: 'item' }>;

let ds: Dataset;
beforeAll(async () => {
  await selectBackend();
  ds = await loadMnist(1000);
});

/** Mean absolute difference of two byte images, in [0, 255]. */
function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
}

/** An untrained model of a kind: enough for shapes, noise and error paths. */
function untrained(kind: 'denoising' | 'vae' | 'simple', codeSize?: number): TrainedAutoencoder {
  return new TrainedAutoencoder(kind, buildModel(kind, ds, { codeSize }, 1));
}

describe('denoisePreview', () => {
  it('adds no noise at level 0, more at a higher level, and the same noise for the same item and level', async () => {
    const model = untrained('denoising');
    const original = ds.pixels.subarray(3 * 784, 4 * 784);
    const before = tf.memory().numTensors;
    const clean = await denoisePreview(model, ds, 3, 0);
    expect(clean.noisy).toEqual(Uint8Array.from(original));
    const low = await denoisePreview(model, ds, 3, 0.2);
    const high = await denoisePreview(model, ds, 3, 0.8);
    expect(meanAbsDiff(low.noisy, original)).toBeGreaterThan(5);
    expect(meanAbsDiff(high.noisy, original)).toBeGreaterThan(2 * meanAbsDiff(low.noisy, original));
    // The model's output follows its input.
    expect(meanAbsDiff(high.denoised, clean.denoised)).toBeGreaterThan(0);
    expect((await denoisePreview(model, ds, 3, 0.8)).noisy).toEqual(high.noisy);
    // Another item gets another noise pattern.
    const other = await denoisePreview(model, ds, 4, 0.8);
    const otherOriginal = ds.pixels.subarray(4 * 784, 5 * 784);
    const noiseA = high.noisy.map((v, i) => v - original[i]!);
    const noiseB = other.noisy.map((v, i) => v - otherOriginal[i]!);
    expect(meanAbsDiff(noiseA, noiseB)).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('refuses a level outside [0, 1] and an item out of range', async () => {
    const model = untrained('denoising');
    await expect(denoisePreview(model, ds, 0, 1.5)).rejects.toThrow(/noise level must be from 0 to 1/);
    await expect(denoisePreview(model, ds, 0, Number.NaN)).rejects.toThrow(/noise level/);
    await expect(denoisePreview(model, ds, ds.n, 0.5)).rejects.toThrow(/out of range/);
    model.dispose();
  });
});

describe('manifoldImage', () => {
  it('tiles a size×size grid of decoded images into one image', async () => {
    const model = untrained('vae', 2);
    const m = await manifoldImage(model, ds, 4);
    expect(m.size).toBe(4);
    expect(m.pixels.length).toBe(4 * 28 * 4 * 28);
    expect(m.z[0]).toBeCloseTo(-1.644854, 5);
    expect(m.z[3]).toBeCloseTo(1.644854, 5);
    // Cell (1, 2) of the tile is the decoder's image 1·4 + 2, row for row.
    const decoded = await decodeManifold(model.parts.decoder, 4);
    for (const y of [0, 13, 27])
      for (const x of [0, 14, 27])
        expect(m.pixels[(1 * 28 + y) * 112 + 2 * 28 + x]).toBe(Math.round(decoded[6 * 784 + y * 28 + x]! * 255));
    model.dispose();
  });

  it('refuses a model that is not a VAE with a 2-d latent, and a grid size out of range', async () => {
    const simple = untrained('simple');
    await expect(manifoldImage(simple, ds)).rejects.toThrow(/variational autoencoder with a 2-d latent.*simple/);
    simple.dispose();
    const vae3 = untrained('vae', 3);
    await expect(manifoldImage(vae3, ds)).rejects.toThrow(/2-d latent.*code size 3/);
    vae3.dispose();
    const vae = untrained('vae', 2);
    await expect(manifoldImage(vae, ds, 1)).rejects.toThrow(/from 2 to 30/);
    await expect(manifoldImage(vae, ds, 31)).rejects.toThrow(/from 2 to 30/);
    await expect(manifoldImage(vae, { height: 512, width: 512, channels: 3 }, 30)).rejects.toThrow(/smaller grid/);
    vae.dispose();
  });
});

describe('the engine', () => {
  const events: EngineEvent[] = [];
  const engine = new Engine((e) => events.push(e), { progressIntervalMs: 1000 });
  const answer = (id: string) => events.find((e) => 'requestId' in e && e.requestId === id);

  it('validates the new command fields', () => {
    expect(validateCommand({ type: 'getItem', requestId: 'r', index: 0, noiseLevel: 0.35 })).toBeNull();
    expect(validateCommand({ type: 'getItem', requestId: 'r', index: 0, noiseLevel: 1.2 })).toMatch(/noiseLevel/);
    expect(validateCommand({ type: 'getItem', requestId: 'r', index: 0, noiseLevel: '0.5' })).toMatch(/noiseLevel/);
    expect(validateCommand({ type: 'getManifold', requestId: 'm' })).toBeNull();
    expect(validateCommand({ type: 'getManifold', requestId: 'm', size: 15 })).toBeNull();
    expect(validateCommand({ type: 'getManifold', requestId: 'm', size: 31 })).toMatch(/size: Too big: .*<=30/);
    expect(validateCommand({ type: 'getManifold', requestId: 'm', size: 2.5 })).toMatch(/size: .*expected int/);
    expect(validateCommand({ type: 'getManifold' })).toMatch(/requestId/);
  });

  it('answers getManifold with a clear error before any model is trained', async () => {
    await engine.handle({ type: 'loadDataset', jobId: 'l', source: { kind: 'mnist', limit: 1000 } });
    await engine.handle({ type: 'getManifold', requestId: 'm0' });
    expect(answer('m0')).toMatchObject({ type: 'error', message: expect.stringMatching(/no model is trained/) });
  });

  it('decodes a manifold that varies across the grid after a short VAE training', async () => {
    await engine.handle({
      type: 'train',
      jobId: 't',
      params: { model: 'vae', codeSize: 2, epochs: 3, batchSize: 32, learningRate: 2e-3 },
    });
    expect(events.find((e) => e.type === 'trained')).toMatchObject({ model: 'vae', codeSize: 2 });
    await engine.handle({ type: 'getManifold', requestId: 'm1' });
    const e = answer('m1') as Extract<EngineEvent, { type: 'manifold' }>;
    expect(e).toMatchObject({ type: 'manifold', size: 15, height: 28, width: 28, channels: 1 });
    expect(e.z).toHaveLength(15);
    const pixels = base64ToBytes(e.pixels);
    expect(pixels.length).toBe(15 * 28 * 15 * 28);
    // Each cell as its own image; the decoded digits must differ across the plane, not repeat one mean digit.
    const cell = (r: number, c: number) => {
      const out = new Uint8Array(784);
      for (let y = 0; y < 28; y++)
        out.set(pixels.subarray((r * 28 + y) * 420 + c * 28, (r * 28 + y) * 420 + c * 28 + 28), y * 28);
      return out;
    };
    const corners = [cell(0, 0), cell(0, 14), cell(14, 0), cell(14, 14)];
    // Digits on a dark ground, not the untrained decoder's flat grey (contrast under 50 there, ~6 between corners).
    for (const c of corners) expect(Math.max(...c) - Math.min(...c)).toBeGreaterThan(70);
    let smallest = Infinity;
    for (let a = 0; a < 4; a++)
      for (let b = a + 1; b < 4; b++) smallest = Math.min(smallest, meanAbsDiff(corners[a]!, corners[b]!));
    expect(smallest).toBeGreaterThan(10);
  }, 120_000);

  it('refuses the manifold of a model that is not a 2-d VAE', async () => {
    await engine.handle({ type: 'train', jobId: 't2', params: { model: 'simple', epochs: 1, batchSize: 100 } });
    await engine.handle({ type: 'getManifold', requestId: 'm2' });
    expect(answer('m2')).toMatchObject({
      type: 'error',
      message: expect.stringMatching(/needs a variational autoencoder with a 2-d latent; the trained model is simple/),
    });
  });
});

describe('the engine with a denoising model', () => {
  const events: EngineEvent[] = [];
  const engine = new Engine((e) => events.push(e), { progressIntervalMs: 1000 });
  const item = (id: string) => events.find((e) => e.type === 'item' && e.requestId === id) as ItemEvent;

  it('names the training noise, and answers getItem at the asked noise level', async () => {
    await engine.handle({ type: 'loadDataset', jobId: 'l', source: { kind: 'mnist', limit: 100 } });
    await engine.handle({ type: 'train', jobId: 't', params: { model: 'denoising', epochs: 1, batchSize: 50 } });
    expect(events.find((e) => e.type === 'trained')).toMatchObject({ model: 'denoising', noiseLevel: 0.5 });
    await engine.handle({ type: 'getItem', requestId: 'a', index: 9 });
    await engine.handle({ type: 'getItem', requestId: 'b', index: 9, noiseLevel: 0 });
    await engine.handle({ type: 'getItem', requestId: 'c', index: 9, noiseLevel: 0.5 });
    expect(item('a').noiseLevel).toBe(0.5);
    expect(item('b').noiseLevel).toBe(0);
    expect(item('b').noisy).toBe(item('b').original);
    expect(item('c').noisy).toBe(item('a').noisy);
    expect(item('c').noisy).not.toBe(item('a').original);
  }, 60_000);

  it('trains at the noise level it is given, and shows cards at that level by default', async () => {
    await engine.handle({
      type: 'train',
      jobId: 't2',
      params: { model: 'denoising', epochs: 1, batchSize: 50, noiseLevel: 0.2 },
    });
    expect(events.find((e) => e.type === 'trained' && e.jobId === 't2')).toMatchObject({ noiseLevel: 0.2 });
    await engine.handle({ type: 'getItem', requestId: 'd', index: 9 });
    await engine.handle({ type: 'getItem', requestId: 'e', index: 9, noiseLevel: 0.2 });
    expect(item('d').noiseLevel).toBe(0.2);
    expect(item('d').noisy).toBe(item('e').noisy);
    expect(item('d').noisy).not.toBe(item('a').noisy);
  }, 60_000);
});
