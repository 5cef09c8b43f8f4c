import { buildDense } from './common.js';
import type { Autoencoder, BuildOptions } from './types.js';

/** The tutorial's defaults for the deep fully-connected model. */
export const DEEP_DEFAULTS = Object.freeze({ epochs: 100, batchSize: 256, learningRate: 1e-3 });

/** Deep fully-connected: pixels-128-64-code(32)-64-128-pixels, relu, sigmoid output. */
export function buildDeep(o: BuildOptions): Autoencoder {
  return buildDense('deep', o, [128, 64], o.codeSize ?? 32, DEEP_DEFAULTS);
}
