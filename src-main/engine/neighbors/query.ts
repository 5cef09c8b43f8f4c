/**
 * The k nearest rows to one row of an n×d matrix, by brute force: one pass
 * over the rows (n·d operations: 2 M for 70,000 codes of 32, 55 M for their
 * 784 pixels, tens of milliseconds), no index to build or keep. For the
 * neighbour panel, which asks about one point at a time.
 */
import { insertSorted } from './sorted-insert.js';

/** One row's nearest rows, nearest first. */
export interface Nearest {
  indices: Int32Array;
  /** Euclidean distances (not squared), ascending, in the matrix's units times `scale`. */
  distances: Float64Array;
}

/**
 * The `k` rows nearest to row `index` of `data` (n×d, row-major), the row
 * itself excluded; equal distances keep the lower index first. `scale`
 * multiplies every value (1/255 measures byte pixels in [0, 1]). k is cut to
 * n − 1.
 */
export function nearestRows(
  data: Float32Array | Float64Array | Uint8Array,
  n: number,
  d: number,
  index: number,
  k: number,
  scale = 1,
): Nearest {
  if (!(Number.isInteger(index) && index >= 0 && index < n))
    throw new Error(`row ${index} is out of range (${n} rows)`);
  if (data.length < n * d) throw new Error(`the matrix holds ${data.length} values, not ${n}×${d}`);
  const m = Math.max(0, Math.min(k, n - 1));
  const idx = new Int32Array(m).fill(-1);
  const dist = new Float64Array(m).fill(Infinity);
  const q = Float64Array.from(data.subarray(index * d, (index + 1) * d));
  for (let j = 0; j < n && m > 0; j++) {
    if (j === index) continue;
    const base = j * d;
    const worst = dist[m - 1];
    let s = 0;
    // Stops summing once the row is already farther than the worst kept one.
    for (let t = 0; t < d && s < worst; t++) {
      const u = data[base + t] - q[t];
      s += u * u;
    }
    if (s >= worst) continue;
    insertSorted(dist, idx, m, s, j);
  }
  for (let t = 0; t < m; t++) dist[t] = Math.sqrt(dist[t]) * scale;
  return { indices: idx, distances: dist };
}
