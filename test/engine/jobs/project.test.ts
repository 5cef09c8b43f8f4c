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
});
