import { createRandom } from '../util/random.js';

/** Options of a k-means run. */
export interface KMeansOptions {
  /** Number of clusters (clamped to n). */
  k: number;
  /** Most Lloyd iterations; stops earlier when no point changes cluster. */
  maxIterations?: number;
  /** Uniform random source in [0, 1), injected so tests and runs repeat. */
  random?: () => number;
  signal?: AbortSignal;
}

/** What k-means returns. */
export interface KMeansResult {
  /** Cluster of each point. */
  assignments: Int32Array;
  /** k×d centroids, row-major. */
  centroids: Float32Array;
  /** Points per cluster. */
  sizes: number[];
  iterations: number;
}

/**
 * k-means with k-means++ initialisation and Lloyd iterations over an n×d
 * row-major matrix. Typed arrays throughout; O(n·k·d) per iteration.
 */
export function kmeans(data: Float32Array, n: number, d: number, options: KMeansOptions): KMeansResult {
  if (!Number.isInteger(options.k) || options.k < 1) throw new Error(`k must be a positive integer, got ${options.k}`);
  if (data.length !== n * d) throw new Error(`data holds ${data.length} values, expected n·d = ${n * d}`);
  const k = Math.min(options.k, Math.max(n, 1));
  const random = options.random ?? createRandom(1).next;
  const maxIterations = options.maxIterations ?? 100;
  const centroids = new Float32Array(k * d);
  const assignments = new Int32Array(n);
  if (n === 0) return { assignments, centroids, sizes: new Array<number>(k).fill(0), iterations: 0 };

  const dist2 = (i: number, c: number) => {
    let s = 0;
    const a = i * d;
    const b = c * d;
    for (let j = 0; j < d; j++) {
      const t = data[a + j] - centroids[b + j];
      s += t * t;
    }
    return s;
  };

  // k-means++: each next centre drawn with probability proportional to D².
  const nearest = new Float64Array(n).fill(Infinity);
  let pick = Math.floor(random() * n);
  for (let c = 0; c < k; c++) {
    centroids.set(data.subarray(pick * d, pick * d + d), c * d);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const t = dist2(i, c);
      if (t < nearest[i]) nearest[i] = t;
      total += nearest[i];
    }
    let r = random() * total;
    pick = n - 1;
    for (let i = 0; i < n; i++) {
      r -= nearest[i];
      if (r <= 0) {
        pick = i;
        break;
      }
    }
  }

  const sums = new Float64Array(k * d);
  const counts = new Int32Array(k);
  let iterations = 0;
  assignments.fill(-1);
  for (; iterations < maxIterations; iterations++) {
    options.signal?.throwIfAborted();
    let changed = 0;
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestD = Infinity;
      for (let c = 0; c < k; c++) {
        const t = dist2(i, c);
        if (t < bestD) {
          bestD = t;
          best = c;
        }
      }
      if (assignments[i] !== best) {
        assignments[i] = best;
        changed++;
      }
    }
    if (changed === 0) break;
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const c = assignments[i];
      counts[c]++;
      for (let j = 0; j < d; j++) sums[c * d + j] += data[i * d + j];
    }
    for (let c = 0; c < k; c++) {
      // An empty cluster keeps its centre rather than becoming NaN.
      if (counts[c] === 0) continue;
      for (let j = 0; j < d; j++) centroids[c * d + j] = sums[c * d + j] / counts[c];
    }
  }
  const sizes = new Array<number>(k).fill(0);
  for (let i = 0; i < n; i++) sizes[assignments[i]]++;
  return { assignments, centroids, sizes, iterations };
}
