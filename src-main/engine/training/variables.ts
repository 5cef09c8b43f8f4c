import type * as tf from '@tensorflow/tfjs';

import type { Autoencoder } from '../models/index.js';

/**
 * Every trainable variable of an autoencoder, each once, in the order its
 * models list them — the same order in every thread that builds the same
 * kind, which is how the threads of data-parallel training match gradients
 * to weights (variable names carry process-wide counters and differ).
 */
export function trainableVariables(built: Autoencoder): tf.Variable[] {
  const seen = new Set<number>();
  const out: tf.Variable[] = [];
  for (const m of [built.autoencoder, built.encoder, built.decoder, ...(built.others ?? [])])
    for (const w of m.trainableWeights) {
      const v = w.read() as tf.Variable;
      if (!seen.has(v.id)) {
        seen.add(v.id);
        out.push(v);
      }
    }
  return out;
}
