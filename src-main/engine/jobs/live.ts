/**
 * Watching a training run: its live map (trainSnapshot events), its
 * per-batch loss (trainLoss events) and the model as trained so far, which
 * the hover card reconstructs with. The model is not a record of the state
 * chain until the run ends (a cancelled or failed run may never commit it),
 * so it is kept here, per engine, for the length of the run.
 */
import type { TrainParams } from '../../protocol.js';
import { trainSnapshotEvent } from '../events.js';
import type { LoadedDataset } from '../state.js';
import { LiveMap, type LiveMapOptions } from '../training/snapshot.js';
import type { BatchProgress, TrainedAutoencoder, TrainHooks } from '../training/train.js';
import type { JobContext } from './context.js';

/** The model of a training run under way and what it is trained on. */
export interface LiveTraining {
  readonly loaded: LoadedDataset;
  readonly model: TrainedAutoencoder;
  readonly params: TrainParams;
}

// Keyed by the engine's job context: each engine (worker, CLI, test) has its own run.
const running = new WeakMap<JobContext, LiveTraining>();

/** The model being trained on the state's dataset, if a run is under way. */
export function liveTraining(ctx: JobContext): LiveTraining | null {
  const live = running.get(ctx);
  return live && live.loaded === ctx.state.loaded ? live : null;
}

/** Milliseconds between two trainLoss events. */
export const LOSS_INTERVAL_MS = 200;

/** Hooks a training job passes to trainAutoencoder, and what it calls when the run is over. */
export interface LiveHooks {
  afterStep: NonNullable<TrainHooks['afterStep']>;
  /** Feeds one batch's loss to the throttled trainLoss series. */
  onBatch(p: BatchProgress): void;
  /** Sends the last loss point and, given the final codes, the last snapshot from them (no second encoding). */
  finish(codes: Float32Array | null, epoch: number): void;
  /** Forgets the run: the hover card goes back to the state's model (call once the job committed or failed). */
  end(): void;
  /** The live map, for its cost figures. */
  readonly map: LiveMap;
}

/**
 * Starts watching a run of job `jobId` on `loaded`. A snapshot encodes the
 * items (all, or on large data a fixed sample) with the model so far and projects the codes (training/snapshot.ts)
 * when `LiveMap.due` says the cost budget allows; a cancel during one ends it
 * quietly so the run can stop and keep its model.
 */
export function watchTraining(
  ctx: JobContext,
  jobId: string,
  loaded: LoadedDataset,
  params: TrainParams,
  signal: AbortSignal,
  options: Partial<LiveMapOptions> = {},
): LiveHooks {
  const ds = loaded.dataset;
  const map = new LiveMap(options);
  let epochs = Infinity;
  let lossSum = 0;
  let lossCount = 0;
  let lastLoss = 0;
  let step = 0;
  let stepsPerEpoch = 1;
  let mine: LiveTraining | null = null;
  // When batch 1 of the epoch under way ended, and the epoch's expected rest in ms.
  let epochStarted = 0;
  let epochLeftMs = 0;
  const flushLoss = () => {
    if (lossCount === 0) return;
    ctx.emit({ type: 'trainLoss', jobId, step, stepsPerEpoch, loss: lossSum / lossCount });
    lossSum = 0;
    lossCount = 0;
    lastLoss = performance.now();
  };
  return {
    map,
    onBatch(p) {
      epochs = p.epochs;
      stepsPerEpoch = p.batches;
      step = (p.epoch - 1) * p.batches + p.batch;
      const now = performance.now();
      if (p.batch === 1) epochStarted = now;
      epochLeftMs = p.batch > 1 ? ((now - epochStarted) / (p.batch - 1)) * (p.batches - p.batch) : Infinity;
      if (Number.isFinite(p.batchLoss)) {
        lossSum += p.batchLoss;
        lossCount++;
      }
      if (performance.now() - lastLoss >= LOSS_INTERVAL_MS || p.batch === p.batches) flushLoss();
    },
    async afterStep(model, at) {
      if (mine?.model !== model) running.set(ctx, (mine = { loaded, model, params }));
      // The last epoch's map comes from the final codes, which the job encodes anyway; a mid-epoch
      // one only where the epoch is long (large data), not just before its end's.
      if (signal.aborted || (at.endOfEpoch && at.epoch >= epochs)) return;
      if (!at.endOfEpoch && epochLeftMs < map.options.intervalMs) return;
      if (!map.due(at.endOfEpoch)) return;
      const t0 = performance.now();
      const items = map.items(ds.n);
      let codes: Float32Array;
      try {
        codes = await model.encode(ds, items ?? undefined, { signal });
      } catch (e) {
        if (signal.aborted) return;
        throw e;
      }
      const positions = map.project(codes, model.codeSize, items);
      map.spent(t0);
      ctx.emit(trainSnapshotEvent(jobId, at, positions, items, (performance.now() - t0) / 1000));
    },
    finish(codes, epoch) {
      flushLoss();
      if (!codes || !mine) return;
      const t0 = performance.now();
      const positions = map.project(codes, mine.model.codeSize);
      ctx.emit(
        trainSnapshotEvent(jobId, { epoch, endOfEpoch: true }, positions, null, (performance.now() - t0) / 1000),
      );
    },
    end() {
      // Another run started since (a second train job) is not this one's to forget.
      if (mine && running.get(ctx) === mine) running.delete(ctx);
    },
  };
}
