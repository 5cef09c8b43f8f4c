import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';

import { backendWorks } from '../../../src-main/engine/backends/health.js';
import { Engine } from '../../../src-main/engine/engine.js';
import type { EngineEvent } from '../../../src-main/protocol.js';

describe('a backend that stops computing', () => {
  it('is restarted after the failed job; the model it held is dropped and training works again', async () => {
    const events: EngineEvent[] = [];
    const engine = new Engine((e) => events.push(e), { progressIntervalMs: 0 });
    await engine.handle({ type: 'loadDataset', jobId: 'l', source: { kind: 'mnist', limit: 100 } });
    await engine.handle({ type: 'train', jobId: 't1', params: { model: 'simple', epochs: 1, codeSize: 4 } });
    expect(engine.state.trained).not.toBeNull();
    await engine.handle({ type: 'project', jobId: 'px', params: { method: 'pca', input: 'pixels' } });
    const pixels = engine.state.projection;

    // What a broken wasm heap does: every read of a result fails.
    const broken = tf.backend();
    const fail = () => {
      throw new Error('memory access out of bounds');
    };
    broken.read = fail;
    broken.readSync = fail;
    expect(await backendWorks()).toBe(false);

    await engine.handle({ type: 'getItem', requestId: 'i', index: 0 });
    expect(events.find((e) => e.type === 'error' && e.requestId === 'i')).toMatchObject({
      message: 'memory access out of bounds',
    });
    expect(tf.backend()).not.toBe(broken);
    expect(await backendWorks()).toBe(true);
    expect(events.at(-1)).toMatchObject({
      type: 'modelLost',
      message: expect.stringMatching(/restarted; the trained model was lost/),
    });
    // The model's weights were in the old instance: its record is gone; the map of the pixels stays.
    expect(engine.state.trained).toBeNull();
    expect(engine.state.projection).toBe(pixels);

    await engine.handle({ type: 'train', jobId: 't2', params: { model: 'simple', epochs: 1, codeSize: 4 } });
    expect(events.filter((e) => e.type === 'error' && e.jobId === 't2')).toEqual([]);
    await engine.handle({ type: 'getItem', requestId: 'i2', index: 0 });
    expect(events.at(-1)).toMatchObject({ type: 'item', requestId: 'i2', reconstruction: expect.any(String) });
  }, 120_000);
});
