/**
 * The first map's figures (issue 15): how long the page's first map of MNIST's pixels takes in the engine, PCA to 2
 * components and then its metrics, and the trustworthiness by matrix products against the scalar loop it replaced
 * (measured on a smaller sample, since the scalar loop takes tens of seconds on all 1,000).
 * Usage: npx tsx bench/pixel-map.ts [--n 5000,10000] [--repeat 3] [--scalar-sample 100]
 * Prints one line per size: the median PCA time of `repeat` runs, the metrics time, and the two trustworthiness
 * timings per sample point with the largest difference between their values.
 */
import os from 'node:os';

import { selectBackend } from '../src-main/engine/backends/select.js';
import { loadMnist } from '../src-main/engine/datasets/mnist.js';
import { projectionMetrics } from '../src-main/engine/jobs/project.js';
import { matMulDistances } from '../src-main/engine/metrics/distances.js';
import { trustworthiness } from '../src-main/engine/metrics/index.js';
import { pca } from '../src-main/engine/projection/pca.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const sizes = arg('n', '5000,10000').split(',').map(Number);
const repeat = Number(arg('repeat', '3'));
const scalarSample = Number(arg('scalar-sample', '100'));
for (const [name, v] of [
  ['--repeat', repeat],
  ['--scalar-sample', scalarSample],
] as const)
  if (!(Number.isInteger(v) && v >= 1)) throw new Error(`${name} must be an integer ≥ 1, got ${v}`);
if (!sizes.every((n) => Number.isInteger(n) && n >= 100 && n <= 70_000))
  throw new Error(`--n takes sizes from 100 to 70000, got "${arg('n', '')}"`);

const backend = await selectBackend();
const all = await loadMnist(Math.max(...sizes));
const seconds = (t0: number) => (performance.now() - t0) / 1000;
console.log(`backend ${backend.name}, load average ${os.loadavg()[0].toFixed(1)}`);

for (const n of sizes) {
  const d = all.height * all.width * all.channels;
  const pixels = new Float32Array(n * d);
  for (let i = 0; i < pixels.length; i++) pixels[i] = all.pixels[i] / 255;
  const ds = { ...all, n, labels: all.labels.subarray(0, n), pixels: all.pixels.subarray(0, n * d) };
  const times: number[] = [];
  let positions: Float32Array = new Float32Array(0);
  for (let r = 0; r < repeat; r++) {
    const t0 = performance.now();
    positions = pca(pixels, n, d, 2, 1);
    times.push(seconds(t0));
  }
  times.sort((a, b) => a - b);
  let t0 = performance.now();
  const m = projectionMetrics(ds, pixels, d, positions);
  const metricsSeconds = seconds(t0);
  t0 = performance.now();
  const scalar = trustworthiness(pixels, d, positions, 2, n, 10, scalarSample, 1);
  const scalarPer = seconds(t0) / scalarSample;
  t0 = performance.now();
  const fast = trustworthiness(pixels, d, positions, 2, n, 10, scalarSample, 1, matMulDistances(pixels, d, n));
  const fastPer = seconds(t0) / scalarSample;
  console.log(
    `n=${n}: PCA-2 of ${n}×${d} median ${times[Math.floor(repeat / 2)].toFixed(2)} s of ${repeat}; ` +
      `metrics ${metricsSeconds.toFixed(1)} s (10-NN ${m.knnAccuracy?.toFixed(3)}, trust. ${m.trustworthiness?.toFixed(3)} ` +
      `on ${m.trustworthinessSample}); trustworthiness per sample point: scalar ${(1000 * scalarPer).toFixed(1)} ms, ` +
      `matMul ${(1000 * fastPer).toFixed(1)} ms (×${(scalarPer / fastPer).toFixed(1)}), values differ by ${Math.abs(scalar - fast).toExponential(1)}`,
  );
}
