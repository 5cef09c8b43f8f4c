import { describe, expect, it } from 'vitest';

import { GridIndex } from '../../../src-renderer/map/grid-index.js';
import { pointInPolygon, selectInBox, selectInPolygon } from '../../../src-renderer/map/lasso.js';

describe('lasso selection', () => {
  it('tells inside from outside for a concave polygon', () => {
    // A "C" shape: the notch on the right is outside.
    const c = [0, 0, 4, 0, 4, 1, 1, 1, 1, 3, 4, 3, 4, 4, 0, 4];
    expect(pointInPolygon(0.5, 2, c)).toBe(true);
    expect(pointInPolygon(3, 2, c)).toBe(false);
    expect(pointInPolygon(3, 0.5, c)).toBe(true);
    expect(pointInPolygon(5, 2, c)).toBe(false);
  });

  it('selects the same points as testing every point', () => {
    const n = 3000;
    const p = new Float32Array(2 * n);
    let s = 1;
    const r = () => ((s = (s * 16807) % 2147483647) / 2147483647) * 10;
    for (let i = 0; i < 2 * n; i++) p[i] = r();
    const index = new GridIndex(p);
    const star: number[] = [];
    for (let k = 0; k < 10; k++) {
      const a = (k * Math.PI) / 5;
      const rad = k % 2 ? 1.5 : 4;
      star.push(5 + rad * Math.cos(a), 5 + rad * Math.sin(a));
    }
    const expected: number[] = [];
    for (let i = 0; i < n; i++) if (pointInPolygon(p[2 * i], p[2 * i + 1], star) && i % 2 === 0) expected.push(i);
    expect(Array.from(selectInPolygon(index, p, star, (i) => i % 2 === 0))).toEqual(expected);
    const box = Array.from(selectInBox(index, 2, 2, 6, 7));
    expect(box).toEqual(
      Array.from({ length: n }, (_, i) => i).filter(
        (i) => p[2 * i] >= 2 && p[2 * i] <= 6 && p[2 * i + 1] >= 2 && p[2 * i + 1] <= 7,
      ),
    );
  });

  it('selects nothing with fewer than three vertices', () => {
    const index = new GridIndex(Float32Array.of(0, 0));
    expect(selectInPolygon(index, Float32Array.of(0, 0), [0, 0, 1, 1])).toHaveLength(0);
  });
});
