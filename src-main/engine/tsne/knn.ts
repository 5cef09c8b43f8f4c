import type { Random } from './random.js';
import type { Slicer } from './slicer.js';

/** k nearest neighbours of every point, self excluded, nearest first. */
export interface KnnGraph {
  n: number;
  k: number;
  /** n×k neighbour indices. */
  indices: Int32Array;
  /** n×k squared Euclidean distances, ascending per row. */
  distances: Float64Array;
}

/** Fixed-size max-heaps, one per point, over (squared distance, index). */
class KnnHeaps {
  readonly dist: Float64Array;
  readonly idx: Int32Array;
  constructor(
    readonly n: number,
    readonly k: number,
  ) {
    this.dist = new Float64Array(n * k).fill(Infinity);
    this.idx = new Int32Array(n * k).fill(-1);
  }

  /** Worst distance currently kept for point i. */
  worst(i: number): number {
    return this.dist[i * this.k];
  }

  /** Offers j as a neighbour of i; caller ensures d < worst(i) and j is not already kept. */
  replaceTop(i: number, d: number, j: number): void {
    const k = this.k;
    const base = i * k;
    const dist = this.dist;
    const idx = this.idx;
    let pos = 0;
    for (;;) {
      const l = 2 * pos + 1;
      if (l >= k) break;
      const r = l + 1;
      const c = r < k && dist[base + r] > dist[base + l] ? r : l;
      if (dist[base + c] <= d) break;
      dist[base + pos] = dist[base + c];
      idx[base + pos] = idx[base + c];
      pos = c;
    }
    dist[base + pos] = d;
    idx[base + pos] = j;
  }

  /** True if j is already among i's kept neighbours (linear scan; k is small). */
  has(i: number, j: number): boolean {
    const base = i * this.k;
    for (let t = 0; t < this.k; t++) if (this.idx[base + t] === j) return true;
    return false;
  }

  /** Sorts every row ascending and returns the graph. */
  finish(): KnnGraph {
    const { n, k } = this;
    const order = new Int32Array(k);
    const d = new Float64Array(k);
    const ix = new Int32Array(k);
    for (let i = 0; i < n; i++) {
      const base = i * k;
      for (let t = 0; t < k; t++) order[t] = t;
      const row = this.dist.subarray(base, base + k);
      order.sort((a, b) => row[a] - row[b]);
      for (let t = 0; t < k; t++) {
        d[t] = this.dist[base + order[t]];
        ix[t] = this.idx[base + order[t]];
      }
      this.dist.set(d, base);
      this.idx.set(ix, base);
    }
    return { n, k, indices: this.idx, distances: this.dist };
  }
}

function toFloat64(data: Float32Array | Float64Array): Float64Array {
  return data instanceof Float64Array ? data : Float64Array.from(data);
}

function squaredNorms(x: Float64Array, n: number, d: number): Float64Array {
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = i * d, e = t + d; t < e; t++) s += x[t] * x[t];
    norms[i] = s;
  }
  return norms;
}

function sqDist(x: Float64Array, d: number, i: number, j: number): number {
  let s = 0;
  const a = i * d;
  const b = j * d;
  for (let t = 0; t < d; t++) {
    const u = x[a + t] - x[b + t];
    s += u * u;
  }
  return s;
}

/** Exact kNN by brute force over all pairs (each pair computed once). O(N²·d); fine up to ~15,000 points. */
export async function exactKnn(
  data: Float32Array | Float64Array,
  n: number,
  d: number,
  k: number,
  slicer?: Slicer,
): Promise<KnnGraph> {
  if (k >= n) throw new Error(`kNN: k = ${k} needs more than ${n} points`);
  const x = toFloat64(data);
  const heaps = new KnnHeaps(n, k);
  for (let i = 0; i < n; i++) {
    if (slicer && (i & 15) === 0) await slicer.tick();
    const a = i * d;
    for (let j = i + 1; j < n; j++) {
      const b = j * d;
      let s = 0;
      for (let t = 0; t < d; t++) {
        const u = x[a + t] - x[b + t];
        s += u * u;
      }
      if (s < heaps.worst(i)) heaps.replaceTop(i, s, j);
      if (s < heaps.worst(j)) heaps.replaceTop(j, s, i);
    }
  }
  return heaps.finish();
}

export { KnnHeaps, sqDist, squaredNorms, toFloat64 };

/** Placeholder until the approximate search lands: exact search for every N. */
export async function approximateKnn(
  data: Float32Array | Float64Array,
  n: number,
  d: number,
  k: number,
  _random: Random,
  slicer?: Slicer,
): Promise<KnnGraph> {
  return exactKnn(data, n, d, k, slicer);
}
