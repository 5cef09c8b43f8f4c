import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { selectBackend } from '../../../src-main/engine/backends/select.js';
import { alignTo, LiveMap, pca2 } from '../../../src-main/engine/training/snapshot.js';
import { createRandom } from '../../../src-main/engine/util/random.js';

beforeAll(async () => {
  await selectBackend();
});

/** n points in d dims whose variance lies mostly along two known orthogonal directions (axes 0 and 1, scaled 5 and 2). */
function plane(n: number, d: number, seed = 1): Float32Array {
  const r = createRandom(seed).next;
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < d; j++) x[i * d + j] = (r() - 0.5) * (j === 0 ? 5 : j === 1 ? 2 : 0.1) + (j === 3 ? 7 : 0);
  return x;
}

describe('pca2', () => {
  it('finds the two directions of largest variance and projects every row on them', () => {
    const n = 400;
    const d = 6;
    const codes = plane(n, d);
    const { positions, axes } = pca2(codes, n, d);
    expect(positions.length).toBe(n * 2);
    expect(positions.every(Number.isFinite)).toBe(true);
    // The first axis is ±e0, the second ±e1.
    expect(Math.abs(axes[0 * 2]!)).toBeGreaterThan(0.99);
    expect(Math.abs(axes[1 * 2 + 1]!)).toBeGreaterThan(0.99);
    // Centred: the offset of dimension 3 is gone; x is the centred first coordinate up to sign.
    let mean = 0;
    for (let i = 0; i < n; i++) mean += codes[i * d]!;
    mean /= n;
    const s = Math.sign(axes[0]!);
    for (const i of [0, 17, 399]) expect(positions[i * 2]!).toBeCloseTo(s * (codes[i * d]! - mean), 1);
  });

  it('handles codes of rank one (code size 1) without NaN', () => {
    const codes = Float32Array.from({ length: 50 }, (_, i) => i);
    const { positions } = pca2(codes, 50, 1);
    expect(positions.every(Number.isFinite)).toBe(true);
  });

  it('refuses codes of the wrong length', () => {
    expect(() => pca2(new Float32Array(10), 4, 3)).toThrow(/expected 4×3/);
  });

  it('leaves no tensors behind', () => {
    const before = tf.memory().numTensors;
    pca2(plane(100, 8), 100, 8);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('alignTo', () => {
  it('undoes a flip, a swap of axes and a rotation of the previous map', () => {
    const r = createRandom(3).next;
    const prev = Float32Array.from({ length: 200 }, () => r() - 0.5);
    for (const [a, b, c, e] of [
      [-1, 0, 0, 1],
      [0, 1, 1, 0],
      [Math.cos(1), -Math.sin(1), Math.sin(1), Math.cos(1)],
    ]) {
      const p = new Float32Array(prev.length);
      for (let i = 0; i < p.length; i += 2) {
        p[i] = prev[i]! * a! + prev[i + 1]! * b!;
        p[i + 1] = prev[i]! * c! + prev[i + 1]! * e!;
      }
      alignTo(p, prev);
      for (let i = 0; i < p.length; i++) expect(p[i]!).toBeCloseTo(prev[i]!, 4);
    }
  });
});

describe('LiveMap', () => {
  it('takes a snapshot at every epoch end the cost budget allows, and mid-epoch only after the interval', () => {
    const m = new LiveMap({ costFraction: 0.1, intervalMs: 3000, graceMs: 0 }, 0);
    expect(m.due(false, 1000)).toBe(false); // mid-epoch, before the interval
    expect(m.due(true, 1000)).toBe(true); // the first epoch end
    m.spent(1000, 1200); // it cost 200 ms: two of them fit 10% of 3.8 s
    expect(m.due(true, 3000)).toBe(false);
    expect(m.due(true, 3800)).toBe(true);
    expect(m.due(false, 3800)).toBe(false); // 2.6 s since the last one ended
    expect(m.due(false, 4200)).toBe(true); // 3 s
    expect(m.count).toBe(1);
    expect(m.totalMs).toBe(200);
  });

  it('maps every epoch end of a short run while all its snapshots together stay within the grace', () => {
    const m = new LiveMap({ costFraction: 0.1, intervalMs: 3000, graceMs: 2000 }, 0);
    expect(m.due(true, 1000)).toBe(true);
    m.spent(1000, 1600); // 600 ms: far above 10% of a 1.6 s run
    expect(m.due(true, 2200)).toBe(true); // 1.2 s in all: within the grace
    expect(m.due(false, 5000)).toBe(false); // mid-epoch: 10% only (1.2 s > 0.5 s)
    m.spent(2200, 2800);
    expect(m.due(true, 3400)).toBe(true); // 1.2 s so far + the next 0.6 s: still within 2 s
    m.spent(3400, 4000);
    expect(m.due(true, 5000)).toBe(false); // 1.8 s + 0.6 s > 2 s, and > 10% of 5.6 s
    expect(m.due(true, 24_000)).toBe(true); // 2.4 s ≤ 10% of 24.6 s
  });

  it('keeps consecutive maps of the same codes at one scale and orientation', () => {
    const m = new LiveMap({ radius: 10 });
    const codes = plane(300, 5);
    const a = Float32Array.from(m.project(codes, 5));
    // The same codes with the first code dimension negated: PCA's sign may flip, the aligned map does not.
    const flipped = Float32Array.from(codes);
    for (let i = 0; i < 300; i++) flipped[i * 5] = -flipped[i * 5]!;
    const b = m.project(flipped, 5);
    let rms = 0;
    for (let i = 0; i < b.length; i++) rms += b[i]! ** 2;
    expect(Math.sqrt(rms / 300)).toBeCloseTo(10, 3);
    // Aligned by an orthogonal map, the reflected codes give the same map again.
    let off = 0;
    for (let i = 0; i < a.length; i++) off = Math.max(off, Math.abs(a[i]! - b[i]!));
    expect(off).toBeLessThan(1e-3);
  });
});
