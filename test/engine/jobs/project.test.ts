import { describe, expect, it } from 'vitest';

import { Engine } from '../../../src-main/engine/engine.js';
import type { EngineEvent } from '../../../src-main/protocol.js';

describe('projectJob', () => {
  it('projects the pixels as the very first job, before any hello has started the backend', async () => {
    const events: EngineEvent[] = [];
    const engine = new Engine((e) => events.push(e), { progressIntervalMs: 0 });
    await engine.handle({ type: 'loadDataset', jobId: 'l', source: { kind: 'mnist', limit: 300 } });
    await engine.handle({ type: 'project', jobId: 'p', params: { method: 'pca', input: 'pixels' } });
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
    expect(events.at(-1)).toMatchObject({ type: 'projection', jobId: 'p', final: true });
  });

  it('runs t-SNE of the pixels on their PCA-50, says so, and measures the map against the pixels', async () => {
    const events: EngineEvent[] = [];
    const engine = new Engine((e) => events.push(e), { progressIntervalMs: 0 });
    await engine.handle({ type: 'loadDataset', jobId: 'l', source: { kind: 'mnist', limit: 300 } });
    await engine.handle({
      type: 'project',
      jobId: 't',
      params: { method: 'tsne', input: 'pixels', pcaComponents: 50, perplexity: 20 },
    });
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
    const messages = events.flatMap((e) =>
      e.type === 'progress' && e.progress.jobId === 't' ? [e.progress.message] : [],
    );
    expect(messages.slice(0, 2)).toEqual(['t-SNE of the pixels', 'PCA-50 of the pixels']);
    const final = events.at(-1);
    expect(final).toMatchObject({ type: 'projection', final: true, input: 'pixels' });
    if (final?.type !== 'projection') return;
    // Digits separate on a t-SNE of their pixels far above chance, even at 300 images.
    expect(final.metrics?.knnAccuracy).toBeGreaterThan(0.7);
    expect(final.metrics).toMatchObject({ trustworthinessOf: 'pixels', trustworthinessSample: 300 });
  }, 60_000);

  it('refuses a PCA beyond the bounds the contract gives', async () => {
    const events: EngineEvent[] = [];
    const engine = new Engine((e) => events.push(e), { progressIntervalMs: 0 });
    await engine.handle({
      type: 'project',
      jobId: 'x',
      params: { method: 'tsne', input: 'pixels', pcaComponents: 1 },
    } as never);
    expect(events.at(-1)).toMatchObject({ type: 'error', jobId: 'x', message: expect.stringMatching(/pcaComponents/) });
  });
});
