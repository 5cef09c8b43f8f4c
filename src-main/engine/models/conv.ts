import { assemble, checkOptions, Initialisers } from './common.js';
import { buildConvPair } from './spatial.js';
import type { Autoencoder, BuildOptions } from './types.js';

/** The tutorial's (and the project seed's) defaults. */
export const CONV_DEFAULTS = Object.freeze({ epochs: 50, batchSize: 128, learningRate: 1e-3 });

/**
 * Deep convolutional (the project seed's model): Conv16-pool-Conv8-pool-Conv8-pool
 * (3×3, same) to a code of 4×4×8 = 128 for 28×28 images; decoder
 * Conv8-up-Conv8-up-Conv16-up-Conv(channels, sigmoid). Where the tutorial
 * uses one `valid` conv to turn 16 into 14 rows, we crop the first
 * upsampling from 8 to 7 rows (spatial.ts `decoderCrops`), which does the
 * same for every image size.
 * `codeSize` does not apply: the code's size follows from the image's.
 */
export function buildConv(o: BuildOptions): Autoencoder {
  checkOptions('conv', o);
  const init = new Initialisers(o.seed);
  const { encoder, decoder } = buildConvPair('conv', o, [16, 8, 8], [8, 8, 16], () => init.kernel());
  return assemble('conv', encoder, decoder, CONV_DEFAULTS);
}
