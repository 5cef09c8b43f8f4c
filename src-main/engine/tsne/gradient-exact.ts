import type { Repulsion } from './gradient.js';

/** Exact O(N²) repulsion over all pairs; the reference the approximations are tested against. */
export class ExactRepulsion implements Repulsion {
  readonly name = 'exact' as const;

  compute(y: Float64Array, n: number, out: Float64Array): number {
    out.fill(0, 0, 2 * n);
    let z = 0;
    for (let i = 0; i < n; i++) {
      const yi0 = y[2 * i];
      const yi1 = y[2 * i + 1];
      let f0 = 0;
      let f1 = 0;
      for (let j = i + 1; j < n; j++) {
        const d0 = yi0 - y[2 * j];
        const d1 = yi1 - y[2 * j + 1];
        const w = 1 / (1 + d0 * d0 + d1 * d1);
        z += w;
        const w2 = w * w;
        f0 += w2 * d0;
        f1 += w2 * d1;
        out[2 * j] -= w2 * d0;
        out[2 * j + 1] -= w2 * d1;
      }
      out[2 * i] += f0;
      out[2 * i + 1] += f1;
    }
    return 2 * z;
  }
}
