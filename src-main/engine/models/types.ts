import type * as tf from '@tensorflow/tfjs';

import type { ModelKind } from '../../protocol.js';

/** What every builder needs to know about the images. */
export interface BuildOptions {
  height: number;
  width: number;
  channels: number;
  /** Size of the code (latent) vector, for the kinds where it is free. */
  codeSize?: number;
  /** Seeds the weight initialisers so a build is repeatable; omitted = random. */
  seed?: number;
  /** Denoising only: standard deviation of the Gaussian noise added to inputs (default 0.5). */
  noiseLevel?: number;
  /** Sparse only: weight of the L1 penalty on the code's activations (default 1e-4, the tutorial's). */
  l1?: number;
}

/** The tutorial's training defaults for a kind (the UI shows them, the user may edit them). */
export interface ModelDefaults {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Epochs a run takes when the caller leaves them out; absent: models/recipe.ts FALLBACK_EPOCHS. */
  autoEpochs?: number;
  /** Learning rate over the run: constant (the tutorial's), or cosine decay from `learningRate` to 0. */
  schedule?: 'constant' | 'cosine';
}

/** Per-step options of a training objective. */
export interface LossOptions {
  /** Seed of this step's random draws (denoising noise, VAE sampling). */
  seed?: number;
}

/**
 * A built, untrained autoencoder. The three models share their layers, so
 * training `autoencoder` (through `loss`) trains the other two.
 */
export interface Autoencoder {
  kind: ModelKind;
  /** Images → codes (for the VAE: the posterior mean). */
  encoder: tf.LayersModel;
  /** Codes → images. */
  decoder: tf.LayersModel;
  /** Images → reconstructions, deterministic (no noise, no sampling). */
  autoencoder: tf.LayersModel;
  codeSize: number;
  /** Input shape without the batch axis: flat, [h, w, c] or [h, w·c] (rows as a sequence). */
  inputShape: number[];
  defaults: ModelDefaults;
  /** Further models sharing these layers (the VAE's mean/log-variance head), to dispose with the rest. */
  others?: tf.LayersModel[];
  /**
   * The training objective of one batch of clean images in [0, 1], shaped
   * [n, ...inputShape]: mean per-pixel binary cross-entropy for most kinds,
   * plus the L1 code penalty (sparse), on noisy inputs (denoising), or the
   * per-image summed BCE + KL divergence (VAE). Call inside a gradient tape.
   */
  loss(x: tf.Tensor, opts?: LossOptions): tf.Scalar;
  /**
   * Sets weights from the data before the first step (wide: its code's linear
   * path to the sample's principal axes, its decoder's to the fit of the
   * pixels' logits on them). `sample` is rows training images in [0, 1],
   * flat, item after item (training/train.ts initSampleRows says how many).
   * Kinds without it start from their initialisers.
   */
  initialise?(sample: Float32Array, rows: number): void;
}
