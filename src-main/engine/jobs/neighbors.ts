import { NEIGHBORS_DEFAULT_K } from '../../protocol.js';
import { itemSize } from '../datasets/types.js';
import { nearestRows } from '../neighbors/query.js';
import { checkIndex, type JobContext, needDataset } from './context.js';

/**
 * The neighbour panel's answer: the k nearest items to `index` in code space
 * (the trained model's codes; the pixels, scaled to [0, 1], before any
 * model: the space is named in the answer), and its nearest on the engine's
 * current map (as many), so a front end can say how many of them the map keeps close.
 */
export function neighborsJob(ctx: JobContext, requestId: string, index: number, k = NEIGHBORS_DEFAULT_K) {
  const state = ctx.state;
  const ds = needDataset(state);
  checkIndex(ds, index);
  const trained = state.trained;
  const near = trained
    ? nearestRows(trained.codes, ds.n, trained.model.codeSize, index, k)
    : nearestRows(ds.pixels, ds.n, itemSize(ds), index, k, 1 / 255);
  const map = state.projection ? nearestRows(state.projection.positions, ds.n, 2, index, k) : null;
  ctx.emit({
    type: 'neighbors',
    requestId,
    index,
    space: trained ? 'codes' : 'pixels',
    indices: Array.from(near.indices),
    distances: Array.from(near.distances),
    ...(map ? { mapIndices: Array.from(map.indices) } : {}),
  });
}
