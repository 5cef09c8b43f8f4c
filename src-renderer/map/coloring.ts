import { classColor, hexToRgb, rampColor } from './palette.js';

/** Per-point colours (n×3 floats in [0, 1]) and visibility (n bytes, 1 = shown). */
export interface PointStyle {
  colors: Float32Array;
  visible: Uint8Array;
}

/**
 * Colours points by a category (class label or cluster, -1 = none) and hides
 * the categories in `hidden`.
 */
export function styleByCategory(categories: Int32Array, hidden: ReadonlySet<number>): PointStyle {
  const n = categories.length;
  const colors = new Float32Array(n * 3);
  const visible = new Uint8Array(n);
  const cache = new Map<number, [number, number, number]>();
  for (let i = 0; i < n; i++) {
    const c = categories[i];
    let rgb = cache.get(c);
    if (!rgb) cache.set(c, (rgb = hexToRgb(classColor(c))));
    colors[3 * i] = rgb[0];
    colors[3 * i + 1] = rgb[1];
    colors[3 * i + 2] = rgb[2];
    visible[i] = hidden.has(c) ? 0 : 1;
  }
  return { colors, visible };
}

/** The range a continuous colour scale spans: the 1st to 99th percentile, so outliers do not flatten it. */
export function robustRange(values: Float32Array): { lo: number; hi: number } {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return { lo: 0, hi: 1 };
  finite.sort();
  const lo = finite[Math.floor(0.01 * (finite.length - 1))];
  const hi = finite[Math.ceil(0.99 * (finite.length - 1))];
  return hi > lo ? { lo, hi } : { lo, hi: lo + 1e-9 };
}

/** Colours points by a continuous value on the viridis scale over [lo, hi]; all visible. */
export function styleByValue(values: Float32Array, lo: number, hi: number): PointStyle {
  const n = values.length;
  const colors = new Float32Array(n * 3);
  const span = hi - lo || 1;
  // 256 levels are more than the eye can tell apart; avoids n ramp evaluations.
  const lut = new Float32Array(256 * 3);
  for (let k = 0; k < 256; k++) lut.set(rampColor(k / 255), 3 * k);
  for (let i = 0; i < n; i++) {
    const t = Math.min(255, Math.max(0, Math.round(((values[i] - lo) / span) * 255))) || 0;
    colors[3 * i] = lut[3 * t];
    colors[3 * i + 1] = lut[3 * t + 1];
    colors[3 * i + 2] = lut[3 * t + 2];
  }
  return { colors, visible: new Uint8Array(n).fill(1) };
}

/** How many points of each category (0..k-1) there are. */
export function categoryCounts(categories: Int32Array, k: number): number[] {
  const counts = new Array<number>(k).fill(0);
  for (const c of categories) if (c >= 0 && c < k) counts[c]++;
  return counts;
}
