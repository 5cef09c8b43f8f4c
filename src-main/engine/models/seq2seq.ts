import * as tf from '@tensorflow/tfjs';

import { assemble, checkOptions, Initialisers } from './common.js';
import type { Autoencoder, BuildOptions } from './types.js';

/** Defaults (the tutorial gives only the architecture). */
export const SEQ2SEQ_DEFAULTS = Object.freeze({ epochs: 20, batchSize: 128, learningRate: 2e-3 });

/** Width of the decoder's LSTM. */
const DECODER_UNITS = 128;

/**
 * Sequence-to-sequence: the image is read as a sequence of its rows (height
 * steps of width·channels values); an LSTM encodes it into one vector (the
 * code, 64 by default), RepeatVector feeds that to every step of a decoder
 * LSTM returning sequences, and a per-step dense sigmoid gives the row back.
 */
export function buildSeq2seq(o: BuildOptions): Autoencoder {
  checkOptions('seq2seq', o);
  const steps = o.height;
  const rowSize = o.width * o.channels;
  const codeSize = o.codeSize ?? 64;
  const init = new Initialisers(o.seed);

  const x = tf.input({ shape: [steps, rowSize] });
  const code = tf.layers
    .lstm({ units: codeSize, kernelInitializer: init.kernel(), recurrentInitializer: init.recurrent(), name: 'code' })
    .apply(x) as tf.SymbolicTensor;
  const encoder = tf.model({ inputs: x, outputs: code, name: 'seq2seq_encoder' });

  const z = tf.input({ shape: [codeSize] });
  let d = tf.layers.repeatVector({ n: steps }).apply(z) as tf.SymbolicTensor;
  d = tf.layers
    .lstm({
      units: DECODER_UNITS,
      returnSequences: true,
      kernelInitializer: init.kernel(),
      recurrentInitializer: init.recurrent(),
    })
    .apply(d) as tf.SymbolicTensor;
  d = tf.layers
    .timeDistributed({
      layer: tf.layers.dense({ units: rowSize, activation: 'sigmoid', kernelInitializer: init.kernel() }),
    })
    .apply(d) as tf.SymbolicTensor;
  const decoder = tf.model({ inputs: z, outputs: d, name: 'seq2seq_decoder' });
  return assemble('seq2seq', encoder, decoder, SEQ2SEQ_DEFAULTS);
}
