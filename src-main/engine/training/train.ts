import * as tf from '@tensorflow/tfjs';
import type { EpochLog, ModelKind, TrainParams } from '../../protocol.js';
import type { Dataset } from '../datasets/types.js';
import { itemSize } from '../datasets/types.js';
import { batchTensor, mulberry32, shuffleInPlace, yieldToEventLoop } from './batches.js';

/** The three models of a trained autoencoder: the encoder and decoder share layers with the whole. */
export interface AutoencoderParts {
  encoder: tf.LayersModel;
  decoder: tf.LayersModel;
  autoencoder: tf.LayersModel;
  codeSize: number;
}

/** Per-batch progress of a training run. */
export interface BatchProgress {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  loss: number;
  imagesPerSecond: number;
  etaSeconds: number;
}

/** Callbacks and cancellation for a training run. */
export interface TrainHooks {
  signal?: AbortSignal;
  onBatch?: (p: BatchProgress) => void;
  onEpoch?: (log: EpochLog) => void;
}

/** Defaults of the training run when the caller leaves a field out. */
export const TRAIN_DEFAULTS = Object.freeze({
  epochs: 10,
  batchSize: 256,
  learningRate: 1e-3,
  codeSize: 32,
  validationSplit: 0.1,
  seed: 1,
});

/** Result of trainAutoencoder: the model (usable even when cancelled) and its history. */
export interface TrainResult {
  model: TrainedAutoencoder;
  epochs: EpochLog[];
  cancelled: boolean;
}

/**
 * Builds the deep fully-connected autoencoder of the foundation slice:
 * input-256-64-code and back (relu, sigmoid output). Pure: no training.
 */
export function buildDeepDense(inputSize: number, codeSize: number): AutoencoderParts {
  const input = tf.input({ shape: [inputSize] });
  let h = tf.layers.dense({ units: 256, activation: 'relu' }).apply(input) as tf.SymbolicTensor;
  h = tf.layers.dense({ units: 64, activation: 'relu' }).apply(h) as tf.SymbolicTensor;
  const code = tf.layers.dense({ units: codeSize, activation: 'relu', name: 'code' }).apply(h) as tf.SymbolicTensor;
  const decLayers = [
    tf.layers.dense({ units: 64, activation: 'relu' }),
    tf.layers.dense({ units: 256, activation: 'relu' }),
    tf.layers.dense({ units: inputSize, activation: 'sigmoid' }),
  ];
  const codeIn = tf.input({ shape: [codeSize] });
  let d: tf.SymbolicTensor = codeIn;
  let full: tf.SymbolicTensor = code;
  for (const layer of decLayers) {
    d = layer.apply(d) as tf.SymbolicTensor;
    full = layer.apply(full) as tf.SymbolicTensor;
  }
  return {
    encoder: tf.model({ inputs: input, outputs: code }),
    decoder: tf.model({ inputs: codeIn, outputs: d }),
    autoencoder: tf.model({ inputs: input, outputs: full }),
    codeSize,
  };
}

/** Builds the model for a kind. The foundation slice trains the deep fully-connected kind. */
export function buildModel(kind: ModelKind, ds: Dataset, codeSize: number): AutoencoderParts {
  if (kind !== 'deep') throw new Error(`model "${kind}" is not available yet; use "deep"`);
  return buildDeepDense(itemSize(ds), codeSize);
}

/** A trained autoencoder bound to the shape of the dataset it was trained on. */
export class TrainedAutoencoder {
  constructor(
    readonly kind: ModelKind,
    readonly parts: AutoencoderParts,
  ) {}

  get codeSize(): number {
    return this.parts.codeSize;
  }

  private get inputShape(): number[] {
    return this.parts.autoencoder.inputs[0].shape.slice(1) as number[];
  }

  /** Codes of the given items (default: all), n×codeSize row-major. */
  async encode(ds: Dataset, indices?: Int32Array, hooks: { signal?: AbortSignal } = {}): Promise<Float32Array> {
    const idx = indices ?? Int32Array.from({ length: ds.n }, (_, i) => i);
    const out = new Float32Array(idx.length * this.codeSize);
    const B = 1024;
    for (let s = 0; s < idx.length; s += B) {
      hooks.signal?.throwIfAborted();
      const part = idx.subarray(s, Math.min(idx.length, s + B));
      const x = batchTensor(ds, part, this.inputShape);
      const y = this.parts.encoder.predict(x) as tf.Tensor;
      out.set(await y.data(), s * this.codeSize);
      tf.dispose([x, y]);
      await yieldToEventLoop();
    }
    return out;
  }

  /** Reconstructions of the given items as values in [0, 1], flat per item. */
  async reconstruct(ds: Dataset, indices: Int32Array): Promise<Float32Array> {
    const x = batchTensor(ds, indices, this.inputShape);
    const y = this.parts.autoencoder.predict(x) as tf.Tensor;
    const out = (await y.data()) as Float32Array;
    tf.dispose([x, y]);
    return out;
  }

