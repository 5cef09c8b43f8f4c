import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';

import type { Random } from '../util/random.js';
import { inBlocks, type Slicer } from '../util/slicer.js';
import { startWorker } from '../util/threads.js';

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

/** Fixed-size max-heaps, one per point, over (squared distance, index); over given (shared) buffers, or new ones. */
export class KnnHeaps {
  readonly dist: Float64Array;
  readonly idx: Int32Array;
  constructor(
    readonly n: number,
    readonly k: number,
    dist?: Float64Array,
    idx?: Int32Array,
  ) {
    this.dist = dist ?? new Float64Array(n * k).fill(Infinity);
    this.idx = idx ?? new Int32Array(n * k).fill(-1);
  }

  /** Worst distance currently kept for point i. */
  worst(i: number): number {
    return this.dist[i * this.k];
  }

  /** Offers j as a neighbour of i; caller ensures d < worst(i) and j is not already kept. */
  replaceTop(i: number, d: number, j: number): void {
    siftDown(this.dist, this.idx, i * this.k, this.k, d, j);
  }

  /** True if j is already among i's kept neighbours (linear scan; k is small). */
  has(i: number, j: number): boolean {
    const base = i * this.k;
    for (let t = 0; t < this.k; t++) if (this.idx[base + t] === j) return true;
    return false;
  }

  /**
   * Sorts every row ascending (heap-sort: pop the largest to the back) and returns the graph; yields to `slicer`
   * between blocks of rows (a million rows take seconds).
   */
  async finishSliced(slicer?: Slicer): Promise<KnnGraph> {
    await inBlocks(0, this.n, BLOCK_ROWS, slicer, (a, b) => this.sortRows(a, b));
    return { n: this.n, k: this.k, indices: this.idx, distances: this.dist };
  }

  /** Heap-sorts rows [from, to) ascending in place. */
  sortRows(from: number, to: number): void {
    const { k, dist, idx } = this;
    for (let i = from; i < to; i++) {
      const base = i * k;
      for (let size = k; size > 1; size--) {
        // Swap the top (largest) with the last of the heap, then sift the new top down within size − 1.
        const last = base + size - 1;
        const dTop = dist[base];
        const iTop = idx[base];
        const dv = dist[last];
        const iv = idx[last];
        dist[last] = dTop;
        idx[last] = iTop;
        siftDown(dist, idx, base, size - 1, dv, iv);
      }
    }
  }
}

/** Puts (d, j) at the top of the max-heap of `size` entries at `base` and sifts it down to its place. */
function siftDown(dist: Float64Array, idx: Int32Array, base: number, size: number, d: number, j: number): void {
  let pos = 0;
  for (;;) {
    const l = 2 * pos + 1;
    if (l >= size) break;
    const r = l + 1;
    const c = r < size && dist[base + r] > dist[base + l] ? r : l;
    if (dist[base + c] <= d) break;
    dist[base + pos] = dist[base + c];
    idx[base + pos] = idx[base + c];
    pos = c;
  }
  dist[base + pos] = d;
  idx[base + pos] = j;
}

/** Rows per block of the loops over all rows that yield between blocks (`inBlocks`). */
const BLOCK_ROWS = 4096;

/** Values per block of the sliced copies and fills below: ~10 ms each, first touch of the pages included. */
const FILL_BLOCK = 1 << 20;

/**
 * The data as float64 (itself when it already is), copied in blocks with the event loop turning between them: at a
 * million 50-d rows the copy (400 MB touched for the first time) took 0.7 s in one go.
 */
async function toFloat64Sliced(data: Float32Array | Float64Array, slicer?: Slicer): Promise<Float64Array> {
  if (data instanceof Float64Array) return data;
  const out = new Float64Array(data.length);
  await inBlocks(0, data.length, FILL_BLOCK, slicer, (a, b) => out.set(data.subarray(a, b), a));
  return out;
}

/** arr.fill(value), in blocks with the slicer between: filling a million points' heaps (1 GB) took 4 s here. */
async function fillSliced<T extends Float64Array | Int32Array>(arr: T, value: number, slicer?: Slicer): Promise<T> {
  await inBlocks(0, arr.length, FILL_BLOCK, slicer, (a, b) => arr.fill(value, a, b));
  return arr;
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
  const x = await toFloat64Sliced(data, slicer);
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
  return heaps.finishSliced(slicer);
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
  /** 1 keeps the search on the calling thread; otherwise a second thread joins from KNN_HELPER_MIN_N points. */
  threads?: number;
  /** Wait (up to 30 s) for the second thread to load before the first leaves, instead of letting it join later. */
  awaitHelper?: boolean;
}

