import * as tf from '@tensorflow/tfjs';

import { buildDense, distanceStress } from './common.js';
import type { Autoencoder, BuildOptions, ModelDefaults } from './types.js';

/**
 * Training defaults of the wide model, chosen by measurement (issue 13,
 * bench/codes-screen.ts): about 800 Adam steps of 64 images whatever the
 * dataset's size (at least 2 passes), the learning rate decaying from 2e-3
 * to 0 on a cosine. On 10,000 MNIST images the same 5 passes gave a code
 * 10-NN accuracy of 0.922 in 196 steps of 256 and 0.957 in 782 steps of 64
 * (PCA-50: 0.956): the steps decide, and small batches buy them for free.
 */
export const WIDE_DEFAULTS: Readonly<ModelDefaults> = Object.freeze({
  epochs: 100,
  batchSize: 64,
  learningRate: 2e-3,
  steps: 800,
  minEpochs: 2,
  schedule: 'cosine',
});

/**
 * Weight of the code's distance stress (common.ts `distanceStress`) in wide's
 * loss. On 10,000 MNIST images with this recipe (`npm run bench:codes -- --n
 * 10000 --kinds wide`, same run): 2-D 10-NN / trustworthiness (all 10,000
 * points) 0.9527 / 0.9852 without it, 0.9551 / 0.9869 at 1, 0.9513 / 0.9870
 * at 3; PCA-50's map 0.9524 / 0.9875. Training time is the same.
 */
export const WIDE_STRESS_WEIGHT = 1;

/**
 * Wide: pixels-512-256-code(32, linear)-256-512-pixels, relu inside, sigmoid
 * output. Not a tutorial model: the deep model made wider, with a linear code
 * layer, because a relu code wastes units that die at 0 and the 128-64 model
 * is too small to beat PCA's codes (issue 13's measurements); its loss adds
 * the distance stress, which keeps near images near in the code.
 */
export function buildWide(o: BuildOptions): Autoencoder {
  return buildDense(
    'wide',
    o,
    [512, 256],
    o.codeSize ?? 32,
    WIDE_DEFAULTS,
    // buildDense's loss runs the regulariser inside its own tidy.
    (z, x) => distanceStress(z, x).mul(WIDE_STRESS_WEIGHT) as tf.Scalar,
    'linear',
  );
}
