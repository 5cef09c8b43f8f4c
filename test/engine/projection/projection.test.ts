import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';

import { knnAccuracy } from '../../../src-main/engine/metrics/index.js';
import { symmetricEigen } from '../../../src-main/engine/projection/eigen.js';
import { fitPca, pca, pcaAsync, projectPca, runUmap } from '../../../src-main/engine/projection/index.js';
import { createRandom } from '../../../src-main/engine/util/random.js';
import { blobs } from '../tsne/helpers.js';

/** n points in d dimensions with variance decaying along known orthogonal axes (a random rotation of scaled axes). */
function anisotropic(n: number, d: number, seed: number) {
  const r = createRandom(seed);
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) x[i * d + t] = r.normal() * (t < 3 ? 10 - 3 * t : 0.3) + 5;
  return x;
}

describe('projection', () => {
  /** The eigenvalues of a symmetric matrix by an independent implementation (ml-matrix), descending. */
  function referenceEigenvalues(a: Float64Array, m: number): number[] {
    const rows = Array.from({ length: m }, (_, i) => Array.from(a.subarray(i * m, i * m + m)));
    return new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true }).realEigenvalues.sort(
      (x, y) => y - x,
    );
  }

  function randomSymmetric(m: number, seed: number): Float64Array {
    const r = createRandom(seed);
    const a = new Float64Array(m * m);
    for (let i = 0; i < m; i++) for (let j = 0; j <= i; j++) a[i * m + j] = a[j * m + i] = r.normal();
    return a;
  }

  /** ‖VᵀΛV − A‖ and ‖VVᵀ − I‖, elementwise maxima. */
  function eigenErrors(a: Float64Array, m: number, values: Float64Array, vectors: Float64Array) {
    let recon = 0;
    let orth = 0;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < m; j++) {
        let s = 0;
        let o = 0;
        for (let e = 0; e < m; e++) {
          s += vectors[e * m + i] * values[e] * vectors[e * m + j];
          o += vectors[i * m + e] * vectors[j * m + e];
        }
        recon = Math.max(recon, Math.abs(s - a[i * m + j]));
        orth = Math.max(orth, Math.abs(o - (i === j ? 1 : 0)));
      }
    return { recon, orth };
  }

  for (const m of [1, 2, 6, 61]) {
    it(`symmetric eigen-decomposition (${m}×${m}) reconstructs the matrix and matches ml-matrix`, () => {
      const a = randomSymmetric(m, m);
      const { values, vectors } = symmetricEigen(a, m);
      const { recon, orth } = eigenErrors(a, m, values, vectors);
      expect(recon).toBeLessThan(1e-10);
      expect(orth).toBeLessThan(1e-10);
      for (let e = 1; e < m; e++) expect(values[e]).toBeLessThanOrEqual(values[e - 1]);
      const ref = referenceEigenvalues(a, m);
      for (let e = 0; e < m; e++) expect(values[e]).toBeCloseTo(ref[e], 10);
    });
  }

  it('symmetric eigen-decomposition handles repeated eigenvalues, a diagonal and a zero matrix', () => {
    const m = 8;
    // Q·diag(3,3,3,1,1,0,0,−2)·Qᵀ for a random orthogonal Q (from the eigenvectors of a random matrix).
    const q = symmetricEigen(randomSymmetric(m, 9), m).vectors;
    const lambda = [3, 3, 3, 1, 1, 0, 0, -2];
    const a = new Float64Array(m * m);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < m; j++) for (let e = 0; e < m; e++) a[i * m + j] += q[e * m + i] * lambda[e] * q[e * m + j];
    const r = symmetricEigen(a, m);
    for (let e = 0; e < m; e++) expect(r.values[e]).toBeCloseTo(lambda[e], 10);
    expect(eigenErrors(a, m, r.values, r.vectors).orth).toBeLessThan(1e-10);
    const diag = Float64Array.from({ length: 9 }, (_, t) => (t % 4 === 0 ? [5, -1, 2][t / 4] : 0));
    expect(Array.from(symmetricEigen(diag, 3).values)).toEqual([5, 2, -1]);
    const zero = symmetricEigen(new Float64Array(16), 4);
    expect(Array.from(zero.values)).toEqual([0, 0, 0, 0]);
    expect(eigenErrors(new Float64Array(16), 4, zero.values, zero.vectors).orth).toBeLessThan(1e-12);
  });

  it('symmetric eigen-decomposition refuses a matrix of the wrong size and one with NaN in it', () => {
    expect(() => symmetricEigen(new Float64Array(5), 2)).toThrow('5 values for a 2×2 matrix');
    const a = randomSymmetric(5, 1);
    a[7] = a[5 + 2] = Number.NaN;
    expect(() => symmetricEigen(a, 5)).toThrow('the matrix has NaN at (1, 2)');
  });

  for (const d of [10, 100]) {
    it(`PCA finds the high-variance axes in ${d} dimensions`, async () => {
      const n = 2000;
      const x = anisotropic(n, d, 3);
      const model = fitPca(x, n, d, 3);
      for (let e = 0; e < 3; e++) {
        // Axis e should be (close to) the unit vector along coordinate e, with variance (10 − 3e)².
        expect(Math.abs(model.axes[e * d + e])).toBeGreaterThan(0.99);
        expect(model.variances[e] / (10 - 3 * e) ** 2).toBeGreaterThan(0.9);
        expect(model.variances[e] / (10 - 3 * e) ** 2).toBeLessThan(1.1);
      }
      const y = pca(x, n, d, 2);
      let mean = 0;
      for (let i = 0; i < n; i++) mean += y[2 * i];
      expect(Math.abs(mean / n)).toBeLessThan(1e-3);
      expect(Array.from(pca(x, n, d, 2))).toEqual(Array.from(y));
      expect(Array.from(await pcaAsync(x, n, d, 2))).toEqual(Array.from(y));
    });
  }

  for (const [d, k, solver, n] of [
    [40, 10, 'covariance', 1200],
    [160, 10, 'block Krylov', 1200],
    [300, 50, 'block Krylov, 4 blocks of 60 as for PCA-50 of images', 1200],
    [400, 30, 'Gram matrix, a quarter as many rows as dimensions', 100],
  ] as const) {
    it(`PCA's explained variance matches an exact float64 reference within 1e-4 (${solver}, d = ${d}, ${k} components)`, () => {
      // Variances decaying like 1/(1 + t/3) along a random rotation: no large gaps to make convergence easy.
      const r = createRandom(5);
      const z = Float64Array.from({ length: n * d }, (_, t) => r.normal() / Math.sqrt(1 + (t % d) / 3));
      const rot = Float64Array.from({ length: d * d }, () => r.normal());
      const x = new Float32Array(n * d);
      for (let i = 0; i < n; i++)
        for (let a = 0; a < d; a++) {
          let s = 2;
          for (let b = 0; b < d; b++) s += z[i * d + b] * rot[b * d + a] * 0.1;
          x[i * d + a] = s;
        }
      const mean = new Float64Array(d);
      for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) mean[a] += x[i * d + a] / n;
      const c = new Float64Array(d * d);
      for (let i = 0; i < n; i++)
        for (let a = 0; a < d; a++) {
          const u = x[i * d + a] - mean[a];
          for (let b = 0; b < d; b++) c[a * d + b] += (u * (x[i * d + b] - mean[b])) / (n - 1);
        }
      const reference = referenceEigenvalues(c, d);
      const model = fitPca(x, n, d, k, 1);
      let total = 0;
      let refTotal = 0;
      for (let e = 0; e < k; e++) {
        expect(Math.abs(model.variances[e] / reference[e] - 1)).toBeLessThan(1e-4);
        total += model.variances[e];
        refTotal += reference[e];
      }
      expect(Math.abs(total / refTotal - 1)).toBeLessThan(1e-4);
      // The axes carry those variances: the data projected on each has it.
      const y = projectPca(model, x, n);
      for (let e = 0; e < k; e++) {
        let v = 0;
        for (let i = 0; i < n; i++) v += y[i * k + e] ** 2 / (n - 1);
        expect(Math.abs(v / model.variances[e] - 1)).toBeLessThan(1e-3);
      }
    });
  }

  it('PCA projects in row blocks exactly as in one block', () => {
    const n = 700;
    const d = 20;
    const x = anisotropic(n, d, 4);
    const model = fitPca(x, n, d, 3);
    const whole = projectPca(model, x, n);
    const blocked = projectPca(model, x, n, 64);
    for (let t = 0; t < whole.length; t++) expect(blocked[t]).toBeCloseTo(whole[t], 4);
  });

  it('async PCA rejects when aborted', async () => {
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(pcaAsync(anisotropic(3000, 20, 1), 3000, 20, 2, 0, { signal: ac.signal })).rejects.toThrow('stop');
  });

  it('UMAP separates clusters and streams progress', async () => {
    const { data, labels, n, d } = blobs(4, 75, 10, 8);
    let reports = 0;
    const r = await runUmap(
      data,
      n,
      d,
      { nEpochs: 100, seed: 1 },
      { onProgress: (p) => void (p.embedding && reports++) },
    );
    expect(r.cancelled).toBe(false);
    expect(r.embedding.length).toBe(2 * n);
    expect(reports).toBe(10);
    expect(knnAccuracy(r.embedding, n, 2, labels, 10)).toBeGreaterThan(0.95);
  });

  it('UMAP stops when onProgress returns false', async () => {
    const { data, n, d } = blobs(3, 50, 5, 8);
    const r = await runUmap(data, n, d, { nEpochs: 200, reportEvery: 5 }, { onProgress: (p) => p.epoch < 20 });
    expect(r.cancelled).toBe(true);
    expect(r.epochs).toBe(20);
    expect(r.embedding.every(Number.isFinite)).toBe(true);
  });
});
