import { describe, expect, it } from 'vitest';

import { AtlasSlots } from '../../../src-renderer/map/atlas-slots.js';
import { ATLAS_SLOTS } from '../../../src-renderer/map/image-layer.js';

describe('AtlasSlots', () => {
  it('holds at most its slots, each in its own place in the texture', () => {
    const a = new AtlasSlots(2048, 32);
    expect([a.columns, a.width, a.height]).toEqual([64, 2048, 1024]);
    const keep = new Set<number>();
    const places = new Set<string>();
    for (let i = 0; i < 2048; i++) {
      const s = a.assign(1000 + i, keep);
      const p = a.place(s);
      expect(p.x + 32).toBeLessThanOrEqual(a.width);
      expect(p.y + 32).toBeLessThanOrEqual(a.height);
      places.add(`${p.x},${p.y}`);
    }
    expect(places.size).toBe(2048);
    a.assign(99_999, keep);
    expect(a.size).toBe(2048);
  });

  it('evicts the least recently used item, never one the view draws', () => {
    const a = new AtlasSlots(3, 16);
    const none = new Set<number>();
    const s0 = a.assign(10, none);
    a.assign(11, none);
    a.assign(12, none);
    a.touch([10]);
    // 11 is now the oldest: it goes, and 13 takes its slot.
    const s13 = a.assign(13, none);
    expect(a.slotOf(11)).toBe(-1);
    expect(a.slotOf(10)).toBe(s0);
    expect(s13).toBeGreaterThanOrEqual(0);
    // 12 is the oldest, but the view draws it: 10 goes instead.
    expect(a.assign(14, new Set([12, 13]))).toBe(s0);
    expect(a.slotOf(12)).toBeGreaterThanOrEqual(0);
    // Every slot drawn: nothing is evicted, the item waits.
    expect(a.assign(15, new Set([12, 13, 14]))).toBe(-1);
    expect(a.missing([12, 15, 13])).toEqual([15]);
  });

  it('keeps the map’s atlases to 12 MiB whatever the data', () => {
    const bytes = Object.entries(ATLAS_SLOTS).reduce((s, [tile, n]) => s + new AtlasSlots(n, Number(tile)).bytes, 0);
    expect(bytes).toBe(12 * 2 ** 20);
  });

  it('forgets everything on clear (another dataset)', () => {
    const a = new AtlasSlots(4, 16);
    a.assign(1, new Set());
    a.clear();
    expect(a.size).toBe(0);
    expect(a.slotOf(1)).toBe(-1);
  });
});
