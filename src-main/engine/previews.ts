/**
 * Images the front ends show of a trained model beyond plain reconstructions:
 * the denoising model's noisy input and output at a chosen noise level, and
 * the VAE's decoded latent manifold. Pure functions of a model and a dataset,
 * so the engine, tests and the CLI use them alike.
 */
import * as tf from '@tensorflow/tfjs';

import { MANIFOLD_DEFAULT_SIZE, MANIFOLD_MAX_SIZE, MANIFOLD_MIN_SIZE } from '../protocol.js';
import type { Dataset } from './datasets/types.js';
import { addNoise } from './models/denoising.js';
import { decodeManifold, manifoldQuantiles } from './models/vae.js';
import { batchTensor } from './training/batches.js';
import type { TrainedAutoencoder } from './training/train.js';

/** Largest tiled manifold image, in bytes (keeps a request for big images from eating the engine's memory). */
export const MANIFOLD_MAX_BYTES = 32 * 1024 * 1024;

/** Values in [0, 1] (model outputs) → bytes 0–255, clipped. */
export function toBytes(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let j = 0; j < values.length; j++) out[j] = Math.round(Math.min(1, Math.max(0, values[j]!)) * 255);
  return out;
}

/**
 * The denoising model's view of item `index`: the item plus noise of
 * standard deviation `level` (x + level·N(0, 1), clipped to [0, 1]), and the
 * model's output for that input, both as HWC bytes. The noise is seeded by
 * the item's index, so the same level always gives the same image and a
 * higher level scales the same noise pattern up.
 */
export async function denoisePreview(
  model: TrainedAutoencoder,
  ds: Dataset,
  index: number,
  level: number,
): Promise<{ noisy: Uint8Array; denoised: Uint8Array }> {
  if (!(level >= 0 && level <= 1)) throw new Error(`noise level must be from 0 to 1, got ${level}`);
  if (!(Number.isInteger(index) && index >= 0 && index < ds.n))
    throw new Error(`item ${index} is out of range (the dataset has ${ds.n})`);
  const shape = model.parts.autoencoder.inputs[0]!.shape.slice(1) as number[];
  const [noisy, denoised] = tf.tidy(() => {
    const x = batchTensor(ds, [index], shape);
    const n = addNoise(x, level, index + 1);
    return [n, model.parts.autoencoder.predict(n) as tf.Tensor];
  });
  try {
    return { noisy: toBytes(await noisy.data()), denoised: toBytes(await denoised.data()) };
  } finally {
    tf.dispose([noisy, denoised]);
  }
}

/** The decoded manifold as one tiled image, with the latent values of its grid lines. */
export interface ManifoldImage {
  /** Cells per side. */
  size: number;
  /** The latent values of the columns (z₁, left to right); rows use them in reverse (z₂, top = largest). */
  z: number[];
  /** size·height rows of size·width pixels, HWC. */
  pixels: Uint8Array;
}

/**
 * Decodes the latent plane of a trained VAE with a 2-d latent: a size×size
 * grid at the standard normal's quantiles from 5% to 95% on each axis (as in
 * the Keras tutorial), tiled into one image of the dataset's channels. Throws
 * a clear error for any other model.
 */
export async function manifoldImage(
  model: TrainedAutoencoder,
  ds: Pick<Dataset, 'height' | 'width' | 'channels'>,
  size = MANIFOLD_DEFAULT_SIZE,
): Promise<ManifoldImage> {
  if (model.kind !== 'vae' || model.codeSize !== 2)
    throw new Error(
      `the latent manifold needs a variational autoencoder with a 2-d latent; the trained model is ${model.kind} with code size ${model.codeSize}`,
    );
  if (!(Number.isInteger(size) && size >= MANIFOLD_MIN_SIZE && size <= MANIFOLD_MAX_SIZE))
    throw new Error(`manifold size must be an integer from ${MANIFOLD_MIN_SIZE} to ${MANIFOLD_MAX_SIZE}, got ${size}`);
  const { height: h, width: w, channels: c } = ds;
  const cell = h * w * c;
  if (size * size * cell > MANIFOLD_MAX_BYTES)
    throw new Error(
      `a ${size}×${size} manifold of ${w}×${h}×${c} images would take ${Math.round((size * size * cell) / 2 ** 20)} MB; ask for a smaller grid`,
    );
  const decoded = await decodeManifold(model.parts.decoder, size);
  if (decoded.length !== size * size * cell)
    throw new Error(`the decoder gives ${decoded.length / (size * size)} values per image, the dataset has ${cell}`);
  // Cell (r, col) of the grid goes to rows r·h… and columns col·w… of the tile.
  const pixels = new Uint8Array(size * size * cell);
  const rowBytes = size * w * c;
  for (let r = 0; r < size; r++)
    for (let col = 0; col < size; col++) {
      const src = (r * size + col) * cell;
      for (let y = 0; y < h; y++) {
        const dst = (r * h + y) * rowBytes + col * w * c;
        pixels.set(toBytes(decoded.subarray(src + y * w * c, src + (y + 1) * w * c)), dst);
      }
    }
  return { size, z: manifoldQuantiles(size), pixels };
}
