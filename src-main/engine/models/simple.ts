import { buildDense } from './common.js';
import type { Autoencoder, BuildOptions } from './types.js';

/** The tutorial's defaults for the single-layer model. */
export const SIMPLE_DEFAULTS = Object.freeze({ epochs: 50, batchSize: 256, learningRate: 1e-3 });

/** Simple: Dense(code, relu) → Dense(pixels, sigmoid). Code size 32 by default. */
export function buildSimple(o: BuildOptions): Autoencoder {
  return buildDense('simple', o, [], o.codeSize ?? 32, SIMPLE_DEFAULTS);
}
