import { describe, expect, it } from 'vitest';

import { exactKnn } from '../../../src-main/engine/neighbors/knn.js';
import { jointProbabilities, type SparseMatrix } from '../../../src-main/engine/tsne/affinities.js';
import { Fft2d } from '../../../src-main/engine/tsne/fft.js';
import {
  klDivergence,
  klDivergenceSliced,
  quarterGradient,
  type Repulsion,
} from '../../../src-main/engine/tsne/gradient.js';
import { BarnesHutRepulsion } from '../../../src-main/engine/tsne/gradient-bh.js';
import { ExactRepulsion } from '../../../src-main/engine/tsne/gradient-exact.js';
import { FftRepulsion, smoothAtLeast } from '../../../src-main/engine/tsne/gradient-fft.js';
import { createRandom } from '../../../src-main/engine/util/random.js';
import { Slicer } from '../../../src-main/engine/util/slicer.js';
import { blobs, clusteredPoints2d, randomPoints2d } from './helpers.js';

async function problem(n: number) {
  const { data, d } = blobs(5, n / 5, 8, 4);
  const p = await jointProbabilities(await exactKnn(data, n, d, 30), 10);
  return p;
}

function kl(p: SparseMatrix, y: Float64Array): number {
  const z = new ExactRepulsion().compute(y, p.n, new Float64Array(2 * p.n));
  return klDivergence(p, y, z);
}

function relativeError(a: Float64Array, b: Float64Array): number {
  let num = 0;
  let den = 0;
  for (let t = 0; t < a.length; t++) {
    num += (a[t] - b[t]) ** 2;
    den += b[t] ** 2;
  }
  return Math.sqrt(num / den);
}

function gradient(p: SparseMatrix, y: Float64Array, rep: Repulsion): Float64Array {
  const g = new Float64Array(2 * p.n);
  quarterGradient(p, y, 1, rep, g, new Float64Array(2 * p.n));
  return g;
}

