import type { GridIndex } from './grid-index.js';

/** A polygon as flat [x0, y0, x1, y1, …] coordinates. */
export type Polygon = ArrayLike<number>;

/** Whether (x, y) lies inside the polygon (even-odd rule). */
export function pointInPolygon(x: number, y: number, poly: Polygon): boolean {
  let inside = false;
  const m = poly.length >> 1;
  for (let i = 0, j = m - 1; i < m; j = i++) {
    const xi = poly[2 * i];
    const yi = poly[2 * i + 1];
    const xj = poly[2 * j];
    const yj = poly[2 * j + 1];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/**
 * Points inside a polygon (world coordinates): the grid index narrows to the
 * polygon's bounding box, then each candidate is tested. `accept` can exclude
 * points (e.g. hidden ones). Returns indices in ascending order.
 */
export function selectInPolygon(
  index: GridIndex,
  positions: Float32Array,
  poly: Polygon,
  accept?: (i: number) => boolean,
): Int32Array {
  if (poly.length < 6) return new Int32Array(0);
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let k = 0; k < poly.length; k += 2) {
    x0 = Math.min(x0, poly[k]);
    x1 = Math.max(x1, poly[k]);
    y0 = Math.min(y0, poly[k + 1]);
    y1 = Math.max(y1, poly[k + 1]);
  }
  const out = index
    .inBox(x0, y0, x1, y1)
    .filter((i) => (!accept || accept(i)) && pointInPolygon(positions[2 * i], positions[2 * i + 1], poly));
  return Int32Array.from(out).sort();
}

/** Points inside an axis-aligned box (world coordinates), ascending. */
export function selectInBox(
  index: GridIndex,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  accept?: (i: number) => boolean,
): Int32Array {
  const out = index.inBox(x0, y0, x1, y1);
  return Int32Array.from(accept ? out.filter(accept) : out).sort();
}
