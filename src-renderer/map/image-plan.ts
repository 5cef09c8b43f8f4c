/**
 * Which items the map draws as images for one view, and at which size: no
 * DOM and no three.js, so it is tested in Node. Two modes:
 *  - zoomed in far enough that the points on screen stand apart, every
 *    visible point gets its own thumbnail, sized by how far apart they are;
 *  - zoomed out, a grid over the screen: each cell holding enough points
 *    shows the item nearest the cell's centroid, so a cluster says what it
 *    holds without hovering.
 * One pass over the points (70,000 in about a millisecond) per view that rests.
 */
import type { View } from './viewport.js';

/** The atlas tile sides: the level of detail. */
export const TILE_SIDES = [16, 32] as const;
export type TileSide = (typeof TILE_SIDES)[number];

/** What the image layer draws for one view. */
export interface ImagePlan {
  mode: 'items' | 'representatives' | 'none';
  /** The items to draw, in draw order (the most crowded cells' representatives first). */
  items: Int32Array;
  /** Side of each drawn image, in CSS pixels. */
  displayPx: number;
  /** Side of the atlas tile the images are sampled from (16 or 32 pixels). */
  tile: TileSide;
  /** Visible points on screen. */
  onScreen: number;
}

/** How plans are made. */
export interface PlanOptions {
  /** Most points drawn one image each; with more on screen the view shows representatives. */
  maxItems: number;
  /** Smallest image side per point, CSS px: points closer than this on screen get representatives instead. */
  minItemPx: number;
  /** Largest image side per point, CSS px. */
  maxItemPx: number;
  /** Side of a representative grid cell, CSS px. */
  cellPx: number;
  /** Points a cell needs to get a representative. */
  minCellPoints: number;
  /** Side of a representative's image, CSS px. */
  representativePx: number;
}

export const PLAN_DEFAULTS: Readonly<PlanOptions> = Object.freeze({
  maxItems: 1500,
  minItemPx: 14,
  maxItemPx: 44,
  cellPx: 72,
  minCellPoints: 12,
  representativePx: 40,
});

/** What a plan is made from: the points, which are drawn, and the view. */
export interface PlanInput {
  /** n×2 world positions. */
  positions: Float32Array;
  /** Whether point i is drawn (a legend toggle hides classes). */
  isShown: (i: number) => boolean;
  view: Readonly<View>;
  /** The map's size in CSS pixels. */
  width: number;
  height: number;
  /** Device pixels per CSS pixel: a 20 px image on a 2× screen samples the 32-pixel tiles. */
  pixelRatio: number;
}

/** The smallest tile that holds an image drawn `devicePx` device pixels a side without visible blur. */
export function tileFor(devicePx: number): TileSide {
  return devicePx <= 20 ? 16 : 32;
}

const NONE = (onScreen: number): ImagePlan => ({
  mode: 'none',
  items: new Int32Array(0),
  displayPx: 0,
  tile: 16,
  onScreen,
});

/** The images to draw for one view. */
export function planImages(input: PlanInput, options: Partial<PlanOptions> = {}): ImagePlan {
  const o = { ...PLAN_DEFAULTS, ...options };
  const { positions, view, width, height } = input;
  const n = positions.length >> 1;
  // Screen coordinates of the visible points on screen (a margin of half an image keeps edge ones).
  const margin = o.maxItemPx / 2;
  const ids = new Int32Array(n);
  const sx = new Float32Array(n);
  const sy = new Float32Array(n);
  let m = 0;
  const x0 = view.cx - (width / 2) * view.scale;
  const y0 = view.cy + (height / 2) * view.scale;
  for (let i = 0; i < n; i++) {
    const x = (positions[2 * i] - x0) / view.scale;
    const y = (y0 - positions[2 * i + 1]) / view.scale;
    if (x < -margin || y < -margin || x > width + margin || y > height + margin || !input.isShown(i)) continue;
    ids[m] = i;
    sx[m] = x;
    sy[m] = y;
    m++;
  }
  if (m === 0) return NONE(0);
  if (m <= o.maxItems) {
    const spacing = medianSpacing(sx, sy, m, o.maxItemPx);
    const displayPx = Math.min(o.maxItemPx, Math.floor(spacing * 0.9));
    if (displayPx >= o.minItemPx)
      return {
        mode: 'items',
        items: ids.slice(0, m),
        displayPx,
        tile: tileFor(displayPx * input.pixelRatio),
        onScreen: m,
      };
  }
  const items = representatives(ids, sx, sy, m, width, height, o);
  if (items.length === 0) return NONE(m);
  return {
    mode: 'representatives',
    items,
    displayPx: o.representativePx,
    tile: tileFor(o.representativePx * input.pixelRatio),
    onScreen: m,
  };
}

