import { describe, expect, it } from 'vitest';

import { kmeans } from '../../../src-main/engine/clustering/kmeans.js';
import { createRandom } from '../../../src-main/engine/util/random.js';

describe('kmeans', () => {
  it('recovers three well-separated blobs exactly', () => {
    const random = createRandom(7).next;
    const n = 300;
    const data = new Float32Array(n * 2);
    const truth = new Int32Array(n);
    const centres = [
      [0, 0],
      [10, 0],
      [0, 10],
    ];
    for (let i = 0; i < n; i++) {
      truth[i] = i % 3;
      data[2 * i] = centres[i % 3][0] + random() - 0.5;
      data[2 * i + 1] = centres[i % 3][1] + random() - 0.5;
    }
    const r = kmeans(data, n, 2, { k: 3, random: createRandom(1).next });
    expect(r.sizes.sort()).toEqual([100, 100, 100]);
    // Same partition up to renaming: points of one true blob share one cluster.
    for (let c = 0; c < 3; c++) {
      const ids = new Set<number>();
      for (let i = 0; i < n; i++) if (truth[i] === c) ids.add(r.assignments[i]);
      expect(ids.size).toBe(1);
    }
    expect(Array.from(r.centroids).every(Number.isFinite)).toBe(true);
  });

  it('clamps k to n and rejects k below 1', () => {
    expect(kmeans(new Float32Array([1, 2]), 2, 1, { k: 5 }).sizes).toEqual([1, 1]);
    expect(() => kmeans(new Float32Array(4), 2, 2, { k: 0 })).toThrow(/k must be/);
  });
});
