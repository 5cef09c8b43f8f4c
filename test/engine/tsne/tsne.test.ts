import { describe, expect, it } from 'vitest';

import {
  computeAffinities,
  pcaInitialization,
  resolveOptions,
  runTsne,
  Tsne,
  TSNE_DEFAULTS,
} from '../../../src-main/engine/tsne/index.js';
import { EXACT_KNN_MAX_N } from '../../../src-main/engine/tsne/tsne.js';
import { blobs } from './helpers.js';

/** Smallest distance between cluster centroids over the largest within-cluster RMS radius. */
function separation(y: Float32Array, labels: Int32Array, k: number): number {
  const cx = new Float64Array(k);
  const cy = new Float64Array(k);
  const cnt = new Float64Array(k);
  for (let i = 0; i < labels.length; i++) {
    cx[labels[i]] += y[2 * i];
    cy[labels[i]] += y[2 * i + 1];
    cnt[labels[i]]++;
  }
  for (let c = 0; c < k; c++) {
    cx[c] /= cnt[c];
    cy[c] /= cnt[c];
  }
  const r = new Float64Array(k);
  for (let i = 0; i < labels.length; i++)
    r[labels[i]] += (y[2 * i] - cx[labels[i]]) ** 2 + (y[2 * i + 1] - cy[labels[i]]) ** 2;
  let maxR = 0;
  for (let c = 0; c < k; c++) maxR = Math.max(maxR, Math.sqrt(r[c] / cnt[c]));
  let minD = Infinity;
  for (let a = 0; a < k; a++)
    for (let b = a + 1; b < k; b++) minD = Math.min(minD, Math.hypot(cx[a] - cx[b], cy[a] - cy[b]));
  return minD / maxR;
}

