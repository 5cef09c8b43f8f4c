import { insertSorted } from './sorted-insert.js';

/**
 * Exact k-nearest-neighbour search for low-dimensional points (2–3 D embeddings): a k-d tree over an index
 * permutation, split at the median of the widest dimension.
 */
export class KdTree {
  private readonly perm: Int32Array;
  private readonly nodeStart: Int32Array;
  private readonly nodeEnd: Int32Array;
  private readonly nodeDim: Int32Array;
  private readonly nodeSplit: Float64Array;
  private nodes = 0;
  private static readonly LEAF = 16;

  constructor(
    private readonly points: Float32Array | Float64Array,
    private readonly n: number,
    private readonly dim: number,
  ) {
    this.perm = Int32Array.from({ length: n }, (_, i) => i);
    const cap = 2 * Math.ceil(n / (KdTree.LEAF / 2)) + 2;
    this.nodeStart = new Int32Array(cap);
    this.nodeEnd = new Int32Array(cap);
    this.nodeDim = new Int32Array(cap);
    this.nodeSplit = new Float64Array(cap);
    this.build(0, 0, n);
  }

  /** Node ids are implicit: children of node k are 2k+1 and 2k+2. */
  private build(node: number, start: number, end: number): void {
    this.nodes = Math.max(this.nodes, node + 1);
    this.nodeStart[node] = start;
    this.nodeEnd[node] = end;
    this.nodeDim[node] = -1;
    if (end - start <= KdTree.LEAF || 2 * node + 2 >= this.nodeStart.length) return;
    const { points, dim, perm } = this;
    let best = 0;
    let bestSpan = -1;
    for (let t = 0; t < dim; t++) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let e = start; e < end; e++) {
        const v = points[perm[e] * dim + t];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      if (hi - lo > bestSpan) {
        bestSpan = hi - lo;
        best = t;
      }
    }
    if (bestSpan <= 0) return;
    const mid = (start + end) >> 1;
    select(perm, points, dim, best, start, end - 1, mid);
    this.nodeDim[node] = best;
    this.nodeSplit[node] = points[perm[mid] * dim + best];
    this.build(2 * node + 1, start, mid);
    this.build(2 * node + 2, mid, end);
  }

  /**
   * The k nearest points to point `i` (itself excluded) written to outIdx/outDist (squared), nearest first.
   */
  query(i: number, k: number, outIdx: Int32Array, outDist: Float64Array): void {
    outDist.fill(Infinity, 0, k);
    outIdx.fill(-1, 0, k);
    const q = new Float64Array(this.dim);
    for (let t = 0; t < this.dim; t++) q[t] = this.points[i * this.dim + t];
    this.search(0, q, i, k, outIdx, outDist);
  }

  private search(node: number, q: Float64Array, self: number, k: number, idx: Int32Array, dist: Float64Array): void {
    const sd = this.nodeDim[node];
    if (sd < 0) {
      const { points, dim, perm } = this;
      for (let e = this.nodeStart[node], end = this.nodeEnd[node]; e < end; e++) {
        const j = perm[e];
        if (j === self) continue;
        let s = 0;
        for (let t = 0; t < dim; t++) {
          const u = points[j * dim + t] - q[t];
          s += u * u;
        }
        if (s < dist[k - 1]) insertSorted(dist, idx, k, s, j);
      }
      return;
    }
    const diff = q[sd] - this.nodeSplit[node];
    const near = diff < 0 ? 2 * node + 1 : 2 * node + 2;
    const far = diff < 0 ? 2 * node + 2 : 2 * node + 1;
    this.search(near, q, self, k, idx, dist);
    if (diff * diff < dist[k - 1]) this.search(far, q, self, k, idx, dist);
  }
}

/** Quickselect: reorders perm[lo..hi] so that position k holds the k-th smallest by coordinate t. */
function select(
  perm: Int32Array,
  pts: Float32Array | Float64Array,
  dim: number,
  t: number,
  lo: number,
  hi: number,
  k: number,
) {
  while (hi > lo) {
    const pivot = pts[perm[(lo + hi) >> 1] * dim + t];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (pts[perm[i] * dim + t] < pivot) i++;
      while (pts[perm[j] * dim + t] > pivot) j--;
      if (i <= j) {
        const s = perm[i];
        perm[i] = perm[j];
        perm[j] = s;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}
