import { describe, expect, it } from 'vitest';

import { GridIndex } from '../../../src-renderer/map/grid-index.js';

/** Deterministic uniform numbers in [0, 1). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Clustered points, as a projection makes them: dense blobs and empty space. */
function blobs(n: number, seed: number): Float32Array {
  const r = rng(seed);
  const centres = Array.from({ length: 8 }, () => [r() * 100 - 50, r() * 100 - 50]);
  const p = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const c = centres[i % centres.length];
    p[2 * i] = c[0] + (r() - 0.5) * 12 * r();
    p[2 * i + 1] = c[1] + (r() - 0.5) * 12 * r();
  }
  return p;
}

function bruteNearest(p: Float32Array, x: number, y: number, radius: number, accept?: (i: number) => boolean): number {
  let best = -1;
  let bestD = radius * radius;
  for (let i = 0; i < p.length / 2; i++) {
    const d = (p[2 * i] - x) ** 2 + (p[2 * i + 1] - y) ** 2;
    if (d <= bestD && (!accept || accept(i)) && (d < bestD || best < 0 || i < best)) {
      best = i;
      bestD = d;
    }
  }
  return best;
}

describe('GridIndex', () => {
  it('finds the same nearest point as brute force on random clustered points', () => {
    const p = blobs(5000, 1);
    const index = new GridIndex(p);
    const r = rng(2);
    for (let q = 0; q < 2000; q++) {
      const x = r() * 120 - 60;
      const y = r() * 120 - 60;
      const radius = r() < 0.5 ? 0.5 : 8;
      expect(index.nearest(x, y, radius)).toBe(bruteNearest(p, x, y, radius));
    }
  });

  it('skips points that accept rejects, as brute force does', () => {
    const p = blobs(3000, 3);
    const index = new GridIndex(p);
    const accept = (i: number) => i % 3 !== 0;
    const r = rng(4);
    for (let q = 0; q < 1000; q++) {
      const x = r() * 120 - 60;
      const y = r() * 120 - 60;
      expect(index.nearest(x, y, 5, accept)).toBe(bruteNearest(p, x, y, 5, accept));
    }
  });

  it('returns exactly the points inside a box', () => {
    const p = blobs(4000, 5);
    const index = new GridIndex(p);
    const r = rng(6);
    for (let q = 0; q < 200; q++) {
      const x0 = r() * 120 - 60;
      const y0 = r() * 120 - 60;
      const x1 = x0 + r() * 40;
      const y1 = y0 + r() * 40;
      const expected: number[] = [];
      for (let i = 0; i < 4000; i++)
        if (p[2 * i] >= x0 && p[2 * i] <= x1 && p[2 * i + 1] >= y0 && p[2 * i + 1] <= y1) expected.push(i);
      expect(index.inBox(x1, y1, x0, y0).sort((a, b) => a - b)).toEqual(expected);
    }
  });

  it('handles no points, one point and all points in one place', () => {
    expect(new GridIndex(new Float32Array(0)).nearest(0, 0, 10)).toBe(-1);
    expect(new GridIndex(Float32Array.of(3, 4)).nearest(3, 4.5, 1)).toBe(0);
    const same = new GridIndex(new Float32Array(20).fill(7));
    expect(same.nearest(7, 7, 0.1)).toBe(0);
    expect(same.inBox(6, 6, 8, 8)).toHaveLength(10);
  });

  it('steps to the neighbour in the asked direction', () => {
    // A plus sign around the origin, with a farther point straight right.
    const p = Float32Array.of(0, 0, 1, 0.1, -1, 0, 0, 1, 0, -1, 3, 0);
    const index = new GridIndex(p);
    expect(index.neighbourInDirection(0, 1, 0)).toBe(1);
    expect(index.neighbourInDirection(0, -1, 0)).toBe(2);
    expect(index.neighbourInDirection(0, 0, 1)).toBe(3);
    expect(index.neighbourInDirection(0, 0, -1)).toBe(4);
    expect(index.neighbourInDirection(1, 1, 0)).toBe(5);
    expect(index.neighbourInDirection(5, 1, 0)).toBe(-1);
    expect(index.neighbourInDirection(0, 1, 0, (i) => i !== 1)).toBe(5);
  });

  it('answers a nearest query at 1,000,000 points in well under a millisecond', () => {
    const n = 1_000_000;
    const p = blobs(n, 7);
    const index = new GridIndex(p);
    const r = rng(8);
    const queries = 20_000;
    const t0 = performance.now();
    let found = 0;
    for (let q = 0; q < queries; q++) if (index.nearest(r() * 120 - 60, r() * 120 - 60, 0.2) >= 0) found++;
    const perQuery = (performance.now() - t0) / queries;
    expect(found).toBeGreaterThan(0);
    expect(perQuery).toBeLessThan(1);
  });
});
