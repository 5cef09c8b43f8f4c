import { describe, expect, it } from 'vitest';

import { nearestRows } from '../../../src-main/engine/neighbors/query.js';
import { createRandom } from '../../../src-main/engine/util/random.js';

/** Every other row sorted by squared distance, then index: the answer by definition. */
function bruteForce(data: ArrayLike<number>, n: number, d: number, i: number, k: number) {
  const rows = [];
  for (let j = 0; j < n; j++) {
    if (j === i) continue;
    let s = 0;
    for (let t = 0; t < d; t++) s += (data[i * d + t] - data[j * d + t]) ** 2;
    rows.push({ j, s });
  }
  rows.sort((a, b) => a.s - b.s || a.j - b.j);
  return rows.slice(0, k);
}

describe('nearestRows', () => {
  it('finds the same neighbours, in the same order, as sorting every distance', () => {
    const rnd = createRandom(7);
    const n = 500;
    const d = 12;
    const data = Float32Array.from({ length: n * d }, () => rnd.normal());
    for (const i of [0, 17, 250, n - 1]) {
      const got = nearestRows(data, n, d, i, 10);
      const want = bruteForce(data, n, d, i, 10);
      expect(Array.from(got.indices)).toEqual(want.map((r) => r.j));
      got.distances.forEach((dist, t) => expect(dist).toBeCloseTo(Math.sqrt(want[t].s), 5));
    }
  });

  it('measures byte pixels scaled to [0, 1] and keeps the lower index first among equal distances', () => {
    // Rows 1, 2 and 3 are the same image, at distance 255 (1 once scaled) from row 0.
    const data = Uint8Array.from([0, 0, 255, 0, 255, 0, 255, 0, 200, 200]);
    const got = nearestRows(data, 5, 2, 0, 3, 1 / 255);
    expect(Array.from(got.indices)).toEqual([1, 2, 3]);
    expect(Array.from(got.distances)).toEqual([1, 1, 1]);
  });

  it('cuts k to the other rows there are, and names a row out of range', () => {
    const data = Float32Array.from([0, 1, 3]);
    expect(Array.from(nearestRows(data, 3, 1, 1, 10).indices)).toEqual([0, 2]);
    expect(() => nearestRows(data, 3, 1, 3, 2)).toThrow(/row 3 is out of range \(3 rows\)/);
    expect(() => nearestRows(data, 4, 1, 0, 2)).toThrow(/holds 3 values, not 4×1/);
  });
});
