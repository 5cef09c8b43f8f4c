import fc from 'fast-check';
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

  it('symmetrize gives, bit for bit, the scatter-and-merge it replaced (same columns, order and sums)', async () => {
    // The previous implementation: every edge scattered to both rows, then duplicates merged in first-seen order.
    const reference = (indices: Int32Array, cond: Float64Array, n: number, k: number) => {
      const counts = new Int32Array(n + 1);
      for (let i = 0; i < n; i++) {
        counts[i + 1] += k;
        for (let t = 0; t < k; t++) counts[indices[i * k + t] + 1]++;
      }
      for (let i = 0; i < n; i++) counts[i + 1] += counts[i];
      const fill = counts.slice(0, n);
      const cols = new Int32Array(counts[n]);
      const vals = new Float64Array(counts[n]);
      for (let i = 0; i < n; i++)
        for (let t = 0; t < k; t++) {
          const j = indices[i * k + t];
          cols[fill[i]] = j;
          vals[fill[i]++] = cond[i * k + t];
          cols[fill[j]] = i;
          vals[fill[j]++] = cond[i * k + t];
        }
      const slot = new Int32Array(n).fill(-1);
      const rowPtr = [0];
      const outCols: number[] = [];
      const outVals: number[] = [];
      for (let i = 0; i < n; i++) {
        const start = outCols.length;
        for (let e = counts[i]; e < counts[i + 1]; e++) {
          const j = cols[e];
          if (slot[j] >= start) outVals[slot[j]] += vals[e] * (1 / (2 * n));
          else {
            slot[j] = outCols.length;
            outCols.push(j);
            outVals.push(vals[e] * (1 / (2 * n)));
          }
        }
        rowPtr.push(outCols.length);
      }
      return { rowPtr, outCols, outVals };
    };
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 40 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer(),
        async (n, kk, seed) => {
          const k = Math.min(kk, n - 1);
          const r = createRandom(seed);
          const indices = new Int32Array(n * k);
          for (let i = 0; i < n; i++) {
            // k distinct neighbours other than i.
            const others = Array.from({ length: n - 1 }, (_, t) => (t < i ? t : t + 1));
            for (let t = 0; t < k; t++) {
              const u = t + r.int(others.length - t);
              [others[t], others[u]] = [others[u], others[t]];
              indices[i * k + t] = others[t];
            }
          }
          const cond = Float64Array.from({ length: n * k }, () => r.next());
          const p = await symmetrize({ n, k, indices, distances: new Float64Array(n * k) }, cond);
          const want = reference(indices, cond, n, k);
          expect(Array.from(p.rowPtr)).toEqual(want.rowPtr);
          expect(Array.from(p.colInd)).toEqual(want.outCols);
          expect(Array.from(p.values)).toEqual(want.outVals);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('calibrates in place into the graph exactly as into a new array', async () => {
    const { data, n, d } = blobs(3, 60, 6, 2);
    const g = await exactKnn(data, n, d, 20);
    const copy = await conditionalProbabilities(g, 7);
    const inPlace = await conditionalProbabilities(g, 7, undefined, undefined, true);
    expect(inPlace).toBe(g.distances);
    expect(Array.from(inPlace)).toEqual(Array.from(copy));
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
