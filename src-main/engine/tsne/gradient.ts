import { inBlocks, type Slicer } from '../util/slicer.js';
import type { SparseMatrix } from './affinities.js';

/**
 * The repulsive half of the t-SNE gradient for one embedding y (n×2):
 * writes r_i = Σ_j w_ij² (y_i − y_j) into `out` and returns Z = Σ_{i≠j} w_ij, with w_ij = 1 / (1 + |y_i − y_j|²).
 */
export interface Repulsion {
  readonly name: 'exact' | 'barnes-hut' | 'fft';
  compute(y: Float64Array, n: number, out: Float64Array): number;
  /**
   * `compute` as a generator that pauses between its parts (each a fraction of a second at a million points), so a
   * caller can let the event loop turn, and see a cancel, in the middle of one evaluation. Same result bit for bit.
   */
  phases?(y: Float64Array, n: number, out: Float64Array): Generator<void, number, void>;
}

/** Runs a generator of phases to its end, without pausing, and returns its result. */
export function drain<T>(g: Generator<void, T, void>): T {
  for (;;) {
    const r = g.next();
    if (r.done) return r.value;
  }
}

/** The repulsion's phases, or its `compute` as one phase when it has none. */
export function* repulsionPhases(
  repulsion: Repulsion,
  y: Float64Array,
  n: number,
  out: Float64Array,
): Generator<void, number, void> {
  return repulsion.phases ? yield* repulsion.phases(y, n, out) : repulsion.compute(y, n, out);
}

/** Rows of P per pause of `quarterGradientPhases`' attraction (about 0.1 s of work at k = 90). */
const ATTRACTION_BLOCK_ROWS = 1 << 18;

/**
 * Attractive forces for rows [r0, r1): out_i = exaggeration · Σ_j p_ij w_ij (y_i − y_j); only P's nonzeros are
 * visited, so all rows cost O(nnz).
 * Takes P's arrays rather than the matrix so the helper thread (attraction-worker.ts) runs it on shared memory.
 */
export function attractiveKernel(
  rowPtr: Int32Array,
  colInd: Int32Array,
  values: Float64Array,
  y: Float64Array,
  exaggeration: number,
  out: Float64Array,
  r0: number,
  r1: number,
): void {
  for (let i = r0; i < r1; i++) {
    const yi0 = y[2 * i];
    const yi1 = y[2 * i + 1];
    let f0 = 0;
    let f1 = 0;
    for (let e = rowPtr[i], end = rowPtr[i + 1]; e < end; e++) {
      const j = colInd[e];
      const d0 = yi0 - y[2 * j];
      const d1 = yi1 - y[2 * j + 1];
      const pw = values[e] / (1 + d0 * d0 + d1 * d1);
      f0 += pw * d0;
      f1 += pw * d1;
    }
    out[2 * i] = exaggeration * f0;
    out[2 * i + 1] = exaggeration * f1;
  }
}

/**
 * Gradient of KL(P‖Q) divided by 4 (the bhtsne/openTSNE convention the learning rate refers to):
 * g_i = a_i − r_i / Z. Scratch buffers avoid allocation per iteration. Returns Z.
 */
export function quarterGradient(...args: Parameters<typeof quarterGradientPhases>): number {
  return drain(quarterGradientPhases(...args));
}

/**
 * `quarterGradient(p, y, exaggeration, repulsion, grad, scratch)`, pausing within the attraction and between the
 * repulsion's phases.
 */
export function* quarterGradientPhases(
  p: SparseMatrix,
  y: Float64Array,
  exaggeration: number,
  repulsion: Repulsion,
  grad: Float64Array,
  scratch: Float64Array,
): Generator<void, number, void> {
  const n = p.n;
  // In blocks of rows (each point's row is its own sum, so the result is the same): at a million points the
  // attraction alone takes over half a second on one thread.
  for (let r0 = 0; r0 < n; r0 += ATTRACTION_BLOCK_ROWS) {
    attractiveKernel(p.rowPtr, p.colInd, p.values, y, exaggeration, grad, r0, Math.min(n, r0 + ATTRACTION_BLOCK_ROWS));
    yield;
  }
  const z = yield* repulsionPhases(repulsion, y, n, scratch);
  const inv = 1 / z;
  for (let t = 0; t < 2 * n; t++) grad[t] -= scratch[t] * inv;
  return z;
}

/** Σ p log p and Σ p of each P, computed once: half of KL's logarithms (P does not change during a run). */
const entropyTerms = new WeakMap<SparseMatrix, { plogp: number; sum: number }>();

/** Rows of KL's sums per block in the sliced version (a million points take seconds). */
const KL_BLOCK_ROWS = 16384;

/** Σ p log p and Σ p over P's entries [from, to), added to the running sums in `acc`, which it returns. */
function pTermsRange(
  values: Float64Array,
  from: number,
  to: number,
  acc: { plogp: number; sum: number },
): { plogp: number; sum: number } {
  let { plogp, sum } = acc;
  for (let e = from; e < to; e++) {
    const v = values[e];
    if (v > 0) {
      plogp += v * Math.log(v);
      sum += v;
    }
  }
  acc.plogp = plogp;
  acc.sum = sum;
  return acc;
}

/** kl + Σ p log(1 + d²) over rows [from, to) of P. */
function klRows(p: SparseMatrix, y: Float64Array, from: number, to: number, kl: number): number {
  const { rowPtr, colInd, values } = p;
  for (let i = from; i < to; i++) {
    const yi0 = y[2 * i];
    const yi1 = y[2 * i + 1];
    for (let e = rowPtr[i], end = rowPtr[i + 1]; e < end; e++) {
      const pij = values[e];
      if (pij <= 0) continue;
      const j = colInd[e];
      const d0 = yi0 - y[2 * j];
      const d1 = yi1 - y[2 * j + 1];
      kl += pij * Math.log(1 + d0 * d0 + d1 * d1);
    }
  }
  return kl;
}

/** KL(P‖Q) = Σ p log p + Σ p log(1 + d²) + log Z, over P's nonzeros (P sums to 1). */
export function klDivergence(p: SparseMatrix, y: Float64Array, z: number): number {
  let terms = entropyTerms.get(p);
  if (!terms) entropyTerms.set(p, (terms = pTermsRange(p.values, 0, p.values.length, { plogp: 0, sum: 0 })));
  return terms.plogp + klRows(p, y, 0, p.n, 0) + terms.sum * Math.log(z);
}

/**
 * `klDivergence`, the same sums in the same order, yielding to `slicer` between blocks of rows; `Cancelled` if the
 * run is cancelled meanwhile.
 */
export async function klDivergenceSliced(p: SparseMatrix, y: Float64Array, z: number, slicer: Slicer): Promise<number> {
  let terms = entropyTerms.get(p);
  if (!terms) {
    const acc = { plogp: 0, sum: 0 };
    await inBlocks(0, p.n, KL_BLOCK_ROWS, slicer, (a, b) => pTermsRange(p.values, p.rowPtr[a], p.rowPtr[b], acc));
    entropyTerms.set(p, (terms = acc));
  }
  let kl = 0;
  await inBlocks(0, p.n, KL_BLOCK_ROWS, slicer, (a, b) => (kl = klRows(p, y, a, b, kl)));
  return terms.plogp + kl + terms.sum * Math.log(z);
}
