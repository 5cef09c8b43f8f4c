import { fitPca, projectPca } from '../projection/pca.js';
import type { Random } from '../util/random.js';

/** Standard deviation of the first coordinate after initialisation (openTSNE's choice). */
export const INIT_STD = 1e-4;

/**
 * PCA initialisation: the first two principal components, scaled so the first has standard deviation 1e-4.
 * Keeps the global layout of the data and makes runs deterministic (Kobak & Linderman 2021).
 */
export function pcaInitialization(data: Float32Array | Float64Array, n: number, d: number, seed: number): Float64Array {
  if (d < 2) throw new Error('t-SNE: PCA initialisation needs at least 2 input dimensions');
  const y = Float64Array.from(projectPca(fitPca(data, n, d, 2, seed), data, n));
  return rescale(y, n);
}

/** Random Gaussian initialisation with the same scale, for when PCA is unavailable. */
export function randomInitialization(n: number, random: Random): Float64Array {
  const y = new Float64Array(2 * n);
  for (let t = 0; t < y.length; t++) y[t] = random.normal();
  return rescale(y, n);
}

function rescale(y: Float64Array, n: number): Float64Array {
  let m0 = 0;
  let m1 = 0;
  for (let i = 0; i < n; i++) {
    m0 += y[2 * i];
    m1 += y[2 * i + 1];
  }
  m0 /= n;
  m1 /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (y[2 * i] - m0) ** 2;
  const sd = Math.sqrt(v / n) || 1;
  const s = INIT_STD / sd;
  for (let i = 0; i < n; i++) {
    y[2 * i] = (y[2 * i] - m0) * s;
    y[2 * i + 1] = (y[2 * i + 1] - m1) * s;
  }
  return y;
}