/**
 * The median over points of the screen distance to the nearest other point,
 * capped at `cap` (a point with none within `cap` counts as `cap`): how big
 * an image each point can have before most of them cover a neighbour.
 */
export function medianSpacing(sx: Float32Array, sy: Float32Array, m: number, cap: number): number {
  if (m < 2) return cap;
  // A hash grid of `cap`-sized cells: the nearest point within `cap` is in the 3×3 cells around.
  const cell = (v: number) => Math.floor(v / cap);
  const grid = new Map<number, number[]>();
  const key = (cx: number, cy: number) => cx * 100_003 + cy;
  for (let k = 0; k < m; k++) {
    const kk = key(cell(sx[k]), cell(sy[k]));
    const list = grid.get(kk);
    if (list) list.push(k);
    else grid.set(kk, [k]);
  }
  const nearest = new Float32Array(m);
  for (let k = 0; k < m; k++) {
    const cx = cell(sx[k]);
    const cy = cell(sy[k]);
    let best = cap * cap;
    for (let dx = -1; dx <= 1; dx++)
      for (let dy = -1; dy <= 1; dy++) {
        const list = grid.get(key(cx + dx, cy + dy));
        if (!list) continue;
        for (const j of list) {
          if (j === k) continue;
          const d = (sx[j] - sx[k]) ** 2 + (sy[j] - sy[k]) ** 2;
          if (d < best) best = d;
        }
      }
    nearest[k] = Math.sqrt(best);
  }
  nearest.sort();
  return nearest[m >> 1];
}

/**
 * One item per crowded screen cell: the one nearest the centroid of the
 * cell's points, most crowded cells first, skipping any whose image would
 * overlap one already placed (two clusters' representatives never cover each other).
 */
function representatives(
  ids: Int32Array,
  sx: Float32Array,
  sy: Float32Array,
  m: number,
  width: number,
  height: number,
  o: PlanOptions,
): Int32Array {
  const cols = Math.max(1, Math.ceil(width / o.cellPx));
  const rows = Math.max(1, Math.ceil(height / o.cellPx));
  const cells = cols * rows;
  const count = new Int32Array(cells);
  const sumX = new Float64Array(cells);
  const sumY = new Float64Array(cells);
  const cellOf = new Int32Array(m);
  for (let k = 0; k < m; k++) {
    const c =
      Math.min(rows - 1, Math.max(0, Math.floor(sy[k] / o.cellPx))) * cols +
      Math.min(cols - 1, Math.max(0, Math.floor(sx[k] / o.cellPx)));
    cellOf[k] = c;
    count[c]++;
    sumX[c] += sx[k];
    sumY[c] += sy[k];
  }
  const best = new Int32Array(cells).fill(-1);
  const bestD = new Float64Array(cells).fill(Infinity);
  for (let k = 0; k < m; k++) {
    const c = cellOf[k];
    if (count[c] < o.minCellPoints) continue;
    const d = (sx[k] - sumX[c] / count[c]) ** 2 + (sy[k] - sumY[c] / count[c]) ** 2;
    if (d < bestD[c]) {
      bestD[c] = d;
      best[c] = k;
    }
  }
  const order = [];
  for (let c = 0; c < cells; c++) if (best[c] >= 0) order.push(c);
  order.sort((a, b) => count[b] - count[a] || a - b);
  const placed: number[] = [];
  const side = o.representativePx;
  for (const c of order) {
    const k = best[c];
    if (placed.some((j) => Math.abs(sx[j] - sx[k]) < side && Math.abs(sy[j] - sy[k]) < side)) continue;
    placed.push(k);
  }
  return Int32Array.from(placed, (k) => ids[k]);
}
