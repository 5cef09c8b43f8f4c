import { createRequire } from 'node:module';

import { describe, expect, it } from 'vitest';

import { calibrateRow } from '../../../src-main/engine/tsne/affinities.js';
import { runTsne } from '../../../src-main/engine/tsne/index.js';
import { blobs } from './helpers.js';

const require = createRequire(import.meta.url);

interface TsneJs {
  init(o: { data: number[][]; type: 'dense' }): void;
  run(): [number, number];
  getOutput(): number[][];
}
const TSNE = require('tsne-js') as new (o: Record<string, unknown>) => TsneJs;

/** The textbook objective: dense P from squared distances calibrated to the perplexity, KL against Student-t Q. */
function textbookKl(x: Float32Array, n: number, d: number, y: ArrayLike<number>, perplexity: number): number {
  const p = new Float64Array(n * n);
  const dist = new Float64Array(n - 1);
  const row = new Float64Array(n - 1);
  for (let i = 0; i < n; i++) {
    const others: number[] = [];
    for (let j = 0; j < n; j++) if (j !== i) others.push(j);
    others.forEach((j, t) => {
      let s = 0;
      for (let u = 0; u < d; u++) s += (x[i * d + u] - x[j * d + u]) ** 2;
      dist[t] = s;
    });
    const order = others.map((_, t) => t).sort((a, b) => dist[a] - dist[b]);
    const sorted = Float64Array.from(order, (t) => dist[t]);
    calibrateRow(sorted, row, perplexity);
    order.forEach((t, r) => (p[i * n + others[t]] = row[r]));
  }
  let z = 0;
  const q = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++)
      if (i !== j) {
        q[i * n + j] = 1 / (1 + (y[2 * i] - y[2 * j]) ** 2 + (y[2 * i + 1] - y[2 * j + 1]) ** 2);
        z += q[i * n + j];
      }
  let kl = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      const pij = (p[i * n + j] + p[j * n + i]) / (2 * n);
      if (i !== j && pij > 0) kl += pij * Math.log(pij / (q[i * n + j] / z));
    }
  return kl;
}

describe('against tsne-js', () => {
  it('reaches a KL divergence within 5% of tsne-js on 120 points, or lower', async () => {
    const { data, n, d } = blobs(3, 40, 10, 4, 11);
    const perplexity = 10;
    const iterations = 300;
    const ours = await runTsne(data, n, d, { perplexity, iterations, method: 'exact', exaggerationIterations: 100 });
    const oracle = new TSNE({ dim: 2, perplexity, earlyExaggeration: 4, learningRate: 100, nIter: iterations });
    oracle.init({
      data: Array.from({ length: n }, (_, i) => Array.from(data.subarray(i * d, (i + 1) * d))),
      type: 'dense',
    });
    oracle.run();
    const theirs = oracle.getOutput().flat();
    const klOurs = textbookKl(data, n, d, ours.embedding, perplexity);
    const klTheirs = textbookKl(data, n, d, theirs, perplexity);
    expect(klOurs).toBeLessThanOrEqual(1.05 * klTheirs);
    // Our own KL (sparse kNN P) describes the same embedding closely.
    expect(Math.abs(ours.kl - klOurs) / klOurs).toBeLessThan(0.1);
  });
});
