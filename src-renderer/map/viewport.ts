/**
 * The map's camera as plain numbers: the view centre in world units, world
 * units per CSS pixel, the container's size, the fly-to animation and
 * whether the user has moved the view. No DOM and no three.js, so its
 * arithmetic is tested in Node; ScatterPlot turns it into the camera.
 */

/** A camera state: view centre in world units and world units per CSS pixel. */
export interface View {
  cx: number;
  cy: number;
  scale: number;
}

/** How long a fly-to takes. */
export const FLY_MS = 450;
/** Margin around the points when the view fits them. */
const FIT_MARGIN = 1.08;

/** The bounding box of n×2 positions, or null when there are none. */
export function positionBounds(p: Float32Array): { minX: number; maxX: number; minY: number; maxY: number } | null {
  const n = p.length >> 1;
  if (n === 0) return null;
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = p[2 * i];
    const y = p[2 * i + 1];
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  return { minX, maxX, minY, maxY };
}

export class Viewport {
  view: View = { cx: 0, cy: 0, scale: 1 };
  width = 1;
  height = 1;
  /** Whether the user has moved the view (then new positions no longer refit it). */
  userMoved = false;
  private flight: { from: View; to: View; t0: number } | null = null;

  /** The view that shows all of `positions` with a margin, or null when there are none. */
  fitView(positions: Float32Array): View | null {
    const b = positionBounds(positions);
    if (!b) return null;
    return {
      cx: (b.minX + b.maxX) / 2,
      cy: (b.minY + b.maxY) / 2,
      scale: Math.max(
        ((b.maxX - b.minX) * FIT_MARGIN) / this.width,
        ((b.maxY - b.minY) * FIT_MARGIN) / this.height,
        1e-9,
      ),
    };
  }

  /** Fits the view to the positions; false when there are none. */
  fit(positions: Float32Array): boolean {
    const v = this.fitView(positions);
    if (!v) return false;
    this.view = v;
    this.flight = null;
    return true;
  }

  /** Starts a flight that centres (x, y) at `scale`, from the current view. */
  flyTo(x: number, y: number, scale: number, now: number): void {
    this.userMoved = true;
    this.flight = { from: { ...this.view }, to: { cx: x, cy: y, scale }, t0: now };
  }

  /** Whether a flight is under way. */
  get flying(): boolean {
    return this.flight !== null;
  }

  /** Moves the flight on to time `now` (smoothstep; zoom in log space, so the motion feels even); true while it goes on. */
  advance(now: number): boolean {
    if (!this.flight) return false;
    const t = Math.min(1, (now - this.flight.t0) / FLY_MS);
    const e = t * t * (3 - 2 * t);
    const { from, to } = this.flight;
    this.view = {
      cx: from.cx + (to.cx - from.cx) * e,
      cy: from.cy + (to.cy - from.cy) * e,
      scale: Math.exp(Math.log(from.scale) + (Math.log(to.scale) - Math.log(from.scale)) * e),
    };
    if (t >= 1) this.flight = null;
    return this.flight !== null;
  }

  /** Moves the view by a number of CSS pixels. */
  panBy(dx: number, dy: number): void {
    this.view.cx -= dx * this.view.scale;
    this.view.cy += dy * this.view.scale;
    this.userMoved = true;
    this.flight = null;
  }

  /** Zooms by a factor (> 1 zooms in) keeping the screen point (x, y) fixed. */
  zoomAt(factor: number, x: number, y: number): void {
    const before = this.screenToWorld(x, y);
    this.view.scale /= factor;
    const after = this.screenToWorld(x, y);
    this.view.cx += before.x - after.x;
    this.view.cy += before.y - after.y;
    this.userMoved = true;
    this.flight = null;
  }

  /** Takes a view read from `view` (e.g. a saved session's); false, and nothing changes, when it is not a usable one. */
  setView(v: View): boolean {
    if (![v.cx, v.cy, v.scale].every(Number.isFinite) || v.scale <= 0) return false;
    this.view = { cx: v.cx, cy: v.cy, scale: v.scale };
    this.userMoved = true;
    this.flight = null;
    return true;
  }

  /** World coordinates → CSS pixels within the container. */
  worldToScreen(x: number, y: number): { x: number; y: number } {
    const v = this.view;
    return { x: (x - v.cx) / v.scale + this.width / 2, y: this.height / 2 - (y - v.cy) / v.scale };
  }

  /** CSS pixels within the container → world coordinates. */
  screenToWorld(x: number, y: number): { x: number; y: number } {
    const v = this.view;
    return { x: v.cx + (x - this.width / 2) * v.scale, y: v.cy - (y - this.height / 2) * v.scale };
  }

  /** The world rectangle the view shows, for an orthographic camera. */
  frustum(): { left: number; right: number; top: number; bottom: number } {
    const { cx, cy, scale } = this.view;
    const hw = (this.width / 2) * scale;
    const hh = (this.height / 2) * scale;
    return { left: cx - hw, right: cx + hw, top: cy + hh, bottom: cy - hh };
  }
}
