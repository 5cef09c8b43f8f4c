import { describe, expect, it } from 'vitest';

import { matMulDistances } from '../../../src-main/engine/metrics/distances.js';
import { KdTree, knnAccuracy, scalarDistances, trustworthiness } from '../../../src-main/engine/metrics/index.js';
import { createRandom } from '../../../src-main/engine/util/random.js';

function randomPoints(n: number, dim: number, seed: number): Float64Array {
  const r = createRandom(seed);
  return Float64Array.from({ length: n * dim }, () => r.normal());
}

describe('metrics', () => {
  it('k-d tree finds the same neighbours as brute force', () => {
    const n = 500;
    const pts = randomPoints(n, 2, 1);
    const tree = new KdTree(pts, n, 2);
    const idx = new Int32Array(7);
    const dist = new Float64Array(7);
    for (const i of [0, 99, 250, 499]) {
      tree.query(i, 7, idx, dist);
      const brute = Array.from({ length: n }, (_, j) => ({
        j,
        s: (pts[2 * i] - pts[2 * j]) ** 2 + (pts[2 * i + 1] - pts[2 * j + 1]) ** 2,
      }))
        .filter((e) => e.j !== i)
        .sort((a, b) => a.s - b.s)
        .slice(0, 7);
      expect(Array.from(idx)).toEqual(brute.map((e) => e.j));
    }
  });

  it('kNN accuracy is 1 for separated classes and near chance for random labels', () => {
    const n = 400;
    const pts = randomPoints(n, 2, 2);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = i % 4;
      pts[2 * i] += 100 * labels[i];
    }
    expect(knnAccuracy(pts, n, 2, labels, 10)).toBe(1);
    const r = createRandom(5);
    const shuffled = Int32Array.from({ length: n }, () => r.int(4));
    const acc = knnAccuracy(randomPoints(n, 2, 3), n, 2, shuffled, 10);
    expect(acc).toBeGreaterThan(0.1);
    expect(acc).toBeLessThan(0.45);
  });

  it('kNN accuracy ignores unlabelled points', () => {
    const pts = Float64Array.from([0, 0, 0.1, 0, 0.2, 0, 10, 0, 10.1, 0, 10.2, 0]);
    const labels = Int32Array.from([0, 0, 0, 1, 1, -1]);
    expect(knnAccuracy(pts, 6, 2, labels, 1)).toBe(1);
  });

  it('trustworthiness is 1 for an isometry and drops for a scrambled embedding', () => {
    const n = 300;
    const high = randomPoints(n, 2, 4);
    const rotated = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      rotated[2 * i] = 0.6 * high[2 * i] - 0.8 * high[2 * i + 1];
      rotated[2 * i + 1] = 0.8 * high[2 * i] + 0.6 * high[2 * i + 1];
    }
    expect(trustworthiness(high, 2, rotated, 2, n, 10)).toBeCloseTo(1, 10);
    const scrambled = randomPoints(n, 2, 9);
    const t = trustworthiness(high, 2, scrambled, 2, n, 10);
    expect(t).toBeLessThan(0.7);
    expect(t).toBeGreaterThan(0.3);
    expect(trustworthiness(high, 2, scrambled, 2, n, 10, 100, 1)).toBeCloseTo(t, 1);
  });

  it('gives the same distances and trustworthiness by matrix products as by the scalar loop', () => {
    const n = 700;
    const d = 30;
    const r = createRandom(11);
    // Pixel-like values in [0, 1], in blocks of rows smaller than n so the block seams are crossed.
    const high = Float32Array.from({ length: n * d }, () => r.next());
    const rows = Int32Array.from([0, 5, 699, 350]);
    const fast = matMulDistances(high, d, n, 128)(rows);
    const exact = scalarDistances(high, d, n)(rows);
    expect(fast.length).toBe(rows.length * n);
    let worst = 0;
    for (let i = 0; i < fast.length; i++) worst = Math.max(worst, Math.abs(fast[i] - exact[i]));
    expect(worst).toBeLessThan(1e-4);
    const low = Float64Array.from({ length: 2 * n }, (_, i) => high[(i >> 1) * d + (i & 1)] + 0.1 * r.normal());
    const t = trustworthiness(high, d, low, 2, n, 10, 300, 1);
    expect(t).toBeGreaterThan(0.5);
    expect(trustworthiness(high, d, low, 2, n, 10, 300, 1, matMulDistances(high, d, n, 128))).toBeCloseTo(t, 6);
  });

  it('refuses an input whose size does not match n×d', () => {
    expect(() => matMulDistances(new Float32Array(10), 3, 4)).toThrow(/4×3/);
  });
});
