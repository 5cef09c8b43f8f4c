import * as tf from '@tensorflow/tfjs';

import type { Dataset } from '../datasets/types.js';
import { itemSize } from '../datasets/types.js';

/**
 * Builds a float batch in [0, 1] from the dataset's uint8 pixels for the given
 * item indices, shaped for a model input whose shape (without the batch
 * dimension) is `inputShape`: flat for dense models, H×W×C for conv models.
 */
export function batchTensor(ds: Dataset, indices: ArrayLike<number>, inputShape: number[]): tf.Tensor {
  return tf.tensor(batchArray(ds, indices), [indices.length, ...inputShape]);
}

/** The pixels of the given items as floats in [0, 1], item after item (what `batchTensor` wraps). */
export function batchArray(ds: Dataset, indices: ArrayLike<number>): Float32Array {
  const size = itemSize(ds);
  const buf = new Float32Array(indices.length * size);
  const inv = 1 / 255;
  for (let b = 0; b < indices.length; b++) {
    const src = indices[b] * size;
    const dst = b * size;
    for (let j = 0; j < size; j++) buf[dst + j] = ds.pixels[src + j] * inv;
  }
  return buf;
}

/** Fisher–Yates shuffle in place with the given random source. */
export function shuffleInPlace(a: Int32Array, random: () => number): Int32Array {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
}

/**
 * The batch size to use when the caller gives none: the model's default
 * (the tutorial's, meant for 60,000 images), halved while an epoch would take
 * fewer than `minSteps` steps, never below 32. Small subsets then still get
 * enough optimiser steps per epoch to learn useful codes.
 */
export function autoBatchSize(defaultBatch: number, nTrain: number, minSteps = 64): number {
  let b = defaultBatch;
  while (b > 32 && Math.ceil(nTrain / b) < minSteps) b = Math.max(32, Math.floor(b / 2));
  return b;
}
