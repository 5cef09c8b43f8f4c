import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import * as tf from '@tensorflow/tfjs';

import { MODEL_KINDS, type ModelKind } from '../../protocol.js';
import { TrainedAutoencoder } from './train.js';

/** What `meta.json` records next to the two TF.js models. */
interface SavedMeta {
  format: 'ae-explorer-autoencoder';
  version: 1;
  kind: ModelKind;
  codeSize: number;
  inputShape: number[];
}

/** Writes one layers model as TF.js's model.json + weights.bin into `dir`. */
async function saveLayersModel(model: tf.LayersModel, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const weights = a.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(a.weightData);
      const json = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: null,
        modelTopology: a.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs ?? [] }],
      };
      await writeFile(path.join(dir, 'weights.bin'), new Uint8Array(weights));
      await writeFile(path.join(dir, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
    }),
  );
}

/** Reads a model written by `saveLayersModel` (or any TF.js layers model with one weights file). */
async function loadLayersModel(dir: string): Promise<tf.LayersModel> {
  const json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8')) as {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const buffers = await Promise.all(
    json.weightsManifest.flatMap((g) => g.paths).map(async (p) => new Uint8Array(await readFile(path.join(dir, p)))),
  );
  const joined = new Uint8Array(buffers.reduce((n, b) => n + b.length, 0));
  let o = 0;
  for (const b of buffers) {
    joined.set(b, o);
    o += b.length;
  }
  return tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs, weightData: joined.buffer }),
  );
}

/**
 * Saves a trained autoencoder to a folder in TF.js format: encoder/ and
 * decoder/ (each model.json + weights.bin) and meta.json naming the kind.
 * The whole autoencoder is their composition, rebuilt on load.
 */
export async function saveAutoencoder(model: TrainedAutoencoder, dir: string): Promise<void> {
  await saveLayersModel(model.parts.encoder, path.join(dir, 'encoder'));
  await saveLayersModel(model.parts.decoder, path.join(dir, 'decoder'));
  const meta: SavedMeta = {
    format: 'ae-explorer-autoencoder',
    version: 1,
    kind: model.kind,
    codeSize: model.codeSize,
    inputShape: model.parts.autoencoder.inputs[0]!.shape.slice(1) as number[],
  };
  await writeFile(path.join(dir, 'meta.json'), JSON.stringify(meta, null, 2));
}

/**
 * Loads an autoencoder written by `saveAutoencoder`, ready to encode and
 * reconstruct images of the shape it was trained on. Throws a clear error
 * for a folder that is not one.
 */
export async function loadAutoencoder(dir: string): Promise<TrainedAutoencoder> {
  let meta: SavedMeta;
  try {
    meta = JSON.parse(await readFile(path.join(dir, 'meta.json'), 'utf8')) as SavedMeta;
  } catch (e) {
    throw new Error(`${dir}: not a saved autoencoder (${(e as Error).message})`, { cause: e });
  }
  if (meta.format !== 'ae-explorer-autoencoder' || !MODEL_KINDS.includes(meta.kind))
    throw new Error(`${dir}: meta.json does not describe an AE Explorer autoencoder`);
  const encoder = await loadLayersModel(path.join(dir, 'encoder'));
  const decoder = await loadLayersModel(path.join(dir, 'decoder'));
  const input = tf.input({ shape: meta.inputShape });
  const output = decoder.apply(encoder.apply(input)) as tf.SymbolicTensor;
  const autoencoder = tf.model({ inputs: input, outputs: output });
  return new TrainedAutoencoder(meta.kind, { encoder, decoder, autoencoder, codeSize: meta.codeSize });
}
