import os from 'node:os';
import type { Worker } from 'node:worker_threads';

import * as tf from '@tensorflow/tfjs';

import type { ModelKind } from '../../protocol.js';
import type { BackendName } from '../backends/select.js';
import type { Dataset } from '../datasets/types.js';
import type { Autoencoder, BuildOptions } from '../models/index.js';
import { startWorker } from '../util/threads.js';
import { batchArray, batchTensor } from './batches.js';

/** What the helper thread needs to build the same model (passed as workerData). */
export interface HelperInit {
  backend: BackendName;
  kind: ModelKind;
  build: BuildOptions;
}

/** One step's work for the helper: the current weights (in `trainableVariables` order) and its share of the batch. */
export interface HelperStep {
  weights: Float32Array[];
  x: Float32Array;
  n: number;
  seed: number;
}

/** The helper's messages: ready once built, then one `grads` (or `error`) per step. */
export type HelperReply =
  | { type: 'ready'; backend: BackendName; shapes: number[][] }
  /** `tensors`: tensors alive in the helper after the step, so a leak there shows in tests. */
  | { type: 'grads'; loss: number; grads: (Float32Array | null)[]; tensors: number }
  | { type: 'error'; message: string };

/**
 * Batches smaller than this train on the calling thread alone: with halves
 * of a few images the two thread wake-ups per step cost more than they save.
 */
export const MIN_PARALLEL_BATCH = 64;

/**
 * The kinds whose steps are long enough to split. Measured with
 * `npm run bench:train -- --compare` (5,000 images, batch 256, load ~7 on 2
 * cores): the fully-connected kinds (simple, sparse, deep, VAE) take 1–3 ms
 * per half-step, so the message round trip and weight transfer made them
 * 2× slower on two threads; the convolutional and recurrent kinds take tens
 * of milliseconds per half-step.
 */
export const PARALLEL_KINDS: ReadonlySet<ModelKind> = new Set(['conv', 'denoising', 'seq2seq']);

/**
 * How many threads training uses: 2 on wasm and cpu for `PARALLEL_KINDS`
 * (any kind when `kind` is left out) where the machine has two cores or
 * more — TF.js 4.22 keeps wasm single-threaded under Node (tfjs#3830), so we
 * split each batch across two threads ourselves — and 1 on tfjs-node (its
 * native ops are threaded already) or where AE_TRAIN_THREADS=1.
 */
export function trainingThreads(backend: string, kind?: ModelKind): number {
  if (backend !== 'wasm' && backend !== 'cpu') return 1;
  if (kind && !PARALLEL_KINDS.has(kind)) return 1;
  const env = Number(process.env.AE_TRAIN_THREADS);
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const want = Number.isInteger(env) && env >= 1 ? env : cores;
  return Math.min(2, want);
}

/** The backend as the engine reports it, e.g. "wasm ×2 threads". */
export function describeBackend(backend: string): string {
  const threads = trainingThreads(backend);
  return threads > 1 ? `${backend} ×${threads} threads` : backend;
}

/**
 * The second thread of data-parallel training: computes the loss and the
 * gradients of its share of each batch with the weights it is handed.
 */
export class GradientHelper {
  private waiting: { resolve: (r: HelperReply) => void; reject: (e: Error) => void } | null = null;
  private failure: Error | null = null;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: HelperReply) => this.settle(m));
    worker.on('error', (e) => this.fail(e));
    worker.on('exit', (code) => this.fail(new Error(`training helper thread exited (code ${code})`)));
  }

  private settle(m: HelperReply): void {
    const w = this.waiting;
    this.waiting = null;
    w?.resolve(m);
  }

  private fail(e: Error): void {
    this.failure ??= e;
    const w = this.waiting;
    this.waiting = null;
    w?.reject(e);
  }

  private next(): Promise<HelperReply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  /**
   * Starts a helper that builds the same model as `built` (same kind, shape
   * and seed) on the same backend; rejects if it cannot, so the caller can
   * train on one thread instead.
   */
  static async start(init: HelperInit, built: Autoencoder, vars: tf.Variable[]): Promise<GradientHelper> {
    const helper = new GradientHelper(startWorker(import.meta.url, 'gradient-worker', { workerData: init }));
    try {
      const ready = await helper.next();
      if (ready.type === 'error') throw new Error(ready.message);
      if (ready.type !== 'ready') throw new Error(`training helper sent ${ready.type} before ready`);
      if (ready.backend !== init.backend)
        throw new Error(`training helper runs ${ready.backend}, not ${init.backend}: results would differ`);
      const same =
        ready.shapes.length === vars.length &&
        built.kind === init.kind &&
        ready.shapes.every((s, i) => s.join() === vars[i]!.shape.join());
      if (!same) throw new Error(`training helper built a different ${built.kind} model`);
      return helper;
    } catch (e) {
      await helper.close();
      throw e;
    }
  }

  /** Sends one step's work; the answer is awaited with the returned promise. */
  compute(step: HelperStep): Promise<Extract<HelperReply, { type: 'grads' }>> {
    const answer = this.next();
    this.worker.postMessage(step, [step.x.buffer as ArrayBuffer, ...step.weights.map((w) => w.buffer as ArrayBuffer)]);
    return answer.then((m) => {
      if (m.type === 'error') throw new Error(`training helper thread: ${m.message}`);
      if (m.type !== 'grads') throw new Error(`training helper sent ${m.type} instead of gradients`);
      return m;
    });
  }

  /** Stops the thread (within milliseconds: terminate interrupts a running step). */
  async close(): Promise<void> {
    this.failure ??= new Error('training helper closed');
    await this.worker.terminate();
  }
}

/**
 * One optimiser step with the batch split across this thread and the helper:
 * the first half here, the second there, in parallel; the two gradients are
 * averaged, weighted by the halves' sizes (every objective is a mean over
 * items), and applied here. The same batch, seed and backend give the same
 * update every time. Returns the batch's loss.
 */
export async function parallelStep(
  built: Autoencoder,
  vars: tf.Variable[],
  optimizer: tf.Optimizer,
  helper: GradientHelper,
  ds: Dataset,
  idx: Int32Array,
  seed: number,
): Promise<number> {
  const nA = Math.ceil(idx.length / 2);
  const nB = idx.length - nA;
  // The helper starts first so both threads work at once; its weights are copies (sent, not shared).
  const pending = helper.compute({
    weights: vars.map((v) => (v.dataSync() as Float32Array).slice()),
    x: batchArray(ds, idx.subarray(nA)),
    n: nB,
    // A different seed for the second half, so noise or sampling does not repeat across the halves.
    seed: seed + 1,
  });
  const x = batchTensor(ds, idx.subarray(0, nA), built.inputShape);
  const { value, grads } = tf.variableGrads(() => built.loss(x, { seed }), vars);
  const lossA = (await value.data())[0]!;
  let other: Awaited<typeof pending>;
  try {
    other = await pending;
  } finally {
    tf.dispose([x, value]);
  }
  const wA = nA / idx.length;
  const wB = nB / idx.length;
  tf.tidy(() => {
    const combined: tf.NamedTensorMap = {};
    vars.forEach((v, i) => {
      const a = grads[v.name];
      const b = other.grads[i];
      if (a && b) combined[v.name] = a.mul(wA).add(tf.tensor(b, v.shape).mul(wB));
      else if (a) combined[v.name] = a.mul(wA);
      else if (b) combined[v.name] = tf.tensor(b, v.shape).mul(wB);
    });
    optimizer.applyGradients(combined);
  });
  tf.dispose(Object.values(grads));
  return lossA * wA + other.loss * wB;
}