/**
 * Approximate kNN: a forest of random-projection trees (each split is the median along the direction between two
 * random points, as in Annoy) gives every point its leaf-mates as candidates; then rounds of neighbour-of-neighbour
 * exploration (the idea of NN-descent) repair most misses. Near-exact recall on MNIST-like data in O(N·d·(T·leaf)).
 *
 * Memory decides the speed: the rows are first copied in the first tree's leaf order, so leaf-mates and neighbours
 * of neighbours sit near each other, and each leaf's all-pairs distances are computed on a contiguous copy of its
 * rows (each pair once, offered to both ends) instead of fetching a scattered row per candidate.
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
  const { graph, order } = await approximateKnnReordered(data, n, d, k, random, slicer, options, onProgress);
  return inOriginalOrder(graph, order);
}

/**
 * `approximateKnn` in the order it works in: point p of the graph is original point order[p], and neighbours are
 * numbered the same way. Points near each other in the data are near each other in this order, which t-SNE keeps
 * for its own arrays (its forces then read memory that is mostly in cache).
 */
export async function approximateKnnReordered(
  data: Float32Array | Float64Array,
  n: number,
  d: number,
  k: number,
  random: Random,
  slicer?: Slicer,
  options: Partial<ApproximateKnnOptions> = {},
  onProgress?: KnnProgress,
): Promise<{ graph: KnnGraph; order: Int32Array }> {
  if (k >= n) throw new Error(`kNN: k = ${k} needs more than ${n} points`);
  const o: ApproximateKnnOptions = {
    trees: 6,
    leafSize: Math.max(64, 2 * k),
    rounds: 2,
    explore: 12,
    exploreDepth: Math.min(k, 40),
    ...options,
  };
  // Progress in point-passes: one per tree (building it and its leaves' pairs), one per refinement round, reported
  // as the equivalent number of points.
  const passes = o.trees + o.rounds;
  const report = (pass: number, i: number) => onProgress?.(Math.round(((pass * n + i) / (passes * n)) * n), n);
  report(0, 0);
  await slicer?.tick();
  const src = await toFloat64Sliced(data, slicer);
  const proj = new Float64Array(n);
  const dir = new Float64Array(d);
  // Above KNN_HELPER_MIN_N a second thread takes half of every tree's leaves and of every refinement round; its
  // arrays are shared. It starts once the rows are reordered and joins in as soon as it is ready.
  const useHelper = n >= KNN_HELPER_MIN_N && (options.threads ?? availableParallelism()) > 1;
  const heaps = new KnnHeaps(
    n,
    k,
    await fillSliced(useHelper ? sharedF64(n * k) : new Float64Array(n * k), Infinity, slicer),
    await fillSliced(useHelper ? sharedI32(n * k) : new Int32Array(n * k), -1, slicer),
  );
  const block = new Float64Array(o.leafSize * d);
  const pairs = new Float64Array(o.leafSize * o.leafSize);
  // stamp[j + 1] === i: j is among i's neighbours (slot 0 stands for the empty slots' index −1).
  const stamp = new Int32Array(n + 1).fill(-1);
  let x = src;
  // order[p] = the original index of the point at position p, once the rows are reordered.
  let order: Int32Array | null = null;
  let helper: KnnHelper | null = null;
  try {
    for (let t = 0; t < o.trees; t++) {
      await slicer?.tick();
      const perm = useHelper ? sharedI32(n) : new Int32Array(n);
      for (let i = 0; i < n; i++) perm[i] = i;
      const start = useHelper ? sharedI32(n) : new Int32Array(n);
      const end = useHelper ? sharedI32(n) : new Int32Array(n);
      await splitTree(x, d, perm, n, o.leafSize, random, start, end, proj, dir, slicer);
      if (!order) {
        // Reorder the rows by the first tree's leaves: its leaves become contiguous ranges of rows.
        order = Int32Array.from(perm);
        x = useHelper ? sharedF64(n * d) : new Float64Array(n * d);
        const rows = order;
        const into = x;
        // In blocks: 1.7 s in one go at a million points.
        await inBlocks(0, n, BLOCK_ROWS, slicer, (a, b) => {
          for (let p = a; p < b; p++) {
            const r = rows[p] * d;
            for (let t = 0; t < d; t++) into[p * d + t] = src[r + t];
          }
        });
        for (let p = 0; p < n; p++) perm[p] = p;
        if (useHelper) helper = KnnHelper.start(x, n, d, k, o.leafSize);
        if (helper && o.awaitHelper) helper.waitLoaded(30000);
      }
      // The helper's half: the leaves from the one holding position n/2 on.
      const split = helper?.ready ? start[n >> 1] : n;
      const theirs =
        split < n
          ? helper!.run({ type: 'leaves', perm, start, end, from: split, to: n, dist: heaps.dist, idx: heaps.idx })
          : null;
      for (let pos = 0; pos < split;) {
        await slicer?.tick();
        const hi = end[pos];
        leafPairs(x, d, perm, start[pos], hi, heaps, block, pairs, stamp);
        if (hi % REPORT_EVERY < hi - pos) report(t, split < n ? 2 * hi : hi);
        pos = hi;
      }
      if (theirs && !(await theirs)) leafRange(x, d, perm, start, end, split, n, heaps, block, pairs, stamp);
      report(t + 1, 0);
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
    let graph = await heaps.finishSliced(slicer);
    let fresh: Uint8Array | null = null;
    for (let round = 0; round < o.rounds; round++) {
      report(o.trees + round, 0);
      ({ graph, fresh } = await refine(x, d, graph, fresh, o.explore, o.exploreDepth, helper, slicer, (i) =>
        report(o.trees + round, i),
      ));
    }
    report(passes, 0);
    return { graph, order: order ?? Int32Array.from({ length: n }, (_, i) => i) };
  } finally {
    helper?.close();
  }
}

/**
 * All pairs of one leaf (positions [lo, hi) of perm): the leaf's rows are copied together, their distances computed
 * once per pair into `pairs`, then each point takes its candidates in one burst, with its heap in cache and its
 * current neighbours stamped so a point kept from an earlier tree is not offered twice.
 */
export function leafPairs(
  x: Float64Array,
  d: number,
  perm: Int32Array,
  lo: number,
  hi: number,
  heaps: KnnHeaps,
  block: Float64Array,
  pairs: Float64Array,
  stamp: Int32Array,
): void {
  const size = hi - lo;
  for (let a = 0; a < size; a++) {
    const r = perm[lo + a] * d;
    for (let t = 0; t < d; t++) block[a * d + t] = x[r + t];
  }
  for (let a = 0; a < size; a++) {
    const ba = a * d;
    pairs[a * size + a] = Infinity;
    for (let b = a + 1; b < size; b++) {
      const bb = b * d;
      // Four independent sums: the loop is bound by the latency of one running sum otherwise.
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let t = 0;
      for (; t + 3 < d; t += 4) {
        const u0 = block[ba + t] - block[bb + t];
        const u1 = block[ba + t + 1] - block[bb + t + 1];
        const u2 = block[ba + t + 2] - block[bb + t + 2];
        const u3 = block[ba + t + 3] - block[bb + t + 3];
        s0 += u0 * u0;
        s1 += u1 * u1;
        s2 += u2 * u2;
        s3 += u3 * u3;
      }
      for (; t < d; t++) {
        const u = block[ba + t] - block[bb + t];
        s0 += u * u;
      }
      const s = s0 + s1 + (s2 + s3);
      pairs[a * size + b] = s;
      pairs[b * size + a] = s;
    }
  }
  const k = heaps.k;
  for (let a = 0; a < size; a++) {
    const i = perm[lo + a];
    const base = i * k;
    for (let t = 0; t < k; t++) stamp[heaps.idx[base + t] + 1] = i;
    const row = a * size;
    for (let b = 0; b < size; b++) {
      const s = pairs[row + b];
      if (s < heaps.dist[base]) {
        const j = perm[lo + b];
        if (stamp[j + 1] === i) continue;
        stamp[j + 1] = i;
        heaps.replaceTop(i, s, j);
      }
    }
  }
}

/** The leaves of one tree that start at positions [from, to) (`from` a leaf's start), as leafPairs. */
export function leafRange(
  x: Float64Array,
  d: number,
  perm: Int32Array,
  start: Int32Array,
  end: Int32Array,
  from: number,
  to: number,
  heaps: KnnHeaps,
  block: Float64Array,
  pairs: Float64Array,
  stamp: Int32Array,
): void {
  for (let pos = from; pos < to; pos = end[pos])
    leafPairs(x, d, perm, start[pos], end[pos], heaps, block, pairs, stamp);
}

/** The graph of reordered points (position p is original point order[p]) in the original numbering. */
function inOriginalOrder(graph: KnnGraph, order: Int32Array): KnnGraph {
  const { n, k } = graph;
  const indices = new Int32Array(n * k);
  const distances = new Float64Array(n * k);
  for (let p = 0; p < n; p++) {
    const row = order[p] * k;
    for (let t = 0; t < k; t++) {
      indices[row + t] = order[graph.indices[p * k + t]];
      distances[row + t] = graph.distances[p * k + t];
    }
  }
  return { n, k, indices, distances };
}

/**
 * One round of neighbour-of-neighbour exploration over a sorted graph; returns a new sorted graph and which of its
 * entries are new. As in NN-descent, only pairs with something new are looked at: i explores a neighbour's list
 * whole where that neighbour is new to i, else only the entries new to that list. `fresh` null: everything is new.
 * With a helper, it takes the second half of the rows.
 */
async function refine(
  x: Float64Array,
  d: number,
  graph: KnnGraph,
  fresh: Uint8Array | null,
  explore: number,
  depth: number,
  helper: KnnHelper | null,
  slicer?: Slicer,
  onRow?: (i: number) => void,
): Promise<{ graph: KnnGraph; fresh: Uint8Array }> {
  const { n, k, indices, distances } = graph;
  const shared = helper !== null;
  // Every slot is written below: no fill.
  const heaps = new KnnHeaps(
    n,
    k,
    shared ? sharedF64(n * k) : new Float64Array(n * k),
    shared ? sharedI32(n * k) : new Int32Array(n * k),
  );
  // Rows are sorted ascending; a max-heap must have its largest on top: a sorted row reversed is a valid heap. Copied
  // reversed in blocks of rows (the copy in one go held the event loop for 3–4 s at a million points).
  const { dist, idx } = heaps;
  await inBlocks(0, n, BLOCK_ROWS, slicer, (a, b) => {
    for (let i = a; i < b; i++) {
      const row = i * k;
      for (let t = 0; t < k; t++) {
        dist[row + t] = distances[row + k - 1 - t];
        idx[row + t] = indices[row + k - 1 - t];
      }
    }
  });
  const stamp = new Int32Array(n).fill(-1);
  const e1 = Math.min(explore, k);
  const e2 = Math.min(depth, k);
  const ready = helper?.ready === true && indices.buffer instanceof SharedArrayBuffer;
  const split = ready ? n >> 1 : n;
  const theirs = ready
    ? helper!.run({ type: 'refine', indices, fresh, from: split, to: n, e1, e2, dist: heaps.dist, idx: heaps.idx })
    : null;
  for (let i = 0; i < split; i += 64) {
    await slicer?.tick();
    if (onRow && i > 0 && i % REPORT_EVERY === 0) onRow(ready ? 2 * i : i);
    refineRows(x, d, indices, fresh, heaps, i, Math.min(split, i + 64), e1, e2, stamp);
  }
  if (theirs && !(await theirs)) refineRows(x, d, indices, fresh, heaps, split, n, e1, e2, stamp);
  const sorted = ready ? helper!.run({ type: 'sort', from: split, to: n, dist: heaps.dist, idx: heaps.idx }) : null;
  await inBlocks(0, split, BLOCK_ROWS, slicer, (a, b) => heaps.sortRows(a, b));
  if (!sorted || !(await sorted)) await inBlocks(split, n, BLOCK_ROWS, slicer, (a, b) => heaps.sortRows(a, b));
  const next: KnnGraph = { n, k, indices: heaps.idx, distances: heaps.dist };
  // New entries: those not in the row before.
  const isNew = shared ? new Uint8Array(new SharedArrayBuffer(n * k)) : new Uint8Array(n * k);
  const mark = new Int32Array(n).fill(-1);
  await inBlocks(0, n, BLOCK_ROWS, slicer, (a, b) => {
    for (let i = a; i < b; i++) {
      for (let t = 0; t < k; t++) mark[indices[i * k + t]] = i;
      for (let t = 0; t < k; t++) isNew[i * k + t] = mark[next.indices[i * k + t]] === i ? 0 : 1;
    }
  });
  return { graph: next, fresh: isNew };
}

/** Refinement of rows [from, to) into `heaps` (see refine); `stamp` is this thread's own, n long. */
export function refineRows(
  x: Float64Array,
  d: number,
  indices: Int32Array,
  fresh: Uint8Array | null,
  heaps: KnnHeaps,
  from: number,
  to: number,
  e1: number,
  e2: number,
  stamp: Int32Array,
): void {
  const k = heaps.k;
  for (let i = from; i < to; i++) {
    stamp[i] = i;
    for (let t = 0; t < k; t++) stamp[indices[i * k + t]] = i;
    for (let a = 0; a < e1; a++) {
      const nb = indices[i * k + a];
      const whole = !fresh || fresh[i * k + a] === 1;
      for (let b = 0; b < e2; b++) {
        if (!whole && fresh![nb * k + b] === 0) continue;
        const j = indices[nb * k + b];
        if (stamp[j] === i) continue;
        stamp[j] = i;
        const s = sqDist(x, d, i, j);
        if (s < heaps.worst(i)) heaps.replaceTop(i, s, j);
      }
    }
  }
}

/** Tasks the kNN's second thread has done in this process (tests check that it took part). */
export const knnStats = { helperTasks: 0 };

/** From this many points the approximate kNN uses a second thread (it takes ~1.5 s at 20,000). */
export const KNN_HELPER_MIN_N = 20000;

const sharedF64 = (len: number) => new Float64Array(new SharedArrayBuffer(8 * len));
const sharedI32 = (len: number) => new Int32Array(new SharedArrayBuffer(4 * len));

/** One task for the kNN helper thread (knn-worker.ts); every array in it is over shared memory. */
export type KnnTask =
  | { type: 'leaves'; perm: Int32Array; start: Int32Array; end: Int32Array; from: number; to: number }
  | { type: 'refine'; indices: Int32Array; fresh: Uint8Array | null; from: number; to: number; e1: number; e2: number }
  | { type: 'sort'; from: number; to: number };

/** The kNN's second thread: tasks over shared arrays, one at a time; any failure turns it off for good. */
class KnnHelper {
  private failed = false;
  private pending: ((ok: boolean) => void) | null = null;
  private constructor(
    private readonly worker: Worker,
    private readonly loaded: Int32Array,
  ) {
    worker.unref();
    worker.on('message', (m: { ok?: boolean }) => {
      if (m.ok) knnStats.helperTasks++;
      this.settle(m.ok === true);
    });
    worker.on('error', () => this.fail());
    worker.on('exit', () => this.fail());
  }

  static start(x: Float64Array, n: number, d: number, k: number, leafSize: number): KnnHelper | null {
    try {
      // Set to 1 by the worker once loaded: read without waiting for the event loop, which a search run without
      // a slicer does not visit between trees.
      const loaded = sharedI32(1);
      const worker = startWorker(import.meta.url, 'knn-worker', { workerData: { x, n, d, k, leafSize, loaded } });
      return new KnnHelper(worker, loaded);
    } catch {
      return null;
    }
  }

  /** Blocks until the worker has loaded, at most `ms`. */
  waitLoaded(ms: number): void {
    Atomics.wait(this.loaded, 0, 0, ms);
  }

  /** Loaded and not failed: tasks can go to it. */
  get ready(): boolean {
    return !this.failed && Atomics.load(this.loaded, 0) === 1;
  }

  /** Runs one task; resolves false (do it yourself) if the helper fails. */
  run(task: KnnTask & { dist: Float64Array; idx: Int32Array }): Promise<boolean> {
    if (this.failed || this.pending) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.pending = resolve;
      this.worker.postMessage(task);
    });
  }

  private settle(ok: boolean): void {
    if (!ok) this.failed = true;
    const p = this.pending;
    this.pending = null;
    p?.(ok);
  }

  private fail(): void {
    this.settle(false);
  }

  close(): void {
    this.failed = true;
    void this.worker.terminate();
  }
}