  /** Mean per-pixel binary cross-entropy of every item's reconstruction. */
  async reconstructionErrors(ds: Dataset, hooks: { signal?: AbortSignal } = {}): Promise<Float32Array> {
    const errors = new Float32Array(ds.n);
    const B = 1024;
    for (let s = 0; s < ds.n; s += B) {
      hooks.signal?.throwIfAborted();
      const idx = Int32Array.from({ length: Math.min(B, ds.n - s) }, (_, i) => s + i);
      const e = tf.tidy(() => {
        const x = batchTensor(ds, idx, this.inputShape);
        const y = this.parts.autoencoder.predict(x) as tf.Tensor;
        return bcePerItem(x, y);
      });
      errors.set(await e.data(), s);
      e.dispose();
      await yieldToEventLoop();
    }
    return errors;
  }

  /**
   * Frees the weights. Layers shared by several of the three models hold one
   * reference per model that applied them, so each model is disposed in turn.
   */
  dispose(): void {
    for (const m of [this.parts.autoencoder, this.parts.encoder, this.parts.decoder]) {
      try {
        m.dispose();
      } catch {
        // Already released through another model sharing its layers.
      }
    }
  }
}

/** Per-item mean binary cross-entropy between x and its reconstruction y. */
export function bcePerItem(x: tf.Tensor, y: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    const eps = 1e-7;
    const yc = y.clipByValue(eps, 1 - eps);
    const l = x.mul(yc.log()).add(tf.scalar(1).sub(x).mul(tf.scalar(1).sub(yc).log())).neg();
    return l.reshape([x.shape[0], -1]).mean(1) as tf.Tensor1D;
  });
}

/**
 * Trains an autoencoder on the dataset with Adam and binary cross-entropy,
 * batch by batch so that progress is reported and a cancel (the signal)
 * takes effect after the current batch; the model trained so far is returned.
 */
export async function trainAutoencoder(ds: Dataset, params: TrainParams, hooks: TrainHooks = {}): Promise<TrainResult> {
  const epochs = params.epochs ?? TRAIN_DEFAULTS.epochs;
  const batchSize = Math.max(1, params.batchSize ?? TRAIN_DEFAULTS.batchSize);
  const codeSize = params.codeSize ?? TRAIN_DEFAULTS.codeSize;
  const valSplit = Math.min(0.5, Math.max(0, params.validationSplit ?? TRAIN_DEFAULTS.validationSplit));
  const random = mulberry32(params.seed ?? TRAIN_DEFAULTS.seed);
  if (ds.n < 2) throw new Error(`${ds.name}: need at least 2 images to train, found ${ds.n}`);

  const parts = buildModel(params.model, ds, codeSize);
  const model = new TrainedAutoencoder(params.model, parts);
  const optimizer = tf.train.adam(params.learningRate ?? TRAIN_DEFAULTS.learningRate);
  parts.autoencoder.compile({ optimizer, loss: 'binaryCrossentropy' });
  const inputShape = parts.autoencoder.inputs[0].shape.slice(1) as number[];

  const order = shuffleInPlace(Int32Array.from({ length: ds.n }, (_, i) => i), random);
  const nVal = valSplit > 0 ? Math.max(1, Math.floor(ds.n * valSplit)) : 0;
  const valIdx = order.slice(0, nVal);
  const trainIdx = order.slice(nVal);
  const batches = Math.ceil(trainIdx.length / batchSize);
  const history: EpochLog[] = [];
  const started = performance.now();
  let imagesDone = 0;
  const imagesTotal = epochs * trainIdx.length;
  let cancelled = false;

  outer: for (let epoch = 1; epoch <= epochs; epoch++) {
    const t0 = performance.now();
    shuffleInPlace(trainIdx, random);
    let lossSum = 0;
    let seen = 0;
    for (let b = 0; b < batches; b++) {
      if (hooks.signal?.aborted) {
        cancelled = true;
        break outer;
      }
      const idx = trainIdx.subarray(b * batchSize, Math.min(trainIdx.length, (b + 1) * batchSize));
      const x = batchTensor(ds, idx, inputShape);
      const loss = (await parts.autoencoder.trainOnBatch(x, x)) as number;
      x.dispose();
      lossSum += loss * idx.length;
      seen += idx.length;
      imagesDone += idx.length;
      const elapsed = (performance.now() - started) / 1000;
      const rate = imagesDone / Math.max(elapsed, 1e-6);
      hooks.onBatch?.({
        epoch,
        epochs,
        batch: b + 1,
        batches,
        loss: lossSum / seen,
        imagesPerSecond: rate,
        etaSeconds: (imagesTotal - imagesDone) / rate,
      });
      await yieldToEventLoop();
    }
    const log: EpochLog = { epoch, loss: lossSum / seen, seconds: (performance.now() - t0) / 1000 };
    if (nVal > 0) log.valLoss = await meanLoss(model, ds, valIdx, inputShape);
    history.push(log);
    hooks.onEpoch?.(log);
  }
  optimizer.dispose();
  return { model, epochs: history, cancelled };
}

/** Mean per-pixel BCE of the model over the given items. */
async function meanLoss(model: TrainedAutoencoder, ds: Dataset, idx: Int32Array, inputShape: number[]): Promise<number> {
  let sum = 0;
  const B = 1024;
  for (let s = 0; s < idx.length; s += B) {
    const part = idx.subarray(s, Math.min(idx.length, s + B));
    const t = tf.tidy(() => {
      const x = batchTensor(ds, part, inputShape);
      return bcePerItem(x, model.parts.autoencoder.predict(x) as tf.Tensor).sum();
    });
    sum += (await t.data())[0];
    t.dispose();
  }
  return sum / idx.length;
}
