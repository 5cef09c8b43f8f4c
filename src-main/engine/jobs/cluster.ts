import { kmeans } from '../clustering/kmeans.js';
import { clustersEvent } from '../events.js';
import { type Clusters, inputMatrix, withClusters } from '../state.js';
import { createRandom } from '../util/random.js';
import { type JobContext, needLoaded } from './context.js';

/** k-means on the current representation: the codes, or the pixels while no model is trained. */
export async function clusterJob(
  ctx: JobContext,
  jobId: string,
  k: number,
  seed: number | undefined,
  signal: AbortSignal,
) {
  const loaded = needLoaded(ctx.state);
  const input = ctx.state.trained ?? loaded;
  const { data, d } = inputMatrix(input);
  const t0 = performance.now();
  const result = kmeans(data, loaded.dataset.n, d, { k, random: createRandom(seed ?? 1).next, signal });
  const clusters: Clusters = Object.freeze({
    kind: 'clusters',
    input,
    assignments: result.assignments,
    sizes: Object.freeze(result.sizes),
  });
  ctx.commit(withClusters(ctx.state, clusters));
  ctx.emit(clustersEvent(jobId, clusters, (performance.now() - t0) / 1000));
}