/**
 * Splits perm[0, n) into leaves: each range at the median projection on the direction between two random members,
 * until at most leafSize remain. Depth first, lower half first (the order the random draws follow), from a stack
 * instead of recursion so that the slicer gets a tick every range: one tree over a million rows takes seconds.
 */
async function splitTree(
  x: Float64Array,
  d: number,
  perm: Int32Array,
  n: number,
  leafSize: number,
  random: Random,
  start: Int32Array,
  end: Int32Array,
  proj: Float64Array,
  dir: Float64Array,
  slicer?: Slicer,
): Promise<void> {
  const stack = [0, n];
  while (stack.length > 0) {
    const hi = stack.pop()!;
    const lo = stack.pop()!;
    if (hi - lo <= leafSize) {
      for (let p = lo; p < hi; p++) {
        start[p] = lo;
        end[p] = hi;
      }
      continue;
    }
    if (hi - lo > BLOCK_ROWS) await slicer?.tick();
    splitRange(x, d, perm, lo, hi, random, proj, dir);
    const mid = (lo + hi) >> 1;
    stack.push(mid, hi, lo, mid);
  }
}

/** One split of perm[lo, hi): its median along the direction between two random members ends at (lo + hi) / 2. */
function splitRange(
  x: Float64Array,
  d: number,
  perm: Int32Array,
  lo: number,
  hi: number,
  random: Random,
  proj: Float64Array,
  dir: Float64Array,
): void {
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
  selectByKey(perm, proj, lo, hi - 1, (lo + hi) >> 1);
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
