import * as tf from '@tensorflow/tfjs';

import type { EpochLog, ModelKind, TrainParams } from '../../protocol.js';
import type { BackendName } from '../backends/select.js';
import { type Dataset, itemSize } from '../datasets/types.js';
import { type Autoencoder, buildAutoencoder, type BuildOptions } from '../models/index.js';
import { defaultEpochs, learningRateAt } from '../models/recipe.js';
import { checkModelSize, MAX_MODEL_BYTES } from '../models/size.js';
import { createRandom } from '../util/random.js';
import { yieldToEventLoop } from '../util/slicer.js';
import { FusedAdam } from './adam.js';
import { autoBatchSize, batchArray, batchTensor, shuffleInPlace } from './batches.js';
import { GradientHelper, MIN_PARALLEL_BATCH, parallelStep, trainingThreads } from './parallel.js';
import { trainableVariables } from './variables.js';

/** The build options a training run takes from its parameters (codeSize and the kind-specific ones). */
export function buildOptionsOf(params: Pick<TrainParams, 'codeSize' | 'noiseLevel' | 'l1'>): Partial<BuildOptions> {
  return {
    ...(params.codeSize !== undefined ? { codeSize: params.codeSize } : {}),
    ...(params.noiseLevel !== undefined ? { noiseLevel: params.noiseLevel } : {}),
    ...(params.l1 !== undefined ? { l1: params.l1 } : {}),
  };
}

/** Per-batch progress of a training run. */
export interface BatchProgress {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  loss: number;
  /** This batch's own loss (`loss` is the epoch's running mean). */
  batchLoss: number;
  imagesPerSecond: number;
  etaSeconds: number;
}

/** Callbacks and cancellation for a training run. */
export interface TrainHooks {
  signal?: AbortSignal;
  onBatch?: (p: BatchProgress) => void;
  onEpoch?: (log: EpochLog) => void;
  /**
   * Early stopping: stop after this many epochs without a lower validation
   * loss (needs a validation split; 0 disables). Default 5.
   */
  patience?: number;
  /**
   * Threads to train with: 2 splits every batch across this thread and a
   * helper (data parallelism, wasm and cpu only). Default `trainingThreads()`:
   * 2 for the convolutional and recurrent kinds, 1 for the others.
   */
  threads?: number;
  /** Largest model to build, in bytes of float32 weights (default `MAX_MODEL_BYTES`). */
  maxModelBytes?: number;
  /**
   * Awaited after every batch and again after every epoch (`endOfEpoch`),
   * with the model as trained so far: the live map encodes with it. The
   * weights are not touched while it runs; a throw fails the run, so a hook
   * that may be cancelled returns instead.
   */
  afterStep?: (model: TrainedAutoencoder, at: { epoch: number; endOfEpoch: boolean }) => Promise<void>;
}

/**
 * Defaults of the training run when the caller leaves a field out; epochs,
 * batch size, learning rate and code size are each kind's own (models/).
 */
export const TRAIN_DEFAULTS = Object.freeze({
  validationSplit: 0.1,
  seed: 1,
});

/** Training images a model's `initialise` sees (the wide model's PCA: 5,000×784 fits in about 0.3 s). */
export const INIT_SAMPLE_ROWS = 5000;

/**
 * Values (rows × pixels) the sample may hold: 4,000,000 floats, 16 MB, so large
 * colour images take fewer rows (64×64×3: 325) and the fit stays well under a
 * second and a few copies of the sample in memory.
 */
export const INIT_SAMPLE_VALUES = 4_000_000;

/** Rows of the sample `initialise` gets for images of `size` values, out of `nTrain`: at least 2. */
export function initSampleRows(size: number, nTrain: number): number {
  return Math.min(nTrain, INIT_SAMPLE_ROWS, Math.max(2, Math.floor(INIT_SAMPLE_VALUES / size)));
}

/** Result of trainAutoencoder: the model (usable even when cancelled) and its history. */
export interface TrainResult {
  model: TrainedAutoencoder;
  epochs: EpochLog[];
  cancelled: boolean;
  /** True when early stopping ended the run before `epochs`. */
  stoppedEarly: boolean;
  /** Threads that trained (2 = data-parallel); `threadsNote` says why a second one was not used. */
  threads: number;
  threadsNote?: string;
}

