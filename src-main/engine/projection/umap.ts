import { UMAP } from 'umap-js';

import { approximateKnn, exactKnn } from '../neighbors/knn.js';
import { createRandom } from '../util/random.js';
import { Cancelled, Slicer } from '../util/slicer.js';

/** UMAP settings (umap-js names and defaults, plus seed and reporting). */
export interface UmapOptions {
  /** Neighbours per point, the point itself included (umap-learn's convention). */
  nNeighbors: number;
  /** How tightly points may pack in the embedding. */
  minDist: number;
  /** Scale of the embedded clusters, with minDist. */
  spread: number;
  /** Optimisation epochs; 0 lets umap-js choose (500 for small data, 200 for large). */
  nEpochs: number;
  /** Seed for the neighbour search, initialisation and negative sampling. */
  seed: number;
  /** Emit progress with an embedding copy every k epochs (0 = never). */
  reportEvery: number;
}

/** Defaults as in umap-learn. */
export const UMAP_DEFAULTS: Readonly<UmapOptions> = Object.freeze({
  nNeighbors: 15,
  minDist: 0.1,
  spread: 1,
  nEpochs: 0,
  seed: 42,
  reportEvery: 10,
});

/** One progress event of a UMAP run. */
export interface UmapProgress {
  phase: 'neighbors' | 'optimize';
  epoch: number;
  epochs: number;
  /** Copy of the current n×2 embedding, on report epochs. */
  embedding?: Float32Array;
}

/** The outcome of a UMAP run, complete or cancelled. */
export interface UmapResult {
  /** n×2 embedding (empty if cancelled before optimisation began). */
  embedding: Float32Array;
  epochs: number;
  cancelled: boolean;
  seconds: { neighbors: number; optimize: number };
}

function flatten(rows: number[][]): Float32Array {
  const out = new Float32Array(rows.length * 2);
  rows.forEach((r, i) => {
    out[2 * i] = r[0];
    out[2 * i + 1] = r[1];
  });
  return out;
}

/**
 * UMAP of n×d data to 2-D with umap-js, fed by our own (cancellable) kNN instead of its synchronous NN-descent,
 * stepped epoch by epoch so it yields to the event loop and stops within a second when cancelled.
 */
export async function runUmap(
  data: Float32Array,
  n: number,
  d: number,
  options: Partial<UmapOptions> = {},
  hooks: { signal?: AbortSignal; onProgress?: (p: UmapProgress) => void | boolean } = {},
): Promise<UmapResult> {
  const o = { ...UMAP_DEFAULTS, ...options };
  if (data.length !== n * d) throw new Error(`UMAP: data has ${data.length} values, expected ${n}×${d}`);
  if (!Number.isInteger(o.nNeighbors) || o.nNeighbors < 2 || o.nNeighbors > n)
    throw new Error(`UMAP: nNeighbors must be an integer in [2, ${n}]`);
  const slicer = new Slicer(hooks.signal);
  const report = (p: UmapProgress) => hooks.onProgress?.(p) !== false;
  const seconds = { neighbors: 0, optimize: 0 };
  const t0 = performance.now();
  const random = createRandom(o.seed);
  let umap: UMAP;
  let epochs: number;
  try {
    if (!report({ phase: 'neighbors', epoch: 0, epochs: 0 })) throw new Cancelled();
    const k = o.nNeighbors - 1;
    const graph =
      n <= 5000 ? await exactKnn(data, n, d, k, slicer) : await approximateKnn(data, n, d, k, random, slicer);
    const indices: number[][] = [];
    const distances: number[][] = [];
    for (let i = 0; i < n; i++) {
      const row = [i];
      const dist = [0];
      for (let t = 0; t < k; t++) {
        row.push(graph.indices[i * k + t]);
        dist.push(Math.sqrt(graph.distances[i * k + t]));
      }
      indices.push(row);
      distances.push(dist);
    }
    await slicer.tick();
    umap = new UMAP({
      nComponents: 2,
      nNeighbors: o.nNeighbors,
      minDist: o.minDist,
      spread: o.spread,
      nEpochs: o.nEpochs > 0 ? o.nEpochs : undefined,
      random: random.next,
    });
    umap.setPrecomputedKNN(indices, distances);
    const rows = Array.from({ length: n }, (_, i) => Array.from(data.subarray(i * d, (i + 1) * d)));
    epochs = umap.initializeFit(rows);
  } catch (e) {
    if (!(e instanceof Cancelled)) throw e;
    seconds.neighbors = (performance.now() - t0) / 1000;
    return { embedding: new Float32Array(0), epochs: 0, cancelled: true, seconds };
  }
  const t1 = performance.now();
  seconds.neighbors = (t1 - t0) / 1000;
  let epoch = 0;
  let cancelled = false;
  while (epoch < epochs) {
    epoch = umap.step();
    if (o.reportEvery > 0 && (epoch % o.reportEvery === 0 || epoch === epochs)) {
      if (!report({ phase: 'optimize', epoch, epochs, embedding: flatten(umap.getEmbedding()) })) {
        cancelled = true;
        break;
      }
    }
    try {
      await slicer.tick();
    } catch (e) {
      if (!(e instanceof Cancelled)) throw e;
      cancelled = true;
      break;
    }
  }
  seconds.optimize = (performance.now() - t1) / 1000;
  return { embedding: flatten(umap.getEmbedding()), epochs: epoch, cancelled, seconds };
}
