/**
 * The live map of a training run: the current model's codes projected to 2-D
 * cheaply (PCA through a d×d covariance, d = code size), aligned to the
 * previous snapshot so the map moves instead of flipping, and taken only as
 * often as its measured cost allows.
 */
import * as tf from '@tensorflow/tfjs';

import { createRandom } from '../util/random.js';

/** When snapshots are taken; every field is optional in `LiveMap`'s constructor. */
export interface LiveMapOptions {
  /**
   * Largest share of the run's wall time the snapshots may take, checked
   * before each one from the run's start (the next is expected to cost what
   * the last did). At 0.1, two snapshots of 0.2 s need 3.8 s of run time.
   */
  costFraction: number;
  /**
   * Epoch-end snapshots always fit while all of them together stay within this many ms, whatever `costFraction`
   * says: a short run on a small dataset (a few seconds, the first snapshot slowed by the model's first predict)
   * would otherwise skip epochs, which is the part of the run a user watches, for a saving of a fraction of a
   * second. Mid-epoch snapshots obey `costFraction` alone.
   */
  graceMs: number;
  /** Mid-epoch snapshots (large data) come at most this often, in ms; epoch ends only obey `costFraction`. */
  intervalMs: number;
  /** Positions are scaled to this root-mean-square radius so the camera's fit does not jump between snapshots. */
  radius: number;
  /**
   * Most items a snapshot encodes. Above it a fixed random sample of this
   * size is mapped (the same items every time, so they move rather than
   * swap); encoding all 70,000 MNIST images takes seconds, a 10,000 sample
   * a fraction of one, so the map can follow the model every few seconds.
   */
  maxItems: number;
  /** Seed of that sample. */
  seed: number;
}

/** Defaults of the live map. */
export const LIVE_MAP_DEFAULTS: Readonly<LiveMapOptions> = Object.freeze({
  costFraction: 0.1,
  graceMs: 2000,
  intervalMs: 3000,
  radius: 10,
  maxItems: 10_000,
  seed: 1,
});

/**
 * Top-2 principal axes of the rows of `codes` (n×d) and the rows projected on
 * them (n×2). The covariance is one tf.matMul (d×d, small), its two leading
 * eigenvectors come from subspace iteration in Float64 started at `start`
 * (the previous snapshot's axes, so consecutive snapshots converge in a few
 * steps), and the projection is a second matMul.
 */
export function pca2(
  codes: Float32Array,
  n: number,
  d: number,
  start?: Float64Array | null,
): { positions: Float32Array; axes: Float64Array } {
  if (codes.length !== n * d) throw new Error(`pca2: codes hold ${codes.length} values, expected ${n}×${d}`);
  const cov = tf.tidy(() => {
    const x = tf.tensor2d(codes, [n, d]);
    const xc = x.sub(x.mean(0));
    return tf.matMul(xc, xc, true, false).div(Math.max(1, n - 1));
  });
  const c = Float64Array.from(cov.dataSync());
  cov.dispose();
  const axes = topTwoAxes(c, d, start);
  const positions = tf.tidy(() => {
    const x = tf.tensor2d(codes, [n, d]);
    const w = tf.tensor2d(Float32Array.from(axes), [d, 2]);
    return tf.matMul(x.sub(x.mean(0)), w);
  });
  const out = positions.dataSync() as Float32Array;
  positions.dispose();
  return { positions: Float32Array.from(out), axes };
}

