import type { Random } from '../util/random.js';
import type { Slicer } from '../util/slicer.js';

/** Called now and then with the work done so far and the total, both in points (see each search for its unit). */
export type KnnProgress = (done: number, total: number) => void;

/** Rows between two progress reports of a long loop. */
const REPORT_EVERY = 1024;

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
  onProgress?: KnnProgress,
): Promise<KnnGraph> {
  if (k >= n) throw new Error(`kNN: k = ${k} needs more than ${n} points`);
  const x = toFloat64(data);
  const heaps = new KnnHeaps(n, k);
  // Row i costs n − 1 − i distances: progress counts distances done, scaled to points.
  const pairs = (n * (n - 1)) / 2;
  onProgress?.(0, n);
  for (let i = 0; i < n; i++) {
    if (slicer && (i & 15) === 0) await slicer.tick();
    if (onProgress && i > 0 && (i & 255) === 0) onProgress(Math.round((n * (i * (2 * n - i - 1))) / 2 / pairs), n);
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
  onProgress?.(n, n);
  return heaps.finish();
}

/** Tuning of the approximate search. */
export interface ApproximateKnnOptions {
  /** Random-projection trees in the forest. */
  trees: number;
  /** Leaves hold at most this many points (at least half as many). */
  leafSize: number;
  /** Neighbour-of-neighbour refinement rounds. */
  rounds: number;
  /** In refinement, how many of each point's nearest neighbours are explored, and how far into their lists. */
  explore: number;
  exploreDepth: number;
}

/**
 * Approximate kNN: a forest of random-projection trees (each split is the median along the direction between two
 * random points, as in Annoy) gives every point its leaf-mates as candidates; then rounds of neighbour-of-neighbour
 * exploration (the idea of NN-descent) repair most misses. Near-exact recall on MNIST-like data in O(N·d·(T·leaf)).
 */
export async function approximateKnn(
  data: Float32Array | Float64Array,
  n: number,
  d: number,
  k: number,
  random: Random,
  slicer?: Slicer,
  options: Partial<ApproximateKnnOptions> = {},
  onProgress?: KnnProgress,
): Promise<KnnGraph> {
  if (k >= n) throw new Error(`kNN: k = ${k} needs more than ${n} points`);
  const o: ApproximateKnnOptions = {
    trees: 6,
    leafSize: Math.max(64, 2 * k),
    rounds: 2,
    explore: 12,
    exploreDepth: Math.min(k, 40),
    ...options,
  };
  const x = toFloat64(data);
  // Progress in point-passes: one per tree (building it), one for the leaf candidates, one per refinement round,
  // reported as the equivalent number of points.
  const passes = o.trees + 1 + o.rounds;
  const report = (pass: number, i: number) => onProgress?.(Math.round(((pass * n + i) / (passes * n)) * n), n);
  report(0, 0);
  // Each tree reorders a permutation so its leaves are contiguous ranges; leafOf maps point → leaf range.
  const perms: Int32Array[] = [];
  const leafStart: Int32Array[] = [];
  const leafEnd: Int32Array[] = [];
  for (let t = 0; t < o.trees; t++) {
    await slicer?.tick();
    const perm = Int32Array.from({ length: n }, (_, i) => i);
    const start = new Int32Array(n);
    const end = new Int32Array(n);
    splitTree(x, d, perm, 0, n, o.leafSize, random, start, end, new Float64Array(n), new Float64Array(d));
    perms.push(perm);
    // start/end were indexed by position; re-index them by point.
    const s2 = new Int32Array(n);
    const e2 = new Int32Array(n);
    for (let pos = 0; pos < n; pos++) {
      s2[perm[pos]] = start[pos];
      e2[perm[pos]] = end[pos];
    }
    leafStart.push(s2);
    leafEnd.push(e2);
    report(t + 1, 0);
  }
  const heaps = new KnnHeaps(n, k);
  const stamp = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    if (slicer && (i & 63) === 0) await slicer.tick();
    if (i > 0 && i % REPORT_EVERY === 0) report(o.trees, i);
    stamp[i] = i;
    for (let t = 0; t < o.trees; t++) {
      const perm = perms[t];
      for (let pos = leafStart[t][i], e = leafEnd[t][i]; pos < e; pos++) {
        const j = perm[pos];
        if (stamp[j] === i) continue;
        stamp[j] = i;
        const s = sqDist(x, d, i, j);
        if (s < heaps.worst(i)) heaps.replaceTop(i, s, j);
      }
    }
  }
  // A point whose leaves were too small to fill k slots (rare) gets an exact search.
  for (let i = 0; i < n; i++) {
    if (heaps.worst(i) !== Infinity) continue;
    for (let j = 0; j < n; j++) {
      if (j === i || heaps.has(i, j)) continue;
      const s = sqDist(x, d, i, j);
      if (s < heaps.worst(i)) heaps.replaceTop(i, s, j);
    }
  }
  let graph = heaps.finish();
  for (let round = 0; round < o.rounds; round++) {
    report(o.trees + 1 + round, 0);
    graph = await refine(x, d, graph, o.explore, o.exploreDepth, slicer, (i) => report(o.trees + 1 + round, i));
  }
  report(passes, 0);
  return graph;
}

