import { describe, expect, it } from 'vitest';

import { Engine } from '../../../src-main/engine/engine.js';
import { nearestRows } from '../../../src-main/engine/neighbors/query.js';
import type { EngineEvent } from '../../../src-main/protocol.js';

type Answer = Extract<EngineEvent, { type: 'neighbors' }>;

/** Brute-force kNN by sorting all distances of row i: what the engine's answer must equal. */
function sortedNeighbours(data: ArrayLike<number>, n: number, d: number, i: number, k: number): number[] {
  const dist = (j: number) => {
    let s = 0;
    for (let t = 0; t < d; t++) s += (data[i * d + t] - data[j * d + t]) ** 2;
    return s;
  };
  return Array.from({ length: n }, (_, j) => j)
    .filter((j) => j !== i)
    .map((j) => ({ j, s: dist(j) }))
    .sort((a, b) => a.s - b.s || a.j - b.j)
    .slice(0, k)
    .map((r) => r.j);
}

describe('neighborsJob', () => {
  const events: EngineEvent[] = [];
  const engine = new Engine((e) => events.push(e), { progressIntervalMs: 0 });
  const ask = async (cmd: Record<string, unknown>) => {
    await engine.handle({ type: 'neighbors', requestId: 'q', ...cmd });
    return events.at(-1)!;
  };

  it('answers in pixel space before any model, then in code space with the map’s nearest', async () => {
    await engine.handle({ type: 'loadDataset', jobId: 'l', source: { kind: 'mnist', limit: 400 } });
    const ds = engine.state.loaded!.dataset;
    const before = (await ask({ index: 5 })) as Answer;
    expect(before).toMatchObject({ type: 'neighbors', requestId: 'q', index: 5, space: 'pixels' });
    expect(before.indices).toEqual(sortedNeighbours(ds.pixels, ds.n, 784, 5, 10));
    expect(before.mapIndices).toBeUndefined();

    await engine.handle({ type: 'train', jobId: 't', params: { model: 'simple', epochs: 1, codeSize: 8 } });
    await engine.handle({ type: 'project', jobId: 'p', params: { method: 'pca' } });
    const { codes } = engine.state.trained!;
    const positions = engine.state.projection!.positions;
    const after = (await ask({ index: 123, k: 25 })) as Answer;
    expect(after.space).toBe('codes');
    expect(after.indices).toEqual(sortedNeighbours(codes, ds.n, 8, 123, 25));
    expect(after.distances).toHaveLength(25);
    expect(after.distances).toEqual([...after.distances].sort((a, b) => a - b));
    expect(after.distances[0]).toBeCloseTo(nearestRows(codes, ds.n, 8, 123, 1).distances[0], 10);
    expect(after.mapIndices).toEqual(sortedNeighbours(positions, ds.n, 2, 123, 25));
  }, 120_000);

  it('refuses an index past the dataset’s end and a k out of bounds, naming the request', async () => {
    expect(await ask({ index: 400 })).toMatchObject({
      type: 'error',
      requestId: 'q',
      message: 'item 400 is out of range (the dataset has 400)',
    });
    expect(await ask({ index: 0, k: 101 })).toMatchObject({
      type: 'error',
      requestId: 'q',
      message: expect.stringMatching(/neighbors: k: .*100/),
    });
  });
});