/** Two leading eigenvectors of the symmetric d×d matrix `c` (column-major d×2 in a flat array). */
function topTwoAxes(c: Float64Array, d: number, start?: Float64Array | null): Float64Array {
  const v = new Float64Array(d * 2);
  if (start && start.length === d * 2) v.set(start);
  else for (let i = 0; i < d * 2; i++) v[i] = Math.sin(i * 12.9898 + 1) + (i % 2 ? 0.5 : -0.5); // fixed, non-degenerate
  const w = new Float64Array(d * 2);
  for (let iter = 0; iter < 100; iter++) {
    // w = C·V (row-major d×2, v[i*2+k])
    for (let i = 0; i < d; i++) {
      let a = 0;
      let b = 0;
      const row = i * d;
      for (let j = 0; j < d; j++) {
        const cij = c[row + j]!;
        a += cij * v[j * 2]!;
        b += cij * v[j * 2 + 1]!;
      }
      w[i * 2] = a;
      w[i * 2 + 1] = b;
    }
    orthonormalize(w, d);
    let change = 0;
    for (let i = 0; i < d * 2; i++) change = Math.max(change, Math.abs(Math.abs(w[i]!) - Math.abs(v[i]!)));
    v.set(w);
    if (change < 1e-7) break;
  }
  return v;
}

/** Gram–Schmidt on the two columns of a row-major d×2 array; a column that vanishes becomes a unit axis. */
function orthonormalize(v: Float64Array, d: number): void {
  for (let k = 0; k < 2; k++) {
    if (k === 1) {
      let dot = 0;
      for (let i = 0; i < d; i++) dot += v[i * 2]! * v[i * 2 + 1]!;
      for (let i = 0; i < d; i++) v[i * 2 + 1] = v[i * 2 + 1]! - dot * v[i * 2]!;
    }
    let norm = 0;
    for (let i = 0; i < d; i++) norm += v[i * 2 + k]! ** 2;
    norm = Math.sqrt(norm);
    if (norm < 1e-12) {
      // Codes of rank < 2 (e.g. code size 1): any axis orthogonal to the first does.
      for (let i = 0; i < d; i++) v[i * 2 + k] = 0;
      v[Math.min(k, d - 1) * 2 + k] = d > k ? 1 : 0;
    } else for (let i = 0; i < d; i++) v[i * 2 + k] = v[i * 2 + k]! / norm;
  }
}

/**
 * Rotates or reflects `p` (n×2, in place) onto `prev` as well as an
 * orthogonal 2×2 map can (orthogonal Procrustes, closed form), so a snapshot
 * whose PCA axes flipped sign or swapped looks like the one before it.
 * `rows[k]` is the row of `p` that row k of `prev` holds (default: the same
 * row), so a full map can be aligned to one of a sample.
 */
export function alignTo(p: Float32Array, prev: Float32Array, rows?: Int32Array | null): void {
  const m = prev.length / 2;
  if (rows ? rows.length !== m : p.length !== prev.length) return;
  let m00 = 0;
  let m01 = 0;
  let m10 = 0;
  let m11 = 0;
  for (let k = 0; k < m; k++) {
    const i = (rows ? rows[k]! : k) * 2;
    const x = p[i]!;
    const y = p[i + 1]!;
    const u = prev[2 * k]!;
    const w = prev[2 * k + 1]!;
    m00 += x * u;
    m01 += x * w;
    m10 += y * u;
    m11 += y * w;
  }
  // Maximise tr(Rᵀ M) over rotations [[c,−s],[s,c]] and reflections [[c,s],[s,−c]].
  const rot = Math.hypot(m00 + m11, m10 - m01);
  const ref = Math.hypot(m00 - m11, m01 + m10);
  let r00: number, r01: number, r10: number, r11: number;
  if (rot >= ref) {
    const t = Math.atan2(m10 - m01, m00 + m11);
    [r00, r01, r10, r11] = [Math.cos(t), -Math.sin(t), Math.sin(t), Math.cos(t)];
  } else {
    const t = Math.atan2(m01 + m10, m00 - m11);
    [r00, r01, r10, r11] = [Math.cos(t), Math.sin(t), Math.sin(t), -Math.cos(t)];
  }
  for (let i = 0; i < p.length; i += 2) {
    const x = p[i]!;
    const y = p[i + 1]!;
    p[i] = x * r00 + y * r10;
    p[i + 1] = x * r01 + y * r11;
  }
}

