import { describe, expect, it } from 'vitest';

import { pngSizes } from '../../../src-renderer/map/png-sizes.js';

describe('PNG export sizes', () => {
  it('offers 1×, 2×, 4× and fixed widths, all with the map’s aspect ratio', () => {
    const sizes = pngSizes(990, 777);
    expect(sizes.map((s) => [s.id, s.width, s.height])).toEqual([
      ['1x', 990, 777],
      ['2x', 1980, 1554],
      ['4x', 3960, 3108],
      ['1920', 1920, 1507],
      ['3840', 3840, 3014],
    ]);
  });

  it('never offers an empty image', () => {
    for (const s of pngSizes(0.4, 0.2)) expect(Math.min(s.width, s.height)).toBeGreaterThanOrEqual(1);
  });
});
