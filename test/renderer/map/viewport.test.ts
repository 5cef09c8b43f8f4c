import { describe, expect, it } from 'vitest';

import { FLY_MS, positionBounds, Viewport } from '../../../src-renderer/map/viewport.js';

function viewport(width = 200, height = 100): Viewport {
  const vp = new Viewport();
  vp.width = width;
  vp.height = height;
  return vp;
}

describe('Viewport', () => {
  it('fits the points with a margin, along the tighter of the two sides', () => {
    const vp = viewport();
    const p = Float32Array.from([-10, -1, 10, 1]);
    expect(positionBounds(p)).toEqual({ minX: -10, maxX: 10, minY: -1, maxY: 1 });
    expect(vp.fit(p)).toBe(true);
    expect(vp.view).toEqual({ cx: 0, cy: 0, scale: (20 * 1.08) / 200 });
    expect(vp.fit(new Float32Array(0))).toBe(false);
  });

  it('maps world to screen and back, y up on the map and down on the screen', () => {
    const vp = viewport();
    vp.setView({ cx: 5, cy: 5, scale: 0.5 });
    expect(vp.worldToScreen(5, 5)).toEqual({ x: 100, y: 50 });
    expect(vp.worldToScreen(6, 6)).toEqual({ x: 102, y: 48 });
    const w = vp.screenToWorld(37, 81);
    expect(vp.worldToScreen(w.x, w.y)).toEqual({ x: 37, y: 81 });
    expect(vp.frustum()).toEqual({ left: -45, right: 55, top: 30, bottom: -20 });
  });

  it('zooms about the point under the cursor and pans by screen pixels, and then no longer follows the fit', () => {
    const vp = viewport();
    vp.setView({ cx: 0, cy: 0, scale: 1 });
    vp.userMoved = false;
    const before = vp.screenToWorld(150, 20);
    vp.zoomAt(2, 150, 20);
    expect(vp.view.scale).toBe(0.5);
    const after = vp.screenToWorld(150, 20);
    expect(after.x).toBeCloseTo(before.x, 12);
    expect(after.y).toBeCloseTo(before.y, 12);
    expect(vp.userMoved).toBe(true);
    vp.panBy(10, -4);
    expect(vp.view.cx).toBeCloseTo(after.x - (150 - 100) * 0.5 - 5, 12);
  });

  it('flies to a point in FLY_MS, zooming evenly in log space', () => {
    const vp = viewport();
    vp.setView({ cx: 0, cy: 0, scale: 4 });
    vp.flyTo(10, -10, 1, 1000);
    expect(vp.flying).toBe(true);
    expect(vp.advance(1000 + FLY_MS / 2)).toBe(true);
    expect(vp.view.scale).toBeCloseTo(2, 12);
    expect(vp.view.cx).toBeCloseTo(5, 12);
    expect(vp.advance(1000 + FLY_MS)).toBe(false);
    expect(vp.view).toEqual({ cx: 10, cy: -10, scale: 1 });
    expect(vp.flying).toBe(false);
  });

  it('refuses a view that is not finite or has no positive scale', () => {
    const vp = viewport();
    vp.setView({ cx: 1, cy: 2, scale: 3 });
    expect(vp.setView({ cx: NaN, cy: 0, scale: 1 })).toBe(false);
    expect(vp.setView({ cx: 0, cy: 0, scale: 0 })).toBe(false);
    expect(vp.view).toEqual({ cx: 1, cy: 2, scale: 3 });
  });
});
