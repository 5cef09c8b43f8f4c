import type { TrainParams } from '../../protocol.js';
import { trainedEvent } from '../events.js';
import { type Trained, withTrained } from '../state.js';
import { trainAutoencoder } from '../training/train.js';
import { type JobContext, needLoaded } from './context.js';

/**
 * Trains a model on the loaded dataset, encodes every item and replaces the
 * Trained record (the projection of the old codes goes with it). The model
 * is disposed again if anything after training fails, or if another
 * dataset was loaded meanwhile.
 */
export async function trainJob(ctx: JobContext, jobId: string, params: TrainParams, signal: AbortSignal) {
  const loaded = needLoaded(ctx.state);
  const ds = loaded.dataset;
  await ctx.backend();
  const report = ctx.progress(jobId, 'train');
  const result = await trainAutoencoder(ds, params, {
    signal,
    maxModelBytes: ctx.maxModelBytes,
    onBatch: (p) =>
      report({
        message: `epoch ${p.epoch}/${p.epochs}, batch ${p.batch}/${p.batches}, loss ${p.loss.toFixed(4)}`,
        done: (p.epoch - 1) * p.batches + p.batch,
        total: p.epochs * p.batches,
        rate: p.imagesPerSecond,
        rateUnit: 'images/s',
        etaSeconds: p.etaSeconds,
      }),
    onEpoch: (log) => ctx.emit({ type: 'epoch', jobId, log }),
  });
  // The run went on with one thread where the helper could not start or failed: say why.
  if (result.threadsNote) ctx.emit({ type: 'log', level: 'warn', message: result.threadsNote });
  let trained: Trained;
  try {
    report({ message: 'encoding', done: 0, total: 1 }, true);
    const codes = await result.model.encode(ds);
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
