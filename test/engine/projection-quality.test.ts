import { describe, expect, it } from 'vitest';

import { knnAccuracy } from '../../src-main/engine/metrics/index.js';
import { runTsne } from '../../src-main/engine/tsne/index.js';
import { blobs } from './tsne/helpers.js';

describe('t-SNE on the foundation slice', () => {
  it('separates two well-separated Gaussian blobs: 10-NN accuracy 1.0 in 2-D', async () => {
    const { data, labels, n, d } = blobs(2, 150, 20, 8, 42);
    const r = await runTsne(data, n, d, { perplexity: 20, seed: 3 });
    expect(r.embedding).toHaveLength(2 * n);
    expect(knnAccuracy(r.embedding, n, 2, labels, 10)).toBe(1);
    // A control: shuffled labels must not score 1.0, so the metric can fail.
    const shuffled = labels
      .slice()
      .reverse()
      .map((l, i) => (i % 3 === 0 ? 1 - l : l));
    expect(knnAccuracy(r.embedding, n, 2, Int32Array.from(shuffled), 10)).toBeLessThan(0.9);
  });
});
