import * as tf from '@tensorflow/tfjs';

import { fitPca } from '../projection/pca.js';
import { assemble, chain, checkOptions, distanceStress, Initialisers, meanBce } from './common.js';
import { DEFAULT_CODE_SIZE } from './size.js';
import type { Autoencoder, BuildOptions, ModelDefaults } from './types.js';

/**
 * Training defaults of the wide model, chosen by measurement (issue 13,
 * bench/codes.ts; figures in the README): one pass of Adam over the training
 * images in batches of 64, the learning rate decaying from 2e-3 to 0 on a
 * cosine. The code starts from PCA (`initialise`), so one pass is enough to
 * match PCA-50's map, and one pass costs less than the t-SNE that follows at
 * every dataset size (both grow with N); more passes lowered the
 * reconstruction loss but did not improve the map (10,000 MNIST images,
 * code 50: 2 epochs 0.9504 / 0.9872, 1 epoch 0.9504 / 0.9879).
 */
export const WIDE_DEFAULTS: Readonly<ModelDefaults> = Object.freeze({
  epochs: 1,
  autoEpochs: 1,
  batchSize: 64,
  learningRate: 2e-3,
  schedule: 'cosine',
});

/**
 * Weight of the code's distance stress (common.ts `distanceStress`) in wide's
 * loss. On 10,000 MNIST images, code 50, one epoch from PCA, three seeds
 * (2-D 10-NN / trustworthiness against the pixels, medians): stress 3 0.9499
 * / 0.9867, stress 10 0.9483 / 0.9873; PCA-50's map 0.9510 / 0.9874. The
 * stronger stress keeps the code's neighbourhoods those of the pixels, which
 * trustworthiness measures; 30 was worse on both (0.9473 / 0.9871).
 */
export const WIDE_STRESS_WEIGHT = 10;

/** Name of the code's linear path (the layer `initialise` sets to the top principal axes). */
export const WIDE_SKIP = 'pca_skip';

/** Name of the decoder's linear path from the code to the pixels' logits (`initialise` fits it to the sample). */
export const WIDE_UNSKIP = 'pca_unskip';

/** Pixels are clipped to [ε, 1 − ε] before their logits are fitted, so 0 and 1 stay finite (logit ±3.9). */
const LOGIT_CLIP = 0.02;

/**
 * Wide: the code (50 by default, the dimension of the PCA it is compared
 * with) is the sum of a linear path from the pixels (`pca_skip`) and
 * a relu path pixels-512-256-code(linear), whose last layer starts at zero;
 * the decoder is code-256-512-pixels, relu inside, sigmoid output. Not a
 * tutorial model: the deep model made wider, with a linear code, because a
 * relu code wastes units that die at 0 and the 128-64 model is too small to
 * beat PCA's codes (issue 13's measurements). `initialise` sets the linear
 * path to the training images' top principal axes, so training starts from
 * PCA's code, a good map already, and the relu path and the decoder learn
 * what it misses instead of finding it from random weights; the loss adds the
 * distance stress, which keeps near images near in the code.
 */
export function buildWide(o: BuildOptions): Autoencoder {
  checkOptions('wide', o);
  const size = o.height * o.width * o.channels;
  const codeSize = o.codeSize ?? DEFAULT_CODE_SIZE.wide!;
  const init = new Initialisers(o.seed);
  /** A linear layer named `linearName` plus relu layers `hidden` then a linear one starting at zero, added. */
  const linearPlusRelu = (input: tf.SymbolicTensor, hidden: number[], units: number, linearName: string) => {
    const linear = tf.layers.dense({ units, kernelInitializer: init.kernel(), name: linearName });
    const relu = chain(input, [
      ...hidden.map((u) => tf.layers.dense({ units: u, activation: 'relu', kernelInitializer: init.kernel() })),
      tf.layers.dense({ units, kernelInitializer: 'zeros' }),
    ]);
    return {
      linear,
      sum: tf.layers.add().apply([linear.apply(input) as tf.SymbolicTensor, relu]) as tf.SymbolicTensor,
    };
  };
  const x = tf.input({ shape: [size] });
  const down = linearPlusRelu(x, [512, 256], codeSize, WIDE_SKIP);
  const encoder = tf.model({ inputs: x, outputs: down.sum, name: 'wide_encoder' });
  const c = tf.input({ shape: [codeSize] });
  const up = linearPlusRelu(c, [256, 512], size, WIDE_UNSKIP);
  const y = tf.layers.activation({ activation: 'sigmoid', name: 'pixels' }).apply(up.sum) as tf.SymbolicTensor;
  const decoder = tf.model({ inputs: c, outputs: y, name: 'wide_decoder' });
  const built = assemble('wide', encoder, decoder, WIDE_DEFAULTS, (xb) =>
    tf.tidy(() => {
      const z = encoder.apply(xb, { training: true }) as tf.Tensor;
      const r = decoder.apply(z, { training: true }) as tf.Tensor;
      return meanBce(xb, r).add(distanceStress(z, xb).mul(WIDE_STRESS_WEIGHT)) as tf.Scalar;
    }),
  );
  built.initialise = (sample, rows) =>
    initialisePaths(down.linear, up.linear, sample, rows, size, codeSize, o.seed ?? 0);
  return built;
}

/**
 * Sets both linear paths from the sample (rows×size, values in [0, 1]). The
 * code's: PCA, kernel column k the k-th principal axis, bias −axis·mean, so
 * the code is the centred image's principal coordinates (columns beyond what
 * the sample can give, codeSize ≥ rows, start at zero). The decoder's: the
 * least-squares fit of the pixels' logits on those coordinates (they are
 * uncorrelated, so one division per column), so the untrained model already
 * reconstructs each image about as PCA does, through the sigmoid.
 */
function initialisePaths(
  skip: tf.layers.Layer,
  unskip: tf.layers.Layer,
  sample: Float32Array,
  rows: number,
  size: number,
  codeSize: number,
  seed: number,
): void {
  if (sample.length !== rows * size)
    throw new Error(`wide: PCA sample has ${sample.length} values, expected ${rows}×${size}`);
  const m = Math.min(codeSize, size, rows - 1);
  const kernel = new Float32Array(size * codeSize);
  const bias = new Float32Array(codeSize);
  if (m >= 1) {
    const { axes, mean } = fitPca(sample, rows, size, m, seed);
    for (let k = 0; k < m; k++) {
      let b = 0;
      for (let t = 0; t < size; t++) {
        const a = axes[k * size + t]!;
        kernel[t * codeSize + k] = a;
        b -= a * mean[t]!;
      }
      bias[k] = b;
    }
  }
  const weights = tf.tidy(() => {
    const w = tf.tensor2d(kernel, [size, codeSize]);
    const bv = tf.tensor1d(bias);
    const x = tf.tensor2d(sample, [rows, size]);
    const codes = tf.matMul(x, w).add(bv);
    const p = x.clipByValue(LOGIT_CLIP, 1 - LOGIT_CLIP);
    const logits = p.div(tf.sub(1, p)).log();
    const mu = logits.mean(0);
    // Columns at zero (beyond m) get a zero row: 1 / max(Σc², tiny) · 0.
    const norms = codes.square().sum(0).maximum(1e-12).reshape([codeSize, 1]);
    const back = tf.matMul(codes, logits.sub(mu), true, false).div(norms);
    return [w, bv, back, mu];
  });
  skip.setWeights(weights.slice(0, 2));
  unskip.setWeights(weights.slice(2));
  tf.dispose(weights);
}
