import * as tf from '@tensorflow/tfjs';

import { buildDense } from './common.js';
import type { Autoencoder, BuildOptions } from './types.js';

/** The tutorial's defaults; sparsity needs longer training to show (it used 100 epochs). */
export const SPARSE_DEFAULTS = Object.freeze({ epochs: 100, batchSize: 256, learningRate: 1e-3 });

/** Weight of the L1 activity penalty on the code, as in the tutorial. */
export const SPARSE_L1 = 1e-4;

/**
 * Sparse: the simple model with an L1 penalty on the code's activations,
 * Keras-style: 1e-4 · Σ|code| per image, averaged over the batch.
 */
export function buildSparse(o: BuildOptions): Autoencoder {
  const l1 = o.l1 ?? SPARSE_L1;
  if (!(l1 >= 0 && Number.isFinite(l1)))
    throw new Error(`sparse autoencoder: l1 must be a finite number ≥ 0, got ${l1}`);
  return buildDense('sparse', o, [], o.codeSize ?? 32, SPARSE_DEFAULTS, (code) =>
    tf.tidy(
      () =>
        code
          .abs()
          .sum()
          .mul(l1 / code.shape[0]!) as tf.Scalar,
    ),
  );
}
