import { createRandom } from '../../../src-main/engine/util/random.js';

/** `clusters` Gaussian blobs of `per` points in d dimensions, centres `spread` apart, with their labels. */
export function blobs(clusters: number, per: number, d: number, spread: number, seed = 1) {
  const rand = createRandom(seed);
  const n = clusters * per;
  const data = new Float32Array(n * d);
  const labels = new Int32Array(n);
  const centres = Array.from({ length: clusters }, () => Array.from({ length: d }, () => rand.normal() * spread));
  for (let i = 0; i < n; i++) {
    const c = i % clusters;
    labels[i] = c;
    for (let t = 0; t < d; t++) data[i * d + t] = centres[c][t] + rand.normal();
  }
  return { data, labels, n, d };
}

/** Uniform random 2-D points in a square of the given side. */
export function randomPoints2d(n: number, side: number, seed = 3): Float64Array {
  const rand = createRandom(seed);
  const y = new Float64Array(2 * n);
  for (let t = 0; t < y.length; t++) y[t] = (rand.next() - 0.5) * side;
  return y;
}

/** n 2-D points in ten Gaussian clusters of the given radius, spread over a square of about the given side. */
export function clusteredPoints2d(n: number, side: number, radius: number, seed = 7): Float64Array {
  const rand = createRandom(seed);
  const centres = Array.from({ length: 10 }, () => [
    (rand.next() - 0.5) * (side - 4 * radius),
    (rand.next() - 0.5) * (side - 4 * radius),
  ]);
  const y = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    y[2 * i] = centres[i % 10][0] + rand.normal() * radius;
    y[2 * i + 1] = centres[i % 10][1] + rand.normal() * radius;
  }
  return y;
}
