import type { KnnGraph } from '../neighbors/knn.js';
import type { Slicer } from '../util/slicer.js';

/** Called with the rows done so far and the total, now and then during a phase. */
export type PhaseProgress = (done: number, total: number) => void;

/** Symmetric sparse matrix in CSR form; the joint probabilities P of t-SNE (entries sum to 1). */
export interface SparseMatrix {
  n: number;
  rowPtr: Int32Array;
  colInd: Int32Array;
  values: Float64Array;
}

/**
 * Finds, for one row of squared distances, the precision β whose Gaussian has entropy log(perplexity)
 * (natural log) and writes the normalised conditional probabilities to `out`. Returns β.
 */
export function calibrateRow(sqDists: Float64Array, out: Float64Array, perplexity: number, tol = 1e-8): number {
  const k = sqDists.length;
  const target = Math.log(perplexity);
  const d0 = sqDists[0];
  // Distances shifted by the nearest one so exp() never underflows for every neighbour at once. H(β) falls
  // monotonically from log k (β = 0); Newton steps on it (dH/dβ = −β·Var(d)) inside a bisection bracket that every
  // evaluation narrows: typically 4–8 evaluations where bisection alone takes ~40.
  let mean = 0;
  for (let t = 0; t < k; t++) mean += sqDists[t] - d0;
  mean /= k;
  let beta = mean > 0 ? 1 / mean : 1;
  let lo = 0;
  let hi = Infinity;
  for (let iter = 0; iter < 200; iter++) {
    let sum = 0;
    let sumDP = 0;
    let sumD2P = 0;
    for (let t = 0; t < k; t++) {
      const dd = sqDists[t] - d0;
      const p = Math.exp(-beta * dd);
      out[t] = p;
      sum += p;
      sumDP += dd * p;
      sumD2P += dd * dd * p;
    }
    const ed = sumDP / sum;
    const h = Math.log(sum) + beta * ed;
    const diff = h - target;
    if (Math.abs(diff) < tol) break;
    if (diff > 0) lo = beta;
    else hi = beta;
    const slope = -beta * (sumD2P / sum - ed * ed);
    let next = slope < 0 ? beta - diff / slope : NaN;
    if (!(next > lo && next < hi)) next = hi === Infinity ? beta * 2 : (lo + hi) / 2;
    if (hi - lo < 1e-300 * hi || next === beta) break;
    beta = next;
  }
  let sum = 0;
  for (let t = 0; t < k; t++) sum += out[t];
  for (let t = 0; t < k; t++) out[t] /= sum;
  return beta;
}

/** Entropy (natural log) of one normalised row; used by tests to check calibration. */
export function rowEntropy(p: Float64Array): number {
  let h = 0;
  for (let t = 0; t < p.length; t++) if (p[t] > 0) h -= p[t] * Math.log(p[t]);
  return h;
}

/** Conditional probabilities p_{j|i} over each point's kNN, calibrated to the perplexity; n×k like the graph. */
export async function conditionalProbabilities(
  graph: KnnGraph,
  perplexity: number,
  slicer?: Slicer,
  onProgress?: PhaseProgress,
): Promise<Float64Array> {
  const { n, k } = graph;
  const cond = new Float64Array(n * k);
  onProgress?.(0, n);
  for (let i = 0; i < n; i++) {
    if (slicer && (i & 255) === 0) await slicer.tick();
    if (onProgress && i > 0 && (i & 1023) === 0) onProgress(i, n);
    calibrateRow(graph.distances.subarray(i * k, (i + 1) * k), cond.subarray(i * k, (i + 1) * k), perplexity);
  }
  onProgress?.(n, n);
  return cond;
}

/**
 * P = (P_cond + P_condᵀ) / 2N as CSR, merging the two directions of every edge. Yields to `slicer` every 8,192 rows
 * (a million points take seconds here).
 */
export async function symmetrize(
  graph: KnnGraph,
  cond: Float64Array,
  onProgress?: PhaseProgress,
  slicer?: Slicer,
): Promise<SparseMatrix> {
  const { n, k, indices } = graph;
  // Progress in rows: the scatter pass counts for the first half, the merge for the second.
  onProgress?.(0, n);
  const counts = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    counts[i + 1] += k;
    for (let t = 0; t < k; t++) counts[indices[i * k + t] + 1]++;
  }
  for (let i = 0; i < n; i++) counts[i + 1] += counts[i];
  const fill = counts.slice(0, n);
  const cols = new Int32Array(counts[n]);
  const vals = new Float64Array(counts[n]);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) {
      const j = indices[i * k + t];
      const v = cond[i * k + t];
      cols[fill[i]] = j;
      vals[fill[i]++] = v;
      cols[fill[j]] = i;
      vals[fill[j]++] = v;
    }
    if (i > 0 && (i & 8191) === 0) {
      onProgress?.(i >> 1, n);
      await slicer?.tick();
    }
  }
  // Merge duplicates row by row with a scatter array, keeping first-seen order.
  const slot = new Int32Array(n).fill(-1);
  const rowPtr = new Int32Array(n + 1);
  const outCols = new Int32Array(counts[n]);
  const outVals = new Float64Array(counts[n]);
  let nnz = 0;
  const scale = 1 / (2 * n);
  for (let i = 0; i < n; i++) {
    const start = nnz;
    for (let e = counts[i]; e < counts[i + 1]; e++) {
      const j = cols[e];
      if (slot[j] >= start) outVals[slot[j]] += vals[e] * scale;
      else {
        slot[j] = nnz;
        outCols[nnz] = j;
        outVals[nnz++] = vals[e] * scale;
      }
    }
    rowPtr[i + 1] = nnz;
    if (i > 0 && (i & 8191) === 0) {
      onProgress?.((n + i) >> 1, n);
      await slicer?.tick();
    }
  }
  onProgress?.(n, n);
  return { n, rowPtr, colInd: outCols.slice(0, nnz), values: outVals.slice(0, nnz) };
}

/** Joint probabilities from a kNN graph: perplexity calibration, then symmetrisation. */
export async function jointProbabilities(
  graph: KnnGraph,
  perplexity: number,
  slicer?: Slicer,
  onProgress?: (phase: 'calibration' | 'symmetrize', done: number, total: number) => void,
): Promise<SparseMatrix> {
  const cond = await conditionalProbabilities(graph, perplexity, slicer, (d, t) => onProgress?.('calibration', d, t));
  await slicer?.tick();
  return symmetrize(graph, cond, (d, t) => onProgress?.('symmetrize', d, t), slicer);
}
