import { describe, expect, it } from 'vitest';

import { mapNeighbours, overlap } from '../../../src-renderer/map/nearest.js';

describe('mapNeighbours', () => {
  it('lists the nearest points on the map, nearest first, itself excluded', () => {
    const p = Float32Array.from([0, 0, 3, 0, 1, 0, 0, 2, 10, 10]);
    expect(mapNeighbours(p, 0, 3)).toEqual([2, 3, 1]);
    expect(mapNeighbours(p, 4, 10)).toEqual([1, 3, 2, 0]);
    expect(mapNeighbours(p, 5, 3)).toEqual([]);
  });

  it('counts how many neighbours the map keeps', () => {
    expect(overlap([1, 2, 3, 4], [4, 9, 1])).toBe(2);
    expect(overlap([], [1])).toBe(0);
  });
});
