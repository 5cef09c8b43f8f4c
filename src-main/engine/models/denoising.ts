import * as tf from '@tensorflow/tfjs';

import { assemble, checkOptions, Initialisers, meanBce } from './common.js';
import { buildConvPair } from './spatial.js';
import type { Autoencoder, BuildOptions } from './types.js';

/** The tutorial's defaults (it trained 100 epochs at batch 128). */
export const DENOISING_DEFAULTS = Object.freeze({ epochs: 100, batchSize: 128, learningRate: 1e-3 });

/** Standard deviation of the training noise, as in the tutorial. */
export const DEFAULT_NOISE_LEVEL = 0.5;

/**
 * The corrupted input the denoiser learns to clean: x + level·N(0, 1),
 * clipped back to [0, 1]. Also what the UI's noise slider shows.
 */
export function addNoise(x: tf.Tensor, level: number, seed?: number): tf.Tensor {
  return tf.tidy(() => x.add(tf.randomNormal(x.shape, 0, level, 'float32', seed)).clipByValue(0, 1));
}

/**
 * Denoising: Conv32-pool-Conv32-pool to a 7×7×32 code (28×28 images), mirrored
 * back; trained on noisy inputs against the clean images.
 */
export function buildDenoising(o: BuildOptions): Autoencoder {
  checkOptions('denoising', o);
  const level = o.noiseLevel ?? DEFAULT_NOISE_LEVEL;
  if (!(level >= 0)) throw new Error(`denoising autoencoder: noiseLevel must be ≥ 0, got ${level}`);
  const init = new Initialisers(o.seed);
  const { encoder, decoder } = buildConvPair('denoising', o, [32, 32], [32, 32], () => init.kernel());
  const ae = assemble('denoising', encoder, decoder, DENOISING_DEFAULTS, (x, { seed }) =>
    tf.tidy(() => meanBce(x, ae.autoencoder.apply(addNoise(x, level, seed), { training: true }) as tf.Tensor)),
  );
  return ae;
}
