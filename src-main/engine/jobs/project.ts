import type { ProjectionMetrics, ProjectParams } from '../../protocol.js';
import type { Dataset } from '../datasets/types.js';
import { projectionEvent } from '../events.js';
import { matMulDistances } from '../metrics/distances.js';
import { knnAccuracy, trustworthiness } from '../metrics/index.js';
import { pcaAsync } from '../projection/pca.js';
import { runProjection } from '../projection/run.js';
import { type Input, inputMatrix, type Projection, withProjection } from '../state.js';
import { type JobContext, needLoaded, needTrained, type Reporter } from './context.js';

/** What the progress line calls each method. */
const METHOD_NAMES: Record<ProjectParams['method'], string> = { pca: 'PCA', tsne: 't-SNE', umap: 'UMAP' };

/** k of both metrics. */
const METRIC_K = 10;

/**
 * Quality metrics of a 2-D projection of the dataset, with how each was measured: 10-NN accuracy in-sample
 * leave-one-out over every labelled point, trustworthiness (k = 10) on a sample of 1,000 points (300 above
 * 20,000), each ranked against all n in pixel space (`pixels`: n×d, scaled to [0, 1]) whatever the map was made
 * from. Why the pixels for a map of the codes too: so a map of the codes and the pixels' map beside it are
 * measured against the same neighbours, and the figure says whether the autoencoder kept the images' own
 * neighbourhoods (issue 13), not only its own.
 */
export function projectionMetrics(
  ds: Dataset,
  pixels: Float32Array,
  d: number,
  positions: Float32Array,
): ProjectionMetrics {
  const out: ProjectionMetrics = {};
  const labelled = ds.labels.reduce((c, l) => (l >= 0 ? c + 1 : c), 0);
  if (labelled > 0) {
    out.knnAccuracy = knnAccuracy(positions, ds.n, 2, ds.labels, METRIC_K);
    out.knnK = METRIC_K;
    out.knnProtocol = 'in-sample leave-one-out';
    out.knnLabelled = labelled;
  }
  if (ds.n > 40) {
    const sample = ds.n > 20_000 ? 300 : 1000;
    const distances = matMulDistances(pixels, d, ds.n);
    out.trustworthiness = trustworthiness(pixels, d, positions, 2, ds.n, METRIC_K, sample, 1, distances);
    out.trustworthinessSample = Math.min(sample, ds.n);
    out.trustworthinessK = METRIC_K;
    out.trustworthinessOf = 'pixels';
  }
  return out;
}

/** The input reduced to `params.pcaComponents` principal components when it has more dimensions, else itself. */
async function reduceFirst(
  data: Float32Array,
  n: number,
  d: number,
  params: ProjectParams,
  of: string,
  report: Reporter,
  signal: AbortSignal,
): Promise<{ data: Float32Array; d: number }> {
  const k = params.pcaComponents;
  if (k === undefined || k >= d || k >= n) return { data, d };
  report({ message: `PCA-${k} of the ${of}`, done: 0, total: 1 }, true);
  return { data: await pcaAsync(data, n, d, k, params.seed ?? 0, { signal }), d: k };
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
  const of = params.input ?? 'codes';
  const input: Input = of === 'codes' ? needTrained(ctx.state, 'there are no codes to project') : loaded;
  const ds = loaded.dataset;
  const { data, d } = inputMatrix(input);
  const report = ctx.progress(jobId, 'project');
  const t0 = performance.now();
  // Something to show from the start: a PCA reports nothing else until it is done.
  report({ message: `${METHOD_NAMES[params.method]} of the ${of}`, done: 0, total: 1 }, true);
  const reduced = await reduceFirst(data, ds.n, d, params, of, report, signal);
  const r = await runProjection(reduced.data, ds.n, reduced.d, params, {
    signal,
    onProgress: report,
    onPartial: (positions, iteration, kl) =>
      ctx.emit(projectionEvent(jobId, params.method, positions, { iteration, final: false, kl, input: of })),
  });
  // The projection's own time: the metrics below are not part of it.
  const seconds = (performance.now() - t0) / 1000;
  const complete = r.positions.length === 2 * ds.n;
  if (complete) {
    // The map first: the metrics take seconds on pixels (10,000 × 784), and a PCA has no frame before this one.
    ctx.emit(
      projectionEvent(jobId, params.method, r.positions, { iteration: r.iteration, final: false, kl: r.kl, input: of }),
    );
    report({ message: 'measuring the map (10-NN accuracy, trustworthiness)', done: 0, total: 1 }, true);
    // Lets the frame leave before the synchronous metrics hold the event loop.
    await new Promise((resolve) => setImmediate(resolve));
  }
  const pixels = complete ? (of === 'pixels' ? { data, d } : inputMatrix(loaded)) : null;
  const metrics = pixels ? projectionMetrics(ds, pixels.data, pixels.d, r.positions) : undefined;
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
      seconds,
      metrics,
      input: of,
    }),
  );
}
