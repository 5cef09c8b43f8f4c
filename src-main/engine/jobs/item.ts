import { bytesToBase64 } from '../../protocol.js';
import { itemSize } from '../datasets/types.js';
import { DEFAULT_NOISE_LEVEL } from '../models/denoising.js';
import { denoisePreview, manifoldImage, toBytes } from '../previews.js';
import { checkIndex, type JobContext, needDataset } from './context.js';
import { liveTraining } from './live.js';

/**
 * One item for the hover card: its image and, once a model is trained, its
 * reconstruction and error; the denoising model's card also shows a noisy
 * input (at the asked level, else the training one) and its output. While a
 * run trains on this dataset, the model is that run's as trained so far: the
 * request runs between two of its batches (the engine takes commands while a
 * job awaits), and reading the weights there changes nothing.
 */
export async function itemJob(ctx: JobContext, requestId: string, index: number, noiseLevel?: number) {
  const ds = needDataset(ctx.state);
  checkIndex(ds, index);
  const live = liveTraining(ctx);
  const trained = live ?? ctx.state.trained;
  const size = itemSize(ds);
  const original = ds.pixels.subarray(index * size, (index + 1) * size);
  let reconstruction: string | undefined;
  let error: number | undefined;
  let denoise: { noisy: string; denoised: string; noiseLevel: number } | undefined;
  if (trained) {
    await ctx.backend();
    const values = await trained.model.reconstruct(ds, Int32Array.of(index));
    reconstruction = bytesToBase64(toBytes(values));
    // A model in training has no per-item errors yet: this item's is computed as the record's are.
    error = live ? itemError(original, values) : ctx.state.trained?.errors[index];
    if (trained.model.kind === 'denoising') {
      const level = noiseLevel ?? trained.params.noiseLevel ?? DEFAULT_NOISE_LEVEL;
      const p = await denoisePreview(trained.model, ds, index, level);
      denoise = { noisy: bytesToBase64(p.noisy), denoised: bytesToBase64(p.denoised), noiseLevel: level };
    }
  }
  ctx.emit({
    type: 'item',
    ...denoise,
    requestId,
    index,
    label: ds.labels[index]!,
    file: ds.files?.[index],
    height: ds.height,
    width: ds.width,
    channels: ds.channels,
    original: bytesToBase64(original),
    reconstruction,
    error,
  });
}

/** Mean per-pixel binary cross-entropy of one reconstruction (values in [0, 1]) against its 0–255 original. */
function itemError(original: Uint8Array, values: Float32Array): number {
  const eps = 1e-7;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const x = original[i]! / 255;
    const y = Math.min(1 - eps, Math.max(eps, values[i]!));
    sum -= x * Math.log(y) + (1 - x) * Math.log(1 - y);
  }
  return sum / Math.max(1, values.length);
}

/** The trained VAE's decoded latent plane, tiled into one image. */
export async function manifoldJob(ctx: JobContext, requestId: string, size?: number) {
  const ds = needDataset(ctx.state);
  const trained = ctx.state.trained;
  if (!trained) throw new Error('train a variational autoencoder with code size 2 first: no model is trained');
  await ctx.backend();
  const m = await manifoldImage(trained.model, ds, size);
  ctx.emit({
    type: 'manifold',
    requestId,
    size: m.size,
    height: ds.height,
    width: ds.width,
    channels: ds.channels,
    z: m.z,
    pixels: bytesToBase64(m.pixels),
  });
}