describe('gradient', () => {
  it('exact gradient matches finite differences of KL', async () => {
    const p = await problem(100);
    const y = randomPoints2d(100, 6);
    const g = gradient(p, y, new ExactRepulsion());
    const h = 1e-5;
    for (const t of [0, 1, 37, 98, 199]) {
      const yp = Float64Array.from(y);
      const ym = Float64Array.from(y);
      yp[t] += h;
      ym[t] -= h;
      const fd = (kl(p, yp) - kl(p, ym)) / (2 * h);
      expect(4 * g[t]).toBeCloseTo(fd, 6);
      expect(Math.abs(4 * g[t] - fd)).toBeLessThan(1e-4 * Math.abs(fd) + 1e-9);
    }
  });

  it('Barnes-Hut repulsion matches the exact one within a few percent on 500 points', async () => {
    const n = 500;
    const y = randomPoints2d(n, 30);
    const exact = new Float64Array(2 * n);
    const bh = new Float64Array(2 * n);
    const zExact = new ExactRepulsion().compute(y, n, exact);
    const zBh = new BarnesHutRepulsion(0.5).compute(y, n, bh);
    expect(Math.abs(zBh - zExact) / zExact).toBeLessThan(0.01);
    expect(relativeError(bh, exact)).toBeLessThan(0.03);
    const p = await problem(n);
    expect(
      relativeError(gradient(p, y, new BarnesHutRepulsion(0.5)), gradient(p, y, new ExactRepulsion())),
    ).toBeLessThan(0.03);
  });

  it('Barnes-Hut with theta 0 is exact, duplicates included', () => {
    const n = 200;
    const y = randomPoints2d(n, 10);
    y.copyWithin(0, 20, 40); // ten points duplicated
    const exact = new Float64Array(2 * n);
    const bh = new Float64Array(2 * n);
    const z1 = new ExactRepulsion().compute(y, n, exact);
    const z2 = new BarnesHutRepulsion(0).compute(y, n, bh);
    expect(z2).toBeCloseTo(z1, 8);
    expect(relativeError(bh, exact)).toBeLessThan(1e-10);
  });

  it('FFT interpolation at the grid sizes it uses tracks the exact repulsion and gradient', async () => {
    // 2,000 points in ten clusters, like an embedding of that size at three stages: a compact one (span 10, the
    // minNodes floor: fine nodes), then 60 and 150 units at the default spacing of 0.5. The repulsion carries the
    // interpolation's error (FIt-SNE's 3 nodes per box of 1 unit: ~3% on MNIST embeddings; ours at spacing 0.5 about
    // the same); Z and the early-exaggeration gradient, where the attraction dominates, are within 1%.
    const n = 2000;
    const { data, d } = blobs(10, n / 10, 10, 3);
    const p = await jointProbabilities(await exactKnn(data, n, d, 30), 10);
    for (const [side, radius] of [
      [10, 1],
      [60, 4],
      [150, 4],
    ]) {
      const y = clusteredPoints2d(n, side, radius);
      const exact = new Float64Array(2 * n);
      const fft = new Float64Array(2 * n);
      const repulsion = new FftRepulsion();
      const zExact = new ExactRepulsion().compute(y, n, exact);
      const zFft = repulsion.compute(y, n, fft);
      const span = Math.max(...y) - Math.min(...y);
      // The grid the sizing rule gives: spacing 0.5, or ≥ 32 nodes over a small span.
      if (side > 20) expect(repulsion.lastGrid).toBe(smoothAtLeast(Math.floor(span / 0.5) + 4));
      else expect(repulsion.lastGrid).toBeGreaterThanOrEqual(32);
      expect(Math.abs(zFft - zExact) / zExact).toBeLessThan(2e-3);
      expect(relativeError(fft, exact)).toBeLessThan(0.035);
      const gExact = new Float64Array(2 * n);
      const gFft = new Float64Array(2 * n);
      quarterGradient(p, y, 12, new ExactRepulsion(), gExact, new Float64Array(2 * n));
      quarterGradient(p, y, 12, repulsion, gFft, new Float64Array(2 * n));
      expect(relativeError(gFft, gExact)).toBeLessThan(0.01);
    }
  });

  it('the error falls with the node spacing: within 1% at spacing 1/3, and the stencil keeps it centred', () => {
    const n = 2000;
    const y = clusteredPoints2d(n, 60, 4);
    const exact = new Float64Array(2 * n);
    new ExactRepulsion().compute(y, n, exact);
    const errors = [0.5, 1 / 3, 0.2].map((spacing) => {
      const fft = new Float64Array(2 * n);
      new FftRepulsion({ spacing }).compute(y, n, fft);
      return relativeError(fft, exact);
    });
    expect(errors[1]).toBeLessThan(0.01);
    expect(errors[1]).toBeLessThan(errors[0] / 2);
    expect(errors[2]).toBeLessThan(errors[1] / 2);
  });

  it("the time-sliced KL gives the same value bit for bit, before and after P's entropy is cached", async () => {
    // A sparse P over 40,000 points (more than two blocks of rows), 5 entries a row; KL needs no calibrated P.
    const n = 40000;
    const per = 5;
    const r = createRandom(3);
    const rowPtr = Int32Array.from({ length: n + 1 }, (_, i) => i * per);
    const colInd = Int32Array.from({ length: n * per }, () => r.int(n));
    const values = Float64Array.from({ length: n * per }, () => r.next() / (n * per));
    const p: SparseMatrix = { n, rowPtr, colInd, values };
    const y = Float64Array.from({ length: 2 * n }, () => 50 * r.normal());
    const z = 1234.5;
    // A slicer whose slices are 0 ms: it yields at every block.
    const sliced = await klDivergenceSliced(p, y, z, new Slicer(undefined, 0));
    expect(klDivergence(p, y, z)).toBe(sliced);
    expect(await klDivergenceSliced(p, y, z, new Slicer(undefined, 0))).toBe(sliced);
    expect(klDivergence({ ...p }, y, z)).toBe(sliced);
  });

  it('grid sides are 5-smooth, the smallest at or above the request', () => {
    expect([1, 7, 49, 50, 51, 61, 97, 121, 151].map(smoothAtLeast)).toEqual([1, 8, 50, 50, 54, 64, 100, 125, 160]);
  });

  it('2-D FFT round-trips and matches a direct DFT for sizes of 2, 3 and 5', () => {
    for (const L of [8, 6, 30, 20, 2, 16, 24, 40, 64, 9, 18, 54, 72, 90]) {
      const f = new Fft2d(L);
      const re = Float64Array.from({ length: L * L }, (_, t) => Math.sin(t * 1.7) + (t % 5));
      const im = Float64Array.from({ length: L * L }, (_, t) => Math.cos(t * 0.3));
      const r0 = Float64Array.from(re);
      const i0 = Float64Array.from(im);
      f.forward(re, im);
      for (const [u, v] of [
        [0, 0],
        [1, L - 1],
        [L >> 1, Math.floor(L / 3)],
        // More residues of the frequencies, so that every output position of each butterfly is checked.
        [3, 5],
        [7, -2],
        [-3, 6],
      ].map(([a, b]) => [((a % L) + L) % L, ((b % L) + L) % L])) {
        let sr = 0;
        let si = 0;
        for (let a = 0; a < L; a++)
          for (let b = 0; b < L; b++) {
            const ang = (-2 * Math.PI * (u * a + v * b)) / L;
            sr += r0[a * L + b] * Math.cos(ang) - i0[a * L + b] * Math.sin(ang);
            si += r0[a * L + b] * Math.sin(ang) + i0[a * L + b] * Math.cos(ang);
          }
        expect(re[u * L + v]).toBeCloseTo(sr, 9);
        expect(im[u * L + v]).toBeCloseTo(si, 9);
      }
      f.inverse(re, im);
      for (let t = 0; t < L * L; t++) expect(re[t] / (L * L)).toBeCloseTo(r0[t], 10);
      for (let t = 0; t < L * L; t++) expect(im[t] / (L * L)).toBeCloseTo(i0[t], 10);
    }
  });

  it('refuses FFT sizes with prime factors above 5', () => {
    expect(() => new Fft2d(14)).toThrow(/product of 2, 3 and 5/);
  });
});
