import { describe, expect, it } from 'vitest';

import { medianSpacing, PLAN_DEFAULTS, planImages, tileFor } from '../../../src-renderer/map/image-plan.js';

const W = 1000;
const H = 800;
const all = () => true;

/** n points on a square lattice `step` world units apart, centred on the origin. */
function lattice(side: number, step: number): Float32Array {
  const p = new Float32Array(2 * side * side);
  for (let r = 0; r < side; r++)
    for (let c = 0; c < side; c++) {
      p[2 * (r * side + c)] = (c - (side - 1) / 2) * step;
      p[2 * (r * side + c) + 1] = (r - (side - 1) / 2) * step;
    }
  return p;
}

/** Ten tight blobs of `per` points each around a circle of radius 30 (a zoomed-out t-SNE map). */
function blobs(per: number): Float32Array {
  let s = 1;
  const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
  const p = new Float32Array(20 * per);
  for (let i = 0; i < 10 * per; i++) {
    const a = ((i % 10) / 10) * 2 * Math.PI;
    p[2 * i] = 30 * Math.cos(a) + (rnd() - 0.5) * 4;
    p[2 * i + 1] = 30 * Math.sin(a) + (rnd() - 0.5) * 4;
  }
  return p;
}

describe('planImages', () => {
  it('draws every visible point on screen as its own image once the points stand apart', () => {
    // A 40×40 lattice 1 unit apart at 1/30 unit per pixel: 30 px apart, the central 33×26 on screen.
    const positions = lattice(40, 1);
    const hidden = new Set([780, 781]);
    const plan = planImages({
      positions,
      isShown: (i) => !hidden.has(i),
      view: { cx: 0, cy: 0, scale: 1 / 30 },
      width: W,
      height: H,
      pixelRatio: 1,
    });
    expect(plan.mode).toBe('items');
    expect(plan.displayPx).toBe(27);
    expect(plan.tile).toBe(32);
    const margin = PLAN_DEFAULTS.maxItemPx / 2;
    const expected = [];
    for (let i = 0; i < 1600; i++) {
      const x = positions[2 * i] * 30 + W / 2;
      const y = H / 2 - positions[2 * i + 1] * 30;
      if (x >= -margin && y >= -margin && x <= W + margin && y <= H + margin && !hidden.has(i)) expected.push(i);
    }
    expect(Array.from(plan.items)).toEqual(expected);
    expect(plan.items).not.toContain(780);
  });

  it('picks the 16-pixel tiles for small images and the 32-pixel ones on a 2× screen', () => {
    const input = {
      positions: lattice(30, 1),
      isShown: all,
      view: { cx: 0, cy: 0, scale: 1 / 18 },
      width: W,
      height: H,
    };
    const small = planImages({ ...input, pixelRatio: 1 });
    expect(small).toMatchObject({ mode: 'items', displayPx: 16, tile: 16 });
    expect(planImages({ ...input, pixelRatio: 2 })).toMatchObject({ mode: 'items', displayPx: 16, tile: 32 });
    expect([tileFor(8), tileFor(20), tileFor(21), tileFor(64)]).toEqual([16, 16, 32, 32]);
  });

  it('shows representatives when too many points share the screen, and none when nothing is on it', () => {
    // 60×60 points 14 px apart fit the per-point spacing but not the count (3,600 > 1,500).
    const dense = planImages({
      positions: lattice(60, 1),
      isShown: all,
      view: { cx: 0, cy: 0, scale: 1 / 14 },
      width: W,
      height: H,
      pixelRatio: 1,
    });
    expect(dense.mode).toBe('representatives');
    expect(dense.onScreen).toBeGreaterThan(PLAN_DEFAULTS.maxItems);
    const away = planImages({
      positions: lattice(10, 1),
      isShown: all,
      view: { cx: 1000, cy: 0, scale: 0.01 },
      width: W,
      height: H,
      pixelRatio: 1,
    });
    expect(away).toMatchObject({ mode: 'none', onScreen: 0 });
    expect(away.items).toHaveLength(0);
  });

  it('zoomed out, gives each crowded cell the item nearest its centroid, with no two images overlapping', () => {
    const positions = blobs(7000);
    const view = { cx: 0, cy: 0, scale: 70 / H };
    const plan = planImages({ positions, isShown: all, view, width: W, height: H, pixelRatio: 1 });
    expect(plan.mode).toBe('representatives');
    expect(plan.displayPx).toBe(PLAN_DEFAULTS.representativePx);
    expect(plan.items.length).toBeGreaterThanOrEqual(10);
    const screen = (i: number) => ({
      x: (positions[2 * i] - view.cx) / view.scale + W / 2,
      y: H / 2 - (positions[2 * i + 1] - view.cy) / view.scale,
    });
    // Every blob (one per class) has a representative: a user sees what each cluster holds.
    const classes = new Set(Array.from(plan.items, (i) => i % 10));
    expect(classes.size).toBe(10);
    const side = PLAN_DEFAULTS.representativePx;
    const at = Array.from(plan.items, screen);
    for (let a = 0; a < at.length; a++)
      for (let b = a + 1; b < at.length; b++)
        expect(Math.abs(at[a].x - at[b].x) >= side || Math.abs(at[a].y - at[b].y) >= side).toBe(true);
    // Each is the nearest point to its cell's centroid.
    const cell = PLAN_DEFAULTS.cellPx;
    for (const i of plan.items) {
      const s = screen(i);
      const cx = Math.floor(s.x / cell);
      const cy = Math.floor(s.y / cell);
      const members = [];
      for (let j = 0; j < 70_000; j++) {
        const t = screen(j);
        if (Math.floor(t.x / cell) === cx && Math.floor(t.y / cell) === cy) members.push({ j, ...t });
      }
      expect(members.length).toBeGreaterThanOrEqual(PLAN_DEFAULTS.minCellPoints);
      const mx = members.reduce((u, m) => u + m.x, 0) / members.length;
      const my = members.reduce((u, m) => u + m.y, 0) / members.length;
      const d = (m: { x: number; y: number }) => (m.x - mx) ** 2 + (m.y - my) ** 2;
      const best = Math.min(...members.map(d));
      expect(d(s)).toBeCloseTo(best, 6);
    }
  });

  it('skips cells with too few points for a representative', () => {
    const positions = new Float32Array([0, 0, 0.001, 0, 50, 50]);
    const plan = planImages({
      positions,
      isShown: all,
      view: { cx: 0, cy: 0, scale: 1 },
      width: W,
      height: H,
      pixelRatio: 1,
    });
    // Two points 0.001 px apart: too close for images each, too few for a representative.
    expect(plan.mode).toBe('none');
  });
});

describe('medianSpacing', () => {
  it('is the median distance to the nearest other point, capped', () => {
    const sx = Float32Array.from([0, 10, 30, 500]);
    const sy = Float32Array.from([0, 0, 0, 0]);
    // Nearest: 10, 10, 20, cap 44 → median of the sorted [10, 10, 20, 44] is 20.
    expect(medianSpacing(sx, sy, 4, 44)).toBe(20);
    expect(medianSpacing(sx, sy, 1, 44)).toBe(44);
  });
});
