import { KdTree } from '../neighbors/kdtree.js';
import { createRandom } from '../util/random.js';

export { KdTree } from '../neighbors/kdtree.js';

type Points = Float32Array | Float64Array;

/**
 * Leave-one-out k-nearest-neighbour classification accuracy in the embedding (n×dim): each labelled point is
 * classified by a majority vote of its k nearest labelled neighbours (ties go to the class met first, i.e. nearest).
 * Unlabelled points (label < 0) are ignored. Returns NaN when nothing is labelled.
 */
export function knnAccuracy(embedding: Points, n: number, dim: number, labels: Int32Array, k = 10): number {
  if (embedding.length !== n * dim) throw new Error(`knnAccuracy: embedding must be ${n}×${dim}`);
  if (labels.length !== n) throw new Error(`knnAccuracy: ${labels.length} labels for ${n} points`);
  const keep: number[] = [];
  for (let i = 0; i < n; i++) if (labels[i] >= 0) keep.push(i);
  const m = keep.length;
  if (m < 2) return NaN;
  k = Math.min(k, m - 1);
  const pts = new Float64Array(m * dim);
  const lab = new Int32Array(m);
  let maxLabel = 0;
  keep.forEach((i, r) => {
    for (let t = 0; t < dim; t++) pts[r * dim + t] = embedding[i * dim + t];
    lab[r] = labels[i];
    maxLabel = Math.max(maxLabel, labels[i]);
  });
  const tree = new KdTree(pts, m, dim);
  const idx = new Int32Array(k);
  const dist = new Float64Array(k);
  const votes = new Int32Array(maxLabel + 1);
  let correct = 0;
  for (let r = 0; r < m; r++) {
    tree.query(r, k, idx, dist);
    votes.fill(0);
    let best = -1;
    let bestVotes = 0;
    for (let t = 0; t < k; t++) votes[lab[idx[t]]]++;
    for (let t = 0; t < k; t++) {
      const c = lab[idx[t]];
      if (votes[c] > bestVotes) {
        bestVotes = votes[c];
        best = c;
      }
    }
    if (best === lab[r]) correct++;
  }
  return correct / m;
}

/**
 * Squared distances from some rows of the n×d input to every row: `rows.length`×n, row-major. The metrics call it
 * on blocks of their sample, so a provider can use matrix products (see `matMulDistances`) where the scalar loop
 * below would take tens of seconds on pixels (1,000 × 10,000 × 784).
 */
export type RowDistances = (rows: Int32Array) => Float32Array | Float64Array;

/** The scalar reference: exact in float64, fine for small inputs (codes, tests). */
export function scalarDistances(high: Points, dHigh: number, n: number): RowDistances {
  return (rows) => {
    const out = new Float64Array(rows.length * n);
    for (let r = 0; r < rows.length; r++) {
      const a = rows[r] * dHigh;
      for (let j = 0; j < n; j++) {
        const b = j * dHigh;
        let acc = 0;
        for (let t = 0; t < dHigh; t++) {
          const u = high[a + t] - high[b + t];
          acc += u * u;
        }
        out[r * n + j] = acc;
      }
    }
    return out;
  };
}

/** Sample rows handed to a RowDistances at once: bounds its memory at 256·n values, and each pass over the input
 * serves that many (the matMul provider uploads the input once per call). */
const DISTANCE_BLOCK = 256;

/**
 * Trustworthiness (Venna & Kaski 2001) of a low-dimensional embedding: 1 minus the normalised penalty for
 * low-dimensional k-neighbours that are not high-dimensional k-neighbours, weighted by how far down the
 * high-dimensional ranking they are. Evaluated on a random sample of `sampleSize` points (all when n is smaller),
 * each against all n points: O(sampleSize·n·dHigh). 1 is perfect. `distances` gives the high-dimensional squared
 * distances (default: the scalar loop over `high`).
 */
export function trustworthiness(
  high: Points,
  dHigh: number,
  low: Points,
  dLow: number,
  n: number,
  k: number,
  sampleSize = 1000,
  seed = 0,
  distances: RowDistances = scalarDistances(high, dHigh, n),
): number {
  if (high.length !== n * dHigh || low.length !== n * dLow)
    throw new Error('trustworthiness: array sizes do not match n');
  if (!(k >= 1 && 3 * k < 2 * n - 1)) throw new Error(`trustworthiness: k = ${k} too large for ${n} points`);
  const m = Math.min(n, sampleSize);
  const sample = Int32Array.from({ length: n }, (_, i) => i);
  const rand = createRandom(seed);
  for (let i = 0; i < m; i++) {
    const j = i + rand.int(n - i);
    const s = sample[i];
    sample[i] = sample[j];
    sample[j] = s;
  }
  const tree = new KdTree(low, n, dLow);
  const idx = new Int32Array(k);
  const ld = new Float64Array(k);
  let penalty = 0;
  for (let from = 0; from < m; from += DISTANCE_BLOCK) {
    const block = sample.subarray(from, Math.min(m, from + DISTANCE_BLOCK));
    const all = distances(block);
    for (let s = 0; s < block.length; s++) {
      const i = block[s];
      const hd = all.subarray(s * n, (s + 1) * n);
      tree.query(i, k, idx, ld);
      for (let t = 0; t < k; t++) {
        const dij = hd[idx[t]];
        // Rank among the other points in high-D; ties count in the point's favour.
        let rank = 1;
        for (let j = 0; j < n; j++) if (hd[j] < dij && j !== i) rank++;
        if (rank > k) penalty += rank - k;
      }
    }
  }
  return 1 - (2 / (m * k * (2 * n - 3 * k - 1))) * penalty;
}
