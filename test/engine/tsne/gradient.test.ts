import { describe, expect, it } from 'vitest';
import { jointProbabilities, type SparseMatrix } from '../../../src-main/engine/tsne/affinities.js';
import { BarnesHutRepulsion } from '../../../src-main/engine/tsne/gradient-bh.js';
import { ExactRepulsion } from '../../../src-main/engine/tsne/gradient-exact.js';
import { klDivergence, quarterGradient, type Repulsion } from '../../../src-main/engine/tsne/gradient.js';
import { exactKnn } from '../../../src-main/engine/tsne/knn.js';
import { blobs, randomPoints2d } from './helpers.js';

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
    expect(relativeError(gradient(p, y, new BarnesHutRepulsion(0.5)), gradient(p, y, new ExactRepulsion()))).toBeLessThan(
      0.03,
    );
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
});
