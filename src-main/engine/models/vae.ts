import * as tf from '@tensorflow/tfjs';

import { assemble, checkOptions, Initialisers, meanBce } from './common.js';
import type { Autoencoder, BuildOptions, LossOptions } from './types.js';

/** Defaults, as in tfjs-examples' fashion-mnist-vae. */
export const VAE_DEFAULTS = Object.freeze({ epochs: 50, batchSize: 128, learningRate: 1e-3 });

/** Width of the hidden layer on each side. */
const HIDDEN = 256;

/** A VAE: the encoder's output is the posterior mean; `stats` gives mean and log-variance. */
export interface VariationalAutoencoder extends Autoencoder {
  /** Images → [mean, log-variance] of q(z|x). */
  stats: tf.LayersModel;
  /** The two terms of the objective, each averaged over the batch. */
  terms(x: tf.Tensor, opts?: LossOptions): { reconstruction: tf.Scalar; kl: tf.Scalar };
}

/**
 * Variational: Dense(256, relu) to the mean and log-variance of a Gaussian
 * posterior over a latent of `codeSize` (2 by default, so the UI can sweep
 * the plane); z = mean + exp(logvar/2)·ε (the reparameterisation trick);
 * Dense(256, relu) → Dense(pixels, sigmoid). Loss per image = summed BCE over
 * pixels + KL(q(z|x) ‖ N(0, I)), averaged over the batch.
 */
export function buildVae(o: BuildOptions): VariationalAutoencoder {
  checkOptions('vae', o);
  const size = o.height * o.width * o.channels;
  const latent = o.codeSize ?? 2;
  const init = new Initialisers(o.seed);

  const x = tf.input({ shape: [size] });
  const h = tf.layers.dense({ units: HIDDEN, activation: 'relu', kernelInitializer: init.kernel() }).apply(x);
  const mean = tf.layers.dense({ units: latent, name: 'z_mean', kernelInitializer: init.kernel() }).apply(h);
  const logVar = tf.layers.dense({ units: latent, name: 'z_log_var', kernelInitializer: init.kernel() }).apply(h);
  const stats = tf.model({ inputs: x, outputs: [mean, logVar] as tf.SymbolicTensor[], name: 'vae_stats' });
  const encoder = tf.model({ inputs: x, outputs: mean as tf.SymbolicTensor, name: 'vae_encoder' });

  const z = tf.input({ shape: [latent] });
  const g = tf.layers.dense({ units: HIDDEN, activation: 'relu', kernelInitializer: init.kernel() }).apply(z);
  const y = tf.layers.dense({ units: size, activation: 'sigmoid', kernelInitializer: init.kernel() }).apply(g);
  const decoder = tf.model({ inputs: z, outputs: y as tf.SymbolicTensor, name: 'vae_decoder' });

  const terms = (xb: tf.Tensor, { seed }: LossOptions = {}) =>
    tf.tidy(() => {
      const [mu, lv] = stats.apply(xb, { training: true }) as tf.Tensor[];
      const eps = tf.randomNormal(mu!.shape, 0, 1, 'float32', seed);
      const sample = mu!.add(lv!.mul(0.5).exp().mul(eps));
      const r = decoder.apply(sample, { training: true }) as tf.Tensor;
      // Summed over pixels, averaged over images: the mean over both times the pixels (meanBce's one pass).
      const reconstruction = meanBce(xb, r).mul(size) as tf.Scalar;
      const kl = tf.scalar(1).add(lv!).sub(mu!.square()).sub(lv!.exp()).sum(1).mul(-0.5).mean() as tf.Scalar;
      return { reconstruction, kl };
    });
  const base = assemble('vae', encoder, decoder, VAE_DEFAULTS, (xb, opts) =>
    tf.tidy(() => {
      const t = terms(xb, opts);
      return t.reconstruction.add(t.kl) as tf.Scalar;
    }),
  );
  return { ...base, stats, terms, others: [stats] };
}

/**
 * Inverse of the standard normal CDF (Acklam's rational approximation,
 * relative error < 1.2e-9), for placing a grid at the Gaussian's quantiles.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new Error(`normalQuantile: p must be in (0, 1), got ${p}`);
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo || p > 1 - lo) {
    const q = Math.sqrt(-2 * Math.log(p < lo ? p : 1 - p));
    const v =
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
    return p < lo ? v : -v;
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

/**
 * The latent values of an n-point sweep along one axis: the standard
 * normal's quantiles at n evenly spaced probabilities from 5% to 95% (the
 * Keras tutorial's norm.ppf(linspace(0.05, 0.95, n))).
 */
export function manifoldQuantiles(n: number): number[] {
  return Array.from({ length: n }, (_, i) => normalQuantile(0.05 + (0.9 * i) / Math.max(1, n - 1)));
}

/**
 * The decoded manifold of a 2-d latent: an n×n grid sweeping the plane
 * through the Gaussian's quantiles (5%…95%), row by row from the top (high
 * z₂) to the bottom. Returns n·n images, flat, values in [0, 1].
 */
export async function decodeManifold(decoder: tf.LayersModel, n = 15): Promise<Float32Array> {
  const dim = decoder.inputs[0]!.shape[1];
  if (dim !== 2) throw new Error(`decodeManifold needs a 2-d latent, this decoder takes ${dim}`);
  const q = manifoldQuantiles(n);
  const grid = new Float32Array(n * n * 2);
  for (let r = 0; r < n; r++)
    for (let col = 0; col < n; col++) {
      grid[(r * n + col) * 2] = q[col]!;
      grid[(r * n + col) * 2 + 1] = q[n - 1 - r]!;
    }
  const out = tf.tidy(() => decoder.predict(tf.tensor2d(grid, [n * n, 2])) as tf.Tensor);
  const values = (await out.data()) as Float32Array;
  out.dispose();
  return values;
}