/** Scales centred positions to root-mean-square radius `radius` (a collapsed map stays at 0). */
function scaleTo(p: Float32Array, radius: number): void {
  let s = 0;
  for (let i = 0; i < p.length; i++) s += p[i]! ** 2;
  const rms = Math.sqrt(s / Math.max(1, p.length / 2));
  if (!(rms > 1e-12)) {
    p.fill(0);
    return;
  }
  const k = radius / rms;
  for (let i = 0; i < p.length; i++) p[i] = p[i]! * k;
}

/**
 * Decides when a training run's map is refreshed and computes it. The
 * caller asks `due()` after each batch (with `endOfEpoch` after an epoch),
 * and when it says yes encodes the items and hands the codes to `project()`;
 * `spent()` records what the snapshot cost so the next one waits long enough.
 */
export class LiveMap {
  readonly options: LiveMapOptions;
  private prev: Float32Array | null = null;
  /** The items `prev` maps (null = all). */
  private prevItems: Int32Array | null = null;
  private sample: Int32Array | null = null;
  private axes: Float64Array | null = null;
  /** When the previous snapshot ended (performance.now()), or when the run started. */
  private lastEnd: number;
  private readonly started: number;
  /** Cost of the previous snapshot in ms (0 before the first). */
  private lastCost = 0;
  /** Total ms spent on snapshots, for the report. */
  totalMs = 0;
  count = 0;

  constructor(options: Partial<LiveMapOptions> = {}, now = performance.now()) {
    this.options = { ...LIVE_MAP_DEFAULTS, ...options };
    this.lastEnd = now;
    this.started = now;
  }

  /**
   * Whether a snapshot is due now: an epoch ended or `intervalMs` passed since
   * the last one, and the snapshots so far plus this one (expected to cost
   * what the last did) stay within `costFraction` of the run's time.
   */
  due(endOfEpoch: boolean, now = performance.now()): boolean {
    const f = Math.min(1, Math.max(1e-3, this.options.costFraction));
    const cost = this.totalMs + this.lastCost;
    const affordable = cost <= f * (now - this.started + this.lastCost);
    if (endOfEpoch) return affordable || cost <= this.options.graceMs;
    return affordable && now - this.lastEnd >= this.options.intervalMs;
  }

  /**
   * The items a snapshot of a dataset of n maps, ascending: null for all of
   * them, else the same `maxItems` sample every time.
   */
  items(n: number): Int32Array | null {
    if (n <= this.options.maxItems) return null;
    if (this.sample?.length !== this.options.maxItems || this.sampledFrom !== n) {
      const random = createRandom(this.options.seed).next;
      const all = Int32Array.from({ length: n }, (_, i) => i);
      const m = this.options.maxItems;
      for (let i = 0; i < m; i++) {
        const j = i + Math.floor(random() * (n - i));
        [all[i], all[j]] = [all[j]!, all[i]!];
      }
      this.sample = all.slice(0, m).sort();
      this.sampledFrom = n;
    }
    return this.sample;
  }
  private sampledFrom = 0;

  /**
   * Projects the codes of `items` (null = all n), rows×d, to the next
   * snapshot's positions (rows×2, aligned with the previous snapshot, fixed
   * scale). A full map after sampled ones is aligned on the sample's rows.
   */
  project(codes: Float32Array, d: number, items: Int32Array | null = null): Float32Array {
    const rows = codes.length / d;
    const { positions, axes } = pca2(codes, rows, d, this.axes);
    if (this.prev) alignTo(positions, this.prev, this.prevItems && !items ? this.prevItems : null);
    scaleTo(positions, this.options.radius);
    this.axes = axes;
    this.prev = positions;
    this.prevItems = items;
    return positions;
  }

  /** Records that a snapshot started at `startedAt` has ended now. */
  spent(startedAt: number, now = performance.now()): void {
    this.lastCost = now - startedAt;
    this.totalMs += this.lastCost;
    this.count++;
    this.lastEnd = now;
  }
}