/** One round of neighbour-of-neighbour exploration over a sorted graph; returns a new sorted graph. */
async function refine(
  x: Float64Array,
  d: number,
  graph: KnnGraph,
  explore: number,
  depth: number,
  slicer?: Slicer,
  onRow?: (i: number) => void,
): Promise<KnnGraph> {
  const { n, k, indices, distances } = graph;
  const heaps = new KnnHeaps(n, k);
  heaps.dist.set(distances);
  heaps.idx.set(indices);
  // Rows are sorted ascending; a max-heap must have its largest on top: reversing a sorted row gives a valid heap.
  for (let i = 0; i < n; i++) {
    heaps.dist.subarray(i * k, (i + 1) * k).reverse();
    heaps.idx.subarray(i * k, (i + 1) * k).reverse();
  }
  const stamp = new Int32Array(n).fill(-1);
  const e1 = Math.min(explore, k);
  const e2 = Math.min(depth, k);
  for (let i = 0; i < n; i++) {
    if (slicer && (i & 63) === 0) await slicer.tick();
    if (onRow && i > 0 && i % REPORT_EVERY === 0) onRow(i);
    stamp[i] = i;
    for (let t = 0; t < k; t++) stamp[indices[i * k + t]] = i;
    for (let a = 0; a < e1; a++) {
      const nb = indices[i * k + a];
      for (let b = 0; b < e2; b++) {
        const j = indices[nb * k + b];
        if (stamp[j] === i) continue;
        stamp[j] = i;
        const s = sqDist(x, d, i, j);
        if (s < heaps.worst(i)) heaps.replaceTop(i, s, j);
      }
    }
  }
  return heaps.finish();
}

/** Recursively splits perm[lo, hi) at the median projection on the direction between two random members. */
function splitTree(
  x: Float64Array,
  d: number,
  perm: Int32Array,
  lo: number,
  hi: number,
  leafSize: number,
  random: Random,
  start: Int32Array,
  end: Int32Array,
  proj: Float64Array,
  dir: Float64Array,
): void {
  if (hi - lo <= leafSize) {
    for (let p = lo; p < hi; p++) {
      start[p] = lo;
      end[p] = hi;
    }
    return;
  }
  const a = perm[lo + random.int(hi - lo)];
  let b = perm[lo + random.int(hi - lo)];
  for (let tries = 0; tries < 8 && b === a; tries++) b = perm[lo + random.int(hi - lo)];
  for (let t = 0; t < d; t++) dir[t] = x[a * d + t] - x[b * d + t];
  for (let p = lo; p < hi; p++) {
    const base = perm[p] * d;
    let s = 0;
    for (let t = 0; t < d; t++) s += x[base + t] * dir[t];
    proj[p] = s;
  }
  const mid = (lo + hi) >> 1;
  selectByKey(perm, proj, lo, hi - 1, mid);
  splitTree(x, d, perm, lo, mid, leafSize, random, start, end, proj, dir);
  splitTree(x, d, perm, mid, hi, leafSize, random, start, end, proj, dir);
}

/** Quickselect on parallel arrays (keys by position): position k ends up with the k-th smallest key. */
function selectByKey(perm: Int32Array, key: Float64Array, lo: number, hi: number, k: number): void {
  while (hi > lo) {
    const pivot = key[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (key[i] < pivot) i++;
      while (key[j] > pivot) j--;
      if (i <= j) {
        const t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
        const u = key[i];
        key[i] = key[j];
        key[j] = u;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}
