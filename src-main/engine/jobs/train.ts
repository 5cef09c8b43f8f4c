import type { TrainParams } from '../../protocol.js';
import { trainedEvent } from '../events.js';
import { type LoadedDataset, type Trained, withTrained } from '../state.js';
import { trainAutoencoder } from '../training/train.js';
import { type JobContext, needLoaded } from './context.js';
import { type LiveHooks, watchTraining } from './live.js';

/**
 * Trains a model on the loaded dataset, encodes every item and replaces the
 * Trained record (the projection of the old codes goes with it). The model
 * is disposed again if anything after training fails, or if another
 * dataset was loaded meanwhile.
 */
export async function trainJob(ctx: JobContext, jobId: string, params: TrainParams, signal: AbortSignal) {
  const loaded = needLoaded(ctx.state);
  await ctx.backend();
  const live = watchTraining(ctx, jobId, loaded, params, signal, ctx.liveMap);
  try {
    await trainWatched(ctx, jobId, params, signal, loaded, live);
  } finally {
    live.end();
  }
}

async function trainWatched(
  ctx: JobContext,
  jobId: string,
  params: TrainParams,
  signal: AbortSignal,
  loaded: LoadedDataset,
  live: LiveHooks,
) {
  const ds = loaded.dataset;
  const report = ctx.progress(jobId, 'train');
  let result: Awaited<ReturnType<typeof trainAutoencoder>>;
  try {
    result = await trainAutoencoder(ds, params, {
      signal,
      maxModelBytes: ctx.maxModelBytes,
      afterStep: live.afterStep,
      onBatch: (p) => {
        live.onBatch(p);
        report({
          message: `epoch ${p.epoch}/${p.epochs}, batch ${p.batch}/${p.batches}, loss ${p.loss.toFixed(4)}`,
          done: (p.epoch - 1) * p.batches + p.batch,
          total: p.epochs * p.batches,
          rate: p.imagesPerSecond,
          rateUnit: 'images/s',
          etaSeconds: p.etaSeconds,
        });
      },
      onEpoch: (log) => ctx.emit({ type: 'epoch', jobId, log }),
    });
  } finally {
    // The last loss point goes even when the run failed or was cancelled.
    live.finish(null, 0);
  }
  // The run went on with one thread where the helper could not start or failed: say why.
  if (result.threadsNote) ctx.emit({ type: 'log', level: 'warn', message: result.threadsNote });
  let trained: Trained;
  try {
    report({ message: 'encoding', done: 0, total: 1 }, true);
    const codes = await result.model.encode(ds);
    // The live map ends where the model ends, from the codes the record keeps.
    live.finish(codes, result.epochs.length);
    const errors = await result.model.reconstructionErrors(ds);
    let sum = 0;
    for (const e of errors) sum += e;
    trained = Object.freeze({
      kind: 'trained',
      loaded,
      model: result.model,
      codes,
      errors,
      params,
      epochs: Object.freeze(result.epochs),
      meanError: sum / ds.n,
    });
  } catch (e) {
    result.model.dispose();
    throw e;
  }
  if (ctx.commit(withTrained(ctx.state, trained)).trained !== trained) {
    trained.model.dispose();
    throw new Error(`another dataset was loaded while training on ${ds.name}: that model was dropped`);
  }
  ctx.emit(trainedEvent(jobId, trained, result.cancelled));
}
