import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { Engine } from '../../../src-main/engine/engine.js';
import { decodeF32, decodeI32, type EngineEvent } from '../../../src-main/protocol.js';

type Of<T extends EngineEvent['type']> = Extract<EngineEvent, { type: T }>;

/**
 * An engine whose live map is never held back by its cost budget and takes no
 * mid-epoch snapshots (a loaded machine's slow epoch would add some), so
 * every epoch end, and only that, takes one.
 */
function engineWith(liveMap: { costFraction?: number; maxItems?: number; intervalMs?: number } = {}) {
  const events: EngineEvent[] = [];
  let onEvent: (e: EngineEvent) => void = () => {};
  const engine = new Engine(
    (e) => {
      events.push(e);
      onEvent(e);
    },
    { progressIntervalMs: 0, liveMap: { costFraction: 1, intervalMs: 1e9, ...liveMap } },
  );
  const of = <T extends EngineEvent['type']>(type: T) => events.filter((e): e is Of<T> => e.type === type);
  return { engine, events, of, listen: (f: (e: EngineEvent) => void) => (onEvent = f) };
}

const N = 300;

describe('the live map of a training run', () => {
  let e: ReturnType<typeof engineWith>;
  beforeAll(async () => {
    e = engineWith();
    await e.engine.handle({ type: 'hello' });
    await e.engine.handle({ type: 'loadDataset', jobId: 'l', source: { kind: 'mnist', limit: N } });
  });

  it('sends a snapshot of every item after each epoch, and the positions move', async () => {
    await e.engine.handle({ type: 'train', jobId: 't', params: { model: 'deep', epochs: 3, batchSize: 32 } });
    const snaps = e.of('trainSnapshot');
    // Epochs 1 and 2 from the model in training, epoch 3 from the final codes.
    expect(snaps.map((s) => [s.jobId, s.epoch, s.endOfEpoch])).toEqual([
      ['t', 1, true],
      ['t', 2, true],
      ['t', 3, true],
    ]);
    const maps = snaps.map((s) => decodeF32(s.positions));
    for (const [i, p] of maps.entries()) {
      expect(p.length).toBe(2 * N);
      expect(p.every(Number.isFinite)).toBe(true);
      expect(snaps[i]!.items).toBeUndefined();
      expect(snaps[i]!.seconds).toBeGreaterThanOrEqual(0);
    }
    const moved = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0) / a.length;
    expect(moved(maps[0]!, maps[1]!)).toBeGreaterThan(1e-3);
    expect(moved(maps[1]!, maps[2]!)).toBeGreaterThan(1e-3);
    // The snapshots come before the model does.
    const order = e.events.map((x) => x.type).filter((t) => t === 'trainSnapshot' || t === 'trained');
    expect(order.at(-1)).toBe('trained');
  });

  it('sends per-batch loss points over the whole run, up to its last batch', () => {
    const losses = e.of('trainLoss');
    const batches = Math.ceil((N - Math.floor(N * 0.1)) / 32);
    expect(losses.length).toBeGreaterThanOrEqual(3);
    expect(losses.every((l) => l.stepsPerEpoch === batches && Number.isFinite(l.loss) && l.loss > 0)).toBe(true);
    const steps = losses.map((l) => l.step);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect(new Set(steps).size).toBe(steps.length);
    expect(steps.at(-1)).toBe(3 * batches);
  });

  it('keeps the number of tensors flat from one snapshot to the next', async () => {
    const counts: number[] = [];
    e.listen((x) => {
      if (x.type === 'trainSnapshot') counts.push(tf.memory().numTensors);
    });
    await e.engine.handle({ type: 'train', jobId: 't2', params: { model: 'deep', epochs: 5, batchSize: 32 } });
    e.listen(() => {});
    // Four snapshots during training (the fifth comes after the optimiser is gone).
    const during = counts.slice(0, 4);
    expect(during).toHaveLength(4);
    expect(new Set(during).size).toBe(1);
  });

  it("reconstructs the hover card's item with the model in training", async () => {
    const fresh = engineWith();
    await fresh.engine.handle({ type: 'loadDataset', jobId: 'l', source: { kind: 'mnist', limit: N } });
    await fresh.engine.handle({ type: 'getItem', requestId: 'before', index: 5 });
    expect(fresh.of('item')[0]!.reconstruction).toBeUndefined();
    const asked: Promise<void>[] = [];
    fresh.listen((x) => {
      // Asked between two batches, as the page's hover does: no model is in the state yet.
      if (x.type === 'trainSnapshot' && x.epoch === 1) {
        expect(fresh.engine.state.trained).toBeNull();
        asked.push(fresh.engine.handle({ type: 'getItem', requestId: 'during', index: 5 }));
      }
    });
    await fresh.engine.handle({ type: 'train', jobId: 't', params: { model: 'deep', epochs: 3, batchSize: 32 } });
    await Promise.all(asked);
    const during = fresh.of('item').find((i) => i.requestId === 'during')!;
    expect(during.reconstruction).toBeDefined();
    expect(during.error!).toBeGreaterThan(0);
    expect(during.error!).toBeLessThan(1);
    // Once trained, the state's model answers, with the error the record holds.
    await fresh.engine.handle({ type: 'getItem', requestId: 'after', index: 5 });
    const after = fresh.of('item').find((i) => i.requestId === 'after')!;
    expect(after.error).toBe(fresh.engine.state.trained!.errors[5]);
    // The error computed for the card is the same quantity as the record's.
    expect(after.error!).toBeLessThan(during.error!);
  });

  it('stops within a second when cancelled, keeping the model so far', async () => {
    const c = engineWith();
    await c.engine.handle({ type: 'loadDataset', jobId: 'l', source: { kind: 'mnist', limit: N } });
    let cancelledAt = 0;
    c.listen((x) => {
      if (x.type === 'trainSnapshot' && cancelledAt === 0) {
        cancelledAt = performance.now();
        void c.engine.handle({ type: 'cancel', jobId: 't' });
      }
    });
    await c.engine.handle({ type: 'train', jobId: 't', params: { model: 'deep', epochs: 200, batchSize: 32 } });
    const trained = c.of('trained')[0]!;
    expect(trained.cancelled).toBe(true);
    expect(performance.now() - cancelledAt).toBeLessThan(1000);
    expect(c.engine.state.trained).not.toBeNull();
  });

  it('maps a fixed sample on large data, then every item from the final codes', async () => {
    const s = engineWith({ maxItems: 100 });
    await s.engine.handle({ type: 'loadDataset', jobId: 'l', source: { kind: 'mnist', limit: N } });
    await s.engine.handle({ type: 'train', jobId: 't', params: { model: 'deep', epochs: 3, batchSize: 32 } });
    const snaps = s.of('trainSnapshot');
    expect(snaps).toHaveLength(3);
    const items = snaps.slice(0, 2).map((x) => decodeI32(x.items!));
    expect(items[0]!.length).toBe(100);
    expect(Array.from(items[1]!)).toEqual(Array.from(items[0]!));
    expect(Array.from(items[0]!)).toEqual(Array.from(items[0]!).sort((a, b) => a - b));
    expect(decodeF32(snaps[0]!.positions).length).toBe(200);
    expect(snaps[2]!.items).toBeUndefined();
    expect(decodeF32(snaps[2]!.positions).length).toBe(2 * N);
  });

  it('also maps mid-epoch where epochs outlast the interval (large data), within the cost budget', async () => {
    const m = engineWith({ intervalMs: 5, costFraction: 0.5 });
    await m.engine.handle({ type: 'loadDataset', jobId: 'l', source: { kind: 'mnist', limit: N } });
    await m.engine.handle({ type: 'train', jobId: 't', params: { model: 'deep', epochs: 2, batchSize: 16 } });
    const snaps = m.of('trainSnapshot');
    expect(snaps.some((x) => !x.endOfEpoch && x.epoch === 1)).toBe(true);
    for (const x of snaps) expect(decodeF32(x.positions).every(Number.isFinite)).toBe(true);
    const cost = snaps.reduce((sum, x) => sum + x.seconds, 0);
    const seconds = m.of('epoch').reduce((sum, x) => sum + x.log.seconds, 0);
    expect(cost).toBeLessThan(0.5 * seconds + 0.5);
  });
});
