/**
 * Eigen-decomposition of a small symmetric matrix: Householder reduction to
 * tridiagonal form, then the implicit QL method (the tred2/tql2 pair of
 * EISPACK as JAMA arranges it), on flat float64 arrays.
 *
 * Why not cyclic Jacobi, which this replaced: each Jacobi sweep costs about
 * 6m³ and needs 8–10 sweeps, so the 240×240 Rayleigh-Ritz matrix of PCA-50
 * took 1.0–1.4 s; this takes about (4/3 + 3)m³ once, some tens of
 * milliseconds. Why not ml-matrix's EigenvalueDecomposition (the same
 * algorithm): on arrays of arrays it took 300–600 ms at 240×240 here.
 *
 * Returns eigenvalues descending and the matching unit eigenvectors as rows (m×m, row-major).
 */
export function symmetricEigen(matrix: Float64Array, m: number): { values: Float64Array; vectors: Float64Array } {
  if (matrix.length !== m * m) throw new Error(`symmetricEigen: ${matrix.length} values for a ${m}×${m} matrix`);
  for (let t = 0; t < matrix.length; t++)
    if (!Number.isFinite(matrix[t]))
      throw new Error(`symmetricEigen: the matrix has ${matrix[t]} at (${Math.floor(t / m)}, ${t % m})`);
  const v = Float64Array.from(matrix);
  const d = new Float64Array(m);
  const e = new Float64Array(m);
  if (m > 0) {
    tridiagonalize(v, d, e, m);
    diagonalize(v, d, e, m);
  }
  // V's columns are the eigenvectors, in no particular order of their values: sort descending.
  const order = Array.from({ length: m }, (_, i) => i).sort((x, y) => d[y] - d[x]);
  const values = new Float64Array(m);
  const vectors = new Float64Array(m * m);
  order.forEach((src, dst) => {
    values[dst] = d[src];
    vectors.set(v.subarray(src * m, src * m + m), dst * m);
  });
  return { values, vectors };
}

/**
 * Householder reduction of the symmetric v (in place) to tridiagonal d, e; v ends as the transposed orthogonal
 * transform Vᵀ. This is tred2 with every index pair swapped (v is symmetric on entry, so only the result is
 * transposed): its inner loops then walk rows instead of striding down columns, 2× faster at 240×240, and QL,
 * which rotates pairs of V's columns, gets them as rows without a transpose.
 */
function tridiagonalize(v: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) d[j] = v[j * n + n - 1];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = v[j * n + i - 1];
        v[j * n + i] = 0;
        v[i * n + j] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        v[i * n + j] = f;
        g = e[j] + v[j * n + j] * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += v[j * n + k] * d[k];
          e[k] += v[j * n + k] * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        for (let k = j; k <= i - 1; k++) v[j * n + k] -= f * e[k] + g * d[k];
        d[j] = v[j * n + i - 1];
        v[j * n + i] = 0;
      }
    }
    d[i] = h;
  }
  // Accumulate the transformations.
  for (let i = 0; i < n - 1; i++) {
    v[i * n + n - 1] = v[i * n + i];
    v[i * n + i] = 1;
    const h = d[i + 1];
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = v[(i + 1) * n + k] / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += v[(i + 1) * n + k] * v[j * n + k];
        for (let k = 0; k <= i; k++) v[j * n + k] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) v[(i + 1) * n + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = v[j * n + n - 1];
    v[j * n + n - 1] = 0;
  }
  v[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/** Implicit QL on the tridiagonal d, e, rotating the rows of vt (Vᵀ) along; d ends as the eigenvalues. */
function diagonalize(v: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]) > eps * tst1) m++;
    if (m > l) {
      for (let iter = 0; ; iter++) {
        // QL converges in 2–3 iterations an eigenvalue; this only guards against a loop without end.
        if (iter >= 64) throw new Error(`symmetricEigen: no convergence at eigenvalue ${l} of ${n}`);
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          for (let a = i * n, b = a + n, end = a + n; a < end; a++, b++) {
            h = v[b];
            v[b] = s * v[a] + c * h;
            v[a] = c * v[a] - s * h;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
        if (!(Math.abs(e[l]) > eps * tst1)) break;
      }
    }
    d[l] += f;
    e[l] = 0;
  }
}
