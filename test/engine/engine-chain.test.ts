/** Issue 12's walk, engine side: a new dataset leaves nothing of the old one's model, map or clusters. */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';

import { Engine } from '../../src-main/engine/engine.js';
import type { EngineEvent } from '../../src-main/protocol.js';

const events: EngineEvent[] = [];
const engine = new Engine((e) => events.push(e), { progressIntervalMs: 0 });
const last = <T extends EngineEvent['type']>(type: T) =>
  events.filter((e) => e.type === type).at(-1) as Extract<EngineEvent, { type: T }> | undefined;
const errorOf = (id: string) =>
  events.find((e) => e.type === 'error' && (('jobId' in e && e.jobId === id) || e.requestId === id));

describe('the engine chain', () => {
  it('keeps a map of the pixels across training, and drops model, maps and clusters on a new dataset', async () => {
    await engine.handle({ type: 'hello' });
    await engine.handle({ type: 'loadDataset', jobId: 'l1', source: { kind: 'mnist', limit: 120 } });
    await engine.handle({ type: 'project', jobId: 'px', params: { method: 'pca', input: 'pixels' } });
    const pixels = engine.state.projection;
    const tensors = tf.memory().numTensors;
    await engine.handle({ type: 'train', jobId: 't', params: { model: 'simple', epochs: 1, codeSize: 4 } });
    expect(engine.state.projection).toBe(pixels);
    await engine.handle({ type: 'project', jobId: 'pc', params: { method: 'pca' } });
    await engine.handle({ type: 'cluster', jobId: 'k', k: 3 });
    expect(engine.state.projection!.input).toBe(engine.state.trained);
    expect(engine.state.clusters!.input).toBe(engine.state.trained);
    expect(['t', 'pc', 'k', 'px'].map(errorOf)).toEqual([undefined, undefined, undefined, undefined]);

    // A second training run: the map of the old codes and the clusters go, the old model is freed.
    const first = engine.state.trained!;
    await engine.handle({ type: 'train', jobId: 't2', params: { model: 'simple', epochs: 1, codeSize: 4 } });
    expect(engine.state.trained).not.toBe(first);
    expect(engine.state).toMatchObject({ projection: null, clusters: null });
    const x = tf.zeros([1, 784]);
    expect(() => first.model.parts.encoder.predict(x)).toThrow();
    x.dispose();

    await engine.handle({ type: 'loadDataset', jobId: 'l2', source: { kind: 'mnist', limit: 50 } });
    expect(engine.state).toMatchObject({ trained: null, projection: null, clusters: null });
    expect(engine.state.loaded!.dataset.n).toBe(50);
    // Every tensor of the two models is gone with them.
    expect(tf.memory().numTensors).toBe(tensors);
    await engine.handle({ type: 'getItem', requestId: 'i', index: 0 });
    expect(last('item')).toMatchObject({ requestId: 'i', reconstruction: undefined, error: undefined });
    await engine.handle({ type: 'exportCsv', requestId: 'c' });
    expect(errorOf('c')).toMatchObject({ message: expect.stringMatching(/project the dataset first/) });
    await engine.handle({ type: 'project', jobId: 'p3', params: { method: 'pca' } });
    expect(errorOf('p3')).toMatchObject({ message: expect.stringMatching(/train a model first/) });
  }, 120_000);
});
