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
 * Trustworthiness (Venna & Kaski 2001) of a low-dimensional embedding: 1 minus the normalised penalty for
 * low-dimensional k-neighbours that are not high-dimensional k-neighbours, weighted by how far down the
 * high-dimensional ranking they are. Evaluated on a random sample of `sampleSize` points (all when n is smaller),
 * each against all n points: O(sampleSize·n·dHigh). 1 is perfect.
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
  const hd = new Float64Array(n);
  let penalty = 0;
  for (let s = 0; s < m; s++) {
    const i = sample[s];
    tree.query(i, k, idx, ld);
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let t = 0; t < dHigh; t++) {
        const u = high[i * dHigh + t] - high[j * dHigh + t];
        acc += u * u;
      }
      hd[j] = acc;
    }
    for (let t = 0; t < k; t++) {
      const dij = hd[idx[t]];
      // Rank among the other points in high-D; ties count in the point's favour.
      let rank = 1;
      for (let j = 0; j < n; j++) if (hd[j] < dij && j !== i) rank++;
      if (rank > k) penalty += rank - k;
    }
  }
  return 1 - (2 / (m * k * (2 * n - 3 * k - 1))) * penalty;
}