describe('runTsne', () => {
  it('keeps well-separated clusters separated', async () => {
    const { data, labels, n, d } = blobs(4, 60, 10, 10);
    const r = await runTsne(data, n, d, { perplexity: 10, iterations: 400, exaggerationIterations: 100 });
    expect(r.cancelled).toBe(false);
    expect(r.iterations).toBe(400);
    expect(r.embedding.every(Number.isFinite)).toBe(true);
    expect(separation(r.embedding, labels, 4)).toBeGreaterThan(3);
    expect(r.kl).toBeGreaterThan(0);
  });

  it('gives the same result for the same seed', async () => {
    const { data, n, d } = blobs(3, 40, 5, 5);
    const opts = { perplexity: 8, iterations: 120, exaggerationIterations: 50, method: 'barnes-hut' as const, seed: 7 };
    const a = await runTsne(data, n, d, opts);
    const b = await runTsne(data, n, d, opts);
    expect(Array.from(a.embedding)).toEqual(Array.from(b.embedding));
  });

  for (const method of ['barnes-hut', 'fft'] as const) {
    it(`gives the same result with a helper thread as without (${method})`, async () => {
      const { data, n, d } = blobs(3, 100, 5, 5);
      const opts = { perplexity: 10, iterations: 16, exaggerationIterations: 8, method };
      const one = await runTsne(data, n, d, { ...opts, threads: 1 });
      const two = await runTsne(data, n, d, { ...opts, threads: 2 });
      expect(Array.from(two.embedding)).toEqual(Array.from(one.embedding));
      // And with the helper in every step from the first (a run leaves it out until it has loaded, and a failed
      // helper falls back silently): the same embedding, and it really took part.
      const o = resolveOptions(n, { ...opts, threads: 2 });
      const p = await computeAffinities(data, n, d, o);
      const init = pcaInitialization(data, n, d, o.seed);
      const tsne = new Tsne(p, init, o);
      tsne.waitForHelper(30000);
      for (let i = 0; i < opts.iterations; i++) tsne.step();
      expect(tsne.helperRounds).toBe(opts.iterations);
      expect(tsne.threadsInUse).toBe(2);
      const ones = new Tsne(p, init, { ...o, threads: 1 });
      for (let i = 0; i < opts.iterations; i++) ones.step();
      expect(Array.from(tsne.embedding)).toEqual(Array.from(ones.embedding));
      tsne.dispose();
    });
  }

  it('pauses within an FFT iteration, and one left midway keeps the last whole iteration and releases the helper', async () => {
    const { data, n, d } = blobs(3, 100, 5, 5);
    const o = resolveOptions(n, {
      perplexity: 10,
      iterations: 20,
      exaggerationIterations: 4,
      method: 'fft',
      threads: 2,
    });
    const p = await computeAffinities(data, n, d, o);
    const init = pcaInitialization(data, n, d, o.seed);
    const two = new Tsne(p, init, o);
    const one = new Tsne(p, init, { ...o, threads: 1 });
    two.waitForHelper(30000);
    for (let i = 0; i < 5; i++) {
      two.step();
      one.step();
    }
    expect(two.helperRounds).toBe(5);
    // Every iteration pauses several times (a cancel is seen between the parts), with the same result as step().
    const phases = one.stepPhases();
    let pauses = 0;
    while (!phases.next().done) pauses++;
    expect(pauses).toBeGreaterThanOrEqual(4);
    two.step();
    expect(Array.from(two.embedding)).toEqual(Array.from(one.embedding));

    const left = two.stepPhases();
    left.next();
    left.next();
    left.return();
    expect(two.iteration).toBe(6);
    expect(Array.from(two.embedding)).toEqual(Array.from(one.embedding));
    expect(two.threadsInUse).toBe(1);
    // What follows runs on this thread alone, as the one-thread run does.
    for (let i = 0; i < 4; i++) {
      two.step();
      one.step();
    }
    expect(Array.from(two.embedding)).toEqual(Array.from(one.embedding));
    two.dispose();
  });

  it('streams embeddings and stops when onProgress returns false', async () => {
    const { data, n, d } = blobs(3, 40, 5, 5);
    const seen: number[] = [];
    const r = await runTsne(
      data,
      n,
      d,
      { perplexity: 8, reportEvery: 5 },
      {
        onProgress: (p) => {
          if (p.phase === 'optimize') {
            expect(p.embedding?.length).toBe(2 * n);
            seen.push(p.iteration);
          }
          return p.iteration < 20;
        },
      },
    );
    expect(seen).toEqual([5, 10, 15, 20]);
    expect(r.cancelled).toBe(true);
    expect(r.iterations).toBe(20);
    expect(r.embedding.every(Number.isFinite)).toBe(true);
  });

  it('stops within one second when the signal aborts', async () => {
    const { data, n, d } = blobs(5, 400, 20, 5);
    const ac = new AbortController();
    let started = 0;
    const run = runTsne(
      data,
      n,
      d,
      { iterations: 100000, reportEvery: 0 },
      {
        signal: ac.signal,
        onProgress: (p) => {
          if (p.phase === 'knn') started = performance.now();
        },
      },
    );
    await new Promise((r) => setTimeout(r, 300));
    const t = performance.now();
    ac.abort();
    const r = await run;
    expect(started).toBeGreaterThan(0);
    expect(performance.now() - t).toBeLessThan(1000);
    expect(r.cancelled).toBe(true);
    expect(r.embedding.length).toBe(2 * n);
  });

  for (const [label, n] of [
    ['exact', 600],
    ['approximate', EXACT_KNN_MAX_N + 1000],
  ] as const) {
    it(`reports every phase with increasing done up to its total (${label} kNN)`, async () => {
      const { data, d } = blobs(5, n / 5, 10, 5);
      const events: { phase: string; done: number; total: number }[] = [];
      await runTsne(
        data,
        n,
        d,
        { iterations: 20, exaggerationIterations: 10, reportEvery: 5 },
        { onProgress: (p) => void events.push({ phase: p.phase, done: p.done, total: p.total }) },
      );
      const phases = ['knn', 'calibration', 'symmetrize', 'optimize'];
      expect([...new Set(events.map((e) => e.phase))]).toEqual(phases);
      for (const phase of phases) {
        const mine = events.filter((e) => e.phase === phase);
        const total = phase === 'optimize' ? 20 : n;
        expect(mine.every((e) => e.total === total)).toBe(true);
        for (let t = 1; t < mine.length; t++) expect(mine[t].done).toBeGreaterThanOrEqual(mine[t - 1].done);
        expect(mine.at(-1)!.done).toBe(total);
        expect(mine.length).toBeGreaterThan(1);
      }
      // The approximate search reports within each of its passes, not only at their ends.
      if (label === 'approximate') expect(events.filter((e) => e.phase === 'knn').length).toBeGreaterThan(10);
    });
  }

  it('stops within one second when cancelled during the kNN search', async () => {
    const n = EXACT_KNN_MAX_N + 3000;
    const { data, d } = blobs(8, n / 8, 50, 5);
    const ac = new AbortController();
    let abortedAt = 0;
    const after: string[] = [];
    const r = await runTsne(
      data,
      n,
      d,
      { iterations: 100 },
      {
        signal: ac.signal,
        onProgress: (p) => {
          if (abortedAt) after.push(p.phase);
          else if (p.phase === 'knn' && p.done > 0 && p.done < p.total) {
            abortedAt = performance.now();
            ac.abort();
          }
        },
      },
    );
    expect(abortedAt).toBeGreaterThan(0);
    expect(performance.now() - abortedAt).toBeLessThan(1000);
    expect(after.filter((p) => p !== 'knn')).toEqual([]);
    expect(r.cancelled).toBe(true);
    expect(r.iterations).toBe(0);
    expect(r.embedding.length).toBe(2 * n);
  });

  it('rejects bad options early with a clear message', async () => {
    const { data, n, d } = blobs(2, 10, 3, 5);
    await expect(runTsne(data, n, d, { perplexity: 30 })).rejects.toThrow(/perplexity 30 too large/);
    await expect(runTsne(data, n, d + 1, { perplexity: 3 })).rejects.toThrow(/expected/);
    expect(Object.isFrozen(TSNE_DEFAULTS)).toBe(true);
  });
});
