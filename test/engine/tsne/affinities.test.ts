import { describe, expect, it } from 'vitest';

import { approximateKnn, exactKnn, KNN_HELPER_MIN_N, knnStats } from '../../../src-main/engine/neighbors/knn.js';
import {
  calibrateRow,
  conditionalProbabilities,
  rowEntropy,
  symmetrize,
} from '../../../src-main/engine/tsne/affinities.js';
import { createRandom } from '../../../src-main/engine/util/random.js';
import { blobs } from './helpers.js';

describe('affinities', () => {
  it('finds exactly the nearest neighbours by brute force', async () => {
    const { data, n, d } = blobs(3, 40, 5, 3);
    const g = await exactKnn(data, n, d, 7);
    for (const i of [0, 17, 119]) {
      const all = Array.from({ length: n }, (_, j) => {
        let s = 0;
        for (let t = 0; t < d; t++) s += (data[i * d + t] - data[j * d + t]) ** 2;
        return { j, s };
      })
        .filter((e) => e.j !== i)
        .sort((a, b) => a.s - b.s)
        .slice(0, 7);
      expect(Array.from(g.indices.subarray(i * 7, i * 7 + 7))).toEqual(all.map((e) => e.j));
      all.forEach((e, t) => expect(g.distances[i * 7 + t]).toBeCloseTo(e.s, 4));
    }
  });

  it('hits the target perplexity within 1e-5 in entropy for every point', async () => {
    const { data, n, d } = blobs(4, 100, 10, 5);
    const perplexity = 30;
    const g = await exactKnn(data, n, d, 90);
    const cond = await conditionalProbabilities(g, perplexity);
    for (let i = 0; i < n; i++) {
      const row = cond.subarray(i * 90, i * 90 + 90);
      expect(Math.abs(rowEntropy(row) - Math.log(perplexity))).toBeLessThan(1e-5);
    }
  });

  it('calibrates rows with huge and tiny distance scales', () => {
    for (const scale of [1e-6, 1, 1e6]) {
      const dist = Float64Array.from({ length: 30 }, (_, t) => scale * (1 + t * t));
      const out = new Float64Array(30);
      calibrateRow(dist, out, 10);
      expect(Math.abs(rowEntropy(out) - Math.log(10))).toBeLessThan(1e-5);
    }
  });

  it('builds a symmetric P that sums to one', async () => {
    const { data, n, d } = blobs(3, 50, 4, 3);
    const g = await exactKnn(data, n, d, 15);
    const p = await symmetrize(g, await conditionalProbabilities(g, 5));
    const dense = new Float64Array(n * n);
    let sum = 0;
    for (let i = 0; i < n; i++)
      for (let e = p.rowPtr[i]; e < p.rowPtr[i + 1]; e++) {
        expect(dense[i * n + p.colInd[e]]).toBe(0);
        dense[i * n + p.colInd[e]] = p.values[e];
        sum += p.values[e];
      }
    expect(sum).toBeCloseTo(1, 12);
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) expect(dense[i * n + j]).toBeCloseTo(dense[j * n + i], 15);
  });

  it('approximate kNN recalls at least 95% of the exact neighbours, deterministically per seed', async () => {
    const { data, n, d } = blobs(10, 150, 20, 3);
    const k = 30;
    const exact = await exactKnn(data, n, d, k);
    const approx = await approximateKnn(data, n, d, k, createRandom(1));
    let hit = 0;
    let bad = 0;
    for (let i = 0; i < n; i++) {
      const s = new Set(exact.indices.subarray(i * k, (i + 1) * k));
      for (let t = 0; t < k; t++) {
        if (s.has(approx.indices[i * k + t])) hit++;
        if (t > 0 && approx.distances[i * k + t] < approx.distances[i * k + t - 1]) bad++;
        if (approx.indices[i * k + t] === i) bad++;
      }
    }
    expect(bad).toBe(0);
    expect(hit / (n * k)).toBeGreaterThan(0.95);
    const again = await approximateKnn(data, n, d, k, createRandom(1));
    expect(Array.from(again.indices)).toEqual(Array.from(approx.indices));
  });

  it('a second thread takes half of the kNN search from KNN_HELPER_MIN_N points, with the same graph', async () => {
    const { data, n, d } = blobs(20, KNN_HELPER_MIN_N / 20, 8, 3);
    const k = 15;
    const one = await approximateKnn(data, n, d, k, createRandom(4), undefined, { threads: 1 });
    const before = knnStats.helperTasks;
    const two = await approximateKnn(data, n, d, k, createRandom(4), undefined, { threads: 2, awaitHelper: true });
    // Every tree's leaves, each refinement round and its sort: 6 + 2 + 2 tasks.
    expect(knnStats.helperTasks - before).toBe(10);
    expect(Array.from(two.indices)).toEqual(Array.from(one.indices));
    expect(Array.from(two.distances)).toEqual(Array.from(one.distances));
  });
});
