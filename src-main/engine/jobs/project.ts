import type { ProjectionMetrics, ProjectParams } from '../../protocol.js';
import type { Dataset } from '../datasets/types.js';
import { projectionEvent } from '../events.js';
import { knnAccuracy, trustworthiness } from '../metrics/index.js';
import { runProjection } from '../projection/run.js';
import { type Input, inputMatrix, type Projection, withProjection } from '../state.js';
import { type JobContext, needLoaded, needTrained } from './context.js';

/** Quality metrics of a 2-D projection of the n×d input (sampled where exact would be slow). */
export function projectionMetrics(ds: Dataset, input: Float32Array, d: number, positions: Float32Array) {
  const out: ProjectionMetrics = {};
  if (ds.labels.some((l) => l >= 0)) out.knnAccuracy = knnAccuracy(positions, ds.n, 2, ds.labels, 10);
  if (ds.n > 40) {
    const sample = ds.n > 20_000 ? 300 : 1000;
    out.trustworthiness = trustworthiness(input, d, positions, 2, ds.n, 10, sample, 1);
    out.trustworthinessSample = Math.min(sample, ds.n);
  }
  return out;
}

/**
 * Projects the codes (or the pixels) to 2-D, streaming partial positions,
 * and makes the result the current Projection. A run cancelled before its
 * first iteration has nothing to show and keeps the previous projection.
 */
export async function projectJob(ctx: JobContext, jobId: string, params: ProjectParams, signal: AbortSignal) {
  const loaded = needLoaded(ctx.state);
  // PCA (the t-SNE input and initialisation) runs on TensorFlow.js matrix products.
  await ctx.backend();
  const input: Input =
    (params.input ?? 'codes') === 'codes' ? needTrained(ctx.state, 'there are no codes to project') : loaded;
  const ds = loaded.dataset;
  const { data, d } = inputMatrix(input);
  const report = ctx.progress(jobId, 'project');
  const t0 = performance.now();
  const r = await runProjection(data, ds.n, d, params, {
    signal,
    onProgress: report,
    onPartial: (positions, iteration, kl) =>
      ctx.emit(projectionEvent(jobId, params.method, positions, { iteration, final: false, kl })),
  });
  const complete = r.positions.length === 2 * ds.n;
  const metrics = complete ? projectionMetrics(ds, data, d, r.positions) : undefined;
  if (complete) {
    const projection: Projection = Object.freeze({
      kind: 'projection',
      input,
      method: params.method,
      params,
      positions: r.positions,
      metrics: metrics ?? null,
    });
    if (ctx.commit(withProjection(ctx.state, projection)).projection !== projection)
      throw new Error(
        `the ${input.kind === 'trained' ? 'model' : 'dataset'} changed while projecting: that map was dropped`,
      );
  }
  ctx.emit(
    projectionEvent(jobId, params.method, r.positions, {
      iteration: r.iteration,
      final: true,
      cancelled: r.cancelled,
      kl: r.kl,
      seconds: (performance.now() - t0) / 1000,
      metrics,
    }),
  );
}
