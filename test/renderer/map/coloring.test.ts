import { describe, expect, it } from 'vitest';

import { categoryCounts, robustRange, styleByCategory, styleByValue } from '../../../src-renderer/map/coloring.js';
import { rampColor } from '../../../src-renderer/map/palette.js';

describe('point colouring', () => {
  it('hides the hidden categories and colours the rest by palette', () => {
    const s = styleByCategory(Int32Array.of(0, 1, 1, -1), new Set([1]));
    expect(Array.from(s.visible)).toEqual([1, 0, 0, 1]);
    expect(s.colors.length).toBe(12);
    expect(Array.from(s.colors.subarray(0, 3))).not.toEqual(Array.from(s.colors.subarray(3, 6)));
  });

  it('maps values onto the scale, clamping outside the range', () => {
    const s = styleByValue(Float32Array.of(0, 1, 2, -5, NaN), 0, 2);
    const close = (a: ArrayLike<number>, b: ArrayLike<number>) =>
      Array.from(a).forEach((v, k) => expect(v).toBeCloseTo(b[k], 2));
    close(s.colors.subarray(0, 3), rampColor(0));
    close(s.colors.subarray(6, 9), rampColor(1));
    close(s.colors.subarray(9, 12), rampColor(0));
    close(s.colors.subarray(12, 15), rampColor(0));
  });

  it('takes the 1st to 99th percentile as the range', () => {
    const v = new Float32Array(1000).map((_, i) => i);
    v[999] = 1e9;
    const r = robustRange(v);
    expect(r.lo).toBeLessThan(15);
    expect(r.hi).toBeLessThan(1000);
  });

  it('counts categories', () => {
    expect(categoryCounts(Int32Array.of(0, 2, 2, -1, 5), 3)).toEqual([1, 0, 2]);
  });
});