/**
 * Builds the model of any of the seven kinds for the dataset's image shape
 * (see models/). `codeSize` applies to the kinds where it is free. Throws
 * when the model's weights would exceed `MAX_MODEL_BYTES` (models/size.ts).
 */
export function buildModel(
  kind: ModelKind,
  ds: Dataset,
  params: Pick<TrainParams, 'codeSize' | 'noiseLevel' | 'l1'> = {},
  seed?: number,
  maxModelBytes = MAX_MODEL_BYTES,
): Autoencoder {
  const options: BuildOptions = {
    height: ds.height,
    width: ds.width,
    channels: ds.channels,
    ...buildOptionsOf(params),
    ...(seed !== undefined ? { seed } : {}),
  };
  // Before TF.js allocates anything: a model too big for memory is refused with the bound, not an out-of-memory.
  checkModelSize(kind, options, maxModelBytes);
  return buildAutoencoder(kind, options);
}

/** A trained autoencoder bound to the shape of the dataset it was trained on. */
export class TrainedAutoencoder {
  constructor(
    readonly kind: ModelKind,
    readonly parts: Autoencoder,
  ) {}

  get codeSize(): number {
    return this.parts.codeSize;
  }

  private get inputShape(): number[] {
    return this.parts.inputShape;
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
   * reference per model that applied them, so each model is disposed in turn;
   * the extra models (VAE head) first, else their own layers are never reached.
   */
  dispose(): void {
    for (const m of [...(this.parts.others ?? []), this.parts.autoencoder, this.parts.encoder, this.parts.decoder]) {
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
    const l = x
      .mul(yc.log())
      .add(tf.scalar(1).sub(x).mul(tf.scalar(1).sub(yc).log()))
      .neg();
    return l.reshape([x.shape[0], -1]).mean(1) as tf.Tensor1D;
  });
}

/**
 * Trains an autoencoder of any kind on the dataset with Adam on the kind's own
 * objective (models/: BCE, plus the L1 code penalty, noisy inputs or the VAE's
 * KL term), batch by batch so that progress is reported and a cancel (the
 * signal) takes effect after the current batch; the model trained so far is
 * returned. Omitted batch size and learning rate take the kind's defaults;
 * omitted epochs the kind's own (wide: 1), or 10 (models/recipe.ts), and the
 * learning rate follows the kind's schedule. The same seed gives the same run on the same backend (weights,
 * shuffling, noise and sampling all draw from it). With a validation split,
 * training stops early after `hooks.patience` epochs without improvement.
 */
export async function trainAutoencoder(ds: Dataset, params: TrainParams, hooks: TrainHooks = {}): Promise<TrainResult> {
  const valSplit = Math.min(0.5, Math.max(0, params.validationSplit ?? TRAIN_DEFAULTS.validationSplit));
  const seed = params.seed ?? TRAIN_DEFAULTS.seed;
  const random = createRandom(seed).next;
  const patience = Math.max(0, hooks.patience ?? 5);
  if (ds.n < 2) throw new Error(`${ds.name}: need at least 2 images to train, found ${ds.n}`);
  const built = buildModel(params.model, ds, params, seed, hooks.maxModelBytes);
  const model = new TrainedAutoencoder(params.model, built);
  const baseRate = params.learningRate ?? built.defaults.learningRate;
  const optimizer = new FusedAdam(baseRate);
  const inputShape = built.inputShape;
  const stepSeed = () => Math.floor(random() * 2 ** 31);

  const order = shuffleInPlace(
    Int32Array.from({ length: ds.n }, (_, i) => i),
    random,
  );
  const nVal = valSplit > 0 ? Math.max(1, Math.floor(ds.n * valSplit)) : 0;
  const valIdx = order.slice(0, nVal);
  const trainIdx = order.slice(nVal);
  const batchSize = Math.max(1, params.batchSize ?? autoBatchSize(built.defaults.batchSize, trainIdx.length));
  const batches = Math.ceil(trainIdx.length / batchSize);
  const epochs = params.epochs ?? defaultEpochs(built.defaults);
  if (built.initialise) {
    // trainIdx is in shuffled order: its head is a uniform sample of the training images.
    const head = trainIdx.subarray(0, initSampleRows(itemSize(ds), trainIdx.length));
    try {
      built.initialise(batchArray(ds, head), head.length);
    } catch (e) {
      optimizer.dispose();
      model.dispose();
      throw e;
    }
  }
  let step = 0;
  const history: EpochLog[] = [];
  const started = performance.now();
  let imagesDone = 0;
  const imagesTotal = epochs * trainIdx.length;
  let cancelled = false;
  let stoppedEarly = false;
  let best = Infinity;
  let sinceBest = 0;

  const vars = trainableVariables(built);
  let helper: GradientHelper | null = null;
  let threadsNote: string | undefined;
  if ((hooks.threads ?? trainingThreads(tf.getBackend(), params.model)) > 1) {
    try {
      helper = await GradientHelper.start(
        {
          backend: tf.getBackend() as BackendName,
          kind: params.model,
          build: {
            height: ds.height,
            width: ds.width,
            channels: ds.channels,
            seed,
            ...buildOptionsOf(params),
          },
        },
        built,
        vars,
      );
    } catch (e) {
      threadsNote = `training on one thread: ${(e as Error).message}`;
    }
  }
  try {
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
        const s = stepSeed();
        setLearningRate(optimizer, learningRateAt(built.defaults, baseRate, step++, epochs * batches));
        let loss: number | null = null;
        if (helper && idx.length >= MIN_PARALLEL_BATCH) {
          try {
            loss = await parallelStep(built, vars, optimizer, helper, ds, idx, s);
          } catch (e) {
            // No update was applied: the step is redone on this thread, as is the rest of the run.
            threadsNote = `helper thread failed, training went on with one thread: ${(e as Error).message}`;
            await helper.close();
            helper = null;
          }
        }
        if (loss === null) {
          const x = batchTensor(ds, idx, inputShape);
          // The variables in `vars` order on both paths: Adam keeps its moments by position, not by name.
          const lossTensor = optimizer.minimize(() => built.loss(x, { seed: s }), true, vars)!;
          loss = (await lossTensor.data())[0]!;
          tf.dispose([x, lossTensor]);
        }
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
          batchLoss: loss,
          imagesPerSecond: rate,
          etaSeconds: (imagesTotal - imagesDone) / rate,
        });
        if (hooks.afterStep) await hooks.afterStep(model, { epoch, endOfEpoch: false });
        await yieldToEventLoop();
      }
      const log: EpochLog = { epoch, loss: lossSum / seen, seconds: (performance.now() - t0) / 1000 };
      if (nVal > 0) log.valLoss = await meanObjective(built, ds, valIdx);
      history.push(log);
      hooks.onEpoch?.(log);
      if (hooks.afterStep) await hooks.afterStep(model, { epoch, endOfEpoch: true });
      if (log.valLoss !== undefined && patience > 0) {
        // (best starts at Infinity, where a relative margin would be NaN.)
        if (best === Infinity || log.valLoss < best - 1e-6 * Math.abs(best)) {
          best = log.valLoss;
          sinceBest = 0;
        } else if (++sinceBest >= patience && epoch < epochs) {
          stoppedEarly = true;
          break;
        }
      }
    }
  } catch (e) {
    // A run that fails (an op out of memory, a throwing callback) leaves no weights or optimiser state behind.
    optimizer.dispose();
    model.dispose();
    throw e;
  } finally {
    await helper?.close();
  }
  optimizer.dispose();
  return {
    model,
    epochs: history,
    cancelled,
    stoppedEarly,
    threads: helper ? 2 : 1,
    ...(threadsNote ? { threadsNote } : {}),
  };
}

/** Sets Adam's learning rate for the next step (read on every step); the moments are untouched. */
function setLearningRate(optimizer: FusedAdam, rate: number): void {
  optimizer.learningRate = rate;
}

/**
 * The training objective averaged over the given items (no weight update),
 * so train and validation loss are the same quantity. Random draws (noise,
 * VAE sampling) use a fixed seed so epochs compare fairly.
 */
async function meanObjective(built: Autoencoder, ds: Dataset, idx: Int32Array): Promise<number> {
  let sum = 0;
  const B = 512;
  for (let s = 0; s < idx.length; s += B) {
    const part = idx.subarray(s, Math.min(idx.length, s + B));
    const t = tf.tidy(() => built.loss(batchTensor(ds, part, built.inputShape), { seed: 1234 + s }).mul(part.length));
    sum += (await t.data())[0]!;
    t.dispose();
    await yieldToEventLoop();
  }
  return sum / idx.length;
}
