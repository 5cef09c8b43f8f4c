/**
 * Puts (s, j) into the first m entries of the ascending list dist/idx, dropping the last entry: the kept-k step of
 * every exact neighbour search here (k is small, so a shift beats a heap). Strict > keeps the lower index first on
 * ties. The caller has checked that s is below dist[m − 1].
 */
export function insertSorted(
  dist: Float64Array | Float32Array,
  idx: Int32Array,
  m: number,
  s: number,
  j: number,
): void {
  let p = m - 1;
  while (p > 0 && dist[p - 1] > s) {
    dist[p] = dist[p - 1];
    idx[p] = idx[p - 1];
    p--;
  }
  dist[p] = s;
  idx[p] = j;
}
