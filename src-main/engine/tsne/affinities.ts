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

/**
 * Conditional probabilities p_{j|i} over each point's kNN, calibrated to the perplexity; n×k like the graph. With
 * `inPlace` they overwrite the graph's distances (n·k doubles fewer, 720 MB at a million points), for callers that
 * own the graph and need no distances after.
 */
export async function conditionalProbabilities(
  graph: KnnGraph,
  perplexity: number,
  slicer?: Slicer,
  onProgress?: PhaseProgress,
  inPlace = false,
): Promise<Float64Array> {
  const { n, k } = graph;
  const cond = inPlace ? graph.distances : new Float64Array(n * k);
  const row = new Float64Array(k);
  onProgress?.(0, n);
  for (let i = 0; i < n; i++) {
    if (slicer && (i & 255) === 0) await slicer.tick();
    if (onProgress && i > 0 && (i & 1023) === 0) onProgress(i, n);
    row.set(graph.distances.subarray(i * k, (i + 1) * k));
    calibrateRow(row, cond.subarray(i * k, (i + 1) * k), perplexity);
  }
  onProgress?.(n, n);
  return cond;
}

/**
 * P = (P_cond + P_condᵀ) / 2N as CSR, merging the two directions of every edge. Row j lists, in this order, the
 * points i < j that have j among their neighbours, j's own neighbours, then such points i > j, each column once
 * (first-seen order, values summed in that order). Memory beyond the graph: the transpose (an int and a double per
 * edge) and the result at its exact size, counted in a first pass; the result is over shared memory, so t-SNE's
 * helper thread reads it without a copy. Yields to `slicer` every 8,192 rows (a million points take seconds here).
 */
export async function symmetrize(
  graph: KnnGraph,
  cond: Float64Array,
  onProgress?: PhaseProgress,
  slicer?: Slicer,
): Promise<SparseMatrix> {
  const { n, k, indices } = graph;
  // Progress in rows: the transpose and the counting pass for the first half, the filling pass for the second.
  onProgress?.(0, n);
  const tPtr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    for (let t = i * k; t < (i + 1) * k; t++) tPtr[indices[t] + 1]++;
    if ((i & 16383) === 16383) await slicer?.tick();
  }
  for (let i = 0; i < n; i++) tPtr[i + 1] += tPtr[i];
  // The transpose: tSrc[tPtr[j] …] are the points i that have j among their neighbours, ascending, and tVal their
  // p_{j|i}. Values are copied rather than looked up through an edge position: at a million points the lookups
  // went to random places in 720 MB: 1.4× slower (1M points, k = 90).
  const tSrc = new Int32Array(n * k);
  const tVal = new Float64Array(n * k);
  const fill = tPtr.slice(0, n);
  for (let i = 0; i < n; i++) {
    for (let t = i * k; t < (i + 1) * k; t++) {
      const q = fill[indices[t]]++;
      tSrc[q] = i;
      tVal[q] = cond[t];
    }
    if ((i & 8191) === 8191) await slicer?.tick();
  }
  const rowPtr = new Int32Array(new SharedArrayBuffer(4 * (n + 1)));
  const seen = new Int32Array(n).fill(-1);
  for (let j = 0; j < n; j++) {
    let count = 0;
    for (let q = tPtr[j]; q < tPtr[j + 1]; q++) {
      seen[tSrc[q]] = j;
      count++;
    }
    for (let t = j * k; t < (j + 1) * k; t++)
      if (seen[indices[t]] !== j) {
        seen[indices[t]] = j;
        count++;
      }
    rowPtr[j + 1] = rowPtr[j] + count;
    if (j > 0 && (j & 8191) === 0) {
      onProgress?.(j >> 1, n);
      await slicer?.tick();
    }
  }
  const nnz = rowPtr[n];
  const colInd = new Int32Array(new SharedArrayBuffer(4 * nnz));
  const values = new Float64Array(new SharedArrayBuffer(8 * nnz));
  // slot[c]: where column c sits in the row being filled (≥ its start once seen in it).
  const slot = seen.fill(-1);
  const scale = 1 / (2 * n);
  const add = (c: number, v: number, start: number, end: number): number => {
    if (slot[c] >= start) {
      values[slot[c]] += v * scale;
      return end;
    }
    slot[c] = end;
    colInd[end] = c;
    values[end] = v * scale;
    return end + 1;
  };
  for (let j = 0; j < n; j++) {
    const start = rowPtr[j];
    let end = start;
    let q = tPtr[j];
    for (; q < tPtr[j + 1] && tSrc[q] < j; q++) end = add(tSrc[q], tVal[q], start, end);
    for (let t = j * k; t < (j + 1) * k; t++) end = add(indices[t], cond[t], start, end);
    for (; q < tPtr[j + 1]; q++) end = add(tSrc[q], tVal[q], start, end);
    if (j > 0 && (j & 8191) === 0) {
      onProgress?.((n + j) >> 1, n);
      await slicer?.tick();
    }
  }
  onProgress?.(n, n);
  return { n, rowPtr, colInd, values };
}

/**
 * Joint probabilities from a kNN graph: perplexity calibration, then symmetrisation. `consume`: the graph's
 * distances are overwritten on the way (see conditionalProbabilities).
 */
export async function jointProbabilities(
  graph: KnnGraph,
  perplexity: number,
  slicer?: Slicer,
  onProgress?: (phase: 'calibration' | 'symmetrize', done: number, total: number) => void,
  consume = false,
): Promise<SparseMatrix> {
  const cond = await conditionalProbabilities(
    graph,
    perplexity,
    slicer,
    (d, t) => onProgress?.('calibration', d, t),
    consume,
  );
  await slicer?.tick();
  return symmetrize(graph, cond, (d, t) => onProgress?.('symmetrize', d, t), slicer);
}
