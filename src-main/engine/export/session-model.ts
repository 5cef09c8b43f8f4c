/**
 * Model weights in and out of sessions. A model is stored as its kind and
 * build options plus the values of every distinct variable of its models
 * (layers shared by the encoder, decoder and whole are stored once), in the
 * order a fresh build of the same kind and shape lists them.
 */
import * as tf from '@tensorflow/tfjs';

import type { Dataset } from '../datasets/types.js';
import type { Autoencoder } from '../models/index.js';
import { buildModel, TrainedAutoencoder } from '../training/train.js';
import { SessionError, type SessionModel } from './session.js';

/** The distinct variables of a model's parts, in a fixed order. */
function variables(parts: Autoencoder) {
  const seen = new Set<unknown>();
  const out: tf.LayerVariable[] = [];
  for (const m of [parts.autoencoder, parts.encoder, parts.decoder, ...(parts.others ?? [])]) {
    for (const v of m.weights) {
      if (seen.has(v)) continue;
      seen.add(v);
      out.push(v);
    }
  }
  return out;
}

/** Copies every weight of a trained model out of TensorFlow. */
export async function modelWeights(model: TrainedAutoencoder): Promise<SessionModel['weights']> {
  const out: SessionModel['weights'] = [];
  for (const v of variables(model.parts)) {
    const t = v.read();
    out.push({ shape: [...t.shape], data: new Float32Array(await t.data()) });
  }
  return out;
}

/**
 * A stored model whose weights do not fit what this version builds for its
 * kind and options: saved by an AE Explorer whose architecture for that kind
 * was different (or altered since). The rest of the session is still good.
 */
export class ModelMismatchError extends SessionError {
  override name = 'ModelMismatchError';
}

/**
 * Rebuilds a stored model for `ds` and loads its weights; throws
 * ModelMismatchError (and frees what it built) when they do not fit.
 */
export function restoreModel(stored: SessionModel, ds: Dataset): TrainedAutoencoder {
  const built = buildModel(stored.kind, ds, stored.params, stored.params.seed);
  const model = new TrainedAutoencoder(stored.kind, built);
  try {
    const vars = variables(model.parts);
    const older = `it was probably saved by a version of AE Explorer whose ${stored.kind} model was built differently`;
    if (vars.length !== stored.weights.length || model.codeSize !== stored.codeSize)
      throw new ModelMismatchError(
        `the stored ${stored.kind} model has ${stored.weights.length} weight arrays and a ${stored.codeSize}-d code; ` +
          `this version builds it with ${vars.length} and a ${model.codeSize}-d code: ${older}`,
      );
    vars.forEach((v, i) => {
      const w = stored.weights[i];
      if (w.shape.length !== v.shape.length || w.shape.some((s, k) => s !== v.shape[k]))
        throw new ModelMismatchError(
          `weight ${i} of the stored ${stored.kind} model has shape [${w.shape}], this version's model expects [${v.shape}]: ${older}`,
        );
    });
    vars.forEach((v, i) => {
      const t = tf.tensor(stored.weights[i].data, stored.weights[i].shape, 'float32');
      v.write(t);
      t.dispose();
    });
    return model;
  } catch (e) {
    model.dispose();
    throw e;
  }
}
