import { bytesToBase64 } from '../../protocol.js';
import { itemSize } from '../datasets/types.js';
import { DEFAULT_NOISE_LEVEL } from '../models/denoising.js';
import { denoisePreview, manifoldImage, toBytes } from '../previews.js';
import { checkIndex, type JobContext, needDataset } from './context.js';

/**
 * One item for the hover card: its image and, once a model is trained, its
 * reconstruction and error; the denoising model's card also shows a noisy
 * input (at the asked level, else the training one) and its output.
 */
export async function itemJob(ctx: JobContext, requestId: string, index: number, noiseLevel?: number) {
  const ds = needDataset(ctx.state);
  checkIndex(ds, index);
  const trained = ctx.state.trained;
  const size = itemSize(ds);
  const original = ds.pixels.subarray(index * size, (index + 1) * size);
  let reconstruction: string | undefined;
  let denoise: { noisy: string; denoised: string; noiseLevel: number } | undefined;
  if (trained) {
    await ctx.backend();
    reconstruction = bytesToBase64(toBytes(await trained.model.reconstruct(ds, Int32Array.of(index))));
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
    error: trained?.errors[index],
  });
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
