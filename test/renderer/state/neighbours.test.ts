import { describe, expect, it } from 'vitest';

import { encodeI32 } from '../../../src-main/protocol.js';
import { EngineClient } from '../../../src-renderer/engine-client.js';
import { DatasetRecord } from '../../../src-renderer/state/dataset.svelte.js';
import { NeighboursState } from '../../../src-renderer/state/neighbours.svelte.js';
import { datasetInfo, fakeEngine, tick } from '../fake-engine.js';

function setup() {
  const engine = fakeEngine();
  const client = new EngineClient(engine.api);
  const now = {
    of: new DatasetRecord(datasetInfo(50, { kind: 'mnist', limit: 50 })) as DatasetRecord | null,
    model: {} as unknown,
  };
  const errors: string[] = [];
  const near = new NeighboursState(
    () => client,
    () => now,
    (m) => errors.push(m),
  );
  /** Answers the last neighbors request, then its thumbnails. */
  const answer = async (indices: number[]) => {
    const q = await engine.last('neighbors');
    engine.emit({
      type: 'neighbors',
      requestId: q.requestId,
      index: q.index,
      space: 'codes',
      indices,
      distances: indices.map((_, k) => k + 1),
    });
    const t = await engine.last('getThumbnails');
    engine.emit({
      type: 'thumbnails',
      requestId: t.requestId,
      indices: t.indices,
      height: 1,
      width: 1,
      channels: 1,
      pixels: encodeI32(new Int32Array(0)),
    });
    await tick();
  };
  return { engine, near, now, errors, answer };
}

describe('the neighbour panel’s state', () => {
  it('asks for the pinned point’s 10 neighbours and their thumbnails, once per point', async () => {
    const { engine, near, answer } = setup();
    void near.follow(7);
    await answer([3, 9]);
    expect(await engine.last('neighbors')).toMatchObject({ index: 7, k: 10 });
    expect((await engine.last('getThumbnails')).indices).toEqual([3, 9]);
    expect(near.value).toMatchObject({ index: 7, space: 'codes', indices: [3, 9], distances: [1, 2] });
    expect(near.value?.thumbnails).not.toBeNull();
    void near.follow(7);
    await tick();
    expect(engine.count('neighbors')).toBe(1);
  });

  it('drops an answer for a point no longer pinned, and reads as empty under a new model or dataset', async () => {
    const { engine, near, now, answer } = setup();
    void near.follow(4);
    const first = await engine.last('neighbors');
    void near.follow(5);
    // The late answer for point 4 arrives after point 5 was asked about: it is not shown.
    engine.emit({
      type: 'neighbors',
      requestId: first.requestId,
      index: 4,
      space: 'codes',
      indices: [1],
      distances: [1],
    });
    await tick();
    expect(near.value).toBeNull();
    await answer([8]);
    expect(near.value?.index).toBe(5);
    now.model = {};
    expect(near.value).toBeNull();
    now.of = null;
    expect(near.value).toBeNull();
  });

  it('says what the engine refused', async () => {
    const { engine, near, errors } = setup();
    void near.follow(60);
    const q = await engine.last('neighbors');
    engine.emit({ type: 'error', requestId: q.requestId, message: 'item 60 is out of range (the dataset has 50)' });
    await tick();
    expect(errors).toEqual(['item 60 is out of range (the dataset has 50)']);
    expect(near.value).toBeNull();
  });
});
